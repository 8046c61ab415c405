package api

import (
	"net/http"
	"slices"
	"testing"
)

// A public list refuses a query parameter it does not know: a 400 naming
// the first unknown one by name and listing the known ones, the same on
// every route that checks them (onlyParams).
func TestOnlyParams(t *testing.T) {
	w := newFilingWorld(t)
	for _, path := range []string{"/api/v1/open-list", "/api/v1/open-plans"} {
		rec, p := w.do(t, "GET", path+"?jurisdiction=wuhan&zeta=1&alpha=2", "", RoleApplicant, "", "wuhan")
		if rec.Code != http.StatusBadRequest || !slices.Equal(fieldNames(p), []string{"alpha"}) {
			t.Fatalf("%s: got %d %s, want a 400 naming alpha", path, rec.Code, rec.Body)
		}
		if rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: answered as %s", path, rec.Header().Get("Content-Type"))
		}
	}
	rec, p := w.do(t, "GET", "/api/v1/reports/deadlines?jurisdiction=wuhan&page=1", "", RoleAuditor, "", "")
	if rec.Code != http.StatusBadRequest || !slices.Equal(fieldNames(p), []string{"page"}) ||
		p["errors"].([]any)[0].(map[string]any)["message"] != "unknown parameter (use jurisdiction, procedure, from, to, group, format)" {
		t.Fatalf("reports: got %d %s", rec.Code, rec.Body)
	}
}
