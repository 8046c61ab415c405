package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/api"
)

// Changsha 第二十五条 on real Temporal and PostgreSQL: a department's yearly
// share list is confirmed by the authority; its scenario list is returned
// with the reason. Only its own shared items fit a share list; wuhan's text
// has no yearly lists; leshan's responsibility lists are confirmed under a
// platform rule (no article).
func TestYearlyListsChangsha25(t *testing.T) {
	w := newWorld(t, "changsha")
	year := time.Now().Year()
	lists := "/api/v1/yearly-lists"
	if r := w.prov.do("POST", lists, map[string]any{"kind": "share", "year": year, "entries": []string{w.items["not_shared"]}}).must(t, 422); fieldOf(r) != "entries[0]" {
		t.Fatalf("a not-shared item on a share list: %s", r.Raw)
	}
	if r := w.req.do("POST", lists, map[string]any{"kind": "share", "year": year, "entries": []string{w.items["conditional"]}}).must(t, 422); fieldOf(r) != "entries[0]" {
		t.Fatalf("another department's item: %s", r.Raw)
	}
	if r := w.prov.do("POST", lists, map[string]any{"kind": "share_responsibility", "year": year, "entries": []string{w.items["conditional"]}}).must(t, 422); fieldOf(r) != "kind" {
		t.Fatalf("changsha has no responsibility list: %s", r.Raw)
	}

	l := w.prov.do("POST", lists, map[string]any{"kind": "share", "year": year, "entries": []string{w.items["unconditional"], w.items["conditional"]}}).must(t, 201)
	id := l.str("id")
	if l.str("status") != "pending" || !strings.Contains(l.str("article"), "第二十五条") {
		t.Fatalf("submitted: %s", l.Raw)
	}
	decide(t, w.authority, openTask(t, w.authority, "yearly_list", id), map[string]any{"decision": "confirm"}, 200)
	if got := w.prov.do("GET", lists+"/"+id, nil).must(t, 200); got.str("status") != "confirmed" {
		t.Fatalf("confirmed: %s", got.Raw)
	}
	w.req.do("GET", lists+"/"+id, nil).must(t, 404) // another department's list
	checkHistory(t, id, "changsha-yearly-list-confirmed")

	sc := w.prov.do("POST", lists, map[string]any{"kind": "scenario", "year": year, "entries": []string{"人才落户一件事"}}).must(t, 201).str("id")
	task := openTask(t, w.authority, "yearly_list", sc)
	decide(t, w.authority, task, map[string]any{"decision": "return"}, 422) // needs its reason
	decide(t, w.authority, task, map[string]any{"decision": "return", "reason": "缺少不动产登记场景"}, 200)
	if got := w.prov.do("GET", lists+"/"+sc, nil).must(t, 200); got.str("status") != "returned" || !strings.Contains(got.str("reason"), "不动产") {
		t.Fatalf("returned: %s", got.Raw)
	}

	wh := newWorld(t, "wuhan")
	if r := wh.prov.do("POST", lists, map[string]any{"kind": "share", "year": year, "entries": []string{wh.items["unconditional"]}}).must(t, 422); fieldOf(r) != "jurisdiction" {
		t.Fatalf("wuhan has no yearly lists: %s", r.Raw)
	}

	ls := newWorld(t, "leshan")
	base := startAPI(t, "APPROVALS_EXTEND_VALIDITY=xiamen:2099-12-31,leshan:2020-01-01..2099-12-31")
	prov, auth := ls.prov, sys.as(t, "carol", api.RoleAuthority, "", "leshan")
	prov.base, auth.base = base, base
	rl := prov.do("POST", lists, map[string]any{"kind": "open_responsibility", "year": year, "entries": []string{ls.items["unconditional"]}})
	if r := rl.must(t, 422); fieldOf(r) != "entries[0]" { // the world's items are not open
		t.Fatalf("a not-open item on an open responsibility list: %s", r.Raw)
	}
	rs := prov.do("POST", lists, map[string]any{"kind": "share_responsibility", "year": year, "entries": []string{ls.items["unconditional"]}}).must(t, 201)
	if rs.str("article") != "" || rs.Body["statutory"] != false {
		t.Fatalf("leshan's confirmation is a platform rule: %s", rs.Raw)
	}
	decide(t, auth, openTask(t, auth, "yearly_list", rs.str("id")), map[string]any{"decision": "confirm"}, 200)
}
