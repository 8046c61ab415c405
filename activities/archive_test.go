package activities

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/archive"
	"github.com/cityapprovals/approvals/devserver"
	"github.com/cityapprovals/approvals/models"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"
)

// errorLog keeps the error-level lines an activity logs.
type errorLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *errorLog) Debug(string, ...any) {}
func (l *errorLog) Info(string, ...any)  {}
func (l *errorLog) Warn(string, ...any)  {}
func (l *errorLog) Error(msg string, kv ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprint(append([]any{msg}, kv...)...))
}

// On a real Temporal dev server: a closed execution older than four fifths
// of the retention and not archived is logged at error level and archived;
// a pass from the start archives nothing twice and returns its upper bound.
func TestArchiveExpiringAlert(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := devserver.Start(ctx, devserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	c, err := client.Dial(client.Options{HostPort: srv.Address, Logger: &errorLog{}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	db, err := models.Open("", t.TempDir()+"/db.sqlite")
	if err != nil {
		t.Fatal(err)
	}
	if err := models.Migrate(db); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "old-one", TaskQueue: "nobody-polls"}, "Nothing"); err != nil {
		t.Fatal(err)
	}
	if err := c.TerminateWorkflow(ctx, "old-one", "", "closed"); err != nil {
		t.Fatal(err)
	}
	closedAt := time.Now()
	for { // visibility lists it closed, a moment later
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: "WorkflowId = 'old-one' AND ExecutionStatus != 'Running'"})
		if err == nil && len(resp.GetExecutions()) == 1 && time.Since(closedAt) > 2*time.Second {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("old-one never listed closed")
		}
		time.Sleep(100 * time.Millisecond)
	}

	log := &errorLog{}
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log)
	env := suite.NewTestActivityEnvironment()
	a := &Activities{DB: db, Temporal: c, Archive: ArchiveConfig{Store: archive.DB{DB: db}, Retention: time.Second, PerSecond: 100}}
	env.RegisterActivity(a)
	// A watermark ahead of it: only the expiry check can find it.
	pass := func(in ArchivePassInput) ArchivePassResult {
		t.Helper()
		v, err := env.ExecuteActivity(a.ArchiveClosed, in)
		if err != nil {
			t.Fatal(err)
		}
		var r ArchivePassResult
		if err := v.Get(&r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := pass(ArchivePassInput{Since: time.Now().Add(time.Hour), CheckExpiring: true})
	if r.Expiring != 1 || r.Archived != 0 {
		t.Fatalf("first pass %+v, want one expiring", r)
	}
	if !slices.ContainsFunc(log.lines, func(l string) bool {
		return strings.Contains(l, "about to leave retention unarchived") && strings.Contains(l, "old-one")
	}) {
		t.Fatalf("no error-level alert naming old-one: %q", log.lines)
	}
	if _, err := models.LatestArchived(db, "old-one"); err != nil {
		t.Fatalf("the expiring execution was not archived: %v", err)
	}
	if r := pass(ArchivePassInput{Since: time.Now().Add(time.Hour), CheckExpiring: true}); r.Expiring != 0 {
		t.Fatalf("second pass %+v: an archived execution counted as expiring", r)
	}
	before := time.Now()
	r = pass(ArchivePassInput{})
	if r.Listed < 1 || r.Archived != 0 || r.Watermark.Before(before) || r.Interval != DefaultArchiveInterval {
		t.Fatalf("pass from the start %+v: want old-one listed, nothing archived twice, the upper bound as watermark", r)
	}
}
