package e2e

import (
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/devserver"
)

// get answers a URL's status and body ("" and 0 when it does not answer).
func get(url string) (int, string) {
	res, err := http.Get(url)
	if err != nil {
		return 0, ""
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// until polls f until it holds, failing with what it last saw.
func until(t *testing.T, what string, f func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ok, saw := f()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 60s; last saw:\n%s", what, saw)
		}
		time.Sleep(200 * time.Millisecond) // polling a condition with a deadline
	}
}

func healthcheck(url string) error {
	return exec.Command(sys.bin, "healthcheck", "--url", url, "--timeout", "3s").Run()
}

// The worker serves /metrics (the SDK's metrics, its build, the archive's
// lag) and /healthz; the API serves /metrics with requests by route and the
// open tasks by city; `approvals healthcheck` exits 0 on a healthy endpoint
// and 1 otherwise.
func TestOperations(t *testing.T) {
	if !sys.postgres {
		t.Skip("the worker runs as its own process (with its metrics listener) on PostgreSQL only")
	}
	port, err := devserver.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	w, err := sys.startEnv("worker-ops", []string{fmt.Sprintf("APPROVALS_WORKER_METRICS_ADDR=127.0.0.1:%d", port),
		"APPROVALS_BUILD_ID=e2e-build", "APPROVALS_WORKER_MAX_ACTIVITIES=4", "APPROVALS_DB_MAX_CONNS=7"}, "worker")
	if err != nil {
		t.Fatal(err)
	}
	until(t, "the worker's /healthz answers 200", func() (bool, string) {
		code, body := get(base + "/healthz")
		return code == http.StatusOK, fmt.Sprint(code, body, tail(w.log))
	})
	if err := healthcheck(base + "/healthz"); err != nil {
		t.Errorf("healthcheck of a healthy worker: %v", err)
	}
	if err := healthcheck(sys.base + "/healthz"); err != nil {
		t.Errorf("healthcheck of the API: %v", err)
	}

	wd := newWorld(t, "wuhan")
	wd.file(t, "conditional").must(t, 201)
	until(t, "the worker's metrics", func() (bool, string) {
		_, body := get(base + "/metrics")
		return strings.Contains(body, `approvals_build_info{build_id="e2e-build",deployment="approvals"} 1`) &&
			strings.Contains(body, "temporal_request_total{") && strings.Contains(body, "approvals_archive_lag_seconds "), body
	})
	until(t, "the API's metrics", func() (bool, string) {
		_, body := get(sys.base + "/metrics")
		return strings.Contains(body, `approvals_http_requests_total{method="POST",route="/api/v1/share-requests",status="201"}`) &&
			strings.Contains(body, `approvals_tasks_open{city="wuhan",level="statutory",procedure="share_request"}`), body
	})

	w.stop()
	err = healthcheck(base + "/healthz")
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("healthcheck of a stopped worker: want exit 1, got %v", err)
	}
}
