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

// ShareInput starts a share request. Rules are the city's rules for it as
// they were at filing, cut from the profile in force (whose version they
// name), so the history shows which rule applied, and Item is then the
// catalog item's ID, version and terms of sharing only (the rest is in the
// catalog's versions). Inputs of requests filed before Rules carry the whole
// Profile and item instead (and the bench's and the
// tests' may still); a request with Rules runs on them alone and answers its
// Updates and its end compactly (see compact).
type ShareInput struct {
	Request models.ShareRequest
	Item    models.CatalogItem
	Profile regulations.Profile     `json:",omitzero"`
	Rules   *regulations.ShareRules `json:",omitempty"`
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
	p := in.Profile
	if in.Rules != nil {
		p = in.Rules.Profile()
	}
	w := &shareRequest{r: in.Request, item: in.Item, p: p, rule: p.ShareRequest, compact: in.Rules != nil}
	w.st = ShareResult{Header: Header{ID: w.r.ID, Status: models.StatusPending}}
	var answer func() ShareResult
	if w.compact {
		answer = w.answer
	}
	var err error
	if w.box, err = beginAnswering(ctx, ProcedureShare, w.r.Jurisdiction, w.p, &w.st, &w.st.Header, nil, answer); err != nil {
		return w.answerOr(), err
	}
	w.box.compact = w.compact
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
	// compact: the input carried Rules (filed since issue 17's history
	// target), and the filed Update and the workflow's result carry only
	// the status and basis (answer): no reader takes more from them
	// (the API answers from the database and the state query). A request
	// filed before keeps answering with the whole state, as its history
	// recorded, so the decision on it is the input's, not a version marker.
	compact bool
}

// answer is the compact answer of the filed Update and the result.
func (w *shareRequest) answer() ShareResult {
	return ShareResult{Header: Header{Status: w.st.Status}, Basis: w.st.Basis}
}

// answerOr is the workflow's result: the compact answer, or the whole state
// for a request filed before Rules.
func (w *shareRequest) answerOr() ShareResult {
	if w.compact {
		return w.answer()
	}
	return w.st
}

// unconditional grants unconditional data at once.
func (w *shareRequest) unconditional(ctx workflow.Context) (ShareResult, error) {
	w.r.Status = models.StatusPending
	w.r.Article = w.rule.UnconditionalArticle
	if err := record(ctx, acts.RecordShareRequest, w.r.ID, w.r); err != nil {
		return w.answerOr(), err
	}
	return w.finish(ctx, models.StatusGranted, models.BasisUnconditional, w.rule.UnconditionalArticle, StepOutcome{})
}

// conditional waits for the deciders the city names, or its rule on silence.
func (w *shareRequest) conditional(ctx workflow.Context) (ShareResult, error) {
	deadline := w.box.Deadline
	if w.compact {
		deadline = w.box.DeadlineAndReminder
	}
	due, err := deadline(ctx, "decision", w.rule.Decision.WorkingDays, w.r.FiledAt)
	if err != nil {
		return w.answerOr(), err
	}
	w.r.Status = models.StatusPending
	w.r.Article = w.rule.Decision.Article
	w.r.DueDate = due.DueDate
	w.r.DueAt = &due.DueAt
	w.r.Provisional = due.Provisional
	w.r.CalendarVersion = due.CalendarVersion
	if err := record(ctx, acts.RecordShareRequest, w.r.ID, w.r); err != nil {
		return w.answerOr(), err
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
		return w.answerOr(), err
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
		return w.answerOr(), fmt.Errorf("finish %s: %w", w.r.ID, err)
	}
	w.st.Filed = true // an unconditional grant answers the filed Update only now
	return w.answerOr(), conclude(ctx, w.box, status)
}
