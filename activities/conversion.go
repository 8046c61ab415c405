package activities

import (
	"context"
	"fmt"

	"github.com/cityapprovals/approvals/models"
	"gorm.io/gorm"
)

// RecordOpenConversion stores a filed conversion (once).
func (a *Activities) RecordOpenConversion(ctx context.Context, r models.OpenConversion) error {
	return a.file(ctx, &r, filed(r.ID, "open_conversion", r.SubmittedAt, r.SubmittedBy, r.Article,
		fmt.Sprintf("converts %s from %s to %s by decision %s: %s", r.CatalogItemID, r.FromOpenType, r.ToOpenType, r.Decision, r.Reason)), nil)
}

// ApplyOpenConversionInput converts item ItemID to OpenType as conversion
// Update.ID, against BaseVersion.
type ApplyOpenConversionInput struct {
	Update      Progress
	ItemID      string
	BaseVersion int
	OpenType    string
}

// ApplyOpenConversion changes the item's open type through the catalog's
// versioning and records the conversion applied, in one transaction; an item
// changed meanwhile is a conflict and nothing is written but that.
func (a *Activities) ApplyOpenConversion(ctx context.Context, in ApplyOpenConversionInput) (ItemEditResult, error) {
	e := itemEdit{ProcID: in.Update.ID, Round: 1, ItemID: in.ItemID, BaseVersion: in.BaseVersion, At: in.Update.At}
	e.Edit = func(it *models.CatalogItem) { it.OpenType = in.OpenType }
	write := func(tx *gorm.DB, u Progress) error {
		return a.progress(tx, models.ProcedureOpenConversion, u.ID, map[string]any{"status": u.Status, "note": u.Note, "decided_at": u.At.UTC()}, u.event())
	}
	return a.applyEdit(ctx, e, func(tx *gorm.DB) error { return write(tx, in.Update) }, func(msg string) error {
		u := in.Update
		u.Status, u.Note, u.Event = models.ConversionConflict, msg, "conflict"
		return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return write(tx, u) })
	})
}
