package audit

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/cityapprovals/approvals/models"
)

// An export is signed: manifest.json lists every file with its
// SHA-256 and the procedure's event chain head, and manifest.sig holds the
// Ed25519 signature of manifest.json's bytes, in base64. events.json holds
// the procedure's chained events, so that the chain is checked offline too.

// Names of the signature and the chained events in an export.
const (
	SignatureName = "manifest.sig"
	EventsName    = "events.json"
)

// ChainRef is a procedure's event chain head as an export records it.
type ChainRef struct {
	Events int    `json:"events"` // chained events in events.json
	Seq    int64  `json:"seq"`    // the last one's sequence number
	Hash   string `json:"hash"`   // and hash
}

// ParseSigningKey reads an Ed25519 private key: the base64 (standard or URL,
// padded or not) of its 32-byte seed, or of the 64-byte private key.
func ParseSigningKey(s string) (ed25519.PrivateKey, error) {
	b, err := decodeBase64(s)
	if err != nil {
		return nil, fmt.Errorf("signing key: not base64: %w", err)
	}
	switch len(b) {
	case ed25519.SeedSize:
		return ed25519.NewKeyFromSeed(b), nil
	case ed25519.PrivateKeySize:
		return ed25519.PrivateKey(b), nil
	}
	return nil, fmt.Errorf("signing key: %d bytes; want the 32-byte Ed25519 seed", len(b))
}

// ParsePublicKey reads an Ed25519 public key in base64, or the JSON answer of
// GET /api/v1/audit/signing-key.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "{") {
		var k SigningKeyInfo
		if err := json.Unmarshal([]byte(s), &k); err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
		s = k.PublicKey
	}
	b, err := decodeBase64(s)
	if err != nil {
		return nil, fmt.Errorf("public key: not base64: %w", err)
	}
	if len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("public key: %d bytes; want 32", len(b))
	}
	return ed25519.PublicKey(b), nil
}

// NewSigningKey returns a random Ed25519 seed in base64, as ParseSigningKey reads it.
func NewSigningKey() string {
	seed := make([]byte, ed25519.SeedSize)
	_, _ = rand.Read(seed) // crypto/rand does not fail
	return base64.StdEncoding.EncodeToString(seed)
}

func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	_, err := base64.StdEncoding.DecodeString(s)
	return nil, err
}

// SigningKeyInfo is the public half of the signing key, as served at
// GET /api/v1/audit/signing-key.
type SigningKeyInfo struct {
	Algorithm string `json:"algorithm"`  // ed25519
	PublicKey string `json:"public_key"` // base64 of the 32 bytes
	KeyID     string `json:"key_id"`     // the first 16 hex digits of its SHA-256
}

// KeyInfo describes a public key.
func KeyInfo(pub ed25519.PublicKey) SigningKeyInfo {
	sum := sha256.Sum256(pub)
	return SigningKeyInfo{Algorithm: "ed25519", PublicKey: base64.StdEncoding.EncodeToString(pub), KeyID: hex.EncodeToString(sum[:8])}
}

// Check is one thing VerifyExport checked, for people to read.
type Check struct {
	What string `json:"what"`
	OK   bool   `json:"ok"`
	Note string `json:"note"`
}

// VerifyError names what broke in an export.
type VerifyError struct {
	What   string // manifest.sig, a file's name, or "event N (ID)"
	Reason string
}

func (e *VerifyError) Error() string { return e.What + ": " + e.Reason }

// VerifyExport checks an export offline against the public key: the
// signature of the manifest, every file's SHA-256, and the chain of the
// events in events.json up to the head the manifest records. It returns what
// it checked, in order; the error, a *VerifyError, names the first thing that
// broke (after the checks that passed).
func VerifyExport(archive []byte, pub ed25519.PublicKey) ([]Check, Manifest, error) {
	var checks []Check
	fail := func(what, reason string) ([]Check, Manifest, error) {
		return append(checks, Check{What: what, Note: reason}), Manifest{}, &VerifyError{What: what, Reason: reason}
	}
	files, err := unzip(archive)
	if err != nil {
		return fail("archive", err.Error())
	}
	mb, ok := files[ManifestName]
	if !ok {
		return fail(ManifestName, "missing")
	}
	sig, err := decodeBase64(string(files[SignatureName]))
	switch {
	case files[SignatureName] == nil:
		return fail(SignatureName, "missing: the export is not signed")
	case err != nil || len(sig) != ed25519.SignatureSize:
		return fail(SignatureName, "not a base64 Ed25519 signature")
	case !ed25519.Verify(pub, mb, sig):
		return fail(SignatureName, fmt.Sprintf("the signature of %s does not verify with key %s (wrong key, or the manifest was changed)", ManifestName, KeyInfo(pub).KeyID))
	}
	checks = append(checks, Check{What: SignatureName, OK: true, Note: "Ed25519 signature of " + ManifestName + " by key " + KeyInfo(pub).KeyID})
	var m Manifest
	if err := json.Unmarshal(mb, &m); err != nil {
		return fail(ManifestName, err.Error())
	}
	listed := map[string]bool{ManifestName: true, SignatureName: true}
	for _, e := range m.Files {
		listed[e.Name] = true
		b, ok := files[e.Name]
		if !ok {
			return fail(e.Name, "in the manifest but not in the archive")
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != e.SHA256 {
			return fail(e.Name, "SHA-256 does not match the manifest (the file was changed)")
		}
		checks = append(checks, Check{What: e.Name, OK: true, Note: fmt.Sprintf("SHA-256 %s, %d bytes", e.SHA256, e.Size)})
	}
	for name := range files {
		if !listed[name] {
			return fail(name, "in the archive but not in the manifest")
		}
	}
	if m.Chain == nil {
		return fail(ManifestName, "records no event chain head")
	}
	var evs []models.Event
	if err := json.Unmarshal(files[EventsName], &evs); err != nil {
		return fail(EventsName, err.Error())
	}
	if b := models.CheckChain(evs); b != nil {
		return fail(fmt.Sprintf("event %d (%s)", b.Seq, b.EventID), b.Reason)
	}
	var chained int
	var last models.Event
	for _, e := range evs {
		if e.Seq > 0 {
			chained, last = chained+1, e
		}
	}
	if chained != m.Chain.Events || last.Seq != m.Chain.Seq || last.Hash != m.Chain.Hash {
		return fail("event chain", fmt.Sprintf("ends at event %d (%d events) but the manifest's head is event %d (%d events)", last.Seq, chained, m.Chain.Seq, m.Chain.Events))
	}
	checks = append(checks, Check{What: "event chain", OK: true, Note: fmt.Sprintf("%d events linked, head %d %s", chained, last.Seq, last.Hash)})
	return checks, m, nil
}

// ErrUnsigned means an export was asked for without a signing key.
var ErrUnsigned = errors.New("no signing key configured (APPROVALS_SIGNING_KEY)")

// ContinuesFrom checks that a verified export's chain still holds the head
// an earlier export recorded (same sequence number, same hash): a chain
// rewritten in the database since, even with every later hash recomputed,
// does not. events are the later export's events.json.
func ContinuesFrom(events []models.Event, earlier Manifest) error {
	if earlier.Chain == nil || earlier.Chain.Seq == 0 {
		return nil
	}
	if earlier.ProcedureID != "" && len(events) > 0 && events[0].ProcedureID != earlier.ProcedureID {
		return &VerifyError{What: "earlier export", Reason: "is of procedure " + earlier.ProcedureID}
	}
	for _, e := range events {
		if e.Seq == earlier.Chain.Seq {
			if e.Hash != earlier.Chain.Hash {
				return &VerifyError{What: fmt.Sprintf("event %d (%s)", e.Seq, e.ID),
					Reason: "differs from the earlier export's chain head: the chain was rewritten up to here"}
			}
			return nil
		}
	}
	return &VerifyError{What: "event chain", Reason: fmt.Sprintf("has no event %d, the earlier export's head", earlier.Chain.Seq)}
}

// EventsOf returns the chained events of an export (events.json), for ContinuesFrom.
func EventsOf(archive []byte) ([]models.Event, error) {
	files, err := unzip(archive)
	if err != nil {
		return nil, err
	}
	var evs []models.Event
	if err := json.Unmarshal(files[EventsName], &evs); err != nil {
		return nil, fmt.Errorf("%s: %w", EventsName, err)
	}
	return evs, nil
}
