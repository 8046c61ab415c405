package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/api"
	"github.com/cityapprovals/approvals/devserver"
	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/workflows"
)

// openWorld is a city with a providing department and one catalog item per
// open type, and an applicant.
type openWorld struct {
	city, provider string
	items          map[string]string // open type → item ID
	prov, app      user
	authority      user
}

func newOpenWorld(t *testing.T, city string) openWorld {
	t.Helper()
	w := openWorld{city: city, provider: uniq("OPV"), items: map[string]string{}}
	admin := sys.as(t, "admin1", api.RoleAdmin, "", "")
	admin.do("POST", "/api/v1/departments", map[string]any{"code": w.provider, "name": "市交通局 " + w.provider, "jurisdiction": city, "kind": "bureau"}).must(t, 201)
	for _, ot := range []string{"unconditional", "conditional", "not_open"} {
		id := uniq("OITEM")
		admin.do("POST", "/api/v1/catalog/items", map[string]any{
			"id": id, "jurisdiction": city, "provider_dept": w.provider, "title": "公交线路数据 " + ot,
			"share_type": "unconditional", "legal_basis": "《中华人民共和国数据安全法》第二十一条",
			"open_type": ot, "data_items": []string{"line", "stops"},
		}).must(t, 201)
		w.items[ot] = id
	}
	w.prov = sys.as(t, "bob", api.RoleDepartment, w.provider, city)
	w.app = sys.as(t, uniq("applicant"), api.RoleApplicant, "", "")
	w.authority = sys.as(t, "carol", api.RoleAuthority, "", city)
	return w
}

// application is a complete application for an item; edit returns it changed.
func (w openWorld) application(item string, edit ...func(map[string]any)) map[string]any {
	today := time.Now().In(holidays.Shanghai)
	b := map[string]any{
		"jurisdiction": w.city, "catalog_item_id": item,
		"applicant": map[string]any{"name": "厦门出行科技有限公司", "kind": "company", "credit_code": "91350200MA2XXXXX1Q"},
		"scenario":  "实时公交查询应用", "data_scope": "全市公交线路与站点", "delivery": "api",
		"period_of_use":   map[string]any{"from": today.Format(time.DateOnly), "to": today.AddDate(0, 6, 0).Format(time.DateOnly)},
		"safety_measures": "等保三级；访问日志留存六个月",
	}
	for _, e := range edit {
		e(b)
	}
	return b
}

// Changsha: the provider approves; the applicant sees the grant for the
// period of use; others do not see the application.
func TestOpenChangshaApproveGrantVisible(t *testing.T) {
	w := newOpenWorld(t, "changsha")
	key := uniq("key")
	r := w.app.do("POST", "/api/v1/open-applications", w.application(w.items["conditional"]), "Idempotency-Key", key).must(t, 201)
	id := r.str("id")
	if r.str("status") != "under_decision" || !strings.Contains(r.str("article"), "第二十四条") {
		t.Fatalf("filed: %s", r.Raw)
	}
	again := w.app.do("POST", "/api/v1/open-applications", w.application(w.items["conditional"]), "Idempotency-Key", key).must(t, 200)
	if again.str("id") != id || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry with the same key: %s", again.Raw)
	}
	task := openTask(t, w.prov, "open_application", id)
	filed, err := time.Parse(time.RFC3339Nano, r.str("filed_at"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := holidays.Default().AddWorkingDays(filed, 10)
	if err != nil {
		t.Fatal(err)
	}
	if task["due_date"] != want.DueDate {
		t.Fatalf("task due %v, want %s (10 working days)", task["due_date"], want.DueDate)
	}
	// A refusal needs reasons and basis.
	decide(t, w.prov, task, map[string]any{"decision": "reject", "reason": "数据质量"}, 422)
	decide(t, w.prov, task, map[string]any{"decision": "approve", "conditions": "仅限实时公交查询"}, 200)

	got := w.app.do("GET", "/api/v1/open-applications/"+id, nil).must(t, 200)
	g, _ := got.Body["grant"].(map[string]any)
	if got.str("status") != "approved" || g == nil || g["status"] != "active" || g["conditions"] != "仅限实时公交查询" {
		t.Fatalf("after approval: %s", got.Raw)
	}
	to := w.application("")["period_of_use"].(map[string]any)["to"].(string)
	end, _ := holidays.ParseDate(to)
	if exp, _ := time.Parse(time.RFC3339, g["expires_at"].(string)); !exp.Equal(end.AddDate(0, 0, 1)) {
		t.Fatalf("grant expires %v, want 24:00 Beijing time of %s", g["expires_at"], to)
	}
	// Visibility: another applicant and another department see nothing.
	other := sys.as(t, uniq("applicant"), api.RoleApplicant, "", "")
	other.do("GET", "/api/v1/open-applications/"+id, nil).must(t, 404)
	if n := len(other.do("GET", "/api/v1/open-applications", nil).must(t, 200).items()); n != 0 {
		t.Fatalf("another applicant lists %d applications", n)
	}
	sys.as(t, "eve", api.RoleDepartment, "CS-OTHER", "changsha").do("GET", "/api/v1/open-applications/"+id, nil).must(t, 404)
	w.prov.do("GET", "/api/v1/open-applications/"+id, nil).must(t, 200)
	sys.as(t, "audrey", api.RoleAuditor, "", "").do("GET", "/api/v1/open-applications/"+id, nil).must(t, 200)
	mine := w.app.do("GET", "/api/v1/open-applications", nil).must(t, 200).items()
	if len(mine) != 1 || mine[0]["id"] != id {
		t.Fatalf("own list: %v", mine)
	}
}

// Xiamen: the information centre returns the application with reasons, the
// applicant amends and resubmits, the second round passes, the authority and
// the provider decide; the refusal is published with its reasons.
func TestOpenXiamenReturnResubmitPassRefusePublished(t *testing.T) {
	w := newOpenWorld(t, "xiamen")
	ic := sys.as(t, "ivy", api.RoleInfocenter, "", "xiamen")
	r := w.app.do("POST", "/api/v1/open-applications", w.application(w.items["conditional"])).must(t, 201)
	id := r.str("id")
	if r.str("status") != "preliminary_review" {
		t.Fatalf("filed: %s", r.Raw)
	}
	t1 := openTask(t, ic, "open_application", id)
	if !strings.HasSuffix(t1["id"].(string), ".preliminary-1.infocenter") || !strings.Contains(t1["article"].(string), "第二十三条") {
		t.Fatalf("preliminary task %v", t1)
	}
	w.app.do("POST", "/api/v1/open-applications/"+id+"/resubmit", w.application("")).must(t, 400) // unknown fields
	decide(t, ic, t1, map[string]any{"decision": "reject", "reason": "数据范围表述不清"}, 200)
	got := w.app.do("GET", "/api/v1/open-applications/"+id, nil).must(t, 200)
	if got.str("status") != "returned" || got.str("return_reason") != "数据范围表述不清" {
		t.Fatalf("after return: %s", got.Raw)
	}
	amend := map[string]any{"scenario": "实时公交查询应用", "data_scope": "全市公交线路与站点（不含客流）", "delivery": "api",
		"period_of_use": w.application("")["period_of_use"], "safety_measures": "等保三级"}
	bad := map[string]any{"scenario": "x", "data_scope": "y", "delivery": "api", "period_of_use": map[string]any{"from": "2027-01-02", "to": "2027-01-01"}}
	if f := fieldOf(w.app.do("POST", "/api/v1/open-applications/"+id+"/resubmit", bad).must(t, 422)); f != "period_of_use.to" {
		t.Fatalf("bad resubmission names %q", f)
	}
	sys.as(t, uniq("applicant"), api.RoleApplicant, "", "").do("POST", "/api/v1/open-applications/"+id+"/resubmit", amend).must(t, 404)
	re := w.app.do("POST", "/api/v1/open-applications/"+id+"/resubmit", amend).must(t, 200)
	if re.str("status") != "preliminary_review" || re.Body["round"] != float64(2) || len(re.Body["rounds"].([]any)) != 2 {
		t.Fatalf("after resubmission: %s", re.Raw)
	}
	t2 := openTask(t, ic, "open_application", id)
	if !strings.HasSuffix(t2["id"].(string), ".preliminary-2.infocenter") {
		t.Fatalf("second round task %v", t2)
	}
	decide(t, ic, t2, map[string]any{"decision": "approve"}, 200)
	passed := w.app.do("GET", "/api/v1/open-applications/"+id, nil).must(t, 200)
	if passed.str("status") != "under_decision" {
		t.Fatalf("after pass: %s", passed.Raw)
	}
	at := openTask(t, w.authority, "open_application", id)
	pt := openTask(t, w.prov, "open_application", id)
	want, err := holidays.Default().AddWorkingDays(time.Now(), 7)
	if err != nil {
		t.Fatal(err)
	}
	if at["due_date"] != want.DueDate || pt["due_date"] != want.DueDate {
		t.Fatalf("decision due %v/%v, want %s (7 working days from the pass)", at["due_date"], pt["due_date"], want.DueDate)
	}
	decide(t, w.authority, at, map[string]any{"decision": "reject", "reason": "涉及运营企业商业秘密"}, 200)
	final := w.app.do("GET", "/api/v1/open-applications/"+id, nil).must(t, 200)
	if final.str("status") != "rejected" || final.Body["published"] != true || final.Body["grant"] != nil {
		t.Fatalf("after refusal: %s", final.Raw)
	}
	pub := (user{t: t}).do("GET", "/api/v1/open-applications/published-refusals?jurisdiction=xiamen&page_size=500", nil).must(t, 200)
	found := false
	for _, it := range pub.items() {
		if it["id"] == id {
			found = it["reason"] == "涉及运营企业商业秘密"
		}
	}
	if !found {
		t.Fatalf("refusal not published with its reasons: %s", pub.Raw)
	}
	checkHistory(t, id, "open-xiamen-return-resubmit-refused")
}

// Bad input is refused with a problem naming the field; unconditionally
// open items need no application, not-open items are refused with the basis.
func TestOpenBadInput(t *testing.T) {
	w := newOpenWorld(t, "xiamen")
	post := func(body map[string]any) reply {
		return w.app.do("POST", "/api/v1/open-applications", body)
	}
	r := post(w.application(w.items["unconditional"])).must(t, 409)
	if fieldOf(r) != "catalog_item_id" || !strings.Contains(r.Header.Get("Link"), w.items["unconditional"]) {
		t.Fatalf("unconditional item: %s %v", r.Raw, r.Header)
	}
	r = post(w.application(w.items["not_open"])).must(t, 422)
	if fieldOf(r) != "catalog_item_id" || !strings.Contains(r.str("detail"), "数据安全法") {
		t.Fatalf("not-open item: %s", r.Raw)
	}
	cases := map[string]func(map[string]any){
		"period_of_use.to": func(b map[string]any) {
			b["period_of_use"] = map[string]any{"from": "2027-03-01", "to": "2027-02-01"}
		},
		"safety_measures": func(b map[string]any) { delete(b, "safety_measures") },
		"catalog_item_id": func(b map[string]any) { b["catalog_item_id"] = newOpenWorld(t, "changsha").items["conditional"] },
		"delivery":        func(b map[string]any) { b["delivery"] = "email" },
		"applicant.kind":  func(b map[string]any) { b["applicant"] = map[string]any{"name": "张三", "kind": "robot"} },
		"demand":          func(b map[string]any) { delete(b, "catalog_item_id"); b["demand"] = "充电桩数据" },
		"jurisdiction":    func(b map[string]any) { b["jurisdiction"] = "leshan" }, // not in force here
	}
	for field, edit := range cases {
		r := post(w.application(w.items["conditional"], edit)).must(t, 422)
		if f := fieldOf(r); f != field {
			t.Errorf("%s: problem names %q: %s", field, f, r.Raw)
		}
	}
	// Wuhan does not require safety measures.
	wh := newOpenWorld(t, "wuhan")
	wh.app.do("POST", "/api/v1/open-applications", wh.application(wh.items["conditional"], func(b map[string]any) {
		b["jurisdiction"] = "wuhan"
		delete(b, "safety_measures")
	})).must(t, 201)
	// Only applicants file.
	w.prov.do("POST", "/api/v1/open-applications", w.application(w.items["conditional"])).must(t, 403)
	// The list of approved applicants is leshan's.
	(user{t: t}).do("GET", "/api/v1/open-applications/approved-applicants?jurisdiction=xiamen", nil).must(t, 422)
	(user{t: t}).do("GET", "/api/v1/open-applications/approved-applicants?jurisdiction=leshan", nil).must(t, 200)
}

// Weifang 第二十五条 and changsha 第十二条: a data demand application names
// the department holding the data, which handles it (not the authority);
// its approval grants nothing. A demand without the department, or naming
// another city's, is refused naming provider_dept; wuhan takes no demands.
func TestOpenDemandToHolder(t *testing.T) {
	for _, city := range []string{"weifang", "changsha"} {
		t.Run(city, func(t *testing.T) {
			w := newOpenWorld(t, city)
			demand := func(dept string) map[string]any {
				return w.application("", func(b map[string]any) {
					delete(b, "catalog_item_id")
					b["demand"] = "全市公共充电桩实时状态数据"
					if dept != "" {
						b["provider_dept"] = dept
					}
				})
			}
			if f := fieldOf(w.app.do("POST", "/api/v1/open-applications", demand("")).must(t, 422)); f != "provider_dept" {
				t.Fatalf("a demand without its department names %q", f)
			}
			if f := fieldOf(w.app.do("POST", "/api/v1/open-applications", demand(uniq("NODEPT"))).must(t, 422)); f != "provider_dept" {
				t.Fatalf("a demand to no department names %q", f)
			}
			r := w.app.do("POST", "/api/v1/open-applications", demand(w.provider)).must(t, 201)
			if r.str("kind") != "demand" || r.Body["statutory"] != false || r.str("provider_dept") != w.provider {
				t.Fatalf("demand: %s", r.Raw)
			}
			task := openTask(t, w.prov, "open_application", r.str("id"))
			if task["assignee_role"] != "department" || task["assignee_dept"] != w.provider {
				t.Fatalf("the demand's task: %v", task)
			}
			decide(t, w.prov, task, map[string]any{"decision": "approve"}, 200)
			got := w.app.do("GET", "/api/v1/open-applications/"+r.str("id"), nil).must(t, 200)
			if got.str("status") != "approved" || got.Body["grant"] != nil {
				t.Fatalf("approved demand: %s", got.Raw)
			}
			checkHistory(t, r.str("id"), "open-"+city+"-demand-to-holder")
		})
	}
	w := newOpenWorld(t, "wuhan")
	r := w.app.do("POST", "/api/v1/open-applications", w.application("", func(b map[string]any) {
		delete(b, "catalog_item_id")
		b["demand"] = "全市公共充电桩实时状态数据"
		b["provider_dept"] = w.provider
	})).must(t, 422)
	if fieldOf(r) != "demand" {
		t.Fatalf("wuhan demand: %s", r.Raw)
	}
}

// startAPI starts a second API process on the same database and Temporal,
// with extra environment (e.g. a validity extension), and waits until it is
// ready; it is stopped when the test ends.
func startAPI(t *testing.T, env ...string) string {
	t.Helper()
	if !sys.postgres {
		t.Skip("a second API process needs PostgreSQL")
	}
	port, err := devserver.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	s := *sys
	s.env = append(slices.Clone(sys.env), append([]string{fmt.Sprintf("APPROVALS_ADDR=127.0.0.1:%d", port)}, env...)...)
	p, err := s.start("api-"+t.Name(), "api")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.stop)
	deadline := time.Now().Add(60 * time.Second) // a start-up wait, bounded
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		select {
		case <-p.done:
			t.Fatalf("second API exited: %s", tail(p.log))
		case <-time.After(200 * time.Millisecond):
		}
	}
	t.Fatalf("second API not ready: %s", tail(p.log))
	return ""
}

// Leshan: its draft is not in force in this deployment, so filing is refused;
// a deployment that extends it (a second API process with
// APPROVALS_EXTEND_VALIDITY) takes the application. A conditionally open item
// sets only the conditions of use of 第二十五条第二款 (第二十六条: no
// discriminatory conditions); the application states how it meets each, and
// the authority's decision task shows them. The approval is effective, and
// the grant opens, only once the applicant accepts the use agreement with all
// six clauses of 第二十八条 and the providing department concludes it; the
// applicant is then listed publicly.
func TestOpenLeshanAgreementAndApprovedList(t *testing.T) {
	w := newOpenWorld(t, "leshan")
	body := w.application(w.items["conditional"], func(b map[string]any) {
		b["jurisdiction"] = "leshan"
		b["applicant"] = map[string]any{"name": uniq("乐山数据应用研究所"), "kind": "organisation"}
		b["capabilities"] = "本地化存储与加密处理能力"
	})
	r := w.app.do("POST", "/api/v1/open-applications", body).must(t, 422)
	if fieldOf(r) != "jurisdiction" || !strings.Contains(r.str("detail"), "乐山市数据资源管理暂行办法") {
		t.Fatalf("leshan without extension: %s", r.Raw)
	}

	base := startAPI(t, "APPROVALS_EXTEND_VALIDITY=xiamen:2099-12-31,leshan:2020-01-01..2099-12-31")
	app, auth, prov := w.app, w.authority, w.prov
	app.base, auth.base, prov.base = base, base, base
	admin := sys.as(t, "admin1", api.RoleAdmin, "", "")
	item := func(cond map[string]any) reply {
		return admin.do("POST", "/api/v1/catalog/items", map[string]any{
			"id": uniq("OITEM"), "jurisdiction": "leshan", "provider_dept": w.provider, "title": "公交客流数据",
			"share_type": "unconditional", "legal_basis": "《中华人民共和国数据安全法》第二十一条",
			"open_type": "conditional", "data_items": []string{"line", "flow"}, "open_conditions": []any{cond},
		})
	}
	bad := item(map[string]any{"kind": "local_registration", "requirement": "本市注册企业"}).must(t, 422)
	if fieldOf(bad) != "open_conditions[0].kind" || !strings.Contains(string(bad.Raw), "第二十六条") {
		t.Fatalf("a discriminatory condition: %s", bad.Raw)
	}
	itemID := item(map[string]any{"kind": "credit_level", "requirement": "纳税信用A级"}).must(t, 201).str("id")
	body["catalog_item_id"] = itemID
	if f := fieldOf(app.do("POST", "/api/v1/open-applications", body).must(t, 422)); f != "conditions_met.credit_level" {
		t.Fatalf("leshan without the condition's statement names %q", f)
	}
	body["conditions_met"] = map[string]any{"credit_level": "2025年度纳税信用A级"}
	noCap := w.application(itemID, func(b map[string]any) { b["jurisdiction"] = "leshan"; b["conditions_met"] = body["conditions_met"] })
	if f := fieldOf(app.do("POST", "/api/v1/open-applications", noCap).must(t, 422)); f != "capabilities" {
		t.Fatalf("leshan without capabilities names %q", f)
	}
	filed := app.do("POST", "/api/v1/open-applications", body).must(t, 201)
	id := filed.str("id")
	task := openTask(t, auth, "open_application", id)
	facts, _ := task["facts"].([]any)
	if task["assignee_role"] != "authority" || len(facts) != 1 || facts[0].(map[string]any)["value"] != "纳税信用A级" || facts[0].(map[string]any)["stated"] != "2025年度纳税信用A级" {
		t.Fatalf("leshan task %v", task)
	}
	decide(t, auth, task, map[string]any{"decision": "approve", "conditions": "仅限科研用途"}, 200)
	pending := app.do("GET", "/api/v1/open-applications/"+id, nil).must(t, 200)
	clauses, _ := pending.Body["agreement_clauses"].([]any)
	if pending.str("status") != "awaiting_agreement" || pending.Body["grant"] != nil || len(clauses) != 6 {
		t.Fatalf("approved before the agreement: %s", pending.Raw)
	}
	var keys []string
	for _, c := range clauses {
		keys = append(keys, c.(map[string]any)["key"].(string))
	}
	path := "/api/v1/open-applications/" + id + "/agreement"
	if f := fieldOf(app.do("POST", path, map[string]any{"accept_clauses": keys[:5]}).must(t, 422)); f != "accept_clauses" {
		t.Fatalf("partial agreement names %q", f)
	}
	auth.do("POST", path, map[string]any{"accept_clauses": keys}).must(t, 403)
	accepted := app.do("POST", path, map[string]any{"accept_clauses": keys}).must(t, 200)
	if accepted.str("status") != "awaiting_conclusion" || accepted.Body["grant"] != nil || accepted.str("agreement_accepted_at") == "" {
		t.Fatalf("after the acceptance: %s", accepted.Raw)
	}
	app.do("POST", path, map[string]any{"accept_clauses": keys}).must(t, 422) // once
	sign := openTask(t, prov, "open_application", id)
	if sign["id"] != id+".agreement.department" || sign["assignee_dept"] != w.provider {
		t.Fatalf("the agreement is concluded with the providing department: %v", sign)
	}
	decide(t, prov, sign, map[string]any{"decision": "approve"}, 422)
	decide(t, prov, sign, map[string]any{"decision": "conclude"}, 200)
	done := app.do("GET", "/api/v1/open-applications/"+id, nil).must(t, 200)
	g, _ := done.Body["grant"].(map[string]any)
	if done.str("status") != "approved" || g == nil || g["status"] != "active" || done.str("agreement_concluded_at") == "" {
		t.Fatalf("after the conclusion: %s", done.Raw)
	}
	// The grant runs for months: the history so far (the agreement
	// concluded, the grant's timer started) replays and is recorded.
	waitActivity(t, id, "FinishOpenApplication", 1)
	raw := (sys.as(t, "audrey", api.RoleAuditor, "", "")).do("GET", "/api/v1/procedures/"+id+"/history", nil).must(t, 200).Raw
	if err := workflows.ReplayJSON(bytes.NewReader(raw)); err != nil {
		t.Fatalf("history of %s does not replay on the current code: %v", id, err)
	}
	recordHistory(t, "open-leshan-agreement-concluded", func() []byte { return rawHistory(t, id) })
	list := (user{t: t}).do("GET", "/api/v1/open-applications/approved-applicants?jurisdiction=leshan&page_size=500", nil).must(t, 200)
	name := body["applicant"].(map[string]any)["name"]
	listed := false
	for _, it := range list.items() {
		listed = listed || it["applicant_name"] == name
	}
	if !listed {
		t.Fatalf("%v is not on the approved list: %s", name, list.Raw)
	}
}
