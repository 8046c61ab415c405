package workflows_test

import (
	"testing"
	"time"

	"github.com/cityapprovals/approvals/activities"
	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
)

// Filing dates used below, with due dates counted by hand on the official
// calendar (国务院办公厅关于2025年部分节假日安排的通知).
//
// Filed Wed 2025-04-30 (劳动节 05-01..05-05 off; make-up day 04-27 is before
// the filing): working days 05-06(1) 05-07(2) 05-08(3) 05-09(4) 05-12(5)
// 05-13(6) 05-14(7) 05-15(8) 05-16(9) 05-19(10).
//
// Filed Fri 2025-09-26 07:30 Beijing time, which is still 2025-09-25 in UTC
// (国庆节、中秋节 10-01..10-08 off; make-up days Sun 09-28 and Sat 10-11):
// 09-28(1) 09-29(2) 09-30(3) 10-09(4) 10-10(5) 10-11(6) 10-13(7) 10-14(8)
// 10-15(9) 10-16(10). Counting from the UTC date would give 10-15 instead.
var (
	filedMay = bj(2025, time.April, 30, 10, 0)
	filedOct = bj(2025, time.September, 26, 7, 30)
)

const (
	may5th  = "2025-05-12"
	may10th = "2025-05-19"
	oct4th  = "2025-10-09"
	oct5th  = "2025-10-10"
	oct9th  = "2025-10-15"
	oct10th = "2025-10-16"
	// Supervision of a task overdue at 24:00 of 2025-10-16 (i.e. on Fri
	// 2025-10-17): 5 working days 10-20(1) .. 10-24(5).
	octSupervision = "2025-10-24"
)

// 1. Unconditional data is granted at once in every city, with no task.
func TestShareUnconditionalGrantedAtOnce(t *testing.T) {
	for _, city := range []string{"wuhan", "weifang", "changsha", "xiamen", "leshan"} {
		t.Run(city, func(t *testing.T) {
			h := newHarness(t, city, models.ShareUnconditional, filedMay)
			p := h.in.Profile
			st := h.run()

			require.Equal(t, models.StatusGranted, st.Status)
			require.Equal(t, models.BasisUnconditional, st.Basis)
			require.Equal(t, p.ShareRequest.UnconditionalArticle, st.Article)
			require.Empty(t, st.DueDate)
			require.False(t, st.Overdue)

			r := h.request()
			require.Equal(t, models.StatusGranted, r.Status)
			require.Equal(t, models.BasisUnconditional, r.Basis)
			require.Equal(t, p.ShareRequest.UnconditionalArticle, r.Article)
			require.Empty(t, r.DueDate)
			require.Nil(t, r.DueAt)
			sameInstant(t, filedMay, r.DecidedAt, "decided_at")

			gs := h.grants()
			require.Len(t, gs, 1)
			require.Equal(t, "grant-"+reqID, gs[0].ID)
			require.Equal(t, reqDept, gs[0].Dept)
			require.Equal(t, "ITEM-1", gs[0].CatalogItemID)
			require.Equal(t, models.BasisUnconditional, gs[0].Basis)
			require.Equal(t, h.in.Request.Purpose, gs[0].Purpose)
			require.True(t, filedMay.Equal(gs[0].GrantedAt))

			require.Empty(t, h.tasks())
			require.Equal(t, []string{"filed", models.StatusGranted}, h.eventKinds())
		})
	}
}

// 2. The conditional branch of each city: who decides, the due date, and
// that every decider must approve.
func TestShareConditionalPerCity(t *testing.T) {
	cases := []struct {
		city    string
		tasks   []string // in the order the deciders approve
		dueDate string
	}{
		{"wuhan", []string{deptTask}, may10th},
		{"weifang", []string{deptTask}, may10th},
		{"changsha", []string{deptTask}, may10th},
		{"xiamen", []string{authTask, deptTask}, may5th},
		{"leshan", []string{deptTask, authTask}, may10th},
	}
	for _, c := range cases {
		t.Run(c.city, func(t *testing.T) {
			h := newHarness(t, c.city, models.ShareConditional, filedMay)
			rule := h.in.Profile.ShareRequest
			dueAt := midnightAfter(t, c.dueDate)
			actor := func(task string) workflows.Actor {
				if task == authTask {
					return authAct(c.city)
				}
				return provAct()
			}

			// Before any decision: the tasks are open with the hand-computed due time.
			h.at(filedMay.Add(time.Hour), func() {
				st := h.state()
				require.Equal(t, models.StatusPending, st.Status)
				require.Equal(t, c.dueDate, st.DueDate)
				require.True(t, dueAt.Equal(st.DueAt), "state due_at %s", st.DueAt)
				require.False(t, st.Provisional)
				require.Equal(t, rule.Decision.Article, st.Article)

				r := h.request()
				require.Equal(t, models.StatusPending, r.Status)
				require.Equal(t, c.dueDate, r.DueDate)
				sameInstant(t, dueAt, r.DueAt, "request due_at")
				require.NotEmpty(t, r.CalendarVersion)

				ts := h.tasks()
				require.Len(t, ts, len(c.tasks))
				for _, tk := range ts {
					require.Equal(t, models.TaskDecision, tk.Kind)
					require.Equal(t, models.TaskOpen, tk.Status)
					require.Equal(t, c.dueDate, tk.DueDate, tk.ID)
					require.True(t, dueAt.Equal(tk.DueAt), "%s due_at %s", tk.ID, tk.DueAt)
					require.Equal(t, rule.Decision.Article, tk.Article)
					require.Equal(t, wfID, tk.WorkflowID)
					require.Equal(t, workflows.ProcedureShare, tk.Procedure)
					require.Equal(t, c.city, tk.Jurisdiction)
					switch tk.ID {
					case deptTask:
						require.Equal(t, regulations.RoleDepartment, tk.AssigneeRole)
						require.Equal(t, provider, tk.AssigneeDept)
					case authTask:
						require.Equal(t, regulations.RoleAuthority, tk.AssigneeRole)
						require.Empty(t, tk.AssigneeDept)
					default:
						t.Fatalf("unexpected task %s", tk.ID)
					}
				}
			})

			var ups []*upd
			for i, task := range c.tasks {
				when := filedMay.Add(time.Duration(2*i+2) * time.Hour)
				ups = append(ups, h.decideAt(when, approve(task, actor(task))))
				if i < len(c.tasks)-1 {
					// One approval alone does not finish the request.
					h.at(when.Add(time.Hour), func() {
						require.False(t, h.env.IsWorkflowCompleted())
						require.Equal(t, models.StatusPending, h.request().Status)
						require.Empty(t, h.grants())
						require.Equal(t, models.TaskDone, h.task(task).Status)
						require.Equal(t, models.TaskOpen, h.task(c.tasks[i+1]).Status)
					})
				}
			}
			st := h.run()
			for i, u := range ups {
				requireAccepted(t, u, c.tasks[i], workflows.DecisionApprove)
			}
			last := filedMay.Add(time.Duration(2*len(c.tasks)) * time.Hour)

			require.Equal(t, models.StatusGranted, st.Status)
			require.Equal(t, models.BasisDecision, st.Basis)
			require.Equal(t, rule.Decision.Article, st.Article)
			require.False(t, st.Overdue)

			r := h.request()
			require.Equal(t, models.StatusGranted, r.Status)
			require.Equal(t, models.BasisDecision, r.Basis)
			require.False(t, r.Overdue)
			sameInstant(t, last, r.DecidedAt, "request decided_at")
			gs := h.grants()
			require.Len(t, gs, 1)
			require.Equal(t, models.BasisDecision, gs[0].Basis)
			for _, id := range c.tasks {
				tk := h.task(id)
				require.Equal(t, models.TaskDone, tk.Status)
				require.Equal(t, workflows.DecisionApprove, tk.Decision)
				require.False(t, tk.Overdue)
				require.Nil(t, tk.RemindedAt)
			}
			_, reminded := h.event("reminder", "")
			require.False(t, reminded)
		})
	}
}

// 3. Wuhan: silence until 24:00 of the 10th working day is deemed consent
// (第十七条), counted across 国庆 with its make-up days.
func TestShareWuhanDeemedConsentAcrossHoliday(t *testing.T) {
	h := newHarness(t, "wuhan", models.ShareConditional, filedOct)
	rule := h.in.Profile.ShareRequest
	dueAt := midnightAfter(t, oct10th) // 2025-10-17 00:00 +08:00
	require.Equal(t, "2025-10-16T16:00:00Z", dueAt.UTC().Format(time.RFC3339))

	h.at(dueAt.Add(-time.Second), func() {
		require.False(t, h.env.IsWorkflowCompleted(), "finished before the deadline")
		require.Equal(t, models.StatusPending, h.request().Status)
		require.Empty(t, h.grants())
		require.Equal(t, models.TaskOpen, h.task(deptTask).Status)
	})
	st := h.run()

	require.Equal(t, models.StatusGranted, st.Status)
	require.Equal(t, models.BasisDeemedConsent, st.Basis)
	require.Equal(t, rule.SilenceArticle, st.Article)
	require.Equal(t, oct10th, st.DueDate)
	require.True(t, dueAt.Equal(st.DueAt))
	require.False(t, st.Overdue, "consent by law at the deadline is not overdue")

	r := h.request()
	require.Equal(t, models.StatusGranted, r.Status)
	require.Equal(t, models.BasisDeemedConsent, r.Basis)
	require.False(t, r.Overdue)
	require.Equal(t, rule.SilenceArticle, r.Article)
	require.Equal(t, oct10th, r.DueDate)
	sameInstant(t, dueAt, r.DueAt, "request due_at")
	sameInstant(t, dueAt, r.DecidedAt, "request decided_at")

	gs := h.grants()
	require.Len(t, gs, 1)
	require.Equal(t, models.BasisDeemedConsent, gs[0].Basis)
	require.True(t, dueAt.Equal(gs[0].GrantedAt), "granted at %s", gs[0].GrantedAt)

	require.Equal(t, []string{deptTask}, h.taskIDs(), "no supervision task on deemed consent")
	tk := h.task(deptTask)
	require.Equal(t, models.TaskDone, tk.Status)
	require.Equal(t, workflows.OutcomeDeemedConsent, tk.Decision)
	require.Equal(t, "system", tk.DecidedBy)
	sameInstant(t, dueAt, tk.DecidedAt, "task decided_at")

	ev, ok := h.event(models.StatusGranted, "")
	require.True(t, ok)
	require.True(t, dueAt.Equal(ev.At), "granted event at %s", ev.At)
	require.Equal(t, models.BasisDeemedConsent, ev.Detail)
	ev, ok = h.event("task_done", deptTask)
	require.True(t, ok)
	require.True(t, dueAt.Equal(ev.At))
	require.Equal(t, rule.SilenceArticle, ev.Article)
	_, ok = h.event("overdue", "")
	require.False(t, ok, "deemed consent does not flag the task overdue")
}

// 4. Weifang names no consequence of silence: at the due time the task and
// the request are flagged overdue and the authority gets a supervision task,
// while the request keeps waiting for the provider.
func TestShareWeifangOverdueEscalation(t *testing.T) {
	h := newHarness(t, "weifang", models.ShareConditional, filedOct)
	p := h.in.Profile
	dueAt := midnightAfter(t, oct10th)
	supDueAt := midnightAfter(t, octSupervision)
	approveAt := dueAt.Add(3 * 24 * time.Hour) // Mon 2025-10-20 00:00

	h.at(dueAt.Add(-time.Minute), func() {
		require.False(t, h.request().Overdue)
		require.False(t, h.task(deptTask).Overdue)
		require.Equal(t, []string{deptTask}, h.taskIDs())
	})
	var onSupervision *upd
	h.at(dueAt.Add(time.Hour), func() {
		require.False(t, h.env.IsWorkflowCompleted(), "the request must keep waiting")
		r := h.request()
		require.Equal(t, models.StatusPending, r.Status)
		require.True(t, r.Overdue, "request flagged overdue")
		require.Empty(t, h.grants())

		tk := h.task(deptTask)
		require.Equal(t, models.TaskOpen, tk.Status)
		require.True(t, tk.Overdue, "task flagged overdue")

		sup := h.task(supervisionTask)
		require.Equal(t, models.TaskSupervision, sup.Kind)
		require.Equal(t, models.TaskOpen, sup.Status)
		require.Equal(t, regulations.RoleAuthority, sup.AssigneeRole)
		require.Empty(t, sup.AssigneeDept)
		require.Equal(t, "weifang", sup.Jurisdiction)
		require.Equal(t, octSupervision, sup.DueDate)
		require.True(t, supDueAt.Equal(sup.DueAt), "supervision due %s", sup.DueAt)
		require.Equal(t, p.Supervision().Article, sup.Article)
		require.True(t, dueAt.Equal(sup.CreatedAt))

		ev, ok := h.event("overdue", deptTask)
		require.True(t, ok)
		require.True(t, dueAt.Equal(ev.At))
		require.Equal(t, p.ShareRequest.SilenceArticle, ev.Article)
		_, ok = h.event("task_opened", supervisionTask)
		require.True(t, ok)

		// The supervision task is not decided through the decide Update.
		onSupervision = h.send(approve(supervisionTask, authAct("weifang")))
	})
	late := h.decideAt(approveAt, approve(deptTask, provAct()))
	st := h.run()

	requireRejected(t, onSupervision, workflows.ErrInvalid)
	requireAccepted(t, late, deptTask, workflows.DecisionApprove)
	require.Equal(t, models.StatusGranted, st.Status)
	require.Equal(t, models.BasisDecision, st.Basis)
	require.True(t, st.Overdue)

	r := h.request()
	require.Equal(t, models.StatusGranted, r.Status)
	require.Equal(t, models.BasisDecision, r.Basis)
	require.True(t, r.Overdue)
	sameInstant(t, approveAt, r.DecidedAt, "request decided_at")
	require.Len(t, h.grants(), 1)

	tk := h.task(deptTask)
	require.Equal(t, models.TaskDone, tk.Status)
	require.Equal(t, workflows.DecisionApprove, tk.Decision)
	require.True(t, tk.Overdue)
	sup := h.task(supervisionTask)
	require.Equal(t, models.TaskDone, sup.Status)
	require.Equal(t, "resolved: "+workflows.DecisionApprove, sup.Decision)
	require.Equal(t, "system", sup.DecidedBy)
	sameInstant(t, approveAt, sup.DecidedAt, "supervision decided_at")
}

// 5. A reminder is recorded at 24:00 of the (N-1)th working day.
func TestShareReminder(t *testing.T) {
	t.Run("wuhan 9th working day", func(t *testing.T) {
		h := newHarness(t, "wuhan", models.ShareConditional, filedOct)
		remindAt := midnightAfter(t, oct9th) // 2025-10-16 00:00 +08:00
		h.at(remindAt.Add(-time.Minute), func() {
			require.Nil(t, h.task(deptTask).RemindedAt)
			_, ok := h.event("reminder", "")
			require.False(t, ok)
		})
		h.at(remindAt.Add(time.Minute), func() {
			sameInstant(t, remindAt, h.task(deptTask).RemindedAt, "reminded_at")
		})
		u := h.decideAt(remindAt.Add(10*time.Hour), approve(deptTask, provAct()))
		st := h.run()
		requireAccepted(t, u, deptTask, workflows.DecisionApprove)
		require.Equal(t, models.BasisDecision, st.Basis)
		require.False(t, st.Overdue)

		tk := h.task(deptTask)
		sameInstant(t, remindAt, tk.RemindedAt, "reminded_at")
		require.False(t, tk.Overdue)
		ev, ok := h.event("reminder", deptTask)
		require.True(t, ok)
		require.True(t, remindAt.Equal(ev.At), "reminder at %s", ev.At)
		require.Equal(t, h.in.Profile.ShareRequest.Decision.Article, ev.Article)
	})
	t.Run("xiamen 4th working day, only open tasks", func(t *testing.T) {
		h := newHarness(t, "xiamen", models.ShareConditional, filedOct)
		remindAt := midnightAfter(t, oct4th) // 2025-10-10 00:00 +08:00
		dueAt := midnightAfter(t, oct5th)
		a := h.decideAt(filedOct.Add(time.Hour), approve(authTask, authAct("xiamen")))
		p := h.decideAt(remindAt.Add(time.Hour), approve(deptTask, provAct()))
		st := h.run()
		requireAccepted(t, a, authTask, workflows.DecisionApprove)
		requireAccepted(t, p, deptTask, workflows.DecisionApprove)
		require.Equal(t, oct5th, st.DueDate)
		require.True(t, dueAt.Equal(st.DueAt))
		require.False(t, st.Overdue)
		require.Nil(t, h.task(authTask).RemindedAt, "a decided task is not reminded")
		sameInstant(t, remindAt, h.task(deptTask).RemindedAt, "reminded_at")
		_, ok := h.event("reminder", authTask)
		require.False(t, ok)
		_, ok = h.event("reminder", deptTask)
		require.True(t, ok)
	})
	t.Run("no reminder after an early decision", func(t *testing.T) {
		h := newHarness(t, "wuhan", models.ShareConditional, filedOct)
		u := h.decideAt(filedOct.Add(time.Hour), approve(deptTask, provAct()))
		st := h.run()
		requireAccepted(t, u, deptTask, workflows.DecisionApprove)
		require.Equal(t, models.StatusGranted, st.Status)
		require.Nil(t, h.task(deptTask).RemindedAt)
		_, ok := h.event("reminder", "")
		require.False(t, ok)
		sameInstant(t, filedOct.Add(time.Hour), h.request().DecidedAt, "decided_at")
	})
}

// 6. Refusals: a reason is always required; weifang (非因法定事由不得拒绝)
// and changsha (理由和依据) also need the legal basis.
func TestShareRefusal(t *testing.T) {
	t.Run("wuhan with reason", func(t *testing.T) {
		h := newHarness(t, "wuhan", models.ShareConditional, filedMay)
		u := h.decideAt(filedMay.Add(time.Hour), workflows.Decision{
			TaskID: deptTask, Decision: workflows.DecisionReject, Reason: "涉及个人隐私", Actor: provAct(),
		})
		st := h.run()
		requireAccepted(t, u, deptTask, workflows.DecisionReject)
		require.Equal(t, models.StatusRejected, st.Status)
		require.Empty(t, st.Basis)
		require.Equal(t, h.in.Profile.ShareRequest.RefusalArticle, st.Article)

		r := h.request()
		require.Equal(t, models.StatusRejected, r.Status)
		require.Empty(t, r.Basis)
		require.Equal(t, "涉及个人隐私", r.Reason)
		require.Equal(t, h.in.Profile.ShareRequest.RefusalArticle, r.Article)
		require.Empty(t, h.grants())
		tk := h.task(deptTask)
		require.Equal(t, models.TaskDone, tk.Status)
		require.Equal(t, workflows.DecisionReject, tk.Decision)
		require.Equal(t, "涉及个人隐私", tk.Reason)
		require.Equal(t, "bob@"+provider, tk.DecidedBy)
		_, ok := h.event(models.StatusRejected, "")
		require.True(t, ok)
		_, ok = h.event(models.StatusGranted, "")
		require.False(t, ok)
	})
	for _, city := range []string{"weifang", "changsha"} {
		t.Run(city+" needs legal basis", func(t *testing.T) {
			h := newHarness(t, city, models.ShareConditional, filedMay)
			var before string
			var bare *upd
			h.at(filedMay.Add(time.Hour), func() {
				before = h.snapshot()
				bare = h.send(workflows.Decision{TaskID: deptTask, Decision: workflows.DecisionReject, Reason: "不宜共享", LegalBasis: "  ", Actor: provAct()})
			})
			h.at(filedMay.Add(time.Hour+time.Minute), func() {
				require.Equal(t, before, h.snapshot(), "a rejected update wrote to the database")
				require.Equal(t, models.TaskOpen, h.task(deptTask).Status)
				require.False(t, h.env.IsWorkflowCompleted())
			})
			ok := h.decideAt(filedMay.Add(2*time.Hour), workflows.Decision{
				TaskID: deptTask, Decision: workflows.DecisionReject, Reason: "不宜共享",
				LegalBasis: "《中华人民共和国个人信息保护法》第十三条", Actor: provAct(),
			})
			st := h.run()
			requireRejected(t, bare, workflows.ErrInvalid)
			requireAccepted(t, ok, deptTask, workflows.DecisionReject)
			require.Equal(t, models.StatusRejected, st.Status)
			r := h.request()
			require.Equal(t, models.StatusRejected, r.Status)
			require.Equal(t, "《中华人民共和国个人信息保护法》第十三条", r.LegalBasis)
			require.Equal(t, "不宜共享", r.Reason)
			require.Equal(t, "《中华人民共和国个人信息保护法》第十三条", h.task(deptTask).LegalBasis)
			require.Empty(t, h.grants())
		})
	}
}

// 7. The validator of the decide Update refuses what may not be decided,
// and a refused Update changes nothing.
func TestShareDecideValidator(t *testing.T) {
	h := newHarness(t, "xiamen", models.ShareConditional, filedMay)
	t1 := filedMay.Add(time.Hour)
	t2 := filedMay.Add(2 * time.Hour)
	t3 := filedMay.Add(3 * time.Hour)

	type bad struct {
		name    string
		d       workflows.Decision
		errType string
		u       *upd
	}
	otherDept := provAct()
	otherDept.Dept = "OTHER-DEPT"
	otherCity := authAct("wuhan")
	deptOnAuth := provAct()
	first := []*bad{
		{name: "unknown task", d: approve(reqID+".decision.government", authAct("xiamen")), errType: workflows.ErrNotFound},
		{name: "other request's task", d: approve("SR-2.decision.department", provAct()), errType: workflows.ErrNotFound},
		{name: "wrong department", d: approve(deptTask, otherDept), errType: workflows.ErrForbidden},
		{name: "authority on the provider's task", d: approve(deptTask, authAct("xiamen")), errType: workflows.ErrForbidden},
		{name: "department on the authority's task", d: approve(authTask, deptOnAuth), errType: workflows.ErrForbidden},
		{name: "authority of another city", d: approve(authTask, otherCity), errType: workflows.ErrForbidden},
		{name: "unknown decision", d: workflows.Decision{TaskID: deptTask, Decision: "maybe", Actor: provAct()}, errType: workflows.ErrInvalid},
		{name: "empty decision", d: workflows.Decision{TaskID: deptTask, Actor: provAct()}, errType: workflows.ErrInvalid},
		{name: "refusal without reason", d: workflows.Decision{TaskID: deptTask, Decision: workflows.DecisionReject, Reason: " \t", Actor: provAct()}, errType: workflows.ErrInvalid},
	}
	// After the provider approved, a second decision on its task is refused.
	second := []*bad{
		{name: "second approval", d: approve(deptTask, provAct()), errType: workflows.ErrInvalid},
		{name: "reject after approval", d: workflows.Decision{TaskID: deptTask, Decision: workflows.DecisionReject, Reason: "改变主意", Actor: provAct()}, errType: workflows.ErrInvalid},
	}

	var snap1, snap2 string
	h.at(t1, func() {
		snap1 = h.snapshot()
		for _, b := range first {
			b.u = h.send(b.d)
		}
	})
	var provApproval *upd
	h.at(t1.Add(time.Minute), func() {
		require.Equal(t, snap1, h.snapshot(), "rejected updates wrote to the database")
		provApproval = h.send(approve(deptTask, provAct()))
	})
	h.at(t2, func() {
		snap2 = h.snapshot()
		require.NotEqual(t, snap1, snap2)
		for _, b := range second {
			b.u = h.send(b.d)
		}
	})
	h.at(t2.Add(time.Minute), func() {
		require.Equal(t, snap2, h.snapshot(), "rejected updates wrote to the database")
		require.False(t, h.env.IsWorkflowCompleted())
	})
	final := h.decideAt(t3, approve(authTask, authAct("xiamen")))
	st := h.run()

	for _, b := range append(first, second...) {
		t.Run(b.name, func(t *testing.T) { requireRejected(t, b.u, b.errType) })
	}
	requireAccepted(t, provApproval, deptTask, workflows.DecisionApprove)
	requireAccepted(t, final, authTask, workflows.DecisionApprove)
	require.Equal(t, models.StatusGranted, st.Status)
	require.Equal(t, models.BasisDecision, st.Basis)
	tk := h.task(deptTask)
	require.Equal(t, workflows.DecisionApprove, tk.Decision)
	require.Empty(t, tk.Reason, "the refused second decision did not overwrite the first")
	require.Equal(t, "carol(authority)", h.task(authTask).DecidedBy)
}

// 8. Xiamen: one refusal refuses (会同 — both must approve).
func TestShareXiamenSplitDecision(t *testing.T) {
	t.Run("provider approves, authority rejects", func(t *testing.T) {
		h := newHarness(t, "xiamen", models.ShareConditional, filedMay)
		p := h.decideAt(filedMay.Add(time.Hour), approve(deptTask, provAct()))
		a := h.decideAt(filedMay.Add(2*time.Hour), workflows.Decision{
			TaskID: authTask, Decision: workflows.DecisionReject, Reason: "不属于特定应用场景", Actor: authAct("xiamen"),
		})
		st := h.run()
		requireAccepted(t, p, deptTask, workflows.DecisionApprove)
		requireAccepted(t, a, authTask, workflows.DecisionReject)
		require.Equal(t, models.StatusRejected, st.Status)
		require.Equal(t, h.in.Profile.ShareRequest.RefusalArticle, st.Article)

		r := h.request()
		require.Equal(t, models.StatusRejected, r.Status)
		require.Equal(t, "不属于特定应用场景", r.Reason)
		require.Empty(t, h.grants())
		// The provider's approval stays on record; the authority's refusal decides.
		prov := h.task(deptTask)
		require.Equal(t, models.TaskDone, prov.Status)
		require.Equal(t, workflows.DecisionApprove, prov.Decision)
		auth := h.task(authTask)
		require.Equal(t, models.TaskDone, auth.Status)
		require.Equal(t, workflows.DecisionReject, auth.Decision)
	})
	t.Run("authority rejects first, provider's task cancelled", func(t *testing.T) {
		h := newHarness(t, "xiamen", models.ShareConditional, filedMay)
		when := filedMay.Add(time.Hour)
		a := h.decideAt(when, workflows.Decision{
			TaskID: authTask, Decision: workflows.DecisionReject, Reason: "不属于特定应用场景", Actor: authAct("xiamen"),
		})
		st := h.run()
		requireAccepted(t, a, authTask, workflows.DecisionReject)
		require.Equal(t, models.StatusRejected, st.Status)
		require.Empty(t, h.grants())
		prov := h.task(deptTask)
		require.Equal(t, models.TaskCancelled, prov.Status)
		require.Equal(t, "not needed: "+workflows.DecisionReject, prov.Decision)
		require.Equal(t, "system", prov.DecidedBy)
		sameInstant(t, when, prov.DecidedAt, "cancelled at")
		_, ok := h.event("task_cancelled", deptTask)
		require.True(t, ok)
		sameInstant(t, when, h.request().DecidedAt, "decided_at")
	})
}

// A decision accepted before the deadline counts, even when recording it
// (the CloseTask activity, e.g. retried while the database is down) lasts
// past the deadline: silence must not overtake it.
func TestShareDecisionInFlightAtDeadline(t *testing.T) {
	setup := func(t *testing.T, city string) *harness {
		h := newHarness(t, city, models.ShareConditional, filedOct)
		real := &activities.Activities{DB: h.db, Calendar: holidays.Default, Records: workflows.Records()}
		byPerson := mock.MatchedBy(func(in activities.CloseTaskInput) bool { return in.DecidedBy != "system" })
		h.env.OnActivity("CloseTask", mock.Anything, byPerson).After(2 * time.Hour).Return(real.CloseTask)
		h.env.OnActivity("CloseTask", mock.Anything, mock.Anything).Return(real.CloseTask)
		return h
	}
	dueAt := midnightAfter(t, oct10th)
	t.Run("wuhan refusal is not deemed consent", func(t *testing.T) {
		h := setup(t, "wuhan")
		u := h.decideAt(dueAt.Add(-time.Minute), workflows.Decision{
			TaskID: deptTask, Decision: workflows.DecisionReject, Reason: "涉及个人隐私", Actor: provAct(),
		})
		st := h.run()
		requireAccepted(t, u, deptTask, workflows.DecisionReject)
		require.Equal(t, models.StatusRejected, st.Status)
		require.False(t, st.Overdue)
		require.Equal(t, models.StatusRejected, h.request().Status)
		require.Empty(t, h.grants())
		tk := h.task(deptTask)
		require.Equal(t, workflows.DecisionReject, tk.Decision)
		sameInstant(t, dueAt.Add(-time.Minute), tk.DecidedAt, "decided_at")
	})
	t.Run("weifang approval is not overdue", func(t *testing.T) {
		h := setup(t, "weifang")
		u := h.decideAt(dueAt.Add(-time.Minute), approve(deptTask, provAct()))
		st := h.run()
		requireAccepted(t, u, deptTask, workflows.DecisionApprove)
		require.Equal(t, models.StatusGranted, st.Status)
		require.Equal(t, models.BasisDecision, st.Basis)
		require.False(t, st.Overdue)
		require.False(t, h.request().Overdue)
		require.False(t, h.task(deptTask).Overdue)
		require.Equal(t, []string{deptTask}, h.taskIDs(), "no supervision task")
	})
}

// The filed Update (sent by the API with the start) answers with the
// recorded state: due date for conditional data, the grant for
// unconditional data.
func TestShareFiledUpdate(t *testing.T) {
	for _, c := range []struct {
		shareType, status, dueDate string
	}{
		{models.ShareConditional, models.StatusPending, may10th},
		{models.ShareUnconditional, models.StatusGranted, ""},
	} {
		t.Run(c.shareType, func(t *testing.T) {
			h := newHarness(t, "weifang", c.shareType, filedMay)
			var got workflows.ShareResult
			var done bool
			// Sent with the start, as the API does (update-with-start).
			h.env.RegisterDelayedCallback(func() {
				h.env.UpdateWorkflow(workflows.UpdateFiled, "filed", &testsuite.TestUpdateCallback{
					OnAccept: func() {},
					OnReject: func(err error) { t.Errorf("filed rejected: %v", err) },
					OnComplete: func(v interface{}, err error) {
						require.NoError(t, err)
						done = true
						switch x := v.(type) {
						case workflows.ShareResult:
							got = x
						case converter.EncodedValue:
							require.NoError(t, x.Get(&got))
						default:
							t.Errorf("filed result %T", v)
						}
					},
				})
			}, 0)
			if c.shareType == models.ShareConditional {
				h.decideAt(filedMay.Add(time.Hour), approve(deptTask, provAct()))
			}
			h.run()
			require.True(t, done, "filed update did not complete")
			require.Equal(t, reqID, got.ID)
			require.Equal(t, c.status, got.Status)
			require.Equal(t, c.dueDate, got.DueDate)
		})
	}
}
