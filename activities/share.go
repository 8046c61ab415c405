package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/cityapprovals/approvals/models"
	"gorm.io/gorm"
)

// RecordShareRequest stores a filed share request (once).
func (a *Activities) RecordShareRequest(ctx context.Context, r models.ShareRequest) error {
	ev := event(r.ID, "request", "filed", r.FiledAt)
	ev.Actor = r.RequestedBy + "@" + r.RequesterDept
	ev.Article = r.Article
	ev.Detail = fmt.Sprintf("share request for %s from %s", r.CatalogItemID, r.ProviderDept)
	if r.DueDate != "" {
		ev.Detail += ", decision due " + r.DueDate
	}
	return a.file(ctx, &r, ev, nil)
}

// FinishShareInput is the final outcome of a share request.
type FinishShareInput struct {
	ID         string
	Status     string // granted or rejected
	Basis      string // for grants: unconditional, decision, deemed_consent
	Reason     string
	LegalBasis string
	Conditions string
	Article    string
	At         time.Time
}

// FinishShareRequest records the outcome and, for a grant, opens access
// (开通共享权限) limited to the request's purpose and conditions.
func (a *Activities) FinishShareRequest(ctx context.Context, in FinishShareInput) error {
	return a.write(ctx, in.At, func(tx *gorm.DB, at time.Time) error {
		var r models.ShareRequest
		if err := load(tx, &r, "share request", in.ID); err != nil {
			return err
		}
		if in.Status == models.StatusGranted {
			g := models.Grant{
				ID: "grant-" + r.ID, ShareRequestID: r.ID, CatalogItemID: r.CatalogItemID, Dept: r.RequesterDept,
				Basis: in.Basis, Purpose: r.Purpose, Conditions: in.Conditions, Article: in.Article, GrantedAt: at,
			}
			if err := insertOnce(tx, &g); err != nil {
				return fmt.Errorf("grant %s: %w", r.ID, err)
			}
		}
		ev := event(r.ID, "request", in.Status, at)
		ev.Article = in.Article
		ev.Detail = in.Basis
		if in.Reason != "" {
			ev.Detail += ": " + in.Reason
		}
		return a.progress(tx, models.ProcedureShareRequest, r.ID, map[string]any{
			"status": in.Status, "basis": in.Basis, "reason": in.Reason, "legal_basis": in.LegalBasis,
			"conditions": in.Conditions, "decided_at": at, "article": in.Article,
		}, ev)
	})
}
