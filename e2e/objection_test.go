package e2e

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"

	"github.com/cityapprovals/approvals/api"
)

// upload sends an evidence file as multipart/form-data.
func upload(t *testing.T, u user, name, contentType string, data []byte) reply {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+name+`"`)
	h.Set("Content-Type", contentType)
	part, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := part.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return u.do("POST", "/api/v1/evidence", buf.Bytes(), "Content-Type", mw.FormDataContentType())
}

// object files an objection to an item.
func object(u user, item, kind string, evidence []string, headers ...string) reply {
	return u.do("POST", "/api/v1/objections", map[string]any{
		"catalog_item_id": item, "kind": kind, "description": "地址字段与登记不一致", "evidence": evidence,
	}, headers...)
}

func availability(t *testing.T, u user, item string) reply {
	t.Helper()
	return u.do("GET", "/api/v1/catalog/items/"+item, nil).must(t, 200)
}

// Wuhan (第二十四条): an applicant objects with evidence; the authority
// forwards; the provider suspends the item (share requests are refused), then
// fixes it: the objector reads the feedback and the item's new version.
func TestObjectionSuspendFixAndReopen(t *testing.T) {
	w := newWorld(t, "wuhan")
	item := w.items["unconditional"]
	zhang := sys.as(t, "zhang-"+uniq("p"), api.RoleApplicant, "", "wuhan")

	ev := upload(t, zhang, "登记证明.txt", "text/plain", []byte("企业登记地址为 武汉市江岸区 …")).must(t, 201)
	if len(ev.str("sha256")) != 64 || ev.Body["size"].(float64) == 0 {
		t.Fatalf("evidence stored without its checksum: %s", ev.Raw)
	}
	key := uniq("obj")
	filed := object(zhang, item, "error", []string{ev.str("id")}, "Idempotency-Key", key).must(t, 201)
	id := filed.str("id")
	if filed.str("status") != "pending" || filed.str("step") != "forward" || filed.Body["service_level"] != true || !strings.Contains(filed.str("article"), "第二十四条") {
		t.Fatalf("filed: %s", filed.Raw)
	}
	if evs := filed.Body["evidence"].([]any); len(evs) != 1 || evs[0].(map[string]any)["sha256"] != ev.str("sha256") {
		t.Fatalf("evidence not listed on the objection: %s", filed.Raw)
	}
	again := object(zhang, item, "error", []string{ev.str("id")}, "Idempotency-Key", key).must(t, 200)
	if again.str("id") != id || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %s", again.Raw)
	}

	// The provider reads the evidence as uploaded; a stranger does not.
	dl := w.prov.do("GET", "/api/v1/evidence/"+ev.str("id"), nil).must(t, 200)
	if !strings.HasPrefix(string(dl.Raw), "企业登记地址") || dl.Header.Get("X-Content-SHA256") != ev.str("sha256") {
		t.Fatalf("evidence download: %q %v", dl.Raw, dl.Header)
	}
	sys.as(t, "li", api.RoleApplicant, "", "wuhan").do("GET", "/api/v1/evidence/"+ev.str("id"), nil).must(t, 404)

	// The provider has nothing before the authority forwards.
	fwd := openTask(t, w.authority, "objection", id)
	decide(t, w.prov, fwd, map[string]any{"decision": "forward"}, 403)
	decide(t, w.authority, fwd, map[string]any{"decision": "forward"}, 200)
	verify := openTask(t, w.prov, "objection", id)
	decide(t, w.prov, verify, map[string]any{"decision": "dismiss"}, 422) // no reason

	s := decide(t, w.prov, verify, map[string]any{"decision": "suspend"}, 200)
	if s.str("status") != "open" {
		t.Fatalf("a suspension closed the task: %s", s.Raw)
	}
	if a := availability(t, w.req, item); a.str("availability") != "suspended" {
		t.Fatalf("after suspend: %s", a.Raw)
	}
	refused := w.file(t, "unconditional").must(t, 422)
	if !strings.Contains(refused.str("detail")+string(refused.Raw), "suspended") {
		t.Fatalf("refusal gives no reason: %s", refused.Raw)
	}

	fixed := catalogItemBody(item, "人口基础信息（已更正）", "unconditional")
	decide(t, w.prov, verify, map[string]any{"decision": "fix_and_reopen"}, 422) // no item
	// A correction does not reclassify: classification is procedure 5's.
	for field, st := range map[string][2]string{"item.share_type": {"not_shared", "not_open"}, "item.open_type": {"unconditional", "unconditional"}} {
		bad := catalogItemBody(item, "人口基础信息（已更正）", st[0])
		bad["open_type"] = st[1]
		if r := decide(t, w.prov, verify, map[string]any{"decision": "fix_and_reopen", "reason": "x", "item": bad}, 422); fieldOf(r) != field {
			t.Fatalf("a reclassifying correction names %q, want %s: %s", fieldOf(r), field, r.Raw)
		}
	}
	decide(t, w.prov, verify, map[string]any{"decision": "fix_and_reopen", "reason": "已按登记更正地址", "item": fixed}, 200)

	got := zhang.do("GET", "/api/v1/objections/"+id, nil).must(t, 200)
	if got.str("status") != "handled" || got.str("outcome") != "fix_and_reopen" || got.Body["new_version"].(float64) != 2 ||
		!strings.Contains(got.str("feedback"), "已按登记更正地址") || !strings.Contains(got.str("feedback"), "version 2") || got.str("availability") != "open" {
		t.Fatalf("the objector's view: %s", got.Raw)
	}
	it := availability(t, w.req, item)
	if it.str("availability") != "open" || it.Body["version"].(float64) != 2 || it.str("title") != "人口基础信息（已更正）" {
		t.Fatalf("item after the fix: %s", it.Raw)
	}
	if h := it.Body["availability_history"].([]any); len(h) != 2 {
		t.Fatalf("availability history: %s", it.Raw)
	}
	vs := w.req.do("GET", "/api/v1/catalog/items/"+item+"/versions", nil).must(t, 200)
	if !strings.Contains(string(vs.Raw), id) {
		t.Fatalf("the new version does not name the objection: %s", vs.Raw)
	}
	w.file(t, "unconditional").must(t, 201) // open again
	// Someone else does not see the objection.
	sys.as(t, "li", api.RoleApplicant, "", "wuhan").do("GET", "/api/v1/objections/"+id, nil).must(t, 404)
	checkHistory(t, id, "wuhan-objection-fix")
}

// Two objections on one item are independent: the item stays suspended until
// both have released it.
func TestObjectionsConcurrentOnOneItem(t *testing.T) {
	w := newWorld(t, "wuhan")
	item := w.items["conditional"]
	zhang := sys.as(t, "zhang-"+uniq("p"), api.RoleApplicant, "", "wuhan")
	a := object(zhang, item, "error", nil).must(t, 201).str("id")
	b := object(w.req, item, "infringement", nil).must(t, 201).str("id")
	for _, id := range []string{a, b} {
		decide(t, w.authority, openTask(t, w.authority, "objection", id), map[string]any{"decision": "forward"}, 200)
		decide(t, w.prov, openTask(t, w.prov, "objection", id), map[string]any{"decision": "suspend"}, 200)
	}
	if av := availability(t, w.req, item); av.str("availability") != "suspended" {
		t.Fatalf("after two suspensions: %s", av.Raw)
	}
	decide(t, w.prov, openTask(t, w.prov, "objection", a), map[string]any{"decision": "restore", "reason": "核实无误"}, 200)
	if av := availability(t, w.req, item); av.str("availability") != "suspended" {
		t.Fatalf("one objection released, the other still holds it: %s", av.Raw)
	}
	w.file(t, "conditional").must(t, 422)
	if got := zhang.do("GET", "/api/v1/objections/"+a, nil).must(t, 200); got.str("outcome") != "restore" ||
		!strings.Contains(got.str("feedback"), "other objections") {
		t.Fatalf("first objection: %s", got.Raw)
	}
	decide(t, w.prov, openTask(t, w.prov, "objection", b), map[string]any{"decision": "dismiss", "reason": "不涉及商业秘密"}, 200)
	if av := availability(t, w.req, item); av.str("availability") != "open" {
		t.Fatalf("both released: %s", av.Raw)
	}
	if got := w.req.do("GET", "/api/v1/objections/"+b, nil).must(t, 200); got.str("outcome") != "dismiss" || got.str("feedback") == "" {
		t.Fatalf("second objection: %s", got.Raw)
	}
	w.file(t, "conditional").must(t, 201)
	checkHistory(t, a, "wuhan-objection-restore")
}

// Bad evidence and objections the city does not handle are refused.
func TestObjectionBadInput(t *testing.T) {
	w := newWorld(t, "wuhan")
	zhang := sys.as(t, "zhang-"+uniq("p"), api.RoleApplicant, "", "wuhan")
	upload(t, zhang, "big.txt", "text/plain", bytes.Repeat([]byte("a"), api.MaxEvidenceBytes+1)).must(t, http.StatusRequestEntityTooLarge)
	upload(t, zhang, "x.bin", "application/octet-stream", []byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0}).must(t, http.StatusUnsupportedMediaType)
	upload(t, zhang, "x.pdf", "application/pdf", []byte("plain words")).must(t, http.StatusUnsupportedMediaType)
	w.admin.do("POST", "/api/v1/evidence", []byte("x"), "Content-Type", "text/plain").must(t, 403)

	item := w.items["unconditional"]
	object(zhang, item, "gossip", nil).must(t, 422)
	if r := object(zhang, item, "own_data_inaccurate", nil).must(t, 422); fieldOf(r) != "kind" || !strings.Contains(r.str("detail")+string(r.Raw), "error") {
		t.Fatalf("a kind wuhan does not handle: %s", r.Raw)
	}
	object(zhang, item, "shared_data_doubt", nil).must(t, 422) // departments only
	object(w.prov, item, "error", nil).must(t, 422)            // the provider's own data
	object(zhang, item, "error", []string{"ev-nope"}).must(t, 422)
	other := sys.as(t, "li", api.RoleApplicant, "", "wuhan")
	ev := upload(t, other, "a.txt", "text/plain", []byte("证据")).must(t, 201)
	object(zhang, item, "error", []string{ev.str("id")}).must(t, 422) // someone else's evidence
	w.authority.do("POST", "/api/v1/objections", map[string]any{"catalog_item_id": item, "kind": "error", "description": "x"}).must(t, 403)
}

// An item suspended by an objection takes no open-data applications either;
// once the objection restores it, it does again.
func TestSuspendedItemRefusesOpenApplications(t *testing.T) {
	w := newOpenWorld(t, "wuhan")
	item := w.items["conditional"]
	id := object(w.app, item, "error", nil).must(t, 201).str("id")
	decide(t, w.authority, openTask(t, w.authority, "objection", id), map[string]any{"decision": "forward"}, 200)
	verify := openTask(t, w.prov, "objection", id)
	decide(t, w.prov, verify, map[string]any{"decision": "suspend"}, 200)

	r := w.app.do("POST", "/api/v1/open-applications", w.application(item)).must(t, 422)
	if !strings.Contains(string(r.Raw), "suspended") {
		t.Fatalf("refusal does not say the item is suspended: %s", r.Raw)
	}
	decide(t, w.prov, verify, map[string]any{"decision": "restore", "reason": "核实无误"}, 200)
	w.app.do("POST", "/api/v1/open-applications", w.application(item)).must(t, 201)
}
