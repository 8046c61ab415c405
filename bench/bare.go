package bench

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// The bare-SDK baseline: a workflow with the steps of a share request's
// lifecycle and nothing else — the filed Update (update-with-start), three
// activities, a reminder and a due timer, the decide Update, three more
// activities — on a task queue of its own on the same server. Its activities
// do no work, so the ratio to it is the project's whole overhead.
const (
	bareQueue    = "approvals-bench-bare"
	bareFiled    = "filed"
	bareDecide   = "decide"
	bareActivity = "BareStep"
)

// BareLifecycle is the baseline workflow.
func BareLifecycle(ctx workflow.Context, id string) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second})
	filed, decided := false, ""
	if err := workflow.SetUpdateHandler(ctx, bareFiled, func(ctx workflow.Context) (string, error) {
		return id, workflow.Await(ctx, func() bool { return filed })
	}); err != nil {
		return "", err
	}
	if err := workflow.SetUpdateHandler(ctx, bareDecide, func(ctx workflow.Context, d string) (string, error) {
		decided = d
		return d, nil
	}); err != nil {
		return "", err
	}
	step := func(name string) error {
		return workflow.ExecuteActivity(ctx, bareActivity, id, name).Get(ctx, nil)
	}
	for _, s := range []string{"deadline", "record", "open-task"} {
		if err := step(s); err != nil {
			return "", err
		}
	}
	filed = true
	tctx, cancel := workflow.WithCancel(ctx)
	remind := workflow.NewTimer(tctx, 9*24*time.Hour)
	due := workflow.NewTimer(tctx, 10*24*time.Hour)
	workflow.Go(ctx, func(ctx workflow.Context) {
		if due.Get(ctx, nil) == nil && decided == "" {
			decided = "silence"
		}
	})
	if err := workflow.Await(ctx, func() bool { return decided != "" }); err != nil {
		return "", err
	}
	_ = remind
	cancel()
	for _, s := range []string{"close-task", "finish", "event"} {
		if err := step(s); err != nil {
			return "", err
		}
	}
	return decided, nil
}

// BareStep is the baseline's activity: no work.
func BareStep(_ context.Context, _, _ string) error { return nil }

// startBareWorker runs the baseline's worker in this process.
func startBareWorker(tc client.Client) (worker.Worker, error) {
	w := worker.New(tc, bareQueue, worker.Options{})
	w.RegisterWorkflow(BareLifecycle)
	w.RegisterActivityWithOptions(BareStep, activity.RegisterOptions{Name: bareActivity})
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("start the bare-SDK worker: %w", err)
	}
	return w, nil
}

// bareFile starts a baseline lifecycle with its filed Update.
func bareFile(ctx context.Context, tc client.Client, id string) error {
	start := tc.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID: id, TaskQueue: bareQueue, WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, BareLifecycle, id)
	h, err := tc.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{UpdateName: bareFiled, WaitForStage: client.WorkflowUpdateStageCompleted}})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	if err != nil {
		return fmt.Errorf("bare file %s: %w", id, err)
	}
	return nil
}

// bareDecideOn sends the decide Update and waits for the lifecycle to end,
// as the project's decision answers once the grant is recorded.
func bareDecideOn(ctx context.Context, tc client.Client, id string) error {
	h, err := tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: bareDecide,
		Args: []any{"approve"}, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	if err == nil {
		err = tc.GetWorkflow(ctx, id, "").Get(ctx, nil)
	}
	if err != nil {
		return fmt.Errorf("bare decide %s: %w", id, err)
	}
	return nil
}
