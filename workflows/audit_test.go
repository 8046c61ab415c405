package workflows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/audit"
	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/stretchr/testify/require"
)

// The timeline and the deadline report read what the real activities record
// when silence decides: here the paths that the end-to-end tests cannot wait
// for (deemed consent; overdue, escalation and a late decision).

func kinds(tl audit.Timeline) string {
	var ks []string
	for _, e := range tl.Entries {
		ks = append(ks, e.Kind)
	}
	return strings.Join(ks, " ")
}

func TestAuditOfWuhanDeemedConsent(t *testing.T) {
	h := newHarness(t, "wuhan", models.ShareConditional, filedOct)
	rule := h.in.Profile.ShareRequest
	h.run()
	cal, now := holidays.Default(), midnightAfter(t, oct10th).Add(48*time.Hour)
	tl := audit.BuildTimeline(audit.Procedure{ID: reqID}, h.events(), h.tasks(), cal, now)
	require.Equal(t, "filed task_opened reminder deemed_outcome completion", kinds(tl))
	deemed := tl.Entries[3]
	require.Equal(t, rule.SilenceArticle, deemed.Article)
	require.Equal(t, "deemed_consent", deemed.Decision)
	require.Equal(t, "2025-10-17T00:00:00+08:00", deemed.At.Beijing)
	require.Equal(t, "2025-10-16T16:00:00Z", deemed.At.UTC)
	require.Len(t, tl.Tasks, 1)
	c := tl.Tasks[0]
	require.False(t, c.Late, "consent by law at the due time is not late")
	require.Equal(t, 10, c.WorkingDaysAllowed)
	require.Equal(t, 10, c.WorkingDaysUsed)

	rows := audit.DeadlineReport(h.tasks(), cal, now)
	require.Len(t, rows, 1)
	require.Equal(t, 1, rows[0].Deemed)
	require.Equal(t, 0, rows[0].CompletedOnTime+rows[0].Late+rows[0].StillOverdue)
	require.Equal(t, 10.0, *rows[0].MedianWorkingDaysUsed)
}

func TestAuditOfWeifangLateDecision(t *testing.T) {
	h := newHarness(t, "weifang", models.ShareConditional, filedOct)
	approveAt := midnightAfter(t, oct10th).Add(3*24*time.Hour + 9*time.Hour) // Mon 2025-10-20 09:00
	cal := holidays.Default()

	var open audit.Timeline
	h.at(approveAt.Add(-time.Hour), func() {
		open = audit.BuildTimeline(audit.Procedure{ID: reqID}, h.events(), h.tasks(), cal, approveAt.Add(-time.Hour))
	})
	h.decideAt(approveAt, approve(deptTask, provAct()))
	h.run()

	// While it waited, the decision task was late and still open.
	require.Equal(t, "filed task_opened reminder overdue escalation", kinds(open))
	for _, c := range open.Tasks {
		if c.TaskID == deptTask {
			require.True(t, c.Late)
			require.Nil(t, c.DoneAt)
			require.Equal(t, 12, c.WorkingDaysUsed) // 10 to Thu 16, Fri 17, Mon 20 October
		}
	}

	tl := audit.BuildTimeline(audit.Procedure{ID: reqID}, h.events(), h.tasks(), cal, approveAt.Add(time.Hour))
	require.Equal(t, "filed task_opened reminder overdue escalation decision supervision_resolved completion", kinds(tl))
	require.Equal(t, h.in.Profile.ShareRequest.SilenceArticle, tl.Entries[3].Article)
	require.Equal(t, "approve", tl.Entries[5].Decision)
	byID := map[string]audit.TaskCompliance{}
	for _, c := range tl.Tasks {
		byID[c.TaskID] = c
	}
	require.True(t, byID[deptTask].Late)
	require.Equal(t, 12, byID[deptTask].WorkingDaysUsed)
	require.Equal(t, "supervision", byID[supervisionTask].Kind)
	require.False(t, byID[supervisionTask].Late, "resolved within its own period")

	rows := audit.DeadlineReport(h.tasks(), cal, approveAt.Add(time.Hour))
	require.Len(t, rows, 1, "the supervision task is not a received request")
	require.Equal(t, audit.DeadlineRow{Department: provider, Procedure: "share_request", Jurisdiction: "weifang",
		Article: h.in.Profile.ShareRequest.Decision.Article, Statutory: true, Filed: 1, Late: 1,
		MedianWorkingDaysUsed: rows[0].MedianWorkingDaysUsed}, rows[0], "a statutory breach of 第二十条, with its article")
	require.Equal(t, 12.0, *rows[0].MedianWorkingDaysUsed)
}
