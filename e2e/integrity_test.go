package e2e

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/api"
	"github.com/cityapprovals/approvals/audit"
	"github.com/cityapprovals/approvals/codec"
	"github.com/cityapprovals/approvals/devserver"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
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
	t.Logf("approvals verify:\n%s", out)
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
	checkHistory(t, id, "xiamen-both-approve-encrypted") // recorded encrypted, as Temporal holds it
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

	if ch := auditor.do("GET", "/api/v1/procedures/"+id+"/chain", nil).must(t, 200); ch.Body["intact"] != true || ch.Body["events"].(float64) < 3 {
		t.Fatalf("fresh chain: %s", ch.Raw)
	}
	w.prov.do("GET", "/api/v1/procedures/"+id+"/chain", nil).must(t, 403)
	export := auditor.do("GET", "/api/v1/procedures/"+id+"/export", nil).must(t, 200).Raw
	out, ok := verify(t, export, "--public-key-file", keyFile)
	if !ok || !strings.Contains(out, "verified: procedure "+id) || !strings.Contains(out, "ok     event chain") || !strings.Contains(out, "ok     history.json") {
		t.Fatalf("a fresh export did not verify:\n%s", out)
	}

	// A later export continues the chain the earlier one recorded.
	earlier := filepath.Join(t.TempDir(), "earlier.zip")
	if err := os.WriteFile(earlier, export, 0o644); err != nil {
		t.Fatal(err)
	}
	again := auditor.do("GET", "/api/v1/procedures/"+id+"/export", nil).must(t, 200).Raw
	if out, ok := verify(t, again, "--public-key", pub, "--since", earlier); !ok || !strings.Contains(out, "ok     earlier export") {
		t.Fatalf("a later export does not continue the earlier chain:\n%s", out)
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
	ch := auditor.do("GET", "/api/v1/procedures/"+id+"/chain", nil).must(t, 200)
	if broken, _ := ch.Body["broken"].(map[string]any); ch.Body["intact"] != false || broken["event_id"] != target.ID || broken["seq"] != float64(3) {
		t.Fatalf("the chain endpoint does not name the changed event %s: %s", target.ID, ch.Raw)
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

// rawHistory is a workflow's history as the Temporal server holds it, read
// with `temporal workflow show -o json` (no codec).
func rawHistory(t *testing.T, id string, flags ...string) []byte {
	t.Helper()
	bin, err := devserver.FindBinary()
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"workflow", "show", "--address", sys.temporal.Address, "--namespace", namespace, "-w", id, "-o", "json"}, flags...)
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		t.Fatalf("temporal workflow show %s: %v", id, err)
	}
	return out
}

// payloadBytes is every byte of a JSON history's events in protobuf form, so
// that payload data (base64 in JSON) is searched as stored.
func payloadBytes(t *testing.T, historyJSON []byte) []byte {
	t.Helper()
	h, err := workflows.ReadHistoryJSON(bytes.NewReader(historyJSON))
	if err != nil {
		t.Fatalf("%v: %.300s", err, historyJSON)
	}
	b, err := proto.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// An applicant's name and credit code (the organisation's ID number) are in
// no payload of the history the Temporal server holds, while the API (and
// the codec endpoint, for an auditor) shows them.
func TestPersonalDataEncryptedInTemporal(t *testing.T) {
	w := newOpenWorld(t, "changsha")
	name := "测试申请人" + uniq("王小明")
	credit := "91430100" + strings.ToUpper(hex.EncodeToString([]byte{byte(time.Now().UnixNano()), byte(seq.Add(1)), 0x5a, 0x7c, 0x1e}))
	r := w.app.do("POST", "/api/v1/open-applications", w.application(w.items["conditional"], func(b map[string]any) {
		b["applicant"] = map[string]any{"name": name, "kind": "company", "credit_code": credit}
	}), "Idempotency-Key", uniq("key")).must(t, 201)
	id := r.str("id")
	got := w.app.do("GET", "/api/v1/open-applications/"+id, nil).must(t, 200)
	if got.str("applicant_name") != name || got.str("credit_code") != credit {
		t.Fatalf("the API does not show the applicant: %.400s", got.Raw)
	}
	wf := got.str("workflow_id")
	waitActivity(t, wf, "OpenTask", 1) // the input and the first activities are in the history

	raw := payloadBytes(t, rawHistory(t, wf))
	for _, secret := range []string{name, credit} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Fatalf("the history in Temporal holds %q in clear", secret)
		}
	}
	if !bytes.Contains(raw, []byte(codec.Compact+";")) {
		t.Fatal("the history in Temporal has no encrypted payloads")
	}

	auditor := sys.as(t, "audrey", api.RoleAuditor, "", "")
	shown := payloadBytes(t, auditor.do("GET", "/api/v1/procedures/"+wf+"/history", nil).must(t, 200).Raw)
	if !bytes.Contains(shown, []byte(name)) || !bytes.Contains(shown, []byte(credit)) {
		t.Fatal("the history the API shows an auditor is not decrypted")
	}

	// The Temporal CLI (as the Web UI) decodes through the API's codec endpoint with an auditor's token.
	decoded := payloadBytes(t, rawHistory(t, wf, "--codec-endpoint", sys.base+"/codec", "--codec-auth", "Bearer "+auditor.token))
	if !bytes.Contains(decoded, []byte(name)) {
		t.Fatal("the codec endpoint did not decrypt the history for an auditor")
	}
	body := map[string]any{"payloads": []any{}}
	w.app.do("POST", "/codec/decode", body).must(t, 403)
	user{t: t}.do("POST", "/codec/decode", body).must(t, 401)
	auditor.do("POST", "/codec/decode", map[string]any{"payloads": "nope"}).must(t, 422)

	req, _ := http.NewRequest(http.MethodOptions, sys.base+"/codec/decode", nil)
	req.Header.Set("Origin", "http://localhost:8233")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "authorization,content-type,x-namespace")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "http://localhost:8233" ||
		!strings.Contains(strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers")), "authorization") {
		t.Fatalf("CORS preflight for the Temporal UI: %d %v", resp.StatusCode, resp.Header)
	}

	// The Web UI sends no token of ours, only cookies: a session opened with
	// the form keeps the auditor's token for /codec.
	resp, err = http.PostForm(sys.base+"/codec/session", url.Values{"token": {w.app.token}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || len(resp.Cookies()) != 0 {
		t.Fatalf("an applicant opened a codec session: %d", resp.StatusCode)
	}
	resp, err = http.PostForm(sys.base+"/codec/session", url.Values{"token": {auditor.token}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var session *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == api.CodecCookie && ck.HttpOnly {
			session = ck
		}
	}
	if resp.StatusCode != http.StatusOK || session == nil {
		t.Fatalf("codec session: %d %v", resp.StatusCode, resp.Cookies())
	}
	req, _ = http.NewRequest(http.MethodPost, sys.base+"/codec/decode", strings.NewReader(firstPayloads(t, rawHistory(t, wf))))
	req.Header.Set("Origin", "http://localhost:8233")
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(session)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Credentials") != "true" ||
		!bytes.Contains(payloadData(t, out), []byte(name)) {
		t.Fatalf("decode with the session cookie: %d %v %.300s", resp.StatusCode, resp.Header, out)
	}
}

// firstPayloads is {"payloads": [...]} of the start event's input of a JSON history.
func firstPayloads(t *testing.T, historyJSON []byte) string {
	t.Helper()
	h, err := workflows.ReadHistoryJSON(bytes.NewReader(historyJSON))
	if err != nil {
		t.Fatal(err)
	}
	b, err := protojson.Marshal(h.GetEvents()[0].GetWorkflowExecutionStartedEventAttributes().GetInput())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// payloadData is the data of every payload of a codec answer, concatenated.
func payloadData(t *testing.T, answer []byte) []byte {
	t.Helper()
	var ps commonpb.Payloads
	if err := protojson.Unmarshal(answer, &ps); err != nil {
		t.Fatalf("codec answer %.300s: %v", answer, err)
	}
	var b []byte
	for _, p := range ps.GetPayloads() {
		b = append(b, p.GetData()...)
	}
	return b
}
