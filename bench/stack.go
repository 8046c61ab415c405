package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cityapprovals/approvals/audit"
	"github.com/cityapprovals/approvals/codec"
	"github.com/cityapprovals/approvals/devserver"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/schema"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/jackc/pgx/v5"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"
	"gorm.io/gorm"
)

// stack is the system a scenario measures: a Temporal server (its own dev
// server unless TEMPORAL_ADDRESS is set), a database (a PostgreSQL schema of
// its own under DATABASE_URL, else SQLite in a temporary directory), and the
// approvals worker and API as child processes of the built binary.
type stack struct {
	cfg      Config
	dir      string
	temporal *devserver.Server // nil when external
	taddr    string
	dbURL    string // with its own search_path; "" on SQLite
	sqlite   string
	dropDB   func()
	env      []string
	secret   []byte
	tc       client.Client
	db       *gorm.DB // the harness's own connection, for counting
	apis     []*proc  // the processes serving the API (on SQLite: dev, which also works)
	workers  []*proc  // the processes running a worker (on SQLite: the same dev)
	appName  string   // application_name of the stack's PostgreSQL connections
}

// proc is a running approvals child process.
type proc struct {
	name string
	args []string
	env  []string
	addr string // host:port of its API, if it serves one
	log  string
	cmd  *exec.Cmd
	done chan struct{}
}

// postgres tells whether the stack runs on PostgreSQL.
func (s *stack) postgres() bool { return s.dbURL != "" }

// newStack starts Temporal (unless external) and opens the database; the
// approvals processes are started by up.
func newStack(ctx context.Context, cfg Config) (*stack, error) {
	dir, err := os.MkdirTemp("", "approvals-bench-")
	if err != nil {
		return nil, fmt.Errorf("temp dir: %w", err)
	}
	s := &stack{cfg: cfg, dir: dir, taddr: cfg.TemporalAddress, dropDB: func() {}}
	ok := false
	defer func() {
		if !ok {
			s.close()
		}
	}()
	if s.taddr == "" {
		if err := s.startTemporal(ctx); err != nil {
			return nil, err
		}
	}
	s.appName = fmt.Sprintf("approvals_bench_%d", os.Getpid())
	if cfg.DatabaseURL != "" {
		if s.dbURL, s.dropDB, err = ownSchema(ctx, cfg.DatabaseURL, s.appName); err != nil {
			return nil, err
		}
	} else {
		s.sqlite = filepath.Join(dir, "approvals.db")
	}
	if s.db, err = models.Open(s.dbURL, s.sqlite); err != nil {
		return nil, fmt.Errorf("open the database: %w", err)
	}
	if _, err := schema.Up(ctx, s.db); err != nil { // as approvals migrate up does
		return nil, fmt.Errorf("migrate: %w", err)
	}
	cd, keys := cfg.Codec, os.Getenv("APPROVALS_CODEC_KEYS")
	if cd == nil { // encrypt as production does, with a key of the run's own
		keys = codec.NewKey()
		if cd, err = codec.Parse(keys, ""); err != nil {
			return nil, fmt.Errorf("codec: %w", err)
		}
	}
	secret := make([]byte, 24)
	_, _ = rand.Read(secret)
	s.secret = []byte(hex.EncodeToString(secret))
	s.env = append(os.Environ(),
		"TEMPORAL_ADDRESS="+s.taddr, "TEMPORAL_NAMESPACE="+cfg.Namespace,
		"APPROVALS_JWT_SECRET="+string(s.secret), "APPROVALS_DEV_TOKENS=1", "APPROVALS_RATE_LIMIT=off", "APPROVALS_LOG_LEVEL=warn",
		"APPROVALS_SIGNING_KEY="+audit.NewSigningKey(), "APPROVALS_CODEC_KEYS="+keys, "DATABASE_URL="+s.dbURL)
	if s.tc, err = client.DialContext(ctx, client.Options{HostPort: s.taddr, Namespace: cfg.Namespace, Logger: quiet{},
		DataConverter: codec.DataConverter(cd), FailureConverter: codec.FailureConverter(cd)}); err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s: %w", s.taddr, err)
	}
	if err := ensureNamespace(ctx, s.tc, cfg.Namespace); err != nil {
		return nil, err
	}
	if err := devserver.RegisterSearchAttributes(ctx, s.tc, cfg.Namespace, workflows.SearchAttributes); err != nil {
		return nil, fmt.Errorf("search attributes: %w", err)
	}
	ok = true
	return s, nil
}

// ensureNamespace registers the configured namespace when the server does
// not know it (a dev server has only "default"), and waits until it answers.
func ensureNamespace(ctx context.Context, tc client.Client, ns string) error {
	_, err := tc.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: ns})
	var nf *serviceerror.NamespaceNotFound
	if !errors.As(err, &nf) {
		return err
	}
	if _, err := tc.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace: ns, WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour)}); err != nil {
		var exists *serviceerror.NamespaceAlreadyExists
		if !errors.As(err, &exists) {
			return fmt.Errorf("register namespace %s: %w", ns, err)
		}
	}
	end := time.Now().Add(time.Minute)
	for {
		_, err := tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: ns})
		if err == nil {
			return nil
		}
		if time.Now().After(end) {
			return fmt.Errorf("namespace %s not usable after a minute: %w", ns, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// startTemporal starts the stack's own dev server.
func (s *stack) startTemporal(ctx context.Context) error {
	var dc, pragmas map[string]string // devserver.LowLatency, devserver.FilePragmas
	if s.cfg.TemporalDefaults {
		dc, pragmas = map[string]string{}, map[string]string{}
	}
	ts, err := devserver.Start(ctx, devserver.Options{LogFile: filepath.Join(s.dir, "temporal.log"),
		DBFile: filepath.Join(s.dir, "temporal.db"), Port: portOf(s.taddr), SearchAttributes: workflows.SearchAttributes, Namespace: s.cfg.Namespace,
		DynamicConfig: dc, SQLitePragmas: pragmas})
	if err != nil {
		return fmt.Errorf("start Temporal dev server: %w", err)
	}
	s.temporal, s.taddr = ts, ts.Address
	return nil
}

func portOf(addr string) int {
	_, p, _ := strings.Cut(addr, ":")
	n, _ := strconv.Atoi(p)
	return n
}

// ownSchema creates a schema of the run's own under url and returns url with
// its search_path and an application_name that names the run's connections.
func ownSchema(ctx context.Context, url, app string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return "", nil, fmt.Errorf("connect to DATABASE_URL: %w", err)
	}
	schema := fmt.Sprintf("bench_%d_%d", os.Getpid(), time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		conn.Close(ctx)
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "search_path=" + schema + "&application_name=" + app, func() {
		_, _ = conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		conn.Close(context.Background())
	}, nil
}

// wuhan is the profile the scenarios that start procedures themselves use.
func wuhan(cfg Config, scenario string) (regulations.Profile, error) {
	if cfg.Regulations == nil {
		return regulations.Profile{}, fmt.Errorf("%s: no regulations", scenario)
	}
	p, ok := cfg.Regulations.Get("wuhan")
	if !ok {
		return regulations.Profile{}, fmt.Errorf("%s: no wuhan profile", scenario)
	}
	return p, nil
}

// startStack builds a stack and brings up its API processes and workers;
// on failure nothing is left running.
func startStack(ctx context.Context, cfg Config, apis, workers int) (*stack, error) {
	s, err := newStack(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := s.up(apis, workers); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// up starts the approvals processes: on PostgreSQL apis API processes and
// workers worker processes, on SQLite one `approvals dev` (API and worker in
// one process, which SQLite needs).
func (s *stack) up(apis, workers int) error {
	if !s.postgres() {
		p, err := s.spawn("dev", true, "dev", "--data-dir", s.dir)
		if err != nil {
			return err
		}
		s.apis, s.workers = []*proc{p}, []*proc{p}
		return s.ready(p)
	}
	for i := range workers {
		p, err := s.spawn(fmt.Sprintf("worker%d", i+1), false, "worker")
		if err != nil {
			return err
		}
		s.workers = append(s.workers, p)
	}
	for i := range apis {
		p, err := s.spawn(fmt.Sprintf("api%d", i+1), true, "api")
		if err != nil {
			return err
		}
		s.apis = append(s.apis, p)
		if err := s.ready(p); err != nil {
			return err
		}
	}
	return nil
}

// spawn starts one approvals process; serving ones get a free port.
func (s *stack) spawn(name string, serve bool, args ...string) (*proc, error) {
	p := &proc{name: name, args: args, log: filepath.Join(s.dir, name+".log"), env: slices.Clone(s.env)}
	if serve {
		port, err := devserver.FreePort()
		if err != nil {
			return nil, err
		}
		p.addr = fmt.Sprintf("127.0.0.1:%d", port)
		p.env = append(p.env, "APPROVALS_ADDR="+p.addr)
		if args[0] == "dev" {
			p.args = append(p.args, "--addr", p.addr)
		}
	}
	return p, s.start(p)
}

// start (re)starts a process.
func (s *stack) start(p *proc) error {
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("log of %s: %w", p.name, err)
	}
	defer f.Close()
	p.cmd = exec.Command(s.cfg.Bin, p.args...)
	p.cmd.Env, p.cmd.Stdout, p.cmd.Stderr = p.env, f, f
	if err := p.cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", p.name, err)
	}
	p.done = make(chan struct{})
	go func(c *exec.Cmd, done chan struct{}) { _ = c.Wait(); close(done) }(p.cmd, p.done)
	return nil
}

// ready waits until p's API answers /readyz.
func (s *stack) ready(p *proc) error {
	end := time.Now().Add(90 * time.Second)
	for time.Now().Before(end) {
		select {
		case <-p.done:
			return fmt.Errorf("%s exited at start:\n%s", p.name, tail(p.log, 20))
		default:
		}
		resp, err := http.Get("http://" + p.addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready after 90s:\n%s", p.name, tail(p.log, 20))
}

// kill ends p with SIGKILL and waits for it.
func (p *proc) kill() {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop ends p gracefully (SIGTERM, SIGKILL after 15 s).
func (p *proc) stop() {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		p.kill()
	}
}

// rss is p's resident set in bytes (VmRSS of /proc/PID/status).
func (p *proc) rss() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("rss of %s: %w", p.name, err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, errors.New("no VmRSS in /proc status")
}

// base is the URL of the first API process.
func (s *stack) base() string { return s.apis[0].url() }

// connections counts the stack's open PostgreSQL connections (0 on SQLite).
func (s *stack) connections() (int64, error) {
	if !s.postgres() {
		return 0, nil
	}
	var n int64
	err := s.db.Raw("SELECT count(*) FROM pg_stat_activity WHERE application_name = ?", s.appName).Scan(&n).Error
	return n, err
}

// dbSize is the size of the stack's tables in bytes.
func (s *stack) dbSize() (int64, error) {
	if !s.postgres() {
		var total int64
		for _, f := range []string{s.sqlite, s.sqlite + "-wal"} {
			if st, err := os.Stat(f); err == nil {
				total += st.Size()
			}
		}
		return total, nil
	}
	var n int64
	err := s.db.Raw(`SELECT COALESCE(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c
		JOIN pg_namespace ns ON ns.oid = c.relnamespace WHERE ns.nspname = current_schema() AND c.relkind = 'r'`).Scan(&n).Error
	return n, err
}

// close stops everything the stack started and removes its files.
func (s *stack) close() {
	seen := map[*proc]bool{}
	for _, p := range append(slices.Clone(s.apis), s.workers...) {
		if !seen[p] {
			seen[p] = true
			p.stop()
		}
	}
	if s.tc != nil {
		s.tc.Close()
	}
	if s.db != nil {
		if sq, err := s.db.DB(); err == nil {
			_ = sq.Close()
		}
	}
	s.dropDB()
	s.temporal.Stop()
	if os.Getenv("BENCH_KEEP") == "" {
		_ = os.RemoveAll(s.dir)
	} else {
		fmt.Println("bench: kept", s.dir)
	}
}

// tail returns the last n lines of a file.
func tail(file string, n int) string {
	b, _ := os.ReadFile(file)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// quiet silences the SDK's logger.
type quiet struct{}

func (quiet) Debug(string, ...any) {}
func (quiet) Info(string, ...any)  {}
func (quiet) Warn(string, ...any)  {}
func (quiet) Error(string, ...any) {}

// url is the base URL of p's API.
func (p *proc) url() string { return "http://" + p.addr }
