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

// ProcedureAdjustment names the temporary adjustment procedure.
const ProcedureAdjustment = models.ProcedureAdjustment

// UpdateRenew extends a temporary adjustment's end date.
const UpdateRenew = "renew"

// AdjustmentInput starts a temporary adjustment; Profile is the city's rules
// at filing.
type AdjustmentInput struct {
	Adjustment models.TemporaryAdjustment
	Profile    regulations.Profile
}

// RenewInput is the argument of the renew Update.
type RenewInput struct {
	EndDate string
	Reason  string
	Actor   Actor
}

// AdjustmentResult is a temporary adjustment as its workflow sees it.
type AdjustmentResult struct {
	Header
	EndDate  string `json:"end_date"`
	Renewals int    `json:"renewals"`
}

// versionEmergencyGrants marks the rule that the end of an emergency closes
// the grants on its data (xiamen 第二十一条).
const versionEmergencyGrants = "emergency-close-grants"

// endOf is 24:00 Beijing time of a date.
func endOf(date string) (time.Time, error) {
	d, err := holidays.ParseDate(date)
	if err != nil {
		return time.Time{}, err
	}
	return d.AddDate(0, 0, 1), nil
}

// TemporaryAdjustment changes an item's share type at once for national
// security, public interest or an emergency (wuhan 第十六条, xiamen 第二十一条)
// and reverts it by itself at the end of the end date (a durable timer)
// unless the department renews it; xiamen's emergency data then gets an
// evaluation task for the department (评估并关停相关用途).
func TemporaryAdjustment(ctx workflow.Context, in AdjustmentInput) (AdjustmentResult, error) {
	w := &adjustment{adj: in.Adjustment, p: in.Profile, rule: in.Profile.Classification}
	w.st = AdjustmentResult{Header: Header{ID: w.adj.ID, Status: models.StatusPending}, EndDate: w.adj.EndDate}
	return launch(ctx, &w.st, w.start, w.run)
}

// adjustment is one run of the TemporaryAdjustment workflow: the
// adjustment, the city's rule, the state the API sees, the record as last
// written and a renewal the department sent until the workflow takes it.
type adjustment struct {
	adj     models.TemporaryAdjustment
	p       regulations.Profile
	rule    regulations.ClassificationRule
	st      AdjustmentResult
	box     *inbox
	rec     activities.UpdateAdjustmentInput
	renewal *RenewInput
}

// start publishes the state, opens the inbox, registers the renew Update
// and records the adjustment.
func (w *adjustment) start(ctx workflow.Context) error {
	var err error
	if w.box, err = begin(ctx, ProcedureAdjustment, w.adj.Jurisdiction, w.p, &w.st, &w.st.Header, nil); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateRenew, w.renew, workflow.UpdateHandlerOptions{Validator: w.validateRenewal}); err != nil {
		return fmt.Errorf("register %s: %w", UpdateRenew, err)
	}
	w.adj.Status = models.StatusPending
	w.adj.Article = w.rule.TemporaryArticle
	if err := record(ctx, acts.RecordAdjustment, w.adj.ID, w.adj); err != nil {
		return err
	}
	w.rec = activities.UpdateAdjustmentInput{Progress: activities.Progress{ID: w.adj.ID, Article: w.rule.TemporaryArticle}, EndDate: w.adj.EndDate}
	return nil
}

// renew is the renew Update: it answers once the workflow took the renewal.
func (w *adjustment) renew(ctx workflow.Context, r RenewInput) (AdjustmentResult, error) {
	w.renewal = &r
	err := workflow.Await(ctx, func() bool { return w.renewal == nil })
	return w.st, err
}

// validateRenewal refuses a renewal from another department, of an
// adjustment that is not active, or to an end date that is not later.
func (w *adjustment) validateRenewal(ctx workflow.Context, r RenewInput) error {
	if r.Actor.Role != regulations.RoleDepartment || r.Actor.Dept != w.adj.Dept {
		return temporal.NewApplicationError(fmt.Sprintf("adjustment %s belongs to department %s, not to %s", w.adj.ID, w.adj.Dept, r.Actor), ErrForbidden)
	}
	if w.st.Status != models.AdjustmentActive || w.renewal != nil {
		return temporal.NewApplicationError(fmt.Sprintf("adjustment %s is %s; only an active adjustment can be renewed", w.adj.ID, w.st.Status), ErrInvalid)
	}
	if _, err := holidays.ParseDate(r.EndDate); err != nil || r.EndDate <= w.st.EndDate {
		return temporal.NewApplicationError(fmt.Sprintf("end_date must be a date (YYYY-MM-DD) after the current end date %s", w.st.EndDate), ErrInvalid)
	}
	return nil
}

// run applies the adjustment, keeps it until its end date (renewals move
// it), reverts it and, for xiamen's emergency data, has it evaluated.
func (w *adjustment) run(ctx workflow.Context) (AdjustmentResult, error) {
	res, err := w.apply(ctx, 1, w.adj.BaseVersion, w.adj.ShareType, w.adj.ShareConditions, models.AdjustmentActive, "applied", "", false)
	if err != nil {
		return w.st, err
	}
	w.st.Filed = true
	if !res.Applied {
		w.st.Status = models.AdjustmentConflict
		return w.st, conclude(ctx, w.box, w.st.Status)
	}
	w.st.Status = models.AdjustmentActive
	if err := workflow.UpsertTypedSearchAttributes(ctx, AttrStatus.ValueSet(w.st.Status)); err != nil {
		return w.st, fmt.Errorf("upsert status: %w", err)
	}
	if err := w.keep(ctx); err != nil {
		return w.st, err
	}
	res, err = w.apply(ctx, 2, res.Version, res.Previous.ShareType, res.Previous.ShareConditions, models.AdjustmentReverted, "reverted", "end date "+w.st.EndDate+" passed", true)
	if err != nil {
		return w.st, err
	}
	if !res.Applied {
		w.st.Status = models.AdjustmentConflict
		return w.st, conclude(ctx, w.box, w.st.Status)
	}
	w.st.Status = models.AdjustmentReverted
	if !(w.rule.EmergencyEvaluation && w.adj.Ground == models.GroundEmergency) {
		return w.st, conclude(ctx, w.box, w.st.Status)
	}
	if err := w.evaluate(ctx); err != nil {
		return w.st, err
	}
	return w.st, conclude(ctx, w.box, w.st.Status)
}

// apply changes the item's share type and conditions as round round
// against version base, recording status and an event kind.
func (w *adjustment) apply(ctx workflow.Context, round, base int, shareType, conds, status, kind, note string, reverted bool) (activities.ItemEditResult, error) {
	u := w.rec
	u.Status = status
	u.Event = kind
	u.Key = fmt.Sprintf("round-%d", round)
	u.Note = note
	u.Reverted = reverted
	u.At = workflow.Now(ctx)
	var res activities.ItemEditResult
	if err := execute(ctx, acts.ApplyAdjustment, activities.ApplyAdjustmentInput{
		Update: u, Round: round, ItemID: w.adj.CatalogItemID, BaseVersion: base, ShareType: shareType, ShareConditions: conds,
	}).Get(ctx, &res); err != nil {
		return res, fmt.Errorf("apply %s: %w", w.adj.ID, err)
	}
	w.rec = u
	return res, nil
}

// keep waits for the end of the end date (a durable timer), taking the
// department's renewals meanwhile.
func (w *adjustment) keep(ctx workflow.Context) error {
	for {
		end, err := endOf(w.st.EndDate)
		if err != nil {
			return temporal.NewNonRetryableApplicationError(err.Error(), "bad_end_date", err)
		}
		if err := upsertDue(ctx, end, false); err != nil {
			return err
		}
		tctx, cancel := workflow.WithCancel(ctx)
		timer := workflow.NewTimer(tctx, max(end.Sub(workflow.Now(ctx)), 0))
		err = w.box.Await(ctx, func() bool { return timer.IsReady() || w.renewal != nil })
		cancel()
		if err != nil || w.renewal == nil {
			return err
		}
		if err := w.takeRenewal(ctx); err != nil {
			return err
		}
	}
}

// takeRenewal records the renewal the department sent and answers it.
func (w *adjustment) takeRenewal(ctx workflow.Context) error {
	r := w.renewal
	u := w.rec
	u.EndDate = r.EndDate
	u.Renewals = w.rec.Renewals + 1
	u.Event = "renewed"
	u.Key = fmt.Sprintf("renewal-%d", w.rec.Renewals+1)
	u.Actor = r.Actor.String()
	u.Note = r.Reason
	u.At = workflow.Now(ctx)
	if err := execute(ctx, acts.UpdateAdjustment, u).Get(ctx, nil); err != nil {
		return fmt.Errorf("renew %s: %w", w.adj.ID, err)
	}
	w.rec = u
	w.st.EndDate = u.EndDate
	w.st.Renewals = u.Renewals
	w.renewal = nil
	return nil
}

// evaluate ends xiamen's emergency adjustment (第二十一条): the emergency
// data served the emergency only; afterwards its applications are shut down
// (关停相关数据应用) and the department evaluates (分类评估) and handles
// safely (安全处理) the data, within the service level.
func (w *adjustment) evaluate(ctx workflow.Context) error {
	// Adjustments that ended before the shutdown rule left the grants to
	// the evaluation task (DefaultVersion).
	if workflow.GetVersion(ctx, versionEmergencyGrants, workflow.DefaultVersion, 1) > workflow.DefaultVersion {
		if err := execute(ctx, acts.CloseItemGrants, activities.CloseGrantsInput{
			AdjustmentID: w.adj.ID, ItemID: w.adj.CatalogItemID, Article: w.rule.TemporaryArticle, At: workflow.Now(ctx),
			Reason: regulations.TextEmergencyShutdown + "（" + w.rule.TemporaryArticle + "）",
		}).Get(ctx, nil); err != nil {
			return fmt.Errorf("close the grants on %s: %w", w.adj.CatalogItemID, err)
		}
	}
	out, err := w.box.Run(ctx, StepSpec{
		Name:      "evaluation",
		Assignees: []Assignee{department(w.adj.Dept)},
		Period:    w.p.ServiceLevel(w.rule.TemporaryArticle, regulations.TextEmergencyEvaluation),
		From:      workflow.Now(ctx),
		Act:       regulations.ActEvaluate,
		Decisions: []string{DecisionAcknowledge},
	})
	if err != nil {
		return err
	}
	u := w.rec
	u.Status = models.AdjustmentEvaluated
	u.Event = "evaluated"
	u.Key = "evaluation"
	u.Actor = out.DecidedBy
	u.Reverted = false
	u.At = workflow.Now(ctx)
	if err := execute(ctx, acts.UpdateAdjustment, u).Get(ctx, nil); err != nil {
		return fmt.Errorf("record evaluation of %s: %w", w.adj.ID, err)
	}
	w.st.Status = models.AdjustmentEvaluated
	return nil
}
