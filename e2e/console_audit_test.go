package e2e

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/cityapprovals/approvals/api"
	"github.com/cityapprovals/approvals/holidays"
)

// An auditor finds a procedure in the console's search, opens
// its timeline (every task step with its article, the deadline compliance
// as the API reads it), exports and verifies the export in the browser, sees
// a changed export refused naming the file, and replays the history; a bad
// filter shows the server's message beside its field.
func TestConsoleAuditor(t *testing.T) {
	b := newBrowser(t)
	w := newWorld(t, "xiamen")
	id, _ := decided(t, w)
	auditor := sys.as(t, "audrey", api.RoleAuditor, "", "")
	search := "/api/v1/procedures?jurisdiction=xiamen&dept=" + url.QueryEscape(w.provider)
	eventuallyListed(t, auditor, search, func(r reply) bool { return strings.Contains(string(r.Raw), id) })
	tl := auditor.do("GET", "/api/v1/procedures/"+id+"/timeline", nil).must(t, 200)
	tasks, late := tl.Body["tasks"].([]any), 0
	for _, x := range tasks {
		if x.(map[string]any)["late"] == true {
			late++
		}
	}

	b.signIn(t, "audrey", api.RoleAuditor, "", "")
	b.open(t, "#/audit?from=yesterday")
	b.do(t, waitFor(`(document.querySelector('[data-error-for="from"]')?.textContent ?? "") !== ""`))
	if msg := b.text(t, `[data-error-for="from"]`); !strings.Contains(msg, "RFC 3339") {
		t.Errorf("beside from: %q, want the server's message", msg)
	}
	b.open(t, "#/audit?jurisdiction=xiamen&dept="+url.QueryEscape(w.provider))
	b.do(t, chromedp.WaitVisible(css(`tr[data-procedure="`+id+`"]`)))
	b.shot(t, "search")

	b.do(t, chromedp.Click(css(`tr[data-procedure="`+id+`"] a`)), chromedp.WaitVisible(css("#entries")))
	if n := eval[int](t, b, `document.querySelectorAll('#entries tr[data-kind="task_opened"]').length`); n == 0 {
		t.Fatal("the timeline shows no opened task")
	}
	if n := eval[int](t, b, `[...document.querySelectorAll('#entries tr[data-kind="task_opened"] [data-article]')].filter((e) => e.dataset.article === "").length`); n != 0 {
		t.Errorf("%d opened tasks without their article", n)
	}
	if got := eval[string](t, b, `document.querySelector('#compliance').dataset.tasks + "/" + document.querySelector('#compliance').dataset.late`); got != fmt.Sprintf("%d/%d", len(tasks), late) {
		t.Errorf("compliance shows tasks/late %s, the API %d/%d", got, len(tasks), late)
	}
	if n := eval[int](t, b, `document.querySelectorAll('#compliance-tasks tr[data-late="true"].late').length`); n != late {
		t.Errorf("%d tasks marked late, the API says %d", n, late)
	}
	b.shot(t, "timeline")

	// Export and verify in the browser: the signature, four files, the chain.
	b.do(t, chromedp.Click(css("#verify-export")), chromedp.WaitVisible(css("#verify-result")))
	if v := eval[string](t, b, `document.querySelector('#verify-result').dataset.verified`); v != "true" {
		t.Fatalf("the export does not verify in the browser: %s", b.text(t, "#verify-result"))
	}
	if n := eval[int](t, b, `document.querySelectorAll('#verify-result li.ok[data-check]').length`); n != 6 {
		t.Errorf("%d checks passed, want 6 (signature, 4 files, event chain)", n)
	}
	b.shot(t, "verified")

	// A saved export with a changed timeline, uploaded: refused, naming it.
	export := auditor.do("GET", "/api/v1/procedures/"+id+"/export", nil).must(t, 200)
	changed := filepath.Join(t.TempDir(), "changed.zip")
	if err := os.WriteFile(changed, rezip(t, export.Raw, "timeline.json", func(b []byte) []byte { return append(b, ' ') }), 0o644); err != nil {
		t.Fatal(err)
	}
	b.do(t, chromedp.SetUploadFiles(css("#verify-file"), []string{changed}),
		waitFor(`document.querySelector('#verify-result[data-verified="false"]') !== null`))
	if li := b.text(t, `#verify-result li.bad`); !strings.Contains(li, "timeline.json") {
		t.Errorf("the changed export's failed check: %q, want timeline.json", li)
	}
	// Not a zip: the server's 422 beside the file input.
	notZip := filepath.Join(t.TempDir(), "not.zip")
	if err := os.WriteFile(notZip, []byte("not a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.do(t, chromedp.SetUploadFiles(css("#verify-file"), []string{notZip}),
		waitFor(`(document.querySelector('[data-error-for="archive"]')?.textContent ?? "") !== ""`))

	// Replay on the current code.
	b.do(t, chromedp.Click(css("#replay")), chromedp.WaitVisible(css("#replay-result")))
	if r := eval[string](t, b, `document.querySelector('#replay-result').dataset.result`); r != "consistent" {
		t.Fatalf("replay: %s", b.text(t, "#replay-result"))
	}
	b.shot(t, "replayed")
}

// The deadline report shows its charts: the on-time rate per
// department as bars, per procedure by month as lines, each with its table,
// and the report's rows.
func TestConsoleDeadlineReport(t *testing.T) {
	b := newBrowser(t)
	w := newWorld(t, "xiamen")
	decided(t, w)
	b.signIn(t, "audrey", api.RoleAuditor, "", "")
	b.open(t, "#/reports/deadlines?jurisdiction=xiamen")
	b.do(t, chromedp.WaitVisible(css("#chart-dept svg")), chromedp.WaitVisible(css("#chart-month svg")),
		chromedp.WaitVisible(css(`#report tr[data-row="`+w.provider+` share_request"]`)))
	if n := eval[int](t, b, `document.querySelectorAll('#chart-dept rect[data-bar]').length`); n == 0 {
		t.Fatal("no bar in the per-department chart")
	}
	if n := eval[int](t, b, `document.querySelectorAll('#chart-dept rect[data-bar="`+w.provider+`"]').length`); n != 1 {
		t.Errorf("no bar for %s", w.provider)
	}
	if n := eval[int](t, b, `document.querySelectorAll('#chart-month circle[data-point]').length`); n == 0 {
		t.Error("no point in the per-month chart")
	}
	for _, id := range []string{"chart-dept", "chart-month"} {
		if ok := eval[bool](t, b, `(() => { const s = document.querySelector('#`+id+` svg'); return s.getAttribute('role') === 'img' && document.getElementById(s.getAttribute('aria-describedby')) !== null })()`); !ok {
			t.Errorf("%s: no table describes the chart", id)
		}
	}
	b.shot(t, "charts")
}

// An admin publishes a calendar year in the console and follows
// the re-timing job's progress bar to 100 %; a holiday ending before it
// starts shows the server's message beside the holidays.
func TestConsoleAdminPublishesYear(t *testing.T) {
	b := newBrowser(t)
	b.signIn(t, "admin1", api.RoleAdmin, "", "")
	b.open(t, "#/admin/calendar")
	b.do(t, chromedp.WaitVisible(css(`#years tr[data-year="2026"]`)))
	// 2031: no procedure's deadline reaches it, so no other test is re-timed.
	b.do(t, chromedp.SetValue(css("#y-year"), "2031"),
		chromedp.SendKeys(css("#y-source"), "国务院办公厅关于2031年部分节假日安排的通知 (e2e: assumed)"),
		chromedp.SendKeys(css("#y-holidays"), "元旦, 2031-01-03, 2031-01-01"),
		chromedp.Click(css("#year-submit")),
		waitFor(`(document.querySelector('[data-error-for="holidays"]')?.textContent ?? "") !== ""`))
	if msg := b.text(t, `[data-error-for="holidays"]`); !strings.Contains(msg, "holidays[0]") {
		t.Errorf("beside the holidays: %q, want the server's message naming holidays[0]", msg)
	}
	b.do(t, chromedp.SetValue(css("#y-holidays"), "元旦, 2031-01-01, 2031-01-01\n春节, 2031-01-22, 2031-01-28"),
		chromedp.Click(css("#year-submit")), chromedp.WaitVisible(css("#retime-bar")),
		waitFor(`document.querySelector('#retime')?.dataset.done === "true"`))
	if p := eval[string](t, b, `document.querySelector('#retime-bar').dataset.percent`); p != "100" {
		t.Fatalf("the re-timing finished at %s %%", p)
	}
	b.do(t, chromedp.WaitVisible(css(`#years tr[data-year="2031"][data-origin="published"]`)))
	b.shot(t, "retimed")
}

// An admin registers a department and imports catalog items in the console:
// a row whose provider is not registered is reported beside its
// row and nothing is imported; corrected, every row is imported with its
// version; the regulations page lists the cities in force.
func TestConsoleAdminCatalog(t *testing.T) {
	b := newBrowser(t)
	admin := sys.as(t, "admin1", api.RoleAdmin, "", "")
	dept := uniq("WH-CON")
	b.signIn(t, "admin1", api.RoleAdmin, "", "")
	b.open(t, "#/admin/departments")
	b.do(t, chromedp.WaitVisible(css("#department-form")), chromedp.Click(css("#department-form #submit")),
		waitFor(`(document.querySelector('[data-error-for="code"]')?.textContent ?? "") !== ""`))
	b.do(t, chromedp.SendKeys(css("#f-code"), dept), chromedp.SendKeys(css("#f-name"), "武汉市测试局"),
		chromedp.SetValue(css("#f-jurisdiction"), "wuhan"), chromedp.Click(css("#department-form #submit")),
		chromedp.WaitVisible(css(`#departments tr[data-department="`+dept+`"]`)))

	item := func(id, provider string) string {
		return fmt.Sprintf(`{"id": %q, "jurisdiction": "wuhan", "provider_dept": %q, "title": "测试数据", "share_type": "unconditional", "open_type": "not_open", "data_items": ["姓名"]}`, id, provider)
	}
	a, c := uniq("WH-CAT"), uniq("WH-CAT")
	b.open(t, "#/admin/catalog-import")
	b.do(t, chromedp.WaitVisible(css("#import-form")),
		chromedp.SetValue(css("#import-json"), "["+item(a, dept)+", "+item(c, "NO-SUCH-DEPT")+"]"),
		chromedp.Click(css("#import-submit")), chromedp.WaitVisible(css("#import-failed")))
	if got := eval[string](t, b, `[...document.querySelectorAll('#import-rows tr[data-row]')].map((r) => r.dataset.result).join(",")`); got != "not_imported,error" {
		t.Errorf("rows reported %s, want not_imported,error", got)
	}
	if msg := b.text(t, `#import-rows tr[data-row="1"] li.bad`); !strings.Contains(msg, "provider_dept") || !strings.Contains(msg, "NO-SUCH-DEPT") {
		t.Errorf("row 2 says %q, want the server's message on provider_dept", msg)
	}
	admin.do("GET", "/api/v1/catalog/items/"+a, nil).must(t, 404) // nothing imported
	b.shot(t, "import-refused")
	b.do(t, chromedp.SetValue(css("#import-json"), "["+item(a, dept)+", "+item(c, dept)+"]"),
		chromedp.Click(css("#import-submit")), chromedp.WaitVisible(css("#import-done")))
	if got := eval[string](t, b, `[...document.querySelectorAll('#import-rows tr[data-row]')].map((r) => r.dataset.result).join(",")`); got != "imported,imported" {
		t.Errorf("rows reported %s, want imported,imported", got)
	}
	if v := admin.do("GET", "/api/v1/catalog/items/"+c, nil).must(t, 200); v.str("provider_dept") != dept {
		t.Errorf("imported item %s: %s", c, v.Raw)
	}

	b.open(t, "#/admin/regulations")
	b.do(t, chromedp.WaitVisible(css(`#regulations tr[data-city="wuhan"]`)), chromedp.WaitVisible(css("#validity-warnings")))
	b.shot(t, "regulations")
	b.open(t, "#/admin/notifications")
	b.do(t, chromedp.WaitVisible(css("#notifications, #notifications-empty")))
}

// An auditor reads the yearly evaluation of departments in the console: the
// article of the city's text, a bar per department and the monthly chart,
// each with its table; a city whose text has no evaluation (xiamen) shows
// the server's message beside the city.
func TestConsoleEvaluation(t *testing.T) {
	b := newBrowser(t)
	w := newWorld(t, "weifang")
	answered := w.file(t, "conditional").must(t, 201).str("id")
	decide(t, w.prov, taskFor(t, w.prov, answered), map[string]any{"decision": "approve", "conditions": "仅限人才落户审批"}, 200)
	waitClosed(t, answered)
	year := time.Now().In(holidays.Shanghai).Format("2006")
	b.signIn(t, "audrey", api.RoleAuditor, "", "")
	b.open(t, "#/reports/evaluation?jurisdiction=weifang&year="+year+"&department="+w.provider)
	b.do(t, chromedp.WaitVisible(css("#chart-evaluation-dept svg")), chromedp.WaitVisible(css("#chart-evaluation-month svg")),
		chromedp.WaitVisible(css(`#evaluation tr[data-row="`+w.provider+`"]`)))
	if basis := b.text(t, "#evaluation-basis"); !strings.Contains(basis, "第三十二条") {
		t.Errorf("the evaluation's basis: %q, want weifang 第三十二条", basis)
	}
	if v := eval[string](t, b, `document.querySelector('#chart-evaluation-dept rect[data-bar="`+w.provider+`"]')?.dataset.value ?? "none"`); v != "1" {
		t.Errorf("the provider's bar: %q, want 1 (one request answered on time, none late)", v)
	}
	if n := eval[int](t, b, `document.querySelectorAll('#chart-evaluation-month circle[data-point]').length`); n != 1 {
		t.Errorf("points in the monthly chart: %d, want 1 (this month only)", n)
	}
	if cell := b.text(t, `#evaluation tr[data-row="`+w.provider+`"] td:nth-child(2)`); cell != "1 / 1" {
		t.Errorf("share requests on time / due: %q, want 1 / 1", cell)
	}
	b.shot(t, "evaluation")
	b.open(t, "#/reports/evaluation?jurisdiction=xiamen&year="+year)
	b.do(t, waitFor(`(document.querySelector('[data-error-for="jurisdiction"]')?.textContent ?? "") !== ""`))
	if msg := b.text(t, `[data-error-for="jurisdiction"]`); !strings.Contains(msg, "no evaluation") {
		t.Errorf("beside the city: %q, want the server's refusal", msg)
	}
}
