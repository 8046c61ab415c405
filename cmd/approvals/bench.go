package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/cityapprovals/approvals/activities"
	"github.com/cityapprovals/approvals/codec"
	"github.com/cityapprovals/approvals/devserver"
	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/rs/zerolog"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"golang.org/x/sync/errgroup"
	"gorm.io/gorm"
)

// benchFiled is when the benchmark's procedures are filed: 10 working days
// from Sunday 2026-12-20 end on Friday 2027-01-01, a provisional deadline
// (2027 unpublished); with 元旦 2027-01-01..03 published they end on Monday
// 2027-01-04.
var benchFiled = time.Date(2026, 12, 20, 10, 0, 0, 0, holidays.Shanghai)

const benchDueAfter = "2027-01-04"

// bench2027 is a schedule assumed for 2027 by the benchmark (and the tests):
// not the State Council's, which is not published yet.
var bench2027 = holidays.Schedule{Year: 2027, Source: "benchmark: assumed 2027 schedule (not official)",
	Holidays: []holidays.Holiday{{Name: "元旦", From: "2027-01-01", To: "2027-01-03"}}, MakeupWorkdays: []string{}}

// runBench runs `approvals bench retime`: it starts its own Temporal dev
// server, a worker and a SQLite database, files N share requests whose
// deadline is provisional, publishes 2027, and measures how long it takes
// until every one of them is re-timed.
func runBench(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "retime" {
		return errors.New("usage: approvals bench retime [--n 1000] [--rate 200] [--page 200]")
	}
	fs := flag.NewFlagSet("bench retime", flag.ContinueOnError)
	n := fs.Int("n", 1000, "procedures to start")
	perSecond := fs.Float64("rate", workflows.DefaultRetimePerSecond, "signals per second")
	pageSize := fs.Int("page", workflows.DefaultRetimePageSize, "procedures listed per page")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *n < 1 || *perSecond < 1 || *pageSize < 1 || *pageSize > 1000 {
		return errors.New("--n must be positive, --rate at least 1, --page from 1 to 1000")
	}
	cfg, err := loadConfig(false)
	if err != nil {
		return err
	}
	p, ok := cfg.Regulations.Get("wuhan")
	if !ok {
		return errors.New("no wuhan profile")
	}
	log := newLogger(zerolog.WarnLevel, true)
	dir, err := os.MkdirTemp("", "approvals-bench-")
	if err != nil {
		return fmt.Errorf("temp dir: %w", err)
	}
	defer func() { _ = os.RemoveAll(dir) }() // best effort: a temporary directory

	ts, err := devserver.Start(ctx, devserver.Options{LogFile: filepath.Join(dir, "temporal.log"), SearchAttributes: workflows.SearchAttributes, Namespace: cfg.Namespace})
	if err != nil {
		return fmt.Errorf("start Temporal dev server: %w", err)
	}
	defer ts.Stop()
	db, err := openDB("", filepath.Join(dir, "approvals.db"))
	if err != nil {
		return err
	}
	cd := cfg.Codec
	if cd == nil { // encrypt as production does
		if cd, err = codec.Parse(codec.NewKey(), ""); err != nil {
			return err
		}
	}
	tc, err := dialTemporal(ctx, ts.Address, cfg.Namespace, cd, log)
	if err != nil {
		return err
	}
	defer tc.Close()
	w := worker.New(tc, workflows.TaskQueue, workflows.Options(worker.Options{MaxConcurrentActivityExecutionSize: 32}))
	workflows.Register(w, &activities.Activities{DB: db, Calendars: models.NewCalendarStore(db), Calendar: holidays.Default, Temporal: tc})
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	defer w.Stop()

	fmt.Printf("starting %d procedures filed %s (provisional deadline) ...\n", *n, benchFiled.Format(time.RFC3339))
	t0 := time.Now()
	var g errgroup.Group
	g.SetLimit(32)
	for i := range *n {
		g.Go(func() error {
			id := fmt.Sprintf("bench-%06d", i)
			in := workflows.ShareInput{
				Request: models.ShareRequest{ID: id, WorkflowID: id, Jurisdiction: "wuhan", CatalogItemID: "BENCH-ITEM",
					RequesterDept: "BENCH-REQ", ProviderDept: "BENCH-PRV", RequestedBy: "bench", Purpose: "bench",
					Scenario: "bench", DataItems: []string{"x"}, FiledAt: benchFiled},
				Item: models.CatalogItem{ID: "BENCH-ITEM", Jurisdiction: "wuhan", ProviderDept: "BENCH-PRV", Title: "bench",
					ShareType: models.ShareConditional, OpenType: models.OpenNotOpen, DataItems: []string{"x"}},
				Profile: p,
			}
			_, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: workflows.TaskQueue}, workflows.ShareRequest, in)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("start procedures: %w", err)
	}
	query := activities.RetimeQuery(2027)
	if err := waitFor(ctx, 10*time.Minute, func() (bool, error) {
		provisional, err := countTasks(db, "provisional = ?", true)
		if err != nil {
			return false, err
		}
		visible, err := tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: query})
		if err != nil {
			return false, fmt.Errorf("count procedures: %w", err)
		}
		return provisional == int64(*n) && visible.GetCount() == int64(*n), nil
	}); err != nil {
		return fmt.Errorf("waiting for %d provisional tasks: %w", *n, err)
	}
	fmt.Printf("%d procedures waiting on a provisional deadline (%.1fs to start)\n", *n, time.Since(t0).Seconds())

	t1 := time.Now()
	pub, err := models.PublishCalendarYear(db, bench2027, "bench", t1)
	if err != nil {
		return err
	}
	id, err := workflows.StartRetime(ctx, tc, pub.Year.Revision, workflows.RetimeJob{
		Year: 2027, CalendarVersion: pub.Calendar.Version(), PageSize: *pageSize, PerSecond: *perSecond})
	if err != nil {
		return err
	}
	if err := waitFor(ctx, 30*time.Minute, func() (bool, error) {
		done, err := countTasks(db, "provisional = ? AND due_date = ?", false, benchDueAfter)
		return done == int64(*n), err
	}); err != nil {
		return fmt.Errorf("waiting for the re-timing: %w", err)
	}
	took := time.Since(t1)
	prog, err := workflows.RetimeStatus(ctx, tc, id)
	if err != nil {
		return err
	}
	fmt.Printf("re-timing %s: %d procedures told in %.2fs (%d pages, %.0f signals/s, limit %.0f/s)\n",
		id, prog.Signalled, prog.Seconds, prog.Pages, prog.PerSecond, *perSecond)
	fmt.Printf("all %d procedures re-timed (due %s, provisional cleared) in %.2fs: %.0f procedures/s\n",
		*n, benchDueAfter, took.Seconds(), float64(*n)/took.Seconds())
	return nil
}

func countTasks(db *gorm.DB, where string, args ...any) (int64, error) {
	var n int64
	if err := db.Model(&models.Task{}).Where(where, args...).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count tasks: %w", err)
	}
	return n, nil
}

// waitFor polls cond every 200ms until it holds or limit passes.
func waitFor(ctx context.Context, limit time.Duration, cond func() (bool, error)) error {
	end := time.Now().Add(limit)
	for {
		ok, err := cond()
		if err != nil || ok {
			return err
		}
		if time.Now().After(end) {
			return fmt.Errorf("not done after %s", limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
