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

// file begins procedure proc (begin, answering the filed Update once the
// header h is Filed) and records its filing: the activity act stores rec,
// the procedure's record as it starts. A procedure that registers or checks
// something between the two calls begin and record itself.
func file[T any](ctx workflow.Context, proc, jurisdiction string, p regulations.Profile, st *T, h *Header, act, rec any) (*inbox, error) {
	box, err := begin(ctx, proc, jurisdiction, p, st, h, nil)
	if err != nil {
		return nil, err
	}
	return box, record(ctx, act, h.ID, rec)
}

// record stores procedure id's filed record rec through its Record
// activity act.
func record(ctx workflow.Context, act any, id string, rec any) error {
	if err := execute(ctx, act, rec).Get(ctx, nil); err != nil {
		return fmt.Errorf("record %s: %w", id, err)
	}
	return nil
}

// launch runs a procedure's workflow: start (publish the state st, open the
// inbox, record the filing), then run to its end.
func launch[T any](ctx workflow.Context, st *T, start func(workflow.Context) error, run func(workflow.Context) (T, error)) (T, error) {
	if err := start(ctx); err != nil {
		return *st, err
	}
	return run(ctx)
}

// stepInput is the input of a procedure's update activity: an
// activities.StepProgress and the procedure's own columns.
type stepInput[U any] interface {
	*U
	Base() *activities.StepProgress
}

// recorder writes a procedure's progress through its update activity act and
// keeps the input last written (last), from which the next write starts: the
// one writer of the procedures whose record shows their step (an authority
// approval, a classification, an opening review, a purchase).
type recorder[U any, P stepInput[U]] struct {
	id   string
	act  any
	last U
}

// newRecorder is the recorder of the procedure whose update activity is act,
// starting from progress p (its ID, status and article).
func newRecorder[U any, P stepInput[U]](act any, p activities.Progress) recorder[U, P] {
	r := recorder[U, P]{id: p.ID, act: act}
	P(&r.last).Base().Progress = p
	return r
}

// update writes u, now, and keeps it.
func (r *recorder[U, P]) update(ctx workflow.Context, u U) error {
	P(&u).Base().At = workflow.Now(ctx)
	r.last = u
	if err := execute(ctx, r.act, u).Get(ctx, nil); err != nil {
		return fmt.Errorf("update %s: %w", r.id, err)
	}
	return nil
}

// show writes that step is open (no event).
func (r *recorder[U, P]) show(ctx workflow.Context, step string) error {
	u := r.last
	b := P(&u).Base()
	b.Step = step
	b.Event = ""
	return r.update(ctx, u)
}

// end writes the procedure's outcome (status, note, event kind, who
// decided; edit, when set, completes it) and concludes, showing status and
// no open step on h.
func (r *recorder[U, P]) end(ctx workflow.Context, box *inbox, h *Header, status, note, kind, by string, edit func(P)) error {
	u := r.last
	b := P(&u).Base()
	b.Progress = b.Outcome(status, note, kind, by)
	b.Step = ""
	b.Final = true
	if edit != nil {
		edit(&u)
	}
	if err := r.update(ctx, u); err != nil {
		return err
	}
	h.Status = status
	h.Step = ""
	return conclude(ctx, box, status)
}

// stepRun is what a procedure whose record shows its step holds beside its
// own fields: the city's profile p, the state st the API sees (its header
// h), the inbox and the record's writer.
type stepRun[S any, U any, P stepInput[U]] struct {
	p   regulations.Profile
	st  S
	h   *Header
	box *inbox
	rec recorder[U, P]
}

// init readies procedure id under profile p: the header h of its state
// (in st) and its record, written by the update activity act, with status
// under article.
func (r *stepRun[S, U, P]) init(p regulations.Profile, h *Header, act any, id, status, article string) {
	r.p, r.h = p, h
	*h = Header{ID: id, Status: status, Article: article}
	r.rec = newRecorder[U, P](act, activities.Progress{ID: id, Status: status, Article: article})
}

// launch runs procedure proc of jurisdiction (launch): its start begins it
// and records its filing rec through its Record activity act (see file).
func (r *stepRun[S, U, P]) launch(ctx workflow.Context, proc, jurisdiction string, act, rec any, run func(workflow.Context) (S, error)) (S, error) {
	return launch(ctx, &r.st, func(ctx workflow.Context) (err error) {
		r.box, err = file(ctx, proc, jurisdiction, r.p, &r.st, r.h, act, rec)
		return err
	}, run)
}

// end writes the procedure's outcome and concludes (recorder.end).
func (r *stepRun[S, U, P]) end(ctx workflow.Context, status, note, kind, by string, edit func(P)) error {
	return r.rec.end(ctx, r.box, r.h, status, note, kind, by, edit)
}
