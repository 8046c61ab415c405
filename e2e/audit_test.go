package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/api"
	"github.com/cityapprovals/approvals/audit"
	"github.com/cityapprovals/approvals/codec"
	"github.com/cityapprovals/approvals/devserver"
	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/workflows"
	"google.golang.org/protobuf/proto"
)

// decided runs a Xiamen request to its grant (provider with conditions,
// then the authority) and leaves a second one pending; it returns both IDs.
func decided(t *testing.T, w world) (granted, pending string) {
	t.Helper()
	granted = w.file(t, "conditional").must(t, 201).str("id")
	pending = w.file(t, "conditional").must(t, 201).str("id")
	w.prov.do("POST", "/api/v1/tasks/"+taskFor(t, w.prov, granted)["id"].(string)+"/decision",
		map[string]any{"decision": "approve", "conditions": "仅限人才落户审批"}).must(t, 200)
	w.authority.do("POST", "/api/v1/tasks/"+taskFor(t, w.authority, granted)["id"].(string)+"/decision",
		map[string]any{"decision": "approve"}).must(t, 200)
	waitClosed(t, granted)
	return granted, pending
}

func parseStamp(t *testing.T, v any) time.Time {
	t.Helper()
	m := v.(map[string]any)
	u, err := time.Parse(time.RFC3339Nano, m["utc"].(string))
	if err != nil {
		t.Fatal(err)
	}
	b, err := time.Parse(time.RFC3339Nano, m["beijing"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if !u.Equal(b) || !strings.HasSuffix(m["beijing"].(string), "+08:00") || !strings.HasSuffix(m["utc"].(string), "Z") {
		t.Fatalf("stamp %v: UTC and Beijing differ or are not labelled", m)
	}
	return u
}

func TestAuditTimeline(t *testing.T) {
	w := newWorld(t, "xiamen")
	id, pending := decided(t, w)
	auditor := sys.as(t, "audrey", api.RoleAuditor, "", "")
	tl := auditor.do("GET", "/api/v1/procedures/"+id+"/timeline", nil).must(t, 200)
	if tl.str("procedure") != workflows.ProcedureShare || tl.str("jurisdiction") != "xiamen" || tl.str("status") != "granted" {
		t.Fatalf("timeline header: %.400s", tl.Raw)
	}
	var kinds []string
	var last time.Time
	for _, raw := range tl.Body["entries"].([]any) {
		e := raw.(map[string]any)
		at := parseStamp(t, e["at"])
		if at.Before(last) {
			t.Fatalf("entries out of order at %v: %s", e, tl.Raw)
		}
		last = at
		kinds = append(kinds, e["kind"].(string))
		switch e["kind"] {
		case audit.EntryTaskOpened:
			if !strings.Contains(e["article"].(string), "第十七条") || e["due_at"] == nil {
				t.Fatalf("opened task without its article and due time: %v", e)
			}
		case audit.EntryDecision:
			if e["actor"] == "" || e["decision"] != "approve" {
				t.Fatalf("decision without who and what: %v", e)
			}
		}
	}
	want := "filed task_opened task_opened decision decision completion"
	if got := strings.Join(kinds, " "); got != want {
		t.Fatalf("timeline kinds %q, want %q", got, want)
	}
	conds := false
	for _, raw := range tl.Body["entries"].([]any) {
		if raw.(map[string]any)["conditions"] == "仅限人才落户审批" {
			conds = true
		}
	}
	if !conds {
		t.Fatalf("the provider's conditions are not in the timeline: %s", tl.Raw)
	}
	tasks := tl.Body["tasks"].([]any)
	if len(tasks) != 2 {
		t.Fatalf("%d tasks, want 2", len(tasks))
	}
	for _, raw := range tasks {
		c := raw.(map[string]any)
		opened, due := parseStamp(t, c["opened_at"]), parseStamp(t, c["due_at"])
		done := parseStamp(t, c["done_at"])
		if c["late"] != false || c["status"] != "done" || c["working_days_allowed"] != float64(5) {
			t.Fatalf("task compliance %v", c)
		}
		if want := holidays.Default().WorkingDaysUsed(opened, done); c["working_days_used"] != float64(want) {
			t.Fatalf("working days used %v, want %d", c["working_days_used"], want)
		}
		if d, _ := holidays.Default().AddWorkingDays(opened, 5); !d.DueAt.Equal(due) || c["due_date"] != d.DueDate {
			t.Fatalf("due %v %v, want %s", c["due_date"], due, d.DueDate)
		}
	}

	// The parties see their own; the pending one shows open tasks, not late.
	p := w.req.do("GET", "/api/v1/procedures/"+pending+"/timeline", nil).must(t, 200)
	for _, raw := range p.Body["tasks"].([]any) {
		if c := raw.(map[string]any); c["status"] != "open" || c["late"] != false || c["done_at"] != nil {
			t.Fatalf("pending task %v", c)
		}
	}
	w.prov.do("GET", "/api/v1/procedures/"+id+"/timeline", nil).must(t, 200)
	sys.as(t, "mallory", api.RoleDepartment, uniq("OTHER"), "xiamen").do("GET", "/api/v1/procedures/"+id+"/timeline", nil).must(t, 404)
	sys.as(t, "zhang", api.RoleApplicant, "", "xiamen").do("GET", "/api/v1/procedures/"+id+"/timeline", nil).must(t, 403)
	auditor.do("GET", "/api/v1/procedures/nope/timeline", nil).must(t, 404)
}

func TestAuditDeadlineReport(t *testing.T) {
	w := newWorld(t, "xiamen")
	decided(t, w)
	auditor := sys.as(t, "audrey", api.RoleAuditor, "", "")
	today := time.Now().In(holidays.Shanghai).Format(time.DateOnly)
	path := "/api/v1/reports/deadlines?jurisdiction=xiamen&from=" + today + "&to=" + today
	r := auditor.do("GET", path, nil).must(t, 200)
	var row map[string]any
	for _, raw := range r.Body["rows"].([]any) {
		if m := raw.(map[string]any); m["department"] == w.provider {
			row = m
		}
	}
	if row == nil {
		t.Fatalf("no row for %s: %s", w.provider, r.Raw)
	}
	want := map[string]any{"procedure": "share_request", "filed": 2.0, "completed_on_time": 1.0, "late": 0.0,
		"still_overdue": 0.0, "deemed_outcomes": 0.0, "open": 1.0, "median_working_days_used": 0.0, "statutory": true}
	for k, v := range want {
		if row[k] != v {
			t.Errorf("%s = %v, want %v (row %v)", k, row[k], v, row)
		}
	}
	for _, c := range []reply{
		auditor.do("GET", path+"&format=csv", nil).must(t, 200),
		auditor.do("GET", path, nil, "Accept", "text/csv").must(t, 200),
	} {
		if !strings.HasPrefix(c.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("CSV answered as %s", c.Header.Get("Content-Type"))
		}
		recs, err := csv.NewReader(bytes.NewReader(c.Raw)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, rec := range recs[1:] {
			if rec[1] == w.provider {
				found = true
				if strings.Join(rec[:10], ",") != "xiamen,"+w.provider+",share_request,2,1,0,0,0,1,0" ||
					!strings.Contains(rec[10], "第十七条") || rec[11] != "true" {
					t.Fatalf("CSV row %v", rec)
				}
			}
		}
		if !found || recs[0][0] != "jurisdiction" {
			t.Fatalf("CSV without the provider's row: %s", c.Raw)
		}
	}
	// Nothing from another city or another time.
	other := auditor.do("GET", "/api/v1/reports/deadlines?jurisdiction=wuhan&from="+today, nil).must(t, 200)
	if strings.Contains(string(other.Raw), w.provider) {
		t.Fatal("a Xiamen department in Wuhan's report")
	}
	// By month: the provider's row of this month.
	month := auditor.do("GET", path+"&group=month", nil).must(t, 200)
	found := false
	for _, raw := range month.Body["rows"].([]any) {
		if m := raw.(map[string]any); m["department"] == w.provider {
			found = true
			if m["month"] != today[:7] || m["filed"] != row["filed"] {
				t.Fatalf("monthly row %v, want month %s and the report's %v filed", m, today[:7], row["filed"])
			}
		}
	}
	if !found {
		t.Fatalf("no monthly row of %s: %s", w.provider, month.Raw)
	}
	for _, bad := range []string{"?jurisdiction=atlantis", "?from=yesterday", "?format=xml", "?status=pending", "?from=2026-02-01&to=2026-01-01", "?group=week"} {
		auditor.do("GET", "/api/v1/reports/deadlines"+bad, nil).must(t, 400)
	}
	w.prov.do("GET", "/api/v1/reports/deadlines", nil).must(t, 403)
}

func TestAuditExport(t *testing.T) {
	w := newWorld(t, "xiamen")
	id, _ := decided(t, w)
	auditor := sys.as(t, "audrey", api.RoleAuditor, "", "")
	r := auditor.do("GET", "/api/v1/procedures/"+id+"/export", nil).must(t, 200)
	if r.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("export answered as %s", r.Header.Get("Content-Type"))
	}
	files, m, err := audit.Verify(r.Raw) // every file against its SHA-256 in the manifest
	if err != nil {
		t.Fatal(err)
	}
	if m.ProcedureID != id || len(m.Files) != 4 { // history, timeline, profile, events
		t.Fatalf("manifest %+v", m)
	}
	if err := workflows.ReplayJSON(bytes.NewReader(files["history.json"])); err != nil {
		t.Fatalf("exported history does not replay: %v", err)
	}
	var tl audit.Timeline
	if err := json.Unmarshal(files["timeline.json"], &tl); err != nil || tl.ID != id || len(tl.Entries) != 6 {
		t.Fatalf("exported timeline (%v): %.300s", err, files["timeline.json"])
	}
	var profile struct {
		City         string `json:"city"`
		ShareRequest struct {
			Decision struct {
				WorkingDays int    `json:"working_days"`
				Article     string `json:"article"`
			} `json:"decision"`
		} `json:"share_request"`
	}
	if err := json.Unmarshal(files["profile.json"], &profile); err != nil {
		t.Fatal(err)
	}
	if d := profile.ShareRequest.Decision; profile.City != "xiamen" || d.WorkingDays != 5 || !strings.Contains(d.Article, "第十七条") {
		t.Fatalf("profile snapshot: %.400s", files["profile.json"])
	}
	// history?format=json is the same history.
	h := auditor.do("GET", "/api/v1/procedures/"+id+"/history?format=json", nil).must(t, 200)
	if h.str("source") != "temporal" || h.Header.Get("X-History-Source") != "temporal" || m.Source != "temporal" {
		t.Fatalf("source: history %q (header %q), manifest %q; want temporal", h.str("source"), h.Header.Get("X-History-Source"), m.Source)
	}
	exported, err := workflows.ReadHistoryJSON(bytes.NewReader(files["history.json"]))
	if err != nil {
		t.Fatal(err)
	}
	// It is the history `temporal workflow show -o json` gives, event for
	// event, once decrypted (Temporal holds the payloads encrypted).
	cli, err := devserver.FindBinary()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(cli, "workflow", "show", "--address", sys.temporal.Address, "--namespace", namespace, "-w", id, "-o", "json").Output()
	if err != nil {
		t.Fatalf("temporal workflow show: %v", err)
	}
	fromCLI, err := workflows.ReadHistoryJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("temporal workflow show output: %v", err)
	}
	if err := codec.DecodeHistory(context.Background(), sys.codec, fromCLI); err != nil {
		t.Fatal(err)
	}
	fromAPI, err := workflows.ReadHistoryJSON(bytes.NewReader(h.Raw))
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(fromCLI, fromAPI) {
		t.Fatal("the API's history differs from temporal workflow show's")
	}
	if !proto.Equal(exported, fromAPI) {
		t.Fatal("the exported history differs from GET history?format=json")
	}
	// POST /audit/verify checks it as approvals verify does; a changed file
	// is named; a body that is no zip is a 422 naming archive.
	zipped := []string{"Content-Type", "application/zip"}
	v := auditor.do("POST", "/api/v1/audit/verify", r.Raw, zipped...).must(t, 200)
	if v.Body["verified"] != true || v.str("procedure_id") != id || len(v.Body["checks"].([]any)) != 6 { // signature, 4 files, chain
		t.Fatalf("verify: %s", v.Raw)
	}
	changed := rezip(t, r.Raw, "timeline.json", func(b []byte) []byte { return bytes.Replace(b, []byte(id), []byte(id+"X"), 1) })
	v = auditor.do("POST", "/api/v1/audit/verify", changed, zipped...).must(t, 200)
	if v.Body["verified"] != false || v.str("failed") != "timeline.json" {
		t.Fatalf("verify of a changed timeline: %s", v.Raw)
	}
	if p := auditor.do("POST", "/api/v1/audit/verify", []byte("not a zip"), zipped...).must(t, 422); !strings.Contains(string(p.Raw), `"field":"archive"`) {
		t.Fatalf("verify of no zip: %s", p.Raw)
	}
	w.req.do("POST", "/api/v1/audit/verify", r.Raw, zipped...).must(t, 403)
	auditor.do("GET", "/api/v1/procedures/"+id+"/history?format=xml", nil).must(t, 400)
	w.req.do("GET", "/api/v1/procedures/"+id+"/export", nil).must(t, 403)
	auditor.do("GET", "/api/v1/procedures/nope/export", nil).must(t, 404)
}

// tamper renames the first OpenTask activity in a JSON history, as an edited
// history (or a changed workflow) would.
func tamper(t *testing.T, raw []byte) []byte {
	t.Helper()
	var doc struct {
		Events []map[string]any `json:"events"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	done := func() []byte {
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, e := range doc.Events {
		if a, ok := e["activityTaskScheduledEventAttributes"].(map[string]any); ok {
			if typ := a["activityType"].(map[string]any); typ["name"] == "OpenTask" {
				typ["name"] = "OpenTaskRenamed"
				return done()
			}
		}
		// Since local activities (workflows.execute) OpenTask is a marker
		// whose data names it.
		if m, ok := e["markerRecordedEventAttributes"].(map[string]any); ok && m["markerName"] == "LocalActivity" {
			p := m["details"].(map[string]any)["data"].(map[string]any)["payloads"].([]any)[0].(map[string]any)
			raw, err := base64.StdEncoding.DecodeString(p["data"].(string))
			if err != nil {
				t.Fatal(err)
			}
			var data map[string]any
			if err := json.Unmarshal(raw, &data); err != nil {
				t.Fatalf("local activity marker data (decrypted?): %v", err)
			}
			if data["ActivityType"] == "OpenTask" {
				data["ActivityType"] = "OpenTaskRenamed"
				raw, err := json.Marshal(data)
				if err != nil {
					t.Fatal(err)
				}
				p["data"] = base64.StdEncoding.EncodeToString(raw)
				return done()
			}
		}
	}
	t.Fatal("no OpenTask activity in the history")
	return nil
}

func TestAuditReplay(t *testing.T) {
	w := newWorld(t, "xiamen")
	id, pending := decided(t, w)
	auditor := sys.as(t, "audrey", api.RoleAuditor, "", "")
	for _, p := range []string{id, pending} {
		r := auditor.do("POST", "/api/v1/audit/replay", map[string]any{"procedure_id": p}).must(t, 200)
		if r.str("result") != "consistent" {
			t.Fatalf("replay of %s: %s", p, r.Raw)
		}
	}
	hist := auditor.do("GET", "/api/v1/procedures/"+id+"/history", nil).must(t, 200).Raw
	if r := auditor.do("POST", "/api/v1/audit/replay", hist).must(t, 200); r.str("result") != "consistent" {
		t.Fatalf("uploaded history: %s", r.Raw)
	}
	r := auditor.do("POST", "/api/v1/audit/replay", tamper(t, hist)).must(t, 200)
	if r.str("result") != "divergent" || !strings.Contains(r.str("error"), "OpenTaskRenamed") || r.Body["event_id"] == nil {
		t.Fatalf("tampered history: %s", r.Raw)
	}
	auditor.do("POST", "/api/v1/audit/replay", []byte(`{"events": [`)).must(t, 400)
	auditor.do("POST", "/api/v1/audit/replay", []byte(`{"events": []}`)).must(t, 422)
	auditor.do("POST", "/api/v1/audit/replay", []byte(`{"what": 1}`)).must(t, 422)
	auditor.do("POST", "/api/v1/audit/replay", map[string]any{"procedure_id": 7}).must(t, 422)
	auditor.do("POST", "/api/v1/audit/replay", map[string]any{"procedure_id": "nope"}).must(t, 404)
	big := append([]byte(`{"events":[],"pad":"`), bytes.Repeat([]byte("x"), 2<<20)...)
	auditor.do("POST", "/api/v1/audit/replay", append(big, `"}`...)).must(t, 413)
	w.prov.do("POST", "/api/v1/audit/replay", map[string]any{"procedure_id": id}).must(t, 403)
	// Nothing changed: the granted request is as it was.
	if st := w.req.do("GET", "/api/v1/share-requests/"+id, nil).must(t, 200).str("status"); st != "granted" {
		t.Fatalf("status %q after replays", st)
	}
}

func TestReplayCommand(t *testing.T) {
	run := func(args ...string) (string, int) {
		cmd := exec.Command(sys.bin, append([]string{"replay"}, args...)...)
		cmd.Env = sys.env
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return string(out), ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), 0
	}
	recorded := filepath.Join("..", "workflows", "testdata", "histories", "weifang-refused.json")
	if out, code := run("--history", recorded); code != 0 || !strings.HasPrefix(out, "consistent") {
		t.Fatalf("recorded history: exit %d: %s", code, out)
	}
	raw, err := os.ReadFile(recorded)
	if err != nil {
		t.Fatal(err)
	}
	tampered := filepath.Join(t.TempDir(), "tampered.json")
	if err := os.WriteFile(tampered, tamper(t, raw), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, code := run("--history", tampered); code != 1 || !strings.HasPrefix(out, "divergent") || !strings.Contains(out, "OpenTaskRenamed") {
		t.Fatalf("tampered history: exit %d: %s", code, out)
	}
	w := newWorld(t, "wuhan")
	id := w.file(t, "unconditional").must(t, 201).str("id")
	waitClosed(t, id)
	if out, code := run("--workflow-id", id); code != 0 || !strings.HasPrefix(out, "consistent") {
		t.Fatalf("--workflow-id: exit %d: %s", code, out)
	}
	if _, code := run(); code == 0 {
		t.Fatal("replay without a history exited 0")
	}
}

// eventuallyListed polls a visibility-backed list: Temporal visibility is
// eventually consistent and offers nothing to wait on, so a bounded poll is the
// only honest wait.
func eventuallyListed(t *testing.T, u user, path string, ok func(reply) bool) reply {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		r := u.do("GET", path, nil).must(t, 200)
		if ok(r) {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s never satisfied the test: %.600s", path, r.Raw)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func ids(r reply) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, it := range r.items() {
		out[it["id"].(string)] = it
	}
	return out
}

func TestAuditListProcedures(t *testing.T) {
	w := newWorld(t, "xiamen")
	granted, pending := decided(t, w)
	auditor := sys.as(t, "audrey", api.RoleAuditor, "", "")
	today := time.Now().In(holidays.Shanghai).Format(time.DateOnly)
	q := url.Values{"jurisdiction": {"xiamen"}, "procedure": {"share_request"}, "from": {today}, "page_size": {"500"}}
	r := eventuallyListed(t, auditor, "/api/v1/procedures?"+q.Encode(), func(r reply) bool {
		got := ids(r)
		return got[granted]["approval_status"] == "granted" && got[pending] != nil
	})
	g := ids(r)[granted]
	if g["execution_status"] != "Completed" || g["provider_dept"] != w.provider || g["overdue"] != false {
		t.Fatalf("granted procedure listed as %v", g)
	}
	q.Set("status", "pending")
	q.Set("overdue", "false")
	got := ids(eventuallyListed(t, auditor, "/api/v1/procedures?"+q.Encode(), func(r reply) bool { return ids(r)[pending] != nil }))
	if got[granted] != nil {
		t.Fatal("status=pending lists a granted procedure")
	}
	if p := got[pending]; p["due_at"] == "" || p["execution_status"] != "Running" {
		t.Fatalf("pending procedure listed as %v", p)
	}
	q.Set("overdue", "true")
	if n := len(auditor.do("GET", "/api/v1/procedures?"+q.Encode(), nil).must(t, 200).items()); n != 0 {
		t.Fatalf("overdue=true lists %d fresh procedures", n)
	}
	// Pages follow Temporal's page token.
	q = url.Values{"jurisdiction": {"xiamen"}, "from": {today}, "page_size": {"1"}}
	first := auditor.do("GET", "/api/v1/procedures?"+q.Encode(), nil).must(t, 200)
	if len(first.items()) != 1 || first.str("next_page_token") == "" {
		t.Fatalf("first page: %s", first.Raw)
	}
	q.Set("page_token", first.str("next_page_token"))
	second := auditor.do("GET", "/api/v1/procedures?"+q.Encode(), nil).must(t, 200)
	if len(second.items()) != 1 || second.items()[0]["id"] == first.items()[0]["id"] {
		t.Fatalf("second page: %s", second.Raw)
	}
	// dept: procedures the department filed or that were filed with it.
	q = url.Values{"jurisdiction": {"xiamen"}, "from": {today}, "dept": {w.requester}, "page_size": {"500"}}
	byDept := ids(eventuallyListed(t, auditor, "/api/v1/procedures?"+q.Encode(), func(r reply) bool { return ids(r)[granted] != nil && ids(r)[pending] != nil }))
	for id, p := range byDept {
		if p["requester_dept"] != w.requester && p["provider_dept"] != w.requester {
			t.Fatalf("dept=%s lists %s of %v and %v", w.requester, id, p["requester_dept"], p["provider_dept"])
		}
	}
	q.Set("dept", uniq("NOBODY"))
	if n := len(auditor.do("GET", "/api/v1/procedures?"+q.Encode(), nil).must(t, 200).items()); n != 0 {
		t.Fatalf("a department with no procedure lists %d", n)
	}
	for _, bad := range []string{"status=x'%20OR%20'1'='1", "overdue=maybe", "jurisdiction=atlantis", "from=soon", "page_size=0", "page_token=%21%21", "dept=a'b"} {
		auditor.do("GET", "/api/v1/procedures?"+bad, nil).must(t, 400)
	}
	w.req.do("GET", "/api/v1/procedures", nil).must(t, 403)
}

// Wuhan's provider decides alone within 10 working days; its history is one
// of the recorded ones (wuhan-approved) that CI replays.
func TestWuhanApprovedTimeline(t *testing.T) {
	w := newWorld(t, "wuhan")
	id := w.file(t, "conditional").must(t, 201).str("id")
	w.prov.do("POST", "/api/v1/tasks/"+taskFor(t, w.prov, id)["id"].(string)+"/decision", map[string]any{"decision": "approve"}).must(t, 200)
	checkHistory(t, id, "wuhan-approved")
	tl := w.authority.do("GET", "/api/v1/procedures/"+id+"/timeline", nil).must(t, 200)
	var kinds []string
	for _, raw := range tl.Body["entries"].([]any) {
		kinds = append(kinds, raw.(map[string]any)["kind"].(string))
	}
	if got := strings.Join(kinds, " "); got != "filed task_opened decision completion" {
		t.Fatalf("timeline kinds %q: %s", got, tl.Raw)
	}
	tasks := tl.Body["tasks"].([]any)
	if c := tasks[0].(map[string]any); len(tasks) != 1 || c["working_days_allowed"] != 10.0 || c["late"] != false || c["assignee"] != w.provider {
		t.Fatalf("tasks %v", tasks)
	}
}
