package devserver

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// Search attributes registered on a running server (as the production worker
// does) are usable as soon as RegisterSearchAttributes returns.
func TestRegisterSearchAttributesOnRunningServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s, err := Start(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	c, err := client.Dial(client.Options{HostPort: s.Address, Logger: quiet{}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Procedure is a keyword of Temporal's query language: the readiness
	// query must quote it.
	attrs := map[string]string{"TestCity": "Keyword", "TestDue": "Datetime", "Procedure": "Keyword"}
	if err := RegisterSearchAttributes(ctx, c, "default", attrs); err != nil {
		t.Fatal(err)
	}
	if err := RegisterSearchAttributes(ctx, c, "default", attrs); err != nil {
		t.Fatalf("registering again: %v", err)
	}
	_, err = c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: "sa-test", TaskQueue: "nobody-polls",
		TypedSearchAttributes: temporal.NewSearchAttributes(
			temporal.NewSearchAttributeKeyKeyword("TestCity").ValueSet("wuhan"),
			temporal.NewSearchAttributeKeyTime("TestDue").ValueSet(time.Now())),
	}, "Nothing")
	if err != nil {
		t.Fatalf("start with the registered attributes: %v", err)
	}
	if err := RegisterSearchAttributes(ctx, c, "default", map[string]string{"Bad": "Colour"}); err == nil {
		t.Fatal("an unknown attribute type was accepted")
	}
}

// A child that dies at start-up is reported with the last lines of its
// output, at once: Start neither hangs nor waits for the health check's limit.
func TestStartReportsChildDeath(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "temporal")
	script := "#!/bin/sh\necho starting\necho 'listen tcp 127.0.0.1:8233: bind: address already in use' >&2\nexit 3\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, logFile := range []string{"", filepath.Join(t.TempDir(), "temporal.log")} {
		done := make(chan error, 1)
		go func() {
			_, err := Start(context.Background(), Options{Binary: bin, LogFile: logFile})
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "exited during start-up") || !strings.Contains(err.Error(), "address already in use") {
				t.Fatalf("log file %q: %v", logFile, err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("log file %q: Start hangs after its child died", logFile)
		}
	}
}

// A server on a port Start chose that dies during start-up is tried again on
// other ports, three times in all; one on a port the caller set is not. The
// panic's message is in the error, not only its stack.
func TestStartRetriesOnItsOwnPorts(t *testing.T) {
	dir := t.TempDir()
	bin, count := filepath.Join(dir, "temporal"), filepath.Join(dir, "count")
	script := "#!/bin/sh\necho x >> " + count + "\necho 'panic: listen tcp 127.0.0.1:7234: bind: address already in use' >&2\n" +
		"for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do echo '\tstack frame' >&2; done\nexit 2\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	attempts := func() int {
		b, _ := os.ReadFile(count)
		_ = os.Remove(count)
		return strings.Count(string(b), "x")
	}
	_, err := Start(context.Background(), Options{Binary: bin})
	var d *StartupError
	if !errors.As(err, &d) || !strings.Contains(err.Error(), "panic: listen tcp 127.0.0.1:7234") {
		t.Fatalf("want a StartupError naming the panic: %v", err)
	}
	if n := attempts(); n != startAttempts {
		t.Errorf("a port of its own: %d attempts, want %d", n, startAttempts)
	}
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Start(context.Background(), Options{Binary: bin, Port: port}); !errors.As(err, &d) {
		t.Fatalf("want a StartupError: %v", err)
	}
	if n := attempts(); n != 1 {
		t.Errorf("the caller's port: %d attempts, want 1", n)
	}
}

// A taken port is refused before anything starts, naming the port.
func TestStartRefusesTakenPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	busy := l.Addr().(*net.TCPAddr).Port
	free, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	for what, o := range map[string]Options{"frontend": {Port: busy}, "web UI": {Port: free, UIPort: busy}} {
		_, err := Start(context.Background(), o)
		var pe *PortInUseError
		if !errors.As(err, &pe) || pe.Port != busy || pe.What != what || !strings.Contains(err.Error(), strconv.Itoa(busy)) {
			t.Fatalf("%s taken: %v", what, err)
		}
	}
}

// notUsable is a Temporal client whose frontend never knows the attributes.
type notUsable struct{ client.Client }

func (notUsable) ListWorkflow(context.Context, *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error) {
	return nil, errors.New("invalid query: column name 'Procedure' is not a valid search attribute")
}

// A worker facing a frontend that does not know the attributes yet keeps
// waiting, saying so periodically, instead of giving up after a minute; it
// stops only when its context ends.
func TestWaitUsableTellsAndWaits(t *testing.T) {
	defer func(d time.Duration) { waitingEvery = d }(waitingEvery)
	waitingEvery = 50 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
	defer cancel()
	told := 0
	err := waitUsable(ctx, notUsable{}, "default", map[string]enums.IndexedValueType{"Procedure": enums.INDEXED_VALUE_TYPE_KEYWORD},
		func(waited time.Duration, err error) { told++ })
	if err == nil || ctx.Err() == nil {
		t.Fatalf("waitUsable returned %v before its context ended", err)
	}
	if told < 2 {
		t.Fatalf("told %d times that it is waiting, want periodic messages", told)
	}
	if q := UsableQuery([]string{"Procedure", "DueAt"}); q != "`DueAt` IS NOT NULL AND `Procedure` IS NOT NULL" {
		t.Fatalf("readiness query %s", q)
	}
}

// Our namespace is created at start with the search attributes, its
// retention is set explicitly, and a namespace the server lacks is created.
func TestEnsureNamespace(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s, err := Start(ctx, Options{Namespace: "ours", SearchAttributes: map[string]string{"TestCity": "Keyword"}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	c, err := client.Dial(client.Options{HostPort: s.Address, Namespace: "ours", Logger: quiet{}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	month := 30 * 24 * time.Hour
	if err := EnsureNamespace(ctx, c, "ours", month); err != nil {
		t.Fatal(err)
	}
	if r, err := Retention(ctx, c, "ours"); err != nil || r != month {
		t.Fatalf("retention of ours: %v, %v; want %v", r, err, month)
	}
	_, err = c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: "ns-test", TaskQueue: "nobody-polls",
		TypedSearchAttributes: temporal.NewSearchAttributes(temporal.NewSearchAttributeKeyKeyword("TestCity").ValueSet("wuhan")),
	}, "Nothing")
	if err != nil {
		t.Fatalf("start in ours with its search attribute: %v", err)
	}
	week := 7 * 24 * time.Hour
	if err := EnsureNamespace(ctx, c, "fresh", week); err != nil {
		t.Fatal(err)
	}
	if r, err := Retention(ctx, c, "fresh"); err != nil || r != week {
		t.Fatalf("retention of fresh: %v, %v; want %v", r, err, week)
	}
}

// Every dev server starts with LowLatency (and a state file with
// FilePragmas) unless told otherwise; empty maps keep the server's and
// SQLite's own defaults.
func TestStartRaisesDispatchLimits(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	for _, tc := range []struct {
		dc, pragmas map[string]string
		want        bool
	}{{nil, nil, true}, {map[string]string{}, map[string]string{}, false}} {
		s, err := Start(ctx, Options{DynamicConfig: tc.dc, SQLitePragmas: tc.pragmas, DBFile: filepath.Join(t.TempDir(), "temporal.db")})
		if err != nil {
			t.Fatal(err)
		}
		args := strings.Join(s.cmd.Args, " ")
		s.Stop()
		for k, v := range LowLatency {
			if got := strings.Contains(args, "--dynamic-config-value "+k+"="+v); got != tc.want {
				t.Errorf("DynamicConfig %v: %s=%s passed %v, want %v (args %s)", tc.dc, k, v, got, tc.want, args)
			}
		}
		for k, v := range FilePragmas {
			if got := strings.Contains(args, "--sqlite-pragma "+k+"="+v); got != tc.want {
				t.Errorf("SQLitePragmas %v: %s=%s passed %v, want %v (args %s)", tc.pragmas, k, v, got, tc.want, args)
			}
		}
	}
}
