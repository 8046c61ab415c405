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

// TaskQueue is the task queue the worker polls for the procedures.
const TaskQueue = "approvals"

// JobsTaskQueue is the task queue of the calendar re-timing jobs
// (CalendarRetime and its RetimePage activities), polled by a worker of its
// own in the same process (RegisterJobs). On the procedures' queue a job's
// workflow task waited behind the workflow tasks its own signals caused: a
// job of 1,000 procedures spent 15–30 s between pages, its signals stalled
// (README, Issue 17). Jobs started before it keep the procedures' queue,
// which the worker still serves.
const JobsTaskQueue = "approvals-jobs"

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

// RegisterJobs registers the calendar re-timing job and the activities on
// the worker of JobsTaskQueue.
func RegisterJobs(w worker.Registry, a *activities.Activities) {
	w.RegisterWorkflow(CalendarRetime)
	w.RegisterActivity(a)
}

// versionLocalActivities guards the procedures' own activities (every call
// through execute) running as local activities (issue 17). A history
// recorded before it scheduled them as activities and replays so.
const versionLocalActivities = "local-activities"

// execute runs one of the procedures' own activities: a deadline counted on
// the calendar, or one transaction writing the record, its tasks and events,
// each idempotent (a retry writes nothing twice). They run as local
// activities, in the workflow task that asks for them: the history holds one
// marker with the result (not the input) instead of an activity's three
// events and the workflow task that follows it, and the Temporal server
// dispatches no activity task (a share request's lifecycle: 54 events → 26,
// 9,962 B of payloads → 4,733 B; with the share rules and the codec's
// dictionary, 25 events and 1,923 B: README, "The history within 2 KB").
// Running executions that began with activities keep them (GetVersion).
func execute(ctx workflow.Context, activity any, args ...any) workflow.Future {
	if workflow.GetVersion(ctx, versionLocalActivities, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return workflow.ExecuteActivity(actx(ctx), activity, args...)
	}
	return workflow.ExecuteLocalActivity(lactx(ctx), activity, args...)
}

// Timeouts and retries of the procedures' own activities, chosen for
// recovery after a crash. An attempt is one transaction (milliseconds; a
// second under load), so 10 s is ample and bounds how long a lost attempt
// (its worker killed, its completion lost with a killed Temporal server)
// holds the procedure before the retry. Retries back off from 1 s to at most
// 10 s, so a procedure resumes within about 10 s of its database coming
// back, and they never stop: the procedure waits for the database rather than
// failing. A local activity whose worker dies is run again when its workflow
// task times out (the worker's workflow task timeout, 10 s by default).
const (
	activityAttempt     = 10 * time.Second
	activityFirstRetry  = time.Second
	activityLongestWait = 10 * time.Second
)

// retry is the retry policy of the procedures' own activities.
func retry() *temporal.RetryPolicy {
	return &temporal.RetryPolicy{InitialInterval: activityFirstRetry, BackoffCoefficient: 2, MaximumInterval: activityLongestWait}
}

// actx gives activities (those of histories from before local activities)
// their timeouts and retries.
func actx(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: activityAttempt, RetryPolicy: retry()})
}

// lactx gives local activities the same timeouts and retries.
func lactx(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: activityAttempt, RetryPolicy: retry()})
}

func upsertDue(ctx workflow.Context, due time.Time, overdue bool) error {
	if err := workflow.UpsertTypedSearchAttributes(ctx, AttrDueAt.ValueSet(due), AttrOverdue.ValueSet(overdue)); err != nil {
		return fmt.Errorf("upsert due time: %w", err)
	}
	return nil
}
