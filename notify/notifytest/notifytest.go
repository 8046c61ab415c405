// Package notifytest holds what the notification tests receive with: a real
// SMTP server (github.com/emersion/go-smtp) on loopback that keeps the mail
// it is sent, and a webhook receiver that verifies signatures.
package notifytest

import (
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/cityapprovals/approvals/notify"
	"github.com/emersion/go-smtp"
)

// Mail is one message received: its envelope and its data (headers and body).
type Mail struct {
	From string
	To   []string
	Data string
}

// Mailbox is an SMTP server listening on loopback.
type Mailbox struct {
	Addr string // host:port
	srv  *smtp.Server
	mu   sync.Mutex
	msgs []Mail
}

// StartMailbox starts an SMTP server on a free loopback port.
func StartMailbox() (*Mailbox, error) {
	box := &Mailbox{}
	box.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{box: box}, nil }))
	box.srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	box.Addr = ln.Addr().String()
	go func() { _ = box.srv.Serve(ln) }()
	return box, nil
}

// Close stops the server.
func (b *Mailbox) Close() error { return b.srv.Close() }

// Messages returns the mail received so far.
func (b *Mailbox) Messages() []Mail {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Mail(nil), b.msgs...)
}

type session struct {
	box *Mailbox
	m   Mail
}

func (s *session) Reset()                                      { s.m = Mail{} }
func (s *session) Logout() error                               { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.m.From = from; return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error   { s.m.To = append(s.m.To, to); return nil }
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.m.Data = string(b)
	s.box.mu.Lock()
	s.box.msgs = append(s.box.msgs, s.m)
	s.box.mu.Unlock()
	return nil
}

// Request is one webhook delivery received.
type Request struct {
	Key    string // the Idempotency-Key header
	Body   string
	Status int   // what the receiver answered
	Err    error // the signature's verification
}

// Receiver is a webhook endpoint answering Statuses in turn (the last one
// from then on; SetStatuses changes them), recording each request.
type Receiver struct {
	Secret   string
	mu       sync.Mutex
	statuses []int
	offset   int // requests received before the statuses were set
	reqs     []Request
}

// NewReceiver answers the given statuses in turn.
func NewReceiver(secret string, statuses ...int) *Receiver {
	return &Receiver{Secret: secret, statuses: statuses}
}

// SetStatuses makes the receiver answer these from now on.
func (r *Receiver) SetStatuses(statuses ...int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.statuses = statuses
	r.offset = len(r.reqs)
}

// Requests returns the deliveries received so far.
func (r *Receiver) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Request(nil), r.reqs...)
}

// Accepted counts the deliveries answered 2xx with the key.
func (r *Receiver) Accepted(key string) int {
	n := 0
	for _, q := range r.Requests() {
		if q.Key == key && q.Status/100 == 2 {
			n++
		}
	}
	return n
}

func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	q := Request{Key: req.Header.Get(notify.HeaderIdempotency), Body: string(body),
		Err: notify.Verify(r.Secret, req.Header.Get(notify.HeaderSignature), body, time.Now(), 5*time.Minute)}
	q.Status = r.statuses[min(len(r.reqs)-r.offset, len(r.statuses)-1)]
	if q.Err != nil {
		q.Status = http.StatusUnauthorized
	}
	r.reqs = append(r.reqs, q)
	w.WriteHeader(q.Status)
}
