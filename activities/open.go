package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/cityapprovals/approvals/models"
	"gorm.io/gorm"
)

// RecordOpenApplication stores a filed open-data application and its first
// round (once).
func (a *Activities) RecordOpenApplication(ctx context.Context, r models.OpenApplication) error {
	ev := event(r.ID, "application", "filed", r.FiledAt)
	ev.Actor = r.ApplicantSubject + "(" + r.ApplicantName + ")"
	ev.Article = r.Article
	if r.Kind == models.OpenKindDemand {
		ev.Detail = "data demand application: " + r.Demand
	} else {
		ev.Detail = fmt.Sprintf("open-data application for %s from %s", r.CatalogItemID, r.ProviderDept)
	}
	return a.file(ctx, &r, ev, func(tx *gorm.DB) error {
		round := models.OpenRound{ID: fmt.Sprintf("%s/%d", r.ID, r.Round), ApplicationID: r.ID, Round: r.Round,
			Submitted: r.OpenFields, SubmittedAt: r.FiledAt}
		if err := insertOnce(tx, &round); err != nil {
			return fmt.Errorf("record round of %s: %w", r.ID, err)
		}
		return nil
	})
}

// OpenProgressInput moves an application to its next step: its status, step, the
// due time of the step and the article, and an event. RoundOutcome, when
// set, answers the current round's preliminary review (passed or returned).
type OpenProgressInput struct {
	ID           string
	Status       string
	Step         string
	Round        int
	Article      string
	Statutory    bool
	DueDate      string
	DueAt        *time.Time
	RoundOutcome string
	Reason       string
	Actor        string
	Kind         string // the event's kind
	Detail       string
	At           time.Time
}

// ProgressOpenApplication records an application's next step.
func (a *Activities) ProgressOpenApplication(ctx context.Context, in OpenProgressInput) error {
	return a.write(ctx, in.At, func(tx *gorm.DB, at time.Time) error {
		fields := map[string]any{"status": in.Status, "step": in.Step, "article": in.Article, "statutory": in.Statutory,
			"due_date": in.DueDate, "due_at": in.DueAt, "updated_at": at}
		if in.RoundOutcome == "returned" {
			fields["return_reason"] = in.Reason
		}
		if in.Status == models.OpenAwaitingAgreement {
			fields["decided_at"] = at
		}
		switch in.Kind {
		case "agreement_accepted":
			fields["agreement_at"] = at
		case "agreement_concluded":
			fields["agreement_concluded_at"] = at
		}
		if in.RoundOutcome != "" {
			err := tx.Model(&models.OpenRound{}).Where("id = ?", fmt.Sprintf("%s/%d", in.ID, in.Round)).
				Updates(map[string]any{"outcome": in.RoundOutcome, "reason": in.Reason, "decided_at": at}).Error
			if err != nil {
				return fmt.Errorf("answer round %d of %s: %w", in.Round, in.ID, err)
			}
		}
		ev := event(in.ID, fmt.Sprintf("%s-%d", in.Step, in.Round), in.Kind, at)
		ev.Actor, ev.Article, ev.Detail = in.Actor, in.Article, in.Detail
		return a.progress(tx, models.ProcedureOpenApplication, in.ID, fields, ev)
	})
}

// ResubmitOpenInput is an application amended and resubmitted after its return.
type ResubmitOpenInput struct {
	ID     string
	Round  int
	Fields models.OpenFields
	Actor  string
	At     time.Time
}

// ResubmitOpenApplication records the amended fields as a new round.
func (a *Activities) ResubmitOpenApplication(ctx context.Context, in ResubmitOpenInput) error {
	return a.write(ctx, in.At, func(tx *gorm.DB, at time.Time) error {
		f := in.Fields
		err := tx.Model(&models.OpenApplication{}).Where("id = ?", in.ID).Updates(map[string]any{
			"scenario": f.Scenario, "data_scope": f.DataScope, "delivery": f.Delivery, "period_from": f.PeriodFrom,
			"period_to": f.PeriodTo, "expires_at": f.ExpiresAt, "safety_measures": f.SafetyMeasures,
			"capabilities": f.Capabilities, "round": in.Round, "return_reason": "", "updated_at": at,
		}).Error
		if err != nil {
			return fmt.Errorf("resubmit open application %s: %w", in.ID, err)
		}
		round := models.OpenRound{ID: fmt.Sprintf("%s/%d", in.ID, in.Round), ApplicationID: in.ID, Round: in.Round, Submitted: f, SubmittedAt: at}
		if err := insertOnce(tx, &round); err != nil {
			return fmt.Errorf("record round %d of %s: %w", in.Round, in.ID, err)
		}
		ev := event(in.ID, fmt.Sprintf("round-%d", in.Round), "resubmitted", at)
		ev.Actor, ev.Detail = in.Actor, fmt.Sprintf("amended and resubmitted (round %d)", in.Round)
		if ev.Article, err = openArticle(tx, in.ID); err != nil {
			return err
		}
		if err := insertOnce(tx, &ev); err != nil {
			return fmt.Errorf("record resubmission of %s: %w", in.ID, err)
		}
		return nil
	})
}

// FinishOpenInput is the final decision on an application.
type FinishOpenInput struct {
	ID         string
	Status     string // approved or rejected
	Reason     string
	LegalBasis string
	Conditions string
	DecidedBy  string
	Article    string
	Published  bool // a refusal published with its reasons (xiamen 第二十三条)
	Grant      bool // open access for the period of use
	At         time.Time
}

// FinishOpenApplication records the outcome and, for an approval of a
// catalog item, grants access for the period of use with its conditions.
func (a *Activities) FinishOpenApplication(ctx context.Context, in FinishOpenInput) error {
	return a.write(ctx, in.At, func(tx *gorm.DB, at time.Time) error {
		var r models.OpenApplication
		if err := load(tx, &r, "open application", in.ID); err != nil {
			return err
		}
		fields := map[string]any{"status": in.Status, "step": "", "reason": in.Reason, "legal_basis": in.LegalBasis,
			"conditions": in.Conditions, "published": in.Published, "article": in.Article, "updated_at": at}
		if r.DecidedAt == nil {
			fields["decided_at"] = at
		}
		if in.Grant {
			g := models.OpenGrant{
				ID: "og-" + r.ID, ApplicationID: r.ID, ApplicantSubject: r.ApplicantSubject, CatalogItemID: r.CatalogItemID,
				Delivery: r.Delivery, Conditions: in.Conditions, PeriodFrom: r.PeriodFrom, PeriodTo: r.PeriodTo,
				ExpiresAt: r.ExpiresAt, Status: models.GrantActive, Article: in.Article, GrantedAt: at,
			}
			if err := insertOnce(tx, &g); err != nil {
				return fmt.Errorf("grant %s: %w", r.ID, err)
			}
		}
		ev := event(r.ID, "application", in.Status, at)
		ev.Actor, ev.Article, ev.Detail = in.DecidedBy, in.Article, in.Status
		if in.Reason != "" {
			ev.Detail += ": " + in.Reason
		}
		if in.Published {
			ev.Detail += " (refusal published with its reasons)"
		}
		return a.progress(tx, models.ProcedureOpenApplication, r.ID, fields, ev)
	})
}

// openArticle is the article an open-data application was filed under,
// cited by the events of its later steps.
func openArticle(tx *gorm.DB, id string) (string, error) {
	var a models.OpenApplication
	if err := tx.Select("article").First(&a, "id = ?", id).Error; err != nil {
		return "", fmt.Errorf("load open application %s: %w", id, err)
	}
	return a.Article, nil
}

// ExpireOpenGrant ends the access granted on an application at the end of
// its period of use.
func (a *Activities) ExpireOpenGrant(ctx context.Context, id string, at time.Time) error {
	return a.write(ctx, at, func(tx *gorm.DB, at time.Time) error {
		err := tx.Model(&models.OpenGrant{}).Where("application_id = ? AND status = ?", id, models.GrantActive).
			Updates(map[string]any{"status": models.GrantExpired, "expired_at": at}).Error
		if err != nil {
			return fmt.Errorf("expire grant of %s: %w", id, err)
		}
		ev := event(id, "grant", "grant_expired", at)
		ev.Detail = "the period of use ended"
		if ev.Article, err = openArticle(tx, id); err != nil {
			return err
		}
		if err := insertOnce(tx, &ev); err != nil {
			return fmt.Errorf("record expiry of %s: %w", id, err)
		}
		return nil
	})
}
