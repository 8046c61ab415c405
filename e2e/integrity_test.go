package e2e

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cityapprovals/approvals/api"
	"github.com/cityapprovals/approvals/audit"
	"github.com/cityapprovals/approvals/models"
)

// verify runs `approvals verify` on an export and returns its output and
// whether it verified.
func verify(t *testing.T, export []byte, args ...string) (string, bool) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "export.zip")
	if err := os.WriteFile(f, export, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(sys.bin, append([]string{"verify", f}, args...)...).CombinedOutput()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			t.Fatalf("approvals verify: %v\n%s", err, out)
		}
	}
	return string(out), err == nil
}

// rezip rewrites an archive with one file changed by edit.
func rezip(t *testing.T, archive []byte, name string, edit func([]byte) []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == name {
			b = edit(b)
		}
		w, _ := zw.Create(f.Name)
		_, _ = w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// An export verifies offline with the served public key, and each kind of
// tampering is refused, naming what broke: one flipped byte of the history,
// a stored event changed in the database before the export, the wrong key.
func TestVerifyExport(t *testing.T) {
	w := newWorld(t, "xiamen")
	id, _ := decided(t, w)
	auditor := sys.as(t, "audrey", api.RoleAuditor, "", "")

	served := sys.as(t, "anyone", api.RoleApplicant, "", "xiamen").do("GET", "/api/v1/audit/signing-key", nil).must(t, 200)
	seed, _ := audit.ParseSigningKey(sys.signing)
	pub := base64.StdEncoding.EncodeToString(seed.Public().(ed25519.PublicKey))
	if served.str("public_key") != pub || served.str("algorithm") != "ed25519" {
		t.Fatalf("served key %s, want %s", served.Raw, pub)
	}
	keyFile := filepath.Join(t.TempDir(), "key.json")
	if err := os.WriteFile(keyFile, served.Raw, 0o644); err != nil {
		t.Fatal(err)
	}

	export := auditor.do("GET", "/api/v1/procedures/"+id+"/export", nil).must(t, 200).Raw
	out, ok := verify(t, export, "--public-key-file", keyFile)
	if !ok || !strings.Contains(out, "verified: procedure "+id) || !strings.Contains(out, "ok     event chain") || !strings.Contains(out, "ok     history.json") {
		t.Fatalf("a fresh export did not verify:\n%s", out)
	}

	flipped := rezip(t, export, "history.json", func(b []byte) []byte { b[len(b)/2] ^= 0x01; return b })
	if out, ok := verify(t, flipped, "--public-key", pub); ok || !strings.Contains(out, "FAILED history.json: SHA-256 does not match") {
		t.Fatalf("a flipped byte of history.json verified or was not named:\n%s", out)
	}

	other := base64.StdEncoding.EncodeToString(must(audit.ParseSigningKey(audit.NewSigningKey())).Public().(ed25519.PublicKey))
	if out, ok := verify(t, export, "--public-key", other); ok || !strings.Contains(out, "FAILED manifest.sig") {
		t.Fatalf("an export verified with the wrong key:\n%s", out)
	}

	// Change one field of a stored event, as someone with database access
	// could, then export: the export is signed but its chain breaks there.
	db, err := models.Open(sys.dbURL, filepath.Join(sys.dir, "data", "approvals.db"))
	if err != nil {
		t.Fatal(err)
	}
	evs, err := models.ChainEvents(db, id)
	if err != nil || len(evs) < 3 {
		t.Fatalf("events of %s: %v %v", id, evs, err)
	}
	target := evs[2]
	if err := db.Model(&models.Event{}).Where("id = ?", target.ID).Update("actor", "someone-else").Error; err != nil {
		t.Fatal(err)
	}
	tampered := auditor.do("GET", "/api/v1/procedures/"+id+"/export", nil).must(t, 200).Raw
	out, ok = verify(t, tampered, "--public-key", pub)
	if ok || !strings.Contains(out, "FAILED event 3 ("+target.ID+")") {
		t.Fatalf("a changed stored event verified or was not named (want event 3, %s):\n%s", target.ID, out)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
