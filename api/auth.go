package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/roles"
	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// Roles of the people who use the API (package roles defines them).
const (
	RoleDepartment = roles.Department
	RoleAuthority  = roles.Authority
	RoleInfocenter = roles.Infocenter
	RoleGovernment = roles.Government
	RoleApplicant  = roles.Applicant
	RoleAuditor    = roles.Auditor
	RoleAdmin      = roles.Admin
)

// Roles lists every role.
var Roles = roles.All

// DevSecret signs tokens in development (`approvals dev` and `approvals token`
// when APPROVALS_JWT_SECRET is unset). `approvals api` refuses it.
const DevSecret = "approvals-development-secret-do-not-deploy"

// Claims are what a token says about its bearer.
type Claims struct {
	jwt.RegisteredClaims
	Role         string `json:"role"`
	Dept         string `json:"dept,omitempty"`
	Jurisdiction string `json:"jurisdiction,omitempty"`
}

// Token defaults: the iss and aud that tokens carry and the API requires,
// and the longest lifetime (exp − iat) it accepts, unless configured
// (APPROVALS_JWT_ISSUER, APPROVALS_JWT_AUDIENCE, APPROVALS_JWT_MAX_TTL).
const (
	DefaultIssuer      = "approvals"
	DefaultAudience    = "approvals-api"
	DefaultMaxTokenTTL = 24 * time.Hour
)

// Sign issues an HS256 token with the default issuer and audience.
func Sign(secret []byte, subject, role, dept, jurisdiction string, ttl time.Duration, now time.Time) (string, error) {
	return SignFor(DefaultIssuer, DefaultAudience, secret, subject, role, dept, jurisdiction, ttl, now)
}

// SignFor issues an HS256 token for an issuer and audience.
func SignFor(issuer, audience string, secret []byte, subject, role, dept, jurisdiction string, ttl time.Duration, now time.Time) (string, error) {
	if subject == "" {
		return "", errors.New("subject is required")
	}
	if !slices.Contains(Roles, role) {
		return "", fmt.Errorf("role %q is not one of %s", role, strings.Join(Roles, ", "))
	}
	if role == RoleDepartment && dept == "" {
		return "", errors.New("a department token needs --dept")
	}
	if slices.Contains(cityRoles, role) && jurisdiction == "" {
		return "", fmt.Errorf("a token of role %s needs --jurisdiction", role)
	}
	c := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject: subject, IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
			Issuer: issuer, Audience: jwt.ClaimStrings{audience},
		},
		Role: role, Dept: dept, Jurisdiction: jurisdiction,
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(secret)
}

const claimsKey = "claims"

// authenticate checks the bearer token (or the console's session, api/session.go).
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		raw, err := s.credential(c) // the Bearer header, or the console's session cookie
		if err != nil {
			return err
		}
		cl, why := s.verify(c.Request().Context(), raw)
		if why != "" {
			if err := s.limit("ip:" + c.RealIP()); err != nil {
				return err
			}
			return invalidToken(c, why)
		}
		if err := s.limit(strings.Join([]string{"id", cl.Role, cl.Subject, cl.Dept}, "\x00")); err != nil {
			return err
		}
		c.Set(claimsKey, cl)
		return next(c)
	}
}

// verify checks a token, with the OIDC provider when there is one (HS256
// development tokens are then refused) and else with the HS256 secret; it
// answers the caller's claims or why the token is refused.
func (s *Server) verify(ctx context.Context, raw string) (*Claims, string) {
	if s.OIDC != nil {
		cl, err := s.OIDC.Verify(ctx, raw)
		if err != nil {
			return nil, err.Error()
		}
		return cl, s.incomplete(cl)
	}
	var cl Claims
	_, err := jwt.ParseWithClaims(raw, &cl, func(*jwt.Token) (any, error) { return s.Secret, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired(), jwt.WithIssuedAt(),
		jwt.WithIssuer(or(s.Issuer, DefaultIssuer)), jwt.WithAudience(or(s.Audience, DefaultAudience)))
	if err != nil {
		return nil, err.Error()
	}
	if why := s.incomplete(&cl); why != "" {
		return nil, why
	}
	return &cl, s.tooLong(&cl)
}

// cityRoles are the roles that act for one city and so need a jurisdiction.
var cityRoles = []string{RoleAuthority, RoleInfocenter, RoleGovernment}

// incomplete tells what a verified token lacks for its role, or "": an
// identity is (role, subject, department), so a department needs its dept,
// every caller a subject, and the city's roles a known jurisdiction.
func (s *Server) incomplete(cl *Claims) string {
	switch {
	case !slices.Contains(Roles, cl.Role):
		return fmt.Sprintf("role %q is not one of %s", cl.Role, strings.Join(Roles, ", "))
	case strings.TrimSpace(cl.Subject) == "":
		return "the token has no subject (sub)"
	case cl.Role == RoleDepartment && strings.TrimSpace(cl.Dept) == "":
		return "a department token needs its department (dept)"
	case slices.Contains(cityRoles, cl.Role) && cl.Jurisdiction == "":
		return "a token of role " + cl.Role + " needs its city (jurisdiction)"
	case cl.Jurisdiction != "" && s.Regulations != nil:
		if _, ok := s.Regulations.Get(cl.Jurisdiction); !ok {
			return fmt.Sprintf("jurisdiction %q is not a known city", cl.Jurisdiction)
		}
	}
	return ""
}

// tooLong refuses a token without iat, or one living longer than the cap.
func (s *Server) tooLong(cl *Claims) string {
	max := s.MaxTokenTTL
	if max == 0 {
		max = DefaultMaxTokenTTL
	}
	if cl.IssuedAt == nil {
		return "the token has no issue time (iat)"
	}
	if ttl := cl.ExpiresAt.Sub(cl.IssuedAt.Time); ttl > max {
		return fmt.Sprintf("the token lives %s (exp - iat); at most %s is accepted", ttl, max)
	}
	return ""
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// invalidToken refuses a token (401) and says why, in the problem and in
// WWW-Authenticate (RFC 6750).
func invalidToken(c echo.Context, why string) error {
	desc := strings.Map(func(r rune) rune {
		if r == '"' || r == '\\' || r < 0x20 || r > 0x7e {
			return '\''
		}
		return r
	}, why)
	c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer error="invalid_token", error_description="`+desc+`"`)
	return problem(http.StatusUnauthorized, "invalid token: "+why)
}

func claims(c echo.Context) *Claims { return c.Get(claimsKey).(*Claims) }

// allow refuses callers whose role is not listed.
func allow(c echo.Context, roles ...string) (*Claims, error) {
	cl := claims(c)
	if !slices.Contains(roles, cl.Role) {
		return cl, problem(http.StatusForbidden, fmt.Sprintf("role %s may not do this (allowed: %s)", cl.Role, strings.Join(roles, ", ")))
	}
	return cl, nil
}

// callerDept loads the department of a department caller's token. A token
// naming a department that is not registered lacks the right to act for it:
// a 403 naming dept (the token's claim; a department the body names is the
// body's field, a 422, see registered).
func (s *Server) callerDept(c echo.Context, cl *Claims) (models.Department, error) {
	var dept models.Department
	if err := s.DB.WithContext(c.Request().Context()).First(&dept, "code = ?", cl.Dept).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return dept, problem(http.StatusForbidden, fmt.Sprintf("department %q of the token is not registered", cl.Dept),
				FieldError{"dept", fmt.Sprintf("department %q of the token is not registered", cl.Dept)})
		}
		return dept, fmt.Errorf("load department %s: %w", cl.Dept, err)
	}
	return dept, nil
}

// registeredCaller refuses a department caller whose department is not
// registered (callerDept's 403): it may not file or upload anything. Other
// roles pass.
func (s *Server) registeredCaller(c echo.Context, cl *Claims) error {
	if cl.Role != RoleDepartment {
		return nil
	}
	_, err := s.callerDept(c, cl)
	return err
}
