// Package activities holds every side effect of the workflows: deadlines from
// the calendar, the tasks inbox, share request records, grants and the event
// projection. Every activity is idempotent: its writes are keyed by workflow
// and step, so a retry after a crash writes nothing twice.
package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Activities holds the dependencies of the activities. Register a value of it
// with the worker; workflows refer to its methods through a nil pointer.
type Activities struct {
	DB *gorm.DB
	// Calendars, when set, gives the calendar in force (shipped years with
	// the years published in the database over them); otherwise Calendar
	// does, e.g. holidays.Default in tests.
	Calendars *models.CalendarStore
	Calendar  func() *holidays.Calendar
	// Temporal lets the calendar re-timing activities list and signal
	// procedures, and the archiver list closed executions and read their
	// histories; only they need it.
	Temporal client.Client
	// Archive configures the history archiver.
	Archive ArchiveConfig
	// Records gives, for each procedure by name, a new model of its
	// record: the row whose primary key is the procedure's ID and which
	// carries its header (models.Header). workflows.Register sets it from
	// workflows.Procedures.
	Records map[string]func() any
}

// calendar returns the calendar to count on now.
func (a *Activities) calendar(ctx context.Context) (*holidays.Calendar, error) {
	if a.Calendars != nil {
		return a.Calendars.Current(ctx)
	}
	return a.Calendar(), nil
}

// DeadlineInput asks for the end of a period of working days.
type DeadlineInput struct {
	From        time.Time
	WorkingDays int
	// Remind asks for the reminder time too (RemindAt: one working day
	// fewer), in the same call (issue 17: one local-activity marker fewer).
	Remind bool `json:",omitempty"`
}

// Deadline is a computed due time with the calendar version that computed
// it, and the reminder time when asked (Remind) and the period is longer
// than a working day.
type Deadline struct {
	holidays.Deadline
	CalendarVersion string
	RemindAt        time.Time `json:"remind_at,omitzero"`
}

// Deadline counts working days on the official calendar.
// The calendar is the one in force when the activity runs, and its version
// travels with the result.
func (a *Activities) Deadline(ctx context.Context, in DeadlineInput) (Deadline, error) {
	cal, err := a.calendar(ctx)
	if err != nil {
		return Deadline{}, err
	}
	d, err := cal.AddWorkingDays(in.From, in.WorkingDays)
	if err != nil {
		return Deadline{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf("deadline: %v", err), "bad_deadline", err)
	}
	out := Deadline{Deadline: d, CalendarVersion: cal.Version()}
	if in.Remind && in.WorkingDays > 1 {
		r, err := cal.AddWorkingDays(in.From, in.WorkingDays-1)
		if err != nil {
			return Deadline{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf("reminder time: %v", err), "bad_deadline", err)
		}
		out.RemindAt = r.DueAt
	}
	return out, nil
}

// insertOnce inserts rows, ignoring those whose primary key exists already.
func insertOnce(tx *gorm.DB, rows any) error {
	return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(rows).Error
}

// event builds an event whose ID is unique for the procedure, step and kind.
func event(procID, step, kind string, at time.Time) models.Event {
	return models.Event{ID: procID + "/" + step + "/" + kind, ProcedureID: procID, Kind: kind, At: at.UTC()}
}

// OpenTaskInput opens one task of the inbox.
type OpenTaskInput struct {
	Task models.Task
	// Detail is a human-readable note for the event, e.g. why a supervision task opened.
	Detail string
	// CalendarVersion is the calendar the task's deadline was counted on.
	CalendarVersion string `json:",omitempty"`
}

// OpenTask adds a task to the inbox.
func (a *Activities) OpenTask(ctx context.Context, in OpenTaskInput) error {
	t := in.Task
	t.Status = models.TaskOpen
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := insertOnce(tx, &t); err != nil {
			return fmt.Errorf("open task %s: %w", t.ID, err)
		}
		ev := event(t.ProcedureID, t.ID, "task_opened", t.CreatedAt)
		ev.TaskID, ev.Article = t.ID, t.Article
		ev.Actor = assignee(t)
		ev.Detail = fmt.Sprintf("%s task for %s due %s (24:00 Beijing time)", t.Kind, ev.Actor, t.DueDate)
		if t.Provisional {
			ev.Detail += "; provisional: the calendar of that year is not yet published"
		}
		if in.Detail != "" {
			ev.Detail += "; " + in.Detail
		}
		if err := insertOnce(tx, &ev); err != nil {
			return fmt.Errorf("record task %s opened: %w", t.ID, err)
		}
		if t.Kind != models.TaskDecision && t.Kind != models.TaskObligation {
			return nil // a follow-up (supervision, notice): the step's deadline stays
		}
		// The step's own task: the procedure's record shows its deadline.
		return a.writeHeader(tx, t.Procedure, t.ProcedureID, map[string]any{
			"article": t.Article, "statutory": t.Statutory, "due_date": t.DueDate, "due_at": t.DueAt.UTC(),
			"provisional": t.Provisional, "calendar_version": in.CalendarVersion,
		}, "")
	})
}

func assignee(t models.Task) string {
	if t.AssigneeDept != "" {
		return t.AssigneeRole + ":" + t.AssigneeDept
	}
	return t.AssigneeRole + ":" + t.Jurisdiction
}

// TaskNoteInput records a reminder or an overdue flag on open tasks.
type TaskNoteInput struct {
	Procedure   string // the procedure's name, e.g. share_request; empty in notes written before it existed
	ProcedureID string
	TaskIDs     []string
	At          time.Time
	Article     string
}

// RemindTasks records that the tasks are due within one working day.
func (a *Activities) RemindTasks(ctx context.Context, in TaskNoteInput) error {
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		at := in.At.UTC()
		if err := tx.Model(&models.Task{}).Where("id IN ? AND status = ?", in.TaskIDs, models.TaskOpen).
			Update("reminded_at", at).Error; err != nil {
			return fmt.Errorf("remind tasks: %w", err)
		}
		for _, id := range in.TaskIDs {
			ev := event(in.ProcedureID, id, "reminder", at)
			ev.TaskID, ev.Article = id, in.Article
			ev.Detail = "due within one working day"
			if err := insertOnce(tx, &ev); err != nil {
				return fmt.Errorf("record reminder: %w", err)
			}
		}
		return nil
	})
}

// writeHeader writes columns cols of procedure proc's record id, the one
// write of a record's header: by the inbox's activities when a step opens
// (OpenTask), is re-timed (RetimeTasks) or goes overdue (MarkOverdue), and by
// a procedure's own activities recording its progress (progress: status,
// step and the procedure's columns). With shown set, only a record still
// showing that due date is written (a deadline the procedure moved on from
// stays as it is). A procedure recorded before its name was sent is a share
// request.
func (a *Activities) writeHeader(tx *gorm.DB, proc, id string, cols map[string]any, shown string) error {
	if proc == "" {
		proc = models.ProcedureShareRequest
	}
	record, ok := a.Records[proc]
	if !ok {
		return temporal.NewNonRetryableApplicationError("unknown procedure "+proc, "unknown_procedure", nil)
	}
	q := tx.Model(record()).Where("id = ?", id)
	if shown != "" {
		q = q.Where("due_date = ?", shown)
	}
	if err := q.Updates(cols).Error; err != nil {
		return fmt.Errorf("write the record of %s %s: %w", proc, id, err)
	}
	return nil
}

// MarkOverdue flags tasks and their procedure's record as overdue.
func (a *Activities) MarkOverdue(ctx context.Context, in TaskNoteInput) error {
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&models.Task{}).Where("id IN ?", in.TaskIDs).Update("overdue", true).Error; err != nil {
			return fmt.Errorf("flag tasks overdue: %w", err)
		}
		if err := a.writeHeader(tx, in.Procedure, in.ProcedureID, map[string]any{"overdue": true}, ""); err != nil {
			return err
		}
		for _, id := range in.TaskIDs {
			ev := event(in.ProcedureID, id, "overdue", in.At)
			ev.TaskID, ev.Article = id, in.Article
			ev.Detail = "deadline passed without a decision"
			if err := insertOnce(tx, &ev); err != nil {
				return fmt.Errorf("record overdue: %w", err)
			}
		}
		return nil
	})
}

// CloseTaskInput records the end of a task: a decision, a deemed outcome, or
// cancellation because the procedure ended otherwise.
type CloseTaskInput struct {
	ProcedureID string
	TaskID      string
	Status      string // done or cancelled
	Decision    string
	Reason      string
	LegalBasis  string
	Conditions  string
	DecidedBy   string
	At          time.Time
	Article     string
}

// CloseTask closes a task with its decision.
func (a *Activities) CloseTask(ctx context.Context, in CloseTaskInput) error {
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		at := in.At.UTC()
		err := tx.Model(&models.Task{}).Where("id = ? AND status = ?", in.TaskID, models.TaskOpen).Updates(map[string]any{
			"status": in.Status, "decision": in.Decision, "reason": in.Reason, "legal_basis": in.LegalBasis,
			"conditions": in.Conditions, "decided_by": in.DecidedBy, "decided_at": at,
		}).Error
		if err != nil {
			return fmt.Errorf("close task %s: %w", in.TaskID, err)
		}
		ev := event(in.ProcedureID, in.TaskID, "task_"+in.Status, at)
		ev.TaskID, ev.Actor, ev.Article = in.TaskID, in.DecidedBy, in.Article
		ev.Detail = in.Decision
		if in.Reason != "" {
			ev.Detail += ": " + in.Reason
		}
		if err := insertOnce(tx, &ev); err != nil {
			return fmt.Errorf("record task %s closed: %w", in.TaskID, err)
		}
		return nil
	})
}
