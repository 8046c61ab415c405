package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The session cookie authenticates like the Bearer header; a write
// authenticated by it needs the CSRF cookie echoed in X-CSRF-Token, and a
// Bearer write does not.
func TestSessionCookieAndCSRF(t *testing.T) {
	s := testServer(t)
	h := s.Handler()
	tok, err := Sign(s.Secret, "carol", RoleAuthority, "", "wuhan", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	send := func(method, path string, bearer bool, csrfCookie, csrfHeader string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(`{"decision":"approve"}`))
		req.Header.Set("Content-Type", "application/json")
		if bearer {
			req.Header.Set("Authorization", "Bearer "+tok)
		} else {
			req.AddCookie(&http.Cookie{Name: SessionCookie, Value: tok})
		}
		if csrfCookie != "" {
			req.AddCookie(&http.Cookie{Name: CSRFCookie, Value: csrfCookie})
		}
		if csrfHeader != "" {
			req.Header.Set(CSRFHeader, csrfHeader)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}

	rec := send(http.MethodGet, "/api/v1/session", false, "", "")
	var who sessionView
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &who) != nil || who.Subject != "carol" || who.Jurisdiction != "wuhan" {
		t.Fatalf("GET /api/v1/session with the cookie: %d %s", rec.Code, rec.Body)
	}
	for name, c := range map[string][2]string{"no CSRF token": {"", ""}, "header only": {"", "abc"}, "cookie only": {"abc", ""}, "mismatch": {"abc", "abd"}} {
		rec := send(http.MethodPost, "/session/logout", false, c[0], c[1])
		if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), `"field":"X-CSRF-Token"`) {
			t.Errorf("%s: logout answered %d %s, want 403 naming X-CSRF-Token", name, rec.Code, rec.Body)
		}
	}
	if rec := send(http.MethodPost, "/session/logout", false, "abc", "abc"); rec.Code != http.StatusNoContent || !strings.Contains(rec.Header().Get("Set-Cookie"), SessionCookie+"=;") {
		t.Errorf("logout with the CSRF token: %d %q", rec.Code, rec.Header().Get("Set-Cookie"))
	}
	// An authenticated write: refused before the handler without the token.
	if rec := send(http.MethodPost, "/api/v1/tasks/t1/decision", false, "abc", ""); rec.Code != http.StatusForbidden {
		t.Errorf("cookie write without CSRF: %d %s", rec.Code, rec.Body)
	}
	// Bearer writes need no CSRF token: this one reaches the handler (which
	// panics on the missing database, recovered as a 500) rather than 403.
	if rec := send(http.MethodPost, "/api/v1/tasks/t1/decision", true, "", ""); rec.Code == http.StatusForbidden || rec.Code == http.StatusUnauthorized {
		t.Errorf("Bearer write: %d %s", rec.Code, rec.Body)
	}
	// No development sign-in unless DevLogin.
	req := httptest.NewRequest(http.MethodGet, "/dev/users", nil)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound {
		t.Errorf("GET /dev/users without DevLogin: %d", rec.Code)
	}
}
