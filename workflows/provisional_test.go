package workflows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/stretchr/testify/require"
)

// noticeTask is the authority's notice that the request's deemed consent
// waits for the calendar.
const noticeTask = reqID + ".decision.awaiting-calendar"

// requireHeld checks, after the provisional due time (24:00 of 2027-01-04)
// has passed, that nothing was granted: the request waits, its task open,
// with an awaiting_calendar event and a notice task for the authority.
func requireHeld(t *testing.T, h *harness) {
	t.Helper()
	require.False(t, h.env.IsWorkflowCompleted(), "wuhan 第十七条 deemed consent applied on a provisional deadline (全国年节及纪念日放假办法: 2027 not published)")
	require.Empty(t, h.grants(), "granted on a provisional deadline")
	require.Equal(t, models.StatusPending, h.request().Status)
	tk := h.task(deptTask)
	require.Equal(t, models.TaskOpen, tk.Status)
	require.True(t, tk.Provisional)
	ev, ok := h.event("awaiting_calendar", deptTask)
	require.True(t, ok, "no awaiting_calendar event: %v", h.eventKinds())
	require.Contains(t, ev.Article, "第十七条")
	require.Contains(t, ev.Detail, "2027-01-04")
	n := h.task(noticeTask)
	require.Equal(t, models.TaskNotice, n.Kind)
	require.Equal(t, "authority", n.AssigneeRole)
	require.Equal(t, models.TaskOpen, n.Status)
}

// Wuhan 第十七条's deemed consent never rests on a provisional deadline: due
// 2027-01-04 on a calendar without 2027's schedule, the request waits past
// it; once 2027 is published (元旦 2026-12-31..2027-01-02) the deadline is
// 2027-01-05, already passed, and consent is deemed at the publication.
func TestDeemedConsentWaitsForPublishedCalendar(t *testing.T) {
	h := newHarness(t, "wuhan", models.ShareConditional, filedDec)
	h.at(bj(2027, time.January, 6, 8, 0), func() { requireHeld(t, h) })
	published := bj(2027, time.January, 6, 9, 0)
	h.at(published, h.publish2027)
	st := h.run()

	require.Equal(t, models.StatusGranted, st.Status)
	require.Equal(t, models.BasisDeemedConsent, st.Basis)
	require.Equal(t, "2027-01-05", st.DueDate)
	require.False(t, st.Provisional)
	r := h.request()
	require.NotNil(t, r.DecidedAt)
	require.False(t, r.DecidedAt.Before(published), "deemed consent at %s, before the calendar was published", r.DecidedAt)
	require.Len(t, h.grants(), 1)
	n := h.task(noticeTask)
	require.Equal(t, models.TaskDone, n.Status)
	require.True(t, strings.HasPrefix(n.Decision, "calendar published: due 2027-01-05"), n.Decision)
}

// While the deemed consent waits, the provider may still decide: its
// refusal ends the request (no consent is deemed afterwards).
func TestProviderDecidesWhileConsentWaits(t *testing.T) {
	h := newHarness(t, "wuhan", models.ShareConditional, filedDec)
	h.at(bj(2027, time.January, 5, 12, 0), func() { requireHeld(t, h) })
	u := h.decideAt(bj(2027, time.January, 5, 13, 0), workflows.Decision{TaskID: deptTask, Decision: workflows.DecisionReject, Reason: "不符合共享条件", Actor: provAct()})
	st := h.run()

	requireAccepted(t, u, deptTask, workflows.DecisionReject)
	require.Equal(t, models.StatusRejected, st.Status)
	require.Empty(t, h.grants())
	require.Equal(t, models.TaskDone, h.task(noticeTask).Status)
}

// A publication that puts the final deadline after the instant it arrives
// lifts the wait: the notice closes, and consent is deemed at the new due
// time, not before.
func TestPublishedCalendarMovesHeldDeadlineLater(t *testing.T) {
	h := newHarness(t, "wuhan", models.ShareConditional, filedDec)
	s := test2027
	s.Holidays = append(s.Holidays, holidays.Holiday{Name: "测试", From: "2027-01-05", To: "2027-01-06"})
	h.at(bj(2027, time.January, 5, 9, 0), func() {
		requireHeld(t, h)
		pub, err := models.PublishCalendarYear(h.db, s, "admin1", h.env.Now())
		require.NoError(t, err)
		h.env.SignalWorkflow(workflows.SignalCalendarChanged, workflows.CalendarChanged{Year: 2027, CalendarVersion: pub.Calendar.Version()})
	})
	h.at(bj(2027, time.January, 6, 9, 0), func() {
		require.False(t, h.env.IsWorkflowCompleted(), "consent deemed before the final deadline 2027-01-07")
		n := h.task(noticeTask)
		require.Equal(t, models.TaskDone, n.Status)
		require.Contains(t, n.Decision, "calendar published")
	})
	st := h.run()
	require.Equal(t, models.BasisDeemedConsent, st.Basis)
	require.Equal(t, "2027-01-07", st.DueDate)
	sameInstant(t, midnightAfter(t, "2027-01-07"), h.request().DecidedAt, "deemed consent at the final due time")
}
