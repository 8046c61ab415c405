package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/api"
	"github.com/cityapprovals/approvals/holidays"
)

func TestUnconditionalGrantedAtOnce(t *testing.T) {
	w := newWorld(t, "wuhan")
	r := w.file(t, "unconditional").must(t, 201)
	if r.str("status") != "granted" || r.str("basis") != "unconditional" {
		t.Fatalf("status %q basis %q, want granted/unconditional", r.str("status"), r.str("basis"))
	}
	if !strings.Contains(r.str("article"), "第十七条") {
		t.Fatalf("article %q does not cite 第十七条", r.str("article"))
	}
	checkHistory(t, r.str("id"), "wuhan-unconditional")
}

func TestNotSharedRefusedCitingClassification(t *testing.T) {
	w := newWorld(t, "weifang")
	r := w.file(t, "not_shared").must(t, 422)
	if !strings.Contains(r.str("detail"), "不予共享") || !strings.Contains(r.str("detail"), "个人信息保护法") {
		t.Fatalf("refusal does not cite the classification and its basis: %s", r.Raw)
	}
	list := w.req.do("GET", "/api/v1/share-requests?catalog_item_id="+w.items["not_shared"], nil).must(t, 200)
	if n := len(list.items()); n != 0 {
		t.Fatalf("a refused filing left %d requests", n)
	}
}

// Xiamen: the authority together with the provider decide within 5 working
// days; both must approve.
func TestXiamenBothMustApprove(t *testing.T) {
	w := newWorld(t, "xiamen")
	r := w.file(t, "conditional").must(t, 201)
	id := r.str("id")
	if r.str("status") != "pending" {
		t.Fatalf("status %q, want pending", r.str("status"))
	}
	filed, err := time.Parse(time.RFC3339Nano, r.str("filed_at"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := holidays.Default().AddWorkingDays(filed, 5)
	if err != nil {
		t.Fatal(err)
	}
	if r.str("due_date") != want.DueDate || r.str("due_at") != want.DueAt.Format(time.RFC3339) {
		t.Fatalf("due %s %s, want %s %s", r.str("due_date"), r.str("due_at"), want.DueDate, want.DueAt.Format(time.RFC3339))
	}

	pt := taskFor(t, w.prov, id)
	at := taskFor(t, w.authority, id)
	if at["due_date"] != want.DueDate || !strings.Contains(at["article"].(string), "第十七条") {
		t.Fatalf("authority task %v: want due %s citing 第十七条", at, want.DueDate)
	}
	w.prov.do("POST", "/api/v1/tasks/"+pt["id"].(string)+"/decision", map[string]any{"decision": "approve", "conditions": "specific_scenarios"}).must(t, 200)
	if st := w.req.do("GET", "/api/v1/share-requests/"+id, nil).must(t, 200).str("status"); st != "pending" {
		t.Fatalf("after the provider alone approved: status %q, want pending", st)
	}
	// An authority of another city may not decide.
	other := sys.as(t, "dave", api.RoleAuthority, "", "leshan")
	other.do("POST", "/api/v1/tasks/"+at["id"].(string)+"/decision", map[string]any{"decision": "approve"}).must(t, 403)
	w.authority.do("POST", "/api/v1/tasks/"+at["id"].(string)+"/decision", map[string]any{"decision": "approve", "conditions": "仅限人才落户审批"}).must(t, 200)

	got := w.req.do("GET", "/api/v1/share-requests/"+id, nil).must(t, 200)
	if got.str("status") != "granted" || got.str("basis") != "decision" {
		t.Fatalf("status %q basis %q, want granted/decision", got.str("status"), got.str("basis"))
	}
	if c := got.str("conditions"); !strings.Contains(c, "specific_scenarios") || !strings.Contains(c, "仅限人才落户审批") {
		t.Fatalf("grant conditions %q lack a decider's conditions", c)
	}
	kinds := map[string]bool{}
	for _, ev := range got.Body["events"].([]any) {
		kinds[ev.(map[string]any)["kind"].(string)] = true
	}
	for _, k := range []string{"filed", "task_opened", "task_done", "granted"} {
		if !kinds[k] {
			t.Errorf("no %q event in %v", k, kinds)
		}
	}
	checkHistory(t, id, "xiamen-both-approve")
}

// Weifang: a refusal needs a legal ground (非因法定事由不得拒绝).
func TestWeifangRefusalNeedsLegalGround(t *testing.T) {
	w := newWorld(t, "weifang")
	id := w.file(t, "conditional").must(t, 201).str("id")
	task := taskFor(t, w.prov, id)["id"].(string)
	path := "/api/v1/tasks/" + task + "/decision"

	w.prov.do("POST", path, map[string]any{"decision": "reject"}).must(t, 422)
	r := w.prov.do("POST", path, map[string]any{"decision": "reject", "reason": "涉及个人隐私"}).must(t, 422)
	if !strings.Contains(r.str("detail"), "legal") {
		t.Fatalf("refusal without legal ground: %s", r.Raw)
	}
	w.prov.do("POST", path, map[string]any{"decision": "maybe"}).must(t, 422)
	w.req.do("POST", path, map[string]any{"decision": "approve"}).must(t, 403)
	if st := w.req.do("GET", "/api/v1/share-requests/"+id, nil).must(t, 200).str("status"); st != "pending" {
		t.Fatalf("refused decisions changed the request: status %q", st)
	}

	w.prov.do("POST", path, map[string]any{"decision": "reject", "reason": "涉及个人隐私", "legal_basis": "《个人信息保护法》第十三条"}).must(t, 200)
	got := w.req.do("GET", "/api/v1/share-requests/"+id, nil).must(t, 200)
	if got.str("status") != "rejected" || got.str("reason") != "涉及个人隐私" || got.str("legal_basis") == "" {
		t.Fatalf("after refusal: %s", got.Raw)
	}
	w.prov.do("POST", path, map[string]any{"decision": "approve"}).must(t, 422) // closed
	checkHistory(t, id, "weifang-refused")
}

func TestIdempotentRetry(t *testing.T) {
	w := newWorld(t, "changsha")
	key := uniq("key")
	first := w.file(t, "conditional", "Idempotency-Key", key).must(t, 201)
	again := w.file(t, "conditional", "Idempotency-Key", key).must(t, 200)
	if first.str("id") != again.str("id") || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry gave %s (replayed %q), want %s", again.str("id"), again.Header.Get("Idempotent-Replayed"), first.str("id"))
	}
	changed := w.req.do("POST", "/api/v1/share-requests", map[string]any{
		"catalog_item_id": w.items["conditional"], "purpose": "另一用途", "scenario": "人才落户审批", "data_items": []string{"name"},
	}, "Idempotency-Key", key)
	changed.must(t, 422)
	other := w.file(t, "conditional").must(t, 201)
	if other.str("id") == first.str("id") {
		t.Fatal("a request without a key reused another's ID")
	}
	list := w.req.do("GET", "/api/v1/share-requests?catalog_item_id="+w.items["conditional"], nil).must(t, 200)
	if n := len(list.items()); n != 2 {
		t.Fatalf("%d requests stored, want 2", n)
	}
}

func TestAuthAndBadInput(t *testing.T) {
	w := newWorld(t, "wuhan")
	anon := user{t: t}
	anon.do("GET", "/api/v1/share-requests", nil).must(t, 401)
	bad := user{t: t, token: "not-a-jwt"}
	bad.do("GET", "/api/v1/tasks", nil).must(t, 401)
	forged, _ := api.Sign([]byte("some-other-secret-some-other-secret"), "eve", api.RoleAdmin, "", "", time.Hour, time.Now())
	user{t: t, token: forged}.do("GET", "/api/v1/departments", nil).must(t, 401)

	applicant := sys.as(t, "zhang", api.RoleApplicant, "", "wuhan")
	applicant.do("POST", "/api/v1/share-requests", map[string]any{"catalog_item_id": w.items["conditional"]}).must(t, 403)
	w.req.do("POST", "/api/v1/departments", map[string]any{"code": "X", "name": "X", "jurisdiction": "wuhan"}).must(t, 403)

	r := w.req.do("POST", "/api/v1/share-requests", map[string]any{"catalog_item_id": w.items["conditional"]}).must(t, 422)
	fields := map[string]bool{}
	for _, f := range r.Body["errors"].([]any) {
		fields[f.(map[string]any)["field"].(string)] = true
	}
	if !fields["purpose"] || !fields["scenario"] || !fields["data_items"] {
		t.Fatalf("missing fields not all named: %s", r.Raw)
	}
	w.req.do("POST", "/api/v1/share-requests", map[string]any{"catalog_item_id": w.items["conditional"], "purpose": "p", "scenario": "s",
		"data_items": []string{"salary"}}).must(t, 422)
	w.req.do("POST", "/api/v1/share-requests", map[string]any{"catalog_item_id": "NOPE", "purpose": "p", "scenario": "s",
		"data_items": []string{"name"}}).must(t, 422)
	w.req.do("POST", "/api/v1/share-requests", map[string]any{"unknown": 1}).must(t, 400)

	id := w.file(t, "conditional").must(t, 201).str("id")
	stranger := sys.as(t, "mallory", api.RoleDepartment, uniq("OTHER"), "wuhan")
	stranger.do("GET", "/api/v1/share-requests/"+id, nil).must(t, 404)
	w.prov.do("GET", "/api/v1/share-requests/"+id, nil).must(t, 200)
	task := taskFor(t, w.prov, id)["id"].(string)
	stranger.do("POST", "/api/v1/tasks/"+task+"/decision", map[string]any{"decision": "approve"}).must(t, 403)

	w.req.do("GET", "/api/v1/procedures/"+id+"/history", nil).must(t, 403)
	auditor := sys.as(t, "audrey", api.RoleAuditor, "", "")
	h := auditor.do("GET", "/api/v1/procedures/"+id+"/history", nil).must(t, 200)
	events, _ := h.Body["events"].([]any)
	if len(events) == 0 || events[0].(map[string]any)["eventType"] != "EVENT_TYPE_WORKFLOW_EXECUTION_STARTED" {
		t.Fatalf("history does not start with the workflow's start: %.300s", h.Raw)
	}
	auditor.do("GET", "/api/v1/procedures/nope/history", nil).must(t, 404)
}

// Leshan's regulation is a draft whose publication date is unknown: filing
// under it is refused unless the deployment configures its validity.
func TestFilingOutsideValidityRefused(t *testing.T) {
	w := newWorld(t, "leshan")
	r := w.file(t, "conditional").must(t, 422)
	if !strings.Contains(r.str("detail"), "乐山市数据资源管理暂行办法") {
		t.Fatalf("refusal does not name the document: %s", r.Raw)
	}
}

func TestCalendarAPI(t *testing.T) {
	anon := user{t: t}
	r := anon.do("GET", "/api/v1/calendar/deadline?from=2025-09-26T10:00:00%2B08:00&working_days=10", nil).must(t, 200)
	if r.str("due_date") != "2025-10-16" || r.str("due_at") != "2025-10-17T00:00:00+08:00" || r.Body["provisional"] != false {
		t.Fatalf("deadline across 国庆 2025: %s", r.Raw)
	}
	// 2029 and 2030: years no test publishes (calendar_admin_test publishes 2027 and 2028).
	p := anon.do("GET", "/api/v1/calendar/deadline?from=2029-12-25T10:00:00%2B08:00&working_days=10", nil).must(t, 200)
	if p.Body["provisional"] != true || p.str("warning") == "" {
		t.Fatalf("a deadline in unpublished 2030 is not provisional with a warning: %s", p.Raw)
	}
	anon.do("GET", "/api/v1/calendar/deadline?from=yesterday&working_days=10", nil).must(t, http.StatusBadRequest)
	anon.do("GET", "/api/v1/calendar/deadline?from=2025-09-26T10:00:00Z&working_days=-1", nil).must(t, http.StatusBadRequest)
	d := anon.do("GET", "/api/v1/calendar/days?from=2026-02-14&to=2026-02-16", nil).must(t, 200)
	days := d.Body["days"].([]any)
	if len(days) != 3 || days[0].(map[string]any)["kind"] != "makeup_workday" || days[1].(map[string]any)["kind"] != "holiday" {
		t.Fatalf("days around 春节 2026: %s", d.Raw)
	}
	anon.do("GET", "/api/v1/calendar/days?from=2026-02-16&to=2026-02-14", nil).must(t, http.StatusBadRequest)
}
