package audit

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cityapprovals/approvals/models"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/converter"
)

// File is one file of an export archive.
type File struct {
	Name string
	Data []byte
}

// ManifestEntry names a file of an archive with its SHA-256 and size.
type ManifestEntry struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Size   int    `json:"size"`
}

// Manifest is manifest.json in an export archive: what the archive holds and
// the digest of each file, so that an archived copy can be verified.
type Manifest struct {
	ProcedureID string          `json:"procedure_id"`
	WorkflowID  string          `json:"workflow_id"`
	ExportedAt  Stamp           `json:"exported_at"`
	Files       []ManifestEntry `json:"files"`
	// Chain is the procedure's event chain head at export (events.json
	// holds the events); KeyID names the key that signed the manifest.
	Chain *ChainRef `json:"chain,omitempty"`
	KeyID string    `json:"key_id,omitempty"`
	// Source is where history.json was read: temporal or archive.
	Source string `json:"source,omitempty"`
}

// ManifestName is the manifest's file name in an archive.
const ManifestName = "manifest.json"

// Archive writes a zip of the files and a manifest of their SHA-256 digests.
func Archive(procID, workflowID string, files []File, now time.Time) ([]byte, error) {
	return archive(Manifest{ProcedureID: procID, WorkflowID: workflowID}, files, nil, now)
}

// SignedArchive writes a zip of the files, events.json with the procedure's
// chained events, a manifest of their SHA-256 digests and of the chain head,
// and manifest.sig, the manifest's Ed25519 signature by key.
// The manifest's header fields (procedure, workflow, source) come from m.
func SignedArchive(m Manifest, files []File, events []models.Event, key ed25519.PrivateKey, now time.Time) ([]byte, error) {
	if key == nil {
		return nil, ErrUnsigned
	}
	eb, err := json.MarshalIndent(events, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode events: %w", err)
	}
	ref := &ChainRef{}
	for _, e := range events {
		if e.Seq > 0 {
			ref.Events, ref.Seq, ref.Hash = ref.Events+1, e.Seq, e.Hash
		}
	}
	m.Chain, m.KeyID = ref, KeyInfo(key.Public().(ed25519.PublicKey)).KeyID
	return archive(m, append(files, File{Name: EventsName, Data: eb}), key, now)
}

func archive(m Manifest, files []File, key ed25519.PrivateKey, now time.Time) ([]byte, error) {
	m.ExportedAt, m.Files = StampOf(now), []ManifestEntry{}
	for _, f := range files {
		sum := sha256.Sum256(f.Data)
		m.Files = append(m.Files, ManifestEntry{Name: f.Name, SHA256: hex.EncodeToString(sum[:]), Size: len(f.Data)})
	}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode manifest: %w", err)
	}
	files = append(files, File{Name: ManifestName, Data: mb})
	if key != nil {
		sig := base64.StdEncoding.EncodeToString(ed25519.Sign(key, mb))
		files = append(files, File{Name: SignatureName, Data: []byte(sig + "\n")})
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: now.UTC()})
		if err != nil {
			return nil, fmt.Errorf("archive %s: %w", f.Name, err)
		}
		if _, err := w.Write(f.Data); err != nil {
			return nil, fmt.Errorf("archive %s: %w", f.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("close archive: %w", err)
	}
	return buf.Bytes(), nil
}

// Verify reads an archive and checks every file against its manifest; it
// returns the files by name.
// The signature, when present, is not checked: VerifyExport does that.
func Verify(archive []byte) (map[string][]byte, Manifest, error) {
	var m Manifest
	files, err := unzip(archive)
	if err != nil {
		return nil, m, err
	}
	if err := json.Unmarshal(files[ManifestName], &m); err != nil {
		return nil, m, fmt.Errorf("read %s: %w", ManifestName, err)
	}
	others := len(files) - 1
	if _, ok := files[SignatureName]; ok {
		others--
	}
	if len(m.Files) != others {
		return nil, m, fmt.Errorf("manifest lists %d files, the archive holds %d besides it", len(m.Files), others)
	}
	for _, e := range m.Files {
		b, ok := files[e.Name]
		if !ok {
			return nil, m, fmt.Errorf("%s is in the manifest but not in the archive", e.Name)
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != e.SHA256 {
			return nil, m, fmt.Errorf("%s: SHA-256 does not match the manifest", e.Name)
		}
	}
	return files, m, nil
}

// unzip reads every file of a zip archive (at most 64 MiB in all).
func unzip(archive []byte) (map[string][]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		return nil, fmt.Errorf("open archive: %w", err)
	}
	files := map[string][]byte{}
	left := int64(64 << 20)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", f.Name, err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, left+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", f.Name, err)
		}
		if left -= int64(len(b)); left < 0 {
			return nil, fmt.Errorf("archive larger than 64 MiB uncompressed")
		}
		if _, dup := files[f.Name]; dup {
			return nil, fmt.Errorf("%s appears twice in the archive", f.Name)
		}
		files[f.Name] = b
	}
	return files, nil
}

// ErrNoProfile means a history's start input holds no regulation profile.
var ErrNoProfile = errors.New("the workflow's input holds no regulation profile")

// ProfileOf returns the regulation profile a procedure ran under, as JSON:
// the Profile field of its workflow's start input (every procedure gets its
// city's rules that way, so a later edit does not change it), or, for a
// share request filed with the rules cut from the profile, its Rules field
// (regulations.ShareRules: the rules it ran under, with the content hash of
// the profile version they were cut from).
func ProfileOf(h *historypb.History) (json.RawMessage, error) {
	evs := h.GetEvents()
	if len(evs) == 0 {
		return nil, ErrNoProfile
	}
	payloads := evs[0].GetWorkflowExecutionStartedEventAttributes().GetInput().GetPayloads()
	if len(payloads) == 0 {
		return nil, ErrNoProfile
	}
	var in map[string]json.RawMessage
	if err := converter.GetDefaultDataConverter().FromPayload(payloads[0], &in); err != nil {
		return nil, fmt.Errorf("decode start input: %w", err)
	}
	for _, field := range []string{"Profile", "Rules"} {
		if p, ok := in[field]; ok && !isNull(p) {
			return p, nil
		}
	}
	return nil, ErrNoProfile
}

// isNull reports whether a JSON value is absent or null.
func isNull(v json.RawMessage) bool {
	return len(bytes.TrimSpace(v)) == 0 || bytes.Equal(bytes.TrimSpace(v), []byte("null"))
}
