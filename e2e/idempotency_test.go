package e2e

import (
	"sync"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/api"
	"github.com/cityapprovals/approvals/holidays"
)

// reusedKey requires the answer to a key re-used with another body: 422
// naming the Idempotency-Key.
func reusedKey(t *testing.T, r reply, what string) {
	t.Helper()
	r.must(t, 422)
	if f := fieldOf(r); f != "Idempotency-Key" {
		t.Fatalf("%s: a re-used key names %q, want Idempotency-Key: %s", what, f, r.Raw)
	}
}

// A key re-used with a body that differs in any field is refused, whatever
// the field: the whole canonical body is compared.
func TestIdempotencyKeyComparesWholeBody(t *testing.T) {
	t.Run("open application", func(t *testing.T) {
		w := newOpenWorld(t, "changsha")
		item := w.items["conditional"]
		key := uniq("key")
		first := w.app.do("POST", "/api/v1/open-applications", w.application(item), "Idempotency-Key", key).must(t, 201)
		later := time.Now().In(holidays.Shanghai).AddDate(0, 3, 0).Format(time.DateOnly)
		for name, edit := range map[string]func(map[string]any){
			"delivery":        func(b map[string]any) { b["delivery"] = "download" },
			"period_of_use":   func(b map[string]any) { b["period_of_use"].(map[string]any)["to"] = later },
			"applicant.kind":  func(b map[string]any) { b["applicant"].(map[string]any)["kind"] = "organisation" },
			"safety_measures": func(b map[string]any) { b["safety_measures"] = "无" },
		} {
			reusedKey(t, w.app.do("POST", "/api/v1/open-applications", w.application(item, edit), "Idempotency-Key", key), name)
		}
		again := w.app.do("POST", "/api/v1/open-applications", w.application(item), "Idempotency-Key", key).must(t, 200)
		if again.str("id") != first.str("id") || again.Header.Get("Idempotent-Replayed") != "true" ||
			again.Header.Get("Location") != "/api/v1/open-applications/"+first.str("id") {
			t.Fatalf("the same body again: %s", again.Raw)
		}
		if n := len(w.app.do("GET", "/api/v1/open-applications", nil).must(t, 200).items()); n != 1 {
			t.Fatalf("%d applications, want 1", n)
		}
	})

	t.Run("catalog change", func(t *testing.T) {
		w := newWorld(t, "wuhan")
		cond := w.items["conditional"]
		k := uniq("key")
		post := func(item map[string]any) reply {
			return w.prov.do("POST", "/api/v1/catalog/changes", map[string]any{"jurisdiction": "wuhan", "reason": "调整",
				"operations": []any{map[string]any{"op": "modify", "item_id": cond, "item": item}}}, "Idempotency-Key", k)
		}
		first := post(catalogItemBody(cond, "改名", "conditional")).must(t, 201)
		changed := catalogItemBody(cond, "改名", "conditional")
		changed["data_items"] = []string{"name"}
		reusedKey(t, post(changed), "item contents")
		reusedKey(t, post(catalogItemBody(cond, "改名", "unconditional")), "share_type")
		again := post(catalogItemBody(cond, "改名", "conditional")).must(t, 200)
		if again.str("id") != first.str("id") || again.Header.Get("Idempotent-Replayed") != "true" ||
			again.Header.Get("Location") != "/api/v1/catalog/changes/"+first.str("id") {
			t.Fatalf("the same body again: %s", again.Raw)
		}
	})

	t.Run("objection", func(t *testing.T) {
		w := newWorld(t, "wuhan")
		item := w.items["unconditional"]
		zhang := sys.as(t, "zhang-"+uniq("p"), api.RoleApplicant, "", "wuhan")
		ev1 := upload(t, zhang, "a.txt", "text/plain", []byte("证明一")).must(t, 201).str("id")
		ev2 := upload(t, zhang, "b.txt", "text/plain", []byte("证明二")).must(t, 201).str("id")
		k := uniq("obj")
		first := object(zhang, item, "error", []string{ev1}, "Idempotency-Key", k).must(t, 201)
		reusedKey(t, object(zhang, item, "error", []string{ev1, ev2}, "Idempotency-Key", k), "evidence")
		again := object(zhang, item, "error", []string{ev1}, "Idempotency-Key", k).must(t, 200)
		if again.str("id") != first.str("id") || again.Header.Get("Idempotent-Replayed") != "true" ||
			again.Header.Get("Location") != "/api/v1/objections/"+first.str("id") {
			t.Fatalf("the same body again: %s", again.Raw)
		}
	})
}

// Ten disputes of one refused request at once, with two reasons: exactly one
// is created; the others with its reason are replays of it, those with the
// other reason 409.
func TestConcurrentDisputes(t *testing.T) {
	w := newWorld(t, "wuhan")
	id := w.file(t, "conditional").must(t, 201).str("id")
	decide(t, w.prov, taskFor(t, w.prov, id), map[string]any{"decision": "reject", "reason": "涉及商业秘密"}, 200)

	reasons := []string{"履职必需", "另一理由"}
	replies := make([]reply, 10)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range replies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			replies[i] = w.req.do("POST", "/api/v1/share-requests/"+id+"/disputes", map[string]any{"reason": reasons[i%2]})
		}()
	}
	close(start)
	wg.Wait()

	created := -1
	for i, r := range replies {
		if r.Status == 201 {
			if created >= 0 {
				t.Fatalf("two disputes created: %s and %s", replies[created].Raw, r.Raw)
			}
			created = i
		}
	}
	if created < 0 {
		t.Fatalf("no dispute created: %d %s", replies[0].Status, replies[0].Raw)
	}
	winner := reasons[created%2]
	for i, r := range replies {
		switch {
		case i == created:
		case reasons[i%2] == winner:
			r.must(t, 200)
			if r.str("id") != replies[created].str("id") || r.str("reason") != winner || r.Header.Get("Idempotent-Replayed") != "true" ||
				r.Header.Get("Location") != "/api/v1/disputes/"+r.str("id") {
				t.Fatalf("a retry with the winner's reason: %s", r.Raw)
			}
		default:
			r.must(t, 409)
		}
	}
	got := w.req.do("GET", "/api/v1/share-requests/"+id, nil).must(t, 200)
	if ds := got.Body["disputes"].([]any); len(ds) != 1 || ds[0].(map[string]any)["reason"] != winner {
		t.Fatalf("disputes %v, want one with reason %q", ds, winner)
	}
}

// Ten POSTs at once with one Idempotency-Key and two bodies: one is filed;
// the others with its body replay it, those with the other body are refused
// (the same answers as sequential retries).
func TestConcurrentKeyedPosts(t *testing.T) {
	w := newOpenWorld(t, "changsha")
	item, key := w.items["conditional"], uniq("key")
	bodies := []map[string]any{w.application(item), w.application(item, func(b map[string]any) { b["delivery"] = "download" })}
	replies := make([]reply, 10)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range replies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			replies[i] = w.app.do("POST", "/api/v1/open-applications", bodies[i%2], "Idempotency-Key", key)
		}()
	}
	close(start)
	wg.Wait()
	created := -1
	for i, r := range replies {
		if r.Status == 201 {
			if created >= 0 {
				t.Fatalf("two applications created for one key: %s and %s", replies[created].Raw, r.Raw)
			}
			created = i
		}
	}
	if created < 0 {
		t.Fatalf("nothing created: %d %s", replies[0].Status, replies[0].Raw)
	}
	for i, r := range replies {
		switch {
		case i == created:
		case i%2 == created%2:
			if r.must(t, 200).str("id") != replies[created].str("id") {
				t.Fatalf("a concurrent retry with the same body: %s", r.Raw)
			}
		default:
			reusedKey(t, r, "a concurrent POST with another body")
		}
	}
	if n := len(w.app.do("GET", "/api/v1/open-applications", nil).must(t, 200).items()); n != 1 {
		t.Fatalf("%d applications, want 1", n)
	}
}

// A retried decision (same Idempotency-Key, same body) returns the first
// one's answer, also once the procedure has ended; the key with another body
// is refused naming the key, and a new decision on the closed task is 422
// naming the decision.
func TestRetriedDecision(t *testing.T) {
	w := newWorld(t, "xiamen") // the provider and the authority both decide
	id := w.file(t, "conditional").must(t, 201).str("id")
	post := func(u user, task string, body map[string]any, key string) reply {
		if key == "" {
			return u.do("POST", "/api/v1/tasks/"+task+"/decision", body)
		}
		return u.do("POST", "/api/v1/tasks/"+task+"/decision", body, "Idempotency-Key", key)
	}
	same := func(first, again reply) {
		t.Helper()
		again.must(t, 200)
		if again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("a replayed decision without Idempotent-Replayed: true")
		}
		for _, f := range []string{"id", "status", "decision", "decided_by"} {
			if again.Body[f] != first.Body[f] {
				t.Fatalf("replayed %s %v, first %v: %s", f, again.Body[f], first.Body[f], again.Raw)
			}
		}
	}
	approve := map[string]any{"decision": "approve", "conditions": "仅限人才落户审批"}
	pt := taskFor(t, w.prov, id)["id"].(string)
	k := uniq("dec")
	first := post(w.prov, pt, approve, k).must(t, 200)
	if first.str("status") != "done" {
		t.Fatalf("first decision: %s", first.Raw)
	}
	same(first, post(w.prov, pt, approve, k))
	reusedKey(t, post(w.prov, pt, map[string]any{"decision": "reject", "reason": "不符合"}, k), "a decision")
	if r := post(w.prov, pt, approve, uniq("dec")).must(t, 422); fieldOf(r) != "decision" {
		t.Fatalf("a new key on the closed task names %q: %s", fieldOf(r), r.Raw)
	}
	if r := post(w.prov, pt, approve, "").must(t, 422); fieldOf(r) != "decision" {
		t.Fatalf("no key on the closed task names %q: %s", fieldOf(r), r.Raw)
	}

	// The last decision ends the procedure; its retry still has its answer.
	at := taskFor(t, w.authority, id)["id"].(string)
	k2 := uniq("dec")
	last := post(w.authority, at, map[string]any{"decision": "approve"}, k2).must(t, 200)
	waitClosed(t, id)
	same(last, post(w.authority, at, map[string]any{"decision": "approve"}, k2))
	if got := w.req.do("GET", "/api/v1/share-requests/"+id, nil).must(t, 200); got.str("status") != "granted" {
		t.Fatalf("status %q, want granted", got.str("status"))
	}
}
