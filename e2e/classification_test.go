package e2e

import (
	"strings"
	"testing"

	"github.com/cityapprovals/approvals/api"
)

// Wuhan 第十六条: a department proposes not sharing an item; the authority
// reviews, the city government approves, and only then the item changes, in a
// new catalog version.
func TestClassificationWuhanApproved(t *testing.T) {
	w := newWorld(t, "wuhan")
	item := w.items["unconditional"]
	body := map[string]any{"catalog_item_id": item, "proposed_share_type": "not_shared",
		"legal_basis": "《中华人民共和国个人信息保护法》第二十八条", "reason": "含敏感个人信息"}
	w.req.do("POST", "/api/v1/classifications", body).must(t, 403) // not its item
	w.prov.do("POST", "/api/v1/classifications", map[string]any{"catalog_item_id": item, "proposed_share_type": "conditional",
		"legal_basis": "x", "reason": "y"}).must(t, 422) // conditional without conditions
	r := w.prov.do("POST", "/api/v1/classifications", body).must(t, 201)
	id := r.str("id")
	if r.str("status") != "pending" || r.str("step") != "authority-review" {
		t.Fatalf("submitted: %s", r.Raw)
	}
	w.authority.do("POST", "/api/v1/tasks/"+openTask(t, w.authority, "classification", id)["id"].(string)+"/decision",
		map[string]any{"decision": "approve"}).must(t, 200)
	if st := w.admin.do("GET", "/api/v1/catalog/items/"+item, nil).must(t, 200).str("share_type"); st != "unconditional" {
		t.Fatalf("item changed before the government approved: %s", st)
	}
	gov := sys.as(t, "mayor", api.RoleGovernment, "", "wuhan")
	gov.do("POST", "/api/v1/tasks/"+openTask(t, gov, "classification", id)["id"].(string)+"/decision",
		map[string]any{"decision": "approve"}).must(t, 200)
	got := w.prov.do("GET", "/api/v1/classifications/"+id, nil).must(t, 200)
	if got.str("status") != "applied" {
		t.Fatalf("after approval: %s", got.Raw)
	}
	it := w.admin.do("GET", "/api/v1/catalog/items/"+item, nil).must(t, 200)
	if it.str("share_type") != "not_shared" || it.Body["version"] != float64(2) {
		t.Fatalf("item after approval: %s", it.Raw)
	}
	checkHistory(t, id, "wuhan-classification-applied")
}

// Wuhan 第十六条: a temporary adjustment changes the item at once and can be
// renewed; its revert at the end date is a durable timer (tested with time
// skipping in workflows/adjustment_test.go).
func TestTemporaryAdjustmentAppliedAndRenewed(t *testing.T) {
	w := newWorld(t, "wuhan")
	item := w.items["unconditional"]
	body := map[string]any{"catalog_item_id": item, "share_type": "not_shared", "ground": "public_interest",
		"reason": "突发公共事件", "end_date": "2099-01-01"}
	w.req.do("POST", "/api/v1/temporary-adjustments", body).must(t, 403)
	w.prov.do("POST", "/api/v1/temporary-adjustments", map[string]any{"catalog_item_id": item, "share_type": "not_shared",
		"ground": "boredom", "reason": "x", "end_date": "2000-01-01"}).must(t, 422)
	r := w.prov.do("POST", "/api/v1/temporary-adjustments", body).must(t, 201)
	id := r.str("id")
	if r.str("status") != "active" {
		t.Fatalf("adjustment: %s", r.Raw)
	}
	it := w.admin.do("GET", "/api/v1/catalog/items/"+item, nil).must(t, 200)
	if it.str("share_type") != "not_shared" || it.Body["version"] != float64(2) {
		t.Fatalf("item during the adjustment: %s", it.Raw)
	}
	path := "/api/v1/temporary-adjustments/" + id + "/renew"
	w.prov.do("POST", path, map[string]any{"end_date": "2098-01-01"}).must(t, 422)
	w.req.do("POST", path, map[string]any{"end_date": "2100-01-01"}).must(t, 404)
	got := w.prov.do("POST", path, map[string]any{"end_date": "2100-01-01", "reason": "风险未消除"}).must(t, 200)
	if got.str("end_date") != "2100-01-01" || got.Body["renewals"] != float64(1) || got.str("status") != "active" {
		t.Fatalf("after renewal: %s", got.Raw)
	}
}

// Xiamen 第二十一条: emergency data may be listed 暂不共享 only: another share
// type is refused naming share_type and the article, and nothing changes.
func TestXiamenEmergencyAdjustmentNotSharedOnly21(t *testing.T) {
	w := newWorld(t, "xiamen")
	item := w.items["unconditional"]
	p := w.prov.do("POST", "/api/v1/temporary-adjustments", map[string]any{"catalog_item_id": item, "share_type": "conditional",
		"share_conditions": "仅限应急处置", "ground": "emergency", "reason": "台风应急", "end_date": "2099-01-01"}).must(t, 422)
	if errs, _ := p.Body["errors"].([]any); len(errs) == 0 || errs[0].(map[string]any)["field"] != "share_type" || !strings.Contains(string(p.Raw), "第二十一条") {
		t.Fatalf("a conditional emergency adjustment in xiamen: %s, want a 422 on share_type citing 第二十一条", p.Raw)
	}
	if st := w.admin.do("GET", "/api/v1/catalog/items/"+item, nil).must(t, 200).str("share_type"); st != "unconditional" {
		t.Fatalf("the refused adjustment changed the item to %s", st)
	}
	w.prov.do("POST", "/api/v1/temporary-adjustments", map[string]any{"catalog_item_id": item, "share_type": "not_shared",
		"ground": "emergency", "reason": "台风应急", "end_date": "2099-01-01"}).must(t, 201)
}
