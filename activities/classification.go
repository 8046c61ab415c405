package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cityapprovals/approvals/models"
	"gorm.io/gorm"
)

// RecordClassification stores a submitted classification (once).
func (a *Activities) RecordClassification(ctx context.Context, c models.Classification) error {
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := insertOnce(tx, &c); err != nil {
			return fmt.Errorf("record classification %s: %w", c.ID, err)
		}
		ev := event(c.ID, "classification", "filed", c.SubmittedAt)
		ev.Actor, ev.Article = c.SubmittedBy, c.Article
		ev.Detail = fmt.Sprintf("%s proposed %s for %s: %s (%s)", c.Dept, c.ProposedShareType, c.CatalogItemID, c.Reason, c.LegalBasis)
		if err := insertOnce(tx, &ev); err != nil {
			return fmt.Errorf("record filing of %s: %w", c.ID, err)
		}
		return nil
	})
}

// ClassificationUpdate changes a classification's record: its status, step,
// note, dispute or next re-evaluation, and records Event (when set) as an
// event of step Key.
type ClassificationUpdate struct {
	ID               string
	Status           string
	Step             string
	Note             string
	DisputeID        string
	NextReevaluation string
	Article          string
	Event            string
	Key              string
	Actor            string
	Final            bool // sets decided_at
	At               time.Time
}

// UpdateClassification writes a classification's progress.
func (a *Activities) UpdateClassification(ctx context.Context, in ClassificationUpdate) error {
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return updateClassification(tx, in) })
}

func updateClassification(tx *gorm.DB, in ClassificationUpdate) error {
	at := in.At.UTC()
	upd := map[string]any{"status": in.Status, "step": in.Step, "note": in.Note, "dispute_id": in.DisputeID,
		"next_reevaluation": in.NextReevaluation, "article": in.Article}
	if in.Final {
		upd["decided_at"] = at
	}
	if err := tx.Model(&models.Classification{}).Where("id = ?", in.ID).Updates(upd).Error; err != nil {
		return fmt.Errorf("update classification %s: %w", in.ID, err)
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

// ApplyClassificationInput sets an item's share type, conditions and legal
// basis as round Round of classification Update.ID, against BaseVersion.
type ApplyClassificationInput struct {
	Update          ClassificationUpdate
	Round           int
	ItemID          string
	BaseVersion     int
	ShareType       string
	ShareConditions string
	LegalBasis      string
}

// ItemEdit says whether a classification or an adjustment changed the item: its new version
// and what it was before, or the conflict that kept it unchanged.
type ItemEdit struct {
	Applied  bool
	Version  int
	Previous models.CatalogItem
	Conflict string
}

// ApplyClassification changes the item through the catalog's versioning (a
// new version recorded with the classification as its change), and records
// the classification's new status, in one transaction; an item changed
// meanwhile is reported as a conflict and nothing is written but that.
func (a *Activities) ApplyClassification(ctx context.Context, in ApplyClassificationInput) (ItemEdit, error) {
	var res ItemEdit
	at := in.Update.At.UTC()
	err := a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		res, err = applyItemEdit(tx, in.Update.ID, in.Round, in.ItemID, in.BaseVersion, at, func(it *models.CatalogItem) {
			it.ShareType, it.ShareConditions, it.LegalBasis = in.ShareType, in.ShareConditions, in.LegalBasis
		})
		if err != nil {
			return err
		}
		return updateClassification(tx, in.Update)
	})
	var conflict *models.ConflictError
	if errors.As(err, &conflict) {
		u := in.Update
		u.Status, u.Note, u.Event, u.Final = models.ClassificationConflict, conflict.Error(), "conflict", true
		if err := a.UpdateClassification(ctx, u); err != nil {
			return res, err
		}
		return ItemEdit{Conflict: conflict.Error()}, nil
	}
	if err != nil {
		return res, fmt.Errorf("apply classification %s: %w", in.Update.ID, err)
	}
	return res, nil
}

// applyItemEdit changes one catalog item through the catalog's versioning, as
// round `round` of procedure procID against baseVersion, and says what it was
// before. A retried attempt finds the version it made; an item changed or
// deleted meanwhile is a *models.ConflictError and nothing is written.
func applyItemEdit(tx *gorm.DB, procID string, round int, itemID string, baseVersion int, at time.Time, edit func(*models.CatalogItem)) (ItemEdit, error) {
	var done models.CatalogItemVersion
	err := tx.Where("item_id = ? AND change_id = ? AND round = ?", itemID, procID, round).First(&done).Error
	if err == nil { // applied by an earlier attempt
		res := ItemEdit{Applied: true, Version: done.Version}
		var before models.CatalogItemVersion
		if tx.Where("item_id = ? AND version < ?", itemID, done.Version).Order("version DESC").First(&before).Error == nil {
			res.Previous = before.Item
		}
		return res, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return ItemEdit{}, fmt.Errorf("look up round %d of %s: %w", round, procID, err)
	}
	var cur models.CatalogItem
	if err := tx.First(&cur, "id = ?", itemID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ItemEdit{}, &models.ConflictError{Field: "catalog_item_id", Message: "item " + itemID + " was deleted meanwhile"}
		}
		return ItemEdit{}, fmt.Errorf("load catalog item %s: %w", itemID, err)
	}
	res := ItemEdit{Previous: cur}
	it := cur
	edit(&it)
	op := models.ChangeOperation{Op: models.OpModify, ItemID: itemID, BaseVersion: baseVersion, Item: &it}
	if err := models.ApplyChange(tx, procID, round, []models.ChangeOperation{op}, at); err != nil {
		return res, err
	}
	if err := tx.First(&cur, "id = ?", itemID).Error; err != nil {
		return res, fmt.Errorf("reload catalog item %s: %w", itemID, err)
	}
	res.Applied, res.Version = true, cur.Version
	return res, nil
}
