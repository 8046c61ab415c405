package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cityapprovals/approvals/audit"
	"github.com/cityapprovals/approvals/codec"
)

// The API refuses to start without a signing key, and a bad key names its
// variable; dev keeps the key it generated in its data directory.
func TestSigningKeyConfiguration(t *testing.T) {
	t.Setenv("APPROVALS_SIGNING_KEY", "")
	t.Setenv("APPROVALS_SIGNING_KEY_FILE", "")
	cfg, err := loadConfig(false)
	if err != nil {
		t.Fatal(err)
	}
	var ce configError
	if err := cfg.requireSigningKey(); !errors.As(err, &ce) || !strings.Contains(err.Error(), "APPROVALS_SIGNING_KEY") {
		t.Fatalf("no key: %v", err)
	}
	for name, v := range map[string]string{"APPROVALS_SIGNING_KEY": "c2hvcnQ=", "APPROVALS_SIGNING_KEY_FILE": "/nonexistent/key"} {
		t.Setenv(name, v)
		if _, err := loadConfig(false); !errors.As(err, &ce) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: %v", name, v, err)
		}
		t.Setenv(name, "")
	}
	key := audit.NewSigningKey()
	f := filepath.Join(t.TempDir(), "k")
	if err := os.WriteFile(f, []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("APPROVALS_SIGNING_KEY_FILE", f)
	if cfg, err = loadConfig(false); err != nil || cfg.requireSigningKey() != nil {
		t.Fatalf("key file: %v", err)
	}
	dir := t.TempDir()
	k1, err := devKey(dir, "signing.key", audit.NewSigningKey)
	k2, err2 := devKey(dir, "signing.key", audit.NewSigningKey)
	if err != nil || err2 != nil || k1 != k2 {
		t.Fatalf("dev key not kept: %v %v", err, err2)
	}
	if st, _ := os.Stat(filepath.Join(dir, "signing.key")); st.Mode().Perm() != 0o600 {
		t.Fatalf("dev key mode %v", st.Mode())
	}
}

// The api refuses to start without a signing key, api and worker without
// codec keys, naming the variable, before they touch anything.
func TestProductionNeedsKeys(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://db/x")
	t.Setenv("APPROVALS_JWT_SECRET", "9c1e5b7a3f02d84e6b19c7a5d3e0f28b4a6c9e1d")
	t.Setenv("APPROVALS_DEV_TOKENS", "1")
	t.Setenv("APPROVALS_SIGNING_KEY_FILE", "")
	t.Setenv("APPROVALS_CODEC_KEY_ID", "")
	t.Setenv("APPROVALS_SIGNING_KEY", "")
	t.Setenv("APPROVALS_CODEC_KEYS", codec.NewKey())
	var ce configError
	if _, err := openProd(context.Background(), "api", nil); !errors.As(err, &ce) || !strings.Contains(err.Error(), "APPROVALS_SIGNING_KEY") {
		t.Errorf("api without a signing key: %v", err)
	}
	t.Setenv("APPROVALS_SIGNING_KEY", audit.NewSigningKey())
	t.Setenv("APPROVALS_CODEC_KEYS", "")
	for _, name := range []string{"api", "worker"} {
		if _, err := openProd(context.Background(), name, nil); !errors.As(err, &ce) || !strings.Contains(err.Error(), "APPROVALS_CODEC_KEYS") {
			t.Errorf("%s without codec keys: %v", name, err)
		}
	}
	for env, want := range map[string]string{"k1:c2hvcnQ=": "APPROVALS_CODEC_KEYS", codec.NewKey() + "," + codec.NewKey(): "APPROVALS_CODEC_KEY_ID"} {
		t.Setenv("APPROVALS_CODEC_KEYS", env)
		if _, err := loadConfig(true); !errors.As(err, &ce) || !strings.Contains(err.Error(), want) {
			t.Errorf("APPROVALS_CODEC_KEYS=%s: %v", env, err)
		}
	}
	t.Setenv("APPROVALS_CODEC_KEYS", "")
	t.Setenv("APPROVALS_CODEC_KEY_ID", "k1")
	if _, err := loadConfig(true); !errors.As(err, &ce) || !strings.Contains(err.Error(), "APPROVALS_CODEC_KEYS") {
		t.Errorf("a key ID without keys: %v", err)
	}
}

// `approvals replay --history` decrypts a history recorded encrypted with the
// configured keys; without them it cannot replay it.
func TestReplayDecryptsWithTheConfiguredKeys(t *testing.T) {
	keys, err := os.ReadFile("../../workflows/testdata/codec.keys")
	if err != nil {
		t.Fatal(err)
	}
	file := "../../workflows/testdata/histories/xiamen-both-approve-encrypted.json"
	t.Setenv("APPROVALS_CODEC_KEY_ID", "")
	t.Setenv("APPROVALS_CODEC_KEYS", strings.TrimSpace(string(keys)))
	var out strings.Builder
	if err := runReplay(context.Background(), []string{"--data-dir", t.TempDir(), "--history", file}, &out); err != nil || !strings.HasPrefix(out.String(), "consistent") {
		t.Fatalf("with the key: %v %s", err, out.String())
	}
	t.Setenv("APPROVALS_CODEC_KEYS", "")
	out.Reset()
	if err := runReplay(context.Background(), []string{"--data-dir", t.TempDir(), "--history", file}, &out); err == nil || !strings.Contains(err.Error(), "APPROVALS_CODEC_KEYS") {
		t.Fatalf("replayed an encrypted history without its key, or did not name the variable: %v %s", err, out.String())
	}
}
