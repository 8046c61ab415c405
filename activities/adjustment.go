package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cityapprovals/approvals/models"
	"gorm.io/gorm"
)

// RecordAdjustment stores a temporary adjustment (once).
func (a *Activities) RecordAdjustment(ctx context.Context, t models.TemporaryAdjustment) error {
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := insertOnce(tx, &t); err != nil {
			return fmt.Errorf("record adjustment %s: %w", t.ID, err)
		}
		ev := event(t.ID, "adjustment", "filed", t.SubmittedAt)
		ev.Actor, ev.Article = t.SubmittedBy, t.Article
		ev.Detail = fmt.Sprintf("%s → %s until %s (%s): %s", t.CatalogItemID, t.ShareType, t.EndDate, t.Ground, t.Reason)
		if err := insertOnce(tx, &ev); err != nil {
			return fmt.Errorf("record filing of %s: %w", t.ID, err)
		}
		return nil
	})
}

// AdjustmentUpdate changes a temporary adjustment's record and records Event
// (when set) as an event of step Key.
type AdjustmentUpdate struct {
	ID       string
	Status   string
	EndDate  string
	Renewals int
	Note     string
	Reverted bool // sets reverted_at
	Event    string
	Key      string
	Actor    string
	Article  string
	At       time.Time
}

// UpdateAdjustment writes a temporary adjustment's progress.
func (a *Activities) UpdateAdjustment(ctx context.Context, in AdjustmentUpdate) error {
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return updateAdjustment(tx, in) })
}

func updateAdjustment(tx *gorm.DB, in AdjustmentUpdate) error {
	at := in.At.UTC()
	upd := map[string]any{"status": in.Status, "end_date": in.EndDate, "renewals": in.Renewals, "note": in.Note}
	if in.Reverted {
		upd["reverted_at"] = at
	}
	if err := tx.Model(&models.TemporaryAdjustment{}).Where("id = ?", in.ID).Updates(upd).Error; err != nil {
		return fmt.Errorf("update adjustment %s: %w", in.ID, err)
	}
	if in.Event == "" {
		return nil
	}
	ev := event(in.ID, in.Key, in.Event, at)
	ev.Actor, ev.Article, ev.Detail = in.Actor, in.Article, in.Note
	if err := insertOnce(tx, &ev); err != nil {
		return fmt.Errorf("record %s of %s: %w", in.Event, in.ID, err)
	}
	return nil
}

// ApplyAdjustmentInput sets an item's share type and conditions as round
// Round of adjustment Update.ID, against BaseVersion (the legal basis stays).
type ApplyAdjustmentInput struct {
	Update          AdjustmentUpdate
	Round           int
	ItemID          string
	BaseVersion     int
	ShareType       string
	ShareConditions string
}

// ApplyAdjustment changes the item as a new catalog version and records the
// adjustment's status in one transaction; an item changed meanwhile is a
// conflict and leaves the item as it is.
func (a *Activities) ApplyAdjustment(ctx context.Context, in ApplyAdjustmentInput) (ItemEdit, error) {
	var res ItemEdit
	at := in.Update.At.UTC()
	err := a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		res, err = applyItemEdit(tx, in.Update.ID, in.Round, in.ItemID, in.BaseVersion, at, func(it *models.CatalogItem) {
			it.ShareType, it.ShareConditions = in.ShareType, in.ShareConditions
		})
		if err != nil {
			return err
		}
		return updateAdjustment(tx, in.Update)
	})
	var conflict *models.ConflictError
	if errors.As(err, &conflict) {
		u := in.Update
		u.Status, u.Note, u.Event, u.Reverted = models.AdjustmentConflict, conflict.Error(), "conflict", false
		if err := a.UpdateAdjustment(ctx, u); err != nil {
			return res, err
		}
		return ItemEdit{Conflict: conflict.Error()}, nil
	}
	if err != nil {
		return res, fmt.Errorf("apply adjustment %s: %w", in.Update.ID, err)
	}
	return res, nil
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
