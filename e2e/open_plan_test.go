package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/api"
)

// Xiamen 第二十五条 on real Temporal and PostgreSQL: a department's open plan
// (its own not-yet-open items, one marked livelihood priority) is confirmed
// by the authority under a platform rule; the city's published plan lists
// it, priority first, and tracks the item a catalog change then opens. Wuhan's
// text has no open plan.
func TestOpenPlanXiamen25(t *testing.T) {
	w := newWorld(t, "xiamen")
	base := startAPI(t, "APPROVALS_EXTEND_VALIDITY=xiamen:2099-12-31,leshan:2020-01-01..2099-12-31")
	prov, auth := w.prov, w.authority
	prov.base, auth.base = base, base
	anon := sys.as(t, "anyone", api.RoleDepartment, w.requester, "xiamen") // a public route: any caller
	anon.base = base
	year := time.Now().Year()
	uncond, cond := w.items["unconditional"], w.items["conditional"]
	lists := "/api/v1/yearly-lists"
	if r := prov.do("POST", lists, map[string]any{"kind": "share", "year": year, "entries": []string{uncond}}).must(t, 422); fieldOf(r) != "kind" {
		t.Fatalf("xiamen has no share list: %s", r.Raw)
	}
	l := prov.do("POST", lists, map[string]any{"kind": "open_plan", "year": year, "entries": []string{uncond, cond}, "priority": []string{cond}}).must(t, 201)
	if l.str("article") != "" || l.Body["statutory"] != false || fmt.Sprint(l.Body["priority"]) != "["+cond+"]" {
		t.Fatalf("xiamen's confirmation is a platform rule: %s", l.Raw)
	}
	plan := fmt.Sprintf("/api/v1/open-plans?jurisdiction=xiamen&year=%d", year)
	if p := anon.do("GET", plan, nil).must(t, 200); fmt.Sprint(p.Body["counts"]) != "map[not_yet:0 opened:0 planned:0]" {
		t.Fatalf("nothing confirmed yet: %s", p.Raw)
	}
	decide(t, auth, openTask(t, auth, "yearly_list", l.str("id")), map[string]any{"decision": "confirm"}, 200)
	checkHistory(t, l.str("id"), "xiamen-open-plan-confirmed")

	p := anon.do("GET", plan, nil).must(t, 200)
	items := p.items()
	if fmt.Sprint(p.Body["counts"]) != "map[not_yet:2 opened:0 planned:2]" || len(items) != 2 || items[0]["item_id"] != cond || items[0]["priority"] != true {
		t.Fatalf("the confirmed plan, priority first: %s", p.Raw)
	}

	body := catalogItemBody(uncond, "人口基础信息 unconditional", "unconditional")
	body["open_type"] = "unconditional"
	ch := prov.do("POST", "/api/v1/catalog/changes", map[string]any{"jurisdiction": "xiamen", "reason": "按年度开放计划开放",
		"operations": []any{map[string]any{"op": "modify", "item_id": uncond, "item": body}}}).must(t, 201).str("id")
	decide(t, auth, openTask(t, auth, "catalog_change", ch), map[string]any{"decision": "approve"}, 200)
	if st := prov.do("GET", "/api/v1/catalog/changes/"+ch, nil).must(t, 200).str("status"); st != "applied" {
		t.Fatalf("change status %q, want applied", st)
	}
	p = anon.do("GET", plan, nil).must(t, 200)
	items = p.items()
	if fmt.Sprint(p.Body["counts"]) != "map[not_yet:1 opened:1 planned:2]" || items[1]["item_id"] != uncond || items[1]["opened"] != true ||
		items[1]["opened_version"] != 2.0 || items[1]["opened_at"] == nil {
		t.Fatalf("the opened item is tracked: %s", p.Raw)
	}
	if r := prov.do("POST", lists, map[string]any{"kind": "open_plan", "year": year, "entries": []string{uncond}}).must(t, 422); fieldOf(r) != "entries[0]" {
		t.Fatalf("an item already open on an open plan: %s", r.Raw)
	}
	if r := anon.do("GET", "/api/v1/open-plans?jurisdiction=wuhan&year=2026", nil).must(t, 422); fieldOf(r) != "jurisdiction" {
		t.Fatalf("wuhan has no open plan: %s", r.Raw)
	}
	if r := anon.do("GET", "/api/v1/open-plans?jurisdiction=xiamen", nil).must(t, 400); fieldOf(r) != "year" {
		t.Fatalf("no year: %s", r.Raw)
	}
}
