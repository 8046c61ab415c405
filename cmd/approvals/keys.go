package main

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/cityapprovals/approvals/audit"
)

// signingKeyFromEnv reads the export signing key from APPROVALS_SIGNING_KEY
// (base64 of the 32-byte Ed25519 seed) or APPROVALS_SIGNING_KEY_FILE (a file
// holding that); nil when neither is set.
func signingKeyFromEnv() (ed25519.PrivateKey, error) {
	v, file := os.Getenv("APPROVALS_SIGNING_KEY"), os.Getenv("APPROVALS_SIGNING_KEY_FILE")
	switch {
	case v != "" && file != "":
		return nil, badConfig("set APPROVALS_SIGNING_KEY or APPROVALS_SIGNING_KEY_FILE, not both")
	case v != "":
		k, err := audit.ParseSigningKey(v)
		if err != nil {
			return nil, badConfig("APPROVALS_SIGNING_KEY: %v", err)
		}
		return k, nil
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, badConfig("APPROVALS_SIGNING_KEY_FILE: %v", err)
		}
		k, err := audit.ParseSigningKey(string(b))
		if err != nil {
			return nil, badConfig("APPROVALS_SIGNING_KEY_FILE %s: %v", file, err)
		}
		return k, nil
	}
	return nil, nil
}

// requireSigningKey refuses to serve the API without a signing key.
func (c config) requireSigningKey() error {
	if c.SigningKey == nil {
		return badConfig("APPROVALS_SIGNING_KEY (or APPROVALS_SIGNING_KEY_FILE) is required: exports are signed; generate one with `head -c 32 /dev/urandom | base64`")
	}
	return nil
}

// devKey reads a key file of the data directory, creating it with
// generate() on first start; a key file is one line of text, mode 0600.
func devKey(dataDir, name string, generate func() string) (string, error) {
	path := filepath.Join(dataDir, name)
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return "", fmt.Errorf("create data dir: %w", err)
	}
	k := generate()
	if err := os.WriteFile(path, []byte(k+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return k, nil
}
