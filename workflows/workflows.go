// Package workflows holds one file per procedure and the one human-task step
// (task.go) they all compose. Workflow code is deterministic: time comes from
// workflow.Now, deadlines and every database write from activities.
package workflows

import (
	"fmt"
	"time"

	"github.com/cityapprovals/approvals/activities"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// TaskQueue is the task queue the worker polls.
const TaskQueue = "approvals"

// QueryState returns a procedure's current state.
const QueryState = "state"

// UpdateFiled waits until a procedure has been recorded and returns its state;
// the API sends it together with the start (update-with-start).
const UpdateFiled = "filed"

// acts is the nil receiver through which workflows name activities.
var acts *activities.Activities

// versionClockFromFiling guards the rule that a statutory clock counts from
// the instant the law names (filing, submission), recorded by the API and
// passed in the workflow's input, rather than from when the workflow ran
// (GetVersion "clock-from-filing").
const versionClockFromFiling = "clock-from-filing"

// Search attributes, for listing procedures in the Temporal UI and API.
var (
	AttrJurisdiction  = temporal.NewSearchAttributeKeyKeyword("Jurisdiction")
	AttrProcedure     = temporal.NewSearchAttributeKeyKeyword("Procedure")
	AttrStatus        = temporal.NewSearchAttributeKeyKeyword("ApprovalStatus")
	AttrRequesterDept = temporal.NewSearchAttributeKeyKeyword("RequesterDept")
	AttrProviderDept  = temporal.NewSearchAttributeKeyKeyword("ProviderDept")
	AttrDueAt         = temporal.NewSearchAttributeKeyTime("DueAt")
	AttrOverdue       = temporal.NewSearchAttributeKeyBool("Overdue")
)

// SearchAttributes lists our custom search attributes by name and type, for
// registration with the Temporal server.
var SearchAttributes = map[string]string{
	"Jurisdiction": "Keyword", "Procedure": "Keyword", "ApprovalStatus": "Keyword",
	"RequesterDept": "Keyword", "ProviderDept": "Keyword", "DueAt": "Datetime", "Overdue": "Bool",
}

// Register adds every workflow and the activities to a worker; activities
// without Records get those of Procedures.
func Register(w worker.Registry, a *activities.Activities) {
	if a.Records == nil {
		a.Records = Records()
	}
	for _, wf := range all {
		w.RegisterWorkflow(wf)
	}
	w.RegisterActivity(a)
}

// actx gives activities their timeouts and retries: short attempts, retried
// until the database is back.
func actx(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
		},
	})
}

func upsertDue(ctx workflow.Context, due time.Time, overdue bool) error {
	if err := workflow.UpsertTypedSearchAttributes(ctx, AttrDueAt.ValueSet(due), AttrOverdue.ValueSet(overdue)); err != nil {
		return fmt.Errorf("upsert due time: %w", err)
	}
	return nil
}
