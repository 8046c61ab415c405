package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cityapprovals/approvals/models"
	"gorm.io/gorm"
)

// RecordObjection stores a filed objection (once) and attaches its evidence.
func (a *Activities) RecordObjection(ctx context.Context, o models.Objection) error {
	return a.file(ctx, &o, filed(o.ID, "objection", o.FiledAt, o.ObjectedBy, o.Article,
		fmt.Sprintf("%s objection to %s (version %d) of %s, %d evidence file(s)", o.Kind, o.CatalogItemID, o.ItemVersion, o.ProviderDept, len(o.Evidence))), func(tx *gorm.DB) error {
		if len(o.Evidence) == 0 {
			return nil
		}
		if err := tx.Model(&models.Evidence{}).Where("id IN ? AND (objection_id = '' OR objection_id IS NULL)", o.Evidence).
			Update("objection_id", o.ID).Error; err != nil {
			return fmt.Errorf("attach evidence to %s: %w", o.ID, err)
		}
		return nil
	})
}

// ObjectionStepInput records that an objection moved to a step with its due time.
type ObjectionStepInput struct {
	ID      string
	Step    string
	Due     Deadline
	Article string
	// Statutory is false where the period is the platform's service level.
	Statutory bool
}

// ObjectionStep records the objection's current step and its due time.
func (a *Activities) ObjectionStep(ctx context.Context, in ObjectionStepInput) error {
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return a.progress(tx, models.ProcedureObjection, in.ID, map[string]any{
			"step": in.Step, "due_date": in.Due.DueDate, "due_at": in.Due.DueAt.UTC(), "provisional": in.Due.Provisional,
			"article": in.Article, "statutory": in.Statutory,
		}, models.Event{})
	})
}

// SuspendInput suspends an item's opening on behalf of an objection.
type SuspendInput struct {
	ObjectionID string
	ItemID      string
	Actor       string
	Article     string
	At          time.Time
}

// SuspendItem makes the objection hold the item suspended (中止开放).
func (a *Activities) SuspendItem(ctx context.Context, in SuspendInput) error {
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		from, to, err := models.ChangeHold(tx, models.HoldChange{ItemID: in.ItemID, ObjectionID: in.ObjectionID, Hold: true,
			Actor: in.Actor, Note: "suspended while the objection is verified", At: in.At})
		if err != nil {
			return err
		}
		if err := tx.Model(&models.Objection{}).Where("id = ?", in.ObjectionID).Update("suspended", true).Error; err != nil {
			return fmt.Errorf("objection %s suspended: %w", in.ObjectionID, err)
		}
		ev := event(in.ObjectionID, "objection", "item_suspended", in.At)
		ev.Actor, ev.Article = in.Actor, in.Article
		ev.Detail = fmt.Sprintf("item %s suspended (中止开放); availability %s → %s", in.ItemID, from, to)
		return insertOnce(tx, &ev)
	})
}

// ConcludeObjectionInput is an objection's outcome.
type ConcludeObjectionInput struct {
	ObjectionID string
	ItemID      string
	Outcome     string // withdraw, restore, fix_and_reopen, dismiss
	Reason      string
	// Item is the corrected item of a fix_and_reopen.
	Item      *models.CatalogItem
	DecidedBy string
	Overdue   bool
	Article   string
	At        time.Time
}

// ConcludeObjection applies an objection's outcome in one transaction: a
// withdrawal withdraws the item, a fix publishes the corrected version; in
// every case the objection's hold on the item is released (the item reopens
// when no other objection holds it) and the objector's feedback is recorded.
// Running it twice changes nothing more.
func (a *Activities) ConcludeObjection(ctx context.Context, in ConcludeObjectionInput) error {
	return a.write(ctx, in.At, func(tx *gorm.DB, at time.Time) error {
		var o models.Objection
		if err := load(tx, &o, "objection", in.ObjectionID); err != nil {
			return err
		}
		if o.Status == models.ObjectionHandled {
			return nil
		}
		newVersion, reason := 0, in.Reason
		var cur models.CatalogItem
		gone := false
		if err := tx.First(&cur, "id = ?", in.ItemID).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			// Deleted by a catalog change meanwhile: nothing left to correct.
			gone, reason = true, strings.TrimLeft(reason+"; the item was deleted from the catalog meanwhile", "; ")
		} else if err != nil {
			return fmt.Errorf("load catalog item %s: %w", in.ItemID, err)
		}
		if in.Outcome == models.OutcomeFixAndReopen && in.Item != nil && !gone {
			it := *in.Item
			it.ID, it.Jurisdiction, it.ProviderDept = cur.ID, cur.Jurisdiction, cur.ProviderDept
			op := models.ChangeOperation{Op: models.OpModify, ItemID: cur.ID, BaseVersion: cur.Version, Item: &it}
			if err := models.ApplyChange(tx, o.ID, 1, []models.ChangeOperation{op}, at); err != nil {
				return fmt.Errorf("publish the corrected %s: %w", in.ItemID, err)
			}
			if err := tx.Model(&models.CatalogItemVersion{}).Where("change_id = ? AND round = 1", o.ID).Select("version").Scan(&newVersion).Error; err != nil {
				return fmt.Errorf("version of the corrected %s: %w", in.ItemID, err)
			}
		}
		from, to, err := models.ChangeHold(tx, models.HoldChange{ItemID: in.ItemID, ObjectionID: o.ID,
			Withdraw: in.Outcome == models.OutcomeWithdraw, Actor: in.DecidedBy, Note: "objection handled: " + in.Outcome, At: at})
		if err != nil {
			return err
		}
		feedback := Feedback(in.Outcome, reason, newVersion, to)
		ev := event(o.ID, "objection", "handled", at)
		ev.Actor, ev.Article = in.DecidedBy, in.Article
		ev.Detail = fmt.Sprintf("%s; item %s %s → %s; feedback: %s", in.Outcome, in.ItemID, from, to, feedback)
		return a.progress(tx, models.ProcedureObjection, o.ID, map[string]any{
			"status": models.ObjectionHandled, "step": "done", "outcome": in.Outcome, "feedback": feedback,
			"new_version": newVersion, "decided_by": in.DecidedBy, "decided_at": at, "suspended": false,
		}, ev)
	})
}

// Feedback is the answer the objector reads: the outcome, its consequence
// for the item, and the handler's reasons.
func Feedback(outcome, reason string, newVersion int, availability string) string {
	var parts []string
	switch outcome {
	case models.OutcomeWithdraw:
		parts = append(parts, "数据已撤回 (the item is withdrawn from opening)")
	case models.OutcomeRestore:
		parts = append(parts, "经核实恢复开放 (verified; opening restored unchanged)")
	case models.OutcomeFixAndReopen:
		parts = append(parts, fmt.Sprintf("数据已更正并发布第 %d 版 (corrected: version %d published)", newVersion, newVersion))
	case models.OutcomeDismiss:
		parts = append(parts, "异议不成立 (the objection is unfounded)")
	}
	if availability == models.AvailabilitySuspended {
		parts = append(parts, "the item stays suspended while other objections are verified")
	}
	if strings.TrimSpace(reason) != "" {
		parts = append(parts, reason)
	}
	return strings.Join(parts, "; ")
}
