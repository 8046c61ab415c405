package workflows

import (
	"errors"
	"fmt"
	"time"

	"github.com/cityapprovals/approvals/activities"
	"github.com/cityapprovals/approvals/models"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Options adds to a worker's options what every approvals worker needs: one
// interceptor (failures) that makes the errors of activities that retrying
// cannot cure non-retryable (activities.Interceptor) and ends a procedure
// failing on one visibly (failed status, event, search attribute).
func Options(o worker.Options) worker.Options {
	o.Interceptors = append(o.Interceptors, &failures{})
	return o
}

// versionFailed guards the recording of a procedure's failure (GetVersion):
// a history recorded before it existed ended with the workflow's error and
// nothing else, and replays so (DefaultVersion).
const versionFailed = "record-failure"

// failures is the worker's interceptor: activities' errors pass through
// activities.Interceptor, and a procedure's failure is recorded.
type failures struct {
	activities.Interceptor
}

// InterceptWorkflow wraps each workflow.
func (*failures) InterceptWorkflow(ctx workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	return &recordFailure{WorkflowInboundInterceptorBase: interceptor.WorkflowInboundInterceptorBase{Next: next}}
}

type recordFailure struct {
	interceptor.WorkflowInboundInterceptorBase
}

// ExecuteWorkflow runs the workflow; when a procedure's workflow ends with an
// error (an activity's permanent error, an input that cannot be encoded),
// it records the failure before the workflow fails: the record's status and
// the ApprovalStatus search attribute become failed, open tasks are
// cancelled, and a "failed" event carries the message.
func (r *recordFailure) ExecuteWorkflow(ctx workflow.Context, in *interceptor.ExecuteWorkflowInput) (any, error) {
	out, err := r.Next.ExecuteWorkflow(ctx, in)
	if err == nil || workflow.IsContinueAsNewError(err) || temporal.IsCanceledError(err) || ctx.Err() != nil {
		return out, err
	}
	proc, _ := workflow.GetTypedSearchAttributes(ctx).GetKeyword(AttrProcedure) // "" for a re-timing job
	if workflow.GetVersion(ctx, versionFailed, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return out, err
	}
	id := workflow.GetInfo(ctx).WorkflowExecution.ID
	msg := err.Error()
	var app *temporal.ApplicationError
	if errors.As(err, &app) && app.Type() == activities.ErrPermanent {
		msg = fmt.Sprintf("%s (the input cannot be stored; retrying would not help)", msg)
	}
	// A few attempts only: the failure is recorded if the database can take
	// it; the workflow fails in any case.
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: 10},
	})
	if rerr := workflow.ExecuteActivity(actx, acts.RecordFailure, activities.FailureInput{
		Procedure: proc, ProcedureID: id, Message: msg, At: workflow.Now(ctx),
	}).Get(ctx, nil); rerr != nil {
		workflow.GetLogger(ctx).Error("failure not recorded", "procedure", id, "error", rerr)
	}
	if uerr := workflow.UpsertTypedSearchAttributes(ctx, AttrStatus.ValueSet(models.StatusFailed)); uerr != nil {
		workflow.GetLogger(ctx).Error("failed status not set", "procedure", id, "error", uerr)
	}
	return out, err
}
