package workflows

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Every recorded history (testdata/histories, recorded from real runs by
// `RECORD_HISTORIES=1 go test ./e2e/`) must replay on the current code: a
// change to a workflow that would break running procedures fails here. Such a
// change needs workflow.GetVersion.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/histories/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no recorded histories in testdata/histories")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if err := ReplayJSON(r); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
		})
	}
}

// A workflow changed without workflow.GetVersion is caught by the replayer.
func TestReplayDetectsChangedWorkflow(t *testing.T) {
	changed := func(ctx workflow.Context, in ShareInput) (ShareState, error) {
		// Skips the activities the recorded history holds.
		return ShareState{}, workflow.Sleep(ctx, 1)
	}
	f, err := os.Open("testdata/histories/xiamen-both-approve.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := client.HistoryFromJSON(f, client.HistoryJSONOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rp := worker.NewWorkflowReplayer()
	rp.RegisterWorkflowWithOptions(changed, workflow.RegisterOptions{Name: "ShareRequest"})
	if err := rp.ReplayWorkflowHistory(quietLogger{}, h); err == nil {
		t.Fatal("a changed workflow replayed the recorded history without error")
	}
}

// A recorded history whose activity type was altered is reported as a
// divergence at the altered event.
func TestReplayLocatesTamperedEvent(t *testing.T) {
	raw, err := os.ReadFile("testdata/histories/xiamen-both-approve.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Events []map[string]any `json:"events"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var want int64
	for _, e := range doc.Events {
		a, ok := e["activityTaskScheduledEventAttributes"].(map[string]any)
		if !ok {
			continue
		}
		typ := a["activityType"].(map[string]any)
		if typ["name"] == "OpenTask" {
			typ["name"] = "OpenTaskTampered"
			want, _ = strconv.ParseInt(e["eventId"].(string), 10, 64)
			break
		}
	}
	if want == 0 {
		t.Fatal("no OpenTask activity in the recorded history")
	}
	tampered, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	err = ReplayJSON(bytes.NewReader(tampered))
	var d *Divergence
	if !errors.As(err, &d) {
		t.Fatalf("tampered history: got %v, want a divergence", err)
	}
	if d.EventID != want {
		t.Fatalf("divergence at event %d, want %d: %v", d.EventID, want, d)
	}
}

func TestReplayRefusesMalformedHistory(t *testing.T) {
	for _, in := range []string{`{`, `{"events":[]}`, `{"events":[{"eventId":"1","eventType":"EVENT_TYPE_TIMER_FIRED"}]}`} {
		if err := ReplayJSON(strings.NewReader(in)); !errors.Is(err, ErrMalformedHistory) {
			t.Errorf("%s: got %v, want ErrMalformedHistory", in, err)
		}
	}
}
