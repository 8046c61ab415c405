package workflows

import (
	"fmt"
	"io"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
)

// all lists every workflow, for the worker and the replayer alike.
var all = []any{ShareRequest, CalendarRetime}

// ReplayJSON runs a recorded history (Temporal's JSON history, as served by
// GET /api/v1/procedures/{id}/history and `temporal workflow show -o json`)
// through the current workflow code. It returns an error naming where code and
// history diverge, or nil when they are consistent.
func ReplayJSON(r io.Reader) error {
	h, err := client.HistoryFromJSON(r, client.HistoryJSONOptions{})
	if err != nil {
		return fmt.Errorf("read history: %w", err)
	}
	rp := worker.NewWorkflowReplayer()
	for _, w := range all {
		rp.RegisterWorkflow(w)
	}
	if err := rp.ReplayWorkflowHistory(quietLogger{}, h); err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	return nil
}

type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}
