package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cityapprovals/approvals/archive"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	"golang.org/x/time/rate"
)

// ArchiverWorkflowType is the history archiver's own workflow type, whose
// runs are not archived (they hold nothing of a procedure).
const ArchiverWorkflowType = "HistoryArchiver"

// Defaults of the history archiver.
const (
	DefaultArchiveInterval  = time.Minute
	DefaultArchivePageSize  = 100
	DefaultArchivePerSecond = 50
	// ArchiveOverlap is how far before its watermark a pass lists again:
	// visibility is eventually consistent, so an execution that closed just
	// before the last pass's upper bound may have been listed only after it.
	// Executions already archived are skipped without fetching their history.
	ArchiveOverlap = 2 * time.Minute
)

// ArchiveConfig configures the archiving activities.
type ArchiveConfig struct {
	Store     archive.Store // where histories go; nil: nothing is archived
	Interval  time.Duration // between two passes
	PageSize  int           // executions listed per visibility page
	PerSecond float64       // histories fetched per second, at most
	// Retention is the namespace's retention of closed executions: one
	// closed longer ago than four fifths of it and not archived is an alert.
	Retention time.Duration
}

func (c ArchiveConfig) withDefaults() ArchiveConfig {
	if c.Interval <= 0 {
		c.Interval = DefaultArchiveInterval
	}
	if c.PageSize <= 0 {
		c.PageSize = DefaultArchivePageSize
	}
	if c.PerSecond <= 0 {
		c.PerSecond = DefaultArchivePerSecond
	}
	return c
}

// ArchivePassInput asks for one pass of the archiver.
type ArchivePassInput struct {
	// Since is the watermark: every execution that closed before it is
	// archived (zero on the first pass: everything Temporal still has).
	Since time.Time
	// CheckExpiring asks the pass also to look for executions about to leave
	// retention unarchived.
	CheckExpiring bool
}

// ArchivePassResult is what a pass did.
type ArchivePassResult struct {
	Watermark time.Time // the new watermark: the pass's upper bound
	Listed    int       // closed executions listed (archived before or now)
	Archived  int       // histories stored by this pass
	Gone      int       // listed, but deleted before their history was read
	Expiring  int       // found about to leave retention unarchived (then archived if still there)
	// Interval is how long the archiver waits before its next pass, from
	// the worker's configuration.
	Interval time.Duration
}

// archivePass is heartbeated after every history stored, so that a retried
// pass (after a worker crash) resumes at the page it was archiving, with the
// same upper bound, instead of starting over.
type archivePass struct {
	Upper    time.Time
	Token    []byte // the page token that lists the page being archived
	Listed   int    // executions on the pages before it
	Archived int
	Gone     int
}

// ClosedQuery is the visibility query of the executions that closed in
// [since, upper) (since zero: before upper), the archiver's own excepted.
func ClosedQuery(since, upper time.Time) string {
	q := fmt.Sprintf("ExecutionStatus != 'Running' AND WorkflowType != '%s' AND CloseTime < '%s'",
		ArchiverWorkflowType, upper.UTC().Format(time.RFC3339Nano))
	if !since.IsZero() {
		q += fmt.Sprintf(" AND CloseTime >= '%s'", since.UTC().Format(time.RFC3339Nano))
	}
	return q
}

// ArchiveClosed copies into the archive the history of every execution that
// closed since the watermark (less ArchiveOverlap) and before the pass
// started, page by page through visibility. Each execution is stored once
// (keyed by workflow and run ID; those already archived are skipped before
// their history is read). The watermark it returns is its upper bound, so it
// advances only past what is stored; a failed pass leaves it where it was.
func (a *Activities) ArchiveClosed(ctx context.Context, in ArchivePassInput) (ArchivePassResult, error) {
	cfg := a.Archive.withDefaults()
	if cfg.Store == nil {
		return ArchivePassResult{Watermark: in.Since, Interval: cfg.Interval}, nil
	}
	var p archivePass
	if activity.HasHeartbeatDetails(ctx) {
		if err := activity.GetHeartbeatDetails(ctx, &p); err != nil {
			return ArchivePassResult{}, fmt.Errorf("read archiver progress: %w", err)
		}
		activity.GetLogger(ctx).Info("archiver resumes its pass", "upper", p.Upper, "listed", p.Listed, "archived", p.Archived)
	} else {
		p.Upper = time.Now().UTC()
	}
	since := in.Since
	if !since.IsZero() {
		since = since.Add(-ArchiveOverlap)
	}
	query := ClosedQuery(since, p.Upper)
	lim := rate.NewLimiter(rate.Limit(cfg.PerSecond), 1)
	for {
		resp, err := a.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			PageSize: int32(cfg.PageSize), NextPageToken: p.Token, Query: query,
		})
		if err != nil {
			return ArchivePassResult{}, fmt.Errorf("list closed executions (%s): %w", query, err)
		}
		archived, gone, err := a.archivePage(ctx, cfg, lim, resp.GetExecutions(), func(archived, gone int) {
			activity.RecordHeartbeat(ctx, archivePass{Upper: p.Upper, Token: p.Token, Listed: p.Listed, Archived: p.Archived + archived, Gone: p.Gone + gone})
		})
		if err != nil {
			return ArchivePassResult{}, err
		}
		p.Listed += len(resp.GetExecutions())
		p.Archived += archived
		p.Gone += gone
		p.Token = resp.GetNextPageToken()
		activity.RecordHeartbeat(ctx, p)
		if len(p.Token) == 0 {
			break
		}
	}
	out := ArchivePassResult{Watermark: p.Upper, Listed: p.Listed, Archived: p.Archived, Gone: p.Gone, Interval: cfg.Interval}
	if in.CheckExpiring && cfg.Retention > 0 {
		n, err := a.archiveExpiring(ctx, cfg, lim, p.Upper)
		if err != nil {
			return ArchivePassResult{}, err
		}
		out.Expiring = n
	}
	return out, nil
}

// archivePage stores the history of each execution of a page not yet
// archived, calling progress after each; it returns how many it stored and
// how many were gone from Temporal.
func (a *Activities) archivePage(ctx context.Context, cfg ArchiveConfig, lim *rate.Limiter, execs []*workflowpb.WorkflowExecutionInfo, progress func(archived, gone int)) (int, int, error) {
	runs := make([]string, 0, len(execs))
	for _, e := range execs {
		runs = append(runs, e.GetExecution().GetRunId())
	}
	have, err := cfg.Store.Archived(ctx, runs)
	if err != nil {
		return 0, 0, err
	}
	archived, gone := 0, 0
	for _, e := range execs {
		if have[e.GetExecution().GetRunId()] {
			continue
		}
		progress(archived, gone) // alive while the limiter holds it back
		if err := lim.Wait(ctx); err != nil {
			return 0, 0, fmt.Errorf("rate limit: %w", err)
		}
		stored, err := a.archiveOne(ctx, cfg.Store, e)
		var nf *serviceerror.NotFound
		switch {
		case errors.As(err, &nf):
			// Deleted between listing and reading: there is nothing to copy.
			activity.GetLogger(ctx).Error("closed execution deleted from Temporal before it was archived",
				"workflow_id", e.GetExecution().GetWorkflowId(), "run_id", e.GetExecution().GetRunId())
			gone++
		case err != nil:
			return 0, 0, err
		case stored:
			archived++
		}
		progress(archived, gone)
	}
	return archived, gone, nil
}

// archiveOne reads an execution's complete history and stores it.
func (a *Activities) archiveOne(ctx context.Context, store archive.Store, e *workflowpb.WorkflowExecutionInfo) (bool, error) {
	id, run := e.GetExecution().GetWorkflowId(), e.GetExecution().GetRunId()
	h, err := archive.Fetch(ctx, a.Temporal, id, run)
	if err != nil {
		return false, err
	}
	b, err := archive.HistoryJSON(h)
	if err != nil {
		return false, fmt.Errorf("archive %s run %s: %w", id, run, err)
	}
	rec := archive.RecordOf(e)
	rec.Events = len(h.GetEvents())
	return store.Put(ctx, rec, b)
}

// archiveExpiring looks for closed executions older than four fifths of the
// retention that are not archived, logs each at error level (an alert: the
// archiver fell behind or missed it) and archives it while Temporal still
// has it. It returns how many it found.
func (a *Activities) archiveExpiring(ctx context.Context, cfg ArchiveConfig, lim *rate.Limiter, now time.Time) (int, error) {
	cutoff := now.Add(-(cfg.Retention - cfg.Retention/5))
	query := ClosedQuery(time.Time{}, cutoff)
	found := 0
	var token []byte
	for {
		resp, err := a.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			PageSize: int32(cfg.PageSize), NextPageToken: token, Query: query,
		})
		if err != nil {
			return 0, fmt.Errorf("list executions near the end of retention (%s): %w", query, err)
		}
		runs := make([]string, 0, len(resp.GetExecutions()))
		for _, e := range resp.GetExecutions() {
			runs = append(runs, e.GetExecution().GetRunId())
		}
		have, err := cfg.Store.Archived(ctx, runs)
		if err != nil {
			return 0, err
		}
		var missing []*workflowpb.WorkflowExecutionInfo
		for _, e := range resp.GetExecutions() {
			if !have[e.GetExecution().GetRunId()] {
				closed := e.GetCloseTime().AsTime()
				activity.GetLogger(ctx).Error("closed execution about to leave retention unarchived",
					"workflow_id", e.GetExecution().GetWorkflowId(), "run_id", e.GetExecution().GetRunId(),
					"closed_at", closed, "expires_at", closed.Add(cfg.Retention))
				missing = append(missing, e)
			}
		}
		found += len(missing)
		if _, _, err := a.archivePage(ctx, cfg, lim, missing, func(int, int) { activity.RecordHeartbeat(ctx) }); err != nil {
			return 0, err
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return found, nil
		}
	}
}
