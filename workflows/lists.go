package workflows

import (
	"fmt"

	"github.com/cityapprovals/approvals/activities"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"go.temporal.io/sdk/workflow"
)

// ProcedureYearlyList names the yearly list procedure.
const ProcedureYearlyList = models.ProcedureYearlyList

// Decisions on a yearly list.
const (
	DecisionConfirm = "confirm" // the authority confirms the list (确认)
	DecisionReturn  = "return"  // the authority returns it, with the reason, to be compiled anew
)

// YearlyListInput starts a yearly list; Profile is the city's rules at
// filing.
type YearlyListInput struct {
	List    models.YearlyList
	Profile regulations.Profile
}

// YearlyListResult is a yearly list as its workflow sees it.
type YearlyListResult struct {
	Header
}

// YearlyList takes a department's yearly list to the authority's
// confirmation (changsha 第二十五条: 汇总、确认; leshan 第三十九条(六), whose
// confirmation is a platform rule): the authority confirms it or returns it
// with its reason. An overdue confirmation is supervised like every task.
func YearlyList(ctx workflow.Context, in YearlyListInput) (YearlyListResult, error) {
	l, p := in.List, in.Profile
	st := YearlyListResult{Header: Header{ID: l.ID, Status: models.ListPending}}
	box, err := begin(ctx, ProcedureYearlyList, l.Jurisdiction, p, &st, &st.Header, nil)
	if err != nil {
		return st, err
	}
	if p.YearlyLists == nil {
		return st, fmt.Errorf("%s has no yearly lists", p.Document)
	}
	per := p.YearlyLists.Confirmation
	l.Status, l.Step, l.Article, l.Statutory = models.ListPending, "confirmation", per.Article, per.Statutory
	if err := record(ctx, acts.RecordYearlyList, l.ID, l); err != nil {
		return st, err
	}
	out, err := box.Run(ctx, StepSpec{
		Name:           "confirmation",
		Assignees:      []Assignee{{Role: regulations.RoleAuthority}},
		Period:         per,
		From:           l.FiledAt,
		Decisions:      []string{DecisionConfirm, DecisionReturn},
		ReasonRequired: []string{DecisionReturn},
	})
	if err != nil {
		return st, err
	}
	status := models.ListConfirmed
	if out.Decision == DecisionReturn {
		status = models.ListReturned
	}
	if err := execute(ctx, acts.ConcludeYearlyList, activities.ConcludeYearlyListInput{
		ID: l.ID, Status: status, Reason: out.Reason, DecidedBy: out.DecidedBy, Article: per.Article, At: out.At,
	}).Get(ctx, nil); err != nil {
		return st, fmt.Errorf("conclude %s: %w", l.ID, err)
	}
	st.Status, st.Step = status, "done"
	return st, conclude(ctx, box, status)
}
