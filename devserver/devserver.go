// Package devserver starts and stops a local Temporal dev server (the
// `temporal` CLI's `server start-dev`) for `approvals dev` and the end-to-end
// tests, and creates our namespace and registers our search attributes on any
// Temporal server.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// Server is a running Temporal dev server.
type Server struct {
	// Address is host:port of its frontend.
	Address string
	// UIAddress is host:port of its web UI, empty when headless.
	UIAddress string
	cmd       *exec.Cmd
	// exited is closed when the process has exited, with its error in
	// exitErr: any number of waiters may read it (Start's and Stop's).
	exited  chan struct{}
	exitErr error
	logFile string
	tail    *tailBuffer // the output when there is no log file
}

// PortInUseError says that a port the dev server needs is taken: another
// Temporal server (a second `make run`, another project) is probably
// listening there. What names the port's use ("frontend", "web UI").
type PortInUseError struct {
	What string
	Port int
	Err  error
}

func (e *PortInUseError) Error() string {
	return fmt.Sprintf("port %d (Temporal %s) is already in use, probably by another Temporal server: %v", e.Port, e.What, e.Err)
}

// CheckPort tells whether a TCP port on 127.0.0.1 is free to listen on.
func CheckPort(what string, port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return &PortInUseError{What: what, Port: port, Err: err}
	}
	return l.Close()
}

// Options say how to start a dev server.
type Options struct {
	// Binary is the temporal CLI; FindBinary finds it when empty.
	Binary string
	// DBFile persists the server's state; in memory when empty.
	DBFile string
	// Port of the frontend; a free port when 0.
	Port int
	// UIPort of the web UI; no UI when 0.
	UIPort int
	// LogFile receives the server's output; discarded when empty.
	LogFile string
	// SearchAttributes (name → type) are registered at start, so that they are
	// usable at once (one added later takes a while to reach the frontend).
	SearchAttributes map[string]string
	// Namespace is created at start besides "default", with the search
	// attributes (its retention is set by EnsureNamespace).
	Namespace string
	// DynamicConfig are the server's dynamic configuration values (key →
	// JSON value); LowLatency when nil, the server's own defaults when empty.
	DynamicConfig map[string]string
	// SQLitePragmas apply to the state in DBFile; FilePragmas when nil,
	// SQLite's defaults when empty.
	SQLitePragmas map[string]string
}

// FilePragmas are the SQLite settings of a dev server's state file: a
// write-ahead log synced at checkpoints, not at every commit. SQLite's
// defaults (a rollback journal, synchronous=FULL) synced the disk three or
// four times per history write, one writer at a time (about 4 ms per synced
// write on the development machine under load). A killed server loses
// nothing so (its writes are in the operating system's cache); only a
// crash of the machine itself may lose the last commits.
var FilePragmas = map[string]string{"journal_mode": "wal", "synchronous": "normal"}

// LowLatency is the dynamic configuration every dev server starts with
// (issue 17): the server's defaults read each history queue at most 20 times
// a second, so a workflow or activity task waited about 45 ms in the transfer
// queue before matching saw it, and a fired timer as long in the timer queue;
// and matching splits a task queue into 4 partitions, so that a task written
// to one partition waits to be forwarded to the poller waiting on another.
// One dev server on one shard needs neither limit. Keys from the Temporal
// server's common/dynamicconfig/constants.go (server 1.29).
var LowLatency = map[string]string{
	"history.transferProcessorMaxPollRPS":   "10000",
	"history.timerProcessorMaxPollRPS":      "10000",
	"history.visibilityProcessorMaxPollRPS": "10000",
	"matching.numTaskqueueReadPartitions":   "1",
	"matching.numTaskqueueWritePartitions":  "1",
}

// FindBinary looks for the temporal CLI in bin/ of this or a parent
// directory, then on PATH.
func FindBinary() (string, error) {
	dir, err := os.Getwd()
	if err == nil {
		for {
			p := filepath.Join(dir, "bin", "temporal")
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				return p, nil
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	p, err := exec.LookPath("temporal")
	if err != nil {
		return "", errors.New("temporal CLI not found in bin/ or on PATH: run `make build` (it installs bin/temporal) or set TEMPORAL_ADDRESS")
	}
	return p, nil
}

// FreePort asks the kernel for a free TCP port on 127.0.0.1.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startAttempts is how many times Start tries a server on ports of its own
// choosing that dies during start-up.
const startAttempts = 3

// Start starts a dev server and waits until it answers health checks. A
// server on a port Start chose (Options.Port 0) that dies during start-up is
// tried again on another, twice at most: the server picks further ports of
// its own after ours, and on a machine where other processes take ports at
// the same time one of them can be gone before the server binds it (seen
// once in CI with test packages starting servers side by side).
func Start(ctx context.Context, o Options) (*Server, error) {
	for attempt := 1; ; attempt++ {
		s, err := start(ctx, o)
		var d *StartupError
		if err == nil || o.Port != 0 || attempt == startAttempts || !errors.As(err, &d) {
			return s, err
		}
	}
}

// start is one attempt of Start.
func start(ctx context.Context, o Options) (*Server, error) {
	bin := o.Binary
	if bin == "" {
		var err error
		if bin, err = FindBinary(); err != nil {
			return nil, err
		}
	}
	port := o.Port
	if port == 0 {
		var err error
		if port, err = FreePort(); err != nil {
			return nil, err
		}
	}
	// A taken port is refused here: the child would fail to listen while
	// the health check below reached the other server, and we would attach
	// to a server we did not start.
	if err := CheckPort("frontend", port); err != nil {
		return nil, err
	}
	if o.UIPort != 0 {
		if err := CheckPort("web UI", o.UIPort); err != nil {
			return nil, err
		}
	}
	args := []string{"server", "start-dev", "--ip", "127.0.0.1", "--port", strconv.Itoa(port), "--log-level", "warn"}
	s := &Server{Address: "127.0.0.1:" + strconv.Itoa(port), exited: make(chan struct{}), logFile: o.LogFile}
	if o.UIPort != 0 {
		args = append(args, "--ui-port", strconv.Itoa(o.UIPort))
		s.UIAddress = "127.0.0.1:" + strconv.Itoa(o.UIPort)
	} else {
		args = append(args, "--headless")
	}
	if o.Namespace != "" && o.Namespace != "default" {
		args = append(args, "--namespace", o.Namespace)
	}
	names := make([]string, 0, len(o.SearchAttributes))
	for n := range o.SearchAttributes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		args = append(args, "--search-attribute", n+"="+o.SearchAttributes[n])
	}
	dc := o.DynamicConfig
	if dc == nil {
		dc = LowLatency
	}
	keys := make([]string, 0, len(dc))
	for k := range dc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		args = append(args, "--dynamic-config-value", k+"="+dc[k])
	}
	if o.DBFile != "" {
		if err := os.MkdirAll(filepath.Dir(o.DBFile), 0o755); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
		args = append(args, "--db-filename", o.DBFile)
		pr := o.SQLitePragmas
		if pr == nil {
			pr = FilePragmas
		}
		names := make([]string, 0, len(pr))
		for n := range pr {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			args = append(args, "--sqlite-pragma", n+"="+pr[n])
		}
	}
	s.cmd = exec.Command(bin, args...)
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if o.LogFile != "" {
		f, err := os.OpenFile(o.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, fmt.Errorf("open Temporal log: %w", err)
		}
		defer f.Close() // the child keeps its own descriptor
		s.cmd.Stdout, s.cmd.Stderr = f, f
	} else {
		s.tail = &tailBuffer{}
		s.cmd.Stdout, s.cmd.Stderr = s.tail, s.tail
	}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { s.exitErr = s.cmd.Wait(); close(s.exited) }()
	if err := s.waitReady(ctx, 60*time.Second); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// Exited is closed when the server's process has ended.
func (s *Server) Exited() <-chan struct{} { return s.exited }

// LogTail is the last lines of the server's output (at most n).
func (s *Server) LogTail(n int) string {
	var b []byte
	if s.logFile != "" {
		b, _ = os.ReadFile(s.logFile)
	} else if s.tail != nil {
		b = s.tail.bytes()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// StartupError says that the dev server exited during start-up.
type StartupError struct {
	// Exit is how the process ended.
	Exit error
	// Panic is the first line of a Go panic in its output, if any (the
	// last lines of a panic are its stack, not its message).
	Panic string
	// Tail is the last lines of its output.
	Tail string
}

func (e *StartupError) Error() string {
	msg := fmt.Sprintf("temporal dev server exited during start-up (%v)", e.Exit)
	if e.Panic != "" {
		msg += ": " + e.Panic
	}
	return msg + "; the last lines of its output:\n" + e.Tail
}

// died describes the server's exit, with the last lines of its output and
// the message of a panic among them.
func (s *Server) died() error {
	e := &StartupError{Exit: s.exitErr, Tail: s.LogTail(15)}
	for _, l := range strings.Split(s.LogTail(1<<20), "\n") {
		if strings.HasPrefix(l, "panic: ") {
			e.Panic = l
			break
		}
	}
	return e
}

// tailBuffer keeps the last 16 KiB written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > 16<<10 {
		t.buf = t.buf[len(t.buf)-16<<10:]
	}
	return len(p), nil
}

func (t *tailBuffer) bytes() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]byte(nil), t.buf...)
}

// waitReady polls the frontend's health until it answers, the process exits
// or the time is up.
func (s *Server) waitReady(ctx context.Context, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		c, err := client.Dial(client.Options{HostPort: s.Address, Logger: quiet{}})
		if err == nil {
			_, err = c.CheckHealth(ctx, &client.CheckHealthRequest{})
			c.Close()
			if err == nil {
				select {
				case <-s.exited: // the answer came from another server
					return s.died()
				default:
					return nil
				}
			}
		}
		select {
		case <-s.exited:
			return s.died()
		case <-ctx.Done():
			return fmt.Errorf("temporal dev server at %s not ready after %s: %w", s.Address, limit, err)
		case <-tick.C:
		}
	}
}

// Stop stops the server (SIGTERM, then SIGKILL after 10 s) and waits for it.
func (s *Server) Stop() {
	if s == nil || s.cmd == nil || s.cmd.Process == nil {
		return
	}
	select {
	case <-s.exited:
		return
	default:
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.exited
	}
}

// RegisterSearchAttributes adds the named search attributes (name → type:
// Keyword, Datetime, Bool, Int, Double, Text) to the namespace, skipping those
// that exist, and waits until they are usable (see RegisterSearchAttributesNotify).
func RegisterSearchAttributes(ctx context.Context, c client.Client, namespace string, attrs map[string]string) error {
	return RegisterSearchAttributesNotify(ctx, c, namespace, attrs, nil)
}

// RegisterSearchAttributesNotify is RegisterSearchAttributes telling
// waiting, every 10 s, how long it has waited for the attributes to become
// usable and why they are not; it waits until ctx ends.
func RegisterSearchAttributesNotify(ctx context.Context, c client.Client, namespace string, attrs map[string]string, waiting func(waited time.Duration, err error)) error {
	ops := c.OperatorService()
	have, err := ops.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("list search attributes: %w", err)
	}
	add := map[string]enums.IndexedValueType{}
	for name, typ := range attrs {
		if _, ok := have.GetCustomAttributes()[name]; ok {
			continue
		}
		v, ok := enums.IndexedValueType_value["INDEXED_VALUE_TYPE_"+strings.ToUpper(typ)]
		if !ok {
			return fmt.Errorf("search attribute %s: unknown type %s", name, typ)
		}
		add[name] = enums.IndexedValueType(v)
	}
	if len(add) == 0 {
		return nil
	}
	_, err = ops.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: namespace, SearchAttributes: add})
	var exists *serviceerror.AlreadyExists
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("add search attributes: %w", err)
	}
	return waitUsable(ctx, c, namespace, add, waiting)
}

// UsableQuery is the visibility query that succeeds once the frontend knows
// the named attributes. Names are quoted: some (Procedure) are keywords of
// Temporal's query language.
func UsableQuery(names []string) string {
	terms := make([]string, 0, len(names))
	for _, name := range names {
		terms = append(terms, "`"+name+"` IS NOT NULL")
	}
	sort.Strings(terms)
	return strings.Join(terms, " AND ")
}

// waitingEvery is how often waitUsable tells that it is still waiting.
var waitingEvery = 10 * time.Second

// waitUsable waits until the frontend accepts a visibility query naming the
// new attributes: it learns of them only when it refreshes its namespace
// cache, and until then starting a workflow with them fails. It waits as
// long as ctx lasts, telling waiting every 10 s.
func waitUsable(ctx context.Context, c client.Client, namespace string, added map[string]enums.IndexedValueType, waiting func(time.Duration, error)) error {
	names := make([]string, 0, len(added))
	for name := range added {
		names = append(names, name)
	}
	query := UsableQuery(names)
	start, told := time.Now(), time.Now()
	for {
		_, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: namespace, Query: query, PageSize: 1})
		if err == nil {
			return nil
		}
		if waiting != nil && time.Since(told) >= waitingEvery {
			told = time.Now()
			waiting(time.Since(start), err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("search attributes registered but not usable yet (query %s): %w", query, err)
		case <-time.After(time.Second):
		}
	}
}

// quiet discards the SDK's logs while polling.
type quiet struct{}

func (quiet) Debug(string, ...any) {}
func (quiet) Info(string, ...any)  {}
func (quiet) Warn(string, ...any)  {}
func (quiet) Error(string, ...any) {}

// Kill ends the server at once (SIGKILL to its process group), as a crash
// would, and waits for it; the benchmark's chaos scenario uses it.
func (s *Server) Kill() {
	if s == nil || s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	<-s.exited
}

// Pid is the dev server's process ID (0 when it was not started), for the
// benchmarks that read its CPU time from /proc.
func (s *Server) Pid() int {
	if s == nil || s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}
