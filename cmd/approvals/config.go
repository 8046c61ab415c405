package main

import (
	"crypto/ed25519"
	"fmt"
	"math"
	"os"
	"strconv"
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
	// Tokens: APPROVALS_JWT_ISSUER, APPROVALS_JWT_AUDIENCE (the iss and aud
	// minted and required), APPROVALS_JWT_MAX_TTL (the longest exp − iat).
	Issuer, Audience string
	MaxTokenTTL      time.Duration
	// RateLimit (APPROVALS_RATE_LIMIT, requests a second per caller; 0 or
	// off: none) and RateBurst (APPROVALS_RATE_BURST).
	RateLimit float64
	RateBurst int
	HSTS      bool // APPROVALS_HSTS
	// SigningKey signs exports (APPROVALS_SIGNING_KEY or _FILE; keys.go).
	SigningKey ed25519.PrivateKey
	// Codec encrypts Temporal payloads (APPROVALS_CODEC_KEYS, _KEY_ID);
	// CodecOrigins may call the API's /codec (APPROVALS_CODEC_CORS_ORIGINS).
	Codec        *codec.Codec
	CodecOrigins []string
	// Retention (APPROVALS_RETENTION) is how long Temporal keeps a closed
	// execution; the archive is the durable copy.
	Retention time.Duration
	// The history archiver's settings: APPROVALS_ARCHIVE_INTERVAL (between
	// passes), APPROVALS_ARCHIVE_PAGE_SIZE (executions listed per page),
	// APPROVALS_ARCHIVE_RATE (histories read per second, at most).
	ArchiveInterval time.Duration
	ArchivePageSize int
	ArchiveRate     float64
	// Notify is the notification dispatcher's (notify.go).
	Notify notifyConfig
	// OIDC is the city's OpenID Connect provider (APPROVALS_OIDC_*; issue
	// 16); without an issuer the API takes HS256 development tokens.
	OIDC api.OIDCConfig
	// Login is the console's client at that provider
	// (APPROVALS_OIDC_CLIENT_ID, _CLIENT_SECRET, _REDIRECT_URL);
	// without a client ID the console has no sign-in of its own.
	Login api.OIDCLoginConfig
	// Ops: the worker's limits, the database pool, the build ID and the
	// worker's metrics address (ops.go).
	Ops ops
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
	if err := c.loadHardening(); err != nil {
		return c, err
	}
	if c.Retention, err = parseDays("APPROVALS_RETENTION", env("APPROVALS_RETENTION", "30d"), minRetention, maxRetention); err != nil {
		return c, err
	}
	if err := c.readArchive(); err != nil {
		return c, err
	}
	if err := c.readNotify(); err != nil {
		return c, err
	}
	if err := c.readOIDC(); err != nil {
		return c, err
	}
	if c.Ops, err = readOps(); err != nil {
		return c, err
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

// Defaults of the hardening settings.
const (
	defaultRateLimit = 20 // requests a second per caller
	// minSecretBits is the least estimated entropy of a production secret:
	// 32 random hex characters estimate above 92 bits, 32 spaces at 0.
	minSecretBits = 90
)

// loadHardening reads the token, rate-limit and HSTS settings.
func (c *config) loadHardening() error {
	c.Issuer = env("APPROVALS_JWT_ISSUER", api.DefaultIssuer)
	c.Audience = env("APPROVALS_JWT_AUDIENCE", api.DefaultAudience)
	c.MaxTokenTTL = api.DefaultMaxTokenTTL
	if v := os.Getenv("APPROVALS_JWT_MAX_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return badConfig("APPROVALS_JWT_MAX_TTL=%q: want a positive duration such as 24h", v)
		}
		c.MaxTokenTTL = d
	}
	c.RateLimit = defaultRateLimit
	switch v := os.Getenv("APPROVALS_RATE_LIMIT"); v {
	case "":
	case "off":
		c.RateLimit = 0
	default:
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || r < 0 || math.IsInf(r, 0) || math.IsNaN(r) {
			return badConfig("APPROVALS_RATE_LIMIT=%q: want requests a second per caller (a number; 0 or off: no limit)", v)
		}
		c.RateLimit = r
	}
	if v := os.Getenv("APPROVALS_RATE_BURST"); v != "" {
		b, err := strconv.Atoi(v)
		if err != nil || b < 1 {
			return badConfig("APPROVALS_RATE_BURST=%q: want a positive integer", v)
		}
		c.RateBurst = b
	}
	switch v := os.Getenv("APPROVALS_HSTS"); v {
	case "", "false", "0":
	case "true", "1":
		c.HSTS = true
	default:
		return badConfig("APPROVALS_HSTS=%q: want true or false", v)
	}
	return nil
}

// requireSecret refuses to serve with no secret, the development secret, a
// short one or one of little entropy (repeated or few distinct characters).
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

func (c config) requireSecret() error {
	switch {
	case strings.TrimSpace(c.Secret) == "":
		return badConfig("APPROVALS_JWT_SECRET is required: set a random string of at least 32 characters")
	case c.Secret == api.DevSecret:
		return badConfig("APPROVALS_JWT_SECRET is the published development secret; set a real one")
	case len(c.Secret) < 32:
		return badConfig("APPROVALS_JWT_SECRET is too short (%d characters; at least 32)", len(c.Secret))
	case entropyBits(c.Secret) < minSecretBits:
		return badConfig("APPROVALS_JWT_SECRET has too little entropy (about %.0f bits; at least %d: use e.g. `openssl rand -hex 32`)", entropyBits(c.Secret), minSecretBits)
	}
	return nil
}

// entropyBits estimates a secret's entropy from its characters' frequencies
// (Shannon entropy per character times its length): an upper bound for
// random strings, and low for repetitions such as 32 spaces or "abab…".
func entropyBits(s string) float64 {
	counts := map[rune]int{}
	n := 0
	for _, r := range s {
		counts[r]++
		n++
	}
	h := 0.0
	for _, k := range counts {
		p := float64(k) / float64(n)
		h -= p * math.Log2(p)
	}
	return h * float64(n)
}

// readOIDC reads the OpenID Connect provider's settings.
func (c *config) readOIDC() error {
	o := api.OIDCConfig{Issuer: os.Getenv("APPROVALS_OIDC_ISSUER"), Audience: os.Getenv("APPROVALS_OIDC_AUDIENCE"),
		RoleClaim: os.Getenv("APPROVALS_OIDC_ROLE_CLAIM"), DeptClaim: os.Getenv("APPROVALS_OIDC_DEPT_CLAIM"),
		JurisdictionClaim: os.Getenv("APPROVALS_OIDC_JURISDICTION_CLAIM"), MaxTTL: c.MaxTokenTTL}
	if o.Issuer == "" {
		return nil
	}
	if !strings.HasPrefix(o.Issuer, "https://") && !strings.HasPrefix(o.Issuer, "http://127.0.0.1") && !strings.HasPrefix(o.Issuer, "http://localhost") {
		return badConfig("APPROVALS_OIDC_ISSUER=%q: want an https:// URL (http only on loopback)", o.Issuer)
	}
	if o.Audience == "" {
		return badConfig("APPROVALS_OIDC_AUDIENCE is required with APPROVALS_OIDC_ISSUER: the aud the provider puts in tokens for this API")
	}
	if v := os.Getenv("APPROVALS_OIDC_CLOCK_SKEW"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > 5*time.Minute {
			return badConfig("APPROVALS_OIDC_CLOCK_SKEW=%q: want a duration from 0s to 5m", v)
		}
		o.ClockSkew = d
		if d == 0 {
			o.ClockSkew = time.Nanosecond // none, not the default
		}
	}
	c.OIDC = o
	c.Login = api.OIDCLoginConfig{Issuer: o.Issuer, ClientID: os.Getenv("APPROVALS_OIDC_CLIENT_ID"),
		ClientSecret: os.Getenv("APPROVALS_OIDC_CLIENT_SECRET"), RedirectURL: os.Getenv("APPROVALS_OIDC_REDIRECT_URL")}
	if c.Login.ClientID != "" && !strings.HasPrefix(c.Login.RedirectURL, "https://") && !strings.HasPrefix(c.Login.RedirectURL, "http://127.0.0.1") && !strings.HasPrefix(c.Login.RedirectURL, "http://localhost") {
		return badConfig("APPROVALS_OIDC_REDIRECT_URL=%q: the console's sign-in needs the API's /auth/callback as the provider knows it (https://; http only on loopback)", c.Login.RedirectURL)
	}
	return nil
}
