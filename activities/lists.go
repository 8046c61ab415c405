package activities

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cityapprovals/approvals/models"
	"gorm.io/gorm"
)

// RecordYearlyList stores a submitted yearly list (once), with its filing
// event.
func (a *Activities) RecordYearlyList(ctx context.Context, l models.YearlyList) error {
	ev := event(l.ID, "yearly_list", "filed", l.FiledAt)
	ev.Actor = l.FiledBy
	ev.Article = l.Article
	ev.Detail = fmt.Sprintf("%s list %d of %s: %s", l.Kind, l.Year, l.Dept, strings.Join(l.Entries, ", "))
	return a.file(ctx, &l, ev, nil)
}

// ConcludeYearlyListInput is the authority's confirmation or return of a
// yearly list.
type ConcludeYearlyListInput struct {
	ID        string
	Status    string
	Reason    string
	DecidedBy string
	Article   string
	At        time.Time
}

// ConcludeYearlyList writes the outcome of a yearly list and its event;
// writing it twice changes nothing.
func (a *Activities) ConcludeYearlyList(ctx context.Context, in ConcludeYearlyListInput) error {
	at := in.At.UTC()
	ev := event(in.ID, "confirmation", in.Status, at)
	ev.Actor, ev.Article, ev.Detail = in.DecidedBy, in.Article, in.Reason
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return a.progress(tx, models.ProcedureYearlyList, in.ID, map[string]any{
			"status": in.Status, "reason": in.Reason, "decided_by": in.DecidedBy, "decided_at": at,
		}, ev)
	})
}
