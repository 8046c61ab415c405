package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cityapprovals/approvals/activities"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// ArchiverID is the workflow ID of the one history archiver.
const ArchiverID = "history-archiver"

// QueryArchiver returns the archiver's ArchiverState.
const QueryArchiver = "archiver"

const (
	// passesPerArchiverRun bounds the history of one run of the archiver:
	// after that many passes it continues as new with its state.
	passesPerArchiverRun = 200
	// expiryCheckEvery is how often a pass also looks for executions about
	// to leave retention unarchived.
	expiryCheckEvery = time.Hour
)

// ArchiverState is the archiver's state, carried across continue-as-new.
type ArchiverState struct {
	// Watermark: every execution that closed before it is archived.
	Watermark time.Time
	// Interval between passes, as the last pass reported it from the
	// worker's configuration (activities.DefaultArchiveInterval before).
	Interval     time.Duration
	LastExpiring time.Time // when a pass last looked for expiring executions
	Passes       int       // passes done, failed ones included
	Failures     int       // passes that failed (the watermark stayed)
	Archived     int       // histories stored, in all
	LastError    string    `json:",omitempty"`
}

// HistoryArchiver copies every closed execution's history into the archive,
// forever: a pass (activity ArchiveClosed) archives what closed
// since the watermark and returns the new one, then the archiver sleeps for
// the configured interval. A pass heartbeats its page, so a crashed worker's
// pass resumes where it stopped; a pass that fails leaves the watermark where
// it was and the next one tries again. Its type is
// activities.ArchiverWorkflowType.
func HistoryArchiver(ctx workflow.Context, st ArchiverState) error {
	if st.Interval <= 0 {
		st.Interval = activities.DefaultArchiveInterval
	}
	if err := workflow.SetQueryHandler(ctx, QueryArchiver, func() (ArchiverState, error) { return st, nil }); err != nil {
		return fmt.Errorf("register query: %w", err)
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 6 * time.Hour,    // a first pass over a long retention may be long
		HeartbeatTimeout:    10 * time.Second, // how soon a crashed worker's pass is retried
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2,
			MaximumInterval: time.Minute, MaximumAttempts: 5},
	})
	log := workflow.GetLogger(ctx)
	for run := 0; ; run++ {
		if run == passesPerArchiverRun || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			return workflow.NewContinueAsNewError(ctx, HistoryArchiver, st)
		}
		now := workflow.Now(ctx)
		in := activities.ArchivePassInput{Since: st.Watermark, CheckExpiring: now.Sub(st.LastExpiring) >= expiryCheckEvery}
		var r activities.ArchivePassResult
		st.Passes++
		if err := workflow.ExecuteActivity(actx, acts.ArchiveClosed, in).Get(ctx, &r); err != nil {
			st.Failures++
			st.LastError = err.Error()
			log.Error("archiver pass failed; the watermark stays", "watermark", st.Watermark, "error", err)
		} else {
			st.Watermark, st.Archived, st.LastError = r.Watermark, st.Archived+r.Archived, ""
			if r.Interval > 0 {
				st.Interval = r.Interval
			}
			if in.CheckExpiring {
				st.LastExpiring = now
			}
			if r.Archived > 0 || r.Gone > 0 || r.Expiring > 0 {
				log.Info("archiver pass", "archived", r.Archived, "listed", r.Listed, "gone", r.Gone, "expiring", r.Expiring, "watermark", r.Watermark)
			}
		}
		if err := workflow.Sleep(ctx, st.Interval); err != nil {
			return err
		}
	}
}

// StartArchiver starts the history archiver unless it runs already.
func StartArchiver(ctx context.Context, c client.Client) error {
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: ArchiverID, TaskQueue: TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}, HistoryArchiver, ArchiverState{})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return fmt.Errorf("start the history archiver: %w", err)
	}
	return nil
}
