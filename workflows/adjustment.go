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

// Renewal is the argument of the renew Update.
type Renewal struct {
	EndDate string
	Reason  string
	Actor   Actor
}

// AdjustmentState is a temporary adjustment as its workflow sees it.
type AdjustmentState struct {
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
func TemporaryAdjustment(ctx workflow.Context, in AdjustmentInput) (AdjustmentState, error) {
	adj, p := in.Adjustment, in.Profile
	rule := p.Classification
	st := AdjustmentState{Header: Header{ID: adj.ID, Status: models.StatusPending}, EndDate: adj.EndDate}
	if err := publish(ctx, &st, func() bool { return st.Filed }); err != nil {
		return st, err
	}
	box, err := newInbox(ctx, ProcedureAdjustment, adj.Jurisdiction, &st.Header, p)
	if err != nil {
		return st, err
	}
	var renewal *Renewal
	err = workflow.SetUpdateHandlerWithOptions(ctx, UpdateRenew, func(ctx workflow.Context, r Renewal) (AdjustmentState, error) {
		renewal = &r
		err := workflow.Await(ctx, func() bool { return renewal == nil })
		return st, err
	}, workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, r Renewal) error {
		if r.Actor.Role != regulations.RoleDepartment || r.Actor.Dept != adj.Dept {
			return temporal.NewApplicationError(fmt.Sprintf("adjustment %s belongs to department %s, not to %s", adj.ID, adj.Dept, r.Actor), ErrForbidden)
		}
		if st.Status != models.AdjustmentActive || renewal != nil {
			return temporal.NewApplicationError(fmt.Sprintf("adjustment %s is %s; only an active adjustment can be renewed", adj.ID, st.Status), ErrInvalid)
		}
		if _, err := holidays.ParseDate(r.EndDate); err != nil || r.EndDate <= st.EndDate {
			return temporal.NewApplicationError(fmt.Sprintf("end_date must be a date (YYYY-MM-DD) after the current end date %s", st.EndDate), ErrInvalid)
		}
		return nil
	}})
	if err != nil {
		return st, fmt.Errorf("register %s: %w", UpdateRenew, err)
	}

	adj.Status = models.StatusPending
	adj.Article = rule.TemporaryArticle
	if err := workflow.ExecuteActivity(actx(ctx), acts.RecordAdjustment, adj).Get(ctx, nil); err != nil {
		return st, fmt.Errorf("record %s: %w", adj.ID, err)
	}
	rec := activities.AdjustmentUpdate{Progress: activities.Progress{ID: adj.ID, Article: rule.TemporaryArticle}, EndDate: adj.EndDate}
	apply := func(round, base int, shareType, conds, status, kind, note string, reverted bool) (activities.ItemEdit, error) {
		u := rec
		u.Status = status
		u.Event = kind
		u.Key = fmt.Sprintf("round-%d", round)
		u.Note = note
		u.Reverted = reverted
		u.At = workflow.Now(ctx)
		var res activities.ItemEdit
		if err := workflow.ExecuteActivity(actx(ctx), acts.ApplyAdjustment, activities.ApplyAdjustmentInput{
			Update: u, Round: round, ItemID: adj.CatalogItemID, BaseVersion: base, ShareType: shareType, ShareConditions: conds,
		}).Get(ctx, &res); err != nil {
			return res, fmt.Errorf("apply %s: %w", adj.ID, err)
		}
		rec = u
		return res, nil
	}
	res, err := apply(1, adj.BaseVersion, adj.ShareType, adj.ShareConditions, models.AdjustmentActive, "applied", "", false)
	if err != nil {
		return st, err
	}
	st.Filed = true
	if !res.Applied {
		st.Status = models.AdjustmentConflict
		return st, conclude(ctx, box, st.Status)
	}
	st.Status = models.AdjustmentActive
	if err := workflow.UpsertTypedSearchAttributes(ctx, AttrStatus.ValueSet(st.Status)); err != nil {
		return st, fmt.Errorf("upsert status: %w", err)
	}

	for {
		end, err := endOf(st.EndDate)
		if err != nil {
			return st, temporal.NewNonRetryableApplicationError(err.Error(), "bad_end_date", err)
		}
		if err := upsertDue(ctx, end, false); err != nil {
			return st, err
		}
		tctx, cancel := workflow.WithCancel(ctx)
		timer := workflow.NewTimer(tctx, max(end.Sub(workflow.Now(ctx)), 0))
		if err := box.Await(ctx, func() bool { return timer.IsReady() || renewal != nil }); err != nil {
			cancel()
			return st, err
		}
		if renewal == nil {
			cancel()
			break
		}
		cancel()
		r := renewal
		u := rec
		u.EndDate = r.EndDate
		u.Renewals = rec.Renewals + 1
		u.Event = "renewed"
		u.Key = fmt.Sprintf("renewal-%d", rec.Renewals+1)
		u.Actor = r.Actor.String()
		u.Note = r.Reason
		u.At = workflow.Now(ctx)
		if err := workflow.ExecuteActivity(actx(ctx), acts.UpdateAdjustment, u).Get(ctx, nil); err != nil {
			return st, fmt.Errorf("renew %s: %w", adj.ID, err)
		}
		rec = u
		st.EndDate = u.EndDate
		st.Renewals = u.Renewals
		renewal = nil
	}

	res, err = apply(2, res.Version, res.Previous.ShareType, res.Previous.ShareConditions, models.AdjustmentReverted, "reverted", "end date "+st.EndDate+" passed", true)
	if err != nil {
		return st, err
	}
	if !res.Applied {
		st.Status = models.AdjustmentConflict
		return st, conclude(ctx, box, st.Status)
	}
	st.Status = models.AdjustmentReverted
	if !(rule.EmergencyEvaluation && adj.Ground == models.GroundEmergency) {
		return st, conclude(ctx, box, st.Status)
	}

	// Xiamen 第二十一条: the emergency data served the emergency only;
	// afterwards its applications are shut down (关停相关数据应用): every
	// grant on the item is closed. Adjustments that ended before this rule
	// left them to the evaluation task (DefaultVersion).
	if workflow.GetVersion(ctx, versionEmergencyGrants, workflow.DefaultVersion, 1) > workflow.DefaultVersion {
		if err := workflow.ExecuteActivity(actx(ctx), acts.CloseItemGrants, activities.CloseGrantsInput{
			AdjustmentID: adj.ID, ItemID: adj.CatalogItemID, Article: rule.TemporaryArticle, At: workflow.Now(ctx),
			Reason: regulations.TextEmergencyShutdown + "（" + rule.TemporaryArticle + "）",
		}).Get(ctx, nil); err != nil {
			return st, fmt.Errorf("close the grants on %s: %w", adj.CatalogItemID, err)
		}
	}
	// Then the data is evaluated (分类评估) and handled safely (安全处理) by
	// the department, within the service level.
	out, err := box.Run(ctx, StepSpec{
		Name:      "evaluation",
		Assignees: []Assignee{department(adj.Dept)},
		Period:    p.ServiceLevel(rule.TemporaryArticle, regulations.TextEmergencyEvaluation),
		From:      workflow.Now(ctx),
		Act:       regulations.ActEvaluate,
		Decisions: []string{DecisionAcknowledge},
	})
	if err != nil {
		return st, err
	}
	u := rec
	u.Status = models.AdjustmentEvaluated
	u.Event = "evaluated"
	u.Key = "evaluation"
	u.Actor = out.DecidedBy
	u.Reverted = false
	u.At = workflow.Now(ctx)
	if err := workflow.ExecuteActivity(actx(ctx), acts.UpdateAdjustment, u).Get(ctx, nil); err != nil {
		return st, fmt.Errorf("record evaluation of %s: %w", adj.ID, err)
	}
	st.Status = models.AdjustmentEvaluated
	return st, conclude(ctx, box, st.Status)
}
