package api

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"
)

// Limits of one connection, unless the Server sets its own: a request's
// headers must arrive within ReadHeaderTimeout and the whole request (body
// included) within ReadTimeout, so that a trickled body cannot hold a
// connection; WriteTimeout bounds a request's handling (a decision waits for
// its workflow), IdleTimeout a kept-alive connection.
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 30 * time.Second
	WriteTimeout      = 120 * time.Second
	IdleTimeout       = 120 * time.Second
)

// HTTPServer is the HTTP server of the API on addr, with its timeouts.
func (s *Server) HTTPServer(addr string) *http.Server {
	read := s.ReadTimeout
	if read == 0 {
		read = ReadTimeout
	}
	return &http.Server{Addr: addr, Handler: s.Tracing.HTTP(s.Handler()), ReadHeaderTimeout: min(ReadHeaderTimeout, read),
		ReadTimeout: read, WriteTimeout: WriteTimeout, IdleTimeout: IdleTimeout}
}

// requestIDPattern is what a client's X-Request-Id must look like to be kept
// (and logged); any other value is replaced by a fresh one.
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// requestID gives every request an ID, the client's when it is safe.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !requestIDPattern.MatchString(id) {
			b := make([]byte, 16)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
			c.Request().Header.Set(echo.HeaderXRequestID, id)
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

// securityHeaders sets the headers every answer carries; HSTS when the
// request came over TLS or the server is configured to send it (behind a
// TLS-terminating proxy).
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "frame-ancestors 'none'")
		h.Set("Referrer-Policy", "no-referrer")
		if s.HSTS || c.Request().TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		return next(c)
	}
}

// limiter is the per-caller rate limit: RateLimit requests a second on
// average, bursts of RateBurst; nil when off.
func (s *Server) limiter() *middleware.RateLimiterMemoryStore {
	if s.RateLimit <= 0 {
		return nil
	}
	burst := s.RateBurst
	if burst <= 0 {
		burst = int(math.Ceil(2 * s.RateLimit))
	}
	return middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: rate.Limit(s.RateLimit), Burst: burst, ExpiresIn: 3 * time.Minute,
	})
}

// limit answers 429 with Retry-After when the caller identified by key is
// over the rate limit.
func (s *Server) limit(key string) error {
	if s.rates == nil {
		return nil
	}
	ok, err := s.rates.Allow(key)
	if err != nil {
		return fmt.Errorf("rate limit: %w", err)
	}
	if ok {
		return nil
	}
	wait := int(math.Ceil(1 / s.RateLimit))
	return &Problem{Type: "about:blank", Title: http.StatusText(http.StatusTooManyRequests), Status: http.StatusTooManyRequests,
		Detail:     fmt.Sprintf("too many requests from this caller (at most %g a second); retry after %d s", s.RateLimit, wait),
		retryAfter: strconv.Itoa(wait)}
}

// limitAnonymous rate-limits API requests without a token by the client's
// IP; those with one are limited by their identity once authenticated (and
// by IP when the token is refused). Health checks are not limited.
func (s *Server) limitAnonymous(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if strings.HasPrefix(c.Request().URL.Path, "/api/") && c.Request().Header.Get(echo.HeaderAuthorization) == "" && !hasSession(c) {
			if err := s.limit("ip:" + c.RealIP()); err != nil {
				return err
			}
		}
		return next(c)
	}
}

// hasSession tells whether the request carries the console's session cookie.
func hasSession(c echo.Context) bool {
	ck, err := c.Cookie(SessionCookie)
	return err == nil && ck.Value != ""
}
