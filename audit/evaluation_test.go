package audit

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
)

// A leshan department's 2026: share requests answered on time, late, by
// silence and one still open past its due time (flagged overdue and
// supervised); a catalog update obligation fulfilled late; an objection
// handled on time; a department that received nothing still has its row.
func TestEvaluation(t *testing.T) {
	cal := holidays.Default()
	now := bj(2026, 12, 10, 12)
	task := func(id, proc, kind, status string, created, due, decided int, decision string, overdue bool) models.Task {
		t := models.Task{ID: id, Procedure: proc, ProcedureID: strings.Split(id, ".")[0], Kind: kind, Jurisdiction: "leshan",
			AssigneeRole: "department", AssigneeDept: "PRV", Status: status, Decision: decision, Overdue: overdue,
			CreatedAt: bj(2026, 3, created, 10), DueAt: bj(2026, 3, due, 0), Article: "第十七条", Statutory: true}
		if decided > 0 {
			t.DecidedAt = ptr(bj(2026, 3, decided, 10))
		}
		return t
	}
	tasks := []models.Task{
		task("A.decision.provider", "share_request", models.TaskDecision, models.TaskDone, 2, 14, 5, "approve", false),
		task("B.decision.provider", "share_request", models.TaskDecision, models.TaskDone, 2, 14, 20, "reject", true),
		task("C.decision.provider", "share_request", models.TaskDecision, models.TaskDone, 2, 14, 14, workflows.OutcomeDeemedConsent, false),
		task("D.decision.provider", "share_request", models.TaskDecision, models.TaskOpen, 2, 14, 0, "", true),
		task("E.update.department", "catalog_update", models.TaskObligation, models.TaskDone, 2, 14, 16, "updated", true),
		task("F.handling.provider", "objection", models.TaskDecision, models.TaskDone, 2, 14, 3, "corrected", false),
	}
	tasks[5].CreatedAt, tasks[5].DueAt, tasks[5].DecidedAt = bj(2026, 7, 1, 10), bj(2026, 7, 10, 0), ptr(bj(2026, 7, 3, 10))
	tasks[4].Article = "第十条"
	// G: decided on time in a step whose other decider (the authority) was
	// late and supervised: not the department's lateness.
	tasks = append(tasks, task("G.decision.provider", "share_request", models.TaskDecision, models.TaskDone, 2, 14, 4, "approve", false))
	sup := []models.Task{{ID: "D.decision.supervision", Kind: models.TaskSupervision}, {ID: "B.decision.supervision", Kind: models.TaskSupervision},
		{ID: "G.decision.supervision", Kind: models.TaskSupervision}}
	rows := Evaluation(EvaluationInput{Jurisdiction: "leshan", Year: 2026, Departments: []string{"PRV", "IDLE"}, Tasks: tasks,
		Supervisions: sup, OverdueArticle: "第三十九条"}, cal, now)
	if len(rows) != 2 || rows[0].Department != "IDLE" || rows[1].Department != "PRV" {
		t.Fatalf("rows %+v", rows)
	}
	idle, prv := rows[0], rows[1]
	if idle.ShareRequests.Filed != 0 || len(idle.Months) != 12 || idle.ShareRequests.Articles == nil || idle.Procedures == nil {
		t.Fatalf("IDLE %+v", idle)
	}
	if s := prv.ShareRequests; s.Filed != 5 || s.CompletedOnTime != 2 || s.Late != 1 || s.Deemed != 1 || s.StillOverdue != 1 ||
		len(s.Articles) != 1 || s.Articles[0] != "第十七条" {
		t.Fatalf("share requests %+v", s)
	}
	if c := prv.CatalogUpdates; c.Filed != 1 || c.Late != 1 || c.Articles[0] != "第十条" {
		t.Fatalf("catalog updates %+v", c)
	}
	if o := prv.Objections; o.Filed != 1 || o.CompletedOnTime != 1 {
		t.Fatalf("objections %+v", o)
	}
	if prv.Overdue != 3 || prv.Supervised != 2 || prv.OverdueArticle != "第三十九条" || len(prv.Procedures) != 3 {
		t.Fatalf("PRV %+v", prv)
	}
	mar, jul := prv.Months[2], prv.Months[6]
	if mar.Month != 3 || mar.Filed != 6 || mar.OnTime != 2 || mar.Late != 3 || mar.Deemed != 1 || mar.Overdue != 3 || mar.Supervised != 2 {
		t.Fatalf("March %+v", mar)
	}
	if jul.Filed != 1 || jul.OnTime != 1 || prv.Months[0].Filed != 0 {
		t.Fatalf("July %+v, January %+v", jul, prv.Months[0])
	}
	var buf bytes.Buffer
	if err := WriteEvaluationCSV(&buf, rows, "第三十八条"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "jurisdiction,department,year,share_requests_filed") ||
		lines[2] != "leshan,PRV,2026,5,2,1,1,1,0,第十七条,1,0,1,0,0,0,第十条,1,1,0,0,0,0,第十七条,3,2,第三十九条,第三十八条" {
		t.Fatalf("CSV:\n%s", buf.String())
	}
}
