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
			ID: pr.ID, WorkflowID: pr.ID, Jurisdiction: item.Jurisdiction, CatalogItemID: item.ID, Dept: pr.Dept,
			ProposedShareType: pr.ShareType, PreviousShareType: item.ShareType, LegalBasis: pr.LegalBasis,
			Conditions: pr.Conditions, Reason: pr.Reason, BaseVersion: item.Version,
			SubmittedBy: pr.SubmittedBy, SubmittedAt: pr.SubmittedAt.UTC(),
		},
		Profile: p,
	}
}

// ClassificationState is a classification as its workflow sees it.
type ClassificationState struct {
	ID               string    `json:"id"`
	Status           string    `json:"status"`
	Step             string    `json:"step,omitempty"`
	DueDate          string    `json:"due_date,omitempty"`
	DueAt            time.Time `json:"due_at,omitzero"`
	Article          string    `json:"article"`
	Overdue          bool      `json:"overdue"`
	NextReevaluation string    `json:"next_reevaluation,omitempty"`
	Filed            bool      `json:"-"`
}

// Classification runs a department's proposal to make one of its catalog
// items conditional or not shared (procedure 5) along the city's path:
// wuhan, authority review then government approval (第十六条); leshan, filing
// with the authority and a yearly re-evaluation by the department (第十四条、
// 第十五条); xiamen, the department's label stands unless the authority
// disagrees, when negotiation and then the city government decide through a
// dispute child workflow (第十五条、第十八条); weifang and changsha, the
// authority acknowledges under the service level. The item changes only when
// the path ends in approval or filing, as a new catalog version.
func Classification(ctx workflow.Context, in ClassificationInput) (ClassificationState, error) {
	c, p := in.Classification, in.Profile
	rule := p.Classification
	// No text names a period for these steps: the platform's service level.
	period := p.ServiceLevel(rule.Article, regulations.TextServiceLevel)
	st := ClassificationState{ID: c.ID, Status: models.ClassificationPending, Article: rule.Article}
	if err := publish(ctx, &st, func() bool { return st.Filed }); err != nil {
		return st, err
	}
	box, err := newInbox(ctx, ProcedureClassification, c.ID, c.Jurisdiction, p)
	if err != nil {
		return st, err
	}
	c.Status, c.Path, c.Article = models.ClassificationPending, rule.Path, rule.Article
	if err := workflow.ExecuteActivity(actx(ctx), acts.RecordClassification, c).Get(ctx, nil); err != nil {
		return st, fmt.Errorf("record %s: %w", c.ID, err)
	}
	rec := activities.ClassificationUpdate{ID: c.ID, Status: models.ClassificationPending, Article: rule.Article}
	update := func(u activities.ClassificationUpdate) error {
		u.At = workflow.Now(ctx)
		rec = u
		if err := workflow.ExecuteActivity(actx(ctx), acts.UpdateClassification, u).Get(ctx, nil); err != nil {
			return fmt.Errorf("update %s: %w", c.ID, err)
		}
		return nil
	}
	step := func(name string, who Assignee, decisions []string) (StepOutcome, error) {
		from := workflow.Now(ctx)
		due, err := box.Deadline(ctx, name, period, from)
		if err != nil {
			return StepOutcome{}, err
		}
		u := rec
		u.Step, u.Event = name, ""
		if err := update(u); err != nil {
			return StepOutcome{}, err
		}
		out, err := box.Run(ctx, StepSpec{
			Name:      name,
			Assignees: []Assignee{who},
			Period:    period,
			From:      from,
			Due:       due,
			Decisions: decisions,
			Shown: func(due activities.Deadline) {
				st.Step, st.DueDate, st.DueAt = name, due.DueDate, due.DueAt
				st.Filed = true
			},
		})
		st.Overdue = st.Overdue || out.Overdue
		return out, err
	}
	end := func(status, note, kind, by string) (ClassificationState, error) {
		u := rec
		u.Status, u.Step, u.Note, u.Event, u.Key, u.Actor, u.Final, u.NextReevaluation = status, "", note, kind, "outcome", by, true, ""
		if err := update(u); err != nil {
			return st, err
		}
		st.Status, st.Step, st.NextReevaluation = status, "", ""
		return st, conclude(ctx, box, status)
	}
	apply := func(round, base int, shareType, conds, basis, status, kind, by, note string) (activities.ItemEdit, error) {
		u := rec
		u.Status, u.Step, u.Event, u.Key, u.Actor, u.Note, u.Final = status, "", kind, fmt.Sprintf("round-%d", round), by, note, true
		var res activities.ItemEdit
		err := workflow.ExecuteActivity(actx(ctx), acts.ApplyClassification, activities.ApplyClassificationInput{
			Update: u, Round: round, ItemID: c.CatalogItemID, BaseVersion: base,
			ShareType: shareType, ShareConditions: conds, LegalBasis: basis,
		}).Get(ctx, &res)
		if err != nil {
			return res, fmt.Errorf("apply %s: %w", c.ID, err)
		}
		rec = u
		return res, nil
	}

	auth := Assignee{Role: regulations.RoleAuthority}
	decide := []string{DecisionApprove, DecisionReject}
	var out StepOutcome
	path := rule.Path
	if !rule.NeedsPath(c.ProposedShareType) {
		// The city's text asks no approval for this share type (wuhan
		// 第十六条: only 不予共享 is reviewed and approved): it applies as
		// proposed. Inputs from before ApprovalFor carry none, and take
		// the path as they did.
		path, out.DecidedBy = "", "rule: "+rule.Article+" needs no approval for "+c.ProposedShareType
	}
	switch path {
	case "":
	case regulations.ClassAuthorityThenGovernment:
		if out, err = step("authority-review", auth, decide); err != nil {
			return st, err
		}
		if out.Decision == DecisionReject {
			return end(models.ClassificationRefused, out.Reason, "refused", out.DecidedBy)
		}
		if out, err = step("government-approval", Assignee{Role: regulations.RoleGovernment}, decide); err != nil {
			return st, err
		}
		if out.Decision == DecisionReject {
			return end(models.ClassificationRefused, out.Reason, "refused", out.DecidedBy)
		}
	case regulations.ClassFiling:
		if out, err = step("filing", auth, []string{DecisionAcknowledge}); err != nil {
			return st, err
		}
	case regulations.ClassAcknowledgement:
		if out, err = step("acknowledgement", auth, []string{DecisionAcknowledge}); err != nil {
			return st, err
		}
	case regulations.ClassLabelThenNegotiation:
		if out, err = step("authority-review", auth, decide); err != nil {
			return st, err
		}
		if out.Decision == DecisionReject {
			ruling, err := disagreement(ctx, box, c, p, period, out, update, rec)
			if err != nil {
				return st, err
			}
			if ruling.Status != models.DisputeOverturned {
				return end(models.ClassificationRefused, "the authority's disagreement stands: "+out.Reason, "refused", "dispute "+ruling.ID)
			}
			out.DecidedBy = "dispute " + ruling.ID
		}
	default:
		return st, temporal.NewNonRetryableApplicationError("unknown classification path "+rule.Path, "bad_profile", nil)
	}

	res, err := apply(1, c.BaseVersion, c.ProposedShareType, c.Conditions, c.LegalBasis, models.ClassificationApplied, "applied", out.DecidedBy, "")
	if err != nil {
		return st, err
	}
	if !res.Applied {
		st.Status, st.Step = models.ClassificationConflict, ""
		return st, conclude(ctx, box, st.Status)
	}
	st.Status, st.Step = models.ClassificationApplied, ""
	if rule.ReevaluationInterval() == 0 {
		return st, conclude(ctx, box, st.Status)
	}

	// Leshan 第十五条: the classification is re-evaluated periodically, once
	// a year (the text names no period), by the department that holds the data.
	version, prev := res.Version, res.Previous
	for round := 2; ; round++ {
		now := workflow.Now(ctx)
		next := now.In(holidays.Shanghai).AddDate(0, rule.ReevaluationInterval(), 0)
		// The re-evaluations end with the text (leshan's draft lives two
		// years from publication, as the deployment dates it): none is due
		// after valid_to. Older histories re-evaluated without end.
		if p.ValidTo != "" && next.Format(time.DateOnly) > p.ValidTo &&
			workflow.GetVersion(ctx, versionReevaluationEnds, workflow.DefaultVersion, 1) > workflow.DefaultVersion {
			u := rec
			u.Event, u.Key, u.Note, u.NextReevaluation, u.Final = "reevaluation_ended", fmt.Sprintf("end-%d", round), "no re-evaluation after the text ends on "+p.ValidTo, "", true
			if err := update(u); err != nil {
				return st, err
			}
			st.NextReevaluation = ""
			return st, conclude(ctx, box, st.Status)
		}
		u := rec
		u.Status, u.Step, u.Event, u.NextReevaluation, u.Final = models.ClassificationApplied, "", "", next.Format(time.DateOnly), false
		if err := update(u); err != nil {
			return st, err
		}
		st.NextReevaluation = u.NextReevaluation
		if err := workflow.UpsertTypedSearchAttributes(ctx, AttrStatus.ValueSet(st.Status)); err != nil {
			return st, fmt.Errorf("upsert status: %w", err)
		}
		if err := box.Sleep(ctx, next.Sub(now)); err != nil {
			return st, err
		}
		name := fmt.Sprintf("reevaluation-%d", round-1)
		out, err := step(name, department(c.Dept), []string{DecisionKeep, DecisionRelax})
		if err != nil {
			return st, err
		}
		if out.Decision != DecisionRelax {
			u := rec
			u.Event, u.Key, u.Actor, u.Note = "kept", name, out.DecidedBy, out.Reason
			if err := update(u); err != nil {
				return st, err
			}
			continue
		}
		res, err := apply(round, version, prev.ShareType, prev.ShareConditions, prev.LegalBasis, models.ClassificationRelaxed, "relaxed", out.DecidedBy, out.Reason)
		if err != nil {
			return st, err
		}
		st.Status, st.Step, st.NextReevaluation = models.ClassificationRelaxed, "", ""
		if !res.Applied {
			st.Status = models.ClassificationConflict
		}
		return st, conclude(ctx, box, st.Status)
	}
}

// versionReevaluationEnds marks the rule that leshan's periodic
// re-evaluation ends with the text's validity.
const versionReevaluationEnds = "reevaluation-ends"

// disagreement runs xiamen's path when the authority disagrees with a
// department's label (第十八条): negotiation between the two, recorded by the
// authority, then the city government decides; a Dispute child workflow of
// which "overturned" means the department's label stands.
func disagreement(ctx workflow.Context, box *inbox, c models.Classification, p regulations.Profile, period regulations.Period, out StepOutcome,
	update func(activities.ClassificationUpdate) error, rec activities.ClassificationUpdate) (DisputeState, error) {
	id := "dp-" + c.ID
	u := rec
	u.Step, u.DisputeID, u.Event, u.Key, u.Actor, u.Note = "dispute", id, "disputed", "authority-review", out.DecidedBy, out.Reason
	if err := update(u); err != nil {
		return DisputeState{}, err
	}
	neg, gov := period, period
	neg.Text, gov.Text = regulations.TextNegotiation, regulations.TextGovernmentRuling
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
	var res DisputeState
	child := workflow.ExecuteChildWorkflow(cctx, Dispute, DisputeInput{
		Dispute: models.Dispute{
			ID: id, WorkflowID: id, Jurisdiction: c.Jurisdiction, Subject: models.DisputeOfClassification, SubjectID: c.ID,
			RequesterDept: c.Dept, ProviderDept: c.Dept, FiledBy: out.DecidedBy, Reason: out.Reason, FiledAt: workflow.Now(ctx),
		},
		Levels: levels, Profile: p,
	})
	// The authority's disagreement answers now, not after the dispute.
	err := box.Get(ctx, child, &res)
	if err != nil {
		return res, fmt.Errorf("dispute over %s: %w", c.ID, err)
	}
	return res, nil
}
