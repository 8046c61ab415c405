package workflows

import (
	"fmt"
	"time"

	"github.com/cityapprovals/approvals/activities"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"go.temporal.io/sdk/workflow"
)

// ProcedureCatalogUpdate names a department's obligation to update its
// catalog after a triggering change (procedure 1, first clock).
const ProcedureCatalogUpdate = models.ProcedureCatalogUpdate

// SignalChangeSubmitted tells an update obligation that the department
// submitted its catalog change; the CatalogChange workflow sends it.
const SignalChangeSubmitted = "change_submitted"

// ChangeSubmittedInput is the payload of SignalChangeSubmitted.
type ChangeSubmittedInput struct {
	ChangeID string
	At       time.Time
}

// CatalogUpdateInput starts an update obligation. From is the instant the
// window counts from: the start (Beijing time) of the day the change took
// effect, which itself is not counted.
type CatalogUpdateInput struct {
	Trigger models.CatalogTrigger
	From    time.Time
	Profile regulations.Profile
}

// CatalogUpdateResult is an update obligation as its workflow sees it.
type CatalogUpdateResult struct {
	Header
	ChangeID string `json:"change_id,omitempty"`
}

// CatalogUpdate counts the city's window for a department to update its
// catalog after a law revision or a change of duties or systems: the
// department has an obligation task, is reminded one working day before the
// end, and on expiry is flagged overdue while the authority gets a
// supervision task. Submitting the change (SignalChangeSubmitted) ends it.
func CatalogUpdate(ctx workflow.Context, in CatalogUpdateInput) (CatalogUpdateResult, error) {
	w := newCatalogUpdate(in)
	return launch(ctx, &w.st, w.start, w.run)
}

// catalogUpdate is one run of the CatalogUpdate workflow: the trigger as
// last recorded, the city's rules, the state the API sees, the inbox and
// the change once the department submitted it.
type catalogUpdate struct {
	t         models.CatalogTrigger
	p         regulations.Profile
	rule      regulations.Period
	from      time.Time
	st        CatalogUpdateResult
	box       *inbox
	due       activities.Deadline
	submitted *ChangeSubmittedInput
}

func newCatalogUpdate(in CatalogUpdateInput) *catalogUpdate {
	w := &catalogUpdate{t: in.Trigger, p: in.Profile, from: in.From}
	w.rule = w.p.CatalogChange.Update
	w.st = CatalogUpdateResult{Header: Header{ID: w.t.ID, Status: models.TriggerOpen, Statutory: w.rule.Statutory, Article: w.rule.Article}}
	return w
}

// start publishes the state, opens the inbox, listens for the submitted
// change, counts the window and records the trigger with its deadline.
func (w *catalogUpdate) start(ctx workflow.Context) error {
	var err error
	if w.box, err = begin(ctx, ProcedureCatalogUpdate, w.t.Jurisdiction, w.p, &w.st, &w.st.Header, nil); err != nil {
		return err
	}
	workflow.Go(ctx, func(ctx workflow.Context) {
		var s ChangeSubmittedInput
		workflow.GetSignalChannel(ctx, SignalChangeSubmitted).Receive(ctx, &s)
		w.submitted = &s
	})
	if w.due, err = w.box.Deadline(ctx, "update", w.rule.WorkingDays, w.from); err != nil {
		return err
	}
	w.t.Status = models.TriggerOpen
	w.t.Article = w.rule.Article
	w.t.Statutory = w.rule.Statutory
	w.t.DueDate = w.due.DueDate
	w.t.DueAt = &w.due.DueAt
	w.t.Provisional = w.due.Provisional
	w.t.CalendarVersion = w.due.CalendarVersion
	if err := record(ctx, acts.RecordCatalogTrigger, w.t.ID, w.t); err != nil {
		return err
	}
	w.st.due(w.due)
	return nil
}

// run waits for the department's change through the obligation step and
// records the trigger fulfilled.
func (w *catalogUpdate) run(ctx workflow.Context) (CatalogUpdateResult, error) {
	_, err := w.box.Run(ctx, StepSpec{
		Name:      "update",
		Assignees: []Assignee{department(w.t.Dept)},
		Period:    w.rule,
		From:      w.from,
		Due:       w.due,
		Silence:   w.p.CatalogUpdateSilence(),
		Kind:      models.TaskObligation,
		Fulfilled: func() bool { return w.submitted != nil },
	})
	if err != nil {
		return w.st, err
	}
	if err := execute(ctx, acts.FulfilCatalogTrigger, activities.FulfilTriggerInput{
		ID: w.t.ID, ChangeID: w.submitted.ChangeID, At: workflow.Now(ctx), Article: w.rule.Article,
	}).Get(ctx, nil); err != nil {
		return w.st, fmt.Errorf("fulfil %s: %w", w.t.ID, err)
	}
	w.st.Status = models.TriggerFulfilled
	w.st.ChangeID = w.submitted.ChangeID
	return w.st, conclude(ctx, w.box, w.st.Status)
}
