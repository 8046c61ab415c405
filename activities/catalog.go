package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cityapprovals/approvals/models"
	"gorm.io/gorm"
)

// RecordCatalogTrigger stores a department's obligation to update its
// catalog (once), with the due date of its window.
func (a *Activities) RecordCatalogTrigger(ctx context.Context, t models.CatalogTrigger) error {
	ev := event(t.ID, "trigger", "recorded", t.CreatedAt)
	ev.Actor = t.RecordedBy
	ev.Article = t.Article
	ev.Detail = fmt.Sprintf("%s effective %s: %s must update its catalog by %s", t.Kind, t.EffectiveDate, t.Dept, t.DueDate)
	if !t.Statutory {
		ev.Detail += " (platform service level, not statutory)"
	}
	return a.file(ctx, &t, ev, nil)
}

// FulfilTriggerInput ends an update obligation: the department submitted a change.
type FulfilTriggerInput struct {
	ID       string
	ChangeID string
	At       time.Time
	Article  string
}

// FulfilCatalogTrigger records that a change was submitted for a trigger.
func (a *Activities) FulfilCatalogTrigger(ctx context.Context, in FulfilTriggerInput) error {
	return a.write(ctx, in.At, func(tx *gorm.DB, at time.Time) error {
		ev := event(in.ID, "trigger", models.TriggerFulfilled, at)
		ev.Article, ev.Detail = in.Article, "catalog change "+in.ChangeID+" submitted"
		return a.progress(tx, models.ProcedureCatalogUpdate, in.ID, map[string]any{
			"status": models.TriggerFulfilled, "change_id": in.ChangeID, "fulfilled_at": at,
		}, ev)
	})
}

func roundStep(round int) string { return fmt.Sprintf("round-%d", round) }

// RecordCatalogChange stores a submitted catalog change and its first round
// (once).
func (a *Activities) RecordCatalogChange(ctx context.Context, c models.CatalogChange) error {
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := insertOnce(tx, &c); err != nil {
			return fmt.Errorf("record catalog change %s: %w", c.ID, err)
		}
		return recordRound(tx, c, "submitted")
	})
}

func recordRound(tx *gorm.DB, c models.CatalogChange, kind string) error {
	r := models.ChangeRound{ChangeID: c.ID, Round: c.Round, Reason: c.Reason, Operations: c.Operations,
		SubmittedBy: c.SubmittedBy, SubmittedAt: c.SubmittedAt.UTC()}
	if err := insertOnce(tx, &r); err != nil {
		return fmt.Errorf("record round %d of %s: %w", c.Round, c.ID, err)
	}
	ev := event(c.ID, roundStep(c.Round), kind, c.SubmittedAt)
	ev.Actor, ev.Article = c.SubmittedBy, c.Article
	ev.Detail = fmt.Sprintf("round %d: %s (%s)", c.Round, describeOps(c.Operations), c.Reason)
	if len(c.Classification) > 0 {
		ev.Detail += fmt.Sprintf("; makes %s conditional or not shared, citing the legal basis: a modified item's new share type goes to the classification procedure when the change is applied", strings.Join(c.Classification, ", "))
	}
	if err := insertOnce(tx, &ev); err != nil {
		return fmt.Errorf("record %s of %s: %w", kind, c.ID, err)
	}
	return nil
}

func describeOps(ops []models.ChangeOperation) string {
	parts := make([]string, len(ops))
	for i, op := range ops {
		parts[i] = op.Op + " " + op.ItemID
	}
	return strings.Join(parts, ", ")
}

// ResubmitCatalogChange records a new round of a returned change: its revised
// operations and reason; earlier rounds stay as they were.
func (a *Activities) ResubmitCatalogChange(ctx context.Context, c models.CatalogChange) error {
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		next := models.CatalogChange{
			Header:         models.Header{Status: models.ChangePending},
			Round:          c.Round,
			Operations:     c.Operations,
			Classification: c.Classification,
			Reason:         c.Reason,
		}
		err := tx.Model(&models.CatalogChange{}).Where("id = ? AND round < ?", c.ID, c.Round).
			Select("status", "round", "operations", "classification", "reason", "return_reason", "overdue").Updates(&next).Error
		if err != nil {
			return fmt.Errorf("resubmit %s: %w", c.ID, err)
		}
		return recordRound(tx, c, "resubmitted")
	})
}

// ChangeOutcomeInput ends one round of a catalog change.
type ChangeOutcomeInput struct {
	ID         string
	Round      int
	Operations []models.ChangeOperation
	Note       string // reasons of a refusal, or the conflict
	DecidedBy  string
	Article    string
	At         time.Time
	// Routed names the modified items whose new share type goes to the
	// classification procedure: they keep their share type, conditions and
	// legal basis, and the change records the classification of each.
	Routed []models.ClassificationRef `json:",omitempty"`
}

// ApplyChangeResult says whether a change was applied; Conflict explains why not.
// Routed holds the routed items as the change left them.
type ApplyChangeResult struct {
	Applied  bool
	Conflict string
	Routed   []models.CatalogItem `json:",omitempty"`
}

// ApplyCatalogChange applies every operation of the round to the catalog in
// one transaction with the change's new status, or nothing: when another
// change came first to one of its items, it reports the conflict and the
// workflow returns the change to the department.
func (a *Activities) ApplyCatalogChange(ctx context.Context, in ChangeOutcomeInput) (ApplyChangeResult, error) {
	at := in.At.UTC()
	res := ApplyChangeResult{Applied: true}
	err := a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		ops, err := keepShareTypes(tx, in.Operations, in.Routed)
		if err != nil {
			return err
		}
		if err := models.ApplyChange(tx, in.ID, in.Round, ops, at); err != nil {
			return err
		}
		if err := a.finishRound(tx, in, models.ChangeApplied, "applied", at); err != nil {
			return err
		}
		if res.Routed, err = recordRouted(tx, in, at); err != nil {
			return err
		}
		return nil
	})
	var conflict *models.ConflictError
	if errors.As(err, &conflict) {
		return ApplyChangeResult{Conflict: conflict.Error()}, nil
	}
	if err != nil {
		return ApplyChangeResult{}, fmt.Errorf("apply %s round %d: %w", in.ID, in.Round, err)
	}
	return res, nil
}

// keepShareTypes returns ops with each routed item's modification carrying
// the item's current share type, conditions and legal basis: the change
// applies its other fields, the classification procedure decides the rest.
func keepShareTypes(tx *gorm.DB, ops []models.ChangeOperation, routed []models.ClassificationRef) ([]models.ChangeOperation, error) {
	if len(routed) == 0 {
		return ops, nil
	}
	out := slices.Clone(ops)
	for i, op := range out {
		if op.Item == nil || !slices.ContainsFunc(routed, func(r models.ClassificationRef) bool { return r.ItemID == op.ItemID }) {
			continue
		}
		if op.Op == models.OpAdd {
			// Not yet listed as proposed: conditional, decided by the
			// provider, until the classification ends.
			it := *op.Item
			it.ShareType = models.ShareConditional
			if it.ShareConditions == "" {
				it.ShareConditions = models.InterimConditions
			}
			out[i].Item = &it
			continue
		}
		var cur models.CatalogItem
		if err := tx.First(&cur, "id = ?", op.ItemID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				continue // ApplyChange reports the conflict
			}
			return nil, fmt.Errorf("load catalog item %s: %w", op.ItemID, err)
		}
		it := *op.Item
		it.ShareType, it.ShareConditions, it.LegalBasis = cur.ShareType, cur.ShareConditions, cur.LegalBasis
		out[i].Item = &it
	}
	return out, nil
}

// recordRouted records on an applied change the classification started for
// each routed item, with an event, and returns the routed items as they are
// now.
func recordRouted(tx *gorm.DB, in ChangeOutcomeInput, at time.Time) ([]models.CatalogItem, error) {
	if len(in.Routed) == 0 {
		return nil, nil
	}
	if err := tx.Model(&models.CatalogChange{}).Where("id = ?", in.ID).
		Updates(&models.CatalogChange{Classifications: in.Routed}).Error; err != nil {
		return nil, fmt.Errorf("record classifications of %s: %w", in.ID, err)
	}
	items := make([]models.CatalogItem, len(in.Routed))
	parts := make([]string, len(in.Routed))
	for i, r := range in.Routed {
		if err := load(tx, &items[i], "catalog item", r.ItemID); err != nil {
			return nil, err
		}
		parts[i] = r.ItemID + " → " + r.ClassificationID
	}
	ev := event(in.ID, roundStep(in.Round), "routed", at)
	ev.Actor, ev.Article = "system", in.Article
	ev.Detail = "share type kept; the new share type goes to the classification procedure: " + strings.Join(parts, ", ")
	if err := insertOnce(tx, &ev); err != nil {
		return nil, fmt.Errorf("record routing of %s: %w", in.ID, err)
	}
	return items, nil
}

// ReturnCatalogChange returns a round to the department with its reasons: a
// refusal, or a conflict with another change.
func (a *Activities) ReturnCatalogChange(ctx context.Context, in ChangeOutcomeInput) error {
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return a.finishRound(tx, in, models.ChangeReturned, "returned", in.At.UTC())
	})
}

// WithdrawCatalogChange records that the department gave up a returned change.
func (a *Activities) WithdrawCatalogChange(ctx context.Context, in ChangeOutcomeInput) error {
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return a.finishRound(tx, in, models.ChangeWithdrawn, "withdrawn", in.At.UTC())
	})
}

// finishRound sets the change's status and the round's outcome, and records
// the event.
func (a *Activities) finishRound(tx *gorm.DB, in ChangeOutcomeInput, status, kind string, at time.Time) error {
	upd := map[string]any{"status": status, "decided_at": at, "article": in.Article}
	if status == models.ChangeReturned {
		upd["return_reason"] = in.Note
	}
	if status != models.ChangeWithdrawn { // a withdrawn change's last round keeps its return
		round := map[string]any{"outcome": status, "outcome_note": in.Note, "decided_by": in.DecidedBy, "decided_at": at}
		if err := tx.Model(&models.ChangeRound{}).Where("change_id = ? AND round = ?", in.ID, in.Round).Updates(round).Error; err != nil {
			return fmt.Errorf("close round %d of %s: %w", in.Round, in.ID, err)
		}
	}
	ev := event(in.ID, roundStep(in.Round), kind, at)
	ev.Actor, ev.Article, ev.Detail = in.DecidedBy, in.Article, in.Note
	return a.progress(tx, models.ProcedureCatalogChange, in.ID, upd, ev)
}
