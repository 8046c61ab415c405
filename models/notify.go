package models

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Notifications: an event that concerns people — a task opened, a
// reminder, an overdue task, a supervision task, a procedure's outcome — is
// notified to them through an outbox written in the transaction that inserts
// the event (Event.AfterCreate, so no writer can forget it): one Message
// (the in-app channel, readable at once) and one Notification per external
// channel the recipient has configured (webhook, e-mail), which the
// dispatcher (package notify) delivers at least once.

// Notice kinds: what a notification is about.
const (
	NoticeTaskOpened  = "task_opened"
	NoticeReminder    = "reminder"
	NoticeOverdue     = "overdue"
	NoticeSupervision = "supervision"
	NoticeOutcome     = "outcome"
)

// Channels of a notification.
const (
	ChannelWebhook = "webhook"
	ChannelEmail   = "email"
)

// Statuses of a Notification.
const (
	NotifyPending   = "pending"
	NotifyDelivered = "delivered"
	NotifyDead      = "dead" // gave up after the last attempt; an admin may retry it
)

// Channels is how a department is told: a webhook (URL and the secret that
// signs each delivery) and e-mail addresses; the in-app channel is always on.
type Channels struct {
	Dept          string    `gorm:"primaryKey" json:"dept"`
	WebhookURL    string    `json:"webhook_url,omitempty"`
	WebhookSecret string    `json:"-"`
	Emails        []string  `gorm:"serializer:json;type:text" json:"emails"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Notification is one delivery to do on one external channel: an outbox row.
// Its ID is also the idempotency key a receiver sees (Idempotency-Key header,
// e-mail Message-ID).
type Notification struct {
	ID          string     `gorm:"primaryKey" json:"id"`
	EventID     string     `gorm:"index;not null" json:"event_id"`
	ProcedureID string     `gorm:"index;not null" json:"procedure_id"`
	Kind        string     `gorm:"not null" json:"kind"`
	Recipient   string     `gorm:"index;not null" json:"recipient"`
	Channel     string     `gorm:"not null" json:"channel"`
	Payload     string     `gorm:"type:text;not null" json:"payload"`
	Status      string     `gorm:"index:idx_notifications_due,priority:1;not null" json:"status"`
	NextAt      time.Time  `gorm:"index:idx_notifications_due,priority:2" json:"next_at"`
	Attempts    int        `gorm:"not null;default:0" json:"attempts"`
	LastError   string     `json:"last_error,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
}

// Message is an in-app message for a recipient: a department code, or
// role:jurisdiction (e.g. authority:wuhan) for a task assigned to a role.
type Message struct {
	ID          string     `gorm:"primaryKey" json:"id"`
	Recipient   string     `gorm:"index;not null" json:"recipient"`
	Kind        string     `gorm:"not null" json:"kind"`
	EventID     string     `gorm:"not null" json:"event_id"`
	ProcedureID string     `gorm:"index;not null" json:"procedure_id"`
	TaskID      string     `json:"task_id,omitempty"`
	Title       string     `json:"title"`
	Text        string     `json:"text"`
	Article     string     `json:"article,omitempty"`
	At          time.Time  `gorm:"index" json:"at"`
	ReadAt      *time.Time `json:"read_at,omitempty"`
}

// Notice is the content of a notification: the webhook body and the
// e-mail's text, as JSON.
type Notice struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	Event       string    `json:"event"`
	EventID     string    `json:"event_id"`
	ProcedureID string    `json:"procedure_id"`
	TaskID      string    `json:"task_id,omitempty"`
	Recipient   string    `json:"recipient"`
	Title       string    `json:"title"`
	Text        string    `json:"text"`
	Article     string    `json:"article,omitempty"`
	DueAt       string    `json:"due_at,omitempty"`
	At          time.Time `json:"at"`
}

// Filer is where a procedure's record names the department that filed it,
// who is told of the procedure's outcome: the records whose ID begins with
// Prefix, in Column. Outcomes are the kinds of the events that end the
// procedure (a failure, StatusFailed, ends every procedure).
type Filer struct {
	Prefix   string
	Model    func() any
	Column   string
	Outcomes []string
}

// ends says whether an event of kind ends the procedure.
func (f Filer) ends(kind string) bool {
	return kind == StatusFailed || slices.Contains(f.Outcomes, kind)
}

// filers are the procedures' (SetFilers; workflows sets them from its
// descriptors, which this package cannot import).
var filers []Filer

// SetFilers sets where each procedure's record names its filer, for the
// notification of its outcome.
func SetFilers(f []Filer) { filers = f }

// AfterCreate writes the event's notifications, in the event's transaction.
// An insert that did nothing (a retried activity) notifies nothing.
func (e *Event) AfterCreate(tx *gorm.DB) error {
	if tx.Statement.RowsAffected == 0 {
		return nil
	}
	return notifyEvent(tx.Session(&gorm.Session{NewDB: true}), e)
}

// notifyEvent builds the notice of e, if e is one people are told of, and
// writes its message and its outbox rows.
func notifyEvent(tx *gorm.DB, e *Event) error {
	n, ok, err := noticeOf(tx, e)
	if err != nil || !ok {
		return err
	}
	return enqueue(tx, n)
}

// noticeOf says whom e concerns and what to tell them.
func noticeOf(tx *gorm.DB, e *Event) (Notice, bool, error) {
	n := Notice{Event: e.Kind, EventID: e.ID, ProcedureID: e.ProcedureID, TaskID: e.TaskID,
		Article: e.Article, At: e.At.UTC()}
	switch {
	case e.Kind == "task_opened" || e.Kind == "reminder" || e.Kind == "overdue":
		var t Task
		if err := tx.First(&t, "id = ?", e.TaskID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return n, false, nil
			}
			return n, false, fmt.Errorf("notify %s: load task: %w", e.ID, err)
		}
		n.Recipient, n.DueAt = t.AssigneeRole+":"+t.Jurisdiction, t.DueAt.UTC().Format(time.RFC3339)
		if t.AssigneeDept != "" {
			n.Recipient = t.AssigneeDept
		}
		switch {
		case e.Kind == "reminder":
			n.Kind, n.Title = NoticeReminder, "Reminder: task "+t.ID+" is due within one working day"
		case e.Kind == "overdue":
			n.Kind, n.Title = NoticeOverdue, "Overdue: task "+t.ID+" passed its due time"
		case t.Kind == TaskSupervision:
			n.Kind, n.Title = NoticeSupervision, "Supervision task (督办) "+t.ID
		default:
			n.Kind, n.Title = NoticeTaskOpened, "New task "+t.ID
		}
		n.Text = fmt.Sprintf("%s procedure %s: %s task %s, due %s (24:00 Beijing time)", t.Procedure, t.ProcedureID, t.Kind, t.ID, t.DueDate)
		if e.Kind == "task_opened" && e.Detail != "" { // the event says it all
			n.Text = fmt.Sprintf("%s procedure %s: %s", t.Procedure, t.ProcedureID, e.Detail)
		}
	default:
		f, ok := filerOf(e.ProcedureID)
		if !ok || !f.ends(e.Kind) {
			return n, false, nil
		}
		dept, err := f.dept(tx, e.ProcedureID)
		if err != nil || dept == "" {
			return n, false, err
		}
		n.Kind, n.Recipient = NoticeOutcome, dept
		n.Title = fmt.Sprintf("Procedure %s: %s", e.ProcedureID, e.Kind)
		n.Text = e.Detail
	}
	if e.Detail != "" && e.Kind != "task_opened" && n.Kind != NoticeOutcome {
		n.Text += "; " + e.Detail
	}
	return n, true, nil
}

// filerOf is the Filer of the procedure whose ID is procID, by its prefix.
func filerOf(procID string) (Filer, bool) {
	for _, f := range filers {
		if strings.HasPrefix(procID, f.Prefix) {
			return f, true
		}
	}
	return Filer{}, false
}

// dept is the department that filed procedure procID, or "" if none is
// recorded.
func (f Filer) dept(tx *gorm.DB, procID string) (string, error) {
	var depts []string
	if err := tx.Model(f.Model()).Where("id = ?", procID).Limit(1).Pluck(f.Column, &depts).Error; err != nil {
		return "", fmt.Errorf("notify: filer of %s: %w", procID, err)
	}
	if len(depts) > 0 {
		return depts[0], nil
	}
	return "", nil
}

// NotificationID is the ID of the notice of an event for a recipient on a
// channel ("app" for the in-app message): stable, so a retry finds it.
func NotificationID(eventID, recipient, channel string) string {
	sum := sha256.Sum256([]byte(eventID + "\x00" + recipient + "\x00" + channel))
	prefix := "n-"
	if channel == "app" {
		prefix = "m-"
	}
	return prefix + hex.EncodeToString(sum[:16])
}

// enqueue writes the in-app message and one outbox row per configured channel.
func enqueue(tx *gorm.DB, n Notice) error {
	m := Message{ID: NotificationID(n.EventID, n.Recipient, "app"), Recipient: n.Recipient, Kind: n.Kind,
		EventID: n.EventID, ProcedureID: n.ProcedureID, TaskID: n.TaskID, Title: n.Title, Text: n.Text,
		Article: n.Article, At: n.At}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&m).Error; err != nil {
		return fmt.Errorf("notify %s: message: %w", n.EventID, err)
	}
	if strings.Contains(n.Recipient, ":") { // a role: in-app only
		return nil
	}
	var ch Channels
	if err := tx.Limit(1).Find(&ch, "dept = ?", n.Recipient).Error; err != nil {
		return fmt.Errorf("notify %s: channels of %s: %w", n.EventID, n.Recipient, err)
	}
	var on []string
	if ch.WebhookURL != "" {
		on = append(on, ChannelWebhook)
	}
	if len(ch.Emails) > 0 {
		on = append(on, ChannelEmail)
	}
	for _, c := range on {
		n.ID = NotificationID(n.EventID, n.Recipient, c)
		body, err := json.Marshal(n)
		if err != nil {
			return fmt.Errorf("notify %s: encode: %w", n.EventID, err)
		}
		row := Notification{ID: n.ID, EventID: n.EventID, ProcedureID: n.ProcedureID, Kind: n.Kind,
			Recipient: n.Recipient, Channel: c, Payload: string(body), Status: NotifyPending, NextAt: time.Now().UTC()}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
			return fmt.Errorf("notify %s: outbox: %w", n.EventID, err)
		}
	}
	return nil
}
