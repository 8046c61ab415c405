package workflows_test

import (
	"testing"
	"time"

	"github.com/cityapprovals/approvals/audit"
	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/stretchr/testify/require"
)

// Filed Monday 2026-03-02 at 23:59:59 Beijing time; the workflow first runs
// Tuesday 09:00 (the worker was down overnight).
var (
	filedLate  = time.Date(2026, 3, 2, 23, 59, 59, 0, bj(2026, 3, 2, 0, 0).Location())
	ranMorning = bj(2026, 3, 3, 9, 0)
)

// Xiamen 第二十三条: the 3-day preliminary review counts 自申请之日起, from
// the filing instant the API recorded (due Thursday 03-05), not from when the
// workflow ran (which would give Friday 03-06).
func TestPreliminaryReviewCountsFromFilingXiamen23(t *testing.T) {
	h, in := newOpen(t, "xiamen", models.OpenKindUse, ranMorning, "2026-12-31")
	in.Application.FiledAt = filedLate
	pre := oaID + ".preliminary-1.infocenter"
	h.at(bj(2026, 3, 3, 10, 0), func() {
		require.Equal(t, "2026-03-05", h.task(pre).DueDate, "xiamen 第二十三条: 3 working days from the filing on 03-02")
		require.Equal(t, dueOf(t, filedLate, 3), h.task(pre).DueDate)
		// The timeline counts the allowed days from the filing too, not
		// from when the task row was written the next morning.
		c := audit.Compliance(h.task(pre), holidays.Default(), h.env.Now())
		require.Equal(t, 3, c.WorkingDaysAllowed, "timeline: 3 working days allowed from the filing (第二十三条)")
	})
	h.decideAt(bj(2026, 3, 3, 11, 0), workflows.Decision{TaskID: pre, Decision: workflows.DecisionApprove, Actor: infoAct()})
	h.decideAt(bj(2026, 3, 4, 11, 0), workflows.Decision{TaskID: oaDecisionAuth, Decision: workflows.DecisionReject, Reason: "不符合开放条件", Actor: authAct("xiamen")})
	st := h.runOpen(in)
	require.Equal(t, models.OpenRejected, st.Status)
}

// Wuhan 第十一条: the authority completes its review (复核) within 3 working
// days of the submission the API recorded, not of when the workflow ran.
func TestCatalogReviewCountsFromSubmissionWuhan11(t *testing.T) {
	h := newEnv(t, ranMorning, changeWF)
	h.seedCatalog("wuhan")
	in := h.changeInput("wuhan", "")
	in.Change.SubmittedAt = filedLate
	review := changeID + ".review-1.authority"
	h.at(bj(2026, 3, 3, 10, 0), func() {
		require.Equal(t, "2026-03-05", h.task(review).DueDate, "wuhan 第十一条: 3 working days from the submission on 03-02")
	})
	h.decideAt(bj(2026, 3, 3, 11, 0), workflows.Decision{TaskID: review, Decision: workflows.DecisionApprove, Actor: authAct("wuhan")})
	st := h.runChange(in)
	require.Equal(t, models.ChangeApplied, st.Status)
}
