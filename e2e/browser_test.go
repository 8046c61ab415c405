package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/cityapprovals/approvals/api"
)

// browser is a headless Debian Chromium driven with chromedp, on a fresh
// profile, against the stack's API (console/CONSOLE.md).
type browser struct {
	ctx context.Context
	dir string // where screenshots go
}

// chromium finds Debian's Chromium.
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts Chromium for one test. Without Chromium the test is
// skipped, saying so, unless REQUIRE_BROWSER=1 (CI), where it fails.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := chromium()
	if path == "" {
		if os.Getenv("REQUIRE_BROWSER") == "1" {
			t.Fatal("Chromium is not installed (apt-get install -y chromium) and REQUIRE_BROWSER=1")
		}
		t.Skip("SKIPPED: browser test: Chromium is not installed (apt-get install -y chromium); set REQUIRE_BROWSER=1 to fail instead")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.WindowSize(1280, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser: no timeout on this first call
		t.Fatalf("start Chromium: %v", err)
	}
	dir := os.Getenv("SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return &browser{ctx: ctx, dir: dir}
}

// announceBrowser says at the start of the run whether the browser tests
// will run, so that a run without Chromium says clearly that it skipped them.
func announceBrowser() {
	switch {
	case chromium() != "":
		fmt.Println("e2e: browser tests (TestConsole*) run in", chromium())
	case os.Getenv("REQUIRE_BROWSER") == "1":
		fmt.Println("e2e: Chromium is not installed and REQUIRE_BROWSER=1: the browser tests (TestConsole*) will fail")
	default:
		fmt.Println("e2e: Chromium is not installed (apt-get install -y chromium): the browser tests (TestConsole*) are SKIPPED; set REQUIRE_BROWSER=1 to fail instead")
	}
}

// signIn puts a token of the stack's secret in the console's session cookie
// and a CSRF token in its readable cookie, as the sign-in does (`approvals
// api` has no development sign-in), and opens the console.
func (b *browser) signIn(t *testing.T, subject, role, dept, city string) {
	t.Helper()
	tok, err := api.Sign(sys.secret, subject, role, dept, city, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	csrf := make([]byte, 16)
	_, _ = rand.Read(csrf)
	b.do(t, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: api.SessionCookie, Value: tok, URL: sys.base + "/",
			HTTPOnly: new(true), SameSite: network.CookieSameSiteStrict}); err != nil {
			return err
		}
		_, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: api.CSRFCookie, Value: hex.EncodeToString(csrf), URL: sys.base + "/",
			SameSite: network.CookieSameSiteStrict})
		return err
	}))
}

// open loads a page of the console afresh (a hash route such as
// "#/inbox"), also when it is the page shown.
func (b *browser) open(t *testing.T, route string) {
	t.Helper()
	b.do(t, chromedp.Navigate("about:blank"), chromedp.Navigate(sys.base+"/"+route))
}

// do runs steps within a minute; on failure it keeps a screenshot and the
// page's main element in the log.
func (b *browser) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.shot(t, "failure")
		html, _ := chromedp.Run(b.ctx, chromedp.OuterHTML(chromedp.CSS("main")))
		t.Fatalf("browser: %v\npage: %.3000s", err, html)
	}
}

// text reads an element's text once it is visible.
func (b *browser) text(t *testing.T, sel string) string {
	t.Helper()
	b.do(t, chromedp.WaitVisible(chromedp.CSS(sel)))
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// eval evaluates a JavaScript expression.
func eval[T any](t *testing.T, b *browser, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor waits until a JavaScript expression is truthy (a DOM condition).
func waitFor(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](expr)
}

// shot writes a screenshot of the page to the test's directory
// ($SCREENSHOTS when set).
func (b *browser) shot(t *testing.T, name string) {
	t.Helper()
	buf, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	p := filepath.Join(b.dir, t.Name()+"-"+name+".png")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		t.Logf("screenshot %s: %v", name, err)
	}
}
