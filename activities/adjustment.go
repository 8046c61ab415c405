package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/cityapprovals/approvals/models"
	"gorm.io/gorm"
)

// RecordAdjustment stores a temporary adjustment (once).
func (a *Activities) RecordAdjustment(ctx context.Context, t models.TemporaryAdjustment) error {
	return a.file(ctx, &t, filed(t.ID, "adjustment", t.SubmittedAt, t.SubmittedBy, t.Article,
		fmt.Sprintf("%s → %s until %s (%s): %s", t.CatalogItemID, t.ShareType, t.EndDate, t.Ground, t.Reason)), nil)
}

// UpdateAdjustmentInput changes a temporary adjustment's record and records Event
// (when set) as an event of step Key.
type UpdateAdjustmentInput struct {
	Progress
	EndDate  string
	Renewals int
	Reverted bool // sets reverted_at
}

// UpdateAdjustment writes a temporary adjustment's progress.
func (a *Activities) UpdateAdjustment(ctx context.Context, in UpdateAdjustmentInput) error {
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return a.updateAdjustment(tx, in) })
}

func (a *Activities) updateAdjustment(tx *gorm.DB, in UpdateAdjustmentInput) error {
	at := in.At.UTC()
	upd := map[string]any{"status": in.Status, "end_date": in.EndDate, "renewals": in.Renewals, "note": in.Note}
	if in.Reverted {
		upd["reverted_at"] = at
	}
	return a.progress(tx, models.ProcedureAdjustment, in.ID, upd, in.event())
}

// ApplyAdjustmentInput sets an item's share type and conditions as round
// Round of adjustment Update.ID, against BaseVersion (the legal basis stays).
type ApplyAdjustmentInput struct {
	Update          UpdateAdjustmentInput
	Round           int
	ItemID          string
	BaseVersion     int
	ShareType       string
	ShareConditions string
}

// ApplyAdjustment changes the item as a new catalog version and records the
// adjustment's status in one transaction; an item changed meanwhile is a
// conflict and leaves the item as it is.
func (a *Activities) ApplyAdjustment(ctx context.Context, in ApplyAdjustmentInput) (ItemEditResult, error) {
	e := itemEdit{ProcID: in.Update.ID, Round: in.Round, ItemID: in.ItemID, BaseVersion: in.BaseVersion, At: in.Update.At}
	e.Edit = func(it *models.CatalogItem) {
		it.ShareType = in.ShareType
		it.ShareConditions = in.ShareConditions
	}
	record := func(tx *gorm.DB) error { return a.updateAdjustment(tx, in.Update) }
	return a.applyEdit(ctx, e, record, func(msg string) error {
		u := in.Update
		u.Status = models.AdjustmentConflict
		u.Note = msg
		u.Event = "conflict"
		u.Reverted = false
		return a.UpdateAdjustment(ctx, u)
	})
}

// CloseGrantsInput shuts down the grants opened on an item.
type CloseGrantsInput struct {
	AdjustmentID string
	ItemID       string
	Reason       string
	Article      string
	At           time.Time
}

// CloseItemGrants closes every open grant on the item (sets closed_at and
// the reason) and records a grant_closed event on each grant's share
// request, citing the article; it returns how many it closed. Closing twice
// closes nothing more.
func (a *Activities) CloseItemGrants(ctx context.Context, in CloseGrantsInput) (int, error) {
	n := 0
	err := a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var gs []models.Grant
		if err := tx.Where("catalog_item_id = ? AND closed_at IS NULL", in.ItemID).Find(&gs).Error; err != nil {
			return fmt.Errorf("grants on %s: %w", in.ItemID, err)
		}
		at := in.At.UTC()
		for _, g := range gs {
			if err := tx.Model(&models.Grant{}).Where("id = ?", g.ID).Updates(map[string]any{"closed_at": at, "closed_reason": in.Reason}).Error; err != nil {
				return fmt.Errorf("close grant %s: %w", g.ID, err)
			}
			ev := event(g.ShareRequestID, in.AdjustmentID, "grant_closed", at)
			ev.Actor, ev.Article, ev.Detail = "system", in.Article, in.Reason
			if err := insertOnce(tx, &ev); err != nil {
				return fmt.Errorf("record grant %s closed: %w", g.ID, err)
			}
		}
		n = len(gs)
		return nil
	})
	return n, err
}
