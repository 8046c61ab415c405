package audit

import (
	"archive/zip"
	"bytes"
	"errors"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/workflows"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/converter"
)

func bj(y int, m time.Month, d, hh int) time.Time {
	return time.Date(y, m, d, hh, 0, 0, 0, holidays.Shanghai)
}

func ptr(t time.Time) *time.Time { return &t }

// A Xiamen request: filed Friday 2026-11-20 10:00, 5 working days, due
// 2026-11-27 (24:00). The provider decides on Tuesday, the authority late.
func xiamenTasks() []models.Task {
	due := bj(2026, 11, 28, 0)
	return []models.Task{
		{ID: "SR.decision.department", Procedure: "share_request", ProcedureID: "SR", Kind: models.TaskDecision, Jurisdiction: "xiamen",
			AssigneeRole: "department", AssigneeDept: "PRV", DueDate: "2026-11-27", DueAt: due, Status: models.TaskDone,
			Decision: "approve", Conditions: "仅限落户", DecidedBy: "bob@PRV", DecidedAt: ptr(bj(2026, 11, 24, 9)), CreatedAt: bj(2026, 11, 20, 10), Article: "第十七条"},
		{ID: "SR.decision.authority", Procedure: "share_request", ProcedureID: "SR", Kind: models.TaskDecision, Jurisdiction: "xiamen",
			AssigneeRole: "authority", DueDate: "2026-11-27", DueAt: due, Status: models.TaskDone, Overdue: true,
			Decision: "reject", Reason: "不符合条件", DecidedBy: "carol(authority)", DecidedAt: ptr(bj(2026, 11, 30, 11)), CreatedAt: bj(2026, 11, 20, 10), Article: "第十七条"},
	}
}

func xiamenEvents() []models.Event {
	at := func(t time.Time) time.Time { return t.UTC() }
	return []models.Event{ // stored out of order on purpose
		{ID: "SR/request/rejected", Kind: "rejected", At: at(bj(2026, 11, 30, 11)), Article: "第十八条"},
		{ID: "SR/SR.decision.authority/task_done", Kind: "task_done", TaskID: "SR.decision.authority", Actor: "carol(authority)", At: at(bj(2026, 11, 30, 11)), Detail: "reject: 不符合条件"},
		{ID: "SR/SR.decision.authority/task_opened", Kind: "task_opened", TaskID: "SR.decision.authority", At: at(bj(2026, 11, 20, 10))},
		{ID: "SR/request/filed", Kind: "filed", Actor: "alice@REQ", At: at(bj(2026, 11, 20, 10)), Article: "第十七条"},
		{ID: "SR/SR.decision.department/task_opened", Kind: "task_opened", TaskID: "SR.decision.department", At: at(bj(2026, 11, 20, 10))},
		{ID: "SR/SR.decision.department/task_done", Kind: "task_done", TaskID: "SR.decision.department", Actor: "bob@PRV", At: at(bj(2026, 11, 24, 9)), Detail: "approve"},
		{ID: "SR/SR.decision.authority/overdue", Kind: "overdue", TaskID: "SR.decision.authority", At: at(bj(2026, 11, 28, 0))},
	}
}

func TestTimelineOrderAndCompliance(t *testing.T) {
	cal := holidays.Default()
	now := bj(2026, 12, 1, 12)
	tl := BuildTimeline(Procedure{ID: "SR", Procedure: "share_request", Jurisdiction: "xiamen"}, xiamenEvents(), xiamenTasks(), cal, now)
	var kinds []string
	for i, e := range tl.Entries {
		if e.Seq != i+1 {
			t.Fatalf("entry %d has seq %d", i, e.Seq)
		}
		kinds = append(kinds, e.Kind)
	}
	want := "filed task_opened task_opened decision overdue decision completion"
	if got := strings.Join(kinds, " "); got != want {
		t.Fatalf("kinds %q, want %q", got, want)
	}
	if e := tl.Entries[0]; e.At.Beijing != "2026-11-20T10:00:00+08:00" || e.At.UTC != "2026-11-20T02:00:00Z" {
		t.Fatalf("filed at %+v", e.At)
	}
	if e := tl.Entries[3]; e.Decision != "approve" || e.Conditions != "仅限落户" || e.Actor != "bob@PRV" {
		t.Fatalf("provider's decision entry %+v", e)
	}
	if e := tl.Entries[5]; e.Decision != "reject" || e.Reason != "不符合条件" {
		t.Fatalf("authority's decision entry %+v", e)
	}
	if tl.Entries[1].DueAt == nil || tl.Entries[1].DueAt.Beijing != "2026-11-28T00:00:00+08:00" {
		t.Fatalf("task opened without its due time: %+v", tl.Entries[1])
	}
	byID := map[string]TaskCompliance{}
	for _, c := range tl.Tasks {
		byID[c.TaskID] = c
	}
	// Mon 23, Tue 24: two working days after the Friday filing.
	if c := byID["SR.decision.department"]; c.WorkingDaysUsed != 2 || c.WorkingDaysAllowed != 5 || c.Late || c.DoneAt == nil {
		t.Fatalf("provider's task %+v", c)
	}
	// Mon 23 .. Fri 27, Mon 30: six working days, late.
	if c := byID["SR.decision.authority"]; c.WorkingDaysUsed != 6 || !c.Late {
		t.Fatalf("authority's task %+v", c)
	}
}

func TestLate(t *testing.T) {
	due := bj(2026, 11, 28, 0)
	open := models.Task{Status: models.TaskOpen, DueAt: due}
	if Late(open, due.Add(-time.Hour)) || !Late(open, due.Add(time.Hour)) {
		t.Fatal("an open task is late only after its due time")
	}
	deemed := models.Task{Status: models.TaskDone, DueAt: due, DecidedAt: ptr(due), Decision: workflows.OutcomeDeemedConsent}
	if Late(deemed, due.Add(time.Hour)) {
		t.Fatal("consent deemed at the due time is not late")
	}
}

func TestDeadlineReport(t *testing.T) {
	cal := holidays.Default()
	now := bj(2026, 12, 10, 12)
	tasks := xiamenTasks()
	due := bj(2026, 11, 28, 0)
	tasks = append(tasks,
		// PRV again: still open and past due; then one decided on time in 4 days.
		models.Task{ID: "B.d", Procedure: "share_request", Kind: models.TaskDecision, Jurisdiction: "xiamen", AssigneeRole: "department", AssigneeDept: "PRV",
			DueAt: due, Status: models.TaskOpen, CreatedAt: bj(2026, 11, 20, 10), Article: "第十七条"},
		models.Task{ID: "C.d", Procedure: "share_request", Kind: models.TaskDecision, Jurisdiction: "xiamen", AssigneeRole: "department", AssigneeDept: "PRV",
			DueAt: due, Status: models.TaskDone, Decision: "approve", DecidedAt: ptr(bj(2026, 11, 26, 9)), CreatedAt: bj(2026, 11, 20, 10), Article: "第十七条"},
		// A supervision task is left out; a deemed consent in Wuhan; an open one not yet due.
		models.Task{ID: "B.s", Procedure: "share_request", Kind: models.TaskSupervision, Jurisdiction: "xiamen", AssigneeRole: "authority", DueAt: due, Status: models.TaskOpen},
		models.Task{ID: "W.d", Procedure: "share_request", Kind: models.TaskDecision, Jurisdiction: "wuhan", AssigneeRole: "department", AssigneeDept: "WRS",
			DueAt: bj(2026, 12, 5, 0), Status: models.TaskDone, Decision: workflows.OutcomeDeemedConsent, DecidedAt: ptr(bj(2026, 12, 5, 0)), CreatedAt: bj(2026, 11, 20, 10)},
		models.Task{ID: "W.e", Procedure: "share_request", Kind: models.TaskDecision, Jurisdiction: "wuhan", AssigneeRole: "department", AssigneeDept: "WRS",
			DueAt: bj(2026, 12, 20, 0), Status: models.TaskOpen, CreatedAt: bj(2026, 12, 8, 10)},
	)
	rows := DeadlineReport(tasks, cal, now)
	got := map[string]DeadlineRow{}
	for _, r := range rows {
		got[r.Department] = r
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3: %+v", len(rows), rows)
	}
	prv := got["PRV"]
	if prv.Filed != 3 || prv.CompletedOnTime != 2 || prv.Late != 0 || prv.StillOverdue != 1 || prv.Deemed != 0 {
		t.Fatalf("PRV %+v", prv)
	}
	if prv.MedianWorkingDaysUsed == nil || *prv.MedianWorkingDaysUsed != 3 { // 2 and 4
		t.Fatalf("PRV median %v, want 3", prv.MedianWorkingDaysUsed)
	}
	auth := got["authority:xiamen"]
	if auth.Filed != 1 || auth.Late != 1 || *auth.MedianWorkingDaysUsed != 6 {
		t.Fatalf("authority %+v", auth)
	}
	w := got["WRS"]
	if w.Filed != 2 || w.Deemed != 1 || w.Open != 1 || w.StillOverdue != 0 || w.Jurisdiction != "wuhan" {
		t.Fatalf("WRS %+v", w)
	}
	if rows[0].Jurisdiction != "wuhan" {
		t.Fatalf("rows not sorted by jurisdiction: %+v", rows)
	}
	var buf bytes.Buffer
	if err := WriteDeadlineCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "jurisdiction,department,procedure,filed") ||
		lines[2] != "xiamen,PRV,share_request,3,2,0,1,0,0,3,第十七条,false" {
		t.Fatalf("CSV:\n%s", buf.String())
	}
	// By month: PRV's three tasks were all opened in November; WRS's in
	// November and December, so two rows.
	monthly := DeadlineReportByMonth(tasks, cal, now)
	months := map[string][]string{}
	for _, r := range monthly {
		months[r.Department] = append(months[r.Department], r.Month)
	}
	if !slices.Equal(months["PRV"], []string{"2026-11"}) || !slices.Equal(months["WRS"], []string{"2026-11", "2026-12"}) {
		t.Fatalf("months %v: %+v", months, monthly)
	}
	buf.Reset()
	if err := WriteDeadlineCSV(&buf, monthly); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(buf.String()), "\n"); !strings.HasSuffix(lines[0], ",statutory,month") || !strings.HasSuffix(lines[1], ",2026-11") {
		t.Fatalf("monthly CSV:\n%s", buf.String())
	}
	// A statutory period and a service level are never mixed in one row.
	mixed := DeadlineReport([]models.Task{
		{ID: "S", Procedure: "share_request", Kind: models.TaskDecision, Jurisdiction: "xiamen", AssigneeRole: "authority", Article: "第十七条", Statutory: true, DueAt: due, Status: models.TaskOpen},
		{ID: "L", Procedure: "share_request", Kind: models.TaskDecision, Jurisdiction: "xiamen", AssigneeRole: "authority", Article: "平台服务时限", DueAt: due, Status: models.TaskOpen},
	}, cal, now)
	if len(mixed) != 2 || mixed[0].Statutory == mixed[1].Statutory {
		t.Fatalf("statutory and service-level lateness in one row: %+v", mixed)
	}
}

func TestListFilterQuery(t *testing.T) {
	cities := []string{"wuhan", "xiamen"}
	f, err := ParseListFilter(url.Values{"jurisdiction": {"xiamen"}, "procedure": {"share_request"}, "status": {"pending"},
		"overdue": {"false"}, "from": {"2026-11-01"}, "to": {"2026-11-30"}}, cities)
	if err != nil {
		t.Fatal(err)
	}
	want := "`Jurisdiction` = 'xiamen' AND `Procedure` = 'share_request' AND `ApprovalStatus` = 'pending' AND " +
		"(`Overdue` = false OR `Overdue` IS NULL) AND StartTime >= '2026-10-31T16:00:00Z' AND StartTime < '2026-11-30T16:00:00Z'"
	if q := f.Query(); q != want {
		t.Fatalf("query\n%s\nwant\n%s", q, want)
	}
	f, err = ParseListFilter(url.Values{"overdue": {"true"}, "from": {"2026-11-01T00:00:00Z"}}, cities)
	if err != nil {
		t.Fatal(err)
	}
	if q := f.Query(); q != "`Procedure` IS NOT NULL AND `Overdue` = true AND StartTime >= '2026-11-01T00:00:00Z'" {
		t.Fatalf("query %s", q)
	}
	f, err = ParseListFilter(url.Values{"dept": {"XM-GA"}}, cities)
	if err != nil {
		t.Fatal(err)
	}
	if q := f.Query(); q != "(`RequesterDept` = 'XM-GA' OR `ProviderDept` = 'XM-GA') AND `Procedure` IS NOT NULL" {
		t.Fatalf("query %s", q)
	}
	for _, bad := range []url.Values{
		{"jurisdiction": {"beijing"}},
		{"dept": {"a' OR 'x"}},
		{"procedure": {"x' OR 1=1 --"}},
		{"status": {"Pending"}},
		{"status": {"a'b"}},
		{"overdue": {"yes"}},
		{"from": {"yesterday"}},
		{"from": {"2026-11-02"}, "to": {"2026-11-01"}},
	} {
		var pe *ParamError
		if _, err := ParseListFilter(bad, cities); !errors.As(err, &pe) {
			t.Errorf("%v: got %v, want a ParamError", bad, err)
		}
	}
}

func TestArchiveVerifies(t *testing.T) {
	now := bj(2026, 11, 23, 12)
	a, err := Archive("SR", "SR", []File{{"history.json", []byte(`{"events":[]}`)}, {"timeline.json", []byte(`{}`)}}, now)
	if err != nil {
		t.Fatal(err)
	}
	files, m, err := Verify(a)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Files) != 2 || string(files["history.json"]) != `{"events":[]}` || m.ProcedureID != "SR" {
		t.Fatalf("manifest %+v", m)
	}
	// A file changed after export fails verification.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, b := range files {
		if name == "history.json" {
			b = []byte(`{"events":[{}]}`)
		}
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Verify(buf.Bytes()); err == nil || !strings.Contains(err.Error(), "history.json") {
		t.Fatalf("a changed file verified: %v", err)
	}
}

func TestProfileOfRecordedHistory(t *testing.T) {
	f, err := os.Open("../workflows/testdata/histories/xiamen-both-approve.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := workflows.ReadHistoryJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ProfileOf(h)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(p, []byte(`"xiamen"`)) || !bytes.Contains(p, []byte("第十七条")) {
		t.Fatalf("profile %.300s", p)
	}
}

// A share request filed with its rules cut from the profile ran under those
// rules: the export shows them, with the profile version's hash.
func TestProfileOfShareRules(t *testing.T) {
	reg, err := regulations.Load("")
	if err != nil {
		t.Fatal(err)
	}
	wuhan, ok := reg.Get("wuhan")
	if !ok {
		t.Fatal("no wuhan profile")
	}
	rules := wuhan.ShareRules()
	in, err := converter.GetDefaultDataConverter().ToPayload(workflows.ShareInput{Rules: &rules})
	if err != nil {
		t.Fatal(err)
	}
	h := &historypb.History{Events: []*historypb.HistoryEvent{{
		EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
		Attributes: &historypb.HistoryEvent_WorkflowExecutionStartedEventAttributes{
			WorkflowExecutionStartedEventAttributes: &historypb.WorkflowExecutionStartedEventAttributes{
				Input: &commonpb.Payloads{Payloads: []*commonpb.Payload{in}}}},
	}}}
	p, err := ProfileOf(h)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(p, []byte(`"wuhan"`)) || !bytes.Contains(p, []byte(`"version":"`+rules.Version+`"`)) {
		t.Fatalf("profile %.300s", p)
	}
}
