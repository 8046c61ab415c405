package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/cityapprovals/approvals/models"
	"gorm.io/gorm"
)

// RecordDataConflict stores a filed data conflict (once), with its filing
// event.
func (a *Activities) RecordDataConflict(ctx context.Context, c models.DataConflict) error {
	ev := event(c.ID, "data_conflict", "filed", c.FiledAt)
	ev.Actor = c.FiledBy
	ev.Article = c.Article
	ev.Detail = fmt.Sprintf("%s (%s) and %s (%s) disagree: %s", c.CatalogItemID, c.ProviderDept, c.OtherItemID, c.OtherDept, c.Description)
	return a.file(ctx, &c, ev, nil)
}

// ConflictProgressInput is a data conflict's step: the negotiation failed
// (Status pending, Failure set) or the conflict ended (agreed or
// coordinated, with its Resolution), by DecidedBy under Article at At.
type ConflictProgressInput struct {
	ID         string
	Step       string
	Status     string
	Failure    string
	Resolution string
	DecidedBy  string
	Article    string
	At         time.Time
}

// ConflictProgress writes a data conflict's step and its event; writing it
// twice changes nothing.
func (a *Activities) ConflictProgress(ctx context.Context, in ConflictProgressInput) error {
	at := in.At.UTC()
	upd := map[string]any{"status": in.Status}
	kind := "negotiation_failed"
	if in.Failure != "" {
		upd["failure"] = in.Failure
	}
	if in.Status != models.ConflictPending {
		upd["resolution"], upd["decided_by"], upd["decided_at"] = in.Resolution, in.DecidedBy, at
		kind = in.Status
	}
	ev := event(in.ID, in.Step, kind, at)
	ev.Actor, ev.Article = in.DecidedBy, in.Article
	ev.Detail = in.Resolution
	if in.Status == models.ConflictPending {
		ev.Detail = in.Failure
	}
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return a.progress(tx, models.ProcedureDataConflict, in.ID, upd, ev)
	})
}
