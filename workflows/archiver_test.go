package workflows_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/activities"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// The archiver passes its watermark from pass to pass, keeps it when a pass
// fails, waits the interval the worker configures between passes, looks for
// expiring executions once an hour, and continues as new with its state.
func TestHistoryArchiverLoop(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(nopLogger{})
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(workflows.HistoryArchiver)
	env.RegisterActivity(&activities.Activities{})
	var acts *activities.Activities
	t0 := env.Now().UTC()
	type call struct {
		in activities.ArchivePassInput
		at time.Time
	}
	var calls []call
	env.OnActivity(acts.ArchiveClosed, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ArchivePassInput) (activities.ArchivePassResult, error) {
			calls = append(calls, call{in, env.Now()})
			n := len(calls)
			if n >= 2 && n <= 6 { // the second pass fails, all five attempts
				return activities.ArchivePassResult{}, errors.New("database unreachable")
			}
			return activities.ArchivePassResult{Watermark: t0.Add(time.Duration(n) * time.Hour), Archived: 2, Interval: 30 * time.Second}, nil
		})
	env.ExecuteWorkflow(workflows.HistoryArchiver, workflows.ArchiverState{})

	var can *workflow.ContinueAsNewError
	require.True(t, errors.As(env.GetWorkflowError(), &can), "err %v", env.GetWorkflowError())
	var next workflows.ArchiverState
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))

	require.True(t, calls[0].in.Since.IsZero(), "the first pass archives everything Temporal has")
	require.True(t, calls[0].in.CheckExpiring)
	for i := 1; i <= 5; i++ { // the failed pass's attempts
		require.Equal(t, t0.Add(time.Hour), calls[i].in.Since)
	}
	// After the failed pass (and the default interval) the watermark is
	// still the first pass's.
	require.Equal(t, t0.Add(time.Hour), calls[6].in.Since)
	require.Equal(t, t0.Add(7*time.Hour), calls[7].in.Since)
	require.Equal(t, 30*time.Second, calls[8].at.Sub(calls[7].at), "the configured interval between passes")
	expiring := 0
	for _, c := range calls {
		if c.in.CheckExpiring {
			expiring++
		}
	}
	span := calls[len(calls)-1].at.Sub(calls[0].at)
	require.InDelta(t, int(span/time.Hour)+1, expiring, 1, "an expiry check an hour over %s", span)

	last := len(calls)
	require.Equal(t, last-4, next.Passes, "a failed pass counts once, not per attempt")
	require.Equal(t, 1, next.Failures)
	require.Equal(t, 2*(last-5), next.Archived)
	require.Equal(t, t0.Add(time.Duration(last)*time.Hour), next.Watermark, "the state carries the watermark over")
	require.Equal(t, 30*time.Second, next.Interval)
	require.Empty(t, next.LastError)
}
