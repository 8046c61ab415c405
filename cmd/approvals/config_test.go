package main

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/api"
)

// Bad configuration is refused with a message naming the variable.
func TestBadConfigurationNamesTheVariable(t *testing.T) {
	cases := []struct {
		env        map[string]string
		production bool
		secret     bool
		want       string
	}{
		{map[string]string{"DATABASE_URL": ""}, true, false, "DATABASE_URL"},
		{map[string]string{"DATABASE_URL": "mysql://x"}, true, false, "DATABASE_URL"},
		{map[string]string{"APPROVALS_LOG_LEVEL": "loud"}, false, false, "APPROVALS_LOG_LEVEL"},
		{map[string]string{"APPROVALS_RETENTION": "a month"}, false, false, "APPROVALS_RETENTION"},
		{map[string]string{"APPROVALS_RETENTION": "2h"}, false, false, "APPROVALS_RETENTION"},
		{map[string]string{"APPROVALS_RETENTION": "4000d"}, false, false, "APPROVALS_RETENTION"},
		{map[string]string{"APPROVALS_ARCHIVE_INTERVAL": "soon"}, false, false, "APPROVALS_ARCHIVE_INTERVAL"},
		{map[string]string{"APPROVALS_ARCHIVE_PAGE_SIZE": "0"}, false, false, "APPROVALS_ARCHIVE_PAGE_SIZE"},
		{map[string]string{"APPROVALS_ARCHIVE_RATE": "0.5"}, false, false, "APPROVALS_ARCHIVE_RATE"},
		{map[string]string{"APPROVALS_EXTEND_VALIDITY": "atlantis:2030-01-01"}, false, false, "APPROVALS_EXTEND_VALIDITY"},
		{map[string]string{"DATABASE_URL": "postgres://db/x", "APPROVALS_JWT_SECRET": ""}, true, true, "APPROVALS_JWT_SECRET"},
		{map[string]string{"DATABASE_URL": "postgres://db/x", "APPROVALS_JWT_SECRET": api.DevSecret}, true, true, "APPROVALS_JWT_SECRET"},
		{map[string]string{"DATABASE_URL": "postgres://db/x", "APPROVALS_JWT_SECRET": "short"}, true, true, "APPROVALS_JWT_SECRET"},
		// whitespace and low-entropy secrets, bad hardening settings
		{map[string]string{"DATABASE_URL": "postgres://db/x", "APPROVALS_JWT_SECRET": strings.Repeat(" ", 32)}, true, true, "APPROVALS_JWT_SECRET"},
		{map[string]string{"DATABASE_URL": "postgres://db/x", "APPROVALS_JWT_SECRET": strings.Repeat("s", 40)}, true, true, "APPROVALS_JWT_SECRET"},
		{map[string]string{"DATABASE_URL": "postgres://db/x", "APPROVALS_JWT_SECRET": strings.Repeat("abcd", 10)}, true, true, "APPROVALS_JWT_SECRET"},
		{map[string]string{"APPROVALS_RATE_LIMIT": "fast"}, false, false, "APPROVALS_RATE_LIMIT"},
		{map[string]string{"APPROVALS_RATE_BURST": "0"}, false, false, "APPROVALS_RATE_BURST"},
		{map[string]string{"APPROVALS_JWT_MAX_TTL": "forever"}, false, false, "APPROVALS_JWT_MAX_TTL"},
		{map[string]string{"APPROVALS_HSTS": "maybe"}, false, false, "APPROVALS_HSTS"},
	}
	for _, c := range cases {
		for _, name := range []string{"DATABASE_URL", "APPROVALS_LOG_LEVEL", "APPROVALS_EXTEND_VALIDITY", "APPROVALS_JWT_SECRET",
			"APPROVALS_RATE_LIMIT", "APPROVALS_RATE_BURST", "APPROVALS_JWT_MAX_TTL", "APPROVALS_HSTS", "APPROVALS_RETENTION",
			"APPROVALS_ARCHIVE_INTERVAL", "APPROVALS_ARCHIVE_PAGE_SIZE", "APPROVALS_ARCHIVE_RATE"} {
			t.Setenv(name, "")
		}
		for k, v := range c.env {
			t.Setenv(k, v)
		}
		cfg, err := loadConfig(c.production)
		if err == nil && c.secret {
			err = cfg.requireSecret()
		}
		var ce configError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want a configuration error naming %s", c.env, err, c.want)
		}
	}
}

// Development needs nothing set: SQLite, its own Temporal, the development secret.
func TestDevelopmentDefaults(t *testing.T) {
	for _, name := range []string{"DATABASE_URL", "TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "APPROVALS_JWT_SECRET", "APPROVALS_LOG_LEVEL", "APPROVALS_EXTEND_VALIDITY", "APPROVALS_RETENTION"} {
		t.Setenv(name, "")
	}
	cfg, err := loadConfig(false)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Secret != api.DevSecret || cfg.Temporal != "" || cfg.DatabaseURL != "" || cfg.Namespace != "approvals" || cfg.Retention != 30*24*time.Hour {
		t.Fatalf("dev defaults: %+v", cfg)
	}
	t.Setenv("APPROVALS_JWT_SECRET", "5f0c9e2a71d4b8e36a0f2c7d91b4e58a3c6f0d2e7b19a4c8")
	t.Setenv("DATABASE_URL", "postgres://db/x")
	cfg, err = loadConfig(true)
	if err != nil || cfg.requireSecret() != nil || cfg.Temporal != "127.0.0.1:7233" {
		t.Fatalf("production with a real secret: %+v, %v", cfg, err)
	}
}

// Retention is read in days or as a Go duration.
func TestRetention(t *testing.T) {
	for v, want := range map[string]time.Duration{"30d": 30 * 24 * time.Hour, "720h": 720 * time.Hour, "1d": 24 * time.Hour, "3650d": 3650 * 24 * time.Hour} {
		t.Setenv("APPROVALS_RETENTION", v)
		cfg, err := loadConfig(false)
		if err != nil || cfg.Retention != want {
			t.Errorf("APPROVALS_RETENTION=%s: %v, %v; want %v", v, cfg.Retention, err, want)
		}
	}
}
