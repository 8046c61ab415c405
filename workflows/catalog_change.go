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

// ChangeResubmitInput is the argument of the resubmit Update: the revised
// operations, checked by the API against the catalog, and the reason.
type ChangeResubmitInput struct {
	Reason         string
	Operations     []models.ChangeOperation
	Classification []string
	Actor          Actor
}

// WithdrawInput is the argument of the withdraw Update.
type WithdrawInput struct {
	Actor Actor
}

// CatalogChangeResult is a catalog change as its workflow sees it.
type CatalogChangeResult struct {
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
func CatalogChange(ctx workflow.Context, in CatalogChangeInput) (CatalogChangeResult, error) {
	w := &catalogChange{c: in.Change, p: in.Profile, rule: in.Profile.CatalogChange}
	w.st = CatalogChangeResult{Header: Header{ID: w.c.ID, Status: models.ChangePending, Statutory: w.rule.Review.Statutory, Article: w.rule.Review.Article}, Round: 1}
	if err := w.start(ctx, in.TriggerWorkflowID); err != nil {
		return w.st, err
	}
	return w.run(ctx)
}

// catalogChange is one run of the CatalogChange workflow: the change in its
// current round, the city's rule, the state the API sees, and what the
// department's Updates sent (a resubmission, a withdrawal) until the
// workflow takes it.
type catalogChange struct {
	c         models.CatalogChange
	p         regulations.Profile
	rule      regulations.CatalogRule
	st        CatalogChangeResult
	box       *inbox
	next      *ChangeResubmitInput
	withdrawn *WithdrawInput
}

// start publishes the state, opens the inbox, registers the department's
// Updates, records the change and ends the update obligation it fulfils.
func (w *catalogChange) start(ctx workflow.Context, trigger string) error {
	var err error
	if w.box, err = begin(ctx, ProcedureCatalogChange, w.c.Jurisdiction, w.p, &w.st, &w.st.Header, func() bool { return w.st.Opened >= 1 }); err != nil {
		return err
	}
	if err := w.register(ctx); err != nil {
		return err
	}
	w.c.Status = models.ChangePending
	w.c.Round = 1
	w.c.Path = w.rule.Path
	w.c.Article = w.rule.Review.Article
	w.c.Statutory = w.rule.Review.Statutory
	if err := record(ctx, acts.RecordCatalogChange, w.c.ID, w.c); err != nil {
		return err
	}
	if trigger != "" {
		// Ends the update clock; an obligation already fulfilled has ended.
		err := workflow.SignalExternalWorkflow(ctx, trigger, "", SignalChangeSubmitted,
			ChangeSubmittedInput{ChangeID: w.c.ID, At: w.c.SubmittedAt}).Get(ctx, nil)
		if err != nil {
			workflow.GetLogger(ctx).Info("update obligation not signalled", "trigger", trigger, "error", err)
		}
	}
	return nil
}

// run reviews the change round after round: an approved round is applied,
// a refused or conflicting one returned until the department resubmits or
// withdraws it.
func (w *catalogChange) run(ctx workflow.Context) (CatalogChangeResult, error) {
	for {
		out, err := w.review(ctx)
		if err != nil {
			return w.st, err
		}
		result := activities.ChangeOutcomeInput{ID: w.c.ID, Round: w.c.Round, Operations: w.c.Operations, Note: out.Reason,
			DecidedBy: out.DecidedBy, Article: w.rule.Review.Article, At: workflow.Now(ctx)}
		if out.Decision != DecisionReject {
			applied, err := w.apply(ctx, &result)
			if err != nil || applied {
				return w.st, err
			}
		}
		done, err := w.returned(ctx, result)
		if err != nil || done {
			return w.st, err
		}
	}
}

// apply applies the approved round and starts the classifications it
// routes; it reports false when a change applied first conflicts, with the
// conflict noted in result.
func (w *catalogChange) apply(ctx workflow.Context, result *activities.ChangeOutcomeInput) (bool, error) {
	c, p := w.c, w.p
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
	var applied activities.ApplyChangeResult
	if err := execute(ctx, acts.ApplyCatalogChange, *result).Get(ctx, &applied); err != nil {
		return false, fmt.Errorf("apply %s: %w", c.ID, err)
	}
	if !applied.Applied {
		result.Note = "conflict with another change: " + applied.Conflict
		result.DecidedBy = "system"
		return false, nil
	}
	if err := startClassifications(ctx, c, p, routed, applied.Routed); err != nil {
		return false, err
	}
	w.st.Status = models.ChangeApplied
	w.st.Step = ""
	return true, conclude(ctx, w.box, w.st.Status)
}

// returned returns the round and waits for the department: a withdrawal
// ends the change (done), a resubmission opens the next round.
func (w *catalogChange) returned(ctx workflow.Context, result activities.ChangeOutcomeInput) (bool, error) {
	if err := execute(ctx, acts.ReturnCatalogChange, result).Get(ctx, nil); err != nil {
		return false, fmt.Errorf("return %s: %w", w.c.ID, err)
	}
	w.st.Status = models.ChangeReturned
	w.st.Step = ""
	w.st.ReturnReason = result.Note
	if err := workflow.UpsertTypedSearchAttributes(ctx, AttrStatus.ValueSet(w.st.Status)); err != nil {
		return false, fmt.Errorf("upsert status: %w", err)
	}
	if err := w.box.Await(ctx, func() bool { return w.next != nil || w.withdrawn != nil }); err != nil {
		return false, err
	}
	if w.withdrawn != nil {
		result.DecidedBy = w.withdrawn.Actor.String()
		result.At = workflow.Now(ctx)
		if err := execute(ctx, acts.WithdrawCatalogChange, result).Get(ctx, nil); err != nil {
			return false, fmt.Errorf("withdraw %s: %w", w.c.ID, err)
		}
		w.st.Status = models.ChangeWithdrawn
		return true, conclude(ctx, w.box, w.st.Status)
	}
	w.c.Round++
	w.c.Reason = w.next.Reason
	w.c.Operations = w.next.Operations
	w.c.Classification = w.next.Classification
	w.c.SubmittedBy = w.next.Actor.String()
	w.c.SubmittedAt = workflow.Now(ctx)
	w.next = nil
	if err := execute(ctx, acts.ResubmitCatalogChange, w.c).Get(ctx, nil); err != nil {
		return false, fmt.Errorf("resubmit %s: %w", w.c.ID, err)
	}
	w.st.Status = models.ChangePending
	w.st.Round = w.c.Round
	w.st.ReturnReason = ""
	if err := workflow.UpsertTypedSearchAttributes(ctx, AttrStatus.ValueSet(w.st.Status)); err != nil {
		return false, fmt.Errorf("upsert status: %w", err)
	}
	return false, nil
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

// review runs the steps of the city's path for the change's current
// round; it ends at the first refusal, or with the last step's decision.
func (w *catalogChange) review(ctx workflow.Context) (StepOutcome, error) {
	box, c, rule, st := w.box, w.c, w.rule, &w.st
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

// register lets the department resubmit or withdraw a returned
// change; the validators refuse both while the change is under review, and
// from anyone but the department.
func (w *catalogChange) register(ctx workflow.Context) error {
	dept, st := w.c.Dept, &w.st
	check := func(a Actor) error {
		if a.Role != regulations.RoleDepartment || a.Dept != dept {
			return temporal.NewApplicationError(fmt.Sprintf("change %s belongs to department %s, not to %s", st.ID, dept, a), ErrForbidden)
		}
		if st.Status != models.ChangeReturned || w.next != nil || w.withdrawn != nil {
			return temporal.NewApplicationError(fmt.Sprintf("change %s is %s; only a returned change can be resubmitted or withdrawn", st.ID, st.Status), ErrInvalid)
		}
		return nil
	}
	err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateResubmit, func(ctx workflow.Context, r ChangeResubmitInput) (CatalogChangeResult, error) {
		round := st.Round + 1
		w.next = &r
		err := workflow.Await(ctx, func() bool { return st.Opened >= round })
		return *st, err
	}, workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, r ChangeResubmitInput) error {
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
	err = workflow.SetUpdateHandlerWithOptions(ctx, UpdateWithdraw, func(ctx workflow.Context, wd WithdrawInput) (CatalogChangeResult, error) {
		w.withdrawn = &wd
		err := workflow.Await(ctx, func() bool { return st.Status == models.ChangeWithdrawn })
		return *st, err
	}, workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, wd WithdrawInput) error { return check(wd.Actor) }})
	if err != nil {
		return fmt.Errorf("register %s: %w", UpdateWithdraw, err)
	}
	return nil
}
