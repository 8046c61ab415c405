// Package e2e drives the approvals binary over HTTP, as departments and
// reviewers would, against a real Temporal dev server (bin/temporal) and a
// real PostgreSQL (DATABASE_URL, default the local test database). Without a
// reachable PostgreSQL it runs on SQLite and says so; with REQUIRE_POSTGRES=1
// (CI) it fails instead.
package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/audit"
	"github.com/cityapprovals/approvals/codec"
	"github.com/cityapprovals/approvals/devserver"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/jackc/pgx/v5"
)

const defaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// namespace is the Temporal namespace the stack runs in, as in production
// our own (not "default").
const namespace = "approvals"

// stack is the system under test.
type stack struct {
	dir      string
	bin      string
	env      []string
	base     string // http://127.0.0.1:port
	secret   []byte
	signing  string       // APPROVALS_SIGNING_KEY: base64 of an Ed25519 seed
	dbURL    string       // the PostgreSQL URL (with its schema), or "" on SQLite
	codec    *codec.Codec // the payload codec, with the test key of workflows/testdata/codec.keys
	postgres bool
	temporal *devserver.Server
	api      *process // nil on SQLite, where dev runs API and worker in one process
	worker   *process
}

var sys *stack

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "approvals-e2e-")
	if err != nil {
		return 0, err
	}
	if os.Getenv("E2E_KEEP") == "" {
		defer func() { _ = os.RemoveAll(dir) }() // best effort: a temporary directory
	}
	s := &stack{dir: dir, bin: filepath.Join(dir, "approvals")}
	build := exec.Command("go", "build", "-o", s.bin, "./cmd/approvals")
	build.Dir, build.Stdout, build.Stderr = "..", os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return 0, fmt.Errorf("build approvals: %w", err)
	}

	dbURL, cleanup, err := database(ctx)
	if err != nil {
		return 0, err
	}
	defer cleanup()
	s.postgres, s.dbURL = dbURL != "", dbURL
	if s.postgres {
		fmt.Println("e2e: using PostgreSQL")
	} else {
		fmt.Println("e2e: PostgreSQL unreachable; running on SQLite (set REQUIRE_POSTGRES=1 to fail instead)")
	}
	announceBrowser() // whether the console's browser tests run

	if s.temporal, err = devserver.Start(ctx, devserver.Options{LogFile: filepath.Join(dir, "temporal.log"), SearchAttributes: workflows.SearchAttributes, Namespace: namespace}); err != nil {
		return 0, err
	}
	defer s.temporal.Stop()

	port, err := devserver.FreePort()
	if err != nil {
		return 0, err
	}
	secret := make([]byte, 24)
	_, _ = rand.Read(secret)
	s.secret = []byte(hex.EncodeToString(secret))
	s.base = fmt.Sprintf("http://127.0.0.1:%d", port)
	s.signing = audit.NewSigningKey()
	// The checked-in test key, so that recorded histories replay in CI.
	codecKeys, err := os.ReadFile(filepath.Join("..", "workflows", "testdata", "codec.keys"))
	if err != nil {
		return 0, err
	}
	if s.codec, err = codec.Parse(strings.TrimSpace(string(codecKeys)), ""); err != nil {
		return 0, err
	}
	s.env = append(os.Environ(),
		"TEMPORAL_ADDRESS="+s.temporal.Address, "TEMPORAL_NAMESPACE="+namespace,
		"APPROVALS_JWT_SECRET="+string(s.secret), fmt.Sprintf("APPROVALS_ADDR=127.0.0.1:%d", port),
		"APPROVALS_EXTEND_VALIDITY=xiamen:2099-12-31", "APPROVALS_LOG_LEVEL=info",
		"APPROVALS_RATE_LIMIT=off", // the tests file fast; api's rate limit has its own test
		"APPROVALS_SIGNING_KEY="+s.signing, "APPROVALS_CODEC_KEYS="+strings.TrimSpace(string(codecKeys)),
		"APPROVALS_ARCHIVE_INTERVAL=1s", // the archiver copies a closed history within a second or two
	)
	notifyEnv, stopMail, err := startNotify() // a real SMTP server; fast retries
	if err != nil {
		return 0, err
	}
	defer stopMail()
	s.env = append(s.env, notifyEnv...)
	if s.postgres {
		s.env = append(s.env, "DATABASE_URL="+dbURL)
	} else {
		s.env = append(s.env, "DATABASE_URL=")
	}
	s.env = append(s.env, "APPROVALS_DEV_TOKENS=1") // HS256 tokens without an OIDC issuer
	sys = s
	if s.postgres { // as an operator does before starting api and worker; dev migrates itself
		mig := exec.Command(s.bin, "migrate", "up")
		mig.Env, mig.Stdout, mig.Stderr = s.env, os.Stderr, os.Stderr
		if err := mig.Run(); err != nil {
			return 0, fmt.Errorf("approvals migrate up: %w", err)
		}
	}
	if err := s.startWorker(); err != nil {
		return 0, err
	}
	if s.postgres {
		if s.api, err = s.start("api", "api"); err != nil {
			return 0, err
		}
	}
	defer s.stopAll()
	if err := s.waitReady(); err != nil {
		return 0, err
	}
	code := m.Run()
	if code != 0 {
		s.dumpLogs()
	}
	return code, nil
}

// database returns a PostgreSQL URL on a fresh schema, or "" for SQLite.
func database(ctx context.Context) (string, func(), error) {
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		url = defaultDatabaseURL
	}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(cctx, url)
	if err != nil {
		if os.Getenv("REQUIRE_POSTGRES") == "1" {
			return "", nil, fmt.Errorf("REQUIRE_POSTGRES=1 but PostgreSQL at %s is unreachable: %w", url, err)
		}
		return "", func() {}, nil
	}
	schema := fmt.Sprintf("e2e_%d_%d", os.Getpid(), time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		conn.Close(ctx)
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "search_path=" + schema, func() {
		_, _ = conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		conn.Close(context.Background())
	}, nil
}

// process is a running approvals command.
type process struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

func (s *stack) start(name string, args ...string) (*process, error) {
	return s.startEnv(name, nil, args...)
}

// startEnv starts a command with extra environment variables, which override
// the stack's.
func (s *stack) startEnv(name string, env []string, args ...string) (*process, error) {
	p := &process{name: name, log: filepath.Join(s.dir, name+".log"), done: make(chan struct{})}
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p.cmd = exec.Command(s.bin, args...)
	p.cmd.Env, p.cmd.Stdout, p.cmd.Stderr = append(slices.Clone(s.env), env...), f, f
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	return p, nil
}

// kill stops a process abruptly, as a crash would.
func (p *process) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop stops a process as an operator would.
func (p *process) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		p.kill()
	}
}

// startWorker starts the worker, or on SQLite the dev process that holds the
// worker and the API together, with extra environment variables if any.
func (s *stack) startWorker(env ...string) error {
	var err error
	if s.postgres {
		s.worker, err = s.startEnv("worker", env, "worker")
	} else {
		s.worker, err = s.startEnv("dev", env, "dev", "--addr", strings.TrimPrefix(s.base, "http://"), "--data-dir", filepath.Join(s.dir, "data"))
	}
	return err
}

func (s *stack) stopAll() {
	for _, p := range []*process{s.api, s.worker} {
		if p != nil {
			p.stop()
		}
	}
}

// waitReady polls /readyz until the API answers (a start-up wait, bounded).
func (s *stack) waitReady() error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.worker.done:
			return fmt.Errorf("%s exited during start-up; see its log:\n%s", s.worker.name, tail(s.worker.log))
		case <-time.After(200 * time.Millisecond):
		}
	}
	s.dumpLogs()
	return fmt.Errorf("API at %s not ready after 60s", s.base)
}

func (s *stack) dumpLogs() {
	for _, p := range []*process{s.api, s.worker} {
		if p != nil {
			fmt.Fprintf(os.Stderr, "---- %s log (tail) ----\n%s\n", p.name, tail(p.log))
		}
	}
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 6000 {
		b = b[len(b)-6000:]
	}
	return string(b)
}
