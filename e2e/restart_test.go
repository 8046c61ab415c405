package e2e

import (
	"testing"
)

// A worker that crashes mid-procedure loses nothing: the request filed before
// the crash is decided after the restart, and a decision sent while no worker
// runs completes once one is back.
func TestWorkerRestartLosesNothing(t *testing.T) {
	w := newWorld(t, "changsha")
	id := w.file(t, "conditional").must(t, 201).str("id")
	task := taskFor(t, w.prov, id)["id"].(string)

	sys.worker.kill()
	if !sys.postgres {
		// On SQLite the API runs in the same process: restart it, then decide.
		if err := sys.startWorker(); err != nil {
			t.Fatal(err)
		}
		if err := sys.waitReady(); err != nil {
			t.Fatal(err)
		}
		w.prov.do("POST", "/api/v1/tasks/"+task+"/decision", map[string]any{"decision": "approve"}).must(t, 200)
	} else {
		// The API stays up: the decision waits in Temporal for a worker.
		done := make(chan reply, 1)
		go func() {
			done <- w.prov.do("POST", "/api/v1/tasks/"+task+"/decision", map[string]any{"decision": "approve"})
		}()
		if err := sys.startWorker(); err != nil {
			t.Fatal(err)
		}
		(<-done).must(t, 200)
	}
	got := w.req.do("GET", "/api/v1/share-requests/"+id, nil).must(t, 200)
	if got.str("status") != "granted" || got.str("basis") != "decision" {
		t.Fatalf("after the restart: status %q basis %q, want granted/decision", got.str("status"), got.str("basis"))
	}
	checkHistory(t, id, "changsha-worker-restart")
	// The next request works as usual on the new worker.
	next := w.file(t, "conditional").must(t, 201)
	if next.str("status") != "pending" || next.str("due_date") == "" {
		t.Fatalf("filing after the restart: %s", next.Raw)
	}
}
