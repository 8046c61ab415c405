package workflows

import (
	"fmt"

	"github.com/cityapprovals/approvals/regulations"
	"go.temporal.io/sdk/workflow"
)

// publish registers what every procedure shows the API: the state query, and
// the filed Update, which answers with the state once filed reports true (the
// procedure's record is written and its first tasks are open).
func publish[T any](ctx workflow.Context, st *T, filed func() bool) error {
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (T, error) { return *st, nil }); err != nil {
		return fmt.Errorf("register query: %w", err)
	}
	if err := workflow.SetUpdateHandler(ctx, UpdateFiled, func(ctx workflow.Context) (T, error) {
		err := workflow.Await(ctx, filed)
		return *st, err
	}); err != nil {
		return fmt.Errorf("register update: %w", err)
	}
	return nil
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
