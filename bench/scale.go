package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"golang.org/x/sync/errgroup"
)

func scaleFlags(fs *flag.FlagSet) func(context.Context, Config) (Result, error) {
	n := fs.Int("n", 10000, "open procedures (100000 when asked)")
	samples := fs.Int("samples", 200, "inbox and list requests measured")
	conc := fs.Int("conc", 0, "concurrent filings (default 16 through the API, 64 on Temporal)")
	seed := fs.String("seed", "temporal", "how the procedures are filed: temporal (started on Temporal by the harness, as the API starts them) or api (POST /share-requests)")
	limit := fs.Duration("limit", 3*time.Hour, "give up seeding after this long")
	return func(ctx context.Context, cfg Config) (Result, error) {
		if *conc == 0 {
			*conc = map[string]int{"api": 16, "temporal": 64}[*seed]
		}
		if *n < 1 || *samples < 1 || *conc < 1 || *conc > 256 || *limit <= 0 {
			return nil, errors.New("--n, --samples and --limit must be positive, --conc from 1 to 256")
		}
		if *seed != "api" && *seed != "temporal" {
			return nil, errors.New("--seed must be api or temporal")
		}
		return scale(ctx, cfg, scaleRun{n: *n, samples: *samples, conc: *conc, seed: *seed, limit: *limit})
	}
}

// scaleRun is one scale run's flags.
type scaleRun struct {
	n, samples, conc int
	seed             string
	limit            time.Duration
}

// scale files n requests to one provider and leaves them open, then reads
// the worker's and the API's resident memory (/proc), times the provider's
// inbox (the first page, and every page of a walk through the whole inbox
// by its page tokens) and the auditor's procedure list, and sizes the
// database.
func scale(ctx context.Context, cfg Config, r scaleRun) (Result, error) {
	n := r.n
	s, err := startStack(ctx, cfg, 1, 1)
	if err != nil {
		return nil, err
	}
	defer s.close()
	w, err := s.newWorld(ctx)
	if err != nil {
		return nil, err
	}
	rss0, err := s.workers[0].rss()
	if err != nil {
		return nil, err
	}
	var peak atomic.Int64
	t0 := time.Now()
	if r.seed == "api" {
		stop := s.sampleRSS(&peak)
		_, err = fileMany(ctx, cfg, s, w, n, r.conc)
		stop()
	} else {
		err = seedScale(ctx, cfg, s, w, r, &peak)
	}
	if err != nil {
		return nil, err
	}
	res := Result{"open_procedures": float64(n), "seed_seconds": time.Since(t0).Seconds(),
		"seed_per_s": float64(n) / time.Since(t0).Seconds()}
	if c := os.Getenv("APPROVALS_WORKER_WORKFLOW_CACHE"); c != "" {
		var v float64
		if _, err := fmt.Sscan(c, &v); err == nil {
			res["worker_workflow_cache"] = v
		}
	}
	wr, err := s.workers[0].rss()
	if err != nil {
		return nil, err
	}
	ar, err := s.apis[0].rss()
	if err != nil {
		return nil, err
	}
	res["worker_rss_idle_mib"] = float64(rss0) / (1 << 20)
	res["worker_rss_mib"], res["api_rss_mib"] = float64(wr)/(1<<20), float64(ar)/(1<<20)
	res["worker_rss_peak_mib"] = float64(max(peak.Load(), wr)) / (1 << 20)
	res["worker_rss_kib_per_open_procedure"] = float64(wr-rss0) / 1024 / float64(n)
	if !s.postgres() {
		res["note_sqlite_one_process"] = 1 // worker and API are one dev process
	}
	auditor, err := s.caller("bench-auditor", "auditor", "", "")
	if err != nil {
		return nil, err
	}
	for _, q := range []struct {
		name, path string
		as         caller
	}{
		{"inbox", "/api/v1/tasks?status=open&page_size=50", w.prov},
		{"list", "/api/v1/procedures?page_size=50", auditor},
	} {
		var l lat
		var done atomic.Int64
		stop := progress(cfg.Out, q.name, func() string { return fmt.Sprintf("%d/%d requests", done.Load(), r.samples) })
		for range r.samples {
			t := time.Now()
			var page struct {
				Items []map[string]any `json:"items"`
			}
			if _, err := q.as.do(ctx, s.base(), "GET", q.path, nil, &page); err != nil {
				stop()
				return nil, err
			}
			if len(page.Items) == 0 {
				stop()
				return nil, fmt.Errorf("%s: an empty page with %d procedures open", q.path, n)
			}
			l.add(time.Since(t))
			done.Add(1)
		}
		stop()
		l.put(res, q.name)
	}
	var pages lat
	if err := walkInbox(ctx, cfg, s, w, n, &pages); err != nil {
		return nil, err
	}
	pages.put(res, "inbox_walk")
	size, err := s.dbSize()
	if err != nil {
		return nil, err
	}
	res["db_mib"] = float64(size) / (1 << 20)
	res.print(cfg.Out, "scale")
	return res, nil
}

// walkInbox reads the provider's whole inbox, 50 tasks a page, by its page
// tokens, timing every page (the last pages as deep as the inbox), and
// checks that it listed each of the n open tasks once.
func walkInbox(ctx context.Context, cfg Config, s *stack, w world, n int, l *lat) error {
	seen := make(map[string]bool, n)
	var pages atomic.Int64
	stop := progress(cfg.Out, "inbox walk", func() string { return fmt.Sprintf("%d pages", pages.Load()) })
	defer stop()
	token := ""
	for {
		var page struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
			Next string `json:"next_page_token"`
		}
		path := "/api/v1/tasks?status=open&page_size=50"
		if token != "" {
			path += "&page_token=" + token
		}
		t := time.Now()
		if _, err := w.prov.do(ctx, s.base(), "GET", path, nil, &page); err != nil {
			return err
		}
		l.add(time.Since(t))
		pages.Add(1)
		for _, it := range page.Items {
			if seen[it.ID] {
				return fmt.Errorf("inbox walk: task %s listed twice", it.ID)
			}
			seen[it.ID] = true
		}
		if token = page.Next; token == "" {
			break
		}
	}
	if len(seen) != n {
		return fmt.Errorf("inbox walk: %d tasks listed, %d open", len(seen), n)
	}
	return nil
}

// sampleRSS records the worker's largest resident memory into peak every
// second until stopped.
func (s *stack) sampleRSS(peak *atomic.Int64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			if v, err := s.workers[0].rss(); err == nil && v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}

// seedScale starts n share requests of the world on Temporal itself, r.conc
// at a time, each as the API starts one (the same input, filed now, and the
// same search attributes; without the filed Update, which only reports the
// record to the API's caller), with the worker running: each becomes a real
// open procedure, its record and its task written by its own activities.
// It keeps at most 2 × r.conc procedures started and not yet open, and
// returns once the provider's inbox holds n open tasks, printing the
// procedures started, the tasks open, the rate, the worker's memory and the
// load each second.
func seedScale(ctx context.Context, cfg Config, s *stack, w world, r scaleRun, peak *atomic.Int64) error {
	p, err := wuhan(cfg, "scale")
	if err != nil {
		return err
	}
	var item models.CatalogItem
	if err := s.db.First(&item, "id = ?", w.item).Error; err != nil {
		return fmt.Errorf("read item %s: %w", w.item, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	prefix := fmt.Sprintf("sc-%d", time.Now().UnixNano())
	// At most window procedures are started and not yet open: started
	// all at once, their starts took the dev server's every write and the
	// worker's tasks waited behind them (0.6 opened/s at 64 starts in
	// flight, load 15).
	window := int64(2 * r.conc)
	var started, open atomic.Int64
	counted := make(chan struct{}, 1) // a new count of the open tasks
	t0 := time.Now()
	var g errgroup.Group
	g.SetLimit(r.conc)
	startErr := make(chan error, 1)
	go func() {
		for i := range r.n {
			for ctx.Err() == nil && int64(i)-open.Load() >= window {
				select {
				case <-counted:
				case <-ctx.Done():
				}
			}
			if ctx.Err() != nil {
				break
			}
			g.Go(func() error {
				id := fmt.Sprintf("%s-%06d", prefix, i)
				in := workflows.ShareInput{Profile: p, Item: item, Request: models.ShareRequest{
					Header:        models.Header{ID: id, WorkflowID: id, Jurisdiction: w.city},
					CatalogItemID: item.ID, RequesterDept: w.reqDept, ProviderDept: item.ProviderDept,
					RequestedBy: "bench-req", Purpose: "基准测试", Scenario: "人才落户审批",
					DataItems: []string{"name"}, FiledAt: time.Now().UTC(),
				}}
				attrs := temporal.NewSearchAttributes(
					workflows.AttrJurisdiction.ValueSet(w.city), workflows.AttrProcedure.ValueSet(models.ProcedureShareRequest),
					workflows.AttrStatus.ValueSet(models.StatusPending), workflows.AttrProviderDept.ValueSet(item.ProviderDept),
					workflows.AttrRequesterDept.ValueSet(w.reqDept))
				_, err := s.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: workflows.TaskQueue,
					TypedSearchAttributes: attrs}, workflows.ShareRequest, in)
				if err != nil {
					return fmt.Errorf("start %s: %w", id, err)
				}
				started.Add(1)
				return nil
			})
		}
		startErr <- g.Wait()
	}()
	var startsDone error
	finished := false
	err = waitFor(ctx, cfg.Out, "seed", r.limit, func() (bool, string, error) {
		if !finished {
			select {
			case startsDone = <-startErr:
				finished = true
				if startsDone != nil {
					return false, "", startsDone
				}
			default:
			}
		}
		n, err := countTasks(s.db, "assignee_dept = ? AND status = ?", w.provDept, models.TaskOpen)
		if err != nil {
			return false, "", err
		}
		open.Store(n)
		select {
		case counted <- struct{}{}:
		default:
		}
		rss, err := s.workers[0].rss()
		if err != nil {
			return false, "", err
		}
		if rss > peak.Load() {
			peak.Store(rss)
		}
		el := time.Since(t0).Seconds()
		line := fmt.Sprintf("%d/%d started, %d open in the inbox (%.1f/s), worker RSS %.1f MiB, load %s",
			started.Load(), r.n, n, float64(n)/el, float64(rss)/(1<<20), loadAvg())
		return finished && n >= int64(r.n), line, nil
	})
	if err != nil {
		if !finished {
			cancel()
			<-startErr // the starts stop with ctx; none is left behind
		}
		return fmt.Errorf("seed %d procedures: %w", r.n, err)
	}
	return nil
}
