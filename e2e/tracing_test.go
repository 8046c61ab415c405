package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/cityapprovals/approvals/devserver"
	"github.com/cityapprovals/approvals/tracing/tracingtest"
)

// TestTracing: `approvals api` with OTEL_EXPORTER_OTLP_ENDPOINT exports, to
// an OTLP/HTTP receiver (in process, decoding with the collector's pdata),
// the server span of a filing named by its route and the Temporal client's
// span starting the procedure's workflow. The stack's
// own API, without the variable, exports nothing.
func TestTracing(t *testing.T) {
	if !sys.postgres {
		t.Skip("needs PostgreSQL: on SQLite the API and the worker share one dev process")
	}
	rcv := &tracingtest.Receiver{}
	otlp := httptest.NewServer(rcv)
	defer otlp.Close()
	port, err := devserver.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	p, err := sys.startEnv("api-traced", []string{fmt.Sprintf("APPROVALS_ADDR=127.0.0.1:%d", port),
		"OTEL_EXPORTER_OTLP_ENDPOINT=" + otlp.URL, "OTEL_BSP_SCHEDULE_DELAY=200"}, "api")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.stop)
	until(t, "the traced API is ready", func() (bool, string) {
		code, body := get(base + "/readyz")
		return code == http.StatusOK, fmt.Sprint(code, body, tail(p.log))
	})
	wd := newWorld(t, "wuhan") // through the stack's API
	wd.req.base = base
	wd.file(t, "conditional").must(t, 201)
	until(t, "the filing's spans", func() (bool, string) {
		names := rcv.Names("approvals-api")
		// a filing starts its workflow with an update (UpdateWithStartWorkflow:filed)
		start := slices.ContainsFunc(names, func(n string) bool { return strings.Contains(n, "StartWorkflow:") })
		return slices.Contains(names, "POST /api/v1/share-requests") && start, strings.Join(names, "\n")
	})
	if n := rcv.Names("approvals-api"); slices.Contains(n, "POST /api/v1/departments") {
		t.Errorf("the untraced API's requests were exported: %v", n)
	}
}
