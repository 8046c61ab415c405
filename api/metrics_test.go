package api

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/metrics"
	"github.com/rs/zerolog"
)

// The API serves /metrics with its requests by route template and status,
// and its request log names the caller's subject and role.
func TestMetricsAndCallerInLog(t *testing.T) {
	var logs bytes.Buffer
	s := testServer(t)
	s.Log = zerolog.New(&logs)
	s.Metrics = metrics.New()
	h := s.Handler()
	tok, err := Sign(s.Secret, "ann", RoleApplicant, "", "", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPut, "/api/v1/calendar/years/2027", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Fatalf("an applicant publishing a calendar: %d %s", rec.Code, rec.Body)
	}
	if l := logs.String(); !strings.Contains(l, `"subject":"ann"`) || !strings.Contains(l, `"role":"applicant"`) {
		t.Errorf("the request log lacks the caller: %s", l)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	want := `approvals_http_requests_total{method="PUT",route="/api/v1/calendar/years/:year",status="403"} 1`
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
		t.Fatalf("/metrics: %d, want %s in:\n%s", rec.Code, want, rec.Body)
	}
}
