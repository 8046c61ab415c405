package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/cityapprovals/approvals/api"
	"github.com/cityapprovals/approvals/devserver"
	"github.com/cityapprovals/approvals/holidays"
)

// css is a CSS selector for chromedp.
func css(sel string) chromedp.CSS { return chromedp.CSS(sel) }

// A reviewer decides share requests from the console's inbox:
// in wuhan the provider department reviews a conditional request; its clerk
// approves one, so it is granted; a refusal without a reason shows the server's
// message beside the reason field, and with a reason it is recorded; the
// requesting department sees neither task, and disputes the refusal.
func TestConsoleReviewerDecides(t *testing.T) {
	b := newBrowser(t)
	w := newWorld(t, "wuhan")
	granted := w.file(t, "conditional").must(t, 201).str("id")
	refused := w.file(t, "conditional").must(t, 201).str("id")
	grantTask, refuseTask := taskFor(t, w.prov, granted)["id"].(string), taskFor(t, w.prov, refused)["id"].(string)

	// Another department: neither in its inbox nor on the task's page.
	b.signIn(t, "alice", api.RoleDepartment, w.requester, "wuhan")
	b.open(t, "#/inbox")
	b.do(t, chromedp.WaitVisible(css("#tasks, #tasks-empty")))
	if eval[bool](t, b, `document.querySelector('[data-task="`+grantTask+`"]') !== null`) {
		t.Fatalf("department %s sees task %s of department %s", w.requester, grantTask, w.provider)
	}
	b.open(t, "#/tasks/"+grantTask)
	b.do(t, chromedp.WaitVisible(css("#task-missing")))

	// The provider's clerk: both tasks in the inbox, open first by due time.
	b.signIn(t, "bob", api.RoleDepartment, w.provider, "wuhan")
	b.open(t, "#/inbox")
	b.do(t, chromedp.WaitVisible(css(`tr[data-task="`+grantTask+`"]`)), chromedp.WaitVisible(css(`tr[data-task="`+refuseTask+`"]`)))
	if n := b.text(t, `[data-count="open"]`); n != "2" {
		t.Errorf("open tab counts %s, want 2", n)
	}
	if left := eval[string](t, b, `document.querySelector('tr[data-task="`+grantTask+`"] [data-days-left]').dataset.daysLeft`); left == "" || strings.HasPrefix(left, "-") {
		t.Errorf("working days left of a new task: %q", left)
	}
	b.shot(t, "inbox")
	// On a phone the inbox's rows become cards: the table's head is hidden.
	b.do(t, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), waitFor(`getComputedStyle(document.querySelector("#tasks thead")).display === "none"`))
	b.shot(t, "inbox-phone")
	b.do(t, chromedp.ResetViewport())

	b.do(t, chromedp.Click(css(`tr[data-task="`+grantTask+`"] a`)), chromedp.WaitVisible(css("#facts")))
	if got := b.text(t, "#facts"); !strings.Contains(got, granted) || !strings.Contains(got, "核验申请人户籍") {
		t.Errorf("the task's facts do not show the request: %q", got)
	}
	b.do(t, chromedp.Click(css(`button[data-decision="approve"]`)),
		chromedp.SendKeys(css("#f-conditions"), "仅限人才落户审批"),
		chromedp.Click(css("#submit")), chromedp.WaitVisible(css("#decided")))
	b.shot(t, "approved")

	// A refusal without a reason: the server's message beside the field.
	b.open(t, "#/tasks/"+refuseTask)
	b.do(t, chromedp.Click(css(`button[data-decision="reject"]`)), chromedp.Click(css("#submit")),
		waitFor(`document.querySelector('[data-error-for="reason"]').textContent !== ""`))
	if msg := b.text(t, `[data-error-for="reason"]`); !strings.Contains(msg, "reason") {
		t.Errorf("beside the reason: %q, want the server's message", msg)
	}
	b.shot(t, "refusal-needs-reason")
	if st := w.prov.do("GET", "/api/v1/tasks?status=open&procedure=share_request", nil).must(t, 200); !strings.Contains(string(st.Raw), refuseTask) {
		t.Fatalf("the refused-without-reason task is no longer open: %s", st.Raw)
	}
	b.do(t, chromedp.SendKeys(css("#f-reason"), "涉及商业秘密"), chromedp.Click(css("#submit")), chromedp.WaitVisible(css("#decided")))

	waitClosed(t, granted)
	waitClosed(t, refused)
	if st := w.req.do("GET", "/api/v1/share-requests/"+granted, nil).must(t, 200).str("status"); st != "granted" {
		t.Errorf("share request %s is %s, want granted", granted, st)
	}
	if st := w.req.do("GET", "/api/v1/share-requests/"+refused, nil).must(t, 200).str("status"); st != "rejected" {
		t.Errorf("share request %s is %s, want rejected", refused, st)
	}

	// The requesting department disputes the refusal from its record.
	b.signIn(t, "alice", api.RoleDepartment, w.requester, "wuhan")
	b.open(t, "#/records/share_request/"+refused)
	b.do(t, chromedp.WaitVisible(css(`#record-status[data-status="rejected"]`)), chromedp.Click(css(`a[data-action="dispute"]`)),
		chromedp.WaitVisible(css("#file-dispute #f-reason")), chromedp.SendKeys(css("#f-reason"), "履职必需，申请协调"),
		chromedp.Click(css("#submit")), chromedp.WaitVisible(css(`#record-status[data-status="pending"]`)))
	if loc, _ := chromedp.Run(b.ctx, chromedp.Location()); !strings.Contains(loc, "#/records/dispute/") {
		t.Errorf("after disputing: %s", loc)
	}
}

// A department's clerk files a catalog change from the catalog (the form
// prefilled with the item), follows it in their procedures, and sees it
// applied once the authority approves.
func TestConsoleClerkFilesCatalogChange(t *testing.T) {
	b := newBrowser(t)
	w := newWorld(t, "wuhan")
	cond := w.items["conditional"]
	b.signIn(t, "bob", api.RoleDepartment, w.provider, "wuhan")
	b.open(t, "#/catalog")
	row := `tr[data-item="` + cond + `"]`
	b.do(t, chromedp.WaitVisible(css(row)), chromedp.Click(css(row+` a[data-action="modify"]`)), chromedp.WaitVisible(css("#file-change #f-title")))
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	if v, err := chromedp.Run(ctx, chromedp.Value(css("#f-title"))); err != nil || v != "人口基础信息 conditional" {
		t.Fatalf("the modify form is not prefilled with the item's title: %q, %v", v, err)
	}
	if v, _ := chromedp.Run(ctx, chromedp.Value(css("#f-share_type"))); v != "conditional" {
		t.Errorf("share type prefilled %q, want conditional", v)
	}
	// Without a reason: the server's message beside the reason.
	b.do(t, chromedp.SetValue(css("#f-title"), "人口基础信息（修订）"), chromedp.Click(css("#submit")),
		waitFor(`document.querySelector('[data-error-for="reason"]').textContent !== ""`))
	b.shot(t, "change-needs-reason")
	b.do(t, chromedp.SendKeys(css("#f-reason"), "职能调整"), chromedp.Click(css("#submit")), chromedp.WaitVisible(css(`#record-status[data-status="pending"]`)))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	id := loc[strings.LastIndex(loc, "/")+1:]
	if !strings.Contains(loc, "#/records/catalog_change/") || id == "" {
		t.Fatalf("after filing: %s", loc)
	}
	b.open(t, "#/mine")
	b.do(t, chromedp.WaitVisible(css(`tr[data-record="`+id+`"] [data-status="pending"]`)))

	decide(t, w.authority, openTask(t, w.authority, "catalog_change", id), map[string]any{"decision": "approve"}, 200)
	waitClosed(t, id)
	b.open(t, "#/records/catalog_change/"+id)
	b.do(t, chromedp.WaitVisible(css(`#record-status[data-status="applied"]`)))
	b.shot(t, "change-applied")
	b.open(t, "#/catalog?q="+cond)
	if got := b.text(t, row); !strings.Contains(got, "人口基础信息（修订）") || !strings.Contains(got, "v2") {
		t.Errorf("the catalog shows %q, want the new title at version 2", got)
	}
}

// An applicant applies for open data in xiamen with the fields the city
// requires (safety measures: the server's message beside the field when
// missing), is returned at the information centre's preliminary review,
// resubmits the prefilled application amended, and is answered; the
// refusal is on the public page, read signed out.
func TestConsoleApplicantXiamen(t *testing.T) {
	b := newBrowser(t)
	w := newOpenWorld(t, "xiamen")
	ic := sys.as(t, "ivy", api.RoleInfocenter, "", "xiamen")
	subject := uniq("applicant")
	w.app = sys.as(t, subject, api.RoleApplicant, "", "")
	b.signIn(t, subject, api.RoleApplicant, "", "")
	item := w.items["conditional"]

	b.open(t, "#/open?city=xiamen")
	row := `tr[data-item="` + item + `"]`
	b.do(t, chromedp.WaitVisible(css(row)), chromedp.Click(css(row+` a[data-action="apply"]`)), chromedp.WaitVisible(css("#apply #f-safety_measures")))
	today := time.Now().In(holidays.Shanghai)
	b.do(t, chromedp.SendKeys(css("#f-applicant_name"), "厦门出行科技有限公司"), chromedp.SetValue(css("#f-applicant_kind"), "company"),
		chromedp.SendKeys(css("#f-scenario"), "实时公交查询应用"), chromedp.SendKeys(css("#f-data_scope"), "全市公交线路与站点"),
		chromedp.SetValue(css("#f-delivery"), "api"),
		chromedp.SetValue(css("#f-period_of_use_from"), today.Format(time.DateOnly)), chromedp.SetValue(css("#f-period_of_use_to"), today.AddDate(0, 6, 0).Format(time.DateOnly)),
		chromedp.Click(css("#submit")), waitFor(`document.querySelector('[data-error-for="safety_measures"]').textContent !== ""`))
	b.shot(t, "apply-needs-safety-measures")
	b.do(t, chromedp.SendKeys(css("#f-safety_measures"), "等保三级；访问日志留存六个月"), chromedp.Click(css("#submit")),
		chromedp.WaitVisible(css(`#record-status[data-status="preliminary_review"]`)))
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	id := loc[strings.LastIndex(loc, "/")+1:]

	decide(t, ic, openTask(t, ic, "open_application", id), map[string]any{"decision": "reject", "reason": "数据范围表述不清"}, 200)
	b.open(t, "#/records/open_application/"+id)
	b.do(t, chromedp.WaitVisible(css(`#record-status[data-status="returned"]`)), chromedp.Click(css(`a[data-action="resubmit"]`)),
		chromedp.WaitVisible(css("#resubmit #f-data_scope")))
	if got := b.text(t, "#return-reason"); !strings.Contains(got, "数据范围表述不清") {
		t.Errorf("the return's reason is not shown: %q", got)
	}
	if v, _ := chromedp.Run(b.ctx, chromedp.Value(css("#f-data_scope"))); v != "全市公交线路与站点" {
		t.Errorf("resubmission prefilled with %q", v)
	}
	b.shot(t, "resubmit")
	b.do(t, chromedp.SetValue(css("#f-data_scope"), "全市公交线路与站点（不含客流）"), chromedp.Click(css("#submit")),
		chromedp.WaitVisible(css(`#record-status[data-status="preliminary_review"]`)))

	decide(t, ic, openTask(t, ic, "open_application", id), map[string]any{"decision": "approve"}, 200)
	decide(t, w.authority, openTask(t, w.authority, "open_application", id), map[string]any{"decision": "reject", "reason": "涉及运营企业商业秘密"}, 200)
	b.open(t, "#/mine")
	b.do(t, chromedp.WaitVisible(css(`tr[data-record="`+id+`"] [data-status="rejected"]`)))
	b.open(t, "#/records/open_application/"+id)
	b.do(t, chromedp.WaitVisible(css(`#record-status[data-status="rejected"]`)))
	if got := b.text(t, "main"); !strings.Contains(got, "涉及运营企业商业秘密") || !strings.Contains(got, "全市公交线路与站点（不含客流）") {
		t.Errorf("the answer and the amended application are not shown: %.500s", got)
	}
	b.shot(t, "answered")

	// Signed out: the public page lists the refusal with its reason.
	b.do(t, chromedp.Click(css("#logout")), chromedp.WaitVisible(css("#idp-login, #devonly")))
	b.open(t, "#/public?city=xiamen")
	if got := b.text(t, `#published-refusals tr[data-id="`+id+`"]`); !strings.Contains(got, "涉及运营企业商业秘密") {
		t.Errorf("the published refusal: %q", got)
	}
}

// Claims and comments on a task: a clerk claims a task of the
// department's inbox and comments on it in the console; a colleague cannot
// claim it meanwhile (409 naming claimed_by); the clerk hands it over to
// the colleague, who releases it; another department can do nothing with it.
func TestConsoleClaimHandOverComment(t *testing.T) {
	b := newBrowser(t)
	w := newWorld(t, "wuhan")
	sr := w.file(t, "conditional").must(t, 201).str("id")
	task := taskFor(t, w.prov, sr)["id"].(string)
	dave := sys.as(t, "dave", api.RoleDepartment, w.provider, "wuhan")
	path := "/api/v1/tasks/" + task

	b.signIn(t, "bob", api.RoleDepartment, w.provider, "wuhan")
	b.open(t, "#/tasks/"+task)
	b.do(t, chromedp.WaitVisible(css(`#claim[data-claimed-by=""]`)), chromedp.Click(css("#claim-task")), chromedp.WaitVisible(css(`#claim[data-claimed-by="bob"]`)))
	if f := fieldOf(dave.do("POST", path+"/claim", nil).must(t, 409)); f != "claimed_by" {
		t.Errorf("a colleague's claim of a claimed task names %q", f)
	}
	// An empty comment: the server's message beside the field; then a comment.
	b.do(t, chromedp.Click(css("#comment-task")), waitFor(`document.querySelector('[data-error-for="body"]').textContent !== ""`),
		chromedp.SendKeys(css("#comment-body"), "请核实用途是否属于履职需要"), chromedp.Click(css("#comment-task")), chromedp.WaitVisible(css("#comments li")))
	act := dave.do("GET", path+"/activity", nil).must(t, 200)
	if cs, _ := act.Body["comments"].([]any); len(cs) != 1 || cs[0].(map[string]any)["author"] != "bob@"+w.provider {
		t.Errorf("comments seen by a colleague: %s", act.Raw)
	}
	b.do(t, chromedp.SendKeys(css("#handover-to"), "dave"), chromedp.Click(css("#handover-task")), chromedp.WaitVisible(css(`#claim[data-claimed-by="dave"]`)))
	b.shot(t, "handed-over")
	w.prov.do("POST", path+"/release", nil).must(t, 409) // bob no longer has it
	if r := dave.do("POST", path+"/release", nil).must(t, 200); r.Body["claim"] != nil {
		t.Errorf("after release: %s", r.Raw)
	}
	if f := fieldOf(dave.do("POST", path+"/handover", map[string]any{"to": ""}).must(t, 422)); f != "to" {
		t.Errorf("a handover without to names %q", f)
	}
	// Another department: refused, and the claim is unchanged.
	w.req.do("POST", path+"/claim", nil).must(t, 403)
	w.req.do("GET", path+"/activity", nil).must(t, 403)
	w.req.do("POST", path+"/comments", map[string]any{"body": "x"}).must(t, 403)
	sys.as(t, "audrey", api.RoleAuditor, "", "").do("POST", path+"/claim", nil).must(t, 403)
	if r := dave.do("GET", path+"/activity", nil).must(t, 200); r.Body["claim"] != nil {
		t.Errorf("claim after the refused calls: %s", r.Raw)
	}
	// A decided task cannot be claimed.
	decide(t, w.prov, map[string]any{"id": task}, map[string]any{"decision": "approve"}, 200)
	if f := fieldOf(dave.do("POST", path+"/claim", nil).must(t, 422)); f != "task" {
		t.Errorf("claim of a closed task names %q", f)
	}
}

// `approvals dev` seeds a demo catalog and offers the development sign-in
// (marked as such), absent from `approvals api`: a demo clerk of wuhan's
// 人社局 files a share request for a seeded item from the catalog, and the
// demo clerk of the providing 公安局 finds it in the inbox and approves it.
func TestConsoleDevSignInClickThrough(t *testing.T) {
	(user{t: t}).do("GET", "/dev/users", nil).must(t, 404) // not in `approvals api`
	b := newBrowser(t)
	ports := make([]int, 2)
	for i := range ports {
		p, err := devserver.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		ports[i] = p
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TEMPORAL_ADDRESS=") && !strings.HasPrefix(kv, "DATABASE_URL=") && !strings.HasPrefix(kv, "APPROVALS_JWT_SECRET=") {
			env = append(env, kv)
		}
	}
	dir := t.TempDir()
	dev := &stack{dir: dir, bin: sys.bin, env: env, base: fmt.Sprintf("http://127.0.0.1:%d", ports[0]), secret: []byte(api.DevSecret)}
	var err error
	if dev.worker, err = dev.start("dev", "dev", "--addr", strings.TrimPrefix(dev.base, "http://"), "--data-dir", filepath.Join(dir, "data"),
		"--temporal-port", fmt.Sprint(ports[1]), "--temporal-ui-port", "0"); err != nil {
		t.Fatal(err)
	}
	saved := sys
	sys = dev // the browser's pages and the helpers talk to the stack in sys
	defer func() { sys = saved; dev.worker.stop() }()
	if err := dev.waitReady(); err != nil {
		t.Fatal(err)
	}

	signIn := func(subject string) {
		t.Helper()
		b.open(t, "#/signin")
		b.do(t, chromedp.WaitVisible(css("#devonly")), chromedp.Click(css(`button[data-subject="`+subject+`"]`)), chromedp.WaitVisible(css("#logout")))
	}
	b.open(t, "")
	b.do(t, chromedp.WaitVisible(css("#devonly")))
	b.shot(t, "dev-sign-in")
	signIn("clerk-wuhan-rsj")
	b.open(t, "#/catalog")
	row := `tr[data-item="wuhan-item-1"]`
	b.do(t, chromedp.WaitVisible(css(row)), chromedp.Click(css(row+` a[data-action="share"]`)), chromedp.WaitVisible(css("#file-share #f-purpose")),
		chromedp.SendKeys(css("#f-purpose"), "核验申请人户籍"), chromedp.SendKeys(css("#f-scenario"), "人才落户审批"),
		chromedp.Click(css("#submit")), chromedp.WaitVisible(css(`#record-status[data-status="pending"]`)))
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	id := loc[strings.LastIndex(loc, "/")+1:]

	b.do(t, chromedp.Click(css("#logout")), chromedp.WaitVisible(css("#devonly")))
	signIn("clerk-wuhan-gaj")
	b.open(t, "#/inbox")
	task := id + ".decision.department"
	b.do(t, chromedp.WaitVisible(css(`tr[data-task="`+task+`"]`)), chromedp.Click(css(`tr[data-task="`+task+`"] a`)),
		chromedp.WaitVisible(css(`button[data-decision="approve"]`)), chromedp.Click(css(`button[data-decision="approve"]`)),
		chromedp.Click(css("#submit")), chromedp.WaitVisible(css("#decided")))
	// English: the same page through the other catalogue.
	b.open(t, "#/records/share_request/"+id)
	b.do(t, chromedp.WaitVisible(css(`#record-status[data-status="granted"]`)), chromedp.SetValue(css("#lang"), "en"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("lang").dispatchEvent(new Event("change"))`),
		waitFor(`document.documentElement.lang === "en" && document.getElementById("record-status")?.textContent === "Granted"`))
}

// A wuhan department's clerk finds buying data under 其他事项 (wuhan
// 第三十四条: only the procedures the city's text provides are offered),
// files the advance notice in the console and sees it pending; the
// authority's task shows what the catalog already holds of the data, and
// its acknowledgement moves the purchase on to cataloguing.
func TestConsoleClerkFilesPurchase(t *testing.T) {
	b := newBrowser(t)
	w := newWorld(t, "wuhan")
	b.signIn(t, "bob", api.RoleDepartment, w.provider, "wuhan")
	b.open(t, "#/more")
	b.do(t, chromedp.WaitVisible(css(`#more a[data-action="purchase-data"]`)))
	if n := eval[int](t, b, `document.querySelectorAll('#more a[data-action^="approval-"], #more a[data-action="conflict"]').length`); n != 0 {
		t.Errorf("wuhan offers %d authority approvals or conflict procedures its text does not provide", n)
	}
	b.do(t, chromedp.Click(css(`#more a[data-action="purchase-data"]`)), chromedp.WaitVisible(css("#file-purchase #f-title")),
		chromedp.SendKeys(css("#f-title"), "人口数据采购"), chromedp.SendKeys(css("#f-supplier"), "某数据公司"),
		chromedp.SendKeys(css("#f-purpose"), "人口统计"), chromedp.SendKeys(css("#f-data_items"), "人口基础信息 unconditional"),
		chromedp.Click(css("#submit")), chromedp.WaitVisible(css(`#record-status[data-status="pending"]`)))
	id := eval[string](t, b, `decodeURIComponent(location.hash.split("/").pop())`)
	b.shot(t, "purchase-filed")

	b.signIn(t, "carol", api.RoleAuthority, "", "wuhan")
	task := openTask(t, w.authority, "purchase", id)
	b.open(t, "#/tasks/"+task["id"].(string))
	b.do(t, chromedp.WaitVisible(css("#task-conditions")))
	if got := b.text(t, "#task-conditions"); !strings.Contains(got, w.items["unconditional"]) {
		t.Errorf("the authority's task does not show the overlap with %s: %q", w.items["unconditional"], got)
	}
	b.do(t, chromedp.Click(css(`button[data-decision="acknowledge"]`)), chromedp.Click(css("#submit")), chromedp.WaitVisible(css("#decided")))
	if st := w.prov.do("GET", "/api/v1/purchases/"+id, nil).must(t, 200).str("status"); st == "pending" {
		t.Errorf("the acknowledged purchase is still %s", st)
	}
}

// Weifang 第二十四条第二款: the authority converts a conditionally open item
// from the catalog page; without the decision cited the server's message is
// beside the field; the record shows the conversion applied and the catalog
// the item unconditional at version 2 (issue 18).
func TestConsoleAuthorityConvertsWeifang(t *testing.T) {
	b := newBrowser(t)
	w := newWorld(t, "weifang")
	id := uniq("OPEN")
	w.admin.do("POST", "/api/v1/catalog/items", map[string]any{"id": id, "jurisdiction": "weifang", "provider_dept": w.provider,
		"title": "开放数据 " + id, "share_type": "unconditional", "legal_basis": "《数据安全法》", "open_type": "conditional",
		"data_items": []string{"name"}}).must(t, 201)
	b.signIn(t, "carol", api.RoleAuthority, "", "weifang")
	b.open(t, "#/catalog?q="+id)
	row := `tr[data-item="` + id + `"]`
	b.do(t, chromedp.WaitVisible(css(row)), chromedp.Click(css(row+` a[data-action="convert"]`)), chromedp.WaitVisible(css("#file-conversion #f-reason")))
	b.do(t, chromedp.SendKeys(css("#f-reason"), "数据脱敏后具备无条件开放属性"), chromedp.Click(css("#submit")),
		waitFor(`document.querySelector('[data-error-for="decision"]').textContent !== ""`))
	b.do(t, chromedp.SendKeys(css("#f-decision"), "潍大数字〔2026〕9号"), chromedp.Click(css("#submit")),
		chromedp.WaitVisible(css(`#record-status[data-status="applied"]`)))
	b.shot(t, "conversion-applied")
	b.open(t, "#/catalog?q="+id)
	if got := b.text(t, row); !strings.Contains(got, "v2") {
		t.Errorf("the catalog shows %q, want version 2", got)
	}
	it := w.admin.do("GET", "/api/v1/catalog/items/"+id, nil).must(t, 200)
	if it.str("open_type") != "unconditional" {
		t.Fatalf("item after the conversion: %s", it.Raw)
	}
}

// A weifang department logs a use of shared data in the console (weifang
// 第三十一条): from its granted request it opens the use form; a purpose
// other than the grant's is refused beside the purpose (第二十一条), the
// grant's purpose is logged and listed under 使用记录.
func TestConsoleLogsUse(t *testing.T) {
	b := newBrowser(t)
	w := newWorld(t, "weifang")
	sr := w.file(t, "unconditional").must(t, 201)
	if sr.str("status") != "granted" {
		t.Fatalf("unconditional request: %s", sr.Raw)
	}
	b.signIn(t, "alice", api.RoleDepartment, w.requester, "weifang")
	b.open(t, "#/records/share_request/"+sr.str("id"))
	b.do(t, chromedp.WaitVisible(css(`a[data-action="log-use"]`)), chromedp.Click(css(`a[data-action="log-use"]`)),
		chromedp.WaitVisible(css("#file-use #f-purpose")),
		chromedp.SendKeys(css("#f-purpose"), "商业营销"), chromedp.SendKeys(css("#f-users"), "张三"),
		chromedp.SendKeys(css("#f-approver"), "王科长"), chromedp.SendKeys(css("#f-content"), "name"),
		chromedp.SendKeys(css("#f-means"), "接口调用"), chromedp.SendKeys(css("#f-medium"), "电子文件"),
		chromedp.Click(css("#submit")), waitFor(`(document.querySelector('[data-error-for="purpose"]')?.textContent ?? "") !== ""`))
	if msg := b.text(t, `[data-error-for="purpose"]`); !strings.Contains(msg, "第二十一条") {
		t.Errorf("beside the purpose: %q, want the grant's purpose limit (第二十一条)", msg)
	}
	b.do(t, chromedp.SetValue(css("#f-purpose"), sr.str("purpose")), chromedp.Click(css("#submit")),
		chromedp.WaitVisible(css("#uses tr[data-use]")))
	if got := b.text(t, "#uses"); !strings.Contains(got, "grant-"+sr.str("id")) {
		t.Errorf("the use list does not show the grant: %q", got)
	}
	b.shot(t, "use-logged")
}

// The yearly open plan is public (xiamen 第二十五条: 予以公布): without signing
// in, the page shows xiamen's plan with its article and counts, and a city
// whose text has no open plan shows the server's refusal beside the city.
func TestConsoleOpenPlanPublic(t *testing.T) {
	b := newBrowser(t)
	b.open(t, "#/open-plan?jurisdiction=wuhan&year=2026")
	b.do(t, waitFor(`(document.querySelector('[data-error-for="jurisdiction"]')?.textContent ?? "") !== ""`))
	b.open(t, "#/open-plan?jurisdiction=xiamen&year=2026")
	b.do(t, chromedp.WaitVisible(css("#plan-counts")))
	if basis := b.text(t, "#plan-basis"); !strings.Contains(basis, "第二十五条") {
		t.Errorf("the plan's basis: %q, want xiamen 第二十五条", basis)
	}
}

// The open list is public (weifang 第二十四条): without signing in, an
// unconditionally open item of weifang is listed with the article and a
// not-open one is not.
func TestConsoleOpenListPublic(t *testing.T) {
	w := newWorld(t, "weifang")
	open := map[string]string{}
	for _, ot := range []string{"unconditional", "not_open"} {
		id := uniq("OPEN")
		w.admin.do("POST", "/api/v1/catalog/items", map[string]any{"id": id, "jurisdiction": "weifang", "provider_dept": w.provider,
			"title": "开放数据 " + ot, "share_type": "unconditional", "legal_basis": "《数据安全法》", "open_type": ot,
			"data_items": []string{"name"}}).must(t, 201)
		open[ot] = id
	}
	b := newBrowser(t)
	b.open(t, "#/open-list?jurisdiction=weifang")
	b.do(t, chromedp.WaitVisible(css(`#open-list tr[data-item="`+open["unconditional"]+`"]`)))
	if n := eval[int](t, b, `document.querySelectorAll('#open-list tr[data-item="`+open["not_open"]+`"]').length`); n != 0 {
		t.Error("a not-open item is on the open list")
	}
	if basis := b.text(t, "#open-list-basis"); !strings.Contains(basis, "第二十四条") {
		t.Errorf("the open list's basis: %q, want weifang 第二十四条", basis)
	}
}

// A weifang department needing another's not-shared data for its duties
// starts the dispute chain from the catalog (weifang 第二十条); a wuhan
// department is offered coordination of a doubt about shared data instead
// (wuhan 第十九条), not the weifang path.
func TestConsoleFurtherDisputePaths(t *testing.T) {
	b := newBrowser(t)
	w := newWorld(t, "weifang")
	b.signIn(t, "alice", api.RoleDepartment, w.requester, "weifang")
	b.open(t, "#/catalog")
	row := `#catalog tr[data-item="` + w.items["not_shared"] + `"]`
	b.do(t, chromedp.WaitVisible(css(row+` a[data-action="item-dispute"]`)), chromedp.Click(css(row+` a[data-action="item-dispute"]`)),
		chromedp.WaitVisible(css("#file-item_dispute #f-reason")), chromedp.SendKeys(css("#f-reason"), "履职需要，申请协调"),
		chromedp.Click(css("#submit")), chromedp.WaitVisible(css(`#record-status[data-status]`)))
	if got := eval[string](t, b, `location.hash`); !strings.Contains(got, "#/records/dispute/") {
		t.Errorf("after filing: %s, want the dispute's record", got)
	}

	wu := newWorld(t, "wuhan")
	b.signIn(t, "dan", api.RoleDepartment, wu.requester, "wuhan")
	b.open(t, "#/catalog")
	wrow := `#catalog tr[data-item="` + wu.items["unconditional"] + `"]`
	b.do(t, chromedp.WaitVisible(css(wrow+` a[data-action="shared-doubt"]`)))
	if n := eval[int](t, b, `document.querySelectorAll('#catalog a[data-action="item-dispute"]').length`); n != 0 {
		t.Errorf("wuhan offers %d not-shared disputes its text does not provide", n)
	}
	b.do(t, chromedp.Click(css(wrow+` a[data-action="shared-doubt"]`)), chromedp.WaitVisible(css("#file-shared_doubt #f-description")),
		chromedp.SendKeys(css("#f-description"), "数据与实际不符"), chromedp.Click(css("#submit")),
		chromedp.WaitVisible(css(`#record-status[data-status]`)))
}
