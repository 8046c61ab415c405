package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/regulations"
	"github.com/golang-jwt/jwt/v5"
)

// testServer is a Server with what authentication needs, and no database:
// the requests in these tests are refused before any handler runs.
func testServer(t *testing.T) *Server {
	t.Helper()
	reg, err := regulations.Load("")
	if err != nil {
		t.Fatal(err)
	}
	return &Server{Secret: []byte("a-test-secret-of-enough-entropy-9f3a1c"), Regulations: reg}
}

// rawToken signs claims as they are, without Sign's checks.
func rawToken(t *testing.T, secret []byte, cl Claims) string {
	t.Helper()
	now := time.Now()
	if cl.IssuedAt == nil {
		cl.IssuedAt = jwt.NewNumericDate(now)
	}
	if cl.Issuer == "" {
		cl.Issuer, cl.Audience = DefaultIssuer, jwt.ClaimStrings{DefaultAudience}
	}
	if cl.ExpiresAt == nil {
		cl.ExpiresAt = jwt.NewNumericDate(now.Add(time.Hour))
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, cl).SignedString(secret)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// A token that lacks what its role needs is refused at authentication,
// with WWW-Authenticate saying why.
func TestIncompleteTokenRefused(t *testing.T) {
	s := testServer(t)
	h := s.Handler()
	for name, cl := range map[string]Claims{
		"department without dept":    {RegisteredClaims: jwt.RegisteredClaims{Subject: "bob"}, Role: RoleDepartment, Jurisdiction: "wuhan"},
		"applicant without sub":      {Role: RoleApplicant},
		"authority without city":     {RegisteredClaims: jwt.RegisteredClaims{Subject: "carol"}, Role: RoleAuthority},
		"government of no city":      {RegisteredClaims: jwt.RegisteredClaims{Subject: "mayor"}, Role: RoleGovernment, Jurisdiction: "atlantis"},
		"infocenter without city":    {RegisteredClaims: jwt.RegisteredClaims{Subject: "ic"}, Role: RoleInfocenter},
		"unknown role":               {RegisteredClaims: jwt.RegisteredClaims{Subject: "x"}, Role: "mayor"},
		"department with blank dept": {RegisteredClaims: jwt.RegisteredClaims{Subject: "bob"}, Role: RoleDepartment, Dept: "  "},
	} {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/tasks", nil)
		req.Header.Set("Authorization", "Bearer "+rawToken(t, s.Secret, cl))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		www := rec.Header().Get("WWW-Authenticate")
		if rec.Code != http.StatusUnauthorized || !strings.HasPrefix(www, `Bearer error="invalid_token", error_description="`) {
			t.Errorf("%s: %d, WWW-Authenticate %q: %s", name, rec.Code, www, rec.Body)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("%s: answered as %q", name, ct)
		}
	}
}
