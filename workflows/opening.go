package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cityapprovals/approvals/activities"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"go.temporal.io/sdk/workflow"
)

// ProcedureOpeningReview names the review before data is opened.
const ProcedureOpeningReview = models.ProcedureOpeningReview

// Outcomes of a review the authority ordered (leshan 第二十三条).
const (
	DecisionPass = "pass" // the review finds no obstacle to opening
	DecisionFail = "fail" // the review finds one: the data cannot be opened as proposed
)

// OpeningReviewInput starts an opening review: the department's proposal
// (its BaseVersion the item's version when filed) and the city's rules then.
type OpeningReviewInput struct {
	Review  models.OpeningReview
	Profile regulations.Profile
}

// OpeningReviewResult is an opening review as its workflow sees it.
type OpeningReviewResult struct {
	Header
	Reviews string `json:"reviews,omitempty"`
}

// OpeningReview runs the review before data is opened (leshan): not-open
// data is filed with the authority on its basis (第二十一条第四款); data
// proposed open is reviewed by the authority (第二十二条第二款), which orders
// the reviews it finds needed (第二十三条: legality, expert panel, secrecy,
// privacy), each a step with its own reviewer and outcome, and then approves,
// setting the conditions of conditional opening (第二十一条第三款), or
// refuses. Data proposed open in the public interest is approved with the
// authority's reasons (第二十四条第三款). An approval or a filing applies the
// open type to the catalog as a new item version.
func OpeningReview(ctx workflow.Context, in OpeningReviewInput) (OpeningReviewResult, error) {
	if in.Profile.OpeningReview == nil {
		return OpeningReviewResult{}, errors.New("the profile of " + in.Review.Jurisdiction + " has no opening review")
	}
	w := &openingReview{r: in.Review, rule: *in.Profile.OpeningReview}
	w.r.Status, w.r.Article = models.OpeningPending, w.rule.Article
	w.init(in.Profile, &w.st.Header, acts.UpdateOpeningReview, w.r.ID, models.OpeningPending, w.rule.Article)
	return w.launch(ctx, ProcedureOpeningReview, w.r.Jurisdiction, acts.RecordOpeningReview, w.r, w.run)
}

// openingReview is one run of the OpeningReview workflow.
type openingReview struct {
	r    models.OpeningReview
	rule regulations.OpeningReviewRule
	stepRun[OpeningReviewResult, activities.UpdateOpeningReviewInput, *activities.UpdateOpeningReviewInput]
	// done are the reviews ordered so far, with their outcomes.
	done []reviewOutcome
}

// reviewOutcome is a review the authority ordered and what it found.
type reviewOutcome struct {
	name, decision, reason string
}

// run takes the path of the proposed open type and applies its outcome.
func (w *openingReview) run(ctx workflow.Context) (OpeningReviewResult, error) {
	auth := Assignee{Role: regulations.RoleAuthority}
	if w.r.ProposedOpenType == models.OpenNotOpen {
		// 第二十一条第四款: not-open data cites its basis and is filed.
		period := w.rule.Review
		period.Article = w.rule.NotOpenArticle
		out, err := w.step(ctx, StepSpec{Name: "filing", Assignees: []Assignee{auth}, Period: period, Decisions: []string{DecisionAcknowledge}})
		if err != nil {
			return w.st, err
		}
		return w.apply(ctx, out, "")
	}
	for round := 1; ; round++ {
		name := "authority-review"
		if round > 1 {
			name = fmt.Sprintf("authority-review-%d", round)
		}
		out, err := w.step(ctx, w.authorityReview(name))
		if err != nil {
			return w.st, err
		}
		switch out.Decision {
		case DecisionReject:
			return w.st, w.end(ctx, models.OpeningRefused, out.Reason, "refused", out.DecidedBy, nil)
		case DecisionApprove:
			return w.apply(ctx, out, out.Conditions)
		}
		if err := w.review(ctx, out.Decision); err != nil {
			return w.st, err
		}
	}
}

// authorityReview is the authority's review (第二十二条第二款) as step name:
// it approves, refuses, or orders one of the reviews not yet ordered
// (第二十三条). It cannot approve over a failed review; approving
// conditional opening sets its conditions (第二十一条第三款); approving
// data proposed in the public interest gives the authority's reasons
// (第二十四条第三款).
func (w *openingReview) authorityReview(name string) StepSpec {
	decisions := []string{DecisionApprove, DecisionReject}
	for _, r := range w.rule.ReviewNames() {
		if !slices.ContainsFunc(w.done, func(o reviewOutcome) bool { return o.name == r }) {
			decisions = append(decisions, r)
		}
	}
	spec := StepSpec{Name: name, Assignees: []Assignee{{Role: regulations.RoleAuthority}}, Period: w.period(w.rule.Review, w.rule.Article),
		Decisions: decisions}
	if w.r.PublicInterest {
		spec.ReasonRequired = []string{DecisionApprove}
	}
	spec.Check = func(d Decision) error {
		if d.Decision != DecisionApprove {
			return nil
		}
		for _, o := range w.done {
			if o.decision == DecisionFail {
				return fmt.Errorf("the %s failed (%s): the data cannot be opened as proposed; refuse it", o.name, o.reason)
			}
		}
		if w.r.ProposedOpenType == models.OpenConditional && strings.TrimSpace(d.Conditions) == "" {
			return fmt.Errorf("conditions: the authority sets the conditions of conditional opening (%s)", w.rule.ConditionsArticle)
		}
		return nil
	}
	return spec
}

// period is p, citing article where the profile gives the period none (a
// platform rule's period still shows what it is for).
func (w *openingReview) period(p regulations.Period, article string) regulations.Period {
	if p.Article == "" {
		p.Article = article
	}
	return p
}

// review runs the review name the authority ordered, by its own reviewer,
// and records its outcome.
func (w *openingReview) review(ctx workflow.Context, name string) error {
	rs, ok := w.rule.ReviewStep(name)
	if !ok {
		return fmt.Errorf("unknown review %s", name)
	}
	out, err := w.step(ctx, StepSpec{Name: name, Assignees: []Assignee{{Role: rs.Reviewer}}, Period: w.period(rs.Period, rs.Article),
		Decisions: []string{DecisionPass, DecisionFail}, ReasonRequired: []string{DecisionFail}})
	if err != nil {
		return err
	}
	w.done = append(w.done, reviewOutcome{name: name, decision: out.Decision, reason: out.Reason})
	parts := make([]string, len(w.done))
	for i, o := range w.done {
		parts[i] = o.name + ": " + o.decision
	}
	u := w.rec.last
	u.Step = ""
	u.Reviews = strings.Join(parts, "; ")
	u.Event = "review_" + out.Decision
	u.Key = name
	u.Actor = out.DecidedBy
	u.Article = rs.Article
	u.Note = out.Reason
	if err := w.rec.update(ctx, u); err != nil {
		return err
	}
	w.rec.last.Article = w.rule.Article
	w.st.Reviews = u.Reviews
	return nil
}

// step records the open step and runs it.
func (w *openingReview) step(ctx workflow.Context, spec StepSpec) (StepOutcome, error) {
	spec.From = workflow.Now(ctx)
	if err := w.rec.show(ctx, spec.Name); err != nil {
		return StepOutcome{}, err
	}
	return w.box.Run(ctx, spec)
}

// apply gives the item its new open type (and, for not-open data, its
// basis) as the outcome out decided, with conditions the authority set.
func (w *openingReview) apply(ctx workflow.Context, out StepOutcome, conditions string) (OpeningReviewResult, error) {
	u := w.rec.last
	u.Status = models.OpeningApplied
	u.Step = ""
	u.Event = "applied"
	u.Key = "outcome"
	u.Actor = out.DecidedBy
	u.Note = out.Reason
	u.Conditions = conditions
	u.Final = true
	if w.r.PublicInterest {
		u.Article = w.rule.PublicInterestArticle
	}
	basis := ""
	if w.r.ProposedOpenType == models.OpenNotOpen {
		basis = w.r.LegalBasis
		u.Article = w.rule.NotOpenArticle
	}
	u.At = workflow.Now(ctx)
	var res activities.ItemEditResult
	err := execute(ctx, acts.ApplyOpeningReview, activities.ApplyOpeningReviewInput{
		Update: u, ItemID: w.r.CatalogItemID, BaseVersion: w.r.BaseVersion, OpenType: w.r.ProposedOpenType, LegalBasis: basis,
	}).Get(ctx, &res)
	if err != nil {
		return w.st, fmt.Errorf("apply %s: %w", w.r.ID, err)
	}
	w.rec.last = u
	w.st.Step = ""
	w.st.Status = models.OpeningApplied
	if !res.Applied {
		w.st.Status = models.OpeningConflict
	}
	return w.st, conclude(ctx, w.box, w.st.Status)
}
