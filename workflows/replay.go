package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"

	"github.com/cityapprovals/approvals/archive"
	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
)

// all lists every workflow, for the worker and the replayer alike: each
// procedure's (Procedures), the calendar's re-timing and the history
// archiver.
var all = append(procedureWorkflows(), CalendarRetime, HistoryArchiver)

// procedureWorkflows are the workflows of Procedures.
func procedureWorkflows() []any {
	wfs := make([]any, len(Procedures))
	for i, p := range Procedures {
		wfs[i] = p.Workflow
	}
	return wfs
}

// Divergence is a recorded history that the current workflow code does not
// reproduce. EventID is the first history event where they part, when the
// replayer's message lets us locate it (0 otherwise).
type Divergence struct {
	EventID int64
	Err     error
}

func (d *Divergence) Error() string {
	if d.EventID > 0 {
		return fmt.Sprintf("replay diverges at event %d: %v", d.EventID, d.Err)
	}
	return fmt.Sprintf("replay diverges: %v", d.Err)
}

func (d *Divergence) Unwrap() error { return d.Err }

// ErrMalformedHistory marks input that is not a Temporal JSON history.
var ErrMalformedHistory = errors.New("malformed history")

// ReadHistoryJSON parses Temporal's JSON history ({"events":[...]}).
func ReadHistoryJSON(r io.Reader) (*historypb.History, error) {
	h, err := client.HistoryFromJSON(r, client.HistoryJSONOptions{})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedHistory, err)
	}
	evs := h.GetEvents()
	if len(evs) == 0 || evs[0].GetEventType() != enums.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED {
		return nil, fmt.Errorf("%w: it must start with a WorkflowExecutionStarted event", ErrMalformedHistory)
	}
	return h, nil
}

// FetchHistory reads a workflow's whole history from Temporal. An unknown
// workflow is an error wrapping *serviceerror.NotFound.
func FetchHistory(ctx context.Context, c client.Client, workflowID string) (*historypb.History, error) {
	return archive.Fetch(ctx, c, workflowID, "")
}

// ReplayJSON runs a recorded history (Temporal's JSON history, as served by
// GET /api/v1/procedures/{id}/history and `temporal workflow show -o json`)
// through the current workflow code. It returns an error naming where code and
// history diverge (a *Divergence), an error wrapping ErrMalformedHistory, or
// nil when they are consistent.
func ReplayJSON(r io.Reader) error {
	h, err := ReadHistoryJSON(r)
	if err != nil {
		return err
	}
	return Replay(h)
}

// Replay runs a history through the current workflow code; see ReplayJSON.
func Replay(h *historypb.History) error {
	// The workers' interceptors take part in replay: the recording of a
	// procedure's failure (failure.go) is workflow code.
	rp, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{Interceptors: Options(worker.Options{}).Interceptors})
	if err != nil {
		return fmt.Errorf("replayer: %w", err)
	}
	for _, w := range all {
		rp.RegisterWorkflow(w)
	}
	if err := rp.ReplayWorkflowHistory(quietLogger{}, h); err != nil {
		return &Divergence{EventID: divergingEvent(h, err.Error()), Err: err}
	}
	return nil
}

// The replayer names the history event it could not match by its type and
// attributes, e.g. "history event is ActivityTaskScheduled: (ActivityId:5,
// ActivityType:(Name:OpenTask), ...)" or "missing replay command for
// TimerStarted: (TimerId:9, ...)".
var (
	eventRef    = regexp.MustCompile(`(?:history event is|replay command for) (\w+): \((ActivityId|TimerId):([^,)]+)`)
	positionRef = regexp.MustCompile(`history event position (\d+)`)
	// A local activity's marker (workflows.execute) is named by the
	// activity ID in its data: "code executed local activity OpenTask, but
	// history event found …, markerData: …ActivityID":"4"…".
	markerRef = regexp.MustCompile(`executed local activity \w+, but history event found .*?ActivityID\\*":\\*"([^"\\]+)`)
)

// divergingEvent finds the event the replayer's message names, or 0.
func divergingEvent(h *historypb.History, msg string) int64 {
	if m := eventRef.FindStringSubmatch(msg); m != nil {
		for _, e := range h.GetEvents() {
			switch {
			case m[2] == "ActivityId" && e.GetActivityTaskScheduledEventAttributes().GetActivityId() == m[3]:
				return e.GetEventId()
			case m[2] == "TimerId" && e.GetTimerStartedEventAttributes().GetTimerId() == m[3]:
				return e.GetEventId()
			}
		}
	}
	if m := markerRef.FindStringSubmatch(msg); m != nil {
		for _, e := range h.GetEvents() {
			a := e.GetMarkerRecordedEventAttributes()
			if a.GetMarkerName() != "LocalActivity" || len(a.GetDetails()["data"].GetPayloads()) == 0 {
				continue
			}
			var data struct{ ActivityID string }
			if json.Unmarshal(a.GetDetails()["data"].GetPayloads()[0].GetData(), &data) == nil && data.ActivityID == m[1] {
				return e.GetEventId()
			}
		}
	}
	if m := positionRef.FindStringSubmatch(msg); m != nil {
		if id, err := strconv.ParseInt(m[1], 10, 64); err == nil {
			return id
		}
	}
	return 0
}

type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}
