package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/api"
	"github.com/cityapprovals/approvals/holidays"
)

// catalogItemBody is a catalog item as a change sends it.
func catalogItemBody(id, title, share string) map[string]any {
	return map[string]any{"id": id, "title": title, "share_type": share, "share_conditions": "仅限特定应用场景使用（履职需要）",
		"legal_basis": "《中华人民共和国个人信息保护法》第三十四条", "open_type": "not_open", "data_items": []string{"name", "address"}}
}

// decide sends a decision on a task and requires the status.
func decide(t *testing.T, u user, task map[string]any, body map[string]any, status int) reply {
	t.Helper()
	return u.do("POST", "/api/v1/tasks/"+task["id"].(string)+"/decision", body).must(t, status)
}

// fieldOf is the first field a problem names.
func fieldOf(r reply) string {
	errs, _ := r.Body["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	f, _ := errs[0].(map[string]any)["field"].(string)
	return f
}

// reminderWindow finds an effective date whose window of n working days has
// reached its reminder (the end of day n-1) but not its end, now.
func reminderWindow(t *testing.T, n int) string {
	t.Helper()
	cal, now := holidays.Default(), time.Now()
	for back := 1; back < 40; back++ {
		d := now.In(holidays.Shanghai).AddDate(0, 0, -back).Format(time.DateOnly)
		from, err := holidays.ParseDate(d)
		if err != nil {
			t.Fatal(err)
		}
		remind, err1 := cal.AddWorkingDays(from, n-1)
		due, err2 := cal.AddWorkingDays(from, n)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		// A margin of a minute on each side keeps the test off the edges.
		if remind.DueAt.Before(now.Add(-time.Minute)) && due.DueAt.After(now.Add(time.Minute)) {
			return d
		}
	}
	t.Fatalf("no effective date puts now inside the reminder window of %d working days", n)
	return ""
}

// eventually polls cond for what the worker does after a request has
// answered (timers, reminders, signals), for up to 10 seconds.
func events(r reply) map[string]bool {
	kinds := map[string]bool{}
	for _, ev := range r.Body["events"].([]any) {
		kinds[ev.(map[string]any)["kind"].(string)] = true
	}
	return kinds
}

// Wuhan: a law revision starts the department's clock (5 working days, the
// service level: "promptly" names no number); the department is reminded;
// its change ends the clock; the authority reviews within 3 working days;
// the approval applies every operation and the versions show the change.
func TestCatalogTriggerChangeReviewApplied(t *testing.T) {
	w := newWorld(t, "wuhan")
	effective := reminderWindow(t, 5)
	tr := w.prov.do("POST", "/api/v1/catalog/triggers", map[string]any{"dept": w.provider, "jurisdiction": "wuhan",
		"kind": "law_revision", "effective_date": effective, "description": "《个人信息保护法》修订"}).must(t, 201)
	trID := tr.str("id")
	// 第十一条 names law revisions and changes of duties, not system changes:
	// refused, naming the field and the article, and nothing is recorded.
	badKind := w.prov.do("POST", "/api/v1/catalog/triggers", map[string]any{"dept": w.provider, "jurisdiction": "wuhan",
		"kind": "system_change", "effective_date": effective, "description": "系统升级"}).must(t, 422)
	if errs, _ := badKind.Body["errors"].([]any); len(errs) == 0 || errs[0].(map[string]any)["field"] != "kind" || !strings.Contains(string(badKind.Raw), "第十一条") {
		t.Fatalf("a system_change trigger in wuhan: %s, want a 422 on kind citing 第十一条", badKind.Raw)
	}
	if tr.Body["statutory"] != false || !strings.Contains(tr.str("article"), "第十一条") {
		t.Fatalf("wuhan's update window is the service level, not statutory, citing 第十一条: %s", tr.Raw)
	}
	from, _ := holidays.ParseDate(effective)
	want, _ := holidays.Default().AddWorkingDays(from, 5)
	if tr.str("due_date") != want.DueDate {
		t.Fatalf("trigger due %s, want %s", tr.str("due_date"), want.DueDate)
	}
	openTask(t, w.prov, "catalog_update", trID)
	waitActivity(t, trID, "RemindTasks", 1) // reminded one working day before the end: already past
	obligation := openTask(t, w.prov, "catalog_update", trID)
	if obligation["reminded_at"] == nil {
		t.Fatalf("the obligation task was not reminded: %v", obligation)
	}
	if obligation["kind"] != "obligation" || obligation["overdue"] != false {
		t.Fatalf("the department's obligation task: %v", obligation)
	}
	decide(t, w.prov, obligation, map[string]any{"decision": "approve"}, 422) // fulfilled by a change, not a decision

	cond, uncond := w.items["conditional"], w.items["unconditional"]
	newItem := uniq("NEW")
	filed := time.Now()
	ch := w.prov.do("POST", "/api/v1/catalog/changes", map[string]any{"jurisdiction": "wuhan", "reason": "依修订后法律调整", "trigger_id": trID,
		"operations": []any{
			map[string]any{"op": "modify", "item_id": cond, "base_version": 1, "item": catalogItemBody(cond, "人口基础信息（修订）", "conditional")},
			map[string]any{"op": "add", "item_id": newItem, "item": catalogItemBody(newItem, "新增目录", "unconditional")},
			map[string]any{"op": "delete", "item_id": uncond},
		}}, "Idempotency-Key", uniq("key")).must(t, 201)
	id := ch.str("id")
	if ch.str("status") != "pending" || ch.str("path") != "review" || ch.Body["statutory"] != true {
		t.Fatalf("change: %s", ch.Raw)
	}
	review := openTask(t, w.authority, "catalog_change", id)
	// The review counts from the submission, made between filed and now
	// (which may straddle midnight in Beijing).
	due, _ := holidays.Default().AddWorkingDays(filed, 3)
	dueNow, _ := holidays.Default().AddWorkingDays(time.Now(), 3)
	if (review["due_date"] != due.DueDate && review["due_date"] != dueNow.DueDate) || !strings.Contains(review["article"].(string), "第十一条") {
		t.Fatalf("review task %v: want due %s (3 working days) citing 第十一条", review, due.DueDate)
	}
	// The change signals the trigger's workflow when it is recorded; the
	// trigger records its fulfilment on its own, concurrently with the
	// review task opening.
	until(t, "submitting the change ends the clock", func() (bool, string) {
		got := w.authority.do("GET", "/api/v1/catalog/triggers/"+trID, nil).must(t, 200)
		return got.str("status") == "fulfilled" && got.str("change_id") == id, string(got.Raw)
	})
	if it := w.prov.do("GET", "/api/v1/catalog/items/"+cond, nil).must(t, 200); it.Body["version"] != 1.0 {
		t.Fatalf("a change under review was applied: %s", it.Raw)
	}

	decide(t, w.authority, review, map[string]any{"decision": "approve"}, 200)
	done := w.prov.do("GET", "/api/v1/catalog/changes/"+id, nil).must(t, 200)
	if done.str("status") != "applied" {
		t.Fatalf("after approval: %s", done.Raw)
	}
	it := w.req.do("GET", "/api/v1/catalog/items/"+cond, nil).must(t, 200)
	if it.Body["version"] != 2.0 || it.str("title") != "人口基础信息（修订）" {
		t.Fatalf("modified item: %s", it.Raw)
	}
	w.req.do("GET", "/api/v1/catalog/items/"+newItem, nil).must(t, 200)
	w.req.do("GET", "/api/v1/catalog/items/"+uncond, nil).must(t, 404)
	vs := w.req.do("GET", "/api/v1/catalog/items/"+cond+"/versions", nil).must(t, 200).items()
	if len(vs) != 2 || vs[0]["op"] != "import" || vs[1]["op"] != "modify" || vs[1]["change_id"] != id || vs[1]["version"] != 2.0 {
		t.Fatalf("versions of %s: %v", cond, vs)
	}
	gone := w.req.do("GET", "/api/v1/catalog/items/"+uncond+"/versions", nil).must(t, 200).items()
	if len(gone) != 2 || gone[1]["op"] != "delete" || gone[1]["change_id"] != id {
		t.Fatalf("versions of the deleted %s: %v", uncond, gone)
	}
	checkHistory(t, id, "wuhan-catalog-change-applied")
	checkHistory(t, trID, "wuhan-catalog-update-fulfilled")
}

// Bad input is refused with a problem naming the operation, and nothing is
// applied.
func TestCatalogChangeBadInput(t *testing.T) {
	w := newWorld(t, "weifang")
	cond, uncond := w.items["conditional"], w.items["unconditional"]
	post := func(u user, ops []any, headers ...string) reply {
		return u.do("POST", "/api/v1/catalog/changes", map[string]any{"jurisdiction": "weifang", "reason": "调整", "operations": ops}, headers...)
	}
	cases := []struct {
		name   string
		by     user
		ops    []any
		status int
		field  string
	}{
		{"empty", w.prov, []any{}, 422, "operations"},
		{"another department's item", w.req, []any{map[string]any{"op": "delete", "item_id": cond}}, 422, "operations[0].item_id"},
		{"delete of an unknown item", w.prov, []any{
			map[string]any{"op": "add", "item_id": uniq("N"), "item": catalogItemBody("", "新增", "unconditional")},
			map[string]any{"op": "delete", "item_id": "NO-SUCH-ITEM"}}, 422, "operations[1].item_id"},
		{"modify breaking catalog rules", w.prov, []any{
			map[string]any{"op": "add", "item_id": uniq("N"), "item": catalogItemBody("", "新增", "unconditional")},
			map[string]any{"op": "modify", "item_id": uncond, "item": map[string]any{"title": "改为有条件共享", "share_type": "conditional",
				"share_conditions": "仅限特定应用场景使用（履职需要）", "open_type": "not_open", "data_items": []string{"name"}}}},
			422, "operations[1].item.legal_basis"},
		{"an item of another department's catalog", w.prov, []any{
			map[string]any{"op": "add", "item_id": uniq("N"), "item": map[string]any{"title": "t", "provider_dept": w.requester, "share_type": "unconditional",
				"open_type": "not_open", "data_items": []string{"x"}}}}, 422, "operations[0].item.provider_dept"},
		{"stale base version", w.prov, []any{map[string]any{"op": "modify", "item_id": uncond, "base_version": 7, "item": catalogItemBody(uncond, "改名", "unconditional")}}, 409, "operations[0].base_version"},
		{"unknown op", w.prov, []any{map[string]any{"op": "rename", "item_id": uncond}}, 422, "operations[0].op"},
	}
	for _, c := range cases {
		r := post(c.by, c.ops).must(t, c.status)
		if fieldOf(r) != c.field {
			t.Errorf("%s: field %q, want %q: %s", c.name, fieldOf(r), c.field, r.Raw)
		}
	}
	w.prov.do("POST", "/api/v1/catalog/changes", map[string]any{"jurisdiction": "wuhan", "reason": "x",
		"operations": []any{map[string]any{"op": "delete", "item_id": uncond}}}).must(t, 422)
	w.prov.do("POST", "/api/v1/catalog/changes", map[string]any{"jurisdiction": "weifang", "operations": []any{}, "unknown": 1}).must(t, 400)
	w.authority.do("POST", "/api/v1/catalog/changes", map[string]any{"jurisdiction": "weifang", "reason": "x",
		"operations": []any{map[string]any{"op": "delete", "item_id": uncond}}}).must(t, 403)

	// Nothing applied, no change recorded.
	if it := w.prov.do("GET", "/api/v1/catalog/items/"+uncond, nil).must(t, 200); it.Body["version"] != 1.0 || strings.Contains(it.str("title"), "改名") {
		t.Fatalf("a refused change touched the catalog: %s", it.Raw)
	}
	if n := len(w.prov.do("GET", "/api/v1/catalog/changes", nil).must(t, 200).items()); n != 0 {
		t.Fatalf("%d changes recorded from bad input", n)
	}
	w.prov.do("GET", "/api/v1/catalog/items/NO-SUCH-ITEM/versions", nil).must(t, 404)

	// A change making an item not shared cites its legal basis; it is
	// listed for the classification procedure and routed to it when applied.
	// Weifang: consent, then filing.
	key := uniq("key")
	ok := post(w.prov, []any{map[string]any{"op": "modify", "item_id": uncond, "item": catalogItemBody(uncond, "改为不予共享", "not_shared")}}, "Idempotency-Key", key).must(t, 201)
	again := post(w.prov, []any{map[string]any{"op": "modify", "item_id": uncond, "item": catalogItemBody(uncond, "改为不予共享", "not_shared")}}, "Idempotency-Key", key).must(t, 200)
	if again.str("id") != ok.str("id") || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry gave %s, want %s", again.str("id"), ok.str("id"))
	}
	if ok.Body["statutory"] != false {
		t.Fatalf("weifang names no review deadline: the service level applies, not statutory: %s", ok.Raw)
	}
	if cl, _ := ok.Body["classification"].([]any); len(cl) != 1 || cl[0] != uncond {
		t.Fatalf("classification list: %s", ok.Raw)
	}
	id := ok.str("id")
	consent := openTask(t, w.authority, "catalog_change", id)
	if !strings.Contains(consent["id"].(string), "consent-1") {
		t.Fatalf("weifang's first step is consent: %v", consent)
	}
	decide(t, w.authority, consent, map[string]any{"decision": "approve"}, 200)
	filing := openTask(t, w.authority, "catalog_change", id)
	decide(t, w.authority, filing, map[string]any{"decision": "approve"}, 422) // a filing is acknowledged
	decide(t, w.authority, filing, map[string]any{"decision": "acknowledge"}, 200)
	if it := w.prov.do("GET", "/api/v1/catalog/items/"+uncond, nil).must(t, 200); it.str("share_type") != "unconditional" || it.str("title") != "改为不予共享" || it.Body["version"] != 2.0 {
		t.Fatalf("after consent and filing: %s", it.Raw)
	}
	refs, _ := w.prov.do("GET", "/api/v1/catalog/changes/"+id, nil).must(t, 200).Body["classifications"].([]any)
	if len(refs) != 1 || refs[0].(map[string]any)["item_id"] != uncond {
		t.Fatalf("classifications of %s: %v", id, refs)
	}
	// Weifang: the authority acknowledges the classification; then the item is not shared.
	clID := refs[0].(map[string]any)["classification_id"].(string)
	waitActivity(t, clID, "OpenTask", 1)
	decide(t, w.authority, openTask(t, w.authority, "classification", clID), map[string]any{"decision": "acknowledge"}, 200)
	if it := w.prov.do("GET", "/api/v1/catalog/items/"+uncond, nil).must(t, 200); it.str("share_type") != "not_shared" || it.Body["version"] != 3.0 {
		t.Fatalf("after the classification: %s", it.Raw)
	}
}

// A refusal returns the change with its reasons; the department revises and
// resubmits it; the history keeps both rounds.
func TestCatalogChangeRefusedAndResubmitted(t *testing.T) {
	w := newWorld(t, "wuhan")
	cond := w.items["conditional"]
	id := w.prov.do("POST", "/api/v1/catalog/changes", map[string]any{"jurisdiction": "wuhan", "reason": "职能调整",
		"operations": []any{map[string]any{"op": "modify", "item_id": cond, "item": catalogItemBody(cond, "草稿标题", "conditional")}}}).must(t, 201).str("id")
	path := "/api/v1/catalog/changes/" + id
	revised := map[string]any{"reason": "按复核意见修改",
		"operations": []any{map[string]any{"op": "modify", "item_id": cond, "item": catalogItemBody(cond, "规范标题", "conditional")}}}
	w.prov.do("POST", path+"/resubmit", revised).must(t, 422) // still under review

	review := openTask(t, w.authority, "catalog_change", id)
	decide(t, w.authority, review, map[string]any{"decision": "reject"}, 422) // a refusal needs reasons
	decide(t, w.authority, review, map[string]any{"decision": "reject", "reason": "标题不规范"}, 200)
	back := w.prov.do("GET", path, nil).must(t, 200)
	if back.str("status") != "returned" || back.str("return_reason") != "标题不规范" {
		t.Fatalf("after refusal: %s", back.Raw)
	}
	if it := w.prov.do("GET", "/api/v1/catalog/items/"+cond, nil).must(t, 200); it.Body["version"] != 1.0 {
		t.Fatalf("a refused change was applied: %s", it.Raw)
	}
	w.req.do("POST", path+"/resubmit", revised).must(t, 404) // not the requester's change
	re := w.prov.do("POST", path+"/resubmit", revised).must(t, 200)
	if re.str("status") != "pending" || re.Body["round"] != 2.0 {
		t.Fatalf("after resubmission: %s", re.Raw)
	}
	review2 := openTask(t, w.authority, "catalog_change", id)
	if !strings.HasSuffix(review2["id"].(string), ".review-2.authority") {
		t.Fatalf("second round's task: %v", review2)
	}
	decide(t, w.authority, review2, map[string]any{"decision": "approve"}, 200)
	done := w.prov.do("GET", path, nil).must(t, 200)
	rounds, _ := done.Body["rounds"].([]any)
	if done.str("status") != "applied" || len(rounds) != 2 {
		t.Fatalf("after approval of round 2: %s", done.Raw)
	}
	r1, r2 := rounds[0].(map[string]any), rounds[1].(map[string]any)
	if r1["outcome"] != "returned" || r1["outcome_note"] != "标题不规范" || r2["outcome"] != "applied" || r2["reason"] != "按复核意见修改" {
		t.Fatalf("rounds: %v", rounds)
	}
	kinds := events(done)
	for _, k := range []string{"submitted", "returned", "resubmitted", "applied"} {
		if !kinds[k] {
			t.Errorf("no %q event in %v", k, kinds)
		}
	}
	if it := w.prov.do("GET", "/api/v1/catalog/items/"+cond, nil).must(t, 200); it.str("title") != "规范标题" || it.Body["version"] != 2.0 {
		t.Fatalf("after round 2: %s", it.Raw)
	}
	checkHistory(t, id, "wuhan-catalog-change-resubmitted")
}

// Changsha: a window long past flags the department overdue and opens a
// supervision task for the city government (第三十八条: 市人民政府…责令改正);
// the late change ends the clock and is filed.
func TestCatalogUpdateOverdueSupervision(t *testing.T) {
	w := newWorld(t, "changsha")
	tr := w.authority.do("POST", "/api/v1/catalog/triggers", map[string]any{"dept": w.provider, "jurisdiction": "changsha",
		"kind": "duty_change", "effective_date": "2026-09-01", "description": "职能调整"}).must(t, 201)
	trID := tr.str("id")
	// 09-02(1) .. 09-18(13), Sun 09-20(14, make-up day of 国庆 2026), 09-21(15).
	if tr.str("due_date") != "2026-09-21" || tr.Body["statutory"] != true {
		t.Fatalf("15 working days from 2026-09-01 end 2026-09-21: %s", tr.Raw)
	}
	var sup map[string]any
	gov := sys.as(t, "mayor", api.RoleGovernment, "", "changsha")
	waitActivity(t, trID, "OpenTask", 2) // the expired clock opens the supervision task at once
	for _, it := range gov.do("GET", "/api/v1/tasks?status=open&procedure=catalog_update", nil).must(t, 200).items() {
		if it["procedure_id"] == trID && it["kind"] == "supervision" {
			sup = it
		}
	}
	if sup == nil || !strings.Contains(sup["article"].(string), "第三十八条") {
		t.Fatalf("no supervision task for the government citing 第三十八条: %v", sup)
	}
	got := w.prov.do("GET", "/api/v1/catalog/triggers/"+trID, nil).must(t, 200)
	if got.Body["overdue"] != true {
		t.Fatalf("trigger not overdue: %s", got.Raw)
	}
	if n := len(w.authority.do("GET", "/api/v1/catalog/triggers?overdue=true&dept="+w.provider, nil).must(t, 200).items()); n != 1 {
		t.Fatalf("%d overdue triggers listed, want 1", n)
	}
	// A supervision task closes with the obligation, not by a decision; asked
	// the moment its row appears, the answer is still that, not "unknown task".
	decide(t, gov, sup, map[string]any{"decision": "approve"}, 422)

	uncond := w.items["unconditional"]
	id := w.prov.do("POST", "/api/v1/catalog/changes", map[string]any{"jurisdiction": "changsha", "reason": "补报", "trigger_id": trID,
		"operations": []any{map[string]any{"op": "modify", "item_id": uncond, "item": catalogItemBody(uncond, "补报更新", "unconditional")}}}).must(t, 201).str("id")
	waitClosed(t, trID) // the change fulfils the trigger, whose clock then ends
	if st := w.prov.do("GET", "/api/v1/catalog/triggers/"+trID, nil).must(t, 200).str("status"); st != "fulfilled" {
		t.Fatalf("trigger status %q, want fulfilled", st)
	}
	filing := openTask(t, w.authority, "catalog_change", id)
	decide(t, w.authority, filing, map[string]any{"decision": "acknowledge"}, 200)
	if it := w.prov.do("GET", "/api/v1/catalog/items/"+uncond, nil).must(t, 200); it.str("title") != "补报更新" {
		t.Fatalf("filed change not applied: %s", it.Raw)
	}
	checkHistory(t, trID, "changsha-catalog-update-overdue")
}

// Xiamen: a change of duties is submitted together with the department
// taking them over, which confirms before the authority reviews.
func TestCatalogChangeXiamenJointSubmission(t *testing.T) {
	w := newWorld(t, "xiamen")
	body := map[string]any{"dept": w.provider, "jurisdiction": "xiamen", "kind": "duty_change", "effective_date": time.Now().In(holidays.Shanghai).Format(time.DateOnly), "description": "职能划转"}
	r := w.prov.do("POST", "/api/v1/catalog/triggers", body).must(t, 422)
	if fieldOf(r) != "receiving_dept" {
		t.Fatalf("a xiamen change of duties without the receiving department: %s", r.Raw)
	}
	w.req.do("POST", "/api/v1/catalog/triggers", body).must(t, 403) // not its own catalog
	body["receiving_dept"] = w.requester
	trID := w.prov.do("POST", "/api/v1/catalog/triggers", body).must(t, 201).str("id")

	cond := w.items["conditional"]
	id := w.prov.do("POST", "/api/v1/catalog/changes", map[string]any{"jurisdiction": "xiamen", "reason": "职能划转", "trigger_id": trID,
		"operations": []any{map[string]any{"op": "delete", "item_id": cond}}}).must(t, 201).str("id")
	confirm := openTask(t, w.req, "catalog_change", id)
	if confirm["assignee_dept"] != w.requester {
		t.Fatalf("confirmation task: %v", confirm)
	}
	w.req.do("GET", "/api/v1/catalog/changes/"+id, nil).must(t, 200) // the receiving department sees it
	decide(t, w.authority, confirm, map[string]any{"decision": "approve"}, 403)
	decide(t, w.req, confirm, map[string]any{"decision": "approve"}, 200)
	review := openTask(t, w.authority, "catalog_change", id)
	decide(t, w.authority, review, map[string]any{"decision": "approve"}, 200)
	if st := w.prov.do("GET", "/api/v1/catalog/changes/"+id, nil).must(t, 200).str("status"); st != "applied" {
		t.Fatalf("status %q, want applied", st)
	}
	w.prov.do("GET", "/api/v1/catalog/items/"+cond, nil).must(t, 404)
}

// Two changes of the same item made against the same version and filed at
// the same moment: one applies, the other is returned with the conflict and
// nothing of it is applied; rebased on the new version, it applies on top.
// Nothing is lost.
func TestCatalogChangeConcurrentChangesNotLost(t *testing.T) {
	w := newWorld(t, "changsha")
	item := w.items["unconditional"]
	submit := func(title string) string {
		return w.prov.do("POST", "/api/v1/catalog/changes", map[string]any{"jurisdiction": "changsha", "reason": title,
			"operations": []any{map[string]any{"op": "modify", "item_id": item, "base_version": 1, "item": catalogItemBody(item, title, "unconditional")}}}).must(t, 201).str("id")
	}
	ids := []string{submit("甲的修改"), submit("乙的修改")}
	filings := []map[string]any{openTask(t, w.authority, "catalog_change", ids[0]), openTask(t, w.authority, "catalog_change", ids[1])}
	done := make(chan reply, 2)
	for _, f := range filings {
		go func() {
			done <- w.authority.do("POST", "/api/v1/tasks/"+f["id"].(string)+"/decision", map[string]any{"decision": "acknowledge"})
		}()
	}
	for range filings {
		(<-done).must(t, 200)
	}
	status := map[string]string{}
	var applied, returned string
	for _, id := range ids {
		ch := w.prov.do("GET", "/api/v1/catalog/changes/"+id, nil).must(t, 200)
		status[id] = ch.str("status")
		switch ch.str("status") {
		case "applied":
			applied = id
		case "returned":
			returned = id
			if !strings.Contains(ch.str("return_reason"), "conflict") || !strings.Contains(ch.str("return_reason"), "version 2") {
				t.Fatalf("returned change does not explain the conflict: %s", ch.Raw)
			}
		}
	}
	if applied == "" || returned == "" {
		t.Fatalf("want one change applied and one returned, got %v", status)
	}
	winner := map[string]string{ids[0]: "甲的修改", ids[1]: "乙的修改"}
	it := w.prov.do("GET", "/api/v1/catalog/items/"+item, nil).must(t, 200)
	if it.Body["version"] != 2.0 || it.str("title") != winner[applied] {
		t.Fatalf("item after the race: %s (applied %s)", it.Raw, applied)
	}
	w.prov.do("POST", "/api/v1/catalog/changes/"+returned+"/resubmit", map[string]any{"reason": "基于第2版重新提交",
		"operations": []any{map[string]any{"op": "modify", "item_id": item, "base_version": 1, "item": catalogItemBody(item, winner[returned], "unconditional")}}}).must(t, 409)
	w.prov.do("POST", "/api/v1/catalog/changes/"+returned+"/resubmit", map[string]any{"reason": "基于第2版重新提交",
		"operations": []any{map[string]any{"op": "modify", "item_id": item, "base_version": 2, "item": catalogItemBody(item, winner[returned], "unconditional")}}}).must(t, 200)
	decide(t, w.authority, openTask(t, w.authority, "catalog_change", returned), map[string]any{"decision": "acknowledge"}, 200)
	vs := w.prov.do("GET", "/api/v1/catalog/items/"+item+"/versions", nil).must(t, 200).items()
	if len(vs) != 3 || vs[1]["change_id"] != applied || vs[2]["change_id"] != returned || vs[2]["round"] != 2.0 {
		t.Fatalf("versions: %v", vs)
	}
	if it := w.prov.do("GET", "/api/v1/catalog/items/"+item, nil).must(t, 200); it.str("title") != winner[returned] || it.Body["version"] != 3.0 {
		t.Fatalf("item after the rebased change: %s", it.Raw)
	}
}

// A returned change may be withdrawn by its department; it then takes no
// resubmission and nothing is applied.
func TestCatalogChangeWithdrawn(t *testing.T) {
	w := newWorld(t, "wuhan")
	cond := w.items["conditional"]
	id := w.prov.do("POST", "/api/v1/catalog/changes", map[string]any{"jurisdiction": "wuhan", "reason": "职能调整",
		"operations": []any{map[string]any{"op": "delete", "item_id": cond}}}).must(t, 201).str("id")
	path := "/api/v1/catalog/changes/" + id
	w.prov.do("POST", path+"/withdraw", nil).must(t, 422) // under review
	decide(t, w.authority, openTask(t, w.authority, "catalog_change", id), map[string]any{"decision": "reject", "reason": "仍在使用"}, 200)
	got := w.prov.do("POST", path+"/withdraw", nil).must(t, 200)
	if got.str("status") != "withdrawn" {
		t.Fatalf("after withdrawal: %s", got.Raw)
	}
	w.prov.do("POST", path+"/resubmit", map[string]any{"reason": "x", "operations": []any{map[string]any{"op": "delete", "item_id": cond}}}).must(t, 422)
	w.prov.do("GET", "/api/v1/catalog/items/"+cond, nil).must(t, 200)
}

// Wuhan: a change that would make an existing item not shared is approved by
// the authority; the change applies the item's other fields but keeps its
// share type, and starts a classification for the item (procedure 5). The
// authority and the government approve the classification, and only then is
// the item not shared, in a new version.
func TestCatalogChangeRoutesRestrictionToClassification(t *testing.T) {
	w := newWorld(t, "wuhan")
	item := w.items["unconditional"]
	const basis = "《中华人民共和国个人信息保护法》第二十八条"
	body := catalogItemBody(item, "人口基础信息（敏感）", "not_shared")
	body["legal_basis"], body["share_conditions"] = basis, ""
	ch := w.prov.do("POST", "/api/v1/catalog/changes", map[string]any{"jurisdiction": "wuhan", "reason": "含敏感个人信息",
		"operations": []any{map[string]any{"op": "modify", "item_id": item, "item": body}}}).must(t, 201)
	id := ch.str("id")
	if cl, _ := ch.Body["classification"].([]any); len(cl) != 1 || cl[0] != item {
		t.Fatalf("the change does not list %s for classification: %s", item, ch.Raw)
	}
	decide(t, w.authority, openTask(t, w.authority, "catalog_change", id), map[string]any{"decision": "approve"}, 200)

	done := w.prov.do("GET", "/api/v1/catalog/changes/"+id, nil).must(t, 200)
	refs, _ := done.Body["classifications"].([]any)
	if done.str("status") != "applied" || len(refs) != 1 || refs[0].(map[string]any)["item_id"] != item {
		t.Fatalf("applied change: %s", done.Raw)
	}
	clID, _ := refs[0].(map[string]any)["classification_id"].(string)
	if !events(done)["routed"] {
		t.Fatalf("no routed event on the change: %s", done.Raw)
	}
	it := w.req.do("GET", "/api/v1/catalog/items/"+item, nil).must(t, 200)
	if it.str("share_type") != "unconditional" || it.str("title") != "人口基础信息（敏感）" || it.Body["version"] != 2.0 {
		t.Fatalf("item after the change: %s", it.Raw)
	}

	waitActivity(t, clID, "OpenTask", 1) // the classification is recorded and its review opened
	list := w.authority.do("GET", "/api/v1/classifications?catalog_item_id="+item, nil).must(t, 200).items()
	if len(list) != 1 || list[0]["id"] != clID || list[0]["proposed_share_type"] != "not_shared" || list[0]["legal_basis"] != basis ||
		list[0]["previous_share_type"] != "unconditional" || list[0]["base_version"] != 2.0 || list[0]["dept"] != w.provider ||
		list[0]["reason"] != "含敏感个人信息" || list[0]["status"] != "pending" {
		t.Fatalf("classifications of %s: %v", item, list)
	}
	decide(t, w.authority, openTask(t, w.authority, "classification", clID), map[string]any{"decision": "approve"}, 200)
	if st := w.admin.do("GET", "/api/v1/catalog/items/"+item, nil).must(t, 200).str("share_type"); st != "unconditional" {
		t.Fatalf("item changed before the government approved: %s", st)
	}
	gov := sys.as(t, "mayor", api.RoleGovernment, "", "wuhan")
	decide(t, gov, openTask(t, gov, "classification", clID), map[string]any{"decision": "approve"}, 200)
	if got := w.prov.do("GET", "/api/v1/classifications/"+clID, nil).must(t, 200); got.str("status") != "applied" {
		t.Fatalf("classification after approval: %s", got.Raw)
	}
	it = w.req.do("GET", "/api/v1/catalog/items/"+item, nil).must(t, 200)
	if it.str("share_type") != "not_shared" || it.str("legal_basis") != basis || it.Body["version"] != 3.0 {
		t.Fatalf("item after the classification: %s", it.Raw)
	}
	vs := w.req.do("GET", "/api/v1/catalog/items/"+item+"/versions", nil).must(t, 200).items()
	if len(vs) != 3 || vs[1]["change_id"] != id || vs[2]["change_id"] != clID {
		t.Fatalf("versions of %s: %v", item, vs)
	}
	checkHistory(t, id, "wuhan-catalog-change-routed")
}
