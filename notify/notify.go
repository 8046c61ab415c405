// Package notify delivers the notification outbox (models.Notification,
// written with each event that concerns people) on its channels: signed
// webhooks and e-mail over SMTP. The in-app channel needs no delivery: its
// messages are rows the API reads.
//
// The Dispatcher is a loop in the worker process. Each pass claims the due
// rows (SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL, so several workers
// share the outbox without delivering a row twice at once) by moving their
// next attempt one lease ahead, then delivers them outside the transaction.
// A delivered row is marked delivered; a failed one is tried again after an
// exponential backoff, and after MaxAttempts it is dead (an admin sees it
// and may retry it). A worker that dies mid-delivery leaves the row to be
// claimed again when its lease ends: delivery is at least once, and each
// delivery carries the row's ID as its idempotency key.
package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/rs/zerolog"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Defaults of a Dispatcher's settings.
const (
	DefaultMaxAttempts = 8
	DefaultBackoff     = 30 * time.Second
	DefaultMaxBackoff  = time.Hour
	DefaultInterval    = 2 * time.Second
	DefaultLease       = 2 * time.Minute
	DefaultBatch       = 20
	// Timeout bounds one delivery attempt.
	Timeout = 15 * time.Second
)

// Dispatcher delivers the outbox. The zero values of its settings are the
// defaults above.
type Dispatcher struct {
	DB   *gorm.DB
	SMTP SMTP
	// HTTP sends webhooks; a client with Timeout when nil.
	HTTP *http.Client
	// MaxAttempts is the attempts before a notification is dead.
	MaxAttempts int
	// Backoff is the wait after the first failure, doubled after each
	// further one up to MaxBackoff.
	Backoff, MaxBackoff time.Duration
	// Interval is the pause between passes that found nothing to do.
	Interval time.Duration
	// Lease is how long a claimed row is left to its claimer.
	Lease time.Duration
	Batch int
	Log   zerolog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

func (d *Dispatcher) now() time.Time {
	if d.Now != nil {
		return d.Now().UTC()
	}
	return time.Now().UTC()
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Run delivers until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) error {
	for {
		n, err := d.Once(ctx)
		if err != nil && ctx.Err() == nil {
			d.Log.Error().Err(err).Msg("notification pass")
		}
		if n > 0 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(or(d.Interval, DefaultInterval)):
		}
	}
}

// Once runs one pass: it claims the due notifications and delivers them,
// returning how many it tried.
func (d *Dispatcher) Once(ctx context.Context) (int, error) {
	rows, err := d.claim(ctx)
	if err != nil {
		return 0, err
	}
	for _, n := range rows {
		derr := d.deliver(ctx, n)
		if err := d.record(ctx, n, derr); err != nil {
			return len(rows), err
		}
	}
	return len(rows), nil
}

// claim takes the due rows and moves their next attempt a lease ahead.
func (d *Dispatcher) claim(ctx context.Context) ([]models.Notification, error) {
	now := d.now()
	var rows []models.Notification
	err := d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Where("status = ? AND next_at <= ?", models.NotifyPending, now).Order("next_at").Limit(or(d.Batch, DefaultBatch))
		if models.IsPostgres(tx) {
			q = q.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"})
		}
		if err := q.Find(&rows).Error; err != nil {
			return fmt.Errorf("claim notifications: %w", err)
		}
		if len(rows) == 0 {
			return nil
		}
		ids := make([]string, len(rows))
		for i, n := range rows {
			ids[i] = n.ID
		}
		return tx.Model(&models.Notification{}).Where("id IN ?", ids).
			Updates(map[string]any{"next_at": now.Add(or(d.Lease, DefaultLease)), "attempts": gorm.Expr("attempts + 1")}).Error
	})
	for i := range rows {
		rows[i].Attempts++
	}
	return rows, err
}

// record stores the outcome of one attempt.
func (d *Dispatcher) record(ctx context.Context, n models.Notification, derr error) error {
	now := d.now()
	up := map[string]any{}
	switch {
	case derr == nil:
		up["status"], up["delivered_at"], up["last_error"] = models.NotifyDelivered, now, ""
	case n.Attempts >= or(d.MaxAttempts, DefaultMaxAttempts) || errors.Is(derr, errPermanent):
		up["status"], up["last_error"] = models.NotifyDead, clip(derr.Error())
		d.Log.Warn().Str("notification", n.ID).Str("channel", n.Channel).Str("recipient", n.Recipient).
			Int("attempts", n.Attempts).Err(derr).Msg("notification dead")
	default:
		up["next_at"], up["last_error"] = now.Add(d.backoff(n.Attempts)), clip(derr.Error())
	}
	if err := d.DB.WithContext(ctx).Model(&models.Notification{}).Where("id = ?", n.ID).Updates(up).Error; err != nil {
		return fmt.Errorf("record notification %s: %w", n.ID, err)
	}
	return nil
}

// backoff is the wait after the given failed attempt.
func (d *Dispatcher) backoff(attempt int) time.Duration {
	b, max := or(d.Backoff, DefaultBackoff), or(d.MaxBackoff, DefaultMaxBackoff)
	for i := 1; i < attempt && b < max; i++ {
		b *= 2
	}
	return min(b, max)
}

func clip(s string) string {
	if len(s) > 500 {
		return s[:500]
	}
	return s
}

// errPermanent marks a failure no retry can cure (the channel was removed).
var errPermanent = errors.New("permanent")

// deliver makes one attempt on the row's channel, as configured now.
func (d *Dispatcher) deliver(ctx context.Context, n models.Notification) error {
	var ch models.Channels
	if err := d.DB.WithContext(ctx).Limit(1).Find(&ch, "dept = ?", n.Recipient).Error; err != nil {
		return fmt.Errorf("channels of %s: %w", n.Recipient, err)
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	switch n.Channel {
	case models.ChannelWebhook:
		if ch.WebhookURL == "" {
			return fmt.Errorf("%w: %s has no webhook any more", errPermanent, n.Recipient)
		}
		return d.webhook(ctx, ch, n)
	case models.ChannelEmail:
		if len(ch.Emails) == 0 {
			return fmt.Errorf("%w: %s has no e-mail addresses any more", errPermanent, n.Recipient)
		}
		return d.SMTP.Send(ctx, ch.Emails, n)
	}
	return fmt.Errorf("%w: unknown channel %q", errPermanent, n.Channel)
}

// Headers of a webhook delivery.
const (
	HeaderSignature   = "X-Approvals-Signature"
	HeaderIdempotency = "Idempotency-Key"
	HeaderKind        = "X-Approvals-Notice"
)

// Sign is the X-Approvals-Signature of body sent at t: "t=<unix seconds>,
// v1=<hex HMAC-SHA256 of "<unix seconds>." + body under secret>".
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

func mac(secret, ts string, body []byte) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(ts + "."))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// Verify checks a signature header against body, refusing one older or
// newer than tolerance: what a receiver does.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return errors.New("malformed signature header")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("signature timestamp %s is outside the tolerance", ts)
	}
	if !hmac.Equal([]byte(sig), []byte(mac(secret, ts, body))) {
		return errors.New("signature does not match")
	}
	return nil
}

// webhook POSTs the notice, signed; any 2xx is delivered.
func (d *Dispatcher) webhook(ctx context.Context, ch models.Channels, n models.Notification) error {
	body := []byte(n.Payload)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ch.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%w: webhook %s: %v", errPermanent, ch.WebhookURL, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "approvals-notify/1")
	req.Header.Set(HeaderIdempotency, n.ID)
	req.Header.Set(HeaderKind, n.Kind)
	req.Header.Set(HeaderSignature, Sign(ch.WebhookSecret, d.now(), body))
	hc := d.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: Timeout}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("webhook %s: %w", ch.WebhookURL, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook %s answered %s", ch.WebhookURL, resp.Status)
	}
	return nil
}
