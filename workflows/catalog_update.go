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
	t, p := in.Trigger, in.Profile
	rule := p.CatalogChange
	st := CatalogUpdateResult{Header: Header{ID: t.ID, Status: models.TriggerOpen, Statutory: rule.Update.Statutory, Article: rule.Update.Article}}
	if err := publish(ctx, &st, func() bool { return st.Filed }); err != nil {
		return st, err
	}
	box, err := newInbox(ctx, ProcedureCatalogUpdate, t.Jurisdiction, &st.Header, p)
	if err != nil {
		return st, err
	}
	var submitted *ChangeSubmittedInput
	workflow.Go(ctx, func(ctx workflow.Context) {
		var s ChangeSubmittedInput
		workflow.GetSignalChannel(ctx, SignalChangeSubmitted).Receive(ctx, &s)
		submitted = &s
	})

	due, err := box.Deadline(ctx, "update", rule.Update, in.From)
	if err != nil {
		return st, err
	}
	t.Status = models.TriggerOpen
	t.Article = rule.Update.Article
	t.Statutory = rule.Update.Statutory
	t.DueDate = due.DueDate
	t.DueAt = &due.DueAt
	t.Provisional = due.Provisional
	t.CalendarVersion = due.CalendarVersion
	if err := execute(ctx, acts.RecordCatalogTrigger, t).Get(ctx, nil); err != nil {
		return st, fmt.Errorf("record %s: %w", t.ID, err)
	}
	st.due(due)

	_, err = box.Run(ctx, StepSpec{
		Name:      "update",
		Assignees: []Assignee{department(t.Dept)},
		Period:    rule.Update,
		From:      in.From,
		Due:       due,
		Silence:   p.CatalogUpdateSilence(),
		Kind:      models.TaskObligation,
		Fulfilled: func() bool { return submitted != nil },
	})
	if err != nil {
		return st, err
	}
	if err := execute(ctx, acts.FulfilCatalogTrigger, activities.FulfilTriggerInput{
		ID: t.ID, ChangeID: submitted.ChangeID, At: workflow.Now(ctx), Article: rule.Update.Article,
	}).Get(ctx, nil); err != nil {
		return st, fmt.Errorf("fulfil %s: %w", t.ID, err)
	}
	st.Status = models.TriggerFulfilled
	st.ChangeID = submitted.ChangeID
	return st, conclude(ctx, box, st.Status)
}
