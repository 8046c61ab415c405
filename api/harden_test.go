package api

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// serve answers one request on h.
func serve(h http.Handler, method, path, token string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// Tokens are checked for issuer, audience and lifetime.
func TestTokenIssuerAudienceLifetime(t *testing.T) {
	s := testServer(t)
	h := s.Handler()
	now := time.Now()
	base := func() Claims {
		return Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "bob", Issuer: DefaultIssuer, Audience: jwt.ClaimStrings{DefaultAudience},
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour))}, Role: RoleDepartment, Dept: "WH-RS"}
	}
	// A sound token reaches the handler (403: departments may not register departments).
	if rec := serve(h, "POST", "/api/v1/departments", rawToken(t, s.Secret, base())); rec.Code != http.StatusForbidden {
		t.Fatalf("sound token: %d %s", rec.Code, rec.Body)
	}
	for name, edit := range map[string]func(*Claims){
		"48 h lifetime":  func(c *Claims) { c.ExpiresAt = jwt.NewNumericDate(now.Add(48 * time.Hour)) },
		"no iat":         func(c *Claims) { c.IssuedAt = nil },
		"other issuer":   func(c *Claims) { c.Issuer = "someone-else" },
		"no issuer":      func(c *Claims) { c.Issuer = "" },
		"other audience": func(c *Claims) { c.Audience = jwt.ClaimStrings{"another-api"} },
	} {
		cl := base()
		edit(&cl)
		tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, cl).SignedString(s.Secret)
		if err != nil {
			t.Fatal(err)
		}
		rec := serve(h, "POST", "/api/v1/departments", tok)
		if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Header().Get("WWW-Authenticate"), "invalid_token") {
			t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
		}
	}
	// Sign mints what the API accepts; a configured issuer refuses it.
	tok, err := Sign(s.Secret, "bob", RoleDepartment, "WH-RS", "wuhan", time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	if rec := serve(h, "POST", "/api/v1/departments", tok); rec.Code != http.StatusForbidden {
		t.Fatalf("Sign's token: %d %s", rec.Code, rec.Body)
	}
	other := testServer(t)
	other.Issuer = "https://idp.example"
	if rec := serve(other.Handler(), "POST", "/api/v1/departments", tok); rec.Code != http.StatusUnauthorized {
		t.Fatalf("a token of the default issuer on a server configured for another: %d", rec.Code)
	}
}

// Every answer carries the security headers; a client's X-Request-Id is kept
// only when it is safe to log.
func TestSecurityHeadersAndRequestID(t *testing.T) {
	s := testServer(t)
	rec := serve(s.Handler(), "GET", "/healthz", "", "X-Request-Id", "req-42.a:b_c")
	for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "frame-ancestors 'none'",
		"Referrer-Policy": "no-referrer", "X-Request-Id": "req-42.a:b_c"} {
		if got := rec.Header().Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if rec.Header().Get("Strict-Transport-Security") != "" {
		t.Error("HSTS over plain HTTP without APPROVALS_HSTS")
	}
	for _, bad := range []string{"evil\x1b[31mred", "a b", strings.Repeat("x", 129), `"}{"level":"error"`} {
		got := serve(s.Handler(), "GET", "/healthz", "", "X-Request-Id", bad).Header().Get("X-Request-Id")
		if got == bad || len(got) != 32 {
			t.Errorf("X-Request-Id %q answered as %q, want a fresh ID", bad, got)
		}
	}
	s.HSTS = true
	if got := serve(s.Handler(), "GET", "/healthz", "").Header().Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
		t.Errorf("HSTS configured: %q", got)
	}
}

// Over the rate, a caller gets 429 with Retry-After; other callers do not
// (identities by token, anonymous callers by IP).
func TestRateLimit(t *testing.T) {
	s := testServer(t)
	s.RateLimit, s.RateBurst = 0.5, 2
	h := s.Handler()
	bob := rawToken(t, s.Secret, Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "bob"}, Role: RoleDepartment, Dept: "WH-RS"})
	ann := rawToken(t, s.Secret, Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "ann"}, Role: RoleDepartment, Dept: "WH-RS"})
	for i := range 2 {
		if rec := serve(h, "POST", "/api/v1/departments", bob); rec.Code != http.StatusForbidden {
			t.Fatalf("request %d within the burst: %d", i+1, rec.Code)
		}
	}
	rec := serve(h, "POST", "/api/v1/departments", bob)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "2" || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("over the rate: %d Retry-After %q %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	if rec := serve(h, "POST", "/api/v1/departments", ann); rec.Code != http.StatusForbidden {
		t.Fatalf("another caller is limited too: %d", rec.Code)
	}
	for range 2 {
		serve(h, "GET", "/api/v1/regulations", "")
	}
	if rec := serve(h, "GET", "/api/v1/regulations", ""); rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("anonymous over the rate: %d", rec.Code)
	}
	if rec := serve(h, "GET", "/healthz", ""); rec.Code != http.StatusOK {
		t.Fatalf("health checks are not limited: %d", rec.Code)
	}
}

// A body trickled a byte at a time does not hold the connection past the
// read timeout.
func TestTrickledBodyTimesOut(t *testing.T) {
	s := testServer(t)
	s.ReadTimeout = 500 * time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := s.HTTPServer(ln.Addr().String())
	go func() { _ = hs.Serve(ln) }() // ErrServerClosed when the test closes it
	defer hs.Close()

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tok := rawToken(t, s.Secret, Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "root"}, Role: RoleAdmin})
	fmt.Fprintf(conn, "POST /api/v1/departments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n", tok)
	start := time.Now()
	stop := make(chan struct{})
	defer close(stop)
	go func() { // 100 bytes at 10 a second would take 10 s
		for range 100 {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			if _, err := conn.Write([]byte(" ")); err != nil {
				return
			}
		}
	}()
	_ = conn.SetReadDeadline(time.Now().Add(8 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err == nil {
		resp.Body.Close()
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("the trickled request held the connection %s (answer %v, %v)", took, resp, err)
	}
}
