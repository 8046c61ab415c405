package notify

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"strings"
	"time"

	"github.com/cityapprovals/approvals/models"
)

// SMTP is the mail server notifications are sent through (APPROVALS_SMTP_*).
// Without an Addr, e-mail notifications wait (and end dead) with a clear error.
type SMTP struct {
	Addr string // host:port
	From string
	// Username and Password authenticate with PLAIN, which the server must
	// offer over TLS (STARTTLS) unless it is on loopback.
	Username, Password string
}

// Send mails the notice to the addresses; its Message-ID is the
// notification's ID, so a receiver can drop a duplicate.
func (s SMTP) Send(ctx context.Context, to []string, n models.Notification) error {
	if s.Addr == "" {
		return errors.New("e-mail: no SMTP server configured (APPROVALS_SMTP_ADDR)")
	}
	var notice models.Notice
	if err := json.Unmarshal([]byte(n.Payload), &notice); err != nil {
		return fmt.Errorf("%w: e-mail: decode notice: %v", errPermanent, err)
	}
	msg := s.message(to, notice, n.ID)
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return fmt.Errorf("%w: APPROVALS_SMTP_ADDR %q: %v", errPermanent, s.Addr, err)
	}
	var auth smtp.Auth
	if s.Username != "" {
		auth = smtp.PlainAuth("", s.Username, s.Password, host)
	}
	done := make(chan error, 1)
	go func() { done <- smtp.SendMail(s.Addr, auth, s.From, to, msg) }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("e-mail via %s: %w", s.Addr, err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("e-mail via %s: %w", s.Addr, ctx.Err())
	}
}

// message is the RFC 5322 message of a notice: UTF-8 text, base64.
func (s SMTP) message(to []string, n models.Notice, id string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\n", s.From, strings.Join(to, ", "))
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", n.Title))
	fmt.Fprintf(&b, "Date: %s\r\n", time.Now().UTC().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@approvals>\r\n", id)
	fmt.Fprintf(&b, "X-Approvals-Notice: %s\r\nMIME-Version: 1.0\r\n", n.Kind)
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	text := n.Text + "\r\n\r\nprocedure: " + n.ProcedureID + "\r\n"
	if n.TaskID != "" {
		text += "task: " + n.TaskID + "\r\n"
	}
	if n.Article != "" {
		text += "article: " + n.Article + "\r\n"
	}
	enc := base64.StdEncoding.EncodeToString([]byte(text))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.Bytes()
}
