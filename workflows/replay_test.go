package workflows

import (
	"os"
	"path/filepath"
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
