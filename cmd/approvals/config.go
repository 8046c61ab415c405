package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cityapprovals/approvals/api"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/rs/zerolog"
)

// configError is bad configuration; its message names the variable.
type configError struct{ msg string }

func (e configError) Error() string { return e.msg }

func badConfig(format string, args ...any) error { return configError{fmt.Sprintf(format, args...)} }

// config is read from the environment.
type config struct {
	DatabaseURL string // DATABASE_URL
	Temporal    string // TEMPORAL_ADDRESS
	Namespace   string // TEMPORAL_NAMESPACE
	Secret      string // APPROVALS_JWT_SECRET
	Addr        string // APPROVALS_ADDR
	LogLevel    zerolog.Level
	Regulations *regulations.Registry
	// TestNow (APPROVALS_TEST_NOW, RFC 3339) fixes the API's clock for
	// filings. It exists for the end-to-end tests alone, which need a
	// procedure filed before a year's schedule is published; never set it
	// in production.
	TestNow time.Time
	// Retention (APPROVALS_RETENTION) is how long Temporal keeps a closed
	// execution; the archive is the durable copy.
	Retention time.Duration
	// The history archiver's settings: APPROVALS_ARCHIVE_INTERVAL (between
	// passes), APPROVALS_ARCHIVE_PAGE_SIZE (executions listed per page),
	// APPROVALS_ARCHIVE_RATE (histories read per second, at most).
	ArchiveInterval time.Duration
	ArchivePageSize int
	ArchiveRate     float64
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// loadConfig reads the environment; production requires a database and a
// real signing secret.
func loadConfig(production bool) (config, error) {
	c := config{
		DatabaseURL: os.Getenv("DATABASE_URL"),
		Temporal:    os.Getenv("TEMPORAL_ADDRESS"),
		Namespace:   env("TEMPORAL_NAMESPACE", defaultNamespace),
		Secret:      os.Getenv("APPROVALS_JWT_SECRET"),
		Addr:        env("APPROVALS_ADDR", ":8080"),
	}
	lvl, err := zerolog.ParseLevel(env("APPROVALS_LOG_LEVEL", "info"))
	if err != nil || lvl == zerolog.NoLevel {
		return c, badConfig("APPROVALS_LOG_LEVEL=%q: want debug, info, warn or error", os.Getenv("APPROVALS_LOG_LEVEL"))
	}
	c.LogLevel = lvl
	if v := os.Getenv("APPROVALS_TEST_NOW"); v != "" {
		if c.TestNow, err = time.Parse(time.RFC3339, v); err != nil {
			return c, badConfig("APPROVALS_TEST_NOW=%q: want an RFC 3339 time (tests only)", v)
		}
	}
	if c.Retention, err = parseDays("APPROVALS_RETENTION", env("APPROVALS_RETENTION", "30d"), minRetention, maxRetention); err != nil {
		return c, err
	}
	if err := c.readArchive(); err != nil {
		return c, err
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return c, badConfig("DATABASE_URL must be a postgres:// URL")
	}
	if c.Regulations, err = regulations.Load(os.Getenv("APPROVALS_EXTEND_VALIDITY")); err != nil {
		return c, badConfig("%v", err)
	}
	if !production {
		if c.Secret == "" {
			c.Secret = api.DevSecret
		}
		return c, nil
	}
	if c.DatabaseURL == "" {
		return c, badConfig("DATABASE_URL is required (postgres://user@host:5432/db)")
	}
	if c.Temporal == "" {
		c.Temporal = "127.0.0.1:7233"
	}
	return c, nil
}

// defaultNamespace is the Temporal namespace of our procedures.
const defaultNamespace = "approvals"

// Bounds of APPROVALS_RETENTION: Temporal keeps closed executions at least a
// day; beyond ten years the archive, not Temporal, should be the record.
const (
	minRetention = 24 * time.Hour
	maxRetention = 3650 * 24 * time.Hour
)

// parseDays reads a duration given as Go's (720h) or in days (30d) and
// checks it lies within [lo, hi].
func parseDays(name, v string, lo, hi time.Duration) (time.Duration, error) {
	var d time.Duration
	if n, ok := strings.CutSuffix(v, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil {
			return 0, badConfig("%s=%q: want a duration such as 30d or 720h", name, v)
		}
		d = time.Duration(days) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			return 0, badConfig("%s=%q: want a duration such as 30d or 720h", name, v)
		}
	}
	if d < lo || d > hi {
		return 0, badConfig("%s=%q: want between %s and %s", name, v, days(lo), days(hi))
	}
	return d, nil
}

// days writes a duration in days when it is whole days.
func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	return d.String()
}

// readArchive reads the archiver's settings.
func (c *config) readArchive() error {
	v := env("APPROVALS_ARCHIVE_INTERVAL", "1m")
	d, err := time.ParseDuration(v)
	if err != nil || d < 100*time.Millisecond || d > 24*time.Hour {
		return badConfig("APPROVALS_ARCHIVE_INTERVAL=%q: want a duration from 100ms to 24h, such as 1m", v)
	}
	c.ArchiveInterval = d
	v = env("APPROVALS_ARCHIVE_PAGE_SIZE", "100")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1000 {
		return badConfig("APPROVALS_ARCHIVE_PAGE_SIZE=%q: want a number from 1 to 1000", v)
	}
	c.ArchivePageSize = n
	v = env("APPROVALS_ARCHIVE_RATE", "50")
	r, err := strconv.ParseFloat(v, 64)
	if err != nil || r < 1 || r > 10000 { // at least 1/s: a pass heartbeats between histories
		return badConfig("APPROVALS_ARCHIVE_RATE=%q: want histories per second from 1 to 10000", v)
	}
	c.ArchiveRate = r
	return nil
}

// requireSecret refuses to serve with no secret, the development secret or a
// short one.
func (c config) requireSecret() error {
	switch {
	case c.Secret == "":
		return badConfig("APPROVALS_JWT_SECRET is required: set a random string of at least 32 characters")
	case c.Secret == api.DevSecret:
		return badConfig("APPROVALS_JWT_SECRET is the published development secret; set a real one")
	case len(c.Secret) < 32:
		return badConfig("APPROVALS_JWT_SECRET is too short (%d characters; at least 32)", len(c.Secret))
	}
	return nil
}
