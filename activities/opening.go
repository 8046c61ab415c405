package activities

import (
	"context"
	"fmt"

	"github.com/cityapprovals/approvals/models"
	"gorm.io/gorm"
)

// RecordOpeningReview stores a submitted opening review (once).
func (a *Activities) RecordOpeningReview(ctx context.Context, r models.OpeningReview) error {
	detail := fmt.Sprintf("%s assessed %s as %s: %s", r.Dept, r.CatalogItemID, r.ProposedOpenType, r.Assessment)
	if r.LegalBasis != "" {
		detail += " (basis: " + r.LegalBasis + ")"
	}
	if r.PublicInterest {
		detail += "; proposed open in the public interest"
	}
	return a.file(ctx, &r, filed(r.ID, "opening_review", r.SubmittedAt, r.SubmittedBy, r.Article, detail), nil)
}

// UpdateOpeningReviewInput changes an opening review's record: its status,
// step, note, the reviews ordered with their outcomes and the conditions
// set, and records Event (when set) as an event of step Key.
type UpdateOpeningReviewInput struct {
	StepProgress
	Reviews    string
	Conditions string
}

// UpdateOpeningReview writes an opening review's progress.
func (a *Activities) UpdateOpeningReview(ctx context.Context, in UpdateOpeningReviewInput) error {
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return a.updateOpeningReview(tx, in) })
}

func (a *Activities) updateOpeningReview(tx *gorm.DB, in UpdateOpeningReviewInput) error {
	upd := map[string]any{"status": in.Status, "step": in.Step, "note": in.Note, "article": in.Article,
		"conditions": in.Conditions, "reviews": in.Reviews}
	if in.Final {
		upd["decided_at"] = in.At.UTC()
	}
	return a.progress(tx, models.ProcedureOpeningReview, in.ID, upd, in.event())
}

// ApplyOpeningReviewInput sets an item's open type (and, for not-open data,
// its legal basis) as review Update.ID decided, against BaseVersion.
type ApplyOpeningReviewInput struct {
	Update      UpdateOpeningReviewInput
	ItemID      string
	BaseVersion int
	OpenType    string
	LegalBasis  string // kept as it is when empty
}

// ApplyOpeningReview changes the item's open type through the catalog's
// versioning (a new version recorded with the review as its change) and
// records the review's outcome, in one transaction; an item changed
// meanwhile is a conflict and nothing is written but that.
func (a *Activities) ApplyOpeningReview(ctx context.Context, in ApplyOpeningReviewInput) (ItemEditResult, error) {
	e := itemEdit{ProcID: in.Update.ID, Round: 1, ItemID: in.ItemID, BaseVersion: in.BaseVersion, At: in.Update.At}
	e.Edit = func(it *models.CatalogItem) {
		it.OpenType = in.OpenType
		if in.LegalBasis != "" {
			it.LegalBasis = in.LegalBasis
		}
	}
	record := func(tx *gorm.DB) error { return a.updateOpeningReview(tx, in.Update) }
	return a.applyEdit(ctx, e, record, func(msg string) error {
		u := in.Update
		u.Status = models.OpeningConflict
		u.Note = msg
		u.Event = "conflict"
		u.Final = true
		return a.UpdateOpeningReview(ctx, u)
	})
}
