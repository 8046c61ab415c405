package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/activities"
	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// Filed Sunday 2026-12-20, before the 2027 schedule is published: 10
// working days counted on weekends and the statutory holidays only (元旦
// 2027-01-01 is one) are 12-21..12-25 (5), 12-28..12-31 (9), Mon 2027-01-04
// (10), a provisional deadline, reminder after the 9th (12-31).
//
// test2027 (assumed, not the State Council's) makes 2026-12-31..2027-01-02
// 元旦: 12-28..12-30 (8), Mon 2027-01-04 (9), Tue 2027-01-05 (10).
var filedDec = bj(2026, time.December, 20, 10, 0)

var test2027 = holidays.Schedule{Year: 2027, Source: "test: assumed 2027 schedule",
	Holidays: []holidays.Holiday{{Name: "元旦", From: "2026-12-31", To: "2027-01-02"}}}

// publish2027 publishes test2027 in the harness's database and signals the
// procedure, as the re-timing job would.
func (h *harness) publish2027() {
	h.t.Helper()
	pub, err := models.PublishCalendarYear(h.db, test2027, "admin1", h.env.Now())
	require.NoError(h.t, err)
	h.env.SignalWorkflow(workflows.SignalCalendarChanged, workflows.CalendarChanged{Year: 2027, CalendarVersion: pub.Calendar.Version()})
}

// A newly published holiday moves a provisional deadline: the due timer and
// the reminder fire at the new times, not the old, and the database and the
// timeline show the recomputation.
func TestCalendarChangeMovesDeadline(t *testing.T) {
	h := newHarness(t, "wuhan", models.ShareConditional, filedDec)
	oldDue, newDue := midnightAfter(t, "2027-01-04"), midnightAfter(t, "2027-01-05")
	newRemind := midnightAfter(t, "2027-01-04")

	h.at(bj(2026, time.December, 21, 9, 0), func() {
		st := h.state()
		require.Equal(t, "2027-01-04", st.DueDate)
		require.True(t, st.Provisional)
		require.True(t, h.task(deptTask).Provisional)
	})
	h.at(bj(2026, time.December, 22, 9, 0), h.publish2027)
	h.at(bj(2026, time.December, 23, 9, 0), func() {
		st := h.state()
		require.Equal(t, "2027-01-05", st.DueDate)
		require.False(t, st.Provisional)
		tk := h.task(deptTask)
		require.Equal(t, "2027-01-05", tk.DueDate)
		require.True(t, newDue.Equal(tk.DueAt), "task due %s", tk.DueAt)
		require.False(t, tk.Provisional)
		r := h.request()
		require.Equal(t, "2027-01-05", r.DueDate)
		require.False(t, r.Provisional)
		h.publish2027() // told again: the same calendar changes nothing
	})
	h.at(bj(2026, time.December, 24, 9, 0), func() {
		// A late signal naming an older calendar (another job's): the
		// deadline is recomputed on the calendar in force, which it
		// already has.
		h.env.SignalWorkflow(workflows.SignalCalendarChanged, workflows.CalendarChanged{Year: 2026, CalendarVersion: holidays.Default().Version()})
	})
	h.at(bj(2026, time.December, 25, 9, 0), func() {
		require.Equal(t, "2027-01-05", h.task(deptTask).DueDate)
	})
	h.at(midnightAfter(t, "2026-12-31").Add(time.Hour), func() {
		_, reminded := h.event("reminder", deptTask)
		require.False(t, reminded, "reminded at the old time")
	})
	h.at(oldDue.Add(time.Hour), func() {
		require.False(t, h.env.IsWorkflowCompleted(), "the old due time still ended the step")
	})
	h.at(newRemind.Add(time.Minute), func() {
		ev, ok := h.event("reminder", deptTask)
		require.True(t, ok, "no reminder at the new time")
		require.True(t, newRemind.Equal(ev.At), "reminder at %s", ev.At)
	})
	st := h.run()

	require.Equal(t, models.StatusGranted, st.Status)
	require.Equal(t, models.BasisDeemedConsent, st.Basis)
	require.Equal(t, "2027-01-05", st.DueDate)
	r := h.request()
	sameInstant(t, newDue, r.DecidedAt, "deemed consent at the new due time")
	require.False(t, r.Provisional)
	require.NotEqual(t, holidays.Default().Version(), r.CalendarVersion)

	var recomputed []models.Event
	for _, e := range h.events() {
		if e.Kind == "deadline_recomputed" {
			recomputed = append(recomputed, e)
		}
	}
	require.Len(t, recomputed, 1, "one recomputation per calendar version")
	d := recomputed[0].Detail
	for _, want := range []string{"2027-01-04 → 2027-01-05", "no longer provisional", r.CalendarVersion, holidays.Default().Version()} {
		require.True(t, strings.Contains(d, want), "detail %q lacks %q", d, want)
	}
}

// A deadline that has passed is not reopened by a later calendar change.
func TestCalendarChangeAfterDeadlineIgnored(t *testing.T) {
	h := newHarness(t, "weifang", models.ShareConditional, filedDec)
	oldDue := midnightAfter(t, "2027-01-04")
	h.at(oldDue.Add(time.Hour), func() {
		require.True(t, h.task(deptTask).Overdue)
		h.publish2027()
	})
	approveAt := oldDue.Add(48 * time.Hour)
	late := h.decideAt(approveAt, approve(deptTask, provAct()))
	st := h.run()

	requireAccepted(t, late, deptTask, workflows.DecisionApprove)
	require.True(t, st.Overdue)
	require.Equal(t, "2027-01-04", st.DueDate)
	tk := h.task(deptTask)
	require.Equal(t, "2027-01-04", tk.DueDate)
	require.True(t, tk.Overdue)
	_, ok := h.event("deadline_recomputed", "")
	require.False(t, ok, "a passed deadline was recomputed")
}

// The re-timing job pages through visibility: it passes each page's token
// to the next page and sums what the pages did.
func TestCalendarRetimePages(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(nopLogger{})
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(workflows.CalendarRetime)
	env.RegisterActivity(&activities.Activities{})
	var acts *activities.Activities
	var tokens []string
	pages := map[string]activities.RetimePageResult{
		"":   {NextPageToken: []byte("p2"), Signalled: 200},
		"p2": {NextPageToken: []byte("p3"), Signalled: 199, Gone: 1},
		"p3": {Signalled: 7},
	}
	env.OnActivity(acts.RetimePage, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RetimePageInput) (activities.RetimePageResult, error) {
			tokens = append(tokens, string(in.PageToken))
			require.Equal(t, activities.RetimeQuery(2027), in.Query)
			require.Equal(t, "v2027", in.Change.CalendarVersion)
			return pages[string(in.PageToken)], nil
		})
	env.ExecuteWorkflow(workflows.CalendarRetime, workflows.RetimeJob{Year: 2027, CalendarVersion: "v2027", Query: activities.RetimeQuery(2027)})
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var p workflows.RetimeProgress
	require.NoError(t, env.GetWorkflowResult(&p))
	require.Equal(t, []string{"", "p2", "p3"}, tokens)
	require.Equal(t, workflows.RetimeProgress{Year: 2027, CalendarVersion: "v2027", Pages: 3, Signalled: 406, Gone: 1, Done: true,
		StartedAt: p.StartedAt, FinishedAt: p.FinishedAt, Seconds: p.Seconds, PerSecond: p.PerSecond}, p)
	require.True(t, p.Done)
}

// After a bounded number of pages the job continues as new, carrying its
// page token and counts, so its history stays small however many procedures
// there are.
func TestCalendarRetimeContinuesAsNew(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(nopLogger{})
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(workflows.CalendarRetime)
	env.RegisterActivity(&activities.Activities{})
	var acts *activities.Activities
	calls := 0
	env.OnActivity(acts.RetimePage, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RetimePageInput) (activities.RetimePageResult, error) {
			calls++
			return activities.RetimePageResult{NextPageToken: []byte(fmt.Sprintf("p%d", calls)), Signalled: 10}, nil
		})
	env.ExecuteWorkflow(workflows.CalendarRetime, workflows.RetimeJob{Year: 2027, CalendarVersion: "v", Query: "q"})
	var can *workflow.ContinueAsNewError
	require.True(t, errors.As(env.GetWorkflowError(), &can), "err %v", env.GetWorkflowError())
	var next workflows.RetimeJob
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	require.Greater(t, calls, 1)
	require.Equal(t, calls, next.Pages)
	require.Equal(t, 10*calls, next.Signalled)
	require.Equal(t, fmt.Sprintf("p%d", calls), string(next.PageToken))
	require.False(t, next.StartedAt.IsZero(), "the start time carries over")
}
