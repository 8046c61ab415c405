// Package audit turns what the procedures recorded into what an auditor
// reads: timelines with deadline compliance, deadline reports, visibility
// queries for listing procedures, and self-contained export archives. Its
// functions are pure: callers load the records and pass the calendar and
// the time of the reading.
package audit

import (
	"cmp"
	"slices"
	"time"

	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
)

// Stamp is an instant in UTC and in Beijing time, both RFC 3339.
type Stamp struct {
	UTC     string `json:"utc"`
	Beijing string `json:"beijing"`
}

// StampOf formats an instant.
func StampOf(t time.Time) Stamp {
	return Stamp{UTC: t.UTC().Format(time.RFC3339Nano), Beijing: t.In(holidays.Shanghai).Format(time.RFC3339Nano)}
}

func stampPtr(t *time.Time) *Stamp {
	if t == nil {
		return nil
	}
	s := StampOf(*t)
	return &s
}

// Kinds of timeline entries, derived from the stored event kinds.
const (
	EntryFiled      = "filed"
	EntryTaskOpened = "task_opened"
	EntryEscalation = "escalation" // a supervision task (督办) opened for the authority
	EntryReminder   = "reminder"
	EntryOverdue    = "overdue"
	EntryDecision   = "decision"
	EntryDeemed     = "deemed_outcome" // the city's rule on silence decided
	EntryCancelled  = "task_cancelled"
	EntryResolved   = "supervision_resolved"
	EntryCompletion = "completion"
	EntryOther      = "other"
)

// Entry is one step of a procedure in a timeline.
type Entry struct {
	Seq        int    `json:"seq"`
	Kind       string `json:"kind"`
	Event      string `json:"event"` // the stored event kind
	At         Stamp  `json:"at"`
	Actor      string `json:"actor,omitempty"`
	TaskID     string `json:"task_id,omitempty"`
	Article    string `json:"article,omitempty"`
	Detail     string `json:"detail,omitempty"`
	Decision   string `json:"decision,omitempty"`
	Reason     string `json:"reason,omitempty"`
	LegalBasis string `json:"legal_basis,omitempty"`
	Conditions string `json:"conditions,omitempty"`
	DueAt      *Stamp `json:"due_at,omitempty"` // for an opened task
}

// TaskCompliance says whether one task kept its deadline.
type TaskCompliance struct {
	TaskID             string `json:"task_id"`
	Kind               string `json:"kind"`
	Assignee           string `json:"assignee"`
	Article            string `json:"article"`
	Status             string `json:"status"`
	Decision           string `json:"decision,omitempty"`
	DecidedBy          string `json:"decided_by,omitempty"`
	OpenedAt           Stamp  `json:"opened_at"`
	DueDate            string `json:"due_date"`
	DueAt              Stamp  `json:"due_at"`
	DoneAt             *Stamp `json:"done_at,omitempty"`
	WorkingDaysAllowed int    `json:"working_days_allowed"`
	WorkingDaysUsed    int    `json:"working_days_used"`
	Provisional        bool   `json:"provisional"`
	Late               bool   `json:"late"`
}

// Procedure identifies the procedure a timeline is about.
type Procedure struct {
	ID           string `json:"id"`
	WorkflowID   string `json:"workflow_id"`
	Procedure    string `json:"procedure"`
	Jurisdiction string `json:"jurisdiction"`
	Status       string `json:"status,omitempty"`
}

// Timeline is a procedure's history as domain events, in order, with the
// deadline compliance of every task as of AsOf.
type Timeline struct {
	Procedure
	AsOf    Stamp            `json:"as_of"`
	Entries []Entry          `json:"entries"`
	Tasks   []TaskCompliance `json:"tasks"`
	// Source says where the procedure's history is: temporal,
	// archive, or expired (left Temporal unarchived; Note says after how
	// long). The timeline itself is always the database's.
	Source string `json:"source,omitempty"`
	Note   string `json:"note,omitempty"`
}

// rank orders entries that share an instant in the order they happen: a
// task is flagged overdue before its supervision task opens, and decided
// before the procedure completes.
var rank = map[string]int{
	EntryFiled: 0, EntryTaskOpened: 1, EntryReminder: 2, EntryOverdue: 3, EntryEscalation: 4,
	EntryDecision: 5, EntryDeemed: 5, EntryCancelled: 6, EntryOther: 6, EntryResolved: 7, EntryCompletion: 8,
}

// BuildTimeline orders a procedure's events and reads every task's deadline
// compliance against the calendar as of now.
func BuildTimeline(p Procedure, events []models.Event, tasks []models.Task, cal *holidays.Calendar, now time.Time) Timeline {
	byID := make(map[string]models.Task, len(tasks))
	for _, t := range tasks {
		byID[t.ID] = t
	}
	type timed struct {
		at time.Time
		id string
		Entry
	}
	var all []timed
	for _, e := range events {
		en := Entry{Kind: EntryOther, Event: e.Kind, At: StampOf(e.At), Actor: e.Actor, TaskID: e.TaskID, Article: e.Article, Detail: e.Detail}
		t, hasTask := byID[e.TaskID]
		switch e.Kind {
		case "filed", "reminder", "overdue":
			en.Kind = e.Kind
		case "task_opened":
			en.Kind = EntryTaskOpened
			if hasTask {
				if t.Kind == models.TaskSupervision {
					en.Kind = EntryEscalation
				}
				en.DueAt = stampPtr(&t.DueAt)
			}
		case "task_done":
			en.Kind = EntryDecision
			switch {
			case e.Detail == workflows.OutcomeDeemedConsent:
				en.Kind, en.Decision = EntryDeemed, e.Detail
			case hasTask && t.Kind == models.TaskSupervision:
				en.Kind = EntryResolved
			case hasTask:
				en.Decision, en.Reason, en.LegalBasis, en.Conditions = t.Decision, t.Reason, t.LegalBasis, t.Conditions
			}
		case "task_cancelled":
			en.Kind = EntryCancelled
		case models.StatusGranted, models.StatusRejected:
			en.Kind, en.Decision = EntryCompletion, e.Kind
		}
		all = append(all, timed{at: e.At, id: e.ID, Entry: en})
	}
	slices.SortStableFunc(all, func(a, b timed) int {
		return cmp.Or(a.at.Compare(b.at), cmp.Compare(rank[a.Kind], rank[b.Kind]), cmp.Compare(a.id, b.id))
	})
	tl := Timeline{Procedure: p, AsOf: StampOf(now), Entries: []Entry{}, Tasks: []TaskCompliance{}}
	for i, e := range all {
		e.Seq = i + 1
		tl.Entries = append(tl.Entries, e.Entry)
	}
	ts := slices.Clone(tasks)
	slices.SortStableFunc(ts, func(a, b models.Task) int { return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID)) })
	for _, t := range ts {
		tl.Tasks = append(tl.Tasks, Compliance(t, cal, now))
	}
	return tl
}

// Compliance reads one task's deadline as of now: the working days it was
// given and used (to its decision, or to now while open) and whether it was
// late — decided after its due time, flagged overdue by its procedure, or
// still open past its due time.
func Compliance(t models.Task, cal *holidays.Calendar, now time.Time) TaskCompliance {
	end := now
	if t.DecidedAt != nil {
		end = *t.DecidedAt
	}
	// The period counts from the instant the law names (recorded on the
	// task), not from when the task row was written.
	from := t.CreatedAt
	if !t.CountsFrom.IsZero() {
		from = t.CountsFrom
	}
	return TaskCompliance{
		TaskID: t.ID, Kind: t.Kind, Assignee: Assignee(t), Article: t.Article, Status: t.Status,
		Decision: t.Decision, DecidedBy: t.DecidedBy, OpenedAt: StampOf(t.CreatedAt),
		DueDate: t.DueDate, DueAt: StampOf(t.DueAt), DoneAt: stampPtr(t.DecidedAt),
		WorkingDaysAllowed: cal.WorkingDaysUsed(from, t.DueAt),
		WorkingDaysUsed:    cal.WorkingDaysUsed(from, end),
		Provisional:        t.Provisional,
		Late:               Late(t, now),
	}
}

// Late tells whether a task missed its due time as of now.
func Late(t models.Task, now time.Time) bool {
	switch {
	case t.Overdue:
		return true
	case t.DecidedAt != nil:
		return t.DecidedAt.After(t.DueAt)
	case t.Status == models.TaskOpen:
		return now.After(t.DueAt)
	}
	return false
}

// Assignee names who a task is for: the department code, or the role and
// city for authorities.
func Assignee(t models.Task) string {
	if t.AssigneeDept != "" {
		return t.AssigneeDept
	}
	return t.AssigneeRole + ":" + t.Jurisdiction
}
