package api

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/labstack/echo/v4"
	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/oauth2/clientcredentials"
)

// provider is zitadel's example OpenID provider (its op package and its
// example storage, served on loopback) with our service accounts: each
// gets JWT access tokens, through the client-credentials grant, that
// carry its audience and its role, department and jurisdiction claims.
// Its signing key can be rotated.
type provider struct {
	*storage.Storage
	mu       sync.Mutex
	key      signing
	accounts map[string]account
}

type account struct {
	secret, aud string
	claims      map[string]any
}

type signing struct {
	id  string
	alg jose.SignatureAlgorithm
	key crypto.Signer
}

func (k signing) SignatureAlgorithm() jose.SignatureAlgorithm { return k.alg }
func (k signing) Key() any                                    { return k.key }
func (k signing) ID() string                                  { return k.id }

type public struct{ signing }

func (k public) Algorithm() jose.SignatureAlgorithm { return k.alg }
func (k public) Use() string                        { return "sig" }
func (k public) Key() any                           { return k.key.Public() }

func (p *provider) SigningKey(context.Context) (op.SigningKey, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.key, nil
}

func (p *provider) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256, jose.ES256}, nil
}

func (p *provider) KeySet(context.Context) ([]op.Key, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return []op.Key{public{p.key}}, nil
}

// rotate replaces the provider's signing key by a new ES256 one.
func (p *provider) rotate(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.key = signing{id: "es-2", alg: jose.ES256, key: k}
	p.mu.Unlock()
}

// jwtClient is a service account whose access tokens are JWTs.
type jwtClient struct {
	*storage.Client
	id string
}

func (c jwtClient) GetID() string                       { return c.id }
func (c jwtClient) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeJWT }
func (c jwtClient) GrantTypes() []oidc.GrantType {
	return []oidc.GrantType{oidc.GrantTypeClientCredentials}
}

func (p *provider) ClientCredentials(_ context.Context, id, secret string) (op.Client, error) {
	if a, ok := p.accounts[id]; !ok || a.secret != secret {
		return nil, errors.New("wrong service account or secret")
	}
	return jwtClient{storage.WebClient(id, secret), id}, nil
}

func (p *provider) ClientCredentialsTokenRequest(_ context.Context, id string, scopes []string) (op.TokenRequest, error) {
	a, ok := p.accounts[id]
	if !ok {
		return nil, errors.New("wrong service account")
	}
	return &oidc.JWTTokenRequest{Subject: id, Audience: []string{a.aud}, Scopes: scopes}, nil
}

func (p *provider) GetPrivateClaimsFromScopes(_ context.Context, _, clientID string, _ []string) (map[string]any, error) {
	return p.accounts[clientID].claims, nil
}

// startProvider serves the provider on loopback and answers its issuer.
func startProvider(t *testing.T) (*provider, string) {
	t.Helper()
	var p *provider
	issuer := serveIssuer(t, func(issuer string, key signing) exampleop.Storage {
		p = &provider{Storage: storage.NewStorage(storage.NewUserStore(issuer)), key: key,
			accounts: map[string]account{
				"water-bureau": {"s-water", DefaultAudience, map[string]any{"role": RoleDepartment, "dept": "water", "jurisdiction": "wuhan"}},
				"no-dept":      {"s-nodept", DefaultAudience, map[string]any{"role": RoleDepartment}},
				"elsewhere":    {"s-else", "another-api", map[string]any{"role": RoleDepartment, "dept": "water"}},
				"group-roles":  {"s-groups", DefaultAudience, map[string]any{"groups": []any{"staff", RoleAuditor}}},
			}}
		return p
	})
	return p, issuer
}

// serveIssuer serves on loopback the example provider over the storage mk
// builds for the issuer with a fresh RS256 key, and answers the issuer.
func serveIssuer(t *testing.T, mk func(issuer string, key signing) exampleop.Storage) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String()
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(exampleop.SetupServer(issuer, mk(issuer, signing{id: "rs-1", alg: jose.RS256, key: rk}), nil, false, op.WithAllowInsecure()))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return issuer
}

// token gets an access token for a service account from the provider.
func token(t *testing.T, issuer, id, secret string) string {
	t.Helper()
	cc := clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: issuer + "/oauth/token", Scopes: []string{"openid"}}
	tok, err := cc.Token(context.Background())
	if err != nil {
		t.Fatalf("token for %s: %v", id, err)
	}
	if strings.Count(tok.AccessToken, ".") != 2 {
		t.Fatalf("the provider gave %s no JWT: %q", id, tok.AccessToken)
	}
	return tok.AccessToken
}

// whoami serves the caller's claims behind the API's authentication.
func whoami(t *testing.T, o *OIDC) *echo.Echo {
	s := testServer(t)
	s.OIDC = o
	e := echo.New()
	e.HTTPErrorHandler = s.errorHandler
	e.GET("/me", func(c echo.Context) error { return c.JSON(http.StatusOK, claims(c)) }, s.authenticate)
	return e
}

func call(e *echo.Echo, tok string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "/me", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

// refused checks a 401 whose WWW-Authenticate says why, with want in it.
func refused(t *testing.T, rec *httptest.ResponseRecorder, want string) {
	t.Helper()
	wa := rec.Header().Get("WWW-Authenticate")
	if rec.Code != http.StatusUnauthorized || !strings.Contains(wa, `error="invalid_token"`) || !strings.Contains(wa, want) {
		t.Fatalf("want 401 with WWW-Authenticate naming %q; got %d %q %s", want, rec.Code, wa, rec.Body)
	}
}

// Tokens of a real OpenID provider: one it issues is
// taken, with the role, department and jurisdiction from its claims; one
// signed by another key, for another audience, expired or lacking the
// department is refused with 401 saying why; a rotated key is fetched.
func TestOIDCProvider(t *testing.T) {
	p, issuer := startProvider(t)
	ctx := context.Background()
	o, err := NewOIDC(ctx, OIDCConfig{Issuer: issuer, Audience: DefaultAudience})
	if err != nil {
		t.Fatal(err)
	}
	e := whoami(t, o)

	good := token(t, issuer, "water-bureau", "s-water")
	rec := call(e, good)
	var cl Claims
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &cl) != nil {
		t.Fatalf("the provider's token: %d %s", rec.Code, rec.Body)
	}
	if cl.Subject != "water-bureau" || cl.Role != RoleDepartment || cl.Dept != "water" || cl.Jurisdiction != "wuhan" {
		t.Fatalf("claims read: %+v", cl)
	}

	t.Run("another key", func(t *testing.T) {
		// The same header and claims, signed by a key the provider never had.
		other, _ := rsa.GenerateKey(rand.Reader, 2048)
		sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: other},
			(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "rs-1"))
		if err != nil {
			t.Fatal(err)
		}
		payload, _ := jose.ParseSignedCompact(good, []jose.SignatureAlgorithm{jose.RS256})
		body := payload.UnsafePayloadWithoutVerification()
		js, err := sig.Sign(body)
		if err != nil {
			t.Fatal(err)
		}
		forged, _ := js.CompactSerialize()
		refused(t, call(e, forged), "signature")
	})
	t.Run("wrong audience", func(t *testing.T) {
		refused(t, call(e, token(t, issuer, "elsewhere", "s-else")), "audience")
	})
	t.Run("expired", func(t *testing.T) {
		late, err := NewOIDC(ctx, OIDCConfig{Issuer: issuer, Audience: DefaultAudience,
			Now: func() time.Time { return time.Now().Add(2 * time.Hour) }})
		if err != nil {
			t.Fatal(err)
		}
		refused(t, call(whoami(t, late), good), "expired")
	})
	t.Run("no department", func(t *testing.T) {
		refused(t, call(e, token(t, issuer, "no-dept", "s-nodept")), "department")
	})
	t.Run("too long a lifetime", func(t *testing.T) {
		short, err := NewOIDC(ctx, OIDCConfig{Issuer: issuer, Audience: DefaultAudience, MaxTTL: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		refused(t, call(whoami(t, short), good), "at most 1m0s")
	})
	t.Run("role claim configured", func(t *testing.T) {
		g, err := NewOIDC(ctx, OIDCConfig{Issuer: issuer, Audience: DefaultAudience, RoleClaim: "groups"})
		if err != nil {
			t.Fatal(err)
		}
		rec := call(whoami(t, g), token(t, issuer, "group-roles", "s-groups"))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"role":"auditor"`) {
			t.Fatalf("role from groups: %d %s", rec.Code, rec.Body)
		}
	})
	t.Run("HS256 refused", func(t *testing.T) {
		tok, err := Sign([]byte("a-test-secret-of-enough-entropy-9f3a1c"), "bob", RoleAuditor, "", "", time.Hour, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		refused(t, call(e, tok), "HS256")
	})
	t.Run("rotation", func(t *testing.T) {
		p.rotate(t) // the verifier holds rs-1 only; es-2 is fetched on sight
		tok := token(t, issuer, "water-bureau", "s-water")
		if rec := call(e, tok); rec.Code != http.StatusOK {
			t.Fatalf("a token signed by the rotated ES256 key: %d %s", rec.Code, rec.Body)
		}
		refused(t, call(e, good), "signature") // rs-1 is gone from the JWKS
	})
}
