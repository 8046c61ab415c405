package workflows

import (
	"fmt"
	"time"

	"github.com/cityapprovals/approvals/activities"
	"github.com/cityapprovals/approvals/regulations"
	"go.temporal.io/sdk/workflow"
)

// Header is what every procedure's state shows besides its own fields: its
// ID and status, and its open step with the deadline, which the inbox writes
// when the step opens, is re-timed or goes overdue.
type Header struct {
	ID          string    `json:"id"`
	Status      string    `json:"status"`
	Step        string    `json:"step,omitempty"`
	DueDate     string    `json:"due_date,omitempty"`
	DueAt       time.Time `json:"due_at,omitzero"`
	Provisional bool      `json:"provisional"`
	Statutory   bool      `json:"statutory"`
	Article     string    `json:"article"`
	Overdue     bool      `json:"overdue"`
	// Filed is set once the procedure is recorded and its first tasks are
	// open: the filed Update answers then (see publish).
	Filed bool `json:"-"`
}

// open shows a step whose tasks are open, due at due.
func (h *Header) open(spec *StepSpec) {
	h.Step = spec.Name
	h.Statutory = spec.Period.Statutory
	h.Article = spec.Period.Article
	h.due(spec.Due)
	h.Filed = true
}

// due shows the open step's deadline.
func (h *Header) due(d activities.Deadline) {
	h.DueDate = d.DueDate
	h.DueAt = d.DueAt
	h.Provisional = d.Provisional
}

// publish registers what every procedure shows the API: the state query, and
// the filed Update, which answers with the state once filed reports true (the
// procedure's record is written and its first tasks are open).
// With answer not nil, the filed Update answers with answer() instead.
func publish[T any](ctx workflow.Context, st *T, filed func() bool, answer func() T) error {
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (T, error) { return *st, nil }); err != nil {
		return fmt.Errorf("register query: %w", err)
	}
	if answer == nil {
		answer = func() T { return *st }
	}
	if err := workflow.SetUpdateHandler(ctx, UpdateFiled, func(ctx workflow.Context) (T, error) {
		err := workflow.Await(ctx, filed)
		return answer(), err
	}); err != nil {
		return fmt.Errorf("register update: %w", err)
	}
	return nil
}

// begin starts what every procedure starts with: it publishes the state st
// (publish; filed says when the filed Update answers, nil when st's header h
// is Filed) and opens procedure proc's inbox on h, under the city's
// profile p.
func begin[T any](ctx workflow.Context, proc, jurisdiction string, p regulations.Profile, st *T, h *Header, filed func() bool) (*inbox, error) {
	return beginAnswering(ctx, proc, jurisdiction, p, st, h, filed, nil)
}

// beginAnswering is begin whose filed Update answers with answer() (the
// whole state when nil).
func beginAnswering[T any](ctx workflow.Context, proc, jurisdiction string, p regulations.Profile, st *T, h *Header, filed func() bool, answer func() T) (*inbox, error) {
	if filed == nil {
		filed = func() bool { return h.Filed }
	}
	if err := publish(ctx, st, filed, answer); err != nil {
		return nil, err
	}
	return newInbox(ctx, proc, jurisdiction, h, p)
}

// conclude ends a procedure whose outcome is written: the decisions that led
// to it may now answer, its final status becomes a search attribute, and the
// workflow waits until every Update in flight has answered.
func conclude(ctx workflow.Context, box *inbox, status string) error {
	box.settle()
	if err := workflow.UpsertTypedSearchAttributes(ctx, AttrStatus.ValueSet(status)); err != nil {
		return fmt.Errorf("upsert status: %w", err)
	}
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// department is the assignee of a department's own task.
func department(code string) Assignee {
	return Assignee{Role: regulations.RoleDepartment, Dept: code}
}
