package workflows_test

import (
	"testing"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/stretchr/testify/require"
)

// Objections below are filed Mon 2025-03-03 10:00 Beijing time: one working
// day ends 2025-03-04, five 2025-03-10, fifteen 2025-03-24.
var filedMar = bj(2025, 3, 3, 10, 0)

const (
	objID     = "OB-1"
	objWF     = "objection-OB-1"
	objItem   = "ITEM-O"
	objector  = "OBJ-1" // a department objecting
	objPerson = "zhang"
)

func objTask(step, role string) string { return objID + "." + step + "." + role }

// newObjection seeds the provider's item at version 1 and returns the input
// of an objection of the kind, filed at filedMar by a department (dept set)
// or a person.
func newObjection(t *testing.T, city, kind, dept string) (*harness, workflows.ObjectionInput) {
	t.Helper()
	h := newEnv(t, filedMar, objWF)
	require.NoError(t, h.db.Create(&models.Department{Code: provider, Name: provider, Jurisdiction: city}).Error)
	it := models.CatalogItem{ID: objItem, Jurisdiction: city, ProviderDept: provider, Title: "企业登记信息",
		ShareType: models.ShareUnconditional, OpenType: models.OpenUnconditional, DataItems: []string{"name"}}
	require.NoError(t, models.ImportCatalog(h.db, []models.CatalogItem{it}))
	require.NoError(t, h.db.First(&it, "id = ?", objItem).Error)
	role, by := "applicant", objPerson
	if dept != "" {
		role, by = "department", "dan@"+dept
	}
	return h, workflows.ObjectionInput{
		Objection: models.Objection{
			Header:        models.Header{ID: objID, WorkflowID: objWF, Jurisdiction: city},
			CatalogItemID: objItem,
			ItemVersion:   1,
			ProviderDept:  provider,
			Kind:          kind,
			Description:   "地址有误",
			ObjectorRole:  role,
			ObjectorDept:  dept,
			ObjectedBy:    by,
			FiledAt:       filedMar,
		},
		Item: it, Profile: profile(t, city),
	}
}

func (h *harness) runObjection(in workflows.ObjectionInput) workflows.ObjectionResult {
	h.t.Helper()
	return complete[workflows.ObjectionResult](h.t, h.env, workflows.Objection, in)
}

func (h *harness) objection() models.Objection {
	h.t.Helper()
	return stored[models.Objection](h.t, h.db, objID)
}

func (h *harness) availability() string {
	h.t.Helper()
	a, err := models.Availability(h.db, objItem)
	require.NoError(h.t, err)
	return a.State
}

func outcome(task, d string, a workflows.Actor) workflows.Decision {
	return workflows.Decision{TaskID: task, Decision: d, Actor: a}
}

// requireInterim checks that a non-final decision was accepted and left its
// task open.
func requireInterim(t *testing.T, u *upd, taskID, decision string) {
	t.Helper()
	require.NoError(t, u.rejected, "update rejected")
	require.True(t, u.completed, "update not completed")
	require.NoError(t, u.err)
	require.Equal(t, workflows.DecideResult{TaskID: taskID, Status: models.TaskOpen, Decision: decision}, u.view)
}

// Wuhan (第二十四条): the authority forwards at once (a service level), the
// provider suspends, then fixes the item: a corrected version is published,
// the item reopens and the objector reads the feedback.
func TestObjectionWuhanSuspendFixAndReopen(t *testing.T) {
	h, in := newObjection(t, "wuhan", regulations.ObjectionError, "")
	fwd, verify := objTask("forward", "authority"), objTask("verify", "department")
	fixed := models.CatalogItem{Title: "企业登记信息（更正）", ShareType: models.ShareUnconditional, OpenType: models.OpenUnconditional, DataItems: []string{"name", "address"}}

	var early, wrongRole, noItem, twice, reclassified, reopened *upd
	h.at(filedMar.Add(time.Minute), func() {
		tk := h.task(fwd)
		require.Equal(t, "2025-03-04", tk.DueDate)
		require.Contains(t, tk.Article, "第二十四条")
		o := h.objection()
		require.Equal(t, "forward", o.Step)
		require.False(t, o.Statutory, "立即 is a service level")
		early = h.send(outcome(fwd, models.OutcomeRestore, authAct("wuhan"))) // the authority only forwards
		wrongRole = h.send(outcome(fwd, workflows.DecisionForward, provAct()))
	})
	f := h.decideAt(filedMar.Add(time.Hour), outcome(fwd, workflows.DecisionForward, authAct("wuhan")))
	var sus *upd
	h.at(filedMar.Add(2*time.Hour), func() {
		tk := h.task(verify)
		require.Equal(t, "2025-03-10", tk.DueDate, "5 working days from the forwarding")
		require.Equal(t, models.AvailabilityOpen, h.availability())
		sus = h.send(outcome(verify, workflows.DecisionSuspend, provAct()))
	})
	h.at(filedMar.Add(3*time.Hour), func() {
		require.Equal(t, models.AvailabilitySuspended, h.availability())
		require.Equal(t, models.TaskOpen, h.task(verify).Status, "a suspension leaves the task open")
		require.True(t, h.objection().Suspended)
		twice = h.send(outcome(verify, workflows.DecisionSuspend, provAct()))
		noItem = h.send(outcome(verify, models.OutcomeFixAndReopen, provAct()))
		// A correction may not reclassify the item: neither the
		// share type nor the open type.
		notShared, notOpen := fixed, fixed
		notShared.ShareType, notShared.LegalBasis = models.ShareNotShared, "自称的依据"
		notOpen.OpenType = models.OpenNotOpen
		reclassified = h.send(workflows.Decision{TaskID: verify, Decision: models.OutcomeFixAndReopen, Reason: "x", Actor: provAct(), Item: &notShared})
		reopened = h.send(workflows.Decision{TaskID: verify, Decision: models.OutcomeFixAndReopen, Reason: "x", Actor: provAct(), Item: &notOpen})
	})
	fix := workflows.Decision{TaskID: verify, Decision: models.OutcomeFixAndReopen, Reason: "已更正地址", Actor: provAct(), Item: &fixed}
	done := h.decideAt(filedMar.Add(4*time.Hour), fix)

	st := h.runObjection(in)
	requireRejected(t, early, workflows.ErrInvalid)
	requireRejected(t, wrongRole, workflows.ErrForbidden)
	requireAccepted(t, f, fwd, workflows.DecisionForward)
	requireInterim(t, sus, verify, workflows.DecisionSuspend)
	requireRejected(t, twice, workflows.ErrInvalid)
	requireRejected(t, noItem, workflows.ErrInvalid)
	requireRejected(t, reclassified, workflows.ErrInvalid)
	requireRejected(t, reopened, workflows.ErrInvalid)
	requireAccepted(t, done, verify, models.OutcomeFixAndReopen)

	require.Equal(t, models.ObjectionHandled, st.Status)
	require.Equal(t, models.OutcomeFixAndReopen, st.Outcome)
	o := h.objection()
	require.Equal(t, models.OutcomeFixAndReopen, o.Outcome)
	require.Equal(t, 2, o.NewVersion)
	require.Contains(t, o.Feedback, "version 2")
	require.Contains(t, o.Feedback, "已更正地址")
	require.False(t, o.Overdue)
	it, _ := h.item(objItem)
	require.Equal(t, 2, it.Version)
	require.Equal(t, "企业登记信息（更正）", it.Title)
	vs := h.versions(objItem)
	require.Len(t, vs, 2)
	require.Equal(t, objID, vs[1].ChangeID, "the version names the objection that made it")
	require.Equal(t, models.AvailabilityOpen, h.availability())
	var hist []models.AvailabilityChange
	require.NoError(t, h.db.Order("at, id").Find(&hist, "item_id = ?", objItem).Error)
	require.Len(t, hist, 2)
	require.Equal(t, models.AvailabilitySuspended, hist[0].To)
	require.Equal(t, models.AvailabilityOpen, hist[1].To)
	for _, k := range []string{"filed", "task_opened", "item_suspended", "task_done", "handled"} {
		_, ok := h.event(k, "")
		require.True(t, ok, "event %s", k)
	}
}

// Every final outcome, on changsha's general path (the service level of 5
// working days): what it does to the item and what the objector reads.
func TestObjectionOutcomes(t *testing.T) {
	cases := []struct {
		outcome, reason, availability string
		suspendFirst                  bool
	}{
		{models.OutcomeWithdraw, "涉及商业秘密", models.AvailabilityWithdrawn, true},
		{models.OutcomeRestore, "", models.AvailabilityOpen, true},
		{models.OutcomeDismiss, "数据与登记一致", models.AvailabilityOpen, false},
		{models.OutcomeDismiss, "核实无误", models.AvailabilityOpen, true},
	}
	for _, c := range cases {
		t.Run(c.outcome, func(t *testing.T) {
			h, in := newObjection(t, "changsha", regulations.ObjectionOmission, "")
			verify := objTask("verify", "department")
			var noReason *upd
			h.at(filedMar.Add(time.Minute), func() {
				tk := h.task(verify)
				require.Equal(t, "2025-03-10", tk.DueDate)
				if c.suspendFirst {
					h.send(outcome(verify, workflows.DecisionSuspend, provAct()))
				}
			})
			h.at(filedMar.Add(time.Hour), func() {
				want := models.AvailabilityOpen
				if c.suspendFirst {
					want = models.AvailabilitySuspended
				}
				require.Equal(t, want, h.availability())
				if c.outcome == models.OutcomeDismiss {
					noReason = h.send(outcome(verify, models.OutcomeDismiss, provAct()))
				}
			})
			d := outcome(verify, c.outcome, provAct())
			d.Reason = c.reason
			u := h.decideAt(filedMar.Add(2*time.Hour), d)
			st := h.runObjection(in)
			if noReason != nil {
				requireRejected(t, noReason, workflows.ErrInvalid)
			}
			requireAccepted(t, u, verify, c.outcome)
			require.Equal(t, c.outcome, st.Outcome)
			o := h.objection()
			require.Equal(t, c.outcome, o.Outcome)
			require.Equal(t, models.ObjectionHandled, o.Status)
			require.Contains(t, o.Feedback, c.reason)
			require.False(t, o.Statutory)
			require.Equal(t, c.availability, h.availability())
			it, _ := h.item(objItem)
			require.Equal(t, 1, it.Version, "only a fix makes a version")
		})
	}
}

// Each city's clock and handler for each path.
func TestObjectionClockPerCity(t *testing.T) {
	cases := []struct {
		city, kind, dept  string
		task, due         string
		statutory         bool
		suspendedAtFiling bool
		actor             workflows.Actor
	}{
		{"xiamen", regulations.ObjectionOwnDataInaccurate, "", objTask("verify", "department"), "2025-03-10", true, false, provAct()},
		{"leshan", regulations.ObjectionError, "", objTask("verify", "department"), "2025-03-24", true, false, provAct()},
		{"weifang", regulations.ObjectionSharedDataDoubt, objector, objTask("verify", "department"), "2025-03-10", false, false, provAct()},
		{"changsha", regulations.ObjectionError, "", objTask("verify", "department"), "2025-03-10", false, false, provAct()},
	}
	for _, c := range cases {
		t.Run(c.city+"/"+c.kind, func(t *testing.T) {
			h, in := newObjection(t, c.city, c.kind, c.dept)
			h.at(filedMar.Add(time.Minute), func() {
				tk := h.task(c.task)
				require.Equal(t, c.due, tk.DueDate)
				require.Equal(t, models.ProcedureObjection, tk.Procedure)
				o := h.objection()
				require.Equal(t, c.statutory, o.Statutory)
				require.Equal(t, c.due, o.DueDate)
				require.Equal(t, c.suspendedAtFiling, h.availability() == models.AvailabilitySuspended)
				require.Len(t, h.tasks(), 1, "no forwarding step outside wuhan")
			})
			u := h.decideAt(filedMar.Add(time.Hour), outcome(c.task, models.OutcomeRestore, c.actor))
			h.runObjection(in)
			requireAccepted(t, u, c.task, models.OutcomeRestore)
			require.Equal(t, models.AvailabilityOpen, h.availability())
		})
	}
}

// Leshan 第三十一条: a report of unlawful use does not take the data
// offline at filing; the authority suspends it where it judges it necessary
// (认为必要的), as an interim decision open at once, and the task stays open
// for the outcome.
func TestLeshanMisuseSuspensionIsAuthorityDecision31(t *testing.T) {
	h, in := newObjection(t, "leshan", regulations.ObjectionMisuseReport, "")
	verify := objTask("verify", "authority")
	h.at(filedMar.Add(time.Minute), func() {
		require.NotEqual(t, models.AvailabilitySuspended, h.availability(), "leshan 第三十一条: not suspended at filing")
		require.Equal(t, "2025-03-10", h.task(verify).DueDate)
	})
	s := h.decideAt(filedMar.Add(10*time.Minute), outcome(verify, workflows.DecisionSuspend, authAct("leshan")))
	h.at(filedMar.Add(20*time.Minute), func() {
		require.Equal(t, models.AvailabilitySuspended, h.availability(), "suspended by the authority's interim decision")
		require.Equal(t, models.TaskOpen, h.task(verify).Status)
	})
	u := h.decideAt(filedMar.Add(time.Hour), outcome(verify, models.OutcomeRestore, authAct("leshan")))
	h.runObjection(in)
	require.True(t, s.completed, "the suspension is taken")
	require.NoError(t, s.err)
	require.Equal(t, models.TaskOpen, s.view.Status, "an interim decision keeps the task open")
	requireAccepted(t, u, verify, models.OutcomeRestore)
	require.Equal(t, models.AvailabilityOpen, h.availability())
}

// Leshan's 15 working days pass: the objection and the provider's task are
// flagged overdue and the authority gets a supervision task, closed when the
// provider finally decides.
func TestObjectionOverdueSupervised(t *testing.T) {
	h, in := newObjection(t, "leshan", regulations.ObjectionError, "")
	verify, sup := objTask("verify", "department"), objTask("verify", "supervision")
	due := midnightAfter(t, "2025-03-24")
	h.at(due.Add(-time.Minute), func() {
		require.False(t, h.objection().Overdue)
		require.NotNil(t, h.task(verify).RemindedAt, "reminded a working day before")
	})
	h.at(due.Add(time.Hour), func() {
		require.True(t, h.objection().Overdue)
		require.True(t, h.task(verify).Overdue)
		s := h.task(sup)
		require.Equal(t, models.TaskSupervision, s.Kind)
		require.Equal(t, regulations.RoleAuthority, s.AssigneeRole)
	})
	u := h.decideAt(due.Add(2*time.Hour), workflows.Decision{TaskID: verify, Decision: models.OutcomeDismiss, Reason: "核实无误", Actor: provAct()})
	st := h.runObjection(in)
	requireAccepted(t, u, verify, models.OutcomeDismiss)
	require.True(t, st.Overdue)
	require.Equal(t, models.TaskDone, h.task(sup).Status)
	require.True(t, h.objection().Overdue)
}

// Weifang 第十八条: a department's doubt about shared data, dismissed by the
// provider, is coordinated by the authority when the department disagrees;
// silence of the department accepts the dismissal.
func TestObjectionSharedDataCoordination(t *testing.T) {
	objAct := workflows.Actor{Subject: "dan", Role: regulations.RoleDepartment, Dept: objector}
	verify, review, coord := objTask("verify", "department"), objTask("objector_review", "department"), objTask("coordination", "authority")

	t.Run("disagree", func(t *testing.T) {
		h, in := newObjection(t, "weifang", regulations.ObjectionSharedDataDoubt, objector)
		h.decideAt(filedMar.Add(time.Hour), workflows.Decision{TaskID: verify, Decision: models.OutcomeDismiss, Reason: "数据无误", Actor: provAct()})
		var bare *upd
		h.at(filedMar.Add(2*time.Hour), func() {
			require.Equal(t, "2025-03-10", h.task(review).DueDate)
			bare = h.send(outcome(review, workflows.DecisionDisagree, objAct))
		})
		h.decideAt(filedMar.Add(3*time.Hour), workflows.Decision{TaskID: review, Decision: workflows.DecisionDisagree, Reason: "与我局数据不一致", Actor: objAct})
		fix := models.CatalogItem{Title: "协调后更正", ShareType: models.ShareUnconditional, OpenType: models.OpenUnconditional, DataItems: []string{"name"}}
		u := h.decideAt(filedMar.Add(4*time.Hour), workflows.Decision{TaskID: coord, Decision: models.OutcomeFixAndReopen, Actor: authAct("weifang"), Item: &fix})
		st := h.runObjection(in)
		requireRejected(t, bare, workflows.ErrInvalid)
		requireAccepted(t, u, coord, models.OutcomeFixAndReopen)
		require.Equal(t, models.OutcomeFixAndReopen, st.Outcome)
		require.Equal(t, 2, h.objection().NewVersion)
		require.Contains(t, h.objection().Article, "第十八条")
	})
	t.Run("silence accepts", func(t *testing.T) {
		h, in := newObjection(t, "weifang", regulations.ObjectionSharedDataDoubt, objector)
		h.decideAt(filedMar.Add(time.Hour), workflows.Decision{TaskID: verify, Decision: models.OutcomeDismiss, Reason: "数据无误", Actor: provAct()})
		st := h.runObjection(in)
		require.Equal(t, models.OutcomeDismiss, st.Outcome)
		require.Equal(t, workflows.OutcomeDeemedConsent, h.task(review).Decision)
		require.Equal(t, []string{review, verify}, h.taskIDs())
		// No text gives the objector this step or makes silence an
		// acceptance: a platform rule, never a borrowed 第十八条.
		require.Empty(t, h.task(review).Article, "the objector's review is a platform rule with no article")
		for _, e := range h.events() {
			if e.TaskID == review {
				require.NotContains(t, e.Article, "第十八条", "event %s borrows 第十八条", e.Kind)
			}
		}
	})
}

// An item deleted by a catalog change while the objection is verified: the
// fix has nothing left to correct, and the objector is told so.
func TestObjectionItemDeletedMeanwhile(t *testing.T) {
	h, in := newObjection(t, "changsha", regulations.ObjectionError, "")
	verify := objTask("verify", "department")
	h.at(filedMar.Add(time.Minute), func() {
		require.NoError(t, h.db.Delete(&models.CatalogItem{}, "id = ?", objItem).Error)
	})
	fixed := models.CatalogItem{Title: "更正", ShareType: models.ShareUnconditional, OpenType: models.OpenUnconditional, DataItems: []string{"name"}}
	u := h.decideAt(filedMar.Add(time.Hour), workflows.Decision{TaskID: verify, Decision: models.OutcomeFixAndReopen, Actor: provAct(), Item: &fixed})
	h.runObjection(in)
	requireAccepted(t, u, verify, models.OutcomeFixAndReopen)
	o := h.objection()
	require.Equal(t, models.ObjectionHandled, o.Status)
	require.Zero(t, o.NewVersion)
	require.Contains(t, o.Feedback, "deleted")
}
