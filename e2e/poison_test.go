package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/activities"
	"github.com/cityapprovals/approvals/api"
	"github.com/cityapprovals/approvals/codec"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/workflows"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// poisonClient answers or fails fast: a request that would wedge a
// procedure used to hang until the activity gave up, i.e. never.
var poisonClient = &http.Client{Timeout: 20 * time.Second}

// refused fails the test unless r is a 4xx problem+json naming field (in
// its errors, or its detail when it names no fields).
func refused(t *testing.T, what string, r reply, field string) {
	t.Helper()
	if r.Status < 400 || r.Status >= 500 {
		t.Errorf("%s: status %d, want 4xx: %.300s", what, r.Status, r.Raw)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("%s: answered as %q, want application/problem+json", what, ct)
	}
	if field == "" {
		return
	}
	errs, _ := r.Body["errors"].([]any)
	for _, e := range errs {
		if m, _ := e.(map[string]any); m["field"] == field {
			return
		}
	}
	t.Errorf("%s: the problem does not name %s: %.300s", what, field, r.Raw)
}

// poke sends a request as u with the fast client; body is JSON-encoded
// unless it is []byte.
func poke(t *testing.T, u user, method, path string, body any, headers ...string) reply {
	t.Helper()
	u.client = poisonClient
	return u.do(method, path, body, headers...)
}

// count is how many items a list endpoint shows the user.
func count(t *testing.T, u user, path string) int {
	t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return len(u.do("GET", path+sep+"page_size=500", nil).must(t, 200).items())
}

// Hostile input (NUL and escape characters, overlong fields, huge bodies and
// lists), sent to every filing and decision route on the real stack: each is refused with a 4xx naming the field, nothing is
// stored, and procedures filed before and after stay decidable.
func TestPoisonInputRefused(t *testing.T) {
	w := newWorld(t, "xiamen")
	before := w.file(t, "conditional").must(t, 201).str("id")
	task := taskFor(t, w.prov, before)["id"].(string)
	zhang := sys.as(t, "zhang-"+uniq("p"), api.RoleApplicant, "", "xiamen")
	ghost := sys.as(t, "ghost", api.RoleDepartment, uniq("GHOST"), "xiamen") // no row in departments

	lists := map[string]user{
		"/api/v1/share-requests": w.req, "/api/v1/catalog/triggers": w.prov, "/api/v1/catalog/changes": w.prov,
		"/api/v1/classifications": w.prov, "/api/v1/temporary-adjustments": w.prov, "/api/v1/objections": w.prov,
		"/api/v1/open-applications": zhang, "/api/v1/disputes": w.req, "/api/v1/departments?jurisdiction=xiamen": w.admin,
		"/api/v1/catalog/items?jurisdiction=xiamen": w.admin, "/api/v1/tasks?status=open": w.prov,
	}
	counts := map[string]int{}
	for path, u := range lists {
		counts[path] = count(t, u, path)
	}

	nul, esc, long, huge := "核验\u0000户籍", "核验\x1b[31m户籍", strings.Repeat("长", 5000), strings.Repeat("x", 990_000)
	many := make([]string, 100_000)
	for i := range many {
		many[i] = "name"
	}
	item := w.items["conditional"]
	share := func(edit func(map[string]any)) map[string]any {
		b := map[string]any{"catalog_item_id": item, "purpose": "核验申请人户籍", "scenario": "人才落户审批", "data_items": []string{"name"}}
		edit(b)
		return b
	}
	catalog := func(edit func(map[string]any)) map[string]any {
		b := map[string]any{"id": uniq("PITEM"), "jurisdiction": "xiamen", "provider_dept": w.provider, "title": "标题",
			"share_type": "unconditional", "open_type": "not_open", "data_items": []string{"name"}}
		edit(b)
		return b
	}
	trigger := func(edit func(map[string]any)) map[string]any {
		b := map[string]any{"dept": w.provider, "jurisdiction": "xiamen", "kind": "system_change", "effective_date": time.Now().Format(time.DateOnly), "description": "业务系统变更"}
		edit(b)
		return b
	}
	change := func(edit func(map[string]any)) map[string]any {
		b := map[string]any{"jurisdiction": "xiamen", "reason": "调整", "operations": []any{
			map[string]any{"op": "add", "item_id": uniq("N"), "item": catalogItemBody("", "新增", "unconditional")}}}
		edit(b)
		return b
	}
	manyOps := make([]any, 101)
	for i := range manyOps {
		manyOps[i] = map[string]any{"op": "delete", "item_id": item}
	}
	classification := func(edit func(map[string]any)) map[string]any {
		b := map[string]any{"catalog_item_id": w.items["unconditional"], "proposed_share_type": "conditional", "legal_basis": "依据", "conditions": "仅限特定应用场景", "reason": "理由"}
		edit(b)
		return b
	}
	adjustment := func(edit func(map[string]any)) map[string]any {
		b := map[string]any{"catalog_item_id": w.items["unconditional"], "share_type": "not_shared", "ground": "emergency", "reason": "理由", "end_date": "2099-01-01"}
		edit(b)
		return b
	}
	objection := func(edit func(map[string]any)) map[string]any {
		b := map[string]any{"catalog_item_id": item, "kind": "error", "description": "地址字段与登记不一致"}
		edit(b)
		return b
	}
	open := func(edit func(map[string]any)) map[string]any {
		b := map[string]any{"jurisdiction": "xiamen", "catalog_item_id": item, "demand": "需求",
			"applicant": map[string]any{"name": "厦门出行科技有限公司", "kind": "company", "credit_code": "91350200MA2XXXXX1Q"},
			"scenario":  "查询", "data_scope": "全市", "delivery": "api",
			"period_of_use":   map[string]any{"from": time.Now().Format(time.DateOnly), "to": time.Now().AddDate(0, 6, 0).Format(time.DateOnly)},
			"safety_measures": "等保三级"}
		edit(b)
		return b
	}
	set := func(k string, v any) func(map[string]any) { return func(b map[string]any) { b[k] = v } }
	decision := "/api/v1/tasks/" + task + "/decision"

	cases := []struct {
		name, method, path string
		as                 user
		body               any
		field              string
	}{
		// share requests
		{"NUL in purpose", "POST", "/api/v1/share-requests", w.req, share(set("purpose", nul)), "purpose"},
		{"escape in scenario", "POST", "/api/v1/share-requests", w.req, share(set("scenario", esc)), "scenario"},
		{"long purpose", "POST", "/api/v1/share-requests", w.req, share(set("purpose", long)), "purpose"},
		{"100000 data items", "POST", "/api/v1/share-requests", w.req, share(set("data_items", many)), "data_items"},
		{"slash in item ID", "POST", "/api/v1/share-requests", w.req, share(set("catalog_item_id", "a/b?c;d")), "catalog_item_id"},
		{"wrong type", "POST", "/api/v1/share-requests", w.req, share(set("purpose", 5)), "purpose"},
		{"invalid UTF-8", "POST", "/api/v1/share-requests", w.req, []byte(`{"catalog_item_id":"` + item + `","purpose":"a` + "\xff" + `b","scenario":"s","data_items":["name"]}`), "purpose"},
		// decisions
		{"NUL in reason", "POST", decision, w.prov, map[string]any{"decision": "reject", "reason": nul, "legal_basis": "《厦门市公共数据管理办法》"}, "reason"},
		{"NUL in decision", "POST", decision, w.prov, map[string]any{"decision": "approve\u0000"}, "decision"},
		{"long conditions", "POST", decision, w.prov, map[string]any{"decision": "approve", "conditions": long}, "conditions"},
		{"year 9999 in item", "POST", decision, w.prov, map[string]any{"decision": "approve", "item": map[string]any{"id": item, "created_at": "9999-12-31T00:00:00Z"}}, "item.created_at"},
		// catalog items and departments (admin)
		{"slash in item id", "POST", "/api/v1/catalog/items", w.admin, catalog(set("id", "a/b")), "id"},
		{"escape in item id", "POST", "/api/v1/catalog/items", w.admin, catalog(set("id", "\x1b[2J")), "id"},
		{"huge title", "POST", "/api/v1/catalog/items", w.admin, catalog(set("title", huge)), "title"},
		{"100000 item data items", "POST", "/api/v1/catalog/items", w.admin, catalog(set("data_items", many)), "data_items"},
		{"escape in department code", "POST", "/api/v1/departments", w.admin, map[string]any{"code": "\x1b[31mX", "name": "部门", "jurisdiction": "xiamen", "kind": "bureau"}, "code"},
		{"NUL in department name", "POST", "/api/v1/departments", w.admin, map[string]any{"code": uniq("D"), "name": nul, "jurisdiction": "xiamen", "kind": "bureau"}, "name"},
		// triggers and changes
		{"year 9999 trigger", "POST", "/api/v1/catalog/triggers", w.prov, trigger(set("effective_date", "9999-12-31")), "effective_date"},
		{"year 0 trigger", "POST", "/api/v1/catalog/triggers", w.prov, trigger(set("effective_date", "0000-01-01")), "effective_date"},
		{"trigger two years ahead", "POST", "/api/v1/catalog/triggers", w.prov, trigger(set("effective_date", time.Now().AddDate(2, 0, 0).Format(time.DateOnly))), "effective_date"},
		{"NUL in trigger", "POST", "/api/v1/catalog/triggers", w.prov, trigger(set("description", nul)), "description"},
		{"NUL in change reason", "POST", "/api/v1/catalog/changes", w.prov, change(set("reason", nul)), "reason"},
		{"101 operations", "POST", "/api/v1/catalog/changes", w.prov, change(set("operations", manyOps)), "operations"},
		{"long title in operation", "POST", "/api/v1/catalog/changes", w.prov, change(set("operations", []any{
			map[string]any{"op": "delete", "item_id": item}, map[string]any{"op": "delete", "item_id": item},
			map[string]any{"op": "add", "item_id": uniq("N"), "item": catalogItemBody("", strings.Repeat("题", 201), "unconditional")}})), "operations[2].item.title"},
		{"semicolon in operation item", "POST", "/api/v1/catalog/changes", w.prov, change(set("operations", []any{map[string]any{"op": "delete", "item_id": "x;y"}})), "operations[0].item_id"},
		// classifications and adjustments
		{"NUL in classification", "POST", "/api/v1/classifications", w.prov, classification(set("reason", nul)), "reason"},
		{"long legal basis", "POST", "/api/v1/classifications", w.prov, classification(set("legal_basis", long)), "legal_basis"},
		{"year 9999 adjustment", "POST", "/api/v1/temporary-adjustments", w.prov, adjustment(set("end_date", "9999-12-31")), "end_date"},
		{"NUL in adjustment", "POST", "/api/v1/temporary-adjustments", w.prov, adjustment(set("reason", nul)), "reason"},
		// disputes, objections, evidence
		{"NUL in dispute", "POST", "/api/v1/share-requests/" + before + "/disputes", w.req, map[string]any{"reason": nul}, "reason"},
		{"NUL in objection", "POST", "/api/v1/objections", w.req, objection(set("description", nul)), "description"},
		{"1000 evidence", "POST", "/api/v1/objections", w.req, objection(set("evidence", many[:1000])), "evidence"},
		{"unregistered objector", "POST", "/api/v1/objections", ghost, objection(func(map[string]any) {}), "dept"},
		// open applications
		{"NUL in applicant name", "POST", "/api/v1/open-applications", zhang, open(func(b map[string]any) {
			b["applicant"] = map[string]any{"name": nul, "kind": "company", "credit_code": "91350200MA2XXXXX1Q"}
		}), "applicant.name"},
		{"year 0 period", "POST", "/api/v1/open-applications", zhang, open(set("period_of_use", map[string]any{"from": "0000-01-01", "to": "2027-01-01"})), "period_of_use.from"},
		{"year 9999 period", "POST", "/api/v1/open-applications", zhang, open(set("period_of_use", map[string]any{"from": "2026-01-01", "to": "9999-12-31"})), "period_of_use.to"},
		{"wrong type applicant", "POST", "/api/v1/open-applications", zhang, open(set("applicant", []any{1})), "applicant"},
		// calendar years
		{"no holidays", "PUT", "/api/v1/calendar/years/2029", w.admin, map[string]any{"source": "国务院办公厅通知", "holidays": []any{}, "makeup_workdays": []any{}}, "holidays"},
		{"year 9999", "PUT", "/api/v1/calendar/years/9999", w.admin, map[string]any{"source": "通知", "holidays": []any{map[string]any{"name": "元旦", "from": "9999-01-01", "to": "9999-01-01"}}}, "year"},
		{"year 0 holiday", "PUT", "/api/v1/calendar/years/2029", w.admin, map[string]any{"source": "通知", "holidays": []any{map[string]any{"name": "元旦", "from": "0000-01-01", "to": "2029-01-01"}}}, "holidays[0].from"},
		// "/", "?" and ";" in the IDs of every filing route
		{"slash in objection item", "POST", "/api/v1/objections", w.req, objection(set("catalog_item_id", "a/b")), "catalog_item_id"},
		{"question mark in classification item", "POST", "/api/v1/classifications", w.prov, classification(set("catalog_item_id", "a?b")), "catalog_item_id"},
		{"semicolon in adjustment item", "POST", "/api/v1/temporary-adjustments", w.prov, adjustment(set("catalog_item_id", "a;b")), "catalog_item_id"},
		{"slash in open-application item", "POST", "/api/v1/open-applications", zhang, open(set("catalog_item_id", "../x")), "catalog_item_id"},
		{"semicolon in trigger dept", "POST", "/api/v1/catalog/triggers", w.prov, trigger(set("dept", "x;y")), "dept"},
		{"question mark in receiving dept", "POST", "/api/v1/catalog/triggers", w.prov, trigger(set("receiving_dept", "x?y")), "receiving_dept"},
		{"semicolon in change trigger", "POST", "/api/v1/catalog/changes", w.prov, change(set("trigger_id", "ct;1")), "trigger_id"},
		{"semicolon in disputed request", "POST", "/api/v1/share-requests/a;b/disputes", w.req, map[string]any{"reason": "理由"}, "id"},
		{"year 0 adjustment", "POST", "/api/v1/temporary-adjustments", w.prov, adjustment(set("end_date", "0000-01-01")), "end_date"},
		{"100000 makeup workdays", "PUT", "/api/v1/calendar/years/2029", w.admin, map[string]any{"source": "通知", "holidays": []any{map[string]any{"name": "元旦", "from": "2029-01-01", "to": "2029-01-01"}}, "makeup_workdays": many}, "makeup_workdays"},
		// query parameters and path IDs
		{"NUL jurisdiction (public)", "GET", "/api/v1/open-applications/published-refusals?jurisdiction=%00", user{t: t}, nil, "jurisdiction"},
		{"procedures from year 0", "GET", "/api/v1/procedures?from=0000-01-01", sys.as(t, "audrey", api.RoleAuditor, "", ""), nil, "from"},
		{"procedures to year 9999", "GET", "/api/v1/procedures?to=9999-12-31T00:00:00Z", sys.as(t, "audrey", api.RoleAuditor, "", ""), nil, "to"},
		{"report from year 0", "GET", "/api/v1/reports/deadlines?from=0000-01-01", sys.as(t, "audrey", api.RoleAuditor, "", ""), nil, "from"},
		{"deadline from year 9999", "GET", "/api/v1/calendar/deadline?working_days=5&from=9999-12-30T00:00:00Z", user{t: t}, nil, "from"},
		{"NUL status", "GET", "/api/v1/share-requests?status=%00", w.req, nil, "status"},
		{"invalid UTF-8 path ID", "GET", "/api/v1/share-requests/%FF%FE", w.req, nil, "id"},
		{"invalid UTF-8 item ID", "GET", "/api/v1/catalog/items/%C0", w.req, nil, "id"},
		{"NUL in task ID", "POST", "/api/v1/tasks/a%00b/decision", w.prov, map[string]any{"decision": "approve"}, "id"},
		{"semicolon in task ID", "POST", "/api/v1/tasks/a;b/decision", w.prov, map[string]any{"decision": "approve"}, "id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.as.t = t
			refused(t, c.name, poke(t, c.as, c.method, c.path, c.body), c.field)
		})
	}

	t.Run("unregistered uploader", func(t *testing.T) {
		ghost.t, ghost.client = t, poisonClient
		refused(t, "evidence", upload(t, ghost, "a.txt", "text/plain", []byte("证据")), "dept")
	})
	t.Run("escape in evidence file name", func(t *testing.T) {
		u := w.req
		u.t, u.client = t, poisonClient
		refused(t, "evidence name", upload(t, u, "\x1b[2J.txt", "text/plain", []byte("证据")), "file")
	})
	t.Run("NUL in replayed procedure ID", func(t *testing.T) {
		refused(t, "replay", poke(t, sys.as(t, "audrey", api.RoleAuditor, "", ""), "POST", "/api/v1/audit/replay", map[string]any{"procedure_id": "sr-\u0000"}), "procedure_id")
	})
	t.Run("garbage page token", func(t *testing.T) {
		start := time.Now()
		refused(t, "page_token", poke(t, sys.as(t, "audrey", api.RoleAuditor, "", ""), "GET", "/api/v1/procedures?page_token=Z2FyYmFnZQ", nil), "page_token")
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("a garbage page_token took %s", d)
		}
	})
	t.Run("chunked body over the limit", func(t *testing.T) {
		big := append([]byte(`{"purpose":"`), bytes.Repeat([]byte("x"), 1<<20)...)
		req, _ := http.NewRequest("POST", sys.base+"/api/v1/share-requests", io.MultiReader(bytes.NewReader(big), strings.NewReader(`"}`)))
		req.Header.Set("Authorization", "Bearer "+w.req.token)
		req.Header.Set("Content-Type", "application/json")
		req.ContentLength = -1 // chunked
		resp, err := poisonClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("chunked 1 MiB + 14 bytes: status %d, want 413: %s", resp.StatusCode, raw)
		}
	})
	t.Run("exactly 1 MiB is read", func(t *testing.T) {
		// A body of exactly 1,048,576 bytes is within the limit: refused for
		// its content (the purpose is too long), not for its size.
		body := []byte(`{"catalog_item_id":"` + item + `","scenario":"s","data_items":["name"],"purpose":"`)
		body = append(body, bytes.Repeat([]byte("x"), 1<<20-len(body)-2)...)
		body = append(body, `"}`...)
		if len(body) != 1<<20 {
			t.Fatalf("body of %d bytes", len(body))
		}
		r := poke(t, w.req, "POST", "/api/v1/share-requests", body)
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("1 MiB body: status %d, want 422: %.200s", r.Status, r.Raw)
		}
	})
	t.Run("no Go type names", func(t *testing.T) {
		r := poke(t, w.req, "POST", "/api/v1/share-requests", share(set("data_items", map[string]any{"a": 1})))
		refused(t, "data_items object", r, "data_items")
		for _, s := range []string{"api.", "struct", "[]string", "Go "} {
			if strings.Contains(string(r.Raw), s) {
				t.Errorf("the problem shows Go types (%q): %s", s, r.Raw)
			}
		}
	})

	// Nothing stored.
	for path, u := range lists {
		if n := count(t, u, path); n != counts[path] {
			t.Errorf("%s lists %d, %d before the poison", path, n, counts[path])
		}
	}

	// Procedures filed before and after stay decidable.
	after := w.file(t, "conditional").must(t, 201).str("id")
	for _, id := range []string{before, after} {
		w.prov.do("POST", "/api/v1/tasks/"+taskFor(t, w.prov, id)["id"].(string)+"/decision",
			map[string]any{"decision": "approve", "conditions": "仅限人才落户审批"}).must(t, 200)
		w.authority.do("POST", "/api/v1/tasks/"+taskFor(t, w.authority, id)["id"].(string)+"/decision",
			map[string]any{"decision": "approve"}).must(t, 200)
		waitClosed(t, id)
		if st := w.req.do("GET", "/api/v1/share-requests/"+id, nil).must(t, 200).str("status"); st != "granted" {
			t.Errorf("%s ended %s, want granted", id, st)
		}
	}
}

// What gets past the API anyway (a bug, another client of Temporal) ends
// visibly instead of wedging: a share request whose purpose PostgreSQL
// refuses fails at once with a failed event and status; a decision whose
// reason it refuses is answered with an error, and the task stays decidable.
func TestPoisonPastTheAPIEndsVisibly(t *testing.T) {
	if !sys.postgres {
		t.Skip("the NUL byte is refused by PostgreSQL only; this test needs it")
	}
	w := newWorld(t, "xiamen")
	tc, err := client.Dial(client.Options{HostPort: sys.temporal.Address, Namespace: namespace, Logger: quiet{},
		DataConverter: codec.DataConverter(sys.codec), FailureConverter: codec.FailureConverter(sys.codec)})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	reg, err := regulations.Load("xiamen:2099-12-31")
	if err != nil {
		t.Fatal(err)
	}
	profile, _ := reg.Get("xiamen")
	auditor := sys.as(t, "audrey", api.RoleAuditor, "", "")
	item := w.admin.do("GET", "/api/v1/catalog/items/"+w.items["conditional"], nil).must(t, 200)
	var it models.CatalogItem
	if err := json.Unmarshal(item.Raw, &it); err != nil {
		t.Fatal(err)
	}

	t.Run("filing", func(t *testing.T) {
		id := "sr-poison-" + uniq("x")
		req := models.ShareRequest{
			Header:        models.Header{ID: id, WorkflowID: id, Jurisdiction: "xiamen"},
			CatalogItemID: it.ID,
			RequesterDept: w.requester,
			ProviderDept:  w.provider,
			RequestedBy:   "alice",
			Purpose:       "核验\x00户籍",
			Scenario:      "审批",
			DataItems:     []string{"name"},
			FiledAt:       time.Now(),
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: workflows.TaskQueue,
			TypedSearchAttributes: temporal.NewSearchAttributes(workflows.AttrProcedure.ValueSet(workflows.ProcedureShare),
				workflows.AttrJurisdiction.ValueSet("xiamen"), workflows.AttrStatus.ValueSet(models.StatusPending))},
			workflows.ShareRequest, workflows.ShareInput{Request: req, Item: it, Profile: profile})
		if err != nil {
			t.Fatal(err)
		}
		err = run.Get(ctx, nil)
		if msg, ok := activities.IsPermanent(err); !ok || !strings.Contains(msg, "22021") {
			t.Fatalf("the workflow ended with %v, want the permanent error of SQLSTATE 22021", err)
		}
		tl := auditor.do("GET", "/api/v1/procedures/"+id+"/timeline", nil).must(t, 200)
		if !strings.Contains(string(tl.Raw), `"failed"`) || !strings.Contains(string(tl.Raw), "22021") {
			t.Fatalf("no failed event in the timeline: %s", tl.Raw)
		}
		eventuallyListed(t, auditor, "/api/v1/procedures?status=failed&jurisdiction=xiamen", func(r reply) bool {
			_, ok := ids(r)[id]
			return ok
		})
		// The failure is workflow code (versioned): its history replays.
		raw := auditor.do("GET", "/api/v1/procedures/"+id+"/history", nil).must(t, 200).Raw
		if err := workflows.ReplayJSON(bytes.NewReader(raw)); err != nil {
			t.Fatalf("the failed procedure's history does not replay: %v", err)
		}
		recordHistory(t, "xiamen-failed-permanent", func() []byte { return raw })
	})

	t.Run("decision", func(t *testing.T) {
		id := w.file(t, "conditional").must(t, 201).str("id")
		task := taskFor(t, w.prov, id)["id"].(string)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		h, err := tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: workflows.UpdateDecide,
			WaitForStage: client.WorkflowUpdateStageCompleted, Args: []any{workflows.Decision{TaskID: task, Decision: "reject",
				Reason: "不\x00同意", LegalBasis: "依据", Actor: workflows.Actor{Subject: "bob", Role: api.RoleDepartment, Dept: w.provider, Jurisdiction: "xiamen"}}}})
		if err == nil {
			err = h.Get(ctx, nil)
		}
		var app *temporal.ApplicationError
		if !errors.As(err, &app) || app.Type() != workflows.ErrInvalid || !strings.Contains(app.Message(), "cannot be recorded") {
			t.Fatalf("the poisoned decision answered %v, want an invalid-decision error", err)
		}
		w.prov.do("POST", "/api/v1/tasks/"+task+"/decision", map[string]any{"decision": "approve", "conditions": "仅限审批"}).must(t, 200)
		w.authority.do("POST", "/api/v1/tasks/"+taskFor(t, w.authority, id)["id"].(string)+"/decision", map[string]any{"decision": "approve"}).must(t, 200)
		waitClosed(t, id)
		if st := w.req.do("GET", "/api/v1/share-requests/"+id, nil).must(t, 200).str("status"); st != "granted" {
			t.Fatalf("ended %s, want granted", st)
		}
	})
}
