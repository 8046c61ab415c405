package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/api"
	"github.com/cityapprovals/approvals/devserver"
	"go.temporal.io/sdk/client"
)

// `approvals dev` on its own (its own Temporal dev server, SQLite) resumes the
// same procedures when started again on the same data directory.
func TestDevResumesOnSameDataDir(t *testing.T) {
	dir := t.TempDir()
	ports := make([]int, 2)
	for i := range ports {
		p, err := devserver.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		ports[i] = p
	}
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TEMPORAL_ADDRESS=") && !strings.HasPrefix(kv, "DATABASE_URL=") && !strings.HasPrefix(kv, "APPROVALS_JWT_SECRET=") {
			env = append(env, kv)
		}
	}
	dev := &stack{dir: dir, bin: sys.bin, env: env, base: fmt.Sprintf("http://127.0.0.1:%d", ports[0]), secret: []byte(api.DevSecret)}
	start := func() {
		t.Helper()
		var err error
		dev.worker, err = dev.start("dev", "dev", "--addr", strings.TrimPrefix(dev.base, "http://"), "--data-dir", filepath.Join(dir, "data"),
			"--temporal-port", fmt.Sprint(ports[1]), "--temporal-ui-port", "0")
		if err != nil {
			t.Fatal(err)
		}
		if err := dev.waitReady(); err != nil {
			t.Fatal(err)
		}
	}
	start()
	saved := sys
	sys = dev // the helpers talk to the stack in sys
	defer func() { sys = saved; dev.worker.stop() }()

	w := newWorld(t, "wuhan")
	id := w.file(t, "conditional").must(t, 201).str("id")
	dev.worker.stop() // SIGTERM: dev stops the worker, the API and its Temporal server
	if _, err := os.Stat(filepath.Join(dir, "data", "temporal.db")); err != nil {
		t.Fatalf("no Temporal state kept: %v", err)
	}
	start()
	task := taskFor(t, w.prov, id)["id"].(string)
	w.prov.do("POST", "/api/v1/tasks/"+task+"/decision", map[string]any{"decision": "approve"}).must(t, 200)
	if got := w.req.do("GET", "/api/v1/share-requests/"+id, nil).must(t, 200); got.str("status") != "granted" {
		t.Fatalf("after restarting dev: %s", got.Raw)
	}
	// The procedure ran in our namespace, whose retention dev set (30 days
	// by default; the dev server's own default is one day).
	c, err := client.Dial(client.Options{HostPort: fmt.Sprintf("127.0.0.1:%d", ports[1]), Namespace: namespace, Logger: quiet{}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.DescribeWorkflow(context.Background(), id, ""); err != nil {
		t.Fatalf("%s not in namespace %s: %v", id, namespace, err)
	}
	if r, err := devserver.Retention(context.Background(), c, namespace); err != nil || r != 30*24*time.Hour {
		t.Fatalf("retention of %s: %v, %v; want 30 days", namespace, r, err)
	}
}
