package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/api"
	"github.com/cityapprovals/approvals/devserver"
)

// decemberAPI starts a second `approvals api` whose clock for filings is
// fixed at Sunday 2026-12-20 10:00 Beijing time (APPROVALS_TEST_NOW, a
// test-only setting), so that a 10-working-day request reaches 2027, whose
// schedule is not yet published. Timers still run on the real clock: the
// deadline is weeks away. It returns the second API's base URL.
func decemberAPI(t *testing.T) string {
	t.Helper()
	if !sys.postgres {
		t.Skip("needs PostgreSQL: on SQLite the API and the worker share one dev process")
	}
	port, err := devserver.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	p, err := sys.startEnv("api-december", []string{"APPROVALS_TEST_NOW=2026-12-20T10:00:00+08:00", fmt.Sprintf("APPROVALS_ADDR=127.0.0.1:%d", port)}, "api")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.stop)
	eventually(t, 30*time.Second, "the December API is ready", func() bool {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return base
}

// eventually polls cond every 200ms for at most limit.
func eventually(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(limit); ; {
		if cond() {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("not true after %s: %s", limit, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// year2027 is an assumed 2027 schedule (the State Council's is not out).
func year2027() map[string]any {
	return map[string]any{
		"source": "国务院办公厅关于2027年部分节假日安排的通知 (e2e: assumed)",
		"holidays": []map[string]string{
			{"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"},
			{"name": "春节", "from": "2027-02-05", "to": "2027-02-11"},
		},
		"makeup_workdays": []string{"2027-02-14"},
	}
}

// Filed 2026-12-20 with 10 working days: provisional Monday 2027-01-04
// (元旦 01-01 is a statutory holiday in any year, 全国年节及纪念日放假办法第二条;
// the make-up days are unknown). Publishing 2027 with 元旦 01-01..03 confirms
// it and clears provisional, in the request, its task and its timeline.
func TestCalendarYearRetimesRunningProcedure(t *testing.T) {
	december := decemberAPI(t)
	w := newWorld(t, "wuhan")
	req := w.req
	req.base = december
	r := req.do("POST", "/api/v1/share-requests", map[string]any{
		"catalog_item_id": w.items["conditional"], "purpose": "核验申请人户籍", "scenario": "人才落户审批",
		"data_items": []string{"name"},
	}).must(t, 201)
	id := r.str("id")
	if r.str("due_date") != "2027-01-04" || r.Body["provisional"] != true || r.str("warning") == "" {
		t.Fatalf("filed on 2026-12-20: due %s provisional %v warning %q, want a provisional 2027-01-04 (元旦 is never a working day)", r.str("due_date"), r.Body["provisional"], r.str("warning"))
	}

	// Every record says so, not only share requests: a changsha open-data
	// application (10 working days, 第二十四条) filed the same day.
	ow := newOpenWorld(t, "changsha")
	ow.app.base = december
	app := ow.app.do("POST", "/api/v1/open-applications", ow.application(ow.items["conditional"], func(b map[string]any) {
		b["period_of_use"] = map[string]any{"from": "2026-12-21", "to": "2027-06-30"}
	})).must(t, 201).str("id")
	var oa reply
	eventually(t, 30*time.Second, "the open application's decision step is open", func() bool {
		oa = ow.app.do("GET", "/api/v1/open-applications/"+app, nil).must(t, 200)
		return oa.Body["deadline"] != nil
	})
	if dl := oa.Body["deadline"].(map[string]any); oa.Body["provisional"] != true || dl["provisional"] != true || dl["due_date"] != "2027-01-04" ||
		dl["statutory"] != true || !strings.Contains(dl["article"].(string), "第二十四条") || dl["warning"] == "" {
		t.Fatalf("open application filed on 2026-12-20: %s, want a provisional statutory deadline 2027-01-04 citing 第二十四条", oa.Raw)
	}

	// Bad input: refused, naming the field, and nothing changes.
	path := "/api/v1/calendar/years/2027"
	w.prov.do("PUT", path, year2027()).must(t, http.StatusForbidden)
	user{t: t}.do("PUT", path, year2027()).must(t, http.StatusUnauthorized)
	w.admin.do("PUT", "/api/v1/calendar/years/twenty", year2027()).must(t, http.StatusBadRequest)
	bad := year2027()
	bad["holiday"] = bad["holidays"]
	w.admin.do("PUT", path, bad).must(t, http.StatusBadRequest) // unknown field
	for field, mutate := range map[string]func(m map[string]any){
		"source":             func(m map[string]any) { m["source"] = "" },
		"holidays[1].to":     func(m map[string]any) { m["holidays"].([]map[string]string)[1]["to"] = "2028-01-02" },
		"holidays[0].name":   func(m map[string]any) { m["holidays"].([]map[string]string)[0]["name"] = " " },
		"makeup_workdays[1]": func(m map[string]any) { m["makeup_workdays"] = []string{"2027-02-14", "2027-02-06"} },
	} {
		m := year2027()
		mutate(m)
		p := w.admin.do("PUT", path, m).must(t, http.StatusUnprocessableEntity)
		errs, _ := p.Body["errors"].([]any)
		if len(errs) == 0 || errs[0].(map[string]any)["field"] != field {
			t.Errorf("%s: problem %s does not name the field", field, p.Raw)
		}
	}
	for _, y := range w.admin.do("GET", "/api/v1/calendar/years", nil).must(t, 200).items() {
		if y["year"] == float64(2027) {
			t.Fatalf("bad input published 2027: %v", y)
		}
	}
	if got := w.req.do("GET", "/api/v1/share-requests/"+id, nil).must(t, 200); got.str("due_date") != "2027-01-04" || got.Body["provisional"] != true {
		t.Fatalf("bad input changed the deadline: %s provisional %v", got.str("due_date"), got.Body["provisional"])
	}

	pub := w.admin.do("PUT", path, year2027()).must(t, 200)
	if pub.Body["changed"] != true || pub.str("retime_id") == "" || pub.str("published_by") != "admin1" {
		t.Fatalf("publication: %s", pub.Raw)
	}
	var got reply
	eventually(t, 60*time.Second, "the request is re-timed: 2027-01-04, no longer provisional", func() bool {
		got = w.req.do("GET", "/api/v1/share-requests/"+id, nil).must(t, 200)
		return got.str("due_date") == "2027-01-04" && got.Body["provisional"] == false
	})
	if got.Body["provisional"] != false || got.str("due_at") != "2027-01-05T00:00:00+08:00" || got.str("warning") != "" {
		t.Fatalf("after re-timing: %s", got.Raw)
	}
	eventually(t, 60*time.Second, "the open application is re-timed, no longer provisional", func() bool {
		oa = ow.app.do("GET", "/api/v1/open-applications/"+app, nil).must(t, 200)
		dl, _ := oa.Body["deadline"].(map[string]any)
		return oa.Body["provisional"] == false && dl != nil && dl["provisional"] == false && dl["due_date"] == "2027-01-04"
	})
	// Refused, so that it runs no longer (a later re-timing counts the
	// running procedures; an approval runs on with its grant).
	decide(t, ow.prov, openTask(t, ow.prov, "open_application", app), map[string]any{"decision": "reject", "reason": "数据质量不达标", "legal_basis": "《长沙市政务数据资源管理办法》第二十四条"}, 200)
	task := taskFor(t, w.prov, id)
	if task["due_date"] != "2027-01-04" || task["provisional"] != false {
		t.Fatalf("task after re-timing: %v", task)
	}
	var detail string
	for _, ev := range got.Body["events"].([]any) {
		if e := ev.(map[string]any); e["kind"] == "deadline_recomputed" {
			detail = e["detail"].(string)
		}
	}
	if !strings.Contains(detail, "2027-01-04 → 2027-01-04 (24:00 Beijing time); no longer provisional") || !strings.Contains(detail, pub.str("calendar_version")) {
		t.Fatalf("deadline_recomputed event %q: want old and new due dates and the calendar version %s", detail, pub.str("calendar_version"))
	}

	retime := "/api/v1/calendar/retimes/" + pub.str("retime_id")
	w.prov.do("GET", retime, nil).must(t, http.StatusForbidden)
	w.admin.do("GET", "/api/v1/calendar/retimes/"+id, nil).must(t, http.StatusNotFound)
	eventually(t, 30*time.Second, "the re-timing job is done", func() bool {
		p := w.admin.do("GET", retime, nil).must(t, 200)
		return p.Body["done"] == true && p.Body["signalled"].(float64) >= 1
	})
	if p := w.admin.do("GET", retime, nil).must(t, 200); p.Body["percent"] != float64(100) || p.Body["total"].(float64) != p.Body["signalled"].(float64)+p.Body["gone"].(float64) {
		t.Fatalf("a finished re-timing: %s, want 100 percent of signalled + gone", p.Raw)
	}

	// The calendar API counts on the published year; the same PUT again is
	// no new revision.
	d := user{t: t}.do("GET", "/api/v1/calendar/deadline?from=2026-12-20T10:00:00%2B08:00&working_days=10", nil).must(t, 200)
	if d.str("due_date") != "2027-01-04" || d.Body["provisional"] != false || d.str("calendar_version") != pub.str("calendar_version") {
		t.Fatalf("deadline after publication: %s", d.Raw)
	}
	again := w.admin.do("PUT", path, year2027()).must(t, 200)
	if again.Body["revision"] != pub.Body["revision"] || again.Body["changed"] != false {
		t.Fatalf("the same schedule again: %s", again.Raw)
	}
	origins := map[float64]string{}
	anon := user{t: t}
	for _, y := range anon.do("GET", "/api/v1/calendar/years", nil).must(t, 200).items() {
		origins[y["year"].(float64)] = y["origin"].(string)
	}
	if origins[2026] != "shipped" || origins[2027] != "published" {
		t.Fatalf("years: %v", origins)
	}

	w.prov.do("POST", "/api/v1/tasks/"+task["id"].(string)+"/decision", map[string]any{"decision": "approve"}).must(t, 200)
	checkHistory(t, id, "wuhan-retimed")
	checkHistory(t, pub.str("retime_id"), "calendar-retime")
}

// `approvals calendar load` publishes a file's schedule as the next revision,
// and refuses an invalid file naming the field, publishing nothing.
func TestCalendarLoadCommand(t *testing.T) {
	if !sys.postgres {
		t.Skip("needs PostgreSQL: the dev process holds the SQLite database")
	}
	admin := sys.as(t, "admin1", api.RoleAdmin, "", "")
	revision := func() float64 {
		for _, y := range admin.do("GET", "/api/v1/calendar/years", nil).must(t, 200).items() {
			if y["year"] == float64(2028) {
				return y["revision"].(float64)
			}
		}
		return 0
	}
	load := func(body string) (string, error) {
		f := filepath.Join(t.TempDir(), "2028.json")
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(sys.bin, "calendar", "load", "--by", "ops", "--wait", f)
		cmd.Env = sys.env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	before := revision()
	out, err := load(`{"year":2028,"source":"test","holidays":[{"name":"元旦","from":"2028-01-01","to":"2029-01-01"}],"makeup_workdays":[]}`)
	if err == nil || !strings.Contains(out, "holidays[0].to") {
		t.Fatalf("invalid file: err %v, output %s", err, out)
	}
	if revision() != before {
		t.Fatal("an invalid file was published")
	}
	out, err = load(`[{"year":2028,"source":"test","holidays":[{"name":"元旦","from":"2028-01-01","to":"2028-01-03"}],"makeup_workdays":[]}]`)
	if err != nil || !strings.Contains(out, "done:") {
		t.Fatalf("calendar load: %v\n%s", err, out)
	}
	if revision() != before+1 {
		t.Fatalf("revision %v, want %v", revision(), before+1)
	}
}

// A worker that crashes while the re-timing job signals does not lose the
// job: once a worker is back, the page it was signalling is retried (its
// history shows it), every procedure is re-timed, and the job's count is
// exact. (That the retried page resumes from its heartbeat rather than from
// its start is TestRetimePageResumesFromHeartbeat in activities.)
func TestRetimeResumesAfterWorkerCrash(t *testing.T) {
	december := decemberAPI(t)
	w := newWorld(t, "wuhan")
	req := w.req
	req.base = december
	const n = 24
	var ids []string
	for range n {
		r := req.do("POST", "/api/v1/share-requests", map[string]any{
			"catalog_item_id": w.items["conditional"], "purpose": "核验", "scenario": "人才落户审批", "data_items": []string{"name"},
		}).must(t, 201)
		ids = append(ids, r.str("id"))
	}
	// A correction of 2027 that makes Monday 01-04 a holiday too: the
	// deadlines move to Tuesday 2027-01-05, whatever 2027 said before.
	m := year2027()
	m["holidays"] = append(m["holidays"].([]map[string]string), map[string]string{"name": "元旦调整 (e2e)", "from": "2027-01-04", "to": "2027-01-04"})
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	b = append([]byte(`{"year":2027,`), b[1:]...)
	f := filepath.Join(t.TempDir(), "2027.json")
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	// One page of 24 procedures told 2 a second (after the job's 5 s
	// settling time): the worker is killed once the first is re-timed, in the
	// middle of the page.
	cmd := exec.Command(sys.bin, "calendar", "load", "--rate", "2", "--page", "100", f)
	cmd.Env = sys.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("calendar load: %v\n%s", err, out)
	}
	var jobID string
	for _, word := range strings.Fields(string(out)) {
		if strings.HasPrefix(word, "calendar-retime-2027-") {
			jobID = word
		}
	}
	if jobID == "" {
		t.Fatalf("no re-timing ID in %s", out)
	}
	retimed := func(id string) bool {
		return w.req.do("GET", "/api/v1/share-requests/"+id, nil).must(t, 200).str("due_date") == "2027-01-05"
	}
	var killedAt time.Time
	eventually(t, 30*time.Second, "the job has re-timed a first procedure", func() bool {
		return slices.ContainsFunc(ids, retimed)
	})
	killedAt = time.Now()
	sys.worker.kill()
	time.Sleep(time.Second)
	if err := sys.startWorker(); err != nil {
		t.Fatal(err)
	}

	eventually(t, 90*time.Second, "every procedure is re-timed to 2027-01-05", func() bool {
		return !slices.ContainsFunc(ids, func(id string) bool { return !retimed(id) })
	})
	var p reply
	eventually(t, 30*time.Second, "the re-timing job is done", func() bool {
		p = w.admin.do("GET", "/api/v1/calendar/retimes/"+jobID, nil).must(t, 200)
		return p.Body["done"] == true
	})
	if p.Body["signalled"] != float64(n) || p.Body["gone"] != float64(0) {
		t.Fatalf("job counted %v signalled, %v gone; want %d, 0: %s", p.Body["signalled"], p.Body["gone"], n, p.Raw)
	}
	auditor := sys.as(t, "audrey", api.RoleAuditor, "", "")
	hist := auditor.do("GET", "/api/v1/procedures/"+jobID+"/history", nil).must(t, 200)
	retried := false
	for _, ev := range hist.Body["events"].([]any) {
		if a, ok := ev.(map[string]any)["activityTaskStartedEventAttributes"].(map[string]any); ok && a["attempt"].(float64) > 1 {
			retried = true
		}
	}
	if !retried {
		t.Fatalf("no page of the job was retried: the worker was not killed while it signalled (at %s): %s", killedAt.Format(time.RFC3339Nano), hist.Raw)
	}
}

// A catalog import row is held to the bounds POST /catalog/items holds an
// item to: a title longer than a name may be (bounds.MaxName) is refused
// naming items[0].title, and nothing is imported.
func TestCatalogImportChecksBounds(t *testing.T) {
	admin := sys.as(t, "admin1", api.RoleAdmin, "", "")
	w := newWorld(t, "wuhan")
	id := uniq("IMP")
	r := admin.do("POST", "/api/v1/catalog/import", []any{map[string]any{"id": id, "jurisdiction": "wuhan", "provider_dept": w.provider,
		"title": strings.Repeat("人口", 150), "share_type": "unconditional", "legal_basis": "《数据安全法》", "open_type": "not_open", "data_items": []string{"name"}}}).must(t, 422)
	if f := fieldOf(r); f != "items[0].title" {
		t.Fatalf("the import's refusal names %q: %s", f, r.Raw)
	}
	admin.do("GET", "/api/v1/catalog/items/"+id, nil).must(t, 404)
}
