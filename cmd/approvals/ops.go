package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/cityapprovals/approvals/dblog"
	"github.com/cityapprovals/approvals/metrics"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/envconfig"
	"go.temporal.io/sdk/worker"
	"gorm.io/gorm"
)

// Defaults of the worker's concurrency and the database pool, sized together
// (see README.md, "Sizing"): every activity holds at most one connection at a
// time, so a worker's pool is its activity slots plus headroom for the
// archiver, the local activities and the health check.
const (
	defaultMaxActivities    = 20
	defaultMaxWorkflowTasks = 10
	poolHeadroom            = 5
	// jobsSlots are the activity and workflow-task slots of the re-timing
	// jobs' worker, which runs in the worker process beside the procedures'.
	jobsSlots      = 2
	deploymentName = "approvals"
)

// ops are the production settings: the worker's pollers, the database
// pool, the build ID and the metrics address.
type ops struct {
	MaxActivities    int    // APPROVALS_WORKER_MAX_ACTIVITIES
	MaxWorkflowTasks int    // APPROVALS_WORKER_MAX_WORKFLOW_TASKS
	DBMaxConns       int    // APPROVALS_DB_MAX_CONNS
	BuildID          string // APPROVALS_BUILD_ID, else the VCS revision
	MetricsAddr      string // APPROVALS_WORKER_METRICS_ADDR; none when empty
	// PprofAddr (APPROVALS_WORKER_PPROF_ADDR): where the worker serves Go's
	// net/http/pprof profiles; none when empty (profiling only, never public).
	PprofAddr string
	// SlowQuery (APPROVALS_SLOW_QUERY): database queries slower than this
	// are logged; 0 or off logs none.
	SlowQuery time.Duration
	// DevTokens (APPROVALS_DEV_TOKENS=1) lets `approvals api` take HS256
	// development tokens without an OIDC issuer (development and tests).
	DevTokens bool
}

// readOps reads the worker's limits, the pool and the build ID.
func readOps() (ops, error) {
	o := ops{MetricsAddr: os.Getenv("APPROVALS_WORKER_METRICS_ADDR"), PprofAddr: os.Getenv("APPROVALS_WORKER_PPROF_ADDR"), BuildID: env("APPROVALS_BUILD_ID", vcsRevision())}
	var err error
	if o.MaxActivities, err = positive("APPROVALS_WORKER_MAX_ACTIVITIES", defaultMaxActivities, 1000); err != nil {
		return o, err
	}
	if o.MaxWorkflowTasks, err = positive("APPROVALS_WORKER_MAX_WORKFLOW_TASKS", defaultMaxWorkflowTasks, 1000); err != nil {
		return o, err
	}
	if o.DBMaxConns, err = positive("APPROVALS_DB_MAX_CONNS", o.MaxActivities+poolHeadroom, 1000); err != nil {
		return o, err
	}
	switch v := env("APPROVALS_SLOW_QUERY", dblog.DefaultThreshold.String()); v {
	case "0", "off":
	default:
		if o.SlowQuery, err = time.ParseDuration(v); err != nil || o.SlowQuery <= 0 {
			return o, badConfig("APPROVALS_SLOW_QUERY=%q: want a duration such as 200ms, or off", v)
		}
	}
	switch v := os.Getenv("APPROVALS_DEV_TOKENS"); v {
	case "", "0":
	case "1":
		o.DevTokens = true
	default:
		return o, badConfig("APPROVALS_DEV_TOKENS=%q: want 1 (development tokens allowed) or unset", v)
	}
	if need := o.MaxActivities + jobsSlots + 1; o.DBMaxConns < need {
		return o, badConfig("APPROVALS_DB_MAX_CONNS=%d is below APPROVALS_WORKER_MAX_ACTIVITIES+%d (%d, the jobs' worker's %d activities and one to spare included): activities would wait for connections while holding their slots; raise the pool or lower the activities",
			o.DBMaxConns, jobsSlots+1, need, jobsSlots)
	}
	return o, nil
}

func positive(name string, def, max int) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		return 0, badConfig("%s=%q: want a number from 1 to %d", name, v, max)
	}
	return n, nil
}

// vcsRevision is the commit the binary was built from, or "dev".
func vcsRevision() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return s.Value[:12]
			}
		}
	}
	return "dev"
}

// sizePool bounds the database pool: at most DBMaxConns open, a fifth of
// them idle, each recycled after 30 minutes.
func sizePool(db *gorm.DB, o ops) error {
	sqlDB, err := db.DB()
	if err != nil {
		return fmt.Errorf("size the database pool: %w", err)
	}
	sqlDB.SetMaxOpenConns(o.DBMaxConns)
	sqlDB.SetMaxIdleConns(max(2, o.DBMaxConns/5))
	sqlDB.SetConnMaxLifetime(30 * time.Minute)
	return nil
}

// workerOptions applies the limits and labels the worker with its
// deployment version (not opting into versioned routing: the workflows
// evolve behind workflow.GetVersion).
//
// Workflow tasks are polled by the SDK's autoscaling pollers, at most one
// per workflow-task slot. Its fixed pollers (the default) send every poll to
// the worker's sticky queue while the server's last hint says that queue
// has a backlog; when the hint is stale, every poller waits out a long poll
// on an empty sticky queue while the normal queue's backlog waits: `bench
// retime` at 10,000 stalled 55 s with 5,600 workflow tasks queued and the
// worker idle. The autoscaling pollers keep one on the normal queue.
func (o ops) workerOptions() worker.Options {
	return worker.Options{MaxConcurrentActivityExecutionSize: o.MaxActivities,
		MaxConcurrentWorkflowTaskExecutionSize: o.MaxWorkflowTasks,
		WorkflowTaskPollerBehavior:             workflowPollers(o.MaxWorkflowTasks),
		DeploymentOptions: worker.DeploymentOptions{Version: worker.WorkerDeploymentVersion{
			DeploymentName: deploymentName, BuildID: o.BuildID}}}
}

// jobsWorkerOptions are those of the worker of the re-timing jobs: a job
// runs one page activity at a time, so jobsSlots of each suffice; the same
// deployment version label.
func (o ops) jobsWorkerOptions() worker.Options {
	w := o.workerOptions()
	w.MaxConcurrentActivityExecutionSize, w.MaxConcurrentWorkflowTaskExecutionSize = jobsSlots, jobsSlots
	w.WorkflowTaskPollerBehavior = workflowPollers(jobsSlots)
	return w
}

// workflowPollers are autoscaling workflow-task pollers for a worker with
// this many workflow-task slots: at most one poll per slot, and two at least
// (one on the normal queue, one on the sticky one).
func workflowPollers(slots int) worker.PollerBehavior {
	return worker.NewPollerBehaviorAutoscaling(worker.PollerBehaviorAutoscalingOptions{MaximumNumberOfPollers: max(2, slots)})
}

// temporalOptions are the connection's options from the SDK's envconfig
// conventions (TEMPORAL_TLS_*, TEMPORAL_API_KEY, TEMPORAL_GRPC_META_*, and
// a TOML profile when TEMPORAL_CONFIG_FILE is set), with our address and
// namespace.
func temporalOptions(addr, namespace string) (client.Options, error) {
	opts, err := envconfig.LoadClientOptions(envconfig.LoadClientOptionsRequest{DisableFile: os.Getenv("TEMPORAL_CONFIG_FILE") == ""})
	if err != nil {
		return opts, badConfig("the Temporal connection (TEMPORAL_TLS_*, TEMPORAL_API_KEY, TEMPORAL_CONFIG_FILE): %v", err)
	}
	opts.HostPort, opts.Namespace = addr, namespace
	return opts, nil
}

// buildInfo registers approvals_build_info{build_id, deployment} = 1.
func buildInfo(r prometheus.Registerer, o ops) {
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "approvals_build_info", Help: "The running build.",
		ConstLabels: prometheus.Labels{"build_id": o.BuildID, "deployment": deploymentName}})
	g.Set(1)
	r.MustRegister(g)
}

// workerHTTP serves the worker's /metrics and /healthz on addr (nothing
// when addr is empty): healthy while the worker runs and Temporal and the
// database answer.
func workerHTTP(ctx context.Context, addr string, reg *prometheus.Registry, tc client.Client, db *gorm.DB, running *atomic.Bool) error {
	if addr == "" {
		return nil
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics.Handler(reg))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		why := ""
		if !running.Load() {
			why = "the worker is not running"
		} else if _, err := tc.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
			why = "Temporal: " + err.Error()
		} else if sqlDB, err := db.DB(); err != nil {
			why = "database: " + err.Error()
		} else if err := sqlDB.PingContext(ctx); err != nil {
			why = "database: " + err.Error()
		}
		w.Header().Set("Content-Type", "application/json")
		if why != "" {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, "{\"status\":\"unavailable\",\"reason\":%q}\n", why)
			return
		}
		fmt.Fprintln(w, `{"status":"ok"}`)
	})
	ln, err := listen(addr, "APPROVALS_WORKER_METRICS_ADDR")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
	go func() { <-ctx.Done(); hs.Close() }()
	go func() { _ = hs.Serve(ln) }() // ends with ctx
	return nil
}

// pprofHTTP serves Go's profiles (net/http/pprof: /debug/pprof/…) on addr
// until ctx ends; nothing when addr is empty.
func pprofHTTP(ctx context.Context, addr string) error {
	if addr == "" {
		return nil
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := listen(addr, "APPROVALS_WORKER_PPROF_ADDR")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { <-ctx.Done(); hs.Close() }()
	go func() { _ = hs.Serve(ln) }() // ends with ctx
	return nil
}

// archiverWatermark reads the history archiver's watermark by its query.
func archiverWatermark(tc client.Client) func(context.Context) (time.Time, error) {
	return func(ctx context.Context) (time.Time, error) {
		v, err := tc.QueryWorkflow(ctx, workflows.ArchiverID, "", workflows.QueryArchiver)
		if err != nil {
			return time.Time{}, fmt.Errorf("query the archiver: %w", err)
		}
		var st workflows.ArchiverState
		if err := v.Get(&st); err != nil {
			return time.Time{}, fmt.Errorf("read the archiver's state: %w", err)
		}
		return st.Watermark, nil
	}
}
