package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cityapprovals/approvals/models"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"golang.org/x/sync/errgroup"
)

func chaosFlags(fs *flag.FlagSet) func(context.Context, Config) (Result, error) {
	n := fs.Int("n", 1000, "filings")
	conc := fs.Int("conc", 32, "concurrent filings")
	every := fs.Duration("every", 3*time.Second, "mean time between two kills")
	pg := fs.Bool("restart-postgres", false, "also restart PostgreSQL (pg_ctlcluster; needs root; restarts every database of the cluster)")
	return func(ctx context.Context, cfg Config) (Result, error) {
		if *n < 1 || *conc < 1 || *conc > 256 || *every <= 0 {
			return nil, errors.New("--n must be positive, --conc from 1 to 256, --every positive")
		}
		if *pg {
			if _, err := exec.LookPath("pg_ctlcluster"); err != nil || os.Geteuid() != 0 {
				return nil, errors.New("--restart-postgres needs pg_ctlcluster and root")
			}
		}
		return chaos(ctx, cfg, *n, *conc, *every, *pg)
	}
}

// answer is what one filing got.
type answer struct {
	key      string
	accepted bool // a 2xx
}

// chaos files n requests at concurrency conc through two API processes and
// two workers while it SIGKILLs and restarts a worker, an API process and
// the Temporal dev server (and PostgreSQL when asked) at random moments.
// A filing is tried up to three times with its Idempotency-Key, as a client
// would. Afterwards every accepted filing must exist exactly once, in
// Temporal and in the database, and reach granted once approved; a filing
// that got no answer must be absent or complete.
func chaos(ctx context.Context, cfg Config, n, conc int, every time.Duration, pg bool) (Result, error) {
	if cfg.DatabaseURL == "" {
		return nil, errors.New("chaos needs PostgreSQL (DATABASE_URL): two API processes and two workers share it")
	}
	s, err := startStack(ctx, cfg, 2, 2)
	if err != nil {
		return nil, err
	}
	defer s.close()
	w, err := s.newWorld(ctx)
	if err != nil {
		return nil, err
	}
	answers := make([]answer, n)
	var accepted, failed, kills atomic.Int64
	stop := progress(cfg.Out, "chaos", func() string {
		return fmt.Sprintf("%d accepted, %d unanswered attempts, %d kills, load %s", accepted.Load(), failed.Load(), kills.Load(), loadAvg())
	})
	defer stop()
	fctx, endChaos := context.WithCancel(ctx)
	chaosDone := make(chan error, 1)
	// The second half of the filings waits for the first kill, so that
	// every run kills something while filings are in flight, however fast
	// the stack files (since local activities a small run could end before
	// the first kill).
	killed := make(chan struct{})
	go func() { chaosDone <- s.havoc(fctx, cfg, every, pg, &kills, killed) }()

	prefix := fmt.Sprintf("ch-%d", time.Now().UnixNano())
	var g errgroup.Group
	g.SetLimit(conc)
	for i := range n {
		if i == n/2 {
			select {
			case <-killed:
			case <-ctx.Done():
			}
		}
		answers[i].key = fmt.Sprintf("%s-%05d", prefix, i)
		g.Go(func() error {
			for try := range 3 {
				rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				_, err := w.fileKey(rctx, s.apis[(i+try)%2].url(), answers[i].key)
				cancel()
				if err == nil {
					answers[i].accepted = true
					accepted.Add(1)
					return nil
				}
				failed.Add(1)
				time.Sleep(time.Duration(500*(try+1)) * time.Millisecond) // back off as a client would
			}
			return nil
		})
	}
	_ = g.Wait()
	endChaos()
	if err := <-chaosDone; err != nil {
		return nil, err
	}
	stop()
	if err := s.heal(ctx); err != nil {
		return nil, err
	}
	fmt.Fprintln(cfg.Out, "filings done; every process is up again. Checking and deciding ...")
	return s.checkChaos(ctx, cfg, w, answers, kills.Load())
}

// fileKey files with key as Idempotency-Key and as purpose, so that the
// records of one filing can be counted.
func (w world) fileKey(ctx context.Context, base, key string) (filing, error) {
	var f filing
	_, err := w.req.do(ctx, base, "POST", "/api/v1/share-requests", map[string]any{
		"catalog_item_id": w.item, "purpose": key, "scenario": "人才落户审批", "data_items": []string{"name"},
	}, &f, "Idempotency-Key", key)
	return f, err
}

// havoc kills and restarts parts of the stack at random moments until ctx
// ends; it closes killed once the first process is killed.
func (s *stack) havoc(ctx context.Context, cfg Config, every time.Duration, pg bool, kills *atomic.Int64, killed chan struct{}) error {
	targets := []string{"worker", "api"}
	if s.temporal != nil {
		targets = append(targets, "temporal")
	}
	if pg {
		targets = append(targets, "postgres")
	}
	for {
		wait := time.Duration(float64(every) * (0.5 + rand.Float64()))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		t := targets[rand.IntN(len(targets))]
		fmt.Fprintf(cfg.Out, "  chaos: killing %s\n", t)
		kills.Add(1)
		var err error
		switch t {
		case "worker":
			p := s.workers[rand.IntN(len(s.workers))]
			p.kill()
			time.Sleep(time.Second)
			err = s.start(p)
		case "api":
			p := s.apis[rand.IntN(len(s.apis))]
			p.kill()
			time.Sleep(time.Second)
			if err = s.start(p); err == nil {
				err = s.ready(p)
			}
		case "temporal":
			s.temporal.Kill()
			time.Sleep(time.Second)
			err = s.startTemporal(context.Background())
		case "postgres":
			err = restartPostgres()
		}
		if kills.Load() == 1 {
			close(killed)
		}
		if err != nil {
			return fmt.Errorf("chaos: restart %s: %w", t, err)
		}
	}
}

// heal restarts any process that has died.
func (s *stack) heal(ctx context.Context) error {
	for _, p := range append(s.workers, s.apis...) {
		select {
		case <-p.done:
			if err := s.start(p); err != nil {
				return err
			}
		default:
		}
		if p.addr != "" {
			if err := s.ready(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// restartPostgres restarts the first PostgreSQL cluster.
func restartPostgres() error {
	out, err := exec.Command("pg_lsclusters", "-h").Output()
	if err != nil {
		return fmt.Errorf("pg_lsclusters: %w", err)
	}
	f := strings.Fields(string(out))
	if len(f) < 2 {
		return errors.New("pg_lsclusters: no cluster")
	}
	if out, err := exec.Command("pg_ctlcluster", f[0], f[1], "restart").CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctlcluster %s %s restart: %w: %s", f[0], f[1], err, out)
	}
	return nil
}

// checkChaos counts lost, duplicated and inconsistent filings, deciding
// every present one and waiting for its grant.
func (s *stack) checkChaos(ctx context.Context, cfg Config, w world, answers []answer, kills int64) (Result, error) {
	// Every workflow of the provider has its record: none half-made.
	// Workflows started by unanswered filings finish recording after the
	// restarts: wait (a minute, then two more for those recovering from a
	// lost activity attempt) until every workflow has its record.
	var records, visible int64
	settled := func() (bool, string, error) {
		if err := s.db.Model(&models.ShareRequest{}).Where("catalog_item_id = ?", w.item).Count(&records).Error; err != nil {
			return false, "", fmt.Errorf("count records: %w", err)
		}
		c, err := s.tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{
			Query: fmt.Sprintf("WorkflowType = 'ShareRequest' AND ProviderDept = '%s'", w.provDept)})
		if err != nil {
			return false, "", fmt.Errorf("count workflows: %w", err)
		}
		visible = c.GetCount()
		return visible == records, fmt.Sprintf("%d workflows, %d records", visible, records), nil
	}
	if err := waitFor(ctx, cfg.Out, "chaos: settle", time.Minute, settled); err != nil {
		fmt.Fprintln(cfg.Out, "  ", err)
		// A workflow whose recording activity lost an attempt to the last
		// kills waits for that attempt's start-to-close timeout (30 s) and
		// then its retry backoff (up to a minute): say what each waits for,
		// and give them that long before counting them half-made.
		if err := s.listHalfMade(ctx, cfg, w); err != nil {
			return nil, err
		}
		late := visible - records
		if err := waitFor(ctx, cfg.Out, "chaos: settle late", 2*time.Minute, settled); err != nil {
			fmt.Fprintln(cfg.Out, "  ", err)
		}
		fmt.Fprintf(cfg.Out, "  %d of the %d workflows without a record after a minute had one within 2 more\n", late-(visible-records), late)
	}
	var lost, dup, inconsistent, acc, absent int64
	if visible > records {
		inconsistent += visible - records
		if err := s.listHalfMade(ctx, cfg, w); err != nil {
			return nil, err
		}
	}
	var pending []models.ShareRequest
	for _, a := range answers {
		var recs []models.ShareRequest
		if err := s.db.Where("purpose = ?", a.key).Find(&recs).Error; err != nil {
			return nil, fmt.Errorf("read records of %s: %w", a.key, err)
		}
		if a.accepted {
			acc++
		}
		switch {
		case len(recs) > 1:
			dup++
			continue
		case len(recs) == 0 && a.accepted:
			lost++
			continue
		case len(recs) == 0:
			absent++
			continue
		}
		r := recs[0]
		if _, err := s.tc.DescribeWorkflow(ctx, r.WorkflowID, ""); err != nil {
			var nf *serviceerror.NotFound
			if !errors.As(err, &nf) {
				return nil, fmt.Errorf("describe %s: %w", r.WorkflowID, err)
			}
			if a.accepted {
				lost++
			} else {
				inconsistent++ // a record without its workflow: half-made
			}
			continue
		}
		pending = append(pending, r)
	}
	// Decide each present filing and wait for its grant.
	var granted atomic.Int64
	var bad atomic.Int64
	stop := progress(cfg.Out, "chaos: decide", func() string { return fmt.Sprintf("%d/%d granted", granted.Load(), len(pending)) })
	var g errgroup.Group
	g.SetLimit(16)
	for _, r := range pending {
		g.Go(func() error {
			if err := s.decideAndWait(ctx, w, r.ID); err != nil {
				bad.Add(1)
				fmt.Fprintf(cfg.Out, "  inconsistent %s: %v\n", r.ID, err)
				return nil
			}
			granted.Add(1)
			return nil
		})
	}
	_ = g.Wait()
	stop()
	inconsistent += bad.Load()
	res := Result{"filings": float64(len(answers)), "accepted": float64(acc), "unanswered_absent": float64(absent),
		"lost": float64(lost), "duplicated": float64(dup), "inconsistent": float64(inconsistent),
		"granted_after_decision": float64(granted.Load()), "kills": float64(kills)}
	res.print(cfg.Out, "chaos")
	fmt.Fprintf(cfg.Out, "accepted %d, lost %d, duplicated %d, inconsistent %d\n", acc, lost, dup, inconsistent)
	return res, nil
}

// decideAndWait approves a request's open task (retrying while the stack
// recovers) and waits until the record is granted and its workflow closed.
func (s *stack) decideAndWait(ctx context.Context, w world, id string) error {
	end := time.Now().Add(3 * time.Minute)
	var last error
	for time.Now().Before(end) {
		var r models.ShareRequest
		if err := s.db.First(&r, "id = ?", id).Error; err != nil {
			return err
		}
		if r.Status == models.StatusGranted {
			d, err := s.tc.DescribeWorkflow(ctx, r.WorkflowID, "")
			if err == nil && d.RawResponse.GetWorkflowExecutionInfo().GetCloseTime() != nil {
				return nil
			}
		} else if r.Status != models.StatusPending {
			return fmt.Errorf("status %s, want granted", r.Status)
		} else {
			var t models.Task
			err := s.db.Where("procedure_id = ? AND status = ?", id, models.TaskOpen).First(&t).Error
			if err == nil {
				last = w.decide(ctx, s.apis[rand.IntN(len(s.apis))].url(), t.ID)
			} else {
				last = fmt.Errorf("no open task: %w", err)
			}
		}
		time.Sleep(300 * time.Millisecond)
	}
	return fmt.Errorf("not granted after 3 minutes (last: %v)", last)
}

// listHalfMade prints the provider's workflows that have no record, with
// their status, for diagnosis (BENCH_KEEP=1 keeps the logs).
func (s *stack) listHalfMade(ctx context.Context, cfg Config, w world) error {
	var token []byte
	for {
		page, err := s.tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{NextPageToken: token,
			Query: fmt.Sprintf("WorkflowType = 'ShareRequest' AND ProviderDept = '%s'", w.provDept)})
		if err != nil {
			return fmt.Errorf("list workflows: %w", err)
		}
		for _, e := range page.GetExecutions() {
			id := e.GetExecution().GetWorkflowId()
			var n int64
			if err := s.db.Model(&models.ShareRequest{}).Where("workflow_id = ?", id).Count(&n).Error; err != nil {
				return fmt.Errorf("count records of %s: %w", id, err)
			}
			if n == 0 {
				fmt.Fprintf(cfg.Out, "  half-made: workflow %s (%s) has no record%s\n", id, e.GetStatus(), s.pendingWork(ctx, id))
			}
		}
		if token = page.GetNextPageToken(); len(token) == 0 {
			return nil
		}
	}
}

// pendingWork describes what a workflow still waits for (its pending
// activities with their attempts and last failures, a pending workflow
// task), to tell a procedure still recovering from one that cannot.
func (s *stack) pendingWork(ctx context.Context, id string) string {
	desc, err := s.tc.DescribeWorkflow(ctx, id, "")
	if err != nil {
		return fmt.Sprintf("; describe: %v", err)
	}
	d := desc.RawResponse
	var b strings.Builder
	for _, a := range d.GetPendingActivities() {
		fmt.Fprintf(&b, "; activity %s %s attempt %d", a.GetActivityType().GetName(), a.GetState(), a.GetAttempt())
		if t := a.GetLastStartedTime(); t != nil {
			fmt.Fprintf(&b, " started %s ago", time.Since(t.AsTime()).Round(time.Second))
		}
		if t := a.GetNextAttemptScheduleTime(); t != nil {
			fmt.Fprintf(&b, " next attempt in %s", time.Until(t.AsTime()).Round(time.Second))
		}
		if f := a.GetLastFailure(); f != nil {
			fmt.Fprintf(&b, " last failure %q", f.GetMessage())
		}
	}
	if wt := d.GetPendingWorkflowTask(); wt != nil {
		fmt.Fprintf(&b, "; workflow task %s attempt %d", wt.GetState(), wt.GetAttempt())
	}
	return b.String()
}
