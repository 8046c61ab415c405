package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/cityapprovals/approvals/activities"
	"github.com/cityapprovals/approvals/api"
	"github.com/cityapprovals/approvals/archive"
	"github.com/cityapprovals/approvals/codec"
	"github.com/cityapprovals/approvals/dblog"
	"github.com/cityapprovals/approvals/devserver"
	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/metrics"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/schema"
	"github.com/cityapprovals/approvals/tracing"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"gorm.io/gorm"
)

// newLogger logs JSON, or a console format for people in development.
func newLogger(level zerolog.Level, console bool) zerolog.Logger {
	zerolog.TimeFieldFormat = time.RFC3339Nano
	if console {
		return zerolog.New(zerolog.ConsoleWriter{Out: os.Stderr, TimeFormat: "15:04:05"}).Level(level).With().Timestamp().Logger()
	}
	return zerolog.New(os.Stderr).Level(level).With().Timestamp().Logger()
}

// tlog adapts zerolog to the Temporal SDK's logger.
type tlog struct{ l zerolog.Logger }

func (t tlog) log(e *zerolog.Event, msg string, kv []any) {
	for i := 0; i+1 < len(kv); i += 2 {
		e = e.Interface(fmt.Sprint(kv[i]), kv[i+1])
	}
	e.Msg(msg)
}
func (t tlog) Debug(msg string, kv ...any) { t.log(t.l.Debug(), msg, kv) }
func (t tlog) Info(msg string, kv ...any)  { t.log(t.l.Info(), msg, kv) }
func (t tlog) Warn(msg string, kv ...any)  { t.log(t.l.Warn(), msg, kv) }
func (t tlog) Error(msg string, kv ...any) { t.log(t.l.Error(), msg, kv) }

// openDB opens the database, logs its slow queries (APPROVALS_SLOW_QUERY)
// and, with migrate, applies the pending migrations (approvals dev);
// otherwise it refuses a schema that is behind, naming `approvals migrate up`.
func openDB(ctx context.Context, cfg config, sqlitePath string, migrate bool, log zerolog.Logger) (*gorm.DB, error) {
	db, err := models.Open(cfg.DatabaseURL, sqlitePath)
	if err != nil {
		return nil, err
	}
	db.Logger = dblog.New(log, cfg.Ops.SlowQuery)
	if migrate {
		applied, err := schema.Up(ctx, db)
		if err != nil {
			return nil, err
		}
		if len(applied) > 0 {
			log.Info().Ints64("versions", applied).Msg("database migrated")
		}
		return db, nil
	}
	if err := schema.Check(ctx, db); err != nil {
		return nil, err
	}
	return db, nil
}

// dialTemporal connects to Temporal, retrying for a minute while it starts.
// Payloads go through the codec (encrypted) when there is one.
// The connection's TLS, client certificate and API key follow the SDK's
// envconfig conventions (temporalOptions); with may set more options (the
// metrics handler).
func dialTemporal(ctx context.Context, addr, namespace string, cd *codec.Codec, log zerolog.Logger, with ...func(*client.Options)) (client.Client, error) {
	opts, err := temporalOptions(addr, namespace)
	if err != nil {
		return nil, err
	}
	opts.Logger, opts.DataConverter, opts.FailureConverter = tlog{log}, codec.DataConverter(cd), codec.FailureConverter(cd)
	for _, f := range with {
		f(&opts)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		c, err := client.DialContext(ctx, opts)
		if err == nil {
			return c, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, fmt.Errorf("connect to Temporal at %s (TEMPORAL_ADDRESS): %w", addr, err)
		}
		log.Warn().Err(err).Str("address", addr).Msg("Temporal not reachable yet; retrying")
		select {
		case <-ctx.Done():
		case <-time.After(2 * time.Second):
		}
	}
}

// newWorker creates or checks our namespace and its retention, registers our
// search attributes (waiting, and saying so, until the frontend knows them),
// builds the worker and starts the history archiver (unless it runs already).
func newWorker(ctx context.Context, tc client.Client, cfg config, db *gorm.DB, log zerolog.Logger) (*workers, error) {
	if err := devserver.EnsureNamespace(ctx, tc, cfg.Namespace, cfg.Retention); err != nil {
		return nil, err
	}
	waiting := func(waited time.Duration, err error) {
		log.Warn().Err(err).Dur("waited", waited).Str("namespace", cfg.Namespace).
			Msg("search attributes registered but the Temporal frontend does not know them yet (it refreshes its namespace cache); waiting")
	}
	if err := devserver.RegisterSearchAttributesNotify(ctx, tc, cfg.Namespace, workflows.SearchAttributes, waiting); err != nil {
		return nil, err
	}
	if _, err := sizeWorkflowCache(); err != nil {
		return nil, err
	}
	w := worker.New(tc, workflows.TaskQueue, workflows.Options(cfg.Ops.workerOptions()))
	acts := &activities.Activities{DB: db, Calendars: models.NewCalendarStore(db), Calendar: holidays.Default, Temporal: tc,
		Archive: activities.ArchiveConfig{Store: archive.DB{DB: db}, Interval: cfg.ArchiveInterval,
			PageSize: cfg.ArchivePageSize, PerSecond: cfg.ArchiveRate, Retention: cfg.Retention}}
	workflows.Register(w, acts)
	jobs := worker.New(tc, workflows.JobsTaskQueue, workflows.Options(cfg.Ops.jobsWorkerOptions()))
	workflows.RegisterJobs(jobs, acts)
	if err := workflows.StartArchiver(ctx, tc); err != nil {
		return nil, err
	}
	startDispatcher(ctx, cfg, db, log) // the notification outbox
	return &workers{procedures: w, jobs: jobs}, nil
}

// workers are the worker of the procedures (workflows.TaskQueue) and the
// one of the re-timing jobs (workflows.JobsTaskQueue), which run together.
type workers struct{ procedures, jobs worker.Worker }

// Start starts both workers.
func (w *workers) Start() error {
	if err := w.jobs.Start(); err != nil {
		return fmt.Errorf("start the jobs' worker: %w", err)
	}
	if err := w.procedures.Start(); err != nil {
		w.jobs.Stop()
		return fmt.Errorf("start the procedures' worker: %w", err)
	}
	return nil
}

// Stop stops both workers.
func (w *workers) Stop() {
	w.procedures.Stop()
	w.jobs.Stop()
}

// Run runs both workers until interrupt is closed.
func (w *workers) Run(interrupt <-chan any) error {
	if err := w.jobs.Start(); err != nil {
		return fmt.Errorf("start the jobs' worker: %w", err)
	}
	defer w.jobs.Stop()
	return w.procedures.Run(interrupt)
}

// serveHTTP serves the API on addr (APPROVALS_ADDR) until ctx ends.
func serveHTTP(ctx context.Context, addr string, srv *api.Server) error {
	ln, err := listen(addr, "APPROVALS_ADDR")
	if err != nil {
		return err
	}
	return serveOn(ctx, ln, srv)
}

// listen listens on addr; setting names the flag or variable that moves it.
func listen(addr, setting string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("the address %s is taken or invalid (move it with %s): %w", addr, setting, err)
	}
	return ln, nil
}

// serveOn serves the API on ln until ctx ends, then shuts down gracefully.
func serveOn(ctx context.Context, ln net.Listener, srv *api.Server) error {
	hs := srv.HTTPServer(ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(shut); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shut down HTTP: %w", err)
	}
	return nil
}

func newServer(db *gorm.DB, tc client.Client, cfg config, log zerolog.Logger) *api.Server {
	srv := &api.Server{DB: db, Temporal: tc, Regulations: cfg.Regulations, Calendar: holidays.Default,
		Calendars: models.NewCalendarStore(db), Secret: []byte(cfg.Secret), Log: log,
		Issuer: cfg.Issuer, Audience: cfg.Audience, MaxTokenTTL: cfg.MaxTokenTTL,
		RateLimit: cfg.RateLimit, RateBurst: cfg.RateBurst, HSTS: cfg.HSTS,
		SigningKey: cfg.SigningKey, Codec: cfg.Codec, CodecOrigins: cfg.CodecOrigins,
		Archive: archive.DB{DB: db}, Retention: cfg.Retention}
	if !cfg.TestNow.IsZero() { // tests only: see config.TestNow
		log.Warn().Time("now", cfg.TestNow).Msg("APPROVALS_TEST_NOW is set: every filing is dated at this instant (for tests only)")
		srv.Now = func() time.Time { return cfg.TestNow }
	}
	now := time.Now()
	if !cfg.TestNow.IsZero() {
		now = cfg.TestNow
	}
	for _, l := range cfg.Regulations.Lapsing(now, holidays.Shanghai) {
		log.Warn().Str("city", l.City).Str("valid_to", l.ValidTo).Int("days_left", l.DaysLeft).Msg(l.Message)
	}
	return srv
}

// prod is what a production process (api or worker) has once configured.
type prod struct {
	cfg config
	log zerolog.Logger
	db  *gorm.DB
	tc  client.Client
	reg *prometheus.Registry // served at /metrics
	tr  *tracing.Tracing     // nil unless OTEL_EXPORTER_OTLP_ENDPOINT is set
}

// close shuts the Temporal client and, last, the tracer (its buffered spans).
func (p *prod) close() {
	p.tc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.tr.Shutdown(ctx); err != nil {
		p.log.Warn().Err(err).Msg("traces not all exported")
	}
}

// openProd reads the environment, opens and migrates the database and
// connects to Temporal, for `approvals api` and `approvals worker`.
func openProd(ctx context.Context, name string, args []string) (*prod, error) {
	if len(args) > 0 {
		return nil, fmt.Errorf("%s takes no arguments; it is configured by environment (see README.md)", name)
	}
	cfg, err := loadConfig(true)
	if err != nil {
		return nil, err
	}
	if name == "api" {
		if cfg.OIDC.Issuer == "" { // HS256 development tokens
			if !cfg.Ops.DevTokens {
				return nil, badConfig("APPROVALS_OIDC_ISSUER is unset: set the city's OpenID Connect provider, or APPROVALS_DEV_TOKENS=1 to take HS256 development tokens (development and tests only)")
			}
			if err := cfg.requireSecret(); err != nil {
				return nil, err
			}
		}
		if err := cfg.requireSigningKey(); err != nil {
			return nil, err
		}
	}
	if err := cfg.requireCodec(); err != nil {
		return nil, err
	}
	p := &prod{cfg: cfg, log: newLogger(cfg.LogLevel, false).With().Str("process", name).Logger(), reg: metrics.New()}
	if p.db, err = openDB(ctx, cfg, "", false, p.log); err != nil {
		return nil, err
	}
	if err := sizePool(p.db, cfg.Ops); err != nil {
		return nil, err
	}
	buildInfo(p.reg, cfg.Ops)
	if p.tr, err = tracing.Start(ctx, "approvals-"+name); err != nil {
		return nil, err
	}
	traced, err := p.tr.Temporal()
	if err != nil {
		return nil, err
	}
	if p.tr != nil {
		p.log.Info().Str("endpoint", os.Getenv(tracing.EndpointVar)).Msg("traces exported over OTLP/HTTP")
	}
	sdk := metrics.Temporal(p.reg)
	if p.tc, err = dialTemporal(ctx, cfg.Temporal, cfg.Namespace, cfg.Codec, p.log, func(o *client.Options) {
		o.MetricsHandler = sdk
		if traced != nil { // the workers built from this client trace too
			o.Interceptors = append(o.Interceptors, traced)
		}
	}); err != nil {
		return nil, err
	}
	return p, nil
}

func runAPI(ctx context.Context, args []string) error {
	p, err := openProd(ctx, "api", args)
	if err != nil {
		return err
	}
	defer p.close()
	srv := newServer(p.db, p.tc, p.cfg, p.log)
	srv.Metrics, srv.Tracing = p.reg, p.tr
	metrics.Tasks(p.reg, p.db, time.Now)
	if p.cfg.OIDC.Issuer != "" {
		if srv.OIDC, err = api.NewOIDC(ctx, p.cfg.OIDC); err != nil {
			return fmt.Errorf("APPROVALS_OIDC_ISSUER: %w", err)
		}
		p.log.Info().Str("issuer", p.cfg.OIDC.Issuer).Str("audience", p.cfg.OIDC.Audience).Msg("tokens verified by the OIDC provider")
		if p.cfg.Login.ClientID != "" { // the console signs in through the provider
			if srv.Login, err = api.NewOIDCLogin(ctx, p.cfg.Login); err != nil {
				return fmt.Errorf("APPROVALS_OIDC_CLIENT_ID: %w", err)
			}
			p.log.Info().Str("client_id", p.cfg.Login.ClientID).Str("redirect_url", p.cfg.Login.RedirectURL).Msg("the console signs in through the OIDC provider (code flow with PKCE)")
		}
	} else {
		p.log.Warn().Msg("APPROVALS_DEV_TOKENS=1 and APPROVALS_OIDC_ISSUER unset: the API takes HS256 tokens signed with APPROVALS_JWT_SECRET, for development and tests only; set the city's OIDC provider in production")
	}
	p.log.Info().Str("addr", p.cfg.Addr).Str("temporal", p.cfg.Temporal).Msg("API listening")
	return serveHTTP(ctx, p.cfg.Addr, srv)
}

func runWorker(ctx context.Context, args []string) error {
	p, err := openProd(ctx, "worker", args)
	if err != nil {
		return err
	}
	defer p.close()
	w, err := newWorker(ctx, p.tc, p.cfg, p.db, p.log)
	if err != nil {
		return err
	}
	metrics.ArchiveLag(p.reg, archiverWatermark(p.tc), time.Now)
	var running atomic.Bool
	running.Store(true)
	if err := workerHTTP(ctx, p.cfg.Ops.MetricsAddr, p.reg, p.tc, p.db, &running); err != nil {
		return err
	}
	if err := pprofHTTP(ctx, p.cfg.Ops.PprofAddr); err != nil {
		return err
	}
	o := p.cfg.Ops
	p.log.Info().Str("temporal", p.cfg.Temporal).Str("task_queue", workflows.TaskQueue).Str("jobs_task_queue", workflows.JobsTaskQueue).Str("metrics", o.MetricsAddr).
		Str("build_id", o.BuildID).Int("max_activities", o.MaxActivities).Int("db_max_conns", o.DBMaxConns).Msg("worker polling")
	err = w.Run(ctxInterrupt(ctx))
	running.Store(false)
	return err
}

// ctxInterrupt closes its channel when ctx ends, for worker.Run.
func ctxInterrupt(ctx context.Context) <-chan any {
	ch := make(chan any)
	go func() { <-ctx.Done(); close(ch) }()
	return ch
}
