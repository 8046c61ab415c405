package e2e

import (
	"strings"
	"testing"
)

// Leshan 第二十二条、第二十三条、第二十一条第三款: a department proposes opening
// its item on its assessment; the authority orders a legality review (a step
// of its own, passed), then approves, setting the conditions of conditional
// opening; the item becomes open only then, as a new catalog version. A
// catalog change cannot change the open type in leshan, and a city whose
// text has no review before opening refuses the filing.
func TestOpeningReviewLeshan(t *testing.T) {
	w := newWorld(t, "leshan")
	base := startAPI(t, "APPROVALS_EXTEND_VALIDITY=xiamen:2099-12-31,leshan:2020-01-01..2099-12-31")
	prov, req, auth, admin := w.prov, w.req, w.authority, w.admin
	prov.base, req.base, auth.base, admin.base = base, base, base, base
	item := w.items["unconditional"]

	// The catalog change keeps the open type in leshan (第二十二条第二款).
	body := catalogItemBody(item, "企业登记信息", "unconditional")
	body["open_type"] = "conditional"
	ch := prov.do("POST", "/api/v1/catalog/changes", map[string]any{"jurisdiction": "leshan", "reason": "开放",
		"operations": []any{map[string]any{"op": "modify", "item_id": item, "item": body}}})
	refusedOn(t, ch, "operations[0].item.open_type", "第二十二条第二款")
	if !strings.Contains(ch.str("detail")+string(ch.Raw), "/api/v1/opening-reviews") {
		t.Fatalf("the refusal does not point to the opening review: %s", ch.Raw)
	}

	filing := map[string]any{"catalog_item_id": item, "proposed_open_type": "conditional", "assessment": "经分类分级评估，脱敏后符合有条件开放条件"}
	req.do("POST", "/api/v1/opening-reviews", filing).must(t, 403) // not its item
	refusedOn(t, prov.do("POST", "/api/v1/opening-reviews", map[string]any{"catalog_item_id": item, "proposed_open_type": "not_open",
		"assessment": "x"}), "legal_basis", "第二十一条")
	r := prov.do("POST", "/api/v1/opening-reviews", filing).must(t, 201)
	id := r.str("id")
	if r.str("status") != "pending" || r.str("step") != "authority-review" {
		t.Fatalf("filed: %s", r.Raw)
	}
	decide(t, auth, openTask(t, auth, "opening_review", id), map[string]any{"decision": "legality_review"}, 200)
	review := openTask(t, auth, "opening_review", id)
	if !strings.HasSuffix(review["id"].(string), ".legality_review.authority") {
		t.Fatalf("the legality review is not a step of its own: %v", review)
	}
	decide(t, auth, review, map[string]any{"decision": "fail"}, 422) // a failure gives its reason
	decide(t, auth, review, map[string]any{"decision": "pass"}, 200)
	if got := admin.do("GET", "/api/v1/catalog/items/"+item, nil).must(t, 200).str("open_type"); got != "not_open" {
		t.Fatalf("the item opened before the authority approved: %s", got)
	}
	again := openTask(t, auth, "opening_review", id)
	decide(t, auth, again, map[string]any{"decision": "approve"}, 422) // conditional opening needs its conditions
	decide(t, auth, again, map[string]any{"decision": "approve", "conditions": "具备数据存储和安全保障能力，信用良好"}, 200)
	got := prov.do("GET", "/api/v1/opening-reviews/"+id, nil).must(t, 200)
	if got.str("status") != "applied" || got.str("reviews") != "legality_review: pass" || got.str("conditions") == "" {
		t.Fatalf("after approval: %s", got.Raw)
	}
	it := admin.do("GET", "/api/v1/catalog/items/"+item, nil).must(t, 200)
	if it.str("open_type") != "conditional" || it.Body["version"] != float64(2) {
		t.Fatalf("item after approval: %s", it.Raw)
	}
	checkHistory(t, id, "leshan-opening-review-applied")
}

// Wuhan's text has no review before opening: the filing is refused naming
// jurisdiction, and the catalog change keeps changing the open type.
func TestOpeningReviewRefusedWithoutText(t *testing.T) {
	w := newWorld(t, "wuhan")
	item := w.items["unconditional"]
	refusedOn(t, w.prov.do("POST", "/api/v1/opening-reviews", map[string]any{"catalog_item_id": item,
		"proposed_open_type": "unconditional", "assessment": "评估"}), "jurisdiction", "no review before opening")
	body := catalogItemBody(item, "企业登记信息", "unconditional")
	body["open_type"] = "unconditional"
	w.prov.do("POST", "/api/v1/catalog/changes", map[string]any{"jurisdiction": "wuhan", "reason": "开放",
		"operations": []any{map[string]any{"op": "modify", "item_id": item, "item": body}}}).must(t, 201)
}

// Weifang 第二十四条第二款: the authority converts a conditionally open item
// that qualifies (after desensitisation) to unconditional opening, citing its
// decision; the item changes at once, in a new version, and the open list
// shows it unconditional. Another city's authority and a department may not;
// wuhan's text has no conversion.
func TestOpenConversionWeifang(t *testing.T) {
	w := newWorld(t, "weifang")
	id := uniq("OPEN")
	w.admin.do("POST", "/api/v1/catalog/items", map[string]any{"id": id, "jurisdiction": "weifang", "provider_dept": w.provider,
		"title": "开放数据", "share_type": "unconditional", "legal_basis": "《数据安全法》", "open_type": "conditional",
		"data_items": []string{"name"}}).must(t, 201)
	body := map[string]any{"catalog_item_id": id, "to_open_type": "unconditional", "decision": "潍大数字〔2026〕7号",
		"reason": "数据脱敏后具备无条件开放属性", "desensitised": true}
	w.prov.do("POST", "/api/v1/open-conversions", body).must(t, 403)
	sys.as(t, "dora", "authority", "", "wuhan").do("POST", "/api/v1/open-conversions", body).must(t, 403) // another city's item
	refusedOn(t, w.authority.do("POST", "/api/v1/open-conversions", map[string]any{"catalog_item_id": id, "to_open_type": "conditional",
		"decision": "d", "reason": "r"}), "to_open_type", "第二十四条第二款")
	r := w.authority.do("POST", "/api/v1/open-conversions", body).must(t, 201)
	if r.str("status") != "applied" || r.str("from_open_type") != "conditional" || !strings.Contains(r.str("article"), "第二十四条第二款") {
		t.Fatalf("converted: %s", r.Raw)
	}
	it := w.admin.do("GET", "/api/v1/catalog/items/"+id, nil).must(t, 200)
	if it.str("open_type") != "unconditional" || it.Body["version"] != float64(2) {
		t.Fatalf("item after the conversion: %s", it.Raw)
	}
	listed := (user{t: t}).do("GET", "/api/v1/open-list?jurisdiction=weifang&open_type=unconditional&provider_dept="+w.provider, nil).must(t, 200).items()
	if len(listed) != 1 || listed[0]["id"] != id {
		t.Fatalf("open list after the conversion: %v", listed)
	}
	checkHistory(t, r.str("id"), "weifang-open-conversion-applied")

	wuhan := newWorld(t, "wuhan")
	refusedOn(t, wuhan.authority.do("POST", "/api/v1/open-conversions", map[string]any{"catalog_item_id": wuhan.items["conditional"],
		"to_open_type": "unconditional", "decision": "d", "reason": "r"}), "jurisdiction", "no conversion")
}
