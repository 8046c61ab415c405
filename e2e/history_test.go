package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/api"
	"github.com/cityapprovals/approvals/codec"
	"github.com/cityapprovals/approvals/workflows"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

// checkHistory fetches a finished procedure's history as an auditor would,
// replays it against the current workflow code, and with RECORD_HISTORIES=1
// stores it in workflows/testdata/histories for the replay test of CI.
func checkHistory(t *testing.T, id, name string) {
	t.Helper()
	waitClosed(t, id)
	auditor := sys.as(t, "audrey", api.RoleAuditor, "", "")
	raw := auditor.do("GET", "/api/v1/procedures/"+id+"/history", nil).must(t, 200).Raw
	if err := workflows.ReplayJSON(bytes.NewReader(raw)); err != nil {
		t.Fatalf("history of %s does not replay on the current code: %v", id, err)
	}
	recordHistory(t, name, func() []byte { return rawHistory(t, id) })
}

// recordHistory stores a history in workflows/testdata/histories when
// RECORD_HISTORIES is set, as Temporal holds it: encrypted with the test key
// (storeHistory says which).
func recordHistory(t *testing.T, name string, raw func() []byte) {
	t.Helper()
	mode := os.Getenv("RECORD_HISTORIES")
	if mode == "" {
		return
	}
	stored, err := storeHistory(filepath.Join("..", "workflows", "testdata", "histories"), name, mode, raw)
	if err != nil {
		t.Fatal(err)
	}
	if !stored {
		t.Logf("kept the recorded history %s.json (RECORD_HISTORIES=overwrite replaces it)", name)
	}
}

// storeHistory writes a history as dir/name.json and tells whether it did.
// With mode "1" a history already there is kept: it stands for executions
// of its shape that may still be running and must go on replaying (a
// workflow's new shape is recorded under a new name, as the -compact and
// -local-activities files were); with "overwrite" it is replaced.
func storeHistory(dir, name, mode string, raw func() []byte) (bool, error) {
	if mode != "1" && mode != "overwrite" {
		return false, fmt.Errorf("RECORD_HISTORIES=%q: want 1 (record the new histories) or overwrite (all)", mode)
	}
	path := filepath.Join(dir, name+".json")
	if _, err := os.Stat(path); err == nil && mode == "1" {
		return false, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, fmt.Errorf("record history %s: %w", name, err)
	}
	if err := os.WriteFile(path, raw(), 0o644); err != nil {
		return false, fmt.Errorf("record history %s: %w", name, err)
	}
	return true, nil
}

// waitClosed waits for a procedure's workflow to close: its record is final
// just before.
func waitClosed(t *testing.T, id string) {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: sys.temporal.Address, Namespace: namespace, Logger: quiet{}, DataConverter: codec.DataConverter(sys.codec), FailureConverter: codec.FailureConverter(sys.codec)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.GetWorkflow(ctx, id, "").Get(ctx, nil); err != nil {
		t.Fatalf("procedure %s did not complete: %v", id, err)
	}
}

// waitActivity blocks until the workflow's history shows the nth completed
// activity (or local activity) of the given type, long-polling the server's history (the server
// answers as events arrive: no sleeping).
func waitActivity(t *testing.T, id, activityType string, n int) {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: sys.temporal.Address, Namespace: namespace, Logger: quiet{}, DataConverter: codec.DataConverter(sys.codec), FailureConverter: codec.FailureConverter(sys.codec)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dc := codec.DataConverter(sys.codec)
	scheduled := map[int64]bool{}
	it := c.GetWorkflowHistory(ctx, id, "", true, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatalf("waiting for %s #%d in %s: %v", activityType, n, id, err)
		}
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil && a.GetActivityType().GetName() == activityType {
			scheduled[ev.GetEventId()] = true
		}
		done := false
		if a := ev.GetActivityTaskCompletedEventAttributes(); a != nil && scheduled[a.GetScheduledEventId()] {
			done = true
		}
		if m := ev.GetMarkerRecordedEventAttributes(); m != nil && m.GetMarkerName() == "LocalActivity" && m.GetFailure() == nil {
			// A local activity's marker (workflows.execute): its data
			// names the activity.
			var data struct{ ActivityType string }
			if err := dc.FromPayloads(m.GetDetails()["data"], &data); err != nil {
				t.Fatalf("local activity marker of %s: %v", id, err)
			}
			done = data.ActivityType == activityType
		}
		if done {
			if n--; n == 0 {
				return
			}
		}
	}
	t.Fatalf("%s closed before %s completed", id, activityType)
}

type quiet struct{}

func (quiet) Debug(string, ...any) {}
func (quiet) Info(string, ...any)  {}
func (quiet) Warn(string, ...any)  {}
func (quiet) Error(string, ...any) {}

// RECORD_HISTORIES=1 records a history not recorded yet and keeps one that
// is (an older shape's guard); overwrite replaces it; anything else is
// refused.
func TestStoreHistoryKeepsRecorded(t *testing.T) {
	dir := t.TempDir()
	read := func() string {
		b, _ := os.ReadFile(filepath.Join(dir, "h.json"))
		return string(b)
	}
	if ok, err := storeHistory(dir, "h", "1", func() []byte { return []byte("old") }); !ok || err != nil || read() != "old" {
		t.Fatalf("a new history: %v %v %q", ok, err, read())
	}
	if ok, err := storeHistory(dir, "h", "1", func() []byte { return []byte("new") }); ok || err != nil || read() != "old" {
		t.Fatalf("a recorded history was not kept: %v %v %q", ok, err, read())
	}
	if ok, err := storeHistory(dir, "h", "overwrite", func() []byte { return []byte("new") }); !ok || err != nil || read() != "new" {
		t.Fatalf("overwrite: %v %v %q", ok, err, read())
	}
	if _, err := storeHistory(dir, "h", "yes", func() []byte { return nil }); err == nil || read() != "new" {
		t.Fatalf("an unknown mode: %v %q", err, read())
	}
}
