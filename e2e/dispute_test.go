package e2e

import (
	"strings"
	"testing"

	"github.com/cityapprovals/approvals/api"
)

// Xiamen 第十七条: a refused request is disputed; the authority's
// coordination fails and escalates; the city government overturns the
// refusal, and the requester gets access. The share request shows the chain.
func TestDisputeCoordinationThenGovernmentOverturns(t *testing.T) {
	w := newWorld(t, "xiamen")
	id := w.file(t, "conditional").must(t, 201).str("id")
	disputes := "/api/v1/share-requests/" + id + "/disputes"
	w.req.do("POST", disputes, map[string]any{"reason": "履职必需"}).must(t, 422) // still pending

	w.prov.do("POST", "/api/v1/tasks/"+taskFor(t, w.prov, id)["id"].(string)+"/decision",
		map[string]any{"decision": "reject", "reason": "涉及商业秘密"}).must(t, 200)
	if st := w.req.do("GET", "/api/v1/share-requests/"+id, nil).must(t, 200).str("status"); st != "rejected" {
		t.Fatalf("status %q after the provider refused, want rejected", st)
	}

	w.prov.do("POST", disputes, map[string]any{"reason": "x"}).must(t, 403) // not the requester
	w.req.do("POST", disputes, map[string]any{}).must(t, 422)
	d := w.req.do("POST", disputes, map[string]any{"reason": "人才落户审批履职必需"}).must(t, 201)
	did := d.str("id")
	if d.str("status") != "pending" || d.str("level") != "authority_coordination" || !strings.Contains(d.str("article"), "第十七条") {
		t.Fatalf("filed dispute: %s", d.Raw)
	}
	again := w.req.do("POST", disputes, map[string]any{"reason": "人才落户审批履职必需"}).must(t, 200)
	if again.str("id") != did || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retried dispute: %s", again.Raw)
	}
	w.req.do("POST", disputes, map[string]any{"reason": "另一理由"}).must(t, 409)

	coord := openTask(t, w.authority, "dispute", did)["id"].(string)
	w.authority.do("POST", "/api/v1/tasks/"+coord+"/decision", map[string]any{"decision": "escalate"}).must(t, 422) // needs a reason
	w.authority.do("POST", "/api/v1/tasks/"+coord+"/decision", map[string]any{"decision": "escalate", "reason": "协调不成"}).must(t, 200)
	if st := w.req.do("GET", "/api/v1/share-requests/"+id, nil).must(t, 200).str("status"); st != "rejected" {
		t.Fatalf("an escalation changed the request: %q", st)
	}

	gov := sys.as(t, "mayor", api.RoleGovernment, "", "xiamen")
	ruling := openTask(t, gov, "dispute", did)
	if !strings.Contains(ruling["article"].(string), "第十七条") || ruling["due_date"] == "" {
		t.Fatalf("government task: %v", ruling)
	}
	w.authority.do("POST", "/api/v1/tasks/"+ruling["id"].(string)+"/decision", map[string]any{"decision": "overturn"}).must(t, 403)
	gov.do("POST", "/api/v1/tasks/"+ruling["id"].(string)+"/decision", map[string]any{"decision": "overturn", "reason": "履职确需"}).must(t, 200)

	got := w.req.do("GET", "/api/v1/share-requests/"+id, nil).must(t, 200)
	if got.str("status") != "granted" || got.str("basis") != "dispute_ruling" {
		t.Fatalf("after the ruling: %s", got.Raw)
	}
	list := got.Body["disputes"].([]any)
	if len(list) != 1 {
		t.Fatalf("disputes %v, want one", list)
	}
	dv := list[0].(map[string]any)
	levels := dv["levels"].([]any)
	if dv["status"] != "overturned" || len(levels) != 2 ||
		levels[0].(map[string]any)["outcome"] != "escalated" || levels[1].(map[string]any)["outcome"] != "overturned" ||
		levels[1].(map[string]any)["level"] != "government_ruling" {
		t.Fatalf("chain on the request: %v", dv)
	}
	view := w.req.do("GET", "/api/v1/disputes/"+did, nil).must(t, 200)
	if n := len(view.Body["tasks"].([]any)); n != 2 {
		t.Fatalf("dispute has %d tasks, want 2: %s", n, view.Raw)
	}
	sys.as(t, "mallory", api.RoleDepartment, uniq("OTHER"), "xiamen").do("GET", "/api/v1/disputes/"+did, nil).must(t, 404)
	checkHistory(t, did, "xiamen-dispute-overturned")
}

// Weifang 第二十条 on real Temporal and PostgreSQL: a department that needs
// not-shared data for its duties negotiates with the provider; the
// negotiation fails and the authority's coordination settles it. Conditional
// data is requested instead; another city's text has no such path.
func TestDisputeNotSharedItemWeifang20(t *testing.T) {
	w := newWorld(t, "weifang")
	path := "/api/v1/catalog/items/" + w.items["not_shared"] + "/disputes"
	if r := w.req.do("POST", "/api/v1/catalog/items/"+w.items["conditional"]+"/disputes", map[string]any{"reason": "履职必需"}).must(t, 422); fieldOf(r) != "id" {
		t.Fatalf("conditional data: %s", r.Raw)
	}
	w.prov.do("POST", path, map[string]any{"reason": "x"}).must(t, 422) // its own data
	w.req.do("POST", "/api/v1/catalog/items/no-such-item/disputes", map[string]any{"reason": "x"}).must(t, 404)
	d := w.req.do("POST", path, map[string]any{"reason": "办理不动产登记确需使用"}).must(t, 201)
	did := d.str("id")
	if d.str("subject") != "catalog_item" || d.str("level") != "negotiation" || !strings.Contains(d.str("article"), "第二十条") {
		t.Fatalf("filed dispute: %s", d.Raw)
	}
	if again := w.req.do("POST", path, map[string]any{"reason": "办理不动产登记确需使用"}).must(t, 200); again.str("id") != did {
		t.Fatalf("retried dispute: %s", again.Raw)
	}
	w.req.do("POST", path, map[string]any{"reason": "另一理由"}).must(t, 409)

	decide(t, w.prov, openTask(t, w.prov, "dispute", did), map[string]any{"decision": "escalate", "reason": "协商未果"}, 200)
	decide(t, w.authority, openTask(t, w.authority, "dispute", did), map[string]any{"decision": "overturn", "reason": "依职责提供，限于不动产登记"}, 200)
	got := w.req.do("GET", "/api/v1/disputes/"+did, nil).must(t, 200)
	levels := got.Body["levels"].([]any)
	if got.str("status") != "overturned" || levels[0].(map[string]any)["outcome"] != "escalated" ||
		levels[1].(map[string]any)["outcome"] != "overturned" || levels[1].(map[string]any)["level"] != "authority_coordination" {
		t.Fatalf("after the coordination: %s", got.Raw)
	}
	w.prov.do("GET", "/api/v1/disputes/"+did, nil).must(t, 200) // the provider reads it
	checkHistory(t, did, "weifang-dispute-not-shared-item")

	x := newWorld(t, "xiamen")
	if r := x.req.do("POST", "/api/v1/catalog/items/"+x.items["not_shared"]+"/disputes", map[string]any{"reason": "履职必需"}).must(t, 422); fieldOf(r) != "jurisdiction" {
		t.Fatalf("xiamen has no such path: %s", r.Raw)
	}
}

// Leshan 第十一条 on real Temporal and PostgreSQL: two departments' data on
// one subject disagree; the first negotiation agrees, the second fails and
// the authority coordinates. Wuhan's text has no such procedure.
func TestDataConflictLeshan11(t *testing.T) {
	w := newWorld(t, "leshan")
	other := uniq("OTH")
	w.admin.do("POST", "/api/v1/departments", map[string]any{"code": other, "name": "部门 " + other, "jurisdiction": "leshan", "kind": "bureau"}).must(t, 201)
	theirs := uniq("ITEM")
	w.admin.do("POST", "/api/v1/catalog/items", map[string]any{
		"id": theirs, "jurisdiction": "leshan", "provider_dept": other, "title": "人口基础信息（另一来源）",
		"share_type": "unconditional", "open_type": "not_open", "data_items": []string{"name", "address"},
	}).must(t, 201)
	mine := w.items["unconditional"]
	// Leshan's draft is in force once the deployment extends it (第四十六条).
	base := startAPI(t, "APPROVALS_EXTEND_VALIDITY=xiamen:2099-12-31,leshan:2020-01-01..2099-12-31")
	at := func(u user) user { u.base = base; return u }
	w.req, w.authority = at(w.req), at(w.authority)
	bob := at(w.prov)
	dan := at(sys.as(t, "dan", api.RoleDepartment, other, "leshan"))
	body := map[string]any{"catalog_item_id": mine, "other_item_id": theirs, "description": "同一人员的住址不一致"}
	if r := w.req.do("POST", "/api/v1/data-conflicts", map[string]any{"catalog_item_id": mine, "other_item_id": w.items["conditional"], "description": "x"}).must(t, 422); fieldOf(r) != "other_item_id" {
		t.Fatalf("one department's two items: %s", r.Raw)
	}

	// The negotiation agrees.
	a := w.req.do("POST", "/api/v1/data-conflicts", body).must(t, 201)
	aid := a.str("id")
	if a.str("status") != "pending" || a.str("step") != "negotiation" || !strings.Contains(a.str("article"), "第十一条") {
		t.Fatalf("filed: %s", a.Raw)
	}
	decide(t, bob, openTask(t, bob, "data_conflict", aid), map[string]any{"decision": "agree", "reason": "以公安户籍地址为准"}, 200)
	decide(t, dan, openTask(t, dan, "data_conflict", aid), map[string]any{"decision": "agree", "reason": "以公安户籍地址为准，本部门更正"}, 200)
	if got := dan.do("GET", "/api/v1/data-conflicts/"+aid, nil).must(t, 200); got.str("status") != "agreed" || !strings.Contains(got.str("resolution"), "本部门更正") {
		t.Fatalf("agreed: %s", got.Raw)
	}
	checkHistory(t, aid, "leshan-data-conflict-agreed")

	// The next fails and the authority coordinates.
	b := w.authority.do("POST", "/api/v1/data-conflicts", map[string]any{"catalog_item_id": theirs, "other_item_id": mine, "description": "联系电话不一致"}).must(t, 201)
	bid := b.str("id")
	decide(t, dan, openTask(t, dan, "data_conflict", bid), map[string]any{"decision": "reject"}, 422) // a refusal needs its reason
	decide(t, dan, openTask(t, dan, "data_conflict", bid), map[string]any{"decision": "reject", "reason": "本部门数据为最新采集"}, 200)
	coord := openTask(t, w.authority, "data_conflict", bid)
	decide(t, w.authority, coord, map[string]any{"decision": "resolve", "reason": "会同两部门核实，以最新采集为准"}, 200)
	got := bob.do("GET", "/api/v1/data-conflicts/"+bid, nil).must(t, 200)
	if got.str("status") != "coordinated" || !strings.Contains(got.str("failure"), "最新采集") || !strings.Contains(got.str("resolution"), "会同两部门") {
		t.Fatalf("coordinated: %s", got.Raw)
	}
	at(sys.as(t, "mallory", api.RoleDepartment, uniq("X"), "leshan")).do("GET", "/api/v1/data-conflicts/"+bid, nil).must(t, 404)
	checkHistory(t, bid, "leshan-data-conflict-coordinated")

	x := newWorld(t, "wuhan")
	if r := x.req.do("POST", "/api/v1/data-conflicts", map[string]any{"catalog_item_id": x.items["unconditional"], "other_item_id": x.items["conditional"], "description": "x"}).must(t, 422); fieldOf(r) == "" {
		t.Fatalf("wuhan: %s", r.Raw)
	}
}
