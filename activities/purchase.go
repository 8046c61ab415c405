package activities

import (
	"context"
	"fmt"
	"strings"

	"github.com/cityapprovals/approvals/models"
	"gorm.io/gorm"
)

// RecordPurchase stores a filed purchase (once), with the overlaps found.
func (a *Activities) RecordPurchase(ctx context.Context, p models.Purchase) error {
	ev := event(p.ID, "purchase", "filed", p.SubmittedAt)
	ev.Actor = p.SubmittedBy
	ev.Article = p.Article
	ev.Detail = fmt.Sprintf("%s files the purchase of %s %q from %s: %s", p.Dept, p.Kind, p.Title, p.Supplier, p.Purpose)
	if len(p.Overlaps) > 0 {
		ev.Detail += "; overlaps: " + strings.Join(p.Overlaps, "; ")
	}
	return a.file(ctx, &p, ev, nil)
}

// UpdatePurchaseInput changes a purchase's record: its status, step, note
// and cataloguing obligation, and records Event (when set) as an event of
// step Key.
type UpdatePurchaseInput struct {
	StepProgress
	TriggerID string
}

// UpdatePurchase writes a purchase's progress.
func (a *Activities) UpdatePurchase(ctx context.Context, in UpdatePurchaseInput) error {
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		upd := map[string]any{"status": in.Status, "step": in.Step, "note": in.Note, "trigger_id": in.TriggerID, "article": in.Article}
		if in.Final {
			upd["decided_at"] = in.At.UTC()
		}
		return a.progress(tx, models.ProcedurePurchase, in.ID, upd, in.event())
	})
}
