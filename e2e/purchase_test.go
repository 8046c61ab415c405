package e2e

import (
	"slices"
	"strings"
	"testing"
)

// Wuhan 第三十四条: a department tells the authority in advance that it buys
// data; the authority's task shows what the catalog already shares of it; once
// acknowledged, the department must catalog the bought data, and its catalog
// change naming the obligation ends the purchase.
func TestPurchaseWuhanNoticedAndCatalogued(t *testing.T) {
	w := newWorld(t, "wuhan")
	body := map[string]any{"kind": "data", "title": "人口数据采购", "supplier": "某数据公司", "purpose": "人口统计",
		"data_items": []string{"人口基础信息 unconditional"}}
	w.prov.do("POST", "/api/v1/purchases", map[string]any{"kind": "gift", "title": "x", "supplier": "y", "purpose": "z",
		"data_items": []string{"a"}}).must(t, 422)
	r := w.prov.do("POST", "/api/v1/purchases", body).must(t, 201)
	id := r.str("id")
	if r.str("status") != "pending" || r.str("step") != "advance-notice" || !strings.Contains(r.str("article"), "第三十四条") {
		t.Fatalf("filed: %s", r.Raw)
	}
	want := "catalog " + w.items["unconditional"] + " "
	hasOverlap := func(v any) bool {
		list, _ := v.([]any)
		return slices.ContainsFunc(list, func(x any) bool {
			s, ok := x.(string)
			if f, isFact := x.(map[string]any); isFact { // a task's fact: {name: overlap, value}
				s, ok = f["value"].(string)
				ok = ok && f["name"] == "overlap"
			}
			return ok && strings.HasPrefix(s, want)
		})
	}
	if !hasOverlap(r.Body["overlaps"]) {
		t.Fatalf("overlaps %v do not name %s", r.Body["overlaps"], w.items["unconditional"])
	}
	task := openTask(t, w.authority, "purchase", id)
	if !hasOverlap(task["facts"]) || task["statutory"] != false {
		t.Fatalf("the authority's task %v does not show the overlap", task)
	}
	decide(t, w.authority, task, map[string]any{"decision": "acknowledge"}, 200)
	got := w.prov.do("GET", "/api/v1/purchases/"+id, nil).must(t, 200)
	trID := got.str("trigger_id")
	if got.str("status") != "cataloging" || trID == "" {
		t.Fatalf("after the notice: %s", got.Raw)
	}
	// The purchase starts the obligation as a child workflow after the
	// decision answered: it records its trigger on its own.
	until(t, "the cataloguing obligation is recorded", func() (bool, string) {
		tr := w.prov.do("GET", "/api/v1/catalog/triggers/"+trID, nil)
		return tr.Status == 200 && tr.str("kind") == "purchase" && tr.str("status") == "open", string(tr.Raw)
	})
	until(t, "the department's obligation task opens", func() (bool, string) {
		items := w.prov.do("GET", "/api/v1/tasks?status=open&procedure=catalog_update&page_size=500", nil).must(t, 200).items()
		i := slices.IndexFunc(items, func(it map[string]any) bool { return it["procedure_id"] == trID })
		return i >= 0 && items[i]["kind"] == "obligation", trID
	})
	newItem := uniq("BOUGHT")
	w.prov.do("POST", "/api/v1/catalog/changes", map[string]any{"jurisdiction": "wuhan", "reason": "编制购买数据的目录", "trigger_id": trID,
		"operations": []any{map[string]any{"op": "add", "item_id": newItem, "item": catalogItemBody(newItem, "购买的人口数据", "unconditional")}}}).must(t, 201)
	until(t, "the catalog change ends the purchase", func() (bool, string) {
		got := w.prov.do("GET", "/api/v1/purchases/"+id, nil).must(t, 200)
		return got.str("status") == "catalogued", string(got.Raw)
	})
	w.req.do("GET", "/api/v1/purchases/"+id, nil).must(t, 404) // another department's
	checkHistory(t, id, "wuhan-purchase-catalogued")
}

// Only weifang 第十三条 and wuhan 第三十四条 provide the procedure: elsewhere a
// filing is refused naming jurisdiction, citing them, and nothing starts.
func TestPurchaseRefusedWhereTheTextHasNone(t *testing.T) {
	w := newWorld(t, "changsha")
	p := w.prov.do("POST", "/api/v1/purchases", map[string]any{"kind": "data", "title": "企业数据", "supplier": "某公司", "purpose": "监管",
		"data_items": []string{"企业信用评分"}}).must(t, 422)
	if fieldOf(p) != "jurisdiction" || !strings.Contains(string(p.Raw), "第十三条") {
		t.Fatalf("a purchase in changsha: %s, want a 422 on jurisdiction", p.Raw)
	}
	if n := len(w.prov.do("GET", "/api/v1/purchases", nil).must(t, 200).items()); n != 0 {
		t.Fatalf("the refused purchase was recorded: %d", n)
	}
}
