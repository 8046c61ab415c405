package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"gorm.io/gorm"
)

func stormFlags(fs *flag.FlagSet) func(context.Context, Config) (Result, error) {
	n := fs.Int("n", 10000, "deadlines due at once")
	limit := fs.Duration("limit", 30*time.Minute, "give up after this long")
	return func(ctx context.Context, cfg Config) (Result, error) {
		if *n < 1 || *limit <= 0 {
			return nil, errors.New("--n and --limit must be positive")
		}
		return storm(ctx, cfg, *n, *limit)
	}
}

// stormAgo is how long before now the storm's procedures are filed: well
// past 10 working days, so that every deadline is already due.
const stormAgo = 40 * 24 * time.Hour

// storm makes n deadlines due at once, as after an outage over a holiday:
// with the workers stopped, the harness starts n Wuhan share requests on
// Temporal itself, filed 40 days ago (a date only the harness can choose:
// the API files at its own clock, and no profile or build has a shorter
// period), then starts the workers and measures the time until every
// request has its silence outcome (deemed consent: granted), the errors
// (procedures that failed or ended otherwise) and the most database
// connections the stack held.
func storm(ctx context.Context, cfg Config, n int, limit time.Duration) (Result, error) {
	p, err := wuhan(cfg, "storm")
	if err != nil {
		return nil, err
	}
	s, err := startStack(ctx, cfg, 1, 1)
	if err != nil {
		return nil, err
	}
	defer s.close()
	w, err := s.newWorld(ctx)
	if err != nil {
		return nil, err
	}
	var item models.CatalogItem
	if err := s.db.First(&item, "id = ?", w.item).Error; err != nil {
		return nil, fmt.Errorf("read item %s: %w", w.item, err)
	}
	var reqDept string
	if err := s.db.Model(&models.Department{}).Where("code <> ? AND jurisdiction = ?", w.provDept, w.city).
		Order("created_at DESC").Limit(1).Pluck("code", &reqDept).Error; err != nil {
		return nil, fmt.Errorf("read the requesting department: %w", err)
	}
	fmt.Fprintln(cfg.Out, "stopping the workers: the deadlines fall due while nobody runs them")
	for _, wk := range s.workers {
		wk.stop()
	}
	filed := time.Now().Add(-stormAgo)
	prefix := fmt.Sprintf("st-%d", time.Now().UnixNano())
	if err := startShares(ctx, cfg, s, n, func(i int) workflows.ShareInput {
		id := fmt.Sprintf("%s-%06d", prefix, i)
		return workflows.ShareInput{Profile: p, Item: item, Request: models.ShareRequest{
			Header:        models.Header{ID: id, WorkflowID: id, Jurisdiction: w.city},
			CatalogItemID: item.ID,
			RequesterDept: reqDept,
			ProviderDept:  item.ProviderDept,
			RequestedBy:   "bench-req",
			Purpose:       "基准测试",
			Scenario:      "节后到期",
			DataItems:     []string{"name"},
			FiledAt:       filed,
		}}
	}); err != nil {
		return nil, err
	}
	fmt.Fprintf(cfg.Out, "%d procedures filed %s wait; starting the workers\n", n, filed.Format(time.RFC3339))
	t0 := time.Now()
	for _, wk := range s.workers {
		if err := s.start(wk); err != nil {
			return nil, err
		}
	}
	var peak atomic.Int64
	var granted, failed int64
	err = waitFor(ctx, cfg.Out, "storm", limit, func() (bool, string, error) {
		c, err := s.connections()
		if err != nil {
			return false, "", err
		}
		if c > peak.Load() {
			peak.Store(c)
		}
		if granted, err = countShares(s.db, prefix, "status = ? AND basis = ?", models.StatusGranted, models.BasisDeemedConsent); err != nil {
			return false, "", err
		}
		if failed, err = countShares(s.db, prefix, "status NOT IN ?", []string{models.StatusGranted, models.StatusPending}); err != nil {
			return false, "", err
		}
		line := fmt.Sprintf("%d/%d deemed consent, %d otherwise, %d DB connections (peak %d), load %s", granted, n, failed, c, peak.Load(), loadAvg())
		return granted+failed >= int64(n), line, nil
	})
	took := time.Since(t0)
	if err != nil {
		return nil, err
	}
	res := Result{"procedures": float64(n), "handled": float64(granted), "errors": float64(failed),
		"seconds_to_all_outcomes": took.Seconds(), "outcomes_per_s": float64(n) / took.Seconds(),
		"peak_db_connections": float64(peak.Load())}
	res.print(cfg.Out, "storm")
	return res, nil
}

// countShares counts the share requests whose ID starts with prefix and
// that match where.
func countShares(db *gorm.DB, prefix, where string, args ...any) (int64, error) {
	var n int64
	if err := db.Model(&models.ShareRequest{}).Where("id LIKE ?", prefix+"%").Where(where, args...).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count share requests: %w", err)
	}
	return n, nil
}
