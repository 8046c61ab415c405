package activities

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/cityapprovals/approvals/models"
	"gorm.io/gorm"
)

// RecordAuthorityApproval stores a filed authority approval (once).
func (a *Activities) RecordAuthorityApproval(ctx context.Context, r models.AuthorityApproval) error {
	ev := event(r.ID, r.Kind, "filed", r.SubmittedAt)
	ev.Actor = r.SubmittedBy
	ev.Article = r.Article
	ev.Detail = fmt.Sprintf("%s applies for %s: %s", r.Dept, r.Kind, r.Title)
	return a.file(ctx, &r, ev, nil)
}

// UpdateApprovalInput changes an authority approval's record: its status,
// step and note, the grant conditions of an approval, and records Event
// (when set) as an event of step Key.
type UpdateApprovalInput struct {
	StepProgress
	GrantConditions []string
}

// UpdateAuthorityApproval writes an authority approval's progress.
func (a *Activities) UpdateAuthorityApproval(ctx context.Context, in UpdateApprovalInput) error {
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		upd := map[string]any{"status": in.Status, "step": in.Step, "note": in.Note, "article": in.Article}
		if in.GrantConditions != nil {
			b, err := json.Marshal(in.GrantConditions) // as the column's JSON serializer writes it
			if err != nil {
				return fmt.Errorf("grant conditions of %s: %w", in.ID, err)
			}
			upd["grant_conditions"] = string(b)
		}
		if in.Final {
			upd["decided_at"] = in.At.UTC()
		}
		return a.progress(tx, models.ProcedureAuthorityApproval, in.ID, upd, in.event())
	})
}
