package tracing_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/devserver"
	"github.com/cityapprovals/approvals/tracing"
	"github.com/cityapprovals/approvals/tracing/tracingtest"
	"github.com/labstack/echo/v4"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// start runs an in-process OTLP receiver (tracingtest) and points OTEL_EXPORTER_OTLP_ENDPOINT at it.
func start(t *testing.T) *tracingtest.Receiver {
	r := &tracingtest.Receiver{}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	t.Setenv(tracing.EndpointVar, srv.URL)
	t.Setenv("OTEL_SERVICE_NAME", "")
	return r
}

// TestOffWithoutEndpoint: without OTEL_EXPORTER_OTLP_ENDPOINT nothing is
// set up, and the nil Tracing leaves handlers and clients as they are.
func TestOffWithoutEndpoint(t *testing.T) {
	t.Setenv(tracing.EndpointVar, "")
	tr, err := tracing.Start(context.Background(), "approvals-test")
	if err != nil || tr != nil {
		t.Fatalf("Start without an endpoint: %v %v", tr, err)
	}
	h := http.NotFoundHandler()
	if got := tr.HTTP(h); got == nil {
		t.Fatal("HTTP on a nil Tracing lost the handler")
	}
	if i, err := tr.Temporal(); i != nil || err != nil {
		t.Fatalf("Temporal on a nil Tracing: %v %v", i, err)
	}
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestHTTPSpansExported: a request through the traced Echo handler is
// exported over OTLP/HTTP as a server span named by its route.
func TestHTTPSpansExported(t *testing.T) {
	r := start(t)
	ctx := context.Background()
	tr, err := tracing.Start(ctx, "approvals-api")
	if err != nil || tr == nil {
		t.Fatalf("Start: %v %v", tr, err)
	}
	e := echo.New()
	e.Use(tracing.Route)
	e.GET("/api/v1/share-requests/:id", func(c echo.Context) error { return c.String(http.StatusOK, c.Param("id")) })
	srv := httptest.NewServer(tr.HTTP(e))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/v1/share-requests/sr-1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := tr.Shutdown(ctx); err != nil { // exports what is buffered
		t.Fatal(err)
	}
	if got := r.Names("approvals-api"); !slices.Contains(got, "GET /api/v1/share-requests/:id") {
		t.Fatalf("spans received for approvals-api: %v", got)
	}
}

// Hello is the test's workflow: it runs one activity.
func Hello(ctx workflow.Context, name string) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	var out string
	err := workflow.ExecuteActivity(ctx, Greet, name).Get(ctx, &out)
	return out, err
}

// Greet is Hello's activity.
func Greet(_ context.Context, name string) (string, error) { return "hello " + name, nil }

// TestTemporalSpansExported: with the interceptor on the client, starting a
// workflow and running it and its activity on a worker built from that
// client (a real Temporal dev server) are exported as spans.
func TestTemporalSpansExported(t *testing.T) {
	r := start(t)
	ctx := context.Background()
	tr, err := tracing.Start(ctx, "approvals-worker")
	if err != nil || tr == nil {
		t.Fatalf("Start: %v %v", tr, err)
	}
	ts, err := devserver.Start(ctx, devserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ts.Stop()
	icpt, err := tr.Temporal()
	if err != nil {
		t.Fatal(err)
	}
	tc, err := client.DialContext(ctx, client.Options{HostPort: ts.Address, Interceptors: []interceptor.ClientInterceptor{icpt}})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	w := worker.New(tc, "tracing-test", worker.Options{})
	w.RegisterWorkflow(Hello)
	w.RegisterActivity(Greet)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: "tracing-test"}, Hello, "wuhan")
	if err != nil {
		t.Fatal(err)
	}
	var out string
	if err := run.Get(ctx, &out); err != nil || out != "hello wuhan" {
		t.Fatalf("workflow: %q %v", out, err)
	}
	w.Stop()
	if err := tr.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	got := r.Names("approvals-worker")
	for _, want := range []string{"StartWorkflow:Hello", "RunWorkflow:Hello", "StartActivity:Greet", "RunActivity:Greet"} {
		if !slices.Contains(got, want) {
			t.Errorf("no span %s; received %v", want, got)
		}
	}
}
