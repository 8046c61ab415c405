package audit

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

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
	// Source is where history.json was read: temporal or archive (issue 12).
	Source string `json:"source,omitempty"`
}

// ManifestName is the manifest's file name in an archive.
const ManifestName = "manifest.json"

// Archive writes a zip of the files and a manifest of their SHA-256 digests.
func Archive(procID, workflowID string, files []File, now time.Time) ([]byte, error) {
	return ArchiveWith(Manifest{ProcedureID: procID, WorkflowID: workflowID}, files, now)
}

// ArchiveWith is Archive with the manifest's header fields given in m (its
// time and files are filled in).
func ArchiveWith(m Manifest, files []File, now time.Time) ([]byte, error) {
	m.ExportedAt, m.Files = StampOf(now), []ManifestEntry{}
	for _, f := range files {
		sum := sha256.Sum256(f.Data)
		m.Files = append(m.Files, ManifestEntry{Name: f.Name, SHA256: hex.EncodeToString(sum[:]), Size: len(f.Data)})
	}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode manifest: %w", err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range append(files, File{Name: ManifestName, Data: mb}) {
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
func Verify(archive []byte) (map[string][]byte, Manifest, error) {
	var m Manifest
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		return nil, m, fmt.Errorf("open archive: %w", err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return nil, m, fmt.Errorf("open %s: %w", f.Name, err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, m, fmt.Errorf("read %s: %w", f.Name, err)
		}
		files[f.Name] = b
	}
	if err := json.Unmarshal(files[ManifestName], &m); err != nil {
		return nil, m, fmt.Errorf("read %s: %w", ManifestName, err)
	}
	if len(m.Files) != len(files)-1 {
		return nil, m, fmt.Errorf("manifest lists %d files, the archive holds %d besides it", len(m.Files), len(files)-1)
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

// ErrNoProfile means a history's start input holds no regulation profile.
var ErrNoProfile = errors.New("the workflow's input holds no regulation profile")

// ProfileOf returns the regulation profile a procedure ran under, as JSON:
// the Profile field of its workflow's start input (every procedure gets its
// city's rules that way, so a later edit does not change it).
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
	p, ok := in["Profile"]
	if !ok {
		return nil, ErrNoProfile
	}
	return p, nil
}
