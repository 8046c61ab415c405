package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cityapprovals/approvals/models"
	"gorm.io/gorm"
)

// file stores a procedure's record rec (once) with ev, the event of its
// filing, and whatever else the filing writes (also, when set), in one
// transaction: the one way every procedure's record is first written.
func (a *Activities) file(ctx context.Context, rec any, ev models.Event, also func(tx *gorm.DB) error) error {
	id := ev.ProcedureID
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := insertOnce(tx, rec); err != nil {
			return fmt.Errorf("record %s: %w", id, err)
		}
		if also != nil {
			if err := also(tx); err != nil {
				return err
			}
		}
		if err := insertOnce(tx, &ev); err != nil {
			return fmt.Errorf("record filing of %s: %w", id, err)
		}
		return nil
	})
}

// write runs fn in one transaction, at the instant at (in UTC) that the
// workflow gave: how every activity that writes at the workflow's instant
// opens its transaction.
func (a *Activities) write(ctx context.Context, at time.Time, fn func(tx *gorm.DB, at time.Time) error) error {
	at = at.UTC()
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return fn(tx, at) })
}

// load reads the record id (what it is, for the error) into rec, a
// pointer to its model.
func load(tx *gorm.DB, rec any, what, id string) error {
	if err := tx.First(rec, "id = ?", id).Error; err != nil {
		return fmt.Errorf("load %s %s: %w", what, id, err)
	}
	return nil
}

// filed is the event of a procedure's filing: of procedure id's step step,
// by actor under article, with detail, at at.
func filed(id, step string, at time.Time, actor, article, detail string) models.Event {
	ev := event(id, step, "filed", at)
	ev.Actor, ev.Article, ev.Detail = actor, article, detail
	return ev
}

// Progress is a step of a procedure as its record and event log take it: the
// record's new Status and Note, and the event Event (when set) of step Key
// by Actor under Article, with the note as its detail, at At.
type Progress struct {
	ID      string
	Status  string
	Note    string
	Event   string
	Key     string
	Actor   string
	Article string
	At      time.Time
}

// StepProgress is the progress of a procedure whose record shows its open
// step: the Progress, the Step open afterwards ("" when none) and whether
// it is the procedure's outcome (Final sets decided_at). The update
// activities' inputs embed it (their JSON keeps the same fields).
type StepProgress struct {
	Progress
	Step  string
	Final bool // sets decided_at
}

// Base is the StepProgress of an update activity's input, for the
// workflows' one writer of it.
func (s *StepProgress) Base() *StepProgress { return s }

// Outcome is the progress of a procedure's end: its final status, the note
// (a reason or the conflict), the event kind and who decided, keyed
// "outcome".
func (p Progress) Outcome(status, note, kind, by string) Progress {
	p.Status = status
	p.Note = note
	p.Event = kind
	p.Key = "outcome"
	p.Actor = by
	return p
}

// event is the progress's event; it has no kind when Event is empty.
func (p Progress) event() models.Event {
	ev := event(p.ID, p.Key, p.Event, p.At)
	ev.Actor = p.Actor
	ev.Article = p.Article
	ev.Detail = p.Note
	return ev
}

// progress records a step of procedure proc: the columns upd of its record
// id, written through writeHeader (the one write of a record's columns), and,
// when ev has a kind, the event of that step, in transaction tx. It is the
// one way a procedure's own activities record their progress.
func (a *Activities) progress(tx *gorm.DB, proc, id string, upd map[string]any, ev models.Event) error {
	if err := a.writeHeader(tx, proc, id, upd, ""); err != nil {
		return err
	}
	if ev.Kind == "" {
		return nil
	}
	if err := insertOnce(tx, &ev); err != nil {
		return fmt.Errorf("record %s of %s: %w", ev.Kind, id, err)
	}
	return nil
}

// itemEdit is one procedure's change of a catalog item: round Round of
// procedure ProcID changes item ItemID, against BaseVersion, by Edit.
type itemEdit struct {
	ProcID      string
	Round       int
	ItemID      string
	BaseVersion int
	At          time.Time
	Edit        func(*models.CatalogItem)
}

// applyEdit changes the item and writes the procedure's progress (record)
// in one transaction. An item changed meanwhile is a conflict: nothing is
// written but what conflicted records of it (with the conflict's message).
func (a *Activities) applyEdit(ctx context.Context, e itemEdit, record func(tx *gorm.DB) error, conflicted func(msg string) error) (ItemEditResult, error) {
	var res ItemEditResult
	err := a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if res, err = applyItemEdit(tx, e.ProcID, e.Round, e.ItemID, e.BaseVersion, e.At.UTC(), e.Edit); err != nil {
			return err
		}
		return record(tx)
	})
	var conflict *models.ConflictError
	if errors.As(err, &conflict) {
		if err := conflicted(conflict.Error()); err != nil {
			return res, err
		}
		return ItemEditResult{Conflict: conflict.Error()}, nil
	}
	if err != nil {
		return res, fmt.Errorf("apply %s: %w", e.ProcID, err)
	}
	return res, nil
}
