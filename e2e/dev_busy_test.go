package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/devserver"
)

// runDev runs `approvals dev` with its data in dir and args, in the working
// directory cwd (this one when empty: bin/temporal is found above it), with
// no TEMPORAL_ADDRESS or DATABASE_URL, as a new user would, and returns its
// output once it has failed (a hang or a success fails the test).
func runDev(t *testing.T, cwd, dir string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, sys.bin, append([]string{"dev", "--data-dir", filepath.Join(dir, "data")}, args...)...)
	cmd.Dir = cwd
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TEMPORAL_ADDRESS=") && !strings.HasPrefix(kv, "DATABASE_URL=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("approvals dev %v did not exit within 60 s:\n%s", args, out)
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("approvals dev %v: exit %v, want a failure:\n%s", args, err, out)
	}
	return string(out)
}

// hold listens on a free port until the test ends.
func hold(t *testing.T) (int, string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l.Addr().(*net.TCPAddr).Port, l.Addr().String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	p, err := devserver.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("127.0.0.1:%d", p)
}

// `approvals dev` on a machine where its ports are taken (another Temporal
// dev server on the frontend port, anything on the UI port or the API's
// address) refuses to start, naming the port and the flag that moves it; it
// never attaches to the other Temporal server.
func TestDevRefusesTakenPorts(t *testing.T) {
	dir := t.TempDir()
	_, other, _ := strings.Cut(sys.temporal.Address, ":") // a real Temporal server, not dev's own
	out := runDev(t, "", dir, "--addr", freeAddr(t), "--temporal-port", other)
	for _, want := range []string{"port " + other, "--temporal-port", "TEMPORAL_PORT=", "TEMPORAL_ADDRESS"} {
		if !strings.Contains(out, want) {
			t.Errorf("frontend port taken by another Temporal: no %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "started Temporal dev server") {
		t.Errorf("dev claims to have started a server on a taken port:\n%s", out)
	}

	ui, _ := hold(t)
	tport, err := devserver.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	out = runDev(t, "", dir, "--addr", freeAddr(t), "--temporal-port", strconv.Itoa(tport), "--temporal-ui-port", strconv.Itoa(ui))
	for _, want := range []string{"port " + strconv.Itoa(ui), "--temporal-ui-port", "TEMPORAL_UI_PORT="} {
		if !strings.Contains(out, want) {
			t.Errorf("UI port taken: no %q in\n%s", want, out)
		}
	}

	_, api := hold(t)
	out = runDev(t, "", dir, "--addr", api, "--temporal-port", strconv.Itoa(tport), "--temporal-ui-port", "0")
	for _, want := range []string{api, "--addr", "ADDR="} {
		if !strings.Contains(out, want) {
			t.Errorf("API address taken: no %q in\n%s", want, out)
		}
	}
}

// A Temporal child that dies at start-up is reported with the last lines of
// its log, and dev exits non-zero (it used to hang, ignoring Ctrl-C).
func TestDevReportsTemporalChildDeath(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	fake := "#!/bin/sh\necho 'temporal: starting'\necho 'Error: unable to start server: the disk is on fire' >&2\nexit 1\n"
	if err := os.WriteFile(filepath.Join(dir, "bin", "temporal"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	tport, err := devserver.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	out := runDev(t, dir, dir, "--addr", freeAddr(t), "--temporal-port", strconv.Itoa(tport), "--temporal-ui-port", "0")
	if !strings.Contains(out, "exited during start-up") || !strings.Contains(out, "the disk is on fire") {
		t.Fatalf("the child's death is not reported with its log:\n%s", out)
	}
}
