package workflows

import (
	"fmt"
	"time"

	"github.com/cityapprovals/approvals/activities"
	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// ProcedureClassification names the share classification procedure.
const ProcedureClassification = models.ProcedureClassification

// Decisions of a periodic re-evaluation (leshan 第十五条).
const (
	DecisionKeep  = "keep"  // the classification still holds
	DecisionRelax = "relax" // the item gets its former share type back
)

// ClassificationInput starts a classification. Classification.BaseVersion is
// the item's version when it was submitted; Profile is the city's rules then.
type ClassificationInput struct {
	Classification models.Classification
	Profile        regulations.Profile
}

// ClassificationProposal is what a department proposes for one of its catalog
// items: the share type, conditions and legal basis, and why.
type ClassificationProposal struct {
	ID          string // the classification's ID and workflow ID
	Dept        string
	ShareType   string // conditional or not_shared
	Conditions  string
	LegalBasis  string
	Reason      string
	SubmittedBy string
	SubmittedAt time.Time
}

// NewClassificationInput builds the input of a Classification workflow for
// proposal pr on item as it is now (its version is the one the
// classification applies against, its share type the one it replaces) under
// the city's rules p. The API's POST /classifications and the catalog
// change that routes an item both use it.
func NewClassificationInput(item models.CatalogItem, pr ClassificationProposal, p regulations.Profile) ClassificationInput {
	return ClassificationInput{
		Classification: models.Classification{
			Header:            models.Header{ID: pr.ID, WorkflowID: pr.ID, Jurisdiction: item.Jurisdiction},
			CatalogItemID:     item.ID,
			Dept:              pr.Dept,
			ProposedShareType: pr.ShareType,
			PreviousShareType: item.ShareType,
			LegalBasis:        pr.LegalBasis,
			Conditions:        pr.Conditions,
			Reason:            pr.Reason,
			BaseVersion:       item.Version,
			SubmittedBy:       pr.SubmittedBy,
			SubmittedAt:       pr.SubmittedAt.UTC(),
		},
		Profile: p,
	}
}

// ClassificationResult is a classification as its workflow sees it.
type ClassificationResult struct {
	Header
	NextReevaluation string `json:"next_reevaluation,omitempty"`
}

// Classification runs a department's proposal to make one of its catalog
// items conditional or not shared (procedure 5) along the city's path:
// wuhan, authority review then government approval (第十六条); leshan, filing
// with the authority and a periodic re-evaluation by the department (第十四条、
// 第十五条); xiamen, the department's label stands unless the authority
// disagrees, when negotiation and then the city government decide through a
// dispute child workflow (第十五条、第十八条); weifang and changsha, the
// authority acknowledges under the service level. The item changes only when
// the path ends in approval or filing, as a new catalog version.
func Classification(ctx workflow.Context, in ClassificationInput) (ClassificationResult, error) {
	w := newClassification(in)
	w.c.Status, w.c.Path, w.c.Article = models.ClassificationPending, w.rule.Path, w.rule.Article
	return w.launch(ctx, ProcedureClassification, w.c.Jurisdiction, acts.RecordClassification, w.c, w.run)
}

// classification is one run of the Classification workflow: the proposal,
// the city's rule, the state the API sees and the record as last written.
type classification struct {
	c    models.Classification
	rule regulations.ClassificationRule
	// period is the period of every step: no text names one, so the
	// platform's service level applies.
	period regulations.Period
	// reevaluation is the period of a re-evaluation step, under the
	// re-evaluation's own article (leshan 第十五条).
	reevaluation regulations.Period
	stepRun[ClassificationResult, activities.UpdateClassificationInput, *activities.UpdateClassificationInput]
}

func newClassification(in ClassificationInput) *classification {
	w := &classification{c: in.Classification, rule: in.Profile.Classification}
	w.init(in.Profile, &w.st.Header, acts.UpdateClassification, w.c.ID, models.ClassificationPending, w.rule.Article)
	w.period = w.p.ServiceLevel(w.rule.Article, regulations.TextServiceLevel)
	w.reevaluation = w.period
	if w.rule.ReevaluationArticle != "" {
		w.reevaluation.Article = w.rule.ReevaluationArticle
	}
	return w
}

// run takes the city's path and applies its outcome; leshan's applied
// classifications are then re-evaluated periodically.
func (w *classification) run(ctx workflow.Context) (ClassificationResult, error) {
	out, refused, err := w.review(ctx)
	if err != nil || refused {
		return w.st, err
	}
	res, err := w.apply(ctx, 1, w.c.BaseVersion, models.CatalogItem{ShareType: w.c.ProposedShareType, ShareConditions: w.c.Conditions, LegalBasis: w.c.LegalBasis},
		models.ClassificationApplied, "applied", out.DecidedBy, "")
	if err != nil {
		return w.st, err
	}
	w.st.Step = ""
	if !res.Applied {
		w.st.Status = models.ClassificationConflict
		return w.st, conclude(ctx, w.box, w.st.Status)
	}
	w.st.Status = models.ClassificationApplied
	if w.rule.ReevaluationInterval() == 0 {
		return w.st, conclude(ctx, w.box, w.st.Status)
	}
	return w.reevaluate(ctx, res)
}

// review takes the city's path: it returns the outcome that lets the
// proposal apply, or refused once the refusal is recorded and concluded.
func (w *classification) review(ctx workflow.Context) (StepOutcome, bool, error) {
	auth := Assignee{Role: regulations.RoleAuthority}
	decide := []string{DecisionApprove, DecisionReject}
	path := w.rule.Path
	var out StepOutcome
	if !w.rule.NeedsPath(w.c.ProposedShareType) {
		// The city's text asks no approval for this share type (wuhan
		// 第十六条: only 不予共享 is reviewed and approved): it applies as
		// proposed. Inputs from before ApprovalFor carry none, and take
		// the path as they did.
		path = ""
		out.DecidedBy = "rule: " + w.rule.Article + " needs no approval for " + w.c.ProposedShareType
	}
	var steps []classStep
	switch path {
	case "":
		return out, false, nil
	case regulations.ClassAuthorityThenGovernment:
		steps = []classStep{{"authority-review", auth, decide}, {"government-approval", Assignee{Role: regulations.RoleGovernment}, decide}}
	case regulations.ClassFiling:
		steps = []classStep{{"filing", auth, []string{DecisionAcknowledge}}}
	case regulations.ClassAcknowledgement:
		steps = []classStep{{"acknowledgement", auth, []string{DecisionAcknowledge}}}
	case regulations.ClassLabelThenNegotiation:
		return w.label(ctx, auth, decide)
	default:
		return out, false, temporal.NewNonRetryableApplicationError("unknown classification path "+w.rule.Path, "bad_profile", nil)
	}
	for _, s := range steps {
		var err error
		if out, err = w.step(ctx, s.name, s.who, w.period, s.decisions); err != nil {
			return out, false, err
		}
		if out.Decision == DecisionReject {
			return out, true, w.end(ctx, models.ClassificationRefused, out.Reason, "refused", out.DecidedBy)
		}
	}
	return out, false, nil
}

// classStep is one step of a classification path.
type classStep struct {
	name      string
	who       Assignee
	decisions []string
}

// label is xiamen's path: the department's label stands unless the
// authority disagrees; then a dispute decides (第十八条).
func (w *classification) label(ctx workflow.Context, auth Assignee, decide []string) (StepOutcome, bool, error) {
	out, err := w.step(ctx, "authority-review", auth, w.period, decide)
	if err != nil || out.Decision != DecisionReject {
		return out, false, err
	}
	ruling, err := w.disagreement(ctx, out)
	if err != nil {
		return out, false, err
	}
	if ruling.Status != models.DisputeOverturned {
		return out, true, w.end(ctx, models.ClassificationRefused, "the authority's disagreement stands: "+out.Reason, "refused", "dispute "+ruling.ID)
	}
	out.DecidedBy = "dispute " + ruling.ID
	return out, false, nil
}

// step runs one human step of the path on the service level period.
func (w *classification) step(ctx workflow.Context, name string, who Assignee, period regulations.Period, decisions []string) (StepOutcome, error) {
	from := workflow.Now(ctx)
	due, err := w.box.Deadline(ctx, name, period.WorkingDays, from)
	if err != nil {
		return StepOutcome{}, err
	}
	if err := w.rec.show(ctx, name); err != nil {
		return StepOutcome{}, err
	}
	return w.box.Run(ctx, StepSpec{
		Name:      name,
		Assignees: []Assignee{who},
		Period:    period,
		From:      from,
		Due:       due,
		Decisions: decisions,
	})
}

// end records the classification's final status and concludes.
func (w *classification) end(ctx workflow.Context, status, note, kind, by string) error {
	w.st.NextReevaluation = ""
	return w.stepRun.end(ctx, status, note, kind, by, func(u *activities.UpdateClassificationInput) { u.NextReevaluation = "" })
}

// apply changes the item to to's share type, conditions and legal basis as
// round round against version base, recording status and an event kind.
func (w *classification) apply(ctx workflow.Context, round, base int, to models.CatalogItem, status, kind, by, note string) (activities.ItemEditResult, error) {
	u := w.rec.last
	u.Status = status
	u.Step = ""
	u.Event = kind
	u.Key = fmt.Sprintf("round-%d", round)
	u.Actor = by
	u.Note = note
	u.Final = true
	var res activities.ItemEditResult
	err := execute(ctx, acts.ApplyClassification, activities.ApplyClassificationInput{
		Update:          u,
		Round:           round,
		ItemID:          w.c.CatalogItemID,
		BaseVersion:     base,
		ShareType:       to.ShareType,
		ShareConditions: to.ShareConditions,
		LegalBasis:      to.LegalBasis,
	}).Get(ctx, &res)
	if err != nil {
		return res, fmt.Errorf("apply %s: %w", w.c.ID, err)
	}
	w.rec.last = u
	return res, nil
}

// reevaluate is leshan's 第十五条: the applied classification is re-evaluated
// periodically (the profile's interval; the text names none) by the
// department that holds the data, until one relaxes it or the text ends.
func (w *classification) reevaluate(ctx workflow.Context, res activities.ItemEditResult) (ClassificationResult, error) {
	version, prev := res.Version, res.Previous
	for round := 2; ; round++ {
		now := workflow.Now(ctx)
		next := now.In(holidays.Shanghai).AddDate(0, w.rule.ReevaluationInterval(), 0)
		// The re-evaluations end with the text (leshan's draft lives two
		// years from publication, as the deployment dates it): none is due
		// after valid_to. Older histories re-evaluated without end.
		if w.p.ValidTo != "" && next.Format(time.DateOnly) > w.p.ValidTo &&
			workflow.GetVersion(ctx, versionReevaluationEnds, workflow.DefaultVersion, 1) > workflow.DefaultVersion {
			return w.st, w.endReevaluations(ctx, round)
		}
		u := w.rec.last
		u.Status = models.ClassificationApplied
		u.Step = ""
		u.Event = ""
		u.NextReevaluation = next.Format(time.DateOnly)
		// The text names no interval: the record cites the re-evaluation's
		// article and says the interval is the profile's platform rule.
		u.Article = w.reevaluation.Article
		u.Note = w.rule.ReevaluationNote
		u.Final = false
		if err := w.rec.update(ctx, u); err != nil {
			return w.st, err
		}
		w.st.NextReevaluation = u.NextReevaluation
		if err := workflow.UpsertTypedSearchAttributes(ctx, AttrStatus.ValueSet(w.st.Status)); err != nil {
			return w.st, fmt.Errorf("upsert status: %w", err)
		}
		if err := w.box.Sleep(ctx, next.Sub(now)); err != nil {
			return w.st, err
		}
		name := fmt.Sprintf("reevaluation-%d", round-1)
		out, err := w.step(ctx, name, department(w.c.Dept), w.reevaluation, []string{DecisionKeep, DecisionRelax})
		if err != nil {
			return w.st, err
		}
		if out.Decision != DecisionRelax {
			u := w.rec.last
			u.Event = "kept"
			u.Key = name
			u.Actor = out.DecidedBy
			u.Note = out.Reason
			if err := w.rec.update(ctx, u); err != nil {
				return w.st, err
			}
			continue
		}
		res, err := w.apply(ctx, round, version, prev, models.ClassificationRelaxed, "relaxed", out.DecidedBy, out.Reason)
		if err != nil {
			return w.st, err
		}
		w.st.Status = models.ClassificationRelaxed
		w.st.Step = ""
		w.st.NextReevaluation = ""
		if !res.Applied {
			w.st.Status = models.ClassificationConflict
		}
		return w.st, conclude(ctx, w.box, w.st.Status)
	}
}

// endReevaluations records that no re-evaluation is due after the text ends.
func (w *classification) endReevaluations(ctx workflow.Context, round int) error {
	u := w.rec.last
	u.Event = "reevaluation_ended"
	u.Key = fmt.Sprintf("end-%d", round)
	u.Note = "no re-evaluation after the text ends on " + w.p.ValidTo
	u.NextReevaluation = ""
	u.Final = true
	if err := w.rec.update(ctx, u); err != nil {
		return err
	}
	w.st.NextReevaluation = ""
	return conclude(ctx, w.box, w.st.Status)
}

// versionReevaluationEnds marks the rule that leshan's periodic
// re-evaluation ends with the text's validity.
const versionReevaluationEnds = "reevaluation-ends"

// disagreement runs xiamen's path when the authority disagrees with a
// department's label (第十八条): negotiation between the two, recorded by the
// authority, then the city government decides; a Dispute child workflow of
// which "overturned" means the department's label stands.
func (w *classification) disagreement(ctx workflow.Context, out StepOutcome) (DisputeResult, error) {
	c, p := w.c, w.p
	id := "dp-" + c.ID
	u := w.rec.last
	u.Step = "dispute"
	u.DisputeID = id
	u.Event = "disputed"
	u.Key = "authority-review"
	u.Actor = out.DecidedBy
	u.Note = out.Reason
	if err := w.rec.update(ctx, u); err != nil {
		return DisputeResult{}, err
	}
	neg := w.period
	neg.Text = regulations.TextNegotiation
	gov := w.period
	gov.Text = regulations.TextGovernmentRuling
	levels := []regulations.Step{
		{Level: "negotiation", Actor: regulations.RoleAuthority, Period: neg},
		{Level: "government_ruling", Actor: regulations.RoleGovernment, Period: gov},
	}
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID: id, TaskQueue: TaskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			AttrJurisdiction.ValueSet(c.Jurisdiction), AttrProcedure.ValueSet(ProcedureDispute),
			AttrStatus.ValueSet(models.DisputePending), AttrProviderDept.ValueSet(c.Dept), AttrRequesterDept.ValueSet(c.Dept)),
	})
	var res DisputeResult
	child := workflow.ExecuteChildWorkflow(cctx, Dispute, DisputeInput{
		Dispute: models.Dispute{
			Header:        models.Header{ID: id, WorkflowID: id, Jurisdiction: c.Jurisdiction},
			Subject:       models.DisputeOfClassification,
			SubjectID:     c.ID,
			RequesterDept: c.Dept,
			ProviderDept:  c.Dept,
			FiledBy:       out.DecidedBy,
			Reason:        out.Reason,
			FiledAt:       workflow.Now(ctx),
		},
		Levels: levels, Profile: p,
	})
	// The authority's disagreement answers now, not after the dispute.
	err := w.box.Get(ctx, child, &res)
	if err != nil {
		return res, fmt.Errorf("dispute over %s: %w", c.ID, err)
	}
	return res, nil
}
