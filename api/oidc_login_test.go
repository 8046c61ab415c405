package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// loginProvider is the example provider whose ID tokens carry a clerk's
// role, department and city.
type loginProvider struct{ *provider }

func (p loginProvider) SetUserinfoFromScopes(ctx context.Context, ui *oidc.UserInfo, userID, clientID string, scopes []string) error {
	if err := p.Storage.SetUserinfoFromScopes(ctx, ui, userID, clientID, scopes); err != nil {
		return err
	}
	ui.AppendClaims("role", RoleDepartment)
	ui.AppendClaims("dept", "water")
	ui.AppendClaims("jurisdiction", "wuhan")
	return nil
}

// The console's sign-in through the city's provider: /auth/login
// sends the browser to the provider with a PKCE challenge (S256), a state
// and a nonce; after the user signs in there, /auth/callback exchanges the
// code with the verifier, checks the ID token, and opens the session the
// console's API calls are authenticated by. A callback without this
// browser's state is refused.
func TestOIDCLoginCodeFlowPKCE(t *testing.T) {
	issuer := serveIssuer(t, func(issuer string, key signing) exampleop.Storage {
		return loginProvider{&provider{Storage: storage.NewStorage(storage.NewUserStore(issuer)), key: key}}
	})

	apiSrv := httptest.NewUnstartedServer(nil)
	base := "http://" + apiSrv.Listener.Addr().String()
	storage.RegisterClients(storage.WebClient("console", "s-console", base+"/auth/callback"))
	ctx := context.Background()
	s := testServer(t)
	var err error
	if s.OIDC, err = NewOIDC(ctx, OIDCConfig{Issuer: issuer, Audience: "console"}); err != nil {
		t.Fatal(err)
	}
	if s.Login, err = NewOIDCLogin(ctx, OIDCLoginConfig{Issuer: issuer, ClientID: "console", ClientSecret: "s-console", RedirectURL: base + "/auth/callback"}); err != nil {
		t.Fatal(err)
	}
	apiSrv.Config.Handler = s.Handler()
	apiSrv.Start()
	t.Cleanup(apiSrv.Close)

	jar, _ := cookiejar.New(nil)
	var visited []*url.URL
	browser := &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		visited = append(visited, r.URL)
		return nil
	}}
	resp, err := browser.Get(base + "/auth/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(visited) == 0 || !strings.HasPrefix(visited[0].String(), issuer) {
		t.Fatalf("/auth/login did not send the browser to the provider: %v", visited)
	}
	q := visited[0].Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("state") == "" || q.Get("nonce") == "" {
		t.Fatalf("the authorization request lacks PKCE, state or nonce: %s", visited[0])
	}
	reqID := resp.Request.URL.Query().Get("authRequestID")
	if reqID == "" {
		t.Fatalf("no login page at the provider: %s", resp.Request.URL)
	}
	visited = nil
	resp, err = browser.PostForm(issuer+"/login/username", url.Values{"id": {reqID}, "username": {"test-user@127.0.0.1"}, "password": {"verysecure"}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.String() != base+"/" {
		t.Fatalf("after signing in at the provider: %d at %s (via %v): %s", resp.StatusCode, resp.Request.URL, visited, page)
	}
	resp, err = browser.Get(base + "/api/v1/session")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var who sessionView
	if err := json.NewDecoder(resp.Body).Decode(&who); err != nil || resp.StatusCode != 200 || who.Role != RoleDepartment || who.Dept != "water" || who.Subject == "" {
		t.Fatalf("the session after the sign-in: %d %+v %v", resp.StatusCode, who, err)
	}
	u, _ := url.Parse(base)
	names := map[string]bool{}
	for _, c := range jar.Cookies(u) {
		names[c.Name] = true
	}
	if !names[SessionCookie] || !names[CSRFCookie] || names[loginCookie] {
		t.Errorf("cookies after the sign-in: %v", names)
	}

	// A callback this browser did not start: refused, naming the state.
	stranger := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = stranger.Get(base + "/auth/callback?code=stolen&state=" + q.Get("state"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a callback without the login cookie: %d", resp.StatusCode)
	}
}
