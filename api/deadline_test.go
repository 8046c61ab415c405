package api

import (
	"testing"
	"time"

	"github.com/cityapprovals/approvals/models"
)

// A record's deadline is its open step's: the decision task's period (not a
// supervision opened beside it), provisional if any open task is; closed
// tasks do not count.
func TestOpenDeadline(t *testing.T) {
	at := func(d string) time.Time { t, _ := time.Parse(time.DateOnly, d); return t }
	tasks := []models.Task{
		{ID: "a", Kind: models.TaskDecision, Status: models.TaskDone, DueDate: "2026-01-05", DueAt: at("2026-01-06"), Statutory: true, Article: "old"},
		{ID: "b", Kind: models.TaskSupervision, Status: models.TaskOpen, DueDate: "2026-01-07", DueAt: at("2026-01-08"), Article: "第二十八条"},
		{ID: "c", Kind: models.TaskDecision, Status: models.TaskOpen, DueDate: "2027-01-04", DueAt: at("2027-01-05"), Statutory: true, Provisional: true, Article: "第十七条"},
	}
	d := openDeadline(tasks)
	if d == nil || d.DueDate != "2027-01-04" || !d.Statutory || d.Article != "第十七条" || !d.Provisional || d.Warning == "" {
		t.Fatalf("deadline %+v, want the open decision's, provisional", d)
	}
	tasks[2].Status = models.TaskDone
	if d := openDeadline(tasks); d == nil || d.Statutory || d.Article != "第二十八条" || d.Provisional {
		t.Fatalf("deadline %+v, want the open supervision's, a service level, not provisional", d)
	}
	tasks[1].Status = models.TaskDone
	if d := openDeadline(tasks); d != nil {
		t.Fatalf("deadline %+v with no open task", d)
	}
	dp := models.Dispute{Header: models.Header{ID: "dp-1"}, Levels: []models.DisputeLevel{{Level: "authority_coordination"}, {Level: "government_ruling"}}}
	levelStatutory(&dp, []models.Task{{ID: "dp-1.level-2-government_ruling.government", Kind: models.TaskDecision, Statutory: true}})
	if dp.Levels[0].Statutory || !dp.Levels[1].Statutory {
		t.Fatalf("levels %+v, want the second statutory from its task", dp.Levels)
	}
}

// A view reads the open step's deadline from the record's header while the
// header shows that step, and from the tasks when it does not: no step
// open, a record without a header, or another article written over it.
func TestDeadlineFromHeader(t *testing.T) {
	due := time.Date(2027, 1, 4, 16, 0, 0, 0, time.UTC) // 24:00 Beijing time
	tasks := []models.Task{
		{ID: "c", Kind: models.TaskDecision, Status: models.TaskOpen, DueDate: "2027-01-04", DueAt: due.Add(-time.Hour), Statutory: true, Article: "第十七条"},
		{ID: "s", Kind: models.TaskSupervision, Status: models.TaskOpen, DueDate: "2027-01-06", DueAt: due, Provisional: true, Article: "第二十八条"},
	}
	h := models.Header{ID: "sr-1", Article: "第十七条", Statutory: true, DueDate: "2027-01-04", DueAt: &due}
	if d := deadlineOf(h, tasks); d == nil || d.DueAt != beijing(due) || !d.Provisional || d.Warning == "" {
		t.Fatalf("deadline %+v, want the header's due time, provisional by the open supervision", d)
	}
	for name, h := range map[string]models.Header{
		"no header":       {ID: "sr-1"},
		"another article": {ID: "sr-1", Article: "第二十条", Statutory: true, DueDate: "2027-01-04", DueAt: &due},
		"another step":    {ID: "sr-1", Article: "第十七条", Statutory: true, DueDate: "2026-12-01", DueAt: &due},
	} {
		if d := deadlineOf(h, tasks); d == nil || d.DueAt != beijing(due.Add(-time.Hour)) {
			t.Errorf("%s: deadline %+v, want the open decision task's", name, d)
		}
	}
	tasks[0].Status, tasks[1].Status = models.TaskDone, models.TaskDone
	if d := deadlineOf(h, tasks); d != nil {
		t.Fatalf("deadline %+v with no open step, from a header showing a closed one", d)
	}
}
