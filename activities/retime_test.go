package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"
)

// fakeTemporal lists a fixed page and records the signals sent.
type fakeTemporal struct {
	client.Client
	page   []string
	next   []byte
	gone   map[string]bool
	mu     sync.Mutex
	lists  int
	signal []string
}

func (f *fakeTemporal) ListWorkflow(_ context.Context, req *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists++
	resp := &workflowservice.ListWorkflowExecutionsResponse{NextPageToken: f.next}
	for _, id := range f.page {
		resp.Executions = append(resp.Executions, &workflow.WorkflowExecutionInfo{Execution: &commonpb.WorkflowExecution{WorkflowId: id}})
	}
	return resp, nil
}

func (f *fakeTemporal) SignalWorkflow(_ context.Context, id, _, name string, arg any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if name != SignalCalendarChanged || arg.(CalendarChanged).CalendarVersion != "v2" {
		panic("unexpected signal")
	}
	if f.gone[id] {
		return serviceerror.NewNotFound("workflow completed")
	}
	f.signal = append(f.signal, id)
	return nil
}

func runPage(t *testing.T, f *fakeTemporal, details *retimeProgress, tc ...client.Client) RetimePageResult {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	a := &Activities{Temporal: f}
	if len(tc) > 0 {
		a.Temporal = tc[0]
	}
	env.RegisterActivity(a)
	if details != nil {
		env.SetHeartbeatDetails(details)
	}
	v, err := env.ExecuteActivity(a.RetimePage, RetimePageInput{
		Query: RetimeQuery(2027), PageSize: 10, PerSecond: 1000, Change: CalendarChanged{Year: 2027, CalendarVersion: "v2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var res RetimePageResult
	if err := v.Get(&res); err != nil {
		t.Fatal(err)
	}
	return res
}

// A page signals every procedure it lists, counting those that ended.
func TestRetimePageSignalsEach(t *testing.T) {
	f := &fakeTemporal{page: []string{"a", "b", "c"}, next: []byte("n"), gone: map[string]bool{"b": true}}
	res := runPage(t, f, nil)
	slices.Sort(f.signal)
	if !slices.Equal(f.signal, []string{"a", "c"}) || res.Signalled != 2 || res.Gone != 1 || string(res.NextPageToken) != "n" {
		t.Fatalf("signalled %v, result %+v", f.signal, res)
	}
}

// A retried page resumes from its last heartbeat: the same listing, none of
// the procedures already told, no new listing.
func TestRetimePageResumesFromHeartbeat(t *testing.T) {
	f := &fakeTemporal{page: []string{"x", "y"}, next: []byte("other")}
	res := runPage(t, f, &retimeProgress{IDs: []string{"a", "b", "c", "d"}, Next: []byte("n"), Done: 2, Signalled: 2})
	slices.Sort(f.signal)
	if f.lists != 0 || !slices.Equal(f.signal, []string{"c", "d"}) || res.Signalled != 4 || string(res.NextPageToken) != "n" {
		t.Fatalf("lists %d, signalled %v, result %+v", f.lists, f.signal, res)
	}
}

// The query finds running procedures due on or after the earliest day a
// year's schedule may list (a week before 1 January), not yet overdue.
func TestRetimeQuery(t *testing.T) {
	want := "ExecutionStatus = 'Running' AND DueAt >= '2026-12-25T00:00:00+08:00' AND Overdue = false"
	if got := RetimeQuery(2027); got != want {
		t.Fatalf("RetimeQuery(2027) = %s, want %s", got, want)
	}
}

// barrierTemporal answers no signal until want of them are in flight at
// once: a page that signals fewer at a time never finishes.
type barrierTemporal struct {
	fakeTemporal
	want     int
	inFlight int
	release  chan struct{}
}

func (f *barrierTemporal) SignalWorkflow(ctx context.Context, id, run, name string, arg any) error {
	f.mu.Lock()
	f.inFlight++
	if f.inFlight == f.want {
		close(f.release)
	}
	f.mu.Unlock()
	select {
	case <-f.release:
	case <-time.After(20 * time.Second): // a failure, not a synchronisation
		return errors.New("too few signals in flight at once")
	}
	return f.fakeTemporal.SignalWorkflow(ctx, id, run, name, arg)
}

// A page keeps many signals in flight (a signal waits for the server's write,
// so one at a time, or a few, would bound the rate far below PerSecond).
func TestRetimePageSignalsConcurrently(t *testing.T) {
	const n = 48
	f := &barrierTemporal{want: n, release: make(chan struct{})}
	for i := range n {
		f.page = append(f.page, fmt.Sprintf("p%02d", i))
	}
	res := runPage(t, &f.fakeTemporal, nil, f)
	if res.Signalled != n || len(f.signal) != n {
		t.Fatalf("signalled %d (%d recorded), want %d", res.Signalled, len(f.signal), n)
	}
}
