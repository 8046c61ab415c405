package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cityapprovals/approvals/schema"
	"github.com/rs/zerolog"
)

// TestMigrateThenStart: api and worker (openDB without migrate) refuse a
// database that is behind, naming `approvals migrate up`; after `approvals
// migrate up` they open it, and `approvals migrate status` lists every
// migration applied. On a SQLite data directory; the schema package's
// tests cover PostgreSQL.
func TestMigrateThenStart(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	dir := t.TempDir()
	cfg, err := loadConfig(false)
	if err != nil {
		t.Fatal(err)
	}
	ctx, file := context.Background(), filepath.Join(dir, "approvals.db")
	if _, err := openDB(ctx, cfg, file, false, zerolog.Nop()); !errors.Is(err, schema.ErrBehind) || !strings.Contains(err.Error(), "approvals migrate up") {
		t.Fatalf("start on an empty database: %v", err)
	}
	var out bytes.Buffer
	if err := runMigrate(ctx, []string{"up", "--data-dir", dir}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "applied migration 1") {
		t.Fatalf("migrate up printed:\n%s", out.String())
	}
	out.Reset()
	if err := runMigrate(ctx, []string{"status", "--data-dir", dir}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "00001_baseline.sql") || strings.Contains(out.String(), "pending") {
		t.Fatalf("migrate status printed:\n%s", out.String())
	}
	if _, err := openDB(ctx, cfg, file, false, zerolog.Nop()); err != nil {
		t.Fatalf("start after migrate up: %v", err)
	}
	if err := runMigrate(ctx, []string{"sideways"}, &out); err == nil {
		t.Fatal("an unknown subcommand was taken")
	}
}

// TestAPINeedsOIDCOrDevTokens: without APPROVALS_OIDC_ISSUER the api refuses
// to start unless APPROVALS_DEV_TOKENS=1 opts into HS256 development tokens.
func TestAPINeedsOIDCOrDevTokens(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://db/x")
	t.Setenv("APPROVALS_OIDC_ISSUER", "")
	t.Setenv("APPROVALS_JWT_SECRET", "9c1e5b7a3f02d84e6b19c7a5d3e0f28b4a6c9e1d")
	t.Setenv("APPROVALS_DEV_TOKENS", "")
	var ce configError
	if _, err := openProd(context.Background(), "api", nil); !errors.As(err, &ce) ||
		!strings.Contains(err.Error(), "APPROVALS_OIDC_ISSUER") || !strings.Contains(err.Error(), "APPROVALS_DEV_TOKENS=1") {
		t.Fatalf("api without an issuer or the opt-in: %v", err)
	}
	t.Setenv("APPROVALS_DEV_TOKENS", "yes")
	if _, err := loadConfig(true); !errors.As(err, &ce) || !strings.Contains(err.Error(), "APPROVALS_DEV_TOKENS") {
		t.Fatalf("APPROVALS_DEV_TOKENS=yes: %v", err)
	}
	t.Setenv("APPROVALS_DEV_TOKENS", "1") // past the token check: the next refusal is another's
	t.Setenv("APPROVALS_SIGNING_KEY", "")
	t.Setenv("APPROVALS_SIGNING_KEY_FILE", "")
	if _, err := openProd(context.Background(), "api", nil); err == nil || strings.Contains(err.Error(), "APPROVALS_DEV_TOKENS") {
		t.Fatalf("api with the opt-in: %v", err)
	}
}
