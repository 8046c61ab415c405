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
	return a.file(ctx, &c, filed(c.ID, "classification", c.SubmittedAt, c.SubmittedBy, c.Article,
		fmt.Sprintf("%s proposed %s for %s: %s (%s)", c.Dept, c.ProposedShareType, c.CatalogItemID, c.Reason, c.LegalBasis)), nil)
}

// UpdateClassificationInput changes a classification's record: its status, step,
// note, dispute or next re-evaluation, and records Event (when set) as an
// event of step Key.
type UpdateClassificationInput struct {
	StepProgress
	DisputeID        string
	NextReevaluation string
}

// UpdateClassification writes a classification's progress.
func (a *Activities) UpdateClassification(ctx context.Context, in UpdateClassificationInput) error {
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return a.updateClassification(tx, in) })
}

func (a *Activities) updateClassification(tx *gorm.DB, in UpdateClassificationInput) error {
	at := in.At.UTC()
	upd := map[string]any{"status": in.Status, "step": in.Step, "note": in.Note, "dispute_id": in.DisputeID,
		"next_reevaluation": in.NextReevaluation, "article": in.Article}
	if in.Final {
		upd["decided_at"] = at
	}
	return a.progress(tx, models.ProcedureClassification, in.ID, upd, in.event())
}

// ApplyClassificationInput sets an item's share type, conditions and legal
// basis as round Round of classification Update.ID, against BaseVersion.
type ApplyClassificationInput struct {
	Update          UpdateClassificationInput
	Round           int
	ItemID          string
	BaseVersion     int
	ShareType       string
	ShareConditions string
	LegalBasis      string
}

// ItemEditResult says whether a classification or an adjustment changed the item: its new version
// and what it was before, or the conflict that kept it unchanged.
type ItemEditResult struct {
	Applied  bool
	Version  int
	Previous models.CatalogItem
	Conflict string
}

// ApplyClassification changes the item through the catalog's versioning (a
// new version recorded with the classification as its change), and records
// the classification's new status, in one transaction; an item changed
// meanwhile is reported as a conflict and nothing is written but that.
func (a *Activities) ApplyClassification(ctx context.Context, in ApplyClassificationInput) (ItemEditResult, error) {
	e := itemEdit{ProcID: in.Update.ID, Round: in.Round, ItemID: in.ItemID, BaseVersion: in.BaseVersion, At: in.Update.At}
	e.Edit = func(it *models.CatalogItem) {
		it.ShareType = in.ShareType
		it.ShareConditions = in.ShareConditions
		it.LegalBasis = in.LegalBasis
	}
	record := func(tx *gorm.DB) error { return a.updateClassification(tx, in.Update) }
	return a.applyEdit(ctx, e, record, func(msg string) error {
		u := in.Update
		u.Status = models.ClassificationConflict
		u.Note = msg
		u.Event = "conflict"
		u.Final = true
		return a.UpdateClassification(ctx, u)
	})
}

// applyItemEdit changes one catalog item through the catalog's versioning, as
// round `round` of procedure procID against baseVersion, and says what it was
// before. A retried attempt finds the version it made; an item changed or
// deleted meanwhile is a *models.ConflictError and nothing is written.
func applyItemEdit(tx *gorm.DB, procID string, round int, itemID string, baseVersion int, at time.Time, edit func(*models.CatalogItem)) (ItemEditResult, error) {
	var done models.CatalogItemVersion
	err := tx.Where("item_id = ? AND change_id = ? AND round = ?", itemID, procID, round).First(&done).Error
	if err == nil { // applied by an earlier attempt
		res := ItemEditResult{Applied: true, Version: done.Version}
		var before models.CatalogItemVersion
		if tx.Where("item_id = ? AND version < ?", itemID, done.Version).Order("version DESC").First(&before).Error == nil {
			res.Previous = before.Item
		}
		return res, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return ItemEditResult{}, fmt.Errorf("look up round %d of %s: %w", round, procID, err)
	}
	var cur models.CatalogItem
	if err := tx.First(&cur, "id = ?", itemID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ItemEditResult{}, &models.ConflictError{Field: "catalog_item_id", Message: "item " + itemID + " was deleted meanwhile"}
		}
		return ItemEditResult{}, fmt.Errorf("load catalog item %s: %w", itemID, err)
	}
	res := ItemEditResult{Previous: cur}
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
