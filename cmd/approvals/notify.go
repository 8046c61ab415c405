package main

import (
	"context"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/cityapprovals/approvals/notify"
	"github.com/rs/zerolog"
	"gorm.io/gorm"
)

// notifyConfig is the notification dispatcher's settings.
type notifyConfig struct {
	SMTP        notify.SMTP   // APPROVALS_SMTP_ADDR, _FROM, _USERNAME, _PASSWORD
	MaxAttempts int           // APPROVALS_NOTIFY_MAX_ATTEMPTS
	Backoff     time.Duration // APPROVALS_NOTIFY_BACKOFF: the first wait, doubled up to an hour
	Interval    time.Duration // APPROVALS_NOTIFY_INTERVAL: the pause between idle passes
}

// readNotify reads the dispatcher's settings.
func (c *config) readNotify() error {
	n := &c.Notify
	n.SMTP = notify.SMTP{Addr: os.Getenv("APPROVALS_SMTP_ADDR"), From: env("APPROVALS_SMTP_FROM", "approvals@localhost"),
		Username: os.Getenv("APPROVALS_SMTP_USERNAME"), Password: os.Getenv("APPROVALS_SMTP_PASSWORD")}
	if a := n.SMTP.Addr; a != "" {
		if _, _, err := net.SplitHostPort(a); err != nil {
			return badConfig("APPROVALS_SMTP_ADDR=%q: want host:port, such as mail.example.org:587", a)
		}
	}
	v := env("APPROVALS_NOTIFY_MAX_ATTEMPTS", strconv.Itoa(notify.DefaultMaxAttempts))
	k, err := strconv.Atoi(v)
	if err != nil || k < 1 || k > 100 {
		return badConfig("APPROVALS_NOTIFY_MAX_ATTEMPTS=%q: want a number from 1 to 100", v)
	}
	n.MaxAttempts = k
	if n.Backoff, err = duration("APPROVALS_NOTIFY_BACKOFF", notify.DefaultBackoff.String(), 100*time.Millisecond, time.Hour); err != nil {
		return err
	}
	if n.Interval, err = duration("APPROVALS_NOTIFY_INTERVAL", notify.DefaultInterval.String(), 50*time.Millisecond, time.Minute); err != nil {
		return err
	}
	return nil
}

// duration reads a Go duration within [lo, hi].
func duration(name, def string, lo, hi time.Duration) (time.Duration, error) {
	v := env(name, def)
	d, err := time.ParseDuration(v)
	if err != nil || d < lo || d > hi {
		return 0, badConfig("%s=%q: want a duration from %s to %s", name, v, lo, hi)
	}
	return d, nil
}

// startDispatcher delivers the notification outbox until ctx ends.
func startDispatcher(ctx context.Context, cfg config, db *gorm.DB, log zerolog.Logger) {
	d := &notify.Dispatcher{DB: db, SMTP: cfg.Notify.SMTP, MaxAttempts: cfg.Notify.MaxAttempts,
		Backoff: cfg.Notify.Backoff, Interval: cfg.Notify.Interval, Log: log.With().Str("part", "notify").Logger()}
	go func() { _ = d.Run(ctx) }()
}
