package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/api"
	"github.com/cityapprovals/approvals/holidays"
)

// Weifang 第三十一条 (uses logged, traceable) checked against the grant's
// purpose limit (第二十一条): the grantee logs a use of the data it was
// granted; a use for another purpose, of data not granted or missing a
// particular is refused and logs nothing; the provider and the auditor read
// the log, other departments and the provider's own writes do not reach it;
// a keyed retry answers the first use. Wuhan's text requires no use log.
func TestUseLogsWeifang(t *testing.T) {
	w := newWorld(t, "weifang")
	sr := w.file(t, "unconditional").must(t, 201)
	if sr.str("status") != "granted" {
		t.Fatalf("unconditional request: %s", sr.Raw)
	}
	grant := "grant-" + sr.str("id")
	path := "/api/v1/grants/" + grant + "/uses"
	decided, err := time.Parse(time.RFC3339, sr.str("decided_at"))
	if err != nil {
		t.Fatalf("decided_at of %s: %v", sr.Raw, err)
	}
	at := decided.Add(time.Second).UTC().Format(time.RFC3339) // used once granted
	use := func(edit func(map[string]any)) map[string]any {
		b := map[string]any{"purpose": "核验申请人户籍", "users": []string{"张三", "李四"}, "approver": "王科长",
			"content": []string{"name"}, "used_at": at, "means": "接口调用", "medium": "电子文件"}
		if edit != nil {
			edit(b)
		}
		return b
	}
	refusedOn(t, w.req.do("POST", path, use(func(b map[string]any) { b["purpose"] = "商业营销" })), "purpose", "第二十一条")
	refusedOn(t, w.req.do("POST", path, use(func(b map[string]any) { b["content"] = []string{"name", "id_number"} })), "content[1]", "第二十一条")
	refusedOn(t, w.req.do("POST", path, use(func(b map[string]any) { delete(b, "approver") })), "approver", "第三十一条")
	refusedOn(t, w.req.do("POST", path, use(func(b map[string]any) {
		b["used_at"] = time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	})), "used_at", "")
	w.req.do("POST", path, map[string]any{"purpose": "x", "mood": "good"}).must(t, http.StatusBadRequest)
	if n := len(w.prov.do("GET", path, nil).must(t, 200).items()); n != 0 {
		t.Fatalf("refused uses were logged: %d", n)
	}

	got := w.req.do("POST", path, use(nil)).must(t, 201)
	if !strings.Contains(got.str("article"), "第三十一条") || got.str("grant_id") != grant || got.str("provider_dept") != w.provider || got.Body["flagged"] != false {
		t.Fatalf("logged use: %s", got.Raw)
	}
	keyed := w.req.do("POST", path, use(nil), "Idempotency-Key", "use-1").must(t, 201)
	again := w.req.do("POST", path, use(nil), "Idempotency-Key", "use-1").must(t, 200)
	if again.str("id") != keyed.str("id") || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retried use: %s", again.Raw)
	}
	w.req.do("POST", path, use(func(b map[string]any) { b["medium"] = "纸质" }), "Idempotency-Key", "use-1").must(t, 422)

	w.prov.do("POST", path, use(nil)).must(t, http.StatusForbidden) // only the grantee logs
	other := uniq("OTH")
	w.admin.do("POST", "/api/v1/departments", map[string]any{"code": other, "name": "其他部门", "jurisdiction": "weifang", "kind": "bureau"}).must(t, 201)
	stranger := sys.as(t, "eve", api.RoleDepartment, other, "weifang")
	stranger.do("GET", path, nil).must(t, 404)
	stranger.do("POST", path, use(nil)).must(t, 404)
	auditor := sys.as(t, "audrey", api.RoleAuditor, "", "")
	for _, u := range []user{w.req, w.prov, auditor} {
		if items := u.do("GET", path+"?page_size=500", nil).must(t, 200).items(); len(items) != 2 || items[0]["approver"] != "王科长" {
			t.Fatalf("the log as read: %v", items)
		}
	}
	if n := len(auditor.do("GET", path+"?flagged=true", nil).must(t, 200).items()); n != 0 {
		t.Fatalf("%d uses flagged", n)
	}
	w.admin.do("GET", path, nil).must(t, http.StatusForbidden)
	// Across grants: the provider's data, the grantee's uses; nothing for a stranger.
	for _, u := range []user{w.req, w.prov} {
		if items := u.do("GET", "/api/v1/uses?grant_id="+grant, nil).must(t, 200).items(); len(items) != 2 {
			t.Fatalf("uses across grants: %v", items)
		}
	}
	if items := stranger.do("GET", "/api/v1/uses?grant_id="+grant, nil).must(t, 200).items(); len(items) != 0 {
		t.Fatalf("a stranger reads %v", items)
	}
	w.req.do("GET", "/api/v1/grants/grant-none/uses", nil).must(t, 404)

	wu := newWorld(t, "wuhan")
	wg := "grant-" + wu.file(t, "unconditional").must(t, 201).str("id")
	refusedOn(t, wu.req.do("POST", "/api/v1/grants/"+wg+"/uses", use(nil)), "jurisdiction", "第三十三条")
}

// The yearly evaluation (weifang 第三十二条) from the procedures themselves:
// the provider's share requests answered on time and still open, its month,
// as JSON and CSV, for the auditor; xiamen's text provides none.
func TestEvaluationReportWeifang(t *testing.T) {
	w := newWorld(t, "weifang")
	answered := w.file(t, "conditional").must(t, 201).str("id")
	decide(t, w.prov, taskFor(t, w.prov, answered), map[string]any{"decision": "approve", "conditions": "仅限人才落户审批"}, 200)
	waitClosed(t, answered)
	w.file(t, "conditional").must(t, 201)
	now := time.Now().In(holidays.Shanghai)
	year := now.Format("2006")
	auditor := sys.as(t, "audrey", api.RoleAuditor, "", "")
	q := "/api/v1/reports/evaluation?jurisdiction=weifang&year=" + year + "&department=" + w.provider
	r := auditor.do("GET", q, nil).must(t, 200)
	if !strings.Contains(r.str("article"), "第三十二条") || r.str("evaluator") != "government" {
		t.Fatalf("evaluation: %s", r.Raw)
	}
	rows, _ := r.Body["rows"].([]any)
	if len(rows) != 1 {
		t.Fatalf("rows: %s", r.Raw)
	}
	row := rows[0].(map[string]any)
	sh := row["share_requests"].(map[string]any)
	if row["department"] != w.provider || sh["filed"] != 2.0 || sh["completed_on_time"] != 1.0 || sh["open"] != 1.0 ||
		!strings.Contains(string(r.Raw), "第二十条") || !strings.Contains(row["overdue_article"].(string), "第三十五条") {
		t.Fatalf("the provider's row: %v", row)
	}
	month := row["months"].([]any)[now.Month()-1].(map[string]any)
	if month["filed"] != 2.0 || month["completed_on_time"] != 1.0 {
		t.Fatalf("the month: %v", month)
	}
	csv := auditor.do("GET", q+"&format=csv", nil).must(t, 200)
	lines := strings.Split(strings.TrimSpace(string(csv.Raw)), "\n")
	if !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") || len(lines) != 2 ||
		!strings.HasPrefix(lines[1], "weifang,"+w.provider+","+year+",2,1,0,0,0,1,") || !strings.HasSuffix(lines[1], "第三十二条") {
		t.Fatalf("CSV: %s", csv.Raw)
	}
	// Every department of the city has a row; the requester received nothing.
	all := w.admin.do("GET", "/api/v1/reports/evaluation?jurisdiction=weifang&year="+year, nil).must(t, 200)
	if !strings.Contains(string(all.Raw), `"department":"`+w.requester+`"`) {
		t.Fatalf("the requester has no row")
	}
	refusedOn(t, auditor.do("GET", "/api/v1/reports/evaluation?jurisdiction=xiamen&year="+year, nil), "jurisdiction", "厦门市")
	auditor.do("GET", "/api/v1/reports/evaluation?jurisdiction=weifang&year=1999", nil).must(t, 400)
	auditor.do("GET", "/api/v1/reports/evaluation?jurisdiction=weifang", nil).must(t, 400)
	w.prov.do("GET", q, nil).must(t, http.StatusForbidden)
}

// Weifang 第二十四条: the published open list, without login: the items open
// unconditionally or on conditions, never the not-open ones, paginated, with
// the article.
func TestOpenListWeifang(t *testing.T) {
	w := newWorld(t, "weifang")
	open := map[string]string{}
	for _, ot := range []string{"unconditional", "conditional", "not_open"} {
		id := uniq("OPEN")
		w.admin.do("POST", "/api/v1/catalog/items", map[string]any{"id": id, "jurisdiction": "weifang", "provider_dept": w.provider,
			"title": "开放数据 " + ot, "share_type": "unconditional", "legal_basis": "《数据安全法》", "open_type": ot,
			"data_items": []string{"name"}}).must(t, 201)
		open[ot] = id
	}
	anon := user{t: t}
	q := "/api/v1/open-list?jurisdiction=weifang&provider_dept=" + w.provider
	first := anon.do("GET", q+"&page_size=1", nil).must(t, 200)
	if !strings.Contains(first.str("article"), "第二十四条") || first.Body["in_force"] != true || len(first.items()) != 1 || first.str("next_page_token") == "" {
		t.Fatalf("first page: %s", first.Raw)
	}
	second := anon.do("GET", q+"&page_size=1&page_token="+first.str("next_page_token"), nil).must(t, 200)
	if len(second.items()) != 1 || second.str("next_page_token") != "" {
		t.Fatalf("second page: %s", second.Raw)
	}
	got := []any{first.items()[0]["id"], second.items()[0]["id"]}
	if got[0] != open["conditional"] && got[0] != open["unconditional"] || got[0] == got[1] ||
		got[1] != open["conditional"] && got[1] != open["unconditional"] {
		t.Fatalf("listed %v, want %v", got, open)
	}
	if it := anon.do("GET", q+"&open_type=unconditional", nil).must(t, 200).items(); len(it) != 1 || it[0]["id"] != open["unconditional"] {
		t.Fatalf("unconditional only: %v", it)
	}
	anon.do("GET", "/api/v1/open-list", nil).must(t, 400)
	anon.do("GET", "/api/v1/open-list?jurisdiction=weifang&open_type=not_open", nil).must(t, 400)
	anon.do("GET", "/api/v1/open-list?jurisdiction=nowhere", nil).must(t, 400)
	if xm := anon.do("GET", "/api/v1/open-list?jurisdiction=xiamen", nil).must(t, 200); !strings.Contains(xm.str("article"), "第二十二条") {
		t.Fatalf("xiamen: %s", xm.Raw)
	}
}

// An item an objection suspended (中止开放) leaves wuhan's open list
// (第二十条、第二十三条) while the objection is verified.
func TestOpenListLeavesOutSuspended(t *testing.T) {
	w := newWorld(t, "wuhan")
	item := uniq("OPEN")
	w.admin.do("POST", "/api/v1/catalog/items", map[string]any{"id": item, "jurisdiction": "wuhan", "provider_dept": w.provider,
		"title": "公交线路", "share_type": "unconditional", "legal_basis": "", "open_type": "unconditional", "data_items": []string{"line"}}).must(t, 201)
	anon := user{t: t}
	listed := func() bool {
		r := anon.do("GET", "/api/v1/open-list?jurisdiction=wuhan&provider_dept="+w.provider, nil).must(t, 200)
		if !strings.Contains(r.str("article"), "第二十三条") {
			t.Fatalf("wuhan's open list: %s", r.Raw)
		}
		return len(r.items()) == 1 && r.items()[0]["id"] == item
	}
	if !listed() {
		t.Fatal("the open item is not listed")
	}
	zhang := sys.as(t, "zhang-"+uniq("p"), api.RoleApplicant, "", "wuhan")
	ev := upload(t, zhang, "证明.txt", "text/plain", []byte("线路已调整")).must(t, 201)
	id := object(zhang, item, "error", []string{ev.str("id")}).must(t, 201).str("id")
	decide(t, w.authority, openTask(t, w.authority, "objection", id), map[string]any{"decision": "forward"}, 200)
	decide(t, w.prov, openTask(t, w.prov, "objection", id), map[string]any{"decision": "suspend"}, 200)
	if listed() {
		t.Fatal("a suspended item is on the open list")
	}
}

// Leshan 第三十三条 (its draft in force once the deployment extends it): every
// particular of a use is required, and the purpose limit is 第十九条.
func TestUseLogsLeshan(t *testing.T) {
	w := newWorld(t, "leshan")
	base := startAPI(t, "APPROVALS_EXTEND_VALIDITY=xiamen:2099-12-31,leshan:2020-01-01..2099-12-31")
	req := w.req
	req.base = base
	sr := req.do("POST", "/api/v1/share-requests", map[string]any{"catalog_item_id": w.items["unconditional"], "purpose": "核验申请人户籍",
		"scenario": "人才落户审批", "data_items": []string{"name"}}).must(t, 201)
	decided, err := time.Parse(time.RFC3339, sr.str("decided_at"))
	if sr.str("status") != "granted" || err != nil {
		t.Fatalf("unconditional request: %s", sr.Raw)
	}
	path := "/api/v1/grants/grant-" + sr.str("id") + "/uses"
	body := map[string]any{"purpose": "核验申请人户籍", "users": []string{"张三"}, "approver": "王科长", "content": []string{"name"},
		"used_at": decided.Add(time.Second).UTC().Format(time.RFC3339), "means": "接口调用"}
	refusedOn(t, req.do("POST", path, body), "medium", "第三十三条")
	body["medium"] = "电子文件"
	body["content"] = []string{"address"} // requested were only names
	refusedOn(t, req.do("POST", path, body), "content[0]", "第十九条")
	body["content"] = []string{"name"}
	if got := req.do("POST", path, body).must(t, 201); !strings.Contains(got.str("article"), "乐山市数据资源管理暂行办法 第三十三条") {
		t.Fatalf("logged: %s", got.Raw)
	}
	// Without the extension the draft is not in force: refused, naming the document.
	refusedOn(t, w.req.do("POST", path, body), "jurisdiction", "乐山市数据资源管理暂行办法")
}
