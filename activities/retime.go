package activities

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"
	"gorm.io/gorm"
)

// SignalCalendarChanged tells a running procedure that a year's holiday
// schedule was published or corrected: its open deadlines are recomputed.
const SignalCalendarChanged = "calendar-changed"

// CalendarChanged is the payload of SignalCalendarChanged.
type CalendarChanged struct {
	Year            int
	CalendarVersion string // holidays.Calendar.Version of the calendar now in force
}

// RetimeInput records that a step's deadline was recomputed on a new
// calendar.
type RetimeInput struct {
	Procedure   string // empty in histories from before it was sent: a share request
	ProcedureID string
	Step        string
	TaskIDs     []string // the step's open tasks
	Old, New    Deadline
	At          time.Time
	Article     string
}

// RetimeTasks moves the due time of open tasks (and of the procedure's
// record) to a recomputed deadline, clears or sets provisional, and records
// a deadline_recomputed event naming the old and new due dates and the
// calendar version. Closed tasks keep their due time.
func (a *Activities) RetimeTasks(ctx context.Context, in RetimeInput) error {
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		n := in.New
		if err := tx.Model(&models.Task{}).Where("id IN ? AND status = ?", in.TaskIDs, models.TaskOpen).Updates(map[string]any{
			"due_date": n.DueDate, "due_at": n.DueAt.UTC(), "provisional": n.Provisional,
		}).Error; err != nil {
			return fmt.Errorf("retime tasks of %s: %w", in.ProcedureID, err)
		}
		// The procedure's record shows the open step's deadline: move it
		// where it still shows the old one.
		if err := a.writeHeader(tx, in.Procedure, in.ProcedureID, map[string]any{
			"due_date": n.DueDate, "due_at": n.DueAt.UTC(), "provisional": n.Provisional, "calendar_version": n.CalendarVersion,
		}, in.Old.DueDate); err != nil {
			return err
		}
		ev := event(in.ProcedureID, in.Step, "deadline_recomputed/"+n.CalendarVersion, in.At)
		ev.Kind, ev.Actor, ev.Article = "deadline_recomputed", "calendar", in.Article
		ev.Detail = fmt.Sprintf("due %s → %s (24:00 Beijing time)%s; calendar %s → %s",
			in.Old.DueDate, n.DueDate, provisionalChange(in.Old.Provisional, n.Provisional), in.Old.CalendarVersion, n.CalendarVersion)
		if err := insertOnce(tx, &ev); err != nil {
			return fmt.Errorf("record recomputation of %s: %w", in.ProcedureID, err)
		}
		return nil
	})
}

func provisionalChange(was, is bool) string {
	switch {
	case was && !is:
		return "; no longer provisional"
	case is:
		return "; still provisional: a year it reaches is not yet published"
	}
	return ""
}

// RetimeQuery is the visibility query of the running procedures whose open
// deadline a new schedule of year can move: those due on or after the
// earliest day that schedule may list, not yet overdue (a deadline that
// passed is not reopened).
func RetimeQuery(year int) string {
	from := holidays.FirstAffected(year).Format(time.RFC3339)
	return fmt.Sprintf("ExecutionStatus = 'Running' AND DueAt >= '%s' AND Overdue = false", from)
}

// RetimePageInput asks for one page of procedures to be told of a new
// calendar.
type RetimePageInput struct {
	Query     string
	PageToken []byte
	PageSize  int
	PerSecond float64 // signals per second, at most
	Change    CalendarChanged
}

// RetimePageResult is what one page did.
type RetimePageResult struct {
	NextPageToken []byte
	Signalled     int // procedures told
	Gone          int // procedures that ended between listing and signalling
}

// retimeProgress is heartbeated so that a retried page resumes where the
// failed attempt stopped, with the same listing, instead of listing again.
type retimeProgress struct {
	IDs       []string
	Next      []byte
	Done      int
	Signalled int
	Gone      int
}

// signalConcurrency bounds the signals in flight. A signal waits for the
// server to write it into the procedure's history (about a second each on
// the shared 2-core machine under load, README Benchmarks), so eight at a time told
// 8 procedures a second, far below the rate limit; the rate limiter bounds
// how many start per second.
const signalConcurrency = 64

// RetimePage lists one page of the procedures the query finds and signals
// each of them SignalCalendarChanged, at most PerSecond a second and
// signalConcurrency at a time. It heartbeats its progress (the procedures
// before Done are told); a retry (after a worker crash) resumes from the
// last heartbeat, so at most the signals in flight then are sent twice,
// which the procedures ignore (same calendar version).
func (a *Activities) RetimePage(ctx context.Context, in RetimePageInput) (RetimePageResult, error) {
	var p retimeProgress
	if activity.HasHeartbeatDetails(ctx) {
		if err := activity.GetHeartbeatDetails(ctx, &p); err != nil {
			return RetimePageResult{}, fmt.Errorf("read progress: %w", err)
		}
	} else {
		resp, err := a.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			PageSize: int32(in.PageSize), NextPageToken: in.PageToken, Query: in.Query,
		})
		if err != nil {
			return RetimePageResult{}, fmt.Errorf("list procedures (%s): %w", in.Query, err)
		}
		for _, e := range resp.Executions {
			p.IDs = append(p.IDs, e.GetExecution().GetWorkflowId())
		}
		p.Next = resp.NextPageToken
		activity.RecordHeartbeat(ctx, p)
	}
	// Burst 1: signals start evenly spaced, at most PerSecond a second.
	lim := rate.NewLimiter(rate.Limit(in.PerSecond), 1)
	todo := p.IDs[p.Done:]
	// outcome of each signal: 0 in flight, 1 told, 2 gone; under mu, with
	// the progress, which advances over the prefix that is settled.
	outcome := make([]int, len(todo))
	var mu sync.Mutex
	settle := func(i, o int) {
		mu.Lock()
		defer mu.Unlock()
		outcome[i] = o
		for k := p.Done - (len(p.IDs) - len(todo)); k < len(todo) && outcome[k] != 0; k++ {
			if outcome[k] == 2 {
				p.Gone++
			} else {
				p.Signalled++
			}
			p.Done++
		}
		activity.RecordHeartbeat(ctx, p) // the SDK sends at most one per interval
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(signalConcurrency)
	for i, id := range todo {
		if err := lim.Wait(gctx); err != nil {
			break // the group's error, or the activity's end, below
		}
		g.Go(func() error {
			err := a.Temporal.SignalWorkflow(gctx, id, "", SignalCalendarChanged, in.Change)
			var nf *serviceerror.NotFound
			switch {
			case errors.As(err, &nf):
				settle(i, 2)
			case err != nil:
				return fmt.Errorf("signal %s: %w", id, err)
			default:
				settle(i, 1)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return RetimePageResult{}, err
	}
	if err := ctx.Err(); err != nil {
		return RetimePageResult{}, fmt.Errorf("re-time page: %w", err)
	}
	return RetimePageResult{NextPageToken: p.Next, Signalled: p.Signalled, Gone: p.Gone}, nil
}

// AwaitCalendarInput records that a step's irreversible outcome waits for a
// year's holiday schedule.
type AwaitCalendarInput struct {
	ProcedureID string
	TaskIDs     []string // the step's open tasks
	Due         Deadline // the provisional deadline that passed
	Outcome     string   // the outcome held, e.g. deemed_consent
	At          time.Time
	Article     string
}

// AwaitCalendar records an awaiting_calendar event on each open task: the
// due time passed on a provisional deadline, so the outcome on silence is
// not applied until the schedule is published (an irreversible outcome never
// rests on a guessed calendar). One event per task and calendar version.
func (a *Activities) AwaitCalendar(ctx context.Context, in AwaitCalendarInput) error {
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, id := range in.TaskIDs {
			ev := event(in.ProcedureID, id, "awaiting_calendar/"+in.Due.CalendarVersion, in.At)
			ev.Kind, ev.TaskID, ev.Actor, ev.Article = "awaiting_calendar", id, "calendar", in.Article
			ev.Detail = fmt.Sprintf("due %s (24:00 Beijing time) passed, but the deadline is provisional: a year it counts through has no published holiday schedule; %s is not applied until the schedule is published and the deadline recomputed (calendar %s); a decision may still be taken",
				in.Due.DueDate, in.Outcome, in.Due.CalendarVersion)
			if err := insertOnce(tx, &ev); err != nil {
				return fmt.Errorf("record %s awaiting the calendar: %w", in.ProcedureID, err)
			}
		}
		return nil
	})
}
