package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/golang-jwt/jwt/v5"
)

// OIDCAlgs are the signing algorithms accepted from an OpenID Connect
// provider: asymmetric only, so a provider's public keys cannot forge.
var OIDCAlgs = []string{oidc.RS256, oidc.ES256, oidc.EdDSA}

// Defaults of the OIDC settings.
const (
	DefaultRoleClaim         = "role"
	DefaultDeptClaim         = "dept"
	DefaultJurisdictionClaim = "jurisdiction"
	// DefaultClockSkew is how long after its exp a token is still taken,
	// and how far in the future its iat may lie.
	DefaultClockSkew = time.Minute
)

// OIDCConfig says which provider issues the API's tokens and where its
// claims carry a caller's role, department and jurisdiction.
type OIDCConfig struct {
	// Issuer is the provider's issuer URL (discovery is read from
	// Issuer/.well-known/openid-configuration); Audience the aud a token
	// must carry.
	Issuer, Audience string
	// RoleClaim, DeptClaim and JurisdictionClaim name the claims (the
	// Default… names when empty). A role claim may be a string or a list,
	// of which the first known role counts.
	RoleClaim, DeptClaim, JurisdictionClaim string
	// MaxTTL caps exp − iat (DefaultMaxTokenTTL when zero); ClockSkew is
	// the leeway on exp and iat (DefaultClockSkew when zero).
	MaxTTL, ClockSkew time.Duration
	// HTTP fetches discovery and keys (http.DefaultClient when nil).
	HTTP *http.Client
	// Now is the clock (time.Now when nil), for tests.
	Now func() time.Time
}

// OIDC verifies tokens from an OpenID Connect provider. Its keys come from
// the provider's JWKS, cached, and fetched again when a token names a key
// it does not hold (key rotation).
type OIDC struct {
	cfg OIDCConfig
	v   *oidc.IDTokenVerifier
}

// NewOIDC reads the provider's discovery document and prepares the
// verifier.
func NewOIDC(ctx context.Context, cfg OIDCConfig) (*OIDC, error) {
	if cfg.Issuer == "" || cfg.Audience == "" {
		return nil, errors.New("an OIDC provider needs its issuer and the audience")
	}
	cfg.RoleClaim = or(cfg.RoleClaim, DefaultRoleClaim)
	cfg.DeptClaim = or(cfg.DeptClaim, DefaultDeptClaim)
	cfg.JurisdictionClaim = or(cfg.JurisdictionClaim, DefaultJurisdictionClaim)
	if cfg.MaxTTL == 0 {
		cfg.MaxTTL = DefaultMaxTokenTTL
	}
	if cfg.ClockSkew == 0 {
		cfg.ClockSkew = DefaultClockSkew
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	// The key set keeps this context for its later fetches.
	kctx := oidc.ClientContext(context.WithoutCancel(ctx), cfg.HTTP)
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, cfg.HTTP), cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("read the OIDC discovery of %s: %w", cfg.Issuer, err)
	}
	skew := cfg.ClockSkew
	v := p.VerifierContext(kctx, &oidc.Config{ClientID: cfg.Audience, SupportedSigningAlgs: OIDCAlgs,
		// exp is checked against a clock behind by the leeway.
		Now: func() time.Time { return cfg.Now().Add(-skew) }})
	return &OIDC{cfg: cfg, v: v}, nil
}

// Verify checks a token's signature, iss, aud, exp, iat and lifetime and
// reads its identity; an error says why the token is refused.
func (o *OIDC) Verify(ctx context.Context, raw string) (*Claims, error) {
	t, err := o.v.Verify(ctx, raw)
	if err != nil {
		return nil, err
	}
	if t.IssuedAt.IsZero() {
		return nil, errors.New("the token has no issue time (iat)")
	}
	if t.IssuedAt.After(o.cfg.Now().Add(o.cfg.ClockSkew)) {
		return nil, fmt.Errorf("the token is issued in the future (iat %s)", t.IssuedAt.UTC().Format(time.RFC3339))
	}
	if ttl := t.Expiry.Sub(t.IssuedAt); ttl > o.cfg.MaxTTL {
		return nil, fmt.Errorf("the token lives %s (exp - iat); at most %s is accepted", ttl, o.cfg.MaxTTL)
	}
	var all map[string]any
	if err := t.Claims(&all); err != nil {
		return nil, fmt.Errorf("read the token's claims: %w", err)
	}
	cl := &Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: t.Subject, Issuer: t.Issuer,
		Audience: t.Audience, IssuedAt: jwt.NewNumericDate(t.IssuedAt), ExpiresAt: jwt.NewNumericDate(t.Expiry)}}
	var ok bool
	if cl.Role, ok = role(all[o.cfg.RoleClaim]); !ok {
		return nil, fmt.Errorf("the token has no known role in its %q claim", o.cfg.RoleClaim)
	}
	if cl.Dept, ok = str(all[o.cfg.DeptClaim]); !ok {
		return nil, fmt.Errorf("the token's %q claim is not a string", o.cfg.DeptClaim)
	}
	if cl.Jurisdiction, ok = str(all[o.cfg.JurisdictionClaim]); !ok {
		return nil, fmt.Errorf("the token's %q claim is not a string", o.cfg.JurisdictionClaim)
	}
	return cl, nil
}

// role reads a role claim: a string, or the first known role of a list.
func role(v any) (string, bool) {
	switch r := v.(type) {
	case string:
		return r, r != ""
	case []any:
		for _, e := range r {
			if s, ok := e.(string); ok && slices.Contains(Roles, s) {
				return s, true
			}
		}
	}
	return "", false
}

// str reads an optional string claim.
func str(v any) (string, bool) {
	if v == nil {
		return "", true
	}
	s, ok := v.(string)
	return s, ok
}
