package workflows_test

import (
	"testing"
	"time"

	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/stretchr/testify/require"
)

// A duty change effective Fri 2025-09-26, with the window counted across
// 国庆、中秋 2025 (10-01..10-08 off; make-up working days Sun 09-28 and Sat
// 10-11) by hand: 09-28(1) 09-29(2) 09-30(3) 10-09(4) 10-10(5) 10-11(6)
// 10-13(7) 10-14(8) 10-15(9) 10-16(10) 10-17(11) 10-20(12) 10-21(13)
// 10-22(14) 10-23(15).
const effective = "2025-09-26"

var recordedOct = bj(2025, time.September, 26, 9, 0)

func (h *harness) triggerInput(city string) workflows.CatalogUpdateInput {
	h.t.Helper()
	from, err := holidays.ParseDate(effective)
	require.NoError(h.t, err)
	return workflows.CatalogUpdateInput{
		Trigger: models.CatalogTrigger{
			Header:        models.Header{ID: triggerID, WorkflowID: triggerWF, Jurisdiction: city},
			Dept:          owner,
			Kind:          models.TriggerDutyChange,
			EffectiveDate: effective,
			Description:   "机构改革职能划转",
			RecordedBy:    "carol(authority)",
			CreatedAt:     recordedOct,
		},
		From:    from,
		Profile: profile(h.t, city),
	}
}

func (h *harness) runTrigger(in workflows.CatalogUpdateInput) workflows.CatalogUpdateResult {
	h.t.Helper()
	return complete[workflows.CatalogUpdateResult](h.t, h.env, workflows.CatalogUpdate, in)
}

func (h *harness) submitChangeAt(when time.Time, id string) {
	h.at(when, func() {
		h.env.SignalWorkflow(workflows.SignalChangeSubmitted, workflows.ChangeSubmittedInput{ChangeID: id, At: when})
	})
}

// Leshan: 15 working days across the holiday; a reminder one working day
// before the end; on expiry the department is overdue and the authority gets
// a supervision task citing 第三十九条; the late change still ends the clock.
func TestCatalogUpdateReminderAndExpiry(t *testing.T) {
	h := newEnv(t, recordedOct, triggerWF)
	in := h.triggerInput("leshan")
	due := midnightAfter(t, "2025-10-23")
	h.at(recordedOct.Add(time.Hour), func() {
		tr := h.trigger()
		require.Equal(t, "2025-10-23", tr.DueDate)
		sameInstant(t, due, tr.DueAt, "trigger due_at")
		require.True(t, tr.Statutory)
		require.Contains(t, tr.Article, "第七条")
		tk := h.task(updateTask)
		require.Equal(t, models.TaskObligation, tk.Kind)
		require.Equal(t, regulations.RoleDepartment, tk.AssigneeRole)
		require.Equal(t, owner, tk.AssigneeDept)
		require.Equal(t, "2025-10-23", tk.DueDate)
		require.Nil(t, tk.RemindedAt)
	})
	var onObligation *upd
	h.at(due.Add(-time.Hour), func() { // 2025-10-23 23:00: reminded at the end of the 14th day
		tk := h.task(updateTask)
		require.NotNil(t, tk.RemindedAt)
		sameInstant(t, midnightAfter(t, "2025-10-22"), tk.RemindedAt, "reminded_at")
		require.False(t, tk.Overdue)
		require.False(t, h.trigger().Overdue)
		// The obligation is met by submitting a change, not by a decision.
		onObligation = h.send(approve(updateTask, ownerAct()))
	})
	h.at(due.Add(time.Hour), func() {
		require.True(t, h.task(updateTask).Overdue)
		tr := h.trigger()
		require.True(t, tr.Overdue)
		require.Equal(t, models.TriggerOpen, tr.Status)
		sup := h.task(updateSup)
		require.Equal(t, models.TaskSupervision, sup.Kind)
		require.Equal(t, regulations.RoleAuthority, sup.AssigneeRole)
		require.Contains(t, sup.Article, "第三十九条")
		require.Equal(t, "2025-10-31", sup.DueDate)
		e, ok := h.event("overdue", updateTask)
		require.True(t, ok)
		require.Contains(t, e.Article, "第三十九条")
	})
	late := bj(2025, time.October, 27, 10, 0)
	h.submitChangeAt(late, "CC-LATE")
	st := h.runTrigger(in)

	requireRejected(t, onObligation, workflows.ErrInvalid)
	require.Equal(t, models.TriggerFulfilled, st.Status)
	require.True(t, st.Overdue)
	require.Equal(t, "CC-LATE", st.ChangeID)
	tr := h.trigger()
	require.Equal(t, models.TriggerFulfilled, tr.Status)
	require.Equal(t, "CC-LATE", tr.ChangeID)
	sameInstant(t, late, tr.FulfilledAt, "fulfilled_at")
	require.Equal(t, models.TaskDone, h.task(updateTask).Status)
	require.Equal(t, workflows.OutcomeFulfilled, h.task(updateTask).Decision)
	require.Equal(t, models.TaskDone, h.task(updateSup).Status)
}

// Each city's window; a change submitted in time ends the clock with no
// supervision. Wuhan says "promptly": the service level, not statutory.
func TestCatalogUpdateWindowPerCity(t *testing.T) {
	cases := []struct {
		city, due string
		statutory bool
	}{
		{"wuhan", "2025-10-10", false},
		{"weifang", "2025-10-23", true},
		{"changsha", "2025-10-23", true},
		{"xiamen", "2025-10-13", true},
		{"leshan", "2025-10-23", true},
	}
	for _, c := range cases {
		t.Run(c.city, func(t *testing.T) {
			h := newEnv(t, recordedOct, triggerWF)
			in := h.triggerInput(c.city)
			h.at(recordedOct.Add(time.Hour), func() {
				v, err := h.env.QueryWorkflow(workflows.QueryState)
				require.NoError(t, err)
				var st workflows.CatalogUpdateResult
				require.NoError(t, v.Get(&st))
				require.Equal(t, c.due, st.DueDate)
				require.Equal(t, c.statutory, st.Statutory)
				require.Equal(t, in.Profile.CatalogChange.Update.Article, st.Article)
			})
			h.submitChangeAt(bj(2025, time.October, 9, 10, 0), changeID)
			st := h.runTrigger(in)
			require.Equal(t, models.TriggerFulfilled, st.Status)
			require.False(t, st.Overdue)
			require.Equal(t, c.due, h.trigger().DueDate)
			require.Equal(t, []string{updateTask}, h.taskIDs(), "no supervision")
			require.Equal(t, models.TaskDone, h.task(updateTask).Status)
		})
	}
}

// A trigger recorded after its reminder time (wuhan, effective Wed 2025-09-10:
// 09-11(1) 09-12(2) 09-15(3) 09-16(4) 09-17(5)), on the last day: the
// department is reminded at once, and overdue at 24:00.
func TestCatalogUpdateRecordedLateRemindsAtOnce(t *testing.T) {
	start := bj(2025, time.September, 17, 9, 0)
	h := newEnv(t, start, triggerWF)
	in := h.triggerInput("wuhan")
	in.Trigger.EffectiveDate, in.Trigger.CreatedAt = "2025-09-10", start
	from, err := holidays.ParseDate("2025-09-10")
	require.NoError(t, err)
	in.From = from
	h.at(start.Add(time.Minute), func() {
		tk := h.task(updateTask)
		require.Equal(t, "2025-09-17", tk.DueDate)
		sameInstant(t, start, tk.RemindedAt, "reminded at once")
		require.False(t, tk.Overdue)
	})
	h.at(midnightAfter(t, "2025-09-17").Add(time.Minute), func() {
		require.True(t, h.task(updateTask).Overdue)
		require.Equal(t, models.TaskOpen, h.task(updateSup).Status)
	})
	h.submitChangeAt(bj(2025, time.September, 18, 10, 0), changeID)
	st := h.runTrigger(in)
	require.True(t, st.Overdue)
	require.Equal(t, models.TriggerFulfilled, st.Status)
}
