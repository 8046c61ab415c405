package workflows

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cityapprovals/approvals/codec"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/proto"
)

// testCodec is the payload codec of the end-to-end tests, whose key is
// checked in (testdata/codec.keys): histories recorded since payloads are
// encrypted (codec) are encrypted with it, older ones are not.
func testCodec(t *testing.T) *codec.Codec {
	t.Helper()
	b, err := os.ReadFile("testdata/codec.keys")
	if err != nil {
		t.Fatal(err)
	}
	c, err := codec.Parse(strings.TrimSpace(string(b)), "")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Every recorded history (testdata/histories, recorded from real runs by
// `RECORD_HISTORIES=1 go test ./e2e/`) must replay on the current code: a
// change to a workflow that would break running procedures fails here. Such a
// change needs workflow.GetVersion. Encrypted ones are decrypted with the
// test key first, as the API and `approvals replay` do.
func TestReplayRecordedHistories(t *testing.T) {
	cd := testCodec(t)
	files, err := filepath.Glob("testdata/histories/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no recorded histories in testdata/histories")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			h := readHistoryFile(t, f)
			if err := codec.DecodeHistory(context.Background(), cd, h); err != nil {
				t.Fatal(err)
			}
			if err := Replay(h); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
		})
	}
}

// An encrypted history replays once decrypted with its key, and not without.
func TestReplayEncryptedHistory(t *testing.T) {
	cd := testCodec(t)
	f, err := os.Open("testdata/histories/xiamen-both-approve.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := ReadHistoryJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := codec.EncodeHistory(ctx, cd, h); err != nil {
		t.Fatal(err)
	}
	if err := Replay(proto.Clone(h).(*historypb.History)); err == nil {
		t.Fatal("an encrypted history replayed without its key")
	}
	if err := codec.DecodeHistory(ctx, cd, h); err != nil {
		t.Fatal(err)
	}
	if err := Replay(h); err != nil {
		t.Fatal(err)
	}
}

// A workflow changed without workflow.GetVersion is caught by the replayer.
func TestReplayDetectsChangedWorkflow(t *testing.T) {
	changed := func(ctx workflow.Context, in ShareInput) (ShareResult, error) {
		// Skips the activities the recorded history holds.
		return ShareResult{}, workflow.Sleep(ctx, 1)
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

// readHistoryFile reads a recorded history as it is stored.
func readHistoryFile(t *testing.T, file string) *historypb.History {
	t.Helper()
	r, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	h, err := ReadHistoryJSON(r)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
