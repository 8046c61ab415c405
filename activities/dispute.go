package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cityapprovals/approvals/models"
	"gorm.io/gorm"
)

// RecordDispute stores a filed dispute (once), with the first level of its
// chain open.
func (a *Activities) RecordDispute(ctx context.Context, d models.Dispute) error {
	return a.file(ctx, &d, filed(d.ID, "dispute", d.FiledAt, d.FiledBy, d.Article,
		fmt.Sprintf("dispute over %s %s: %s", d.Subject, d.SubjectID, d.Reason)), nil)
}

// DisputeLevelInput records a level of a dispute's chain: opened (Outcome
// empty) or decided. Status is the dispute's status afterwards: pending while
// the chain goes on, upheld or overturned when this level's decision ends it.
type DisputeLevelInput struct {
	ID     string
	Index  int
	Level  models.DisputeLevel
	Status string
	At     time.Time
}

// RecordDisputeLevel writes one level of a dispute's chain and the dispute's
// status; writing the same level twice changes nothing.
func (a *Activities) RecordDisputeLevel(ctx context.Context, in DisputeLevelInput) error {
	return a.write(ctx, in.At, func(tx *gorm.DB, at time.Time) error {
		var d models.Dispute
		if err := load(tx, &d, "dispute", in.ID); err != nil {
			return err
		}
		for len(d.Levels) <= in.Index {
			d.Levels = append(d.Levels, models.DisputeLevel{})
		}
		d.Levels[in.Index] = in.Level
		levels, err := json.Marshal(d.Levels) // the column's serializer:json, by hand for a write by columns
		if err != nil {
			return fmt.Errorf("encode the levels of %s: %w", in.ID, err)
		}
		upd := map[string]any{"levels": string(levels), "status": in.Status, "level": in.Level.Level, "article": in.Level.Article,
			"overdue": d.Overdue || in.Level.Overdue}
		if in.Status != models.DisputePending {
			upd["decided_at"] = at
		}
		var ev models.Event // a level opened has no event; its outcome has
		if in.Level.Outcome != "" {
			ev = event(d.ID, fmt.Sprintf("level-%d", in.Index+1), in.Level.Outcome, at)
			ev.Actor, ev.Article = in.Level.DecidedBy, in.Level.Article
			ev.Detail = in.Level.Level
			if in.Level.Reason != "" {
				ev.Detail += ": " + in.Level.Reason
			}
		}
		return a.progress(tx, models.ProcedureDispute, in.ID, upd, ev)
	})
}
