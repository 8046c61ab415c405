package api

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cityapprovals/approvals/console"
	"github.com/cityapprovals/approvals/models"
	"github.com/labstack/echo/v4"
)

// The web console's session: the token in an HTTP-only cookie,
// accepted by authenticate as an alternative to the Authorization header,
// and a readable CSRF cookie that a state-changing request authenticated by
// the session cookie must echo in the CSRF header (double submit). Bearer
// requests are unaffected.
const (
	SessionCookie = "approvals_session"
	CSRFCookie    = "approvals_csrf"
	CSRFHeader    = "X-CSRF-Token"
)

// sessionTTL is the lifetime of a development sign-in's token.
const sessionTTL = 12 * time.Hour

// credential is the caller's token: the Bearer header's, else the session
// cookie's (checking the CSRF token of a state-changing request), else a 401.
func (s *Server) credential(c echo.Context) (string, error) {
	if h := c.Request().Header.Get(echo.HeaderAuthorization); h != "" {
		raw, ok := strings.CutPrefix(h, "Bearer ")
		if ok && raw != "" {
			return raw, nil
		}
	} else if ck, err := c.Cookie(SessionCookie); err == nil && ck.Value != "" {
		if err := checkCSRF(c); err != nil {
			return "", err
		}
		return ck.Value, nil
	}
	c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer`)
	return "", problem(http.StatusUnauthorized, "an Authorization: Bearer <token> header (or the console's session cookie) is required")
}

// checkCSRF refuses a state-changing request whose CSRF header does not
// match the CSRF cookie.
func checkCSRF(c echo.Context) error {
	switch c.Request().Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	ck, err := c.Cookie(CSRFCookie)
	h := c.Request().Header.Get(CSRFHeader)
	if err != nil || ck.Value == "" || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(h)) != 1 {
		return problem(http.StatusForbidden, "a request authenticated by the session cookie needs the "+CSRFCookie+" cookie's value in "+CSRFHeader,
			FieldError{CSRFHeader, "missing or not the " + CSRFCookie + " cookie's value"})
	}
	return nil
}

// setSession puts a token in the session cookie and a fresh CSRF token in
// its readable cookie; Secure when served over TLS (or behind a TLS proxy,
// HSTS).
func (s *Server) setSession(c echo.Context, token string, ttl time.Duration) error {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return fmt.Errorf("csrf token: %w", err)
	}
	secure := s.HSTS || c.Request().TLS != nil
	exp := time.Now().Add(ttl)
	c.SetCookie(&http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode, Expires: exp})
	c.SetCookie(&http.Cookie{Name: CSRFCookie, Value: base64.RawURLEncoding.EncodeToString(b), Path: "/", Secure: secure, SameSite: http.SameSiteStrictMode, Expires: exp})
	return nil
}

// sessionView is who the caller is, for the console.
type sessionView struct {
	Subject      string `json:"subject"`
	Role         string `json:"role"`
	Dept         string `json:"dept,omitempty"`
	Jurisdiction string `json:"jurisdiction,omitempty"`
}

func view(cl *Claims) sessionView {
	return sessionView{Subject: cl.Subject, Role: cl.Role, Dept: cl.Dept, Jurisdiction: cl.Jurisdiction}
}

// routeConsole serves the console at / and /console/, who the caller is at
// GET /api/v1/session, sign-out at POST /session/logout and, in `approvals
// dev` only (DevLogin), the development sign-in.
func (s *Server) routeConsole(e *echo.Echo, a *echo.Group) {
	h := echo.WrapHandler(console.Handler())
	e.GET("/", h)
	for _, dir := range console.Dirs() {
		e.GET(console.Route(dir), h)
	}
	a.GET("/session", func(c echo.Context) error { return c.JSON(http.StatusOK, view(claims(c))) })
	e.POST("/session/logout", s.logout)
	if s.Login != nil { // the city's identity provider (api/oidc_login.go)
		e.GET("/auth/login", s.oidcLogin)
		e.GET("/auth/callback", s.oidcCallback)
	}
	if s.DevLogin {
		e.GET("/dev/users", s.devUsers)
		e.POST("/dev/session", s.devSession)
	}
}

// logout clears the session's cookies.
func (s *Server) logout(c echo.Context) error {
	if _, err := c.Cookie(SessionCookie); err == nil {
		if err := checkCSRF(c); err != nil {
			return err
		}
	}
	for _, name := range []string{SessionCookie, CSRFCookie} {
		c.SetCookie(&http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: name == SessionCookie, SameSite: http.SameSiteStrictMode})
	}
	return c.NoContent(http.StatusNoContent)
}

// devUser is one demo identity of the development sign-in.
type devUser struct {
	sessionView
	Name string `json:"name,omitempty"` // the department's name
}

// devUsers lists demo users: a clerk of every department, each city's
// authority, information centre, government and an applicant, an auditor
// and an admin (development only).
func (s *Server) devUsers(c echo.Context) error {
	var depts []models.Department
	if err := s.DB.WithContext(c.Request().Context()).Order("jurisdiction, code").Find(&depts).Error; err != nil {
		return fmt.Errorf("list departments: %w", err)
	}
	var out []devUser
	for _, city := range s.Regulations.Cities() {
		for _, r := range []string{RoleAuthority, RoleInfocenter, RoleGovernment} {
			out = append(out, devUser{sessionView: sessionView{Subject: r + "-" + city, Role: r, Jurisdiction: city}})
		}
		for _, d := range depts {
			if d.Jurisdiction == city {
				out = append(out, devUser{sessionView: sessionView{Subject: "clerk-" + d.Code, Role: RoleDepartment, Dept: d.Code, Jurisdiction: city}, Name: d.Name})
			}
		}
		out = append(out, devUser{sessionView: sessionView{Subject: "applicant-" + city, Role: RoleApplicant, Jurisdiction: city}})
	}
	out = append(out, devUser{sessionView: sessionView{Subject: "auditor1", Role: RoleAuditor}}, devUser{sessionView: sessionView{Subject: "admin1", Role: RoleAdmin}})
	return c.JSON(http.StatusOK, map[string]any{"development_only": true, "items": out})
}

type devSessionInput struct {
	Subject      string `json:"subject" bound:"id"`
	Role         string `json:"role" bound:"id"`
	Dept         string `json:"dept" bound:"id"`
	Jurisdiction string `json:"jurisdiction" bound:"id"`
}

// devSession signs in as a demo user: it mints the HS256 token `approvals
// token` makes and puts it in the session cookie (development only).
func (s *Server) devSession(c echo.Context) error {
	var in devSessionInput
	if err := bind(c, &in); err != nil {
		return err
	}
	if !slices.Contains(Roles, in.Role) {
		return invalid(FieldError{"role", "must be one of " + strings.Join(Roles, ", ")})
	}
	tok, err := SignFor(or(s.Issuer, DefaultIssuer), or(s.Audience, DefaultAudience), s.Secret, in.Subject, in.Role, in.Dept, in.Jurisdiction, sessionTTL, time.Now())
	if err != nil {
		return invalid(FieldError{"subject", err.Error()})
	}
	cl, why := s.verify(c.Request().Context(), tok)
	if why != "" {
		return invalid(FieldError{"jurisdiction", why})
	}
	if err := s.setSession(c, tok, sessionTTL); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, view(cl))
}
