package workflows

import (
	"fmt"

	"github.com/cityapprovals/approvals/activities"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"go.temporal.io/sdk/workflow"
)

// ProcedureShare names the data-sharing request procedure.
const ProcedureShare = models.ProcedureShareRequest

// ShareInput starts a share request. Profile is the city's rules as they were
// at filing, so the history shows which rule applied.
type ShareInput struct {
	Request models.ShareRequest
	Item    models.CatalogItem
	Profile regulations.Profile
}

// ShareState is a share request as its workflow sees it.
type ShareState struct {
	Header
	Basis string `json:"basis,omitempty"`
}

// ShareRequest runs a department's request for another department's data
// (procedure 2): unconditional data is granted at once; conditional data waits
// for the decision of whoever the city names, within its working days, and on
// silence the city's rule applies (wuhan: deemed consent; elsewhere:
// supervision by the authority while the request keeps waiting).
func ShareRequest(ctx workflow.Context, in ShareInput) (ShareState, error) {
	r, p := in.Request, in.Profile
	rule := p.ShareRequest
	st := ShareState{Header: Header{ID: r.ID, Status: models.StatusPending}}
	if err := publish(ctx, &st, func() bool { return st.Filed }); err != nil {
		return st, err
	}
	box, err := newInbox(ctx, ProcedureShare, r.Jurisdiction, &st.Header, p)
	if err != nil {
		return st, err
	}
	finish := func(status, basis, article string, out StepOutcome) (ShareState, error) {
		st.Status = status
		st.Basis = basis
		st.Article = article
		st.Overdue = out.Overdue
		err := workflow.ExecuteActivity(actx(ctx), acts.FinishShareRequest, activities.FinishShareInput{
			ID: r.ID, Status: status, Basis: basis, Reason: out.Reason, LegalBasis: out.LegalBasis,
			Conditions: out.Conditions, Article: article, At: workflow.Now(ctx),
		}).Get(ctx, nil)
		if err != nil {
			return st, fmt.Errorf("finish %s: %w", r.ID, err)
		}
		st.Filed = true // an unconditional grant answers the filed Update only now
		return st, conclude(ctx, box, status)
	}

	if in.Item.ShareType == models.ShareUnconditional {
		r.Status = models.StatusPending
		r.Article = rule.UnconditionalArticle
		if err := workflow.ExecuteActivity(actx(ctx), acts.RecordShareRequest, r).Get(ctx, nil); err != nil {
			return st, fmt.Errorf("record %s: %w", r.ID, err)
		}
		return finish(models.StatusGranted, models.BasisUnconditional, rule.UnconditionalArticle, StepOutcome{})
	}

	due, err := box.Deadline(ctx, "decision", rule.Decision, r.FiledAt)
	if err != nil {
		return st, err
	}
	r.Status = models.StatusPending
	r.Article = rule.Decision.Article
	r.DueDate = due.DueDate
	r.DueAt = &due.DueAt
	r.Provisional = due.Provisional
	r.CalendarVersion = due.CalendarVersion
	if err := workflow.ExecuteActivity(actx(ctx), acts.RecordShareRequest, r).Get(ctx, nil); err != nil {
		return st, fmt.Errorf("record %s: %w", r.ID, err)
	}
	st.due(due)
	st.Article = rule.Decision.Article

	var who []Assignee
	for _, role := range rule.Deciders {
		if role == regulations.RoleProvider {
			who = append(who, Assignee{Role: regulations.RoleDepartment, Dept: r.ProviderDept})
		} else {
			who = append(who, Assignee{Role: role})
		}
	}
	out, err := box.Run(ctx, StepSpec{
		Name:      "decision",
		Assignees: who,
		Period:    rule.Decision,
		From:      r.FiledAt,
		Due:       due,
		Silence:   p.ShareSilence(),
		Refusal:   rule.RefusalRequires,
	})
	if err != nil {
		return st, err
	}
	switch out.Decision {
	case DecisionApprove:
		return finish(models.StatusGranted, models.BasisDecision, rule.Decision.Article, out)
	case OutcomeDeemedConsent:
		return finish(models.StatusGranted, models.BasisDeemedConsent, rule.SilenceArticle, out)
	default:
		return finish(models.StatusRejected, "", rule.RefusalArticle, out)
	}
}
