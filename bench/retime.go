package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/cityapprovals/approvals/activities"
	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"golang.org/x/sync/errgroup"
	"gorm.io/gorm"
)

// retimeFiled is when the retime scenario's procedures are filed: 10
// working days from Sunday 2026-12-20 end on Friday 2027-01-01, a
// provisional deadline (2027 unpublished); with 元旦 2027-01-01..03
// published they end on Monday 2027-01-04.
var retimeFiled = time.Date(2026, 12, 20, 10, 0, 0, 0, holidays.Shanghai)

const retimeDueAfter = "2027-01-04"

// bench2027 is a schedule assumed for 2027 by the benchmark: not the State
// Council's, which is not published yet.
var bench2027 = holidays.Schedule{Year: 2027, Source: "benchmark: assumed 2027 schedule (not official)",
	Holidays: []holidays.Holiday{{Name: "元旦", From: "2027-01-01", To: "2027-01-03"}}, MakeupWorkdays: []string{}}

func retimeFlags(fs *flag.FlagSet) func(context.Context, Config) (Result, error) {
	n := fs.Int("n", 1000, "procedures to start")
	perSecond := fs.Float64("rate", workflows.DefaultRetimePerSecond, "signals per second")
	pageSize := fs.Int("page", workflows.DefaultRetimePageSize, "procedures listed per page")
	return func(ctx context.Context, cfg Config) (Result, error) {
		if *n < 1 || *perSecond < 1 || *pageSize < 1 || *pageSize > 1000 {
			return nil, errors.New("--n must be positive, --rate at least 1, --page from 1 to 1000")
		}
		return retime(ctx, cfg, *n, *perSecond, *pageSize)
	}
}

// retime starts n share requests whose deadline is provisional (the harness
// starts them on Temporal itself, filed on a date of its choosing),
// publishes 2027, and measures how long it takes until every one of them is
// re-timed.
func retime(ctx context.Context, cfg Config, n int, perSecond float64, pageSize int) (Result, error) {
	p, err := wuhan(cfg, "retime")
	if err != nil {
		return nil, err
	}
	s, err := startStack(ctx, cfg, 1, 1)
	if err != nil {
		return nil, err
	}
	defer s.close()
	fmt.Fprintf(cfg.Out, "starting %d procedures filed %s (provisional deadline) ...\n", n, retimeFiled.Format(time.RFC3339))
	t0 := time.Now()
	prefix := fmt.Sprintf("rt-%d", time.Now().UnixNano())
	if err := startShares(ctx, cfg, s, n, func(i int) workflows.ShareInput {
		id := fmt.Sprintf("%s-%06d", prefix, i)
		return workflows.ShareInput{
			Request: models.ShareRequest{
				Header:        models.Header{ID: id, WorkflowID: id, Jurisdiction: "wuhan"},
				CatalogItemID: "BENCH-ITEM",
				RequesterDept: "BENCH-REQ",
				ProviderDept:  "BENCH-PRV",
				RequestedBy:   "bench",
				Purpose:       "bench",
				Scenario:      "bench",
				DataItems:     []string{"x"},
				FiledAt:       retimeFiled,
			},
			Item: models.CatalogItem{ID: "BENCH-ITEM", Jurisdiction: "wuhan", ProviderDept: "BENCH-PRV", Title: "bench",
				ShareType: models.ShareConditional, OpenType: models.OpenNotOpen, DataItems: []string{"x"}},
			Profile: p,
		}
	}); err != nil {
		return nil, err
	}
	query := activities.RetimeQuery(2027)
	if err := waitFor(ctx, cfg.Out, "retime: provisional", 10*time.Minute, func() (bool, string, error) {
		provisional, err := countTasks(s.db, "provisional = ?", true)
		if err != nil {
			return false, "", err
		}
		visible, err := s.tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: query})
		if err != nil {
			return false, "", fmt.Errorf("count procedures: %w", err)
		}
		line := fmt.Sprintf("%d/%d provisional tasks, %d visible", provisional, n, visible.GetCount())
		return provisional == int64(n) && visible.GetCount() == int64(n), line, nil
	}); err != nil {
		return nil, err
	}
	fmt.Fprintf(cfg.Out, "%d procedures waiting on a provisional deadline (%.1fs to start)\n", n, time.Since(t0).Seconds())

	t1 := time.Now()
	pub, err := models.PublishCalendarYear(s.db, bench2027, "bench", t1)
	if err != nil {
		return nil, fmt.Errorf("publish 2027: %w", err)
	}
	id, err := workflows.StartRetime(ctx, s.tc, pub.Year.Revision, workflows.RetimeJob{
		Year: 2027, CalendarVersion: pub.Calendar.Version(), PageSize: pageSize, PerSecond: perSecond})
	if err != nil {
		return nil, fmt.Errorf("start the re-timing: %w", err)
	}
	if err := waitFor(ctx, cfg.Out, "retime", 30*time.Minute, func() (bool, string, error) {
		done, err := countTasks(s.db, "provisional = ? AND due_date = ?", false, retimeDueAfter)
		return done == int64(n), fmt.Sprintf("%d/%d re-timed", done, n), err
	}); err != nil {
		return nil, err
	}
	took := time.Since(t1)
	prog, err := workflows.RetimeStatus(ctx, s.tc, id)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(cfg.Out, "re-timing %s: %d procedures told in %.2fs (%d pages, %.0f signals/s, limit %.0f/s)\n",
		id, prog.Signalled, prog.Seconds, prog.Pages, prog.PerSecond, perSecond)
	res := Result{"procedures": float64(n), "retimed": float64(n), "seconds": took.Seconds(),
		"procedures_per_s": float64(n) / took.Seconds(), "signalled": float64(prog.Signalled)}
	res.print(cfg.Out, "retime")
	return res, nil
}

// startShares starts n share-request workflows directly on Temporal, 32 at
// a time, printing progress. Only the harness starts procedures so (the API
// always files at its own clock).
func startShares(ctx context.Context, cfg Config, s *stack, n int, in func(i int) workflows.ShareInput) error {
	var started atomic.Int64
	var g errgroup.Group
	g.SetLimit(32)
	stop := progress(cfg.Out, "start", func() string { return fmt.Sprintf("%d/%d started", started.Load(), n) })
	defer stop()
	for i := range n {
		g.Go(func() error {
			x := in(i)
			_, err := s.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: x.Request.WorkflowID, TaskQueue: workflows.TaskQueue}, workflows.ShareRequest, x)
			started.Add(1)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("start procedures: %w", err)
	}
	return nil
}

func countTasks(db *gorm.DB, where string, args ...any) (int64, error) {
	var n int64
	if err := db.Model(&models.Task{}).Where(where, args...).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count tasks: %w", err)
	}
	return n, nil
}
