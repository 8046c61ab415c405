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

// ShareResult is a share request as its workflow sees it.
type ShareResult struct {
	Header
	Basis string `json:"basis,omitempty"`
}

// ShareRequest runs a department's request for another department's data
// (procedure 2): unconditional data is granted at once; conditional data waits
// for the decision of whoever the city names, within its working days, and on
// silence the city's rule applies (wuhan: deemed consent; elsewhere:
// supervision by the authority while the request keeps waiting).
func ShareRequest(ctx workflow.Context, in ShareInput) (ShareResult, error) {
	w := &shareRequest{r: in.Request, item: in.Item, p: in.Profile, rule: in.Profile.ShareRequest}
	w.st = ShareResult{Header: Header{ID: w.r.ID, Status: models.StatusPending}}
	var err error
	if w.box, err = begin(ctx, ProcedureShare, w.r.Jurisdiction, w.p, &w.st, &w.st.Header, nil); err != nil {
		return w.st, err
	}
	if w.item.ShareType == models.ShareUnconditional {
		return w.unconditional(ctx)
	}
	return w.conditional(ctx)
}

// shareRequest is one run of the ShareRequest workflow: the request, the
// item requested, the city's rule and the state the API sees.
type shareRequest struct {
	r    models.ShareRequest
	item models.CatalogItem
	p    regulations.Profile
	rule regulations.ShareRule
	st   ShareResult
	box  *inbox
}

// unconditional grants unconditional data at once.
func (w *shareRequest) unconditional(ctx workflow.Context) (ShareResult, error) {
	w.r.Status = models.StatusPending
	w.r.Article = w.rule.UnconditionalArticle
	if err := record(ctx, acts.RecordShareRequest, w.r.ID, w.r); err != nil {
		return w.st, err
	}
	return w.finish(ctx, models.StatusGranted, models.BasisUnconditional, w.rule.UnconditionalArticle, StepOutcome{})
}

// conditional waits for the deciders the city names, or its rule on silence.
func (w *shareRequest) conditional(ctx workflow.Context) (ShareResult, error) {
	due, err := w.box.Deadline(ctx, "decision", w.rule.Decision.WorkingDays, w.r.FiledAt)
	if err != nil {
		return w.st, err
	}
	w.r.Status = models.StatusPending
	w.r.Article = w.rule.Decision.Article
	w.r.DueDate = due.DueDate
	w.r.DueAt = &due.DueAt
	w.r.Provisional = due.Provisional
	w.r.CalendarVersion = due.CalendarVersion
	if err := record(ctx, acts.RecordShareRequest, w.r.ID, w.r); err != nil {
		return w.st, err
	}
	w.st.due(due)
	w.st.Article = w.rule.Decision.Article
	out, err := w.box.Run(ctx, StepSpec{
		Name:      "decision",
		Assignees: w.deciders(),
		Period:    w.rule.Decision,
		From:      w.r.FiledAt,
		Due:       due,
		Silence:   w.p.ShareSilence(),
		Refusal:   w.rule.RefusalRequires,
	})
	if err != nil {
		return w.st, err
	}
	switch out.Decision {
	case DecisionApprove:
		return w.finish(ctx, models.StatusGranted, models.BasisDecision, w.rule.Decision.Article, out)
	case OutcomeDeemedConsent:
		return w.finish(ctx, models.StatusGranted, models.BasisDeemedConsent, w.rule.SilenceArticle, out)
	default:
		return w.finish(ctx, models.StatusRejected, "", w.rule.RefusalArticle, out)
	}
}

// deciders are who decide the request in the city.
func (w *shareRequest) deciders() []Assignee {
	var who []Assignee
	for _, role := range w.rule.Deciders {
		if role == regulations.RoleProvider {
			who = append(who, Assignee{Role: regulations.RoleDepartment, Dept: w.r.ProviderDept})
		} else {
			who = append(who, Assignee{Role: role})
		}
	}
	return who
}

// finish records the request's outcome under article and concludes.
func (w *shareRequest) finish(ctx workflow.Context, status, basis, article string, out StepOutcome) (ShareResult, error) {
	w.st.Status = status
	w.st.Basis = basis
	w.st.Article = article
	w.st.Overdue = out.Overdue
	err := execute(ctx, acts.FinishShareRequest, activities.FinishShareInput{
		ID: w.r.ID, Status: status, Basis: basis, Reason: out.Reason, LegalBasis: out.LegalBasis,
		Conditions: out.Conditions, Article: article, At: workflow.Now(ctx),
	}).Get(ctx, nil)
	if err != nil {
		return w.st, fmt.Errorf("finish %s: %w", w.r.ID, err)
	}
	w.st.Filed = true // an unconditional grant answers the filed Update only now
	return w.st, conclude(ctx, w.box, status)
}
