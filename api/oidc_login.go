package api

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"
)

// OIDCLoginConfig is the console's client at the city's provider:
// APPROVALS_OIDC_CLIENT_ID, APPROVALS_OIDC_CLIENT_SECRET (empty for a public
// client: PKCE protects the code) and APPROVALS_OIDC_REDIRECT_URL, the
// API's /auth/callback as the provider knows it.
type OIDCLoginConfig struct {
	Issuer, ClientID, ClientSecret, RedirectURL string
	// HTTP calls the provider; a client with a 10 s timeout when nil.
	HTTP *http.Client
}

// OIDCLogin signs people in to the console through the city's provider:
// the authorization code flow with PKCE (S256), a state and a nonce.
type OIDCLogin struct {
	cfg   OIDCLoginConfig
	oauth oauth2.Config
	id    *oidc.IDTokenVerifier
}

// NewOIDCLogin reads the provider's discovery document.
func NewOIDCLogin(ctx context.Context, cfg OIDCLoginConfig) (*OIDCLogin, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" || cfg.RedirectURL == "" {
		return nil, errors.New("the console's sign-in needs the issuer, its client ID and its redirect URL")
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, cfg.HTTP), cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("read the OIDC discovery of %s: %w", cfg.Issuer, err)
	}
	return &OIDCLogin{cfg: cfg,
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Endpoint: p.Endpoint(),
			RedirectURL: cfg.RedirectURL, Scopes: []string{oidc.ScopeOpenID, "profile"}},
		id: p.VerifierContext(oidc.ClientContext(context.WithoutCancel(ctx), cfg.HTTP), &oidc.Config{ClientID: cfg.ClientID, SupportedSigningAlgs: OIDCAlgs}),
	}, nil
}

// loginCookie carries state, PKCE verifier and nonce from /auth/login to
// /auth/callback: HttpOnly, SameSite=Lax (it must come back with the
// provider's redirect), ten minutes.
const loginCookie = "approvals_oidc"

func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// oidcLogin sends the browser to the provider.
func (s *Server) oidcLogin(c echo.Context) error {
	var parts [3]string // state, verifier, nonce
	for i := range parts {
		v, err := randomToken()
		if err != nil {
			return err
		}
		parts[i] = v
	}
	parts[1] = oauth2.GenerateVerifier()
	c.SetCookie(&http.Cookie{Name: loginCookie, Value: strings.Join(parts[:], "."), Path: "/auth", MaxAge: 600,
		HttpOnly: true, Secure: s.HSTS || c.Request().TLS != nil, SameSite: http.SameSiteLaxMode})
	return c.Redirect(http.StatusFound, s.Login.oauth.AuthCodeURL(parts[0], oauth2.S256ChallengeOption(parts[1]), oidc.Nonce(parts[2])))
}

// oidcCallback takes the provider's answer: it checks the state, exchanges
// the code with the PKCE verifier, checks the ID token and its nonce, and
// puts in the session cookie the token the API accepts (the access token,
// or the ID token where the provider's access tokens are opaque), verified
// as a Bearer token would be.
func (s *Server) oidcCallback(c echo.Context) error {
	ck, err := c.Cookie(loginCookie)
	parts := []string{}
	if err == nil {
		parts = strings.Split(ck.Value, ".")
	}
	c.SetCookie(&http.Cookie{Name: loginCookie, Value: "", Path: "/auth", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	if e := c.QueryParam("error"); e != "" {
		return problem(http.StatusUnauthorized, "the identity provider refused the sign-in: "+e+" "+c.QueryParam("error_description"))
	}
	if len(parts) != 3 || c.QueryParam("state") == "" || c.QueryParam("state") != parts[0] {
		return problem(http.StatusBadRequest, "the sign-in's state does not match this browser's (start again at /auth/login)", FieldError{"state", "does not match"})
	}
	ctx := oidc.ClientContext(c.Request().Context(), s.Login.cfg.HTTP)
	tok, err := s.Login.oauth.Exchange(ctx, c.QueryParam("code"), oauth2.VerifierOption(parts[1]))
	if err != nil {
		return problem(http.StatusUnauthorized, "the identity provider did not exchange the code: "+err.Error())
	}
	rawID, _ := tok.Extra("id_token").(string)
	idt, err := s.Login.id.Verify(ctx, rawID)
	if err != nil {
		return problem(http.StatusUnauthorized, "the ID token does not verify: "+err.Error())
	}
	if idt.Nonce != parts[2] {
		return problem(http.StatusUnauthorized, "the ID token's nonce is not this sign-in's")
	}
	var why []string
	for _, raw := range []string{tok.AccessToken, rawID} {
		cl, reason := s.verify(c.Request().Context(), raw)
		if reason != "" {
			why = append(why, reason)
			continue
		}
		if err := s.setSession(c, raw, time.Until(cl.ExpiresAt.Time)); err != nil {
			return err
		}
		s.log(c).Info().Str("subject", cl.Subject).Str("role", cl.Role).Msg("signed in through the identity provider")
		return c.Redirect(http.StatusSeeOther, "/")
	}
	return problem(http.StatusUnauthorized, "the provider's tokens are not accepted by this API: "+strings.Join(why, "; "))
}
