package workflows

import (
	"github.com/cityapprovals/approvals/activities"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// ProcedureAuthorityApproval names the authority approval procedure.
const ProcedureAuthorityApproval = models.ProcedureAuthorityApproval

// ApprovalInput starts an authority approval; Profile is the city's rules at
// filing.
type ApprovalInput struct {
	Approval models.AuthorityApproval
	Profile  regulations.Profile
}

// ApprovalResult is an authority approval as its workflow sees it.
type ApprovalResult struct {
	Header
	GrantConditions []string `json:"grant_conditions,omitempty"`
}

// AuthorityApproval runs a department's application for what its city's
// text allows only with approval, along the steps of the kind's rule
// (Profile.Approvals): changsha 第二十二条, the authority approves sharing off
// the platform; leshan 第三十条, the authority's expert risk assessment, then
// the city government's approval; xiamen 第七条, the authority confirms data
// that cannot be aggregated. Each step approves or rejects; a rejection ends
// it refused; after the last approval the rule's grant conditions are
// recorded on it. Each step's task shows the entry conditions declared and
// the conditions the grant will carry.
func AuthorityApproval(ctx workflow.Context, in ApprovalInput) (ApprovalResult, error) {
	rule, ok := in.Profile.Approvals[in.Approval.Kind]
	if !ok {
		return ApprovalResult{}, temporal.NewNonRetryableApplicationError(in.Profile.Document+" provides no "+in.Approval.Kind, "bad_profile", nil)
	}
	w := &approval{c: in.Approval, rule: rule}
	w.c.Status, w.c.Article = models.ApprovalPending, rule.Article
	w.init(in.Profile, &w.st.Header, acts.UpdateAuthorityApproval, w.c.ID, models.ApprovalPending, rule.Article)
	return w.launch(ctx, ProcedureAuthorityApproval, w.c.Jurisdiction, acts.RecordAuthorityApproval, w.c, w.run)
}

// approval is one run of the AuthorityApproval workflow.
type approval struct {
	c    models.AuthorityApproval
	rule regulations.ApprovalRule
	stepRun[ApprovalResult, activities.UpdateApprovalInput, *activities.UpdateApprovalInput]
}

// facts are what each step's task shows: the entry conditions declared and
// the conditions an approval carries.
func (w *approval) facts() []models.TaskFact {
	var out []models.TaskFact
	for _, c := range w.rule.EntryConditions {
		out = append(out, models.TaskFact{Name: "entry_condition", Value: "entry condition met (" + w.rule.EntryArticle + "): " + c.Text})
	}
	for _, c := range w.rule.GrantConditions {
		out = append(out, models.TaskFact{Name: "grant_condition", Value: "condition of the grant: " + c.Text})
	}
	return out
}

// run takes the rule's steps in order, then records the approval.
func (w *approval) run(ctx workflow.Context) (ApprovalResult, error) {
	var out StepOutcome
	for _, s := range w.rule.Steps {
		if err := w.rec.show(ctx, s.Name); err != nil {
			return w.st, err
		}
		var err error
		out, err = w.box.Run(ctx, StepSpec{
			Name:      s.Name,
			Assignees: []Assignee{{Role: s.Actor}},
			Period:    s.Period,
			From:      workflow.Now(ctx),
			Decisions: []string{DecisionApprove, DecisionReject},
			Facts:     w.facts(),
		})
		if err != nil {
			return w.st, err
		}
		if out.Decision == DecisionReject {
			return w.st, w.end(ctx, models.ApprovalRefused, out.Reason, "refused", out.DecidedBy, nil)
		}
	}
	grant := []string{}
	for _, c := range w.rule.GrantConditions {
		grant = append(grant, c.Text)
	}
	w.st.GrantConditions = grant
	return w.st, w.end(ctx, models.ApprovalApproved, out.Reason, "approved", out.DecidedBy, grant)
}

// end records the final status (and an approval's grant conditions) and
// concludes.
func (w *approval) end(ctx workflow.Context, status, note, kind, by string, grant []string) error {
	return w.stepRun.end(ctx, status, note, kind, by, func(u *activities.UpdateApprovalInput) { u.GrantConditions = grant })
}
