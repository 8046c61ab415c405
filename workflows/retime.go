package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cityapprovals/approvals/activities"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// QueryProgress returns a calendar re-timing's RetimeProgress.
const QueryProgress = "progress"

// Defaults of a calendar re-timing.
const (
	DefaultRetimePageSize  = 200
	DefaultRetimePerSecond = 200
	// DefaultRetimeSettle is how long a re-timing waits before it lists:
	// a procedure that computed its deadline on the old calendar just before
	// the publication has by then recorded its DueAt in visibility.
	DefaultRetimeSettle = 5 * time.Second
	// pagesPerRun bounds the history of one run: after that many pages the
	// re-timing continues as new with its progress.
	pagesPerRun = 100
)

// RetimePrefix begins the workflow ID of every calendar re-timing.
const RetimePrefix = "calendar-retime-"

// RetimeWorkflowID names the re-timing started by revision rev of year's
// schedule: publishing the same revision twice finds the same job.
func RetimeWorkflowID(year, rev int) string { return fmt.Sprintf("%s%d-r%d", RetimePrefix, year, rev) }

// RetimeJob tells every running procedure whose open deadline a newly
// published schedule of Year can move (found by Query in Temporal's
// visibility) to recompute it. The progress fields carry the job across
// continue-as-new.
type RetimeJob struct {
	Year            int
	CalendarVersion string
	Query           string
	PageSize        int
	PerSecond       float64
	Settle          time.Duration // wait before the first page (see DefaultRetimeSettle)

	PageToken []byte
	Pages     int
	Signalled int
	Gone      int
	StartedAt time.Time
}

// RetimeProgress is how far a re-timing has come.
type RetimeProgress struct {
	Year            int       `json:"year"`
	CalendarVersion string    `json:"calendar_version"`
	Pages           int       `json:"pages"`
	Signalled       int       `json:"signalled"`
	Gone            int       `json:"gone"`
	Done            bool      `json:"done"`
	StartedAt       time.Time `json:"started_at"`
	FinishedAt      time.Time `json:"finished_at,omitzero"`
	Seconds         float64   `json:"seconds"` // taken so far, or in all when done
	PerSecond       float64   `json:"per_second"`
}

// CalendarRetime pages through the procedures the job's query finds and
// signals them SignalCalendarChanged, PerSecond at most, one activity per
// page. Its state is the page token: a worker crash retries the page's
// activity (which resumes from its heartbeat), never the pages before it.
func CalendarRetime(ctx workflow.Context, job RetimeJob) (RetimeProgress, error) {
	if job.PageSize <= 0 {
		job.PageSize = DefaultRetimePageSize
	}
	if job.PerSecond <= 0 {
		job.PerSecond = DefaultRetimePerSecond
	}
	if job.StartedAt.IsZero() {
		job.StartedAt = workflow.Now(ctx)
	}
	progress := func(done bool) RetimeProgress {
		p := RetimeProgress{Year: job.Year, CalendarVersion: job.CalendarVersion, Pages: job.Pages,
			Signalled: job.Signalled, Gone: job.Gone, Done: done, StartedAt: job.StartedAt}
		end := workflow.Now(ctx)
		if done {
			p.FinishedAt = end
		}
		p.Seconds = end.Sub(job.StartedAt).Seconds()
		if p.Seconds > 0 {
			p.PerSecond = float64(p.Signalled) / p.Seconds
		}
		return p
	}
	done := false // a query of the finished job says so
	if err := workflow.SetQueryHandler(ctx, QueryProgress, func() (RetimeProgress, error) { return progress(done), nil }); err != nil {
		return RetimeProgress{}, fmt.Errorf("register query: %w", err)
	}
	// A page takes PageSize/PerSecond seconds; its activity heartbeats after
	// every few signals.
	pageTime := time.Duration(float64(job.PageSize)/job.PerSecond*float64(time.Second)) + time.Minute
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: pageTime,
		HeartbeatTimeout:    10 * time.Second, // how soon a page of a crashed worker is retried
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	})
	change := activities.CalendarChanged{Year: job.Year, CalendarVersion: job.CalendarVersion}
	if job.Pages == 0 && job.Settle > 0 {
		if err := workflow.Sleep(ctx, job.Settle); err != nil {
			return progress(false), err
		}
	}
	for run := 0; ; run++ {
		if run == pagesPerRun {
			return RetimeProgress{}, workflow.NewContinueAsNewError(ctx, CalendarRetime, job)
		}
		var page activities.RetimePageResult
		err := workflow.ExecuteActivity(actx, acts.RetimePage, activities.RetimePageInput{
			Query: job.Query, PageToken: job.PageToken, PageSize: job.PageSize, PerSecond: job.PerSecond, Change: change,
		}).Get(ctx, &page)
		if err != nil {
			return progress(false), fmt.Errorf("re-time page %d: %w", job.Pages+1, err)
		}
		job.Pages++
		job.Signalled += page.Signalled
		job.Gone += page.Gone
		job.PageToken = page.NextPageToken
		if len(job.PageToken) == 0 {
			break
		}
	}
	done = true
	p := progress(true)
	workflow.GetLogger(ctx).Info("calendar re-timing done", "year", p.Year, "signalled", p.Signalled, "gone", p.Gone, "seconds", p.Seconds)
	return p, nil
}

// StartRetime starts (or finds) the re-timing for revision rev of a year's
// schedule and returns its workflow ID. job names the year and the calendar
// version; its query defaults to activities.RetimeQuery(job.Year), its page
// size, rate and settling time to the defaults. Starting it again, even after it finished,
// does nothing.
func StartRetime(ctx context.Context, c client.Client, rev int, job RetimeJob) (string, error) {
	id := RetimeWorkflowID(job.Year, rev)
	if job.Query == "" {
		job.Query = activities.RetimeQuery(job.Year)
	}
	if job.Settle == 0 {
		job.Settle = DefaultRetimeSettle
	}
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: id, TaskQueue: JobsTaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
	}, CalendarRetime, job)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return "", fmt.Errorf("start re-timing %s: %w", id, err)
	}
	return id, nil
}

// RetimeStatus returns a re-timing's progress: its result once done, else
// what its progress query says.
func RetimeStatus(ctx context.Context, c client.Client, id string) (RetimeProgress, error) {
	var p RetimeProgress
	desc, err := c.DescribeWorkflow(ctx, id, "")
	if err != nil {
		return p, fmt.Errorf("describe %s: %w", id, err)
	}
	if desc.RawResponse.GetWorkflowExecutionInfo().GetStatus() == enums.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		if err := c.GetWorkflow(ctx, id, "").Get(ctx, &p); err != nil {
			return p, fmt.Errorf("result of %s: %w", id, err)
		}
		return p, nil
	}
	v, err := c.QueryWorkflow(ctx, id, "", QueryProgress)
	if err != nil {
		return p, fmt.Errorf("query %s: %w", id, err)
	}
	if err := v.Get(&p); err != nil {
		return p, fmt.Errorf("decode progress of %s: %w", id, err)
	}
	return p, nil
}
