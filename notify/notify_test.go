package notify

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/emersion/go-smtp"
	"github.com/rs/zerolog"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

const secret = "a-webhook-secret-of-32-characters"

func newDB(t *testing.T) *gorm.DB {
	t.Helper()
	db, err := models.Open("", filepath.Join(t.TempDir(), "n.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := models.Migrate(db); err != nil {
		t.Fatal(err)
	}
	return db
}

// openTask inserts a task and its task_opened event as OpenTask does, in one
// transaction, and returns the event's ID.
func openTask(t *testing.T, db *gorm.DB, id string) string {
	t.Helper()
	task := models.Task{ID: id, Procedure: "share_request", ProcedureID: "sr-1", WorkflowID: "wf", Kind: models.TaskDecision,
		Jurisdiction: "wuhan", AssigneeRole: "department", AssigneeDept: "WH-RS", DueDate: "2026-12-15",
		DueAt: time.Date(2026, 12, 15, 16, 0, 0, 0, time.UTC), Status: models.TaskOpen, CreatedAt: time.Now()}
	ev := models.Event{ID: "sr-1/" + id + "/task_opened", ProcedureID: "sr-1", Kind: "task_opened", TaskID: id, At: time.Now()}
	if err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&task).Error; err != nil {
			return err
		}
		return tx.Create(&ev).Error
	}); err != nil {
		t.Fatal(err)
	}
	return ev.ID
}

// clock is a test clock the dispatcher reads; advance moves it.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func notification(t *testing.T, db *gorm.DB, channel string) models.Notification {
	t.Helper()
	var n models.Notification
	if err := db.First(&n, "channel = ?", channel).Error; err != nil {
		t.Fatalf("no %s notification: %v", channel, err)
	}
	return n
}

// receiver is a webhook endpoint answering the given statuses in turn (the
// last one from then on), recording each request.
type receiver struct {
	mu       sync.Mutex
	statuses []int
	keys     []string
	ok       int
	errs     []error
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := Verify(secret, req.Header.Get(HeaderSignature), body, time.Now(), time.Hour); err != nil {
		r.errs = append(r.errs, err)
	}
	st := r.statuses[min(len(r.keys), len(r.statuses)-1)]
	r.keys = append(r.keys, req.Header.Get(HeaderIdempotency))
	if st == http.StatusOK {
		r.ok++
	}
	w.WriteHeader(st)
}

func TestWebhookRetriedUntilDelivered(t *testing.T) {
	db := newDB(t)
	rcv := &receiver{statuses: []int{500, 200}}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	if err := db.Create(&models.Channels{Dept: "WH-RS", WebhookURL: srv.URL, WebhookSecret: secret}).Error; err != nil {
		t.Fatal(err)
	}
	openTask(t, db, "sr-1.provider")
	clk := &clock{t: time.Now().UTC()}
	d := &Dispatcher{DB: db, Now: clk.now, Log: zerolog.Nop(), Backoff: time.Minute}
	for i := 0; i < 5; i++ {
		if _, err := d.Once(context.Background()); err != nil {
			t.Fatal(err)
		}
		clk.advance(time.Minute)
	}
	n := notification(t, db, models.ChannelWebhook)
	if n.Status != models.NotifyDelivered || n.Attempts != 2 {
		t.Fatalf("notification %s after 500 then 200: status %s, %d attempts (%s); want delivered after 2", n.ID, n.Status, n.Attempts, n.LastError)
	}
	if rcv.ok != 1 || len(rcv.keys) != 2 || rcv.keys[0] != n.ID || rcv.keys[1] != n.ID {
		t.Fatalf("receiver got %d successful of %v; want 2 requests with key %s, one accepted", rcv.ok, rcv.keys, n.ID)
	}
	if len(rcv.errs) > 0 {
		t.Fatalf("bad signatures: %v", rcv.errs)
	}
	if !strings.Contains(n.Payload, `"kind":"task_opened"`) || !strings.Contains(n.Payload, `"recipient":"WH-RS"`) {
		t.Fatalf("payload %s", n.Payload)
	}
}

func TestWebhookDeadAfterMaxAttempts(t *testing.T) {
	db := newDB(t)
	rcv := &receiver{statuses: []int{503}}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	if err := db.Create(&models.Channels{Dept: "WH-RS", WebhookURL: srv.URL, WebhookSecret: secret}).Error; err != nil {
		t.Fatal(err)
	}
	openTask(t, db, "sr-1.provider")
	clk := &clock{t: time.Now().UTC()}
	d := &Dispatcher{DB: db, Now: clk.now, Log: zerolog.Nop(), MaxAttempts: 3, Backoff: time.Second, MaxBackoff: 4 * time.Second}
	for i := 0; i < 10; i++ {
		if _, err := d.Once(context.Background()); err != nil {
			t.Fatal(err)
		}
		clk.advance(5 * time.Second)
	}
	n := notification(t, db, models.ChannelWebhook)
	if n.Status != models.NotifyDead || n.Attempts != 3 || len(rcv.keys) != 3 || !strings.Contains(n.LastError, "503") {
		t.Fatalf("status %s after %d attempts (%d requests), last error %q; want dead after 3 with the 503", n.Status, n.Attempts, len(rcv.keys), n.LastError)
	}
	if got := d.backoff(1); got != time.Second {
		t.Fatalf("backoff(1) = %s", got)
	}
	if got := d.backoff(5); got != 4*time.Second {
		t.Fatalf("backoff(5) = %s, want the 4s cap", got)
	}
}

func TestSignatureVerify(t *testing.T) {
	body := []byte(`{"a":1}`)
	at := time.Unix(1_800_000_000, 0)
	h := Sign(secret, at, body)
	if err := Verify(secret, h, body, at, time.Minute); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"other body":   Verify(secret, h, []byte(`{"a":2}`), at, time.Minute),
		"other secret": Verify("another", h, body, at, time.Minute),
		"too old":      Verify(secret, h, body, at.Add(time.Hour), time.Minute),
		"malformed":    Verify(secret, "v1=abc", body, at, time.Minute),
	} {
		if err == nil {
			t.Errorf("%s: verified", name)
		}
	}
}

func TestOutboxInEventTransaction(t *testing.T) {
	db := newDB(t)
	if err := db.Create(&models.Channels{Dept: "WH-RS", WebhookURL: "http://127.0.0.1:1/", WebhookSecret: secret, Emails: []string{"a@example.org"}}).Error; err != nil {
		t.Fatal(err)
	}
	// A transaction that fails after the event leaves no notification.
	boom := errors.New("boom")
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&models.Task{ID: "t1", Procedure: "p", ProcedureID: "sr-9", WorkflowID: "w", Kind: "decision", Jurisdiction: "wuhan",
			AssigneeRole: "department", AssigneeDept: "WH-RS", Status: "open"}).Error; err != nil {
			return err
		}
		if err := tx.Create(&models.Event{ID: "sr-9/t1/task_opened", ProcedureID: "sr-9", Kind: "task_opened", TaskID: "t1", At: time.Now()}).Error; err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	var n int64
	db.Model(&models.Notification{}).Count(&n)
	var m int64
	db.Model(&models.Message{}).Count(&m)
	if n != 0 || m != 0 {
		t.Fatalf("rolled back event left %d notifications and %d messages", n, m)
	}
	// Committed: one message and one row per channel; a retried insert adds nothing.
	id := openTask(t, db, "t2")
	if err := db.Transaction(func(tx *gorm.DB) error {
		ev := models.Event{ID: id, ProcedureID: "sr-1", Kind: "task_opened", TaskID: "t2", At: time.Now()}
		return tx.Clauses(onConflictNothing).Create(&ev).Error
	}); err != nil {
		t.Fatal(err)
	}
	db.Model(&models.Notification{}).Count(&n)
	db.Model(&models.Message{}).Where("recipient = ?", "WH-RS").Count(&m)
	if n != 2 || m != 1 {
		t.Fatalf("after the event and its retry: %d notifications and %d messages; want 2 (webhook, email) and 1", n, m)
	}
}

// mailbox is a real SMTP server (github.com/emersion/go-smtp) on loopback
// that keeps what it receives.
type mailbox struct {
	mu   sync.Mutex
	msgs []mail
}

type mail struct {
	from string
	to   []string
	data string
}

type session struct {
	box *mailbox
	m   mail
}

func (s *session) Reset()                                      { s.m = mail{} }
func (s *session) Logout() error                               { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.m.from = from; return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error   { s.m.to = append(s.m.to, to); return nil }
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.m.data = string(b)
	s.box.mu.Lock()
	s.box.msgs = append(s.box.msgs, s.m)
	s.box.mu.Unlock()
	return nil
}

func startSMTP(t *testing.T) (*mailbox, string) {
	t.Helper()
	box := &mailbox{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{box: box}, nil }))
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return box, ln.Addr().String()
}

func TestEmailDelivered(t *testing.T) {
	db := newDB(t)
	box, addr := startSMTP(t)
	if err := db.Create(&models.Channels{Dept: "WH-RS", Emails: []string{"inbox@wh-rs.example.org", "chief@wh-rs.example.org"}}).Error; err != nil {
		t.Fatal(err)
	}
	openTask(t, db, "sr-1.provider")
	d := &Dispatcher{DB: db, Log: zerolog.Nop(), SMTP: SMTP{Addr: addr, From: "approvals@city.example.org"}}
	if _, err := d.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	n := notification(t, db, models.ChannelEmail)
	if n.Status != models.NotifyDelivered {
		t.Fatalf("e-mail notification %s: %s (%s)", n.ID, n.Status, n.LastError)
	}
	box.mu.Lock()
	defer box.mu.Unlock()
	if len(box.msgs) != 1 {
		t.Fatalf("%d messages received, want 1", len(box.msgs))
	}
	m := box.msgs[0]
	if m.from != "approvals@city.example.org" || len(m.to) != 2 || m.to[0] != "inbox@wh-rs.example.org" {
		t.Fatalf("envelope from %s to %v", m.from, m.to)
	}
	if !strings.Contains(m.data, "Message-ID: <"+n.ID+"@approvals>") || !strings.Contains(m.data, "Subject: New task sr-1.provider") {
		t.Fatalf("message:\n%s", m.data)
	}
}

func TestEmailServerDownThenUp(t *testing.T) {
	db := newDB(t)
	if err := db.Create(&models.Channels{Dept: "WH-RS", Emails: []string{"inbox@wh-rs.example.org"}}).Error; err != nil {
		t.Fatal(err)
	}
	openTask(t, db, "sr-1.provider")
	// A port with nothing listening: the attempt fails and is kept.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	down := ln.Addr().String()
	ln.Close()
	clk := &clock{t: time.Now().UTC()}
	d := &Dispatcher{DB: db, Log: zerolog.Nop(), Now: clk.now, SMTP: SMTP{Addr: down, From: "a@b.example"}}
	if _, err := d.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := notification(t, db, models.ChannelEmail); n.Status != models.NotifyPending || n.LastError == "" {
		t.Fatalf("with the server down: %s (%q)", n.Status, n.LastError)
	}
	box, addr := startSMTP(t)
	d.SMTP.Addr = addr
	clk.advance(DefaultBackoff)
	if _, err := d.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := notification(t, db, models.ChannelEmail); n.Status != models.NotifyDelivered || n.Attempts != 2 || len(box.msgs) != 1 {
		t.Fatalf("with the server up: %s after %d attempts, %d received", n.Status, n.Attempts, len(box.msgs))
	}
}

var onConflictNothing = clause.OnConflict{DoNothing: true}
