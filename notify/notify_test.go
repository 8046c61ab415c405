package notify_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/notify"
	"github.com/cityapprovals/approvals/notify/notifytest"
	"github.com/cityapprovals/approvals/workflows"
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
	if err := models.Migrate(db, workflows.RecordModels()...); err != nil {
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

func TestWebhookRetriedUntilDelivered(t *testing.T) {
	db := newDB(t)
	rcv := notifytest.NewReceiver(secret, 500, 200)
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	if err := db.Create(&models.Channels{Dept: "WH-RS", WebhookURL: srv.URL, WebhookSecret: secret}).Error; err != nil {
		t.Fatal(err)
	}
	openTask(t, db, "sr-1.provider")
	clk := &clock{t: time.Now().UTC()}
	d := &notify.Dispatcher{DB: db, Now: clk.now, Log: zerolog.Nop(), Backoff: time.Minute}
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
	reqs := rcv.Requests()
	if len(reqs) != 2 || rcv.Accepted(n.ID) != 1 || reqs[0].Key != n.ID || reqs[0].Status != 500 {
		t.Fatalf("receiver got %+v; want 2 requests with key %s, the second accepted", reqs, n.ID)
	}
	for _, q := range reqs {
		if q.Err != nil {
			t.Fatalf("bad signature: %v", q.Err)
		}
	}
	if !strings.Contains(n.Payload, `"kind":"task_opened"`) || !strings.Contains(n.Payload, `"recipient":"WH-RS"`) {
		t.Fatalf("payload %s", n.Payload)
	}
}

func TestWebhookDeadAfterMaxAttempts(t *testing.T) {
	db := newDB(t)
	rcv := notifytest.NewReceiver(secret, 503)
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	if err := db.Create(&models.Channels{Dept: "WH-RS", WebhookURL: srv.URL, WebhookSecret: secret}).Error; err != nil {
		t.Fatal(err)
	}
	openTask(t, db, "sr-1.provider")
	clk := &clock{t: time.Now().UTC()}
	d := &notify.Dispatcher{DB: db, Now: clk.now, Log: zerolog.Nop(), MaxAttempts: 3, Backoff: time.Second, MaxBackoff: 4 * time.Second}
	for i := 0; i < 10; i++ {
		if _, err := d.Once(context.Background()); err != nil {
			t.Fatal(err)
		}
		clk.advance(5 * time.Second)
	}
	n := notification(t, db, models.ChannelWebhook)
	if n.Status != models.NotifyDead || n.Attempts != 3 || len(rcv.Requests()) != 3 || !strings.Contains(n.LastError, "503") {
		t.Fatalf("status %s after %d attempts (%d requests), last error %q; want dead after 3 with the 503", n.Status, n.Attempts, len(rcv.Requests()), n.LastError)
	}
}

func TestSignatureVerify(t *testing.T) {
	body := []byte(`{"a":1}`)
	at := time.Unix(1_800_000_000, 0)
	h := notify.Sign(secret, at, body)
	if err := notify.Verify(secret, h, body, at, time.Minute); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"other body":   notify.Verify(secret, h, []byte(`{"a":2}`), at, time.Minute),
		"other secret": notify.Verify("another", h, body, at, time.Minute),
		"too old":      notify.Verify(secret, h, body, at.Add(time.Hour), time.Minute),
		"malformed":    notify.Verify(secret, "v1=abc", body, at, time.Minute),
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

func TestEmailDelivered(t *testing.T) {
	db := newDB(t)
	box, addr := startSMTP(t)
	if err := db.Create(&models.Channels{Dept: "WH-RS", Emails: []string{"inbox@wh-rs.example.org", "chief@wh-rs.example.org"}}).Error; err != nil {
		t.Fatal(err)
	}
	openTask(t, db, "sr-1.provider")
	d := &notify.Dispatcher{DB: db, Log: zerolog.Nop(), SMTP: notify.SMTP{Addr: addr, From: "approvals@city.example.org"}}
	if _, err := d.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	n := notification(t, db, models.ChannelEmail)
	if n.Status != models.NotifyDelivered {
		t.Fatalf("e-mail notification %s: %s (%s)", n.ID, n.Status, n.LastError)
	}
	msgs := box.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages received, want 1", len(msgs))
	}
	m := msgs[0]
	if m.From != "approvals@city.example.org" || len(m.To) != 2 || m.To[0] != "inbox@wh-rs.example.org" {
		t.Fatalf("envelope from %s to %v", m.From, m.To)
	}
	if !strings.Contains(m.Data, "Message-ID: <"+n.ID+"@approvals>") || !strings.Contains(m.Data, "Subject: New task sr-1.provider") {
		t.Fatalf("message:\n%s", m.Data)
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
	d := &notify.Dispatcher{DB: db, Log: zerolog.Nop(), Now: clk.now, SMTP: notify.SMTP{Addr: down, From: "a@b.example"}}
	if _, err := d.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := notification(t, db, models.ChannelEmail); n.Status != models.NotifyPending || n.LastError == "" {
		t.Fatalf("with the server down: %s (%q)", n.Status, n.LastError)
	}
	box, addr := startSMTP(t)
	d.SMTP.Addr = addr
	clk.advance(notify.DefaultBackoff)
	if _, err := d.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := notification(t, db, models.ChannelEmail); n.Status != models.NotifyDelivered || n.Attempts != 2 || len(box.Messages()) != 1 {
		t.Fatalf("with the server up: %s after %d attempts, %d received", n.Status, n.Attempts, len(box.Messages()))
	}
}

func startSMTP(t *testing.T) (*notifytest.Mailbox, string) {
	t.Helper()
	box, err := notifytest.StartMailbox()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = box.Close() })
	return box, box.Addr
}

var onConflictNothing = clause.OnConflict{DoNothing: true}

// TestConcurrentDispatchersDeliverEachOnce runs two dispatchers on one
// PostgreSQL outbox (SKIP LOCKED): every notification is delivered once.
func TestConcurrentDispatchersDeliverEachOnce(t *testing.T) {
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	admin, err := models.Open(url, "")
	if err == nil {
		err = admin.Exec("SELECT 1").Error
	}
	if err != nil {
		if os.Getenv("REQUIRE_POSTGRES") == "1" {
			t.Fatalf("REQUIRE_POSTGRES=1 but PostgreSQL is unreachable: %v", err)
		}
		t.Skipf("PostgreSQL unreachable (%v); the SQLite tests cover the rest", err)
	}
	schema := fmt.Sprintf("notify_%d_%d", os.Getpid(), time.Now().UnixNano())
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP SCHEMA " + schema + " CASCADE") })
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	db, err := models.Open(url+sep+"search_path="+schema, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := models.Migrate(db, workflows.RecordModels()...); err != nil {
		t.Fatal(err)
	}
	rcv := notifytest.NewReceiver(secret, 200)
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	if err := db.Create(&models.Channels{Dept: "WH-RS", WebhookURL: srv.URL, WebhookSecret: secret}).Error; err != nil {
		t.Fatal(err)
	}
	const n = 40
	for i := range n {
		openTask(t, db, fmt.Sprintf("t%d", i))
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := &notify.Dispatcher{DB: db, Log: zerolog.Nop(), Batch: 3}
			for {
				k, err := d.Once(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				if k == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	var delivered int64
	db.Model(&models.Notification{}).Where("status = ?", models.NotifyDelivered).Count(&delivered)
	seen := map[string]int{}
	for _, q := range rcv.Requests() {
		seen[q.Key]++
		if seen[q.Key] > 1 {
			t.Errorf("notification %s delivered %d times", q.Key, seen[q.Key])
		}
	}
	if delivered != n || len(seen) != n {
		t.Fatalf("%d delivered, %d distinct received; want %d", delivered, len(seen), n)
	}
}

// TestNoticeKinds: a reminder, an overdue task, a supervision task for a
// role and an outcome are each told to whom they concern; a role gets an
// in-app message only.
func TestNoticeKinds(t *testing.T) {
	db := newDB(t)
	if err := db.Create(&models.Channels{Dept: "WH-GA", WebhookURL: "http://127.0.0.1:1/", WebhookSecret: secret}).Error; err != nil {
		t.Fatal(err)
	}
	openTask(t, db, "sr-1.provider")
	sup := models.Task{ID: "sr-1.supervision", Procedure: "share_request", ProcedureID: "sr-1", WorkflowID: "wf", Kind: models.TaskSupervision,
		Jurisdiction: "wuhan", AssigneeRole: "authority", Status: models.TaskOpen}
	req := models.ShareRequest{Header: models.Header{ID: "sr-1", WorkflowID: "wf", Jurisdiction: "wuhan", Status: "granted"}, CatalogItemID: "i", RequesterDept: "WH-GA", ProviderDept: "WH-RS"}
	now := time.Now()
	evs := []models.Event{
		{ID: "sr-1/sr-1.provider/reminder", ProcedureID: "sr-1", Kind: "reminder", TaskID: "sr-1.provider", At: now},
		{ID: "sr-1/sr-1.provider/overdue", ProcedureID: "sr-1", Kind: "overdue", TaskID: "sr-1.provider", At: now},
		{ID: "sr-1/sr-1.supervision/task_opened", ProcedureID: "sr-1", Kind: "task_opened", TaskID: sup.ID, At: now},
		{ID: "sr-1/request/granted", ProcedureID: "sr-1", Kind: "granted", At: now, Detail: "decision"},
		{ID: "sr-1/request/filed", ProcedureID: "sr-1", Kind: "filed", At: now}, // not notified
	}
	if err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&sup).Error; err != nil {
			return err
		}
		if err := tx.Create(&req).Error; err != nil {
			return err
		}
		for i := range evs {
			if err := tx.Create(&evs[i]).Error; err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var msgs []models.Message
	if err := db.Order("event_id").Find(&msgs).Error; err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, m := range msgs {
		got[m.EventID] = m.Kind + " → " + m.Recipient
	}
	want := map[string]string{
		"sr-1/sr-1.provider/task_opened":    "task_opened → WH-RS",
		"sr-1/sr-1.provider/reminder":       "reminder → WH-RS",
		"sr-1/sr-1.provider/overdue":        "overdue → WH-RS",
		"sr-1/sr-1.supervision/task_opened": "supervision → authority:wuhan",
		"sr-1/request/granted":              "outcome → WH-GA",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("messages %v\nwant %v", got, want)
	}
	var rows []models.Notification
	db.Find(&rows)
	if len(rows) != 1 || rows[0].Recipient != "WH-GA" || rows[0].Kind != models.NoticeOutcome || rows[0].Channel != models.ChannelWebhook {
		t.Fatalf("outbox %+v; want the outcome's webhook for WH-GA only", rows)
	}
}
