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
	done      chan error
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

// Start starts a dev server and waits until it answers health checks.
func Start(ctx context.Context, o Options) (*Server, error) {
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
	args := []string{"server", "start-dev", "--ip", "127.0.0.1", "--port", strconv.Itoa(port), "--log-level", "warn"}
	s := &Server{Address: "127.0.0.1:" + strconv.Itoa(port), done: make(chan error, 1)}
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
	if o.DBFile != "" {
		if err := os.MkdirAll(filepath.Dir(o.DBFile), 0o755); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
		args = append(args, "--db-filename", o.DBFile)
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
	}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	if err := s.waitReady(ctx, 60*time.Second); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
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
				return nil
			}
		}
		select {
		case err := <-s.done:
			return fmt.Errorf("temporal dev server exited during start-up: %v", err)
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
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	}
}

// RegisterSearchAttributes adds the named search attributes (name → type:
// Keyword, Datetime, Bool, Int, Double, Text) to the namespace, skipping those
// that exist.
func RegisterSearchAttributes(ctx context.Context, c client.Client, namespace string, attrs map[string]string) error {
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
	return waitUsable(ctx, c, namespace, add)
}

// waitUsable waits (at most a minute) until the frontend accepts a visibility
// query naming the new attributes: it learns of them only when it refreshes
// its namespace cache, and until then starting a workflow with them fails.
func waitUsable(ctx context.Context, c client.Client, namespace string, added map[string]enums.IndexedValueType) error {
	var terms []string
	for name := range added {
		terms = append(terms, name+" IS NOT NULL")
	}
	sort.Strings(terms)
	query := strings.Join(terms, " AND ")
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		_, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: namespace, Query: query, PageSize: 1})
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("search attributes registered but not usable after a minute: %w", err)
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
