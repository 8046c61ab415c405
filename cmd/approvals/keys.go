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
	"github.com/cityapprovals/approvals/codec"
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

// codecFromEnv reads the payload codec's keys from APPROVALS_CODEC_KEYS
// ("id:base64key[,…]", each 32 bytes) and the current key's ID from
// APPROVALS_CODEC_KEY_ID (optional with one key); nil when unset.
func codecFromEnv() (*codec.Codec, error) {
	keys, current := os.Getenv("APPROVALS_CODEC_KEYS"), os.Getenv("APPROVALS_CODEC_KEY_ID")
	if keys == "" {
		if current != "" {
			return nil, badConfig("APPROVALS_CODEC_KEY_ID is set but APPROVALS_CODEC_KEYS is not")
		}
		return nil, nil
	}
	c, err := codec.Parse(keys, current)
	if err != nil {
		return nil, badConfig("APPROVALS_CODEC_KEYS / APPROVALS_CODEC_KEY_ID: %v", err)
	}
	return c, nil
}

// requireCodec refuses to run a production process that would write
// personal data into Temporal in clear.
func (c config) requireCodec() error {
	if c.Codec == nil {
		return badConfig("APPROVALS_CODEC_KEYS is required: payloads are encrypted; e.g. k1:$(head -c 32 /dev/urandom | base64)")
	}
	return nil
}

// devCodec is the configured codec, or else the one kept in the data
// directory (codec.key), created on first use when create is set; nil when
// there is neither.
func (c config) devCodec(dataDir string, create bool) (*codec.Codec, error) {
	if c.Codec != nil {
		return c.Codec, nil
	}
	path := filepath.Join(dataDir, "codec.key")
	if _, err := os.Stat(path); err != nil && !create {
		return nil, nil
	}
	k, err := devKey(dataDir, "codec.key", codec.NewKey)
	if err != nil {
		return nil, err
	}
	cd, err := codec.Parse(k, "")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cd, nil
}
