package api

import (
	"fmt"
	"strings"

	"github.com/cityapprovals/approvals/models"
)

// stepDeadline is the deadline of a procedure's open step, as every
// procedure's view shows it (deadlineOf).
type stepDeadline struct {
	DueDate string `json:"due_date"`
	DueAt   string `json:"due_at"`
	// Provisional: the deadline counts through a year whose holiday
	// schedule is not yet published (it is recomputed when it is).
	Provisional bool `json:"provisional"`
	// Statutory is true where the text sets the period, false for a
	// service level or a platform rule.
	Statutory bool   `json:"statutory"`
	Article   string `json:"article"`
	Warning   string `json:"warning,omitempty"`
}

// deadlineOf is the deadline of the open step. The record's header holds it
// as the inbox wrote it (activities.writeHeader) when the step opened, was
// re-timed or went overdue, and it is read from there while the header shows
// the open step: the one the open tasks name (openDeadline), at the same due
// date, article and statutory. Otherwise — no task open, a record filed
// before it had a header, a later decision's article written over it, or
// parallel steps the header shows the other of — the open tasks give it.
// Either way it is provisional when any open task's deadline is (a
// supervision counted through an unpublished year as well as the step's
// own).
func deadlineOf(h models.Header, tasks []models.Task) *stepDeadline {
	open := openDeadline(tasks)
	if open == nil || h.DueAt == nil || h.DueDate != open.DueDate || h.Article != open.Article || h.Statutory != open.Statutory {
		return open
	}
	d := &stepDeadline{DueDate: h.DueDate, DueAt: beijing(*h.DueAt), Statutory: h.Statutory, Article: h.Article,
		Provisional: h.Provisional || open.Provisional}
	if d.Provisional {
		d.Warning = provisionalWarning
	}
	return d
}

// openDeadline is the deadline of the open step from the tasks: the earliest due of the
// open decision or obligation tasks (the step's own period), else of any
// open task (a supervision or notice); nil when no task is open. It is
// provisional if any open task's deadline is.
func openDeadline(tasks []models.Task) *stepDeadline {
	var best *models.Task
	provisional := false
	for i := range tasks {
		t := &tasks[i]
		if t.Status != models.TaskOpen {
			continue
		}
		provisional = provisional || t.Provisional
		if best == nil || rank(t) < rank(best) || (rank(t) == rank(best) && t.DueAt.Before(best.DueAt)) {
			best = t
		}
	}
	if best == nil {
		return nil
	}
	d := &stepDeadline{DueDate: best.DueDate, DueAt: beijing(best.DueAt), Provisional: provisional, Statutory: best.Statutory, Article: best.Article}
	if provisional {
		d.Warning = provisionalWarning
	}
	return d
}

// rank orders the tasks whose deadline is the step's own before the others.
func rank(t *models.Task) int {
	if t.Kind == models.TaskDecision || t.Kind == models.TaskObligation {
		return 0
	}
	return 1
}

// levelStatutory sets each dispute level's statutory from the task the
// level opened, for levels recorded before the record kept it.
func levelStatutory(d *models.Dispute, tasks []models.Task) {
	for i := range d.Levels {
		prefix := fmt.Sprintf("%s.level-%d-%s.", d.ID, i+1, d.Levels[i].Level)
		for _, t := range tasks {
			if t.Kind == models.TaskDecision && strings.HasPrefix(t.ID, prefix) {
				d.Levels[i].Statutory = t.Statutory
				break
			}
		}
	}
}
