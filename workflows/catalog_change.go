package workflows

import (
	"errors"
	"fmt"
	"slices"

	"github.com/cityapprovals/approvals/activities"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// ProcedureCatalogChange names a department's catalog change and its review
// (procedure 1, second clock).
const ProcedureCatalogChange = models.ProcedureCatalogChange

// Updates a department sends to a returned change.
const (
	UpdateResubmit = "resubmit" // a revised round of the same change
	UpdateWithdraw = "withdraw" // the department gives the change up
)

// CatalogChangeInput starts a catalog change. TriggerWorkflowID, when set, is
// the update obligation the change fulfils. Profile is the city's rules as
// they were at submission.
type CatalogChangeInput struct {
	Change            models.CatalogChange
	TriggerWorkflowID string
	Profile           regulations.Profile
}

// Resubmission is the argument of the resubmit Update: the revised
// operations, checked by the API against the catalog, and the reason.
type Resubmission struct {
	Reason         string
	Operations     []models.ChangeOperation
	Classification []string
	Actor          Actor
}

// Withdrawal is the argument of the withdraw Update.
type Withdrawal struct {
	Actor Actor
}

// ChangeState is a catalog change as its workflow sees it.
type ChangeState struct {
	Header
	Round        int    `json:"round"`
	ReturnReason string `json:"return_reason,omitempty"`
	// Opened is the last round whose first step has its tasks open.
	Opened int `json:"-"`
}

// reviewStep is one human step of a change's path.
type reviewStep struct {
	name      string
	assignee  Assignee
	decisions []string
}

// reviewSteps is the city's path for one round of a change.
func reviewSteps(path string, c models.CatalogChange, addsFiled bool) []reviewStep {
	auth := Assignee{Role: regulations.RoleAuthority}
	decide := []string{DecisionApprove, DecisionReject}
	file := reviewStep{"filing", auth, []string{DecisionAcknowledge}}
	switch path {
	case regulations.PathConsentThenFiling:
		// Deletions and modifications need the authority's consent first.
		if slices.ContainsFunc(c.Operations, func(op models.ChangeOperation) bool { return op.Op != models.OpAdd }) {
			return []reviewStep{{"consent", auth, decide}, file}
		}
		if !addsFiled {
			return nil // 第十一条 names only 删减、修改: additions apply with no step
		}
		return []reviewStep{file}
	case regulations.PathFiling:
		return []reviewStep{file}
	case regulations.PathJointSubmission:
		// A change of duties goes with the department taking them over,
		// which confirms before the authority receives it.
		if c.ReceivingDept != "" {
			return []reviewStep{{"confirm", department(c.ReceivingDept), decide}, {"review", auth, decide}}
		}
		return []reviewStep{{"review", auth, decide}}
	default: // regulations.PathReview
		return []reviewStep{{"review", auth, decide}}
	}
}

// CatalogChange runs a department's change of its own catalog through the
// city's path (wuhan: the authority reviews within 3 working days; weifang:
// consent for deletions and modifications, then filing; changsha and leshan:
// filing; xiamen: the receiving department confirms, then the authority).
// Approval or filing applies every operation at once; a refusal, or a conflict
// with another change applied first, returns the change, and the department
// may resubmit it revised (a new round) or withdraw it.
func CatalogChange(ctx workflow.Context, in CatalogChangeInput) (ChangeState, error) {
	c, p := in.Change, in.Profile
	rule := p.CatalogChange
	st := ChangeState{Header: Header{ID: c.ID, Status: models.ChangePending, Statutory: rule.Review.Statutory, Article: rule.Review.Article}, Round: 1}
	if err := publish(ctx, &st, func() bool { return st.Opened >= 1 }); err != nil {
		return st, err
	}
	box, err := newInbox(ctx, ProcedureCatalogChange, c.Jurisdiction, &st.Header, p)
	if err != nil {
		return st, err
	}
	var next *Resubmission
	var withdrawn *Withdrawal
	if err := registerReturnUpdates(ctx, c.Dept, &st, &next, &withdrawn); err != nil {
		return st, err
	}

	c.Status = models.ChangePending
	c.Round = 1
	c.Path = rule.Path
	c.Article = rule.Review.Article
	c.Statutory = rule.Review.Statutory
	if err := workflow.ExecuteActivity(actx(ctx), acts.RecordCatalogChange, c).Get(ctx, nil); err != nil {
		return st, fmt.Errorf("record %s: %w", c.ID, err)
	}
	if in.TriggerWorkflowID != "" {
		// Ends the update clock; an obligation already fulfilled has ended.
		err := workflow.SignalExternalWorkflow(ctx, in.TriggerWorkflowID, "", SignalChangeSubmitted,
			ChangeSubmitted{ChangeID: c.ID, At: c.SubmittedAt}).Get(ctx, nil)
		if err != nil {
			workflow.GetLogger(ctx).Info("update obligation not signalled", "trigger", in.TriggerWorkflowID, "error", err)
		}
	}

	for {
		out, err := reviewRound(ctx, box, c, p, &st)
		if err != nil {
			return st, err
		}
		result := activities.ChangeOutcome{ID: c.ID, Round: c.Round, Operations: c.Operations, Note: out.Reason,
			DecidedBy: out.DecidedBy, Article: rule.Review.Article, At: workflow.Now(ctx)}
		if out.Decision != DecisionReject {
			// A modification making an item conditional or not shared goes to
			// the classification procedure; changes submitted before that
			// existed changed the share type directly.
			routed := models.Routed(c.Operations, c.Classification)
			// The city's rule decides which share types take the path,
			// for added items too (wuhan 第十六条: only not shared, new or
			// changed; xiamen 第十五条); changes approved before it
			// routed every restricted modification and no addition.
			if workflow.GetVersion(ctx, versionRouteAdded, workflow.DefaultVersion, 1) >= 1 {
				routed = models.RoutedBy(c.Operations, c.Classification, p.Classification.NeedsPath, p.Classification.RouteAdded)
			}
			if len(routed) > 0 && workflow.GetVersion(ctx, versionRouteClassification, workflow.DefaultVersion, 1) >= 1 {
				for _, op := range routed {
					result.Routed = append(result.Routed, models.ClassificationRef{ItemID: op.ItemID, ClassificationID: models.RoutedClassificationID(c.ID, op.ItemID)})
				}
			}
			var applied activities.ApplyResult
			if err := workflow.ExecuteActivity(actx(ctx), acts.ApplyCatalogChange, result).Get(ctx, &applied); err != nil {
				return st, fmt.Errorf("apply %s: %w", c.ID, err)
			}
			if applied.Applied {
				if err := startClassifications(ctx, c, p, routed, applied.Routed); err != nil {
					return st, err
				}
				st.Status = models.ChangeApplied
				st.Step = ""
				return st, conclude(ctx, box, st.Status)
			}
			result.Note = "conflict with another change: " + applied.Conflict
			result.DecidedBy = "system"
		}
		if err := workflow.ExecuteActivity(actx(ctx), acts.ReturnCatalogChange, result).Get(ctx, nil); err != nil {
			return st, fmt.Errorf("return %s: %w", c.ID, err)
		}
		st.Status = models.ChangeReturned
		st.Step = ""
		st.ReturnReason = result.Note
		if err := workflow.UpsertTypedSearchAttributes(ctx, AttrStatus.ValueSet(st.Status)); err != nil {
			return st, fmt.Errorf("upsert status: %w", err)
		}
		if err := box.Await(ctx, func() bool { return next != nil || withdrawn != nil }); err != nil {
			return st, err
		}
		if withdrawn != nil {
			result.DecidedBy = withdrawn.Actor.String()
			result.At = workflow.Now(ctx)
			if err := workflow.ExecuteActivity(actx(ctx), acts.WithdrawCatalogChange, result).Get(ctx, nil); err != nil {
				return st, fmt.Errorf("withdraw %s: %w", c.ID, err)
			}
			st.Status = models.ChangeWithdrawn
			return st, conclude(ctx, box, st.Status)
		}
		c.Round++
		c.Reason = next.Reason
		c.Operations = next.Operations
		c.Classification = next.Classification
		c.SubmittedBy = next.Actor.String()
		c.SubmittedAt = workflow.Now(ctx)
		next = nil
		if err := workflow.ExecuteActivity(actx(ctx), acts.ResubmitCatalogChange, c).Get(ctx, nil); err != nil {
			return st, fmt.Errorf("resubmit %s: %w", c.ID, err)
		}
		st.Status = models.ChangePending
		st.Round = c.Round
		st.ReturnReason = ""
		if err := workflow.UpsertTypedSearchAttributes(ctx, AttrStatus.ValueSet(st.Status)); err != nil {
			return st, fmt.Errorf("upsert status: %w", err)
		}
	}
}

// versionRouteClassification marks the change that routes a modification
// making an item conditional or not shared to the classification procedure.
const versionRouteClassification = "route-classification"

// versionRouteAdded marks the change that routes by the city's rule
// (ClassificationRule.NeedsPath, RouteAdded) rather than every restricted
// modification.
const versionRouteAdded = "route-added"

// versionAdditionsUnfiled marks the reading that weifang's additions need
// no consent or filing (第十一条 names 删减、修改).
const versionAdditionsUnfiled = "additions-unfiled"

// startClassifications starts, for each routed item as the applied change
// left it, a classification proposing the share type, conditions and legal
// basis of the change's operation, filed by the change's department with its
// reason, under the city's rules the change was submitted under. Each is a
// child workflow that outlives the change (ParentClosePolicy ABANDON) with
// the ID models.RoutedClassificationID: one already started counts as started.
func startClassifications(ctx workflow.Context, c models.CatalogChange, p regulations.Profile, routed []models.ChangeOperation, items []models.CatalogItem) error {
	for _, it := range items {
		i := slices.IndexFunc(routed, func(op models.ChangeOperation) bool { return op.ItemID == it.ID })
		if i < 0 {
			continue
		}
		op := routed[i].Item
		id := models.RoutedClassificationID(c.ID, it.ID)
		in := NewClassificationInput(it, ClassificationProposal{
			ID: id, Dept: c.Dept, ShareType: op.ShareType, Conditions: op.ShareConditions, LegalBasis: op.LegalBasis,
			Reason: c.Reason, SubmittedBy: c.SubmittedBy, SubmittedAt: workflow.Now(ctx),
		}, p)
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID: id, TaskQueue: TaskQueue,
			ParentClosePolicy:     enums.PARENT_CLOSE_POLICY_ABANDON,
			WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
			TypedSearchAttributes: temporal.NewSearchAttributes(
				AttrJurisdiction.ValueSet(it.Jurisdiction), AttrProcedure.ValueSet(ProcedureClassification),
				AttrStatus.ValueSet(models.ClassificationPending), AttrProviderDept.ValueSet(c.Dept)),
		})
		err := workflow.ExecuteChildWorkflow(cctx, Classification, in).GetChildWorkflowExecution().Get(ctx, nil)
		var started *temporal.ChildWorkflowExecutionAlreadyStartedError
		if err != nil && !errors.As(err, &started) {
			return fmt.Errorf("start classification %s of %s: %w", id, c.ID, err)
		}
	}
	return nil
}

// reviewRound runs the steps of the city's path for the change's current
// round; it ends at the first refusal, or with the last step's decision.
func reviewRound(ctx workflow.Context, box *inbox, c models.CatalogChange, p regulations.Profile, st *ChangeState) (StepOutcome, error) {
	rule := p.CatalogChange
	var out StepOutcome
	// Weifang 第十一条 asks consent and filing only of deletions and
	// modifications; changes submitted before this reading filed additions
	// too (DefaultVersion).
	addsFiled := true
	if rule.Path == regulations.PathConsentThenFiling && !slices.ContainsFunc(c.Operations, func(op models.ChangeOperation) bool { return op.Op != models.OpAdd }) {
		addsFiled = workflow.GetVersion(ctx, versionAdditionsUnfiled, workflow.DefaultVersion, 1) == workflow.DefaultVersion
	}
	steps := reviewSteps(rule.Path, c, addsFiled)
	if len(steps) == 0 {
		out.Decision = DecisionAcknowledge
		out.DecidedBy = "rule: " + rule.Review.Article + " asks no consent or filing for additions"
		st.Opened = c.Round // the filing answers: nothing waits for a reviewer
		return out, nil
	}
	for i, s := range steps {
		from := workflow.Now(ctx)
		// The first step counts from the submission instant the API (or
		// the resubmission) recorded, not from when the workflow ran
		// (wuhan 第十一条: 3个工作日内完成复核); later steps start when the
		// step before them is decided. Older histories counted from the
		// start of each step (DefaultVersion).
		if i == 0 && workflow.GetVersion(ctx, versionClockFromFiling, workflow.DefaultVersion, 1) > workflow.DefaultVersion {
			from = c.SubmittedAt
		}
		name := fmt.Sprintf("%s-%d", s.name, c.Round)
		var err error
		out, err = box.Run(ctx, StepSpec{
			Name:      name,
			Assignees: []Assignee{s.assignee},
			Period:    rule.Review,
			From:      from,
			Decisions: s.decisions,
			Shown: func(activities.Deadline) {
				if i == 0 {
					st.Opened = c.Round
				}
			},
		})
		if err != nil {
			return out, err
		}
		if out.Decision == DecisionReject {
			return out, nil
		}
	}
	return out, nil
}

// registerReturnUpdates lets the department resubmit or withdraw a returned
// change; the validators refuse both while the change is under review, and
// from anyone but the department.
func registerReturnUpdates(ctx workflow.Context, dept string, st *ChangeState, next **Resubmission, withdrawn **Withdrawal) error {
	check := func(a Actor) error {
		if a.Role != regulations.RoleDepartment || a.Dept != dept {
			return temporal.NewApplicationError(fmt.Sprintf("change %s belongs to department %s, not to %s", st.ID, dept, a), ErrForbidden)
		}
		if st.Status != models.ChangeReturned || *next != nil || *withdrawn != nil {
			return temporal.NewApplicationError(fmt.Sprintf("change %s is %s; only a returned change can be resubmitted or withdrawn", st.ID, st.Status), ErrInvalid)
		}
		return nil
	}
	err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateResubmit, func(ctx workflow.Context, r Resubmission) (ChangeState, error) {
		round := st.Round + 1
		*next = &r
		err := workflow.Await(ctx, func() bool { return st.Opened >= round })
		return *st, err
	}, workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, r Resubmission) error {
		if err := check(r.Actor); err != nil {
			return err
		}
		if len(r.Operations) == 0 {
			return temporal.NewApplicationError("a change needs at least one operation", ErrInvalid)
		}
		return nil
	}})
	if err != nil {
		return fmt.Errorf("register %s: %w", UpdateResubmit, err)
	}
	err = workflow.SetUpdateHandlerWithOptions(ctx, UpdateWithdraw, func(ctx workflow.Context, w Withdrawal) (ChangeState, error) {
		*withdrawn = &w
		err := workflow.Await(ctx, func() bool { return st.Status == models.ChangeWithdrawn })
		return *st, err
	}, workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, w Withdrawal) error { return check(w.Actor) }})
	if err != nil {
		return fmt.Errorf("register %s: %w", UpdateWithdraw, err)
	}
	return nil
}
