package models

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The event log is hash-chained per procedure: each event carries
// its sequence number in the procedure's chain, the hash of the event before
// it and its own hash, SHA-256 over the canonical encoding of its content and
// of that link (EventHash). Changing, removing or reordering a stored event
// breaks every later link, which CheckChain reports by the first broken event.
//
// Events are chained as they are inserted (Event.BeforeCreate), whichever
// activity or handler inserts them, under a row lock on the procedure's
// ChainHead (an insert that updates the row to itself on conflict, which
// locks it as SELECT ... FOR UPDATE does, on PostgreSQL; SQLite has one
// writer at a time), so concurrent appends stay linear; an event whose ID is stored
// already is not chained again, so a retried activity does not fork the chain.

// ChainHead is the last link of a procedure's event chain; its row is the lock
// that serializes appends to the chain.
type ChainHead struct {
	ProcedureID string `gorm:"primaryKey"`
	Seq         int64  `gorm:"not null"`
	Hash        string `gorm:"not null"`
}

// chainPrefix names the canonical encoding, so that a later one can coexist.
const chainPrefix = "approvals-event-v1"

// EventHash is the hex SHA-256 of an event's canonical encoding: a JSON array
// of chainPrefix, Seq, PrevHash, ID, ProcedureID, At (UTC, RFC 3339 with
// nanoseconds), Kind, Actor, TaskID, Article and Detail. It does not cover Hash.
func EventHash(e Event) string {
	b, _ := json.Marshal([]any{chainPrefix, e.Seq, e.PrevHash, e.ID, e.ProcedureID,
		e.At.UTC().Format(time.RFC3339Nano), e.Kind, e.Actor, e.TaskID, e.Article, e.Detail}) // strings and numbers: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// BeforeCreate links the event into its procedure's chain (see ChainAppend).
func (e *Event) BeforeCreate(tx *gorm.DB) error {
	return chainLink(tx.Session(&gorm.Session{NewDB: true}), e)
}

// chainLink sets e's Seq, PrevHash and Hash after the procedure's head, under
// the head's lock, and moves the head; an event stored already is left alone
// (its insertion will do nothing or fail on the primary key).
func chainLink(tx *gorm.DB, e *Event) error {
	if e.ProcedureID == "" {
		return errors.New("chain event: no procedure ID")
	}
	// The database keeps microseconds: hash what will be read back.
	e.At = e.At.UTC().Truncate(time.Microsecond)
	head, err := lockHead(tx, e.ProcedureID)
	if err != nil {
		return err
	}
	var n int64
	if err := tx.Model(&Event{}).Where("id = ?", e.ID).Count(&n).Error; err != nil {
		return fmt.Errorf("chain event %s: %w", e.ID, err)
	}
	if n > 0 { // a retry: the event is chained already
		return nil
	}
	e.Seq, e.PrevHash = head.Seq+1, head.Hash
	e.Hash = EventHash(*e)
	if err := tx.Model(&ChainHead{}).Where("procedure_id = ?", e.ProcedureID).
		Updates(map[string]any{"seq": e.Seq, "hash": e.Hash}).Error; err != nil {
		return fmt.Errorf("chain event %s: move head: %w", e.ID, err)
	}
	return nil
}

// lockHead returns the procedure's chain head, creating it, locked until tx
// ends. One statement (issue 17: it was an insert doing nothing on conflict,
// then SELECT ... FOR UPDATE, two round trips for every event): the insert
// that conflicts updates the row to itself, which locks it as FOR UPDATE
// does, waiting for a concurrent append to commit, and returns the row as
// that append left it (READ COMMITTED re-reads the latest version). SQLite,
// with one writer at a time, returns the row too.
func lockHead(tx *gorm.DB, procID string) (ChainHead, error) {
	head := ChainHead{ProcedureID: procID}
	err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "procedure_id"}},
		DoUpdates: clause.Assignments(map[string]any{"procedure_id": gorm.Expr("excluded.procedure_id")})},
		clause.Returning{}).Create(&head).Error
	if err != nil {
		return head, fmt.Errorf("lock chain head of %s: %w", procID, err)
	}
	return head, nil
}

// EventHistoryArchived is the kind of the chain event that records an
// archived history's SHA-256 (its ref is the run ID).
const EventHistoryArchived = "history_archived"

// ChainAppend records an event on a procedure's chain whose content is a
// digest of something kept elsewhere, e.g. an archived history: its Detail is
// "sha256:" + contentHash. It is idempotent per (procedure, kind, ref): the
// event's ID is procedureID/ref/kind. The archive calls it in the transaction
// that stores a history, so that the history's hash enters the chain.
func ChainAppend(tx *gorm.DB, procedureID, kind, ref, contentHash string, at time.Time) (Event, error) {
	e := Event{ID: procedureID + "/" + ref + "/" + kind, ProcedureID: procedureID, Kind: kind,
		At: at.UTC(), Detail: "sha256:" + contentHash}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&e).Error; err != nil {
		return e, fmt.Errorf("append %s to the chain of %s: %w", kind, procedureID, err)
	}
	return e, nil
}

// ChainBreak names the first event at which a chain does not hold.
type ChainBreak struct {
	Seq     int64  `json:"seq"`
	EventID string `json:"event_id"`
	Reason  string `json:"reason"`
}

func (b *ChainBreak) Error() string {
	return fmt.Sprintf("event %d (%s): %s", b.Seq, b.EventID, b.Reason)
}

// CheckChain verifies a procedure's chained events, in chain order: numbered
// 1, 2, … without gaps, each linked to the hash of the one before and with
// the hash of its own content. Events from before the chain (Seq 0) are not
// covered and must come first. It returns nil or the first break.
func CheckChain(events []Event) *ChainBreak {
	prev, seq := "", int64(0)
	for _, e := range events {
		if e.Seq == 0 {
			if seq > 0 {
				return &ChainBreak{EventID: e.ID, Reason: "an unchained event after the chain started"}
			}
			continue
		}
		seq++
		switch {
		case e.Seq != seq:
			return &ChainBreak{Seq: e.Seq, EventID: e.ID, Reason: fmt.Sprintf("sequence number %d where %d was expected (an event is missing or out of order)", e.Seq, seq)}
		case e.PrevHash != prev:
			return &ChainBreak{Seq: e.Seq, EventID: e.ID, Reason: "prev_hash does not match the hash of the event before"}
		case EventHash(e) != e.Hash:
			return &ChainBreak{Seq: e.Seq, EventID: e.ID, Reason: "content does not match its hash (the event was changed)"}
		}
		prev = e.Hash
	}
	return nil
}

// ChainEvents returns a procedure's events in chain order (unchained ones first).
func ChainEvents(db *gorm.DB, procedureID string) ([]Event, error) {
	var evs []Event
	if err := db.Where("procedure_id = ?", procedureID).Order("seq, at, id").Find(&evs).Error; err != nil {
		return nil, fmt.Errorf("events of %s: %w", procedureID, err)
	}
	return evs, nil
}

// VerifyChain checks a procedure's chain in the database and that its head
// row agrees with its last event (an event deleted from the end shows there).
func VerifyChain(db *gorm.DB, procedureID string) (*ChainBreak, error) {
	evs, err := ChainEvents(db, procedureID)
	if err != nil {
		return nil, err
	}
	if b := CheckChain(evs); b != nil {
		return b, nil
	}
	var head ChainHead
	err = db.Where("procedure_id = ?", procedureID).Limit(1).Find(&head).Error
	if err != nil {
		return nil, fmt.Errorf("chain head of %s: %w", procedureID, err)
	}
	last := Event{}
	if len(evs) > 0 {
		last = evs[len(evs)-1]
	}
	if head.Seq != last.Seq || head.Hash != last.Hash {
		return &ChainBreak{Seq: head.Seq, Reason: fmt.Sprintf("the chain head is event %d but the last stored event is %d (events were removed)", head.Seq, last.Seq)}, nil
	}
	return nil, nil
}

// backfillChain chains the events stored before the chain existed (or by an
// older binary since), per procedure in the order of their time and ID, after
// the procedure's head. Migrate runs it.
func backfillChain(db *gorm.DB) error {
	var procs []string
	if err := db.Model(&Event{}).Where("seq = 0").Distinct().Pluck("procedure_id", &procs).Error; err != nil {
		return fmt.Errorf("backfill event chain: %w", err)
	}
	for _, p := range procs {
		err := db.Transaction(func(tx *gorm.DB) error {
			head, err := lockHead(tx, p)
			if err != nil {
				return err
			}
			var evs []Event
			if err := tx.Where("procedure_id = ? AND seq = 0", p).Order("at, id").Find(&evs).Error; err != nil {
				return err
			}
			for _, e := range evs {
				e.At = e.At.UTC().Truncate(time.Microsecond)
				e.Seq, e.PrevHash = head.Seq+1, head.Hash
				e.Hash = EventHash(e)
				if err := tx.Model(&Event{}).Where("id = ?", e.ID).
					Updates(map[string]any{"seq": e.Seq, "prev_hash": e.PrevHash, "hash": e.Hash, "at": e.At}).Error; err != nil {
					return err
				}
				head.Seq, head.Hash = e.Seq, e.Hash
			}
			return tx.Model(&ChainHead{}).Where("procedure_id = ?", p).
				Updates(map[string]any{"seq": head.Seq, "hash": head.Hash}).Error
		})
		if err != nil {
			return fmt.Errorf("backfill event chain of %s: %w", p, err)
		}
	}
	return nil
}

// chainIndex makes a fork impossible even by a path that bypasses the head
// lock: two chained events of a procedure cannot share a sequence number.
const chainIndex = "CREATE UNIQUE INDEX IF NOT EXISTS idx_events_chain ON events (procedure_id, seq) WHERE seq > 0"
