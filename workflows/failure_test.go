package workflows_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/activities"
	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
)

// failing is a share request whose recording meets PostgreSQL's refusal of a
// NUL byte on every attempt, run with the workers' interceptors.
func failing(t *testing.T, name string) *harness {
	h := newHarness(t, "xiamen", models.ShareConditional, bj(2026, 3, 2, 9, 0))
	h.in.Request.WorkflowID = reqID
	h.env.SetWorkerOptions(workflows.Options(worker.Options{}))
	h.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: reqID, TaskQueue: workflows.TaskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(workflows.AttrProcedure.ValueSet(workflows.ProcedureShare))})
	// The activity under its registered name, failing as PostgreSQL does
	// (a mock would bypass the worker's interceptors).
	h.env.RegisterActivityWithOptions(func(context.Context, models.ShareRequest) error {
		return fmt.Errorf("record: %w", &pgconn.PgError{Code: "22021", Message: `invalid byte sequence for encoding "UTF8": 0x00`})
	}, activity.RegisterOptions{Name: name, DisableAlreadyRegisteredCheck: true})
	return h
}

// An activity error that retrying cannot cure ends the procedure visibly:
// the workflow fails at once (no retry loop), with a failed event carrying
// the message and the failed status as search attribute.
func TestPermanentErrorFailsProcedureVisibly(t *testing.T) {
	h := failing(t, "RecordShareRequest")
	h.env.SetTestTimeout(20 * time.Second)
	h.env.ExecuteWorkflow(workflows.ShareRequest, h.in)
	require.True(t, h.env.IsWorkflowCompleted(), "the workflow wedged")
	err := h.env.GetWorkflowError()
	require.Error(t, err)
	msg, ok := activities.IsPermanent(err)
	require.True(t, ok, "not a permanent error: %v", err)
	require.Contains(t, msg, "invalid byte sequence")
	var ev models.Event
	require.NoError(t, h.db.First(&ev, "procedure_id = ? AND kind = ?", reqID, models.StatusFailed).Error)
	require.Contains(t, ev.Detail, "invalid byte sequence")
}

// A decision that cannot be stored gets an error answer at once, the task
// stays open, and the next decision decides the procedure.
func TestPermanentErrorRefusesDecision(t *testing.T) {
	filed := bj(2026, 3, 2, 9, 0)
	h := newHarness(t, "xiamen", models.ShareConditional, filed)
	h.env.SetWorkerOptions(workflows.Options(worker.Options{}))
	real := &activities.Activities{DB: h.db, Calendars: models.NewCalendarStore(h.db), Calendar: holidays.Default, Records: workflows.Records()}
	h.env.RegisterActivityWithOptions(func(ctx context.Context, in activities.CloseTaskInput) error {
		if strings.ContainsRune(in.Reason, 0) {
			return fmt.Errorf("close task: %w", &pgconn.PgError{Code: "22021", Message: `invalid byte sequence for encoding "UTF8": 0x00`})
		}
		return real.CloseTask(ctx, in)
	}, activity.RegisterOptions{Name: "CloseTask", DisableAlreadyRegisteredCheck: true})
	bad := workflows.Decision{TaskID: deptTask, Decision: workflows.DecisionReject, Reason: "a\x00b", LegalBasis: "依据", Actor: provAct()}
	poisoned := h.decideAt(filed.Add(time.Hour), bad)
	dept := h.decideAt(filed.Add(2*time.Hour), approve(deptTask, provAct()))
	auth := h.decideAt(filed.Add(3*time.Hour), approve(authTask, authAct("xiamen")))
	h.env.SetTestTimeout(20 * time.Second)
	st := h.run()

	require.True(t, poisoned.completed, "the poisoned decision got no answer")
	var app *temporal.ApplicationError
	require.ErrorAs(t, poisoned.err, &app)
	require.Equal(t, workflows.ErrInvalid, app.Type(), "%v", poisoned.err)
	require.Contains(t, app.Message(), "cannot be recorded")
	requireAccepted(t, dept, deptTask, workflows.DecisionApprove)
	requireAccepted(t, auth, authTask, workflows.DecisionApprove)
	require.Equal(t, models.StatusGranted, st.Status)
}
