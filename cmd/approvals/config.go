package main

import (
	"crypto/ed25519"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/cityapprovals/approvals/api"
	"github.com/cityapprovals/approvals/codec"
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
	// SigningKey signs exports (APPROVALS_SIGNING_KEY or _FILE; keys.go).
	SigningKey ed25519.PrivateKey
	// Codec encrypts Temporal payloads (APPROVALS_CODEC_KEYS, _KEY_ID);
	// CodecOrigins may call the API's /codec (APPROVALS_CODEC_CORS_ORIGINS).
	Codec        *codec.Codec
	CodecOrigins []string
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
		Namespace:   env("TEMPORAL_NAMESPACE", "default"),
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
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return c, badConfig("DATABASE_URL must be a postgres:// URL")
	}
	if c.SigningKey, err = signingKeyFromEnv(); err != nil {
		return c, err
	}
	if c.Codec, err = codecFromEnv(); err != nil {
		return c, err
	}
	if v := os.Getenv("APPROVALS_CODEC_CORS_ORIGINS"); v != "" {
		for _, o := range strings.Split(v, ",") {
			if o = strings.TrimSpace(o); !strings.HasPrefix(o, "http://") && !strings.HasPrefix(o, "https://") {
				return c, badConfig("APPROVALS_CODEC_CORS_ORIGINS: %q is not an http(s) origin", o)
			}
			c.CodecOrigins = append(c.CodecOrigins, strings.TrimSpace(o))
		}
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
