package metrics

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
)

// scrape answers the registry's exposition text.
func scrape(t *testing.T, h http.Handler) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics: %d %s", rec.Code, rec.Body)
	}
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

func has(t *testing.T, text string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(text, l+"\n") {
			t.Errorf("missing %q in:\n%s", l, grep(text, strings.SplitN(l, "{", 2)[0]))
		}
	}
}

func grep(text, prefix string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// Requests are counted by route template and status, with latency.
func TestHTTP(t *testing.T) {
	r := New()
	e := echo.New()
	e.Use(HTTP(r))
	e.GET("/items/:id", func(c echo.Context) error {
		if c.Param("id") == "bad" {
			return echo.NewHTTPError(http.StatusNotFound)
		}
		return c.NoContent(http.StatusOK)
	})
	for _, p := range []string{"/items/1", "/items/2", "/items/bad", "/nowhere"} {
		e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, p, nil))
	}
	has(t, scrape(t, Handler(r)),
		`approvals_http_requests_total{method="GET",route="/items/:id",status="200"} 2`,
		`approvals_http_requests_total{method="GET",route="/items/:id",status="404"} 1`,
		`approvals_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`approvals_http_request_duration_seconds_count{method="GET",route="/items/:id"} 3`)
}

// The SDK's counters, gauges and timers are exported; a tag some series
// lack is exported empty, so one family keeps one label set.
func TestTemporal(t *testing.T) {
	r := New()
	h := Temporal(r).WithTags(map[string]string{"namespace": "approvals"})
	h.Counter("temporal_request").Inc(2)
	h.WithTags(map[string]string{"operation": "StartWorkflowExecution"}).Counter("temporal_request").Inc(1)
	h.Gauge("temporal_worker_task_slots_available").Update(7)
	tm := h.Timer("temporal_request_latency")
	tm.Record(20 * time.Millisecond)
	tm.Record(3 * time.Second)
	has(t, scrape(t, Handler(r)),
		`temporal_request_total{namespace="approvals",operation=""} 2`,
		`temporal_request_total{namespace="approvals",operation="StartWorkflowExecution"} 1`,
		`temporal_worker_task_slots_available{namespace="approvals"} 7`,
		`temporal_request_latency_seconds_bucket{namespace="approvals",le="0.025"} 1`,
		`temporal_request_latency_seconds_bucket{namespace="approvals",le="5"} 2`,
		`temporal_request_latency_seconds_count{namespace="approvals"} 2`)
}

// Open and overdue tasks are counted from the database on each scrape.
func TestTasks(t *testing.T) {
	db, err := models.Open("", filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := models.Migrate(db, workflows.RecordModels()...); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	task := func(id, city, proc, status string, due time.Time, statutory bool) models.Task {
		return models.Task{ID: id, Procedure: proc, ProcedureID: "p-" + id, WorkflowID: "w-" + id, Kind: "review",
			Jurisdiction: city, AssigneeRole: "department", Status: status, DueAt: due, Statutory: statutory}
	}
	for _, x := range []models.Task{
		task("1", "wuhan", "share", models.TaskOpen, now.Add(time.Hour), true),
		task("2", "wuhan", "share", models.TaskOpen, now.Add(-time.Hour), true),
		task("3", "wuhan", "share", "closed", now.Add(-time.Hour), true),
		task("5", "wuhan", "share", models.TaskOpen, now.Add(-time.Hour), false), // a service level
		task("4", "xiamen", "open-data", models.TaskOpen, now.Add(24*time.Hour), true),
	} {
		if err := db.Create(&x).Error; err != nil {
			t.Fatal(err)
		}
	}
	r := New()
	Tasks(r, db, func() time.Time { return now })
	text := scrape(t, Handler(r))
	has(t, text,
		`approvals_tasks_open{city="wuhan",level="statutory",procedure="share"} 2`,
		`approvals_tasks_overdue{city="wuhan",level="statutory",procedure="share"} 1`,
		`approvals_tasks_open{city="wuhan",level="service",procedure="share"} 1`,
		`approvals_tasks_overdue{city="wuhan",level="service",procedure="share"} 1`,
		`approvals_tasks_open{city="xiamen",level="statutory",procedure="open-data"} 1`,
		`approvals_tasks_overdue{city="xiamen",level="statutory",procedure="open-data"} 0`)
	if strings.Contains(text, "approvals_tasks_scrape_error") {
		t.Errorf("scrape error reported:\n%s", text)
	}
}

// The archive's lag is now minus the archiver's watermark; a watermark
// that cannot be read is reported, not hidden.
func TestArchiveLag(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	r := New()
	ArchiveLag(r, func(context.Context) (time.Time, error) { return now.Add(-90 * time.Second), nil }, func() time.Time { return now })
	has(t, scrape(t, Handler(r)), `approvals_archive_lag_seconds 90`)

	r = New()
	ArchiveLag(r, func(context.Context) (time.Time, error) { return time.Time{}, errors.New("no archiver") }, func() time.Time { return now })
	has(t, scrape(t, Handler(r)), `approvals_archive_scrape_error 1`)
}
