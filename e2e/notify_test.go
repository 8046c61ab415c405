package e2e

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/notify/notifytest"
)

// mailbox is the SMTP server the worker sends e-mail notifications to.
var mailbox *notifytest.Mailbox

// startNotify starts the mailbox and returns the settings that point the
// worker at it, with retries fast enough for the tests (3 attempts).
func startNotify() ([]string, func(), error) {
	var err error
	if mailbox, err = notifytest.StartMailbox(); err != nil {
		return nil, nil, fmt.Errorf("start SMTP server: %w", err)
	}
	return []string{"APPROVALS_SMTP_ADDR=" + mailbox.Addr, "APPROVALS_SMTP_FROM=approvals@city.example.org",
		"APPROVALS_NOTIFY_INTERVAL=100ms", "APPROVALS_NOTIFY_BACKOFF=200ms", "APPROVALS_NOTIFY_MAX_ATTEMPTS=3"}, func() { _ = mailbox.Close() }, nil
}

// poll waits up to a minute for cond, failing with what it last said.
func poll(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		ok, last := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after a minute; last: %s", what, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// outbox is the admin's list of a recipient's notifications on a channel.
func outbox(t *testing.T, admin user, recipient, channel string) []map[string]any {
	return admin.do("GET", "/api/v1/notifications?recipient="+recipient+"&channel="+channel, nil).must(t, 200).items()
}

func TestNotificationsReachPeople(t *testing.T) {
	w := newWorld(t, "wuhan")
	const secret = "provider-webhook-secret-0123456789"
	prv := notifytest.NewReceiver(secret, 500, 200) // down once, then up
	prvSrv := httptest.NewServer(prv)
	defer prvSrv.Close()
	req := notifytest.NewReceiver(secret, 503) // down until told otherwise
	reqSrv := httptest.NewServer(req)
	defer reqSrv.Close()
	prvMail := strings.ToLower(w.provider) + "@example.org"

	// Bad channels are refused, naming the field, and change nothing.
	path := "/api/v1/departments/" + w.provider + "/channels"
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"emails": []string{"not an address"}}, "emails[0]"},
		{map[string]any{"emails": []string{"Bob <bob@example.org>"}}, "emails[0]"},
		{map[string]any{"webhook_url": "ftp://x.example.org/", "webhook_secret": secret}, "webhook_url"},
		{map[string]any{"webhook_url": prvSrv.URL, "webhook_secret": "short"}, "webhook_secret"},
		{map[string]any{"webhook_url": prvSrv.URL}, "webhook_secret"},
		{map[string]any{"emails": make([]string, 11)}, "emails"},
	} {
		r := w.prov.do("PUT", path, c.body).must(t, 422)
		if !strings.Contains(string(r.Raw), `"field":"`+c.field+`"`) {
			t.Fatalf("%v: problem does not name %s: %s", c.body, c.field, r.Raw)
		}
	}
	w.req.do("PUT", path, map[string]any{"emails": []string{"x@example.org"}}).must(t, 403)
	if r := w.prov.do("GET", path, nil).must(t, 200); r.str("webhook_url") != "" || r.Body["has_webhook_secret"] != false {
		t.Fatalf("refused PUTs changed the channels: %s", r.Raw)
	}
	r := w.prov.do("PUT", path, map[string]any{"webhook_url": prvSrv.URL, "webhook_secret": secret, "emails": []string{prvMail}}).must(t, 200)
	if strings.Contains(string(r.Raw), secret) {
		t.Fatalf("the secret is shown: %s", r.Raw)
	}
	w.admin.do("PUT", "/api/v1/departments/"+w.requester+"/channels", map[string]any{"webhook_url": reqSrv.URL, "webhook_secret": secret}).must(t, 200)

	// A task opened for the provider: webhook (after one 500), e-mail, in-app.
	id := w.file(t, "conditional").must(t, 201).str("id")
	task := taskFor(t, w.prov, id)
	var hook map[string]any
	poll(t, "the provider's webhook delivered", func() (bool, string) {
		for _, n := range outbox(t, w.admin, w.provider, "webhook") {
			if n["status"] == "delivered" {
				hook = n
				return true, ""
			}
		}
		return false, fmt.Sprint(outbox(t, w.admin, w.provider, "webhook"))
	})
	key := hook["id"].(string)
	if hook["attempts"] != float64(2) || prv.Accepted(key) != 1 {
		t.Fatalf("delivered after %v attempts, accepted %d times; want 2 attempts (500, 200), accepted once: %+v", hook["attempts"], prv.Accepted(key), prv.Requests())
	}
	var notice map[string]any
	for _, q := range prv.Requests() {
		if q.Err != nil {
			t.Fatalf("bad signature: %v", q.Err)
		}
		if q.Key == key {
			_ = json.Unmarshal([]byte(q.Body), &notice)
		}
	}
	if notice["kind"] != "task_opened" || notice["task_id"] != task["id"] || notice["procedure_id"] != id {
		t.Fatalf("webhook body %v", notice)
	}
	poll(t, "the provider's e-mail", func() (bool, string) {
		for _, m := range mailbox.Messages() {
			if len(m.To) == 1 && m.To[0] == prvMail && strings.Contains(m.Data, task["id"].(string)) {
				return true, ""
			}
		}
		return false, fmt.Sprintf("%d messages", len(mailbox.Messages()))
	})
	msgs := w.prov.do("GET", "/api/v1/messages?unread=true", nil).must(t, 200).items()
	if len(msgs) != 1 || msgs[0]["kind"] != "task_opened" || msgs[0]["task_id"] != task["id"] {
		t.Fatalf("provider's unread messages: %v", msgs)
	}
	w.req.do("POST", "/api/v1/messages/"+msgs[0]["id"].(string)+"/read", nil).must(t, 404) // not the requester's
	w.prov.do("POST", "/api/v1/messages/"+msgs[0]["id"].(string)+"/read", nil).must(t, 200)
	if n := len(w.prov.do("GET", "/api/v1/messages?unread=true", nil).must(t, 200).items()); n != 0 {
		t.Fatalf("%d unread after reading", n)
	}

	// The outcome for the requester, whose receiver stays down: dead after
	// 3 attempts, visible to admins, delivered once retried.
	w.prov.do("POST", "/api/v1/tasks/"+task["id"].(string)+"/decision", map[string]any{"decision": "approve", "conditions": "仅限人才落户审批"}).must(t, 200)
	var dead map[string]any
	poll(t, "the requester's outcome dead", func() (bool, string) {
		for _, n := range w.admin.do("GET", "/api/v1/notifications?status=dead&recipient="+w.requester, nil).must(t, 200).items() {
			dead = n
			return true, ""
		}
		return false, fmt.Sprint(outbox(t, w.admin, w.requester, "webhook"))
	})
	if dead["kind"] != "outcome" || dead["attempts"] != float64(3) || !strings.Contains(dead["last_error"].(string), "503") {
		t.Fatalf("dead notification %v", dead)
	}
	if n := len(req.Requests()); n != 3 {
		t.Fatalf("the requester's receiver saw %d attempts, want 3", n)
	}
	w.prov.do("POST", "/api/v1/notifications/"+dead["id"].(string)+"/retry", nil).must(t, 403)
	req.SetStatuses(200)
	w.admin.do("POST", "/api/v1/notifications/"+dead["id"].(string)+"/retry", nil).must(t, 202)
	poll(t, "the retried outcome delivered", func() (bool, string) {
		return req.Accepted(dead["id"].(string)) == 1, fmt.Sprint(req.Requests())
	})
	w.admin.do("POST", "/api/v1/notifications/"+dead["id"].(string)+"/retry", nil).must(t, 409)
	if msgs := w.req.do("GET", "/api/v1/messages", nil).must(t, 200).items(); len(msgs) != 1 || msgs[0]["kind"] != "outcome" {
		t.Fatalf("requester's messages: %v", msgs)
	}
	w.admin.do("GET", "/api/v1/notifications?status=lost", nil).must(t, 400)
}
