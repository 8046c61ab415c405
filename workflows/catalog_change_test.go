package workflows_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
)

// Changes below are submitted Wed 2025-04-30 10:00 Beijing time (filedMay):
// the wuhan review's 3 working days end 2025-05-08 (劳动节 05-01..05-05 off),
// the platform's service level of 5 ends 2025-05-12 (may5th).
const may3rd = "2025-05-08"

func task(step, role string) string { return changeID + "." + step + "." + role }

// Each city's path, from submission to the catalog change, with who acts,
// what they may decide and when each step is due.
func TestCatalogChangePathPerCity(t *testing.T) {
	type step struct {
		task, decision string
		actor          workflows.Actor
		due            string
		statutory      bool
	}
	rcvAct := workflows.Actor{Subject: "rita", Role: "department", Dept: receiving}
	cases := []struct {
		city, receiving string
		steps           []step
	}{
		{"wuhan", "", []step{{task("review-1", "authority"), workflows.DecisionApprove, authAct("wuhan"), may3rd, true}}},
		{"weifang", "", []step{
			{task("consent-1", "authority"), workflows.DecisionApprove, authAct("weifang"), may5th, false},
			{task("filing-1", "authority"), workflows.DecisionAcknowledge, authAct("weifang"), may5th, false},
		}},
		{"changsha", "", []step{{task("filing-1", "authority"), workflows.DecisionAcknowledge, authAct("changsha"), may5th, false}}},
		{"leshan", "", []step{{task("filing-1", "authority"), workflows.DecisionAcknowledge, authAct("leshan"), may5th, false}}},
		{"xiamen", receiving, []step{
			{task("confirm-1", "department"), workflows.DecisionApprove, rcvAct, may5th, false},
			{task("review-1", "authority"), workflows.DecisionApprove, authAct("xiamen"), may5th, false},
		}},
	}
	for _, c := range cases {
		t.Run(c.city, func(t *testing.T) {
			h := newEnv(t, filedMay, changeWF)
			h.seedCatalog(c.city)
			in := h.changeInput(c.city, c.receiving)
			rule := in.Profile.CatalogChange

			var ups []*upd
			var wrong *upd
			for i, s := range c.steps {
				when := filedMay.Add(time.Duration(2*i+2) * time.Hour)
				h.at(when.Add(-time.Minute), func() {
					// Only this step's task is open, due as the city says; nothing applied yet.
					tk := h.task(s.task)
					require.Equal(t, models.TaskOpen, tk.Status)
					require.Equal(t, s.due, tk.DueDate)
					require.Equal(t, rule.Review.Article, tk.Article)
					require.Equal(t, workflows.ProcedureCatalogChange, tk.Procedure)
					require.Equal(t, 1+i, len(h.tasks()), "tasks open one step at a time")
					st := h.changeState()
					require.Equal(t, models.ChangePending, st.Status)
					require.Equal(t, s.statutory, st.Statutory)
					a, _ := h.item(itemA)
					require.Equal(t, 1, a.Version)
					_, added := h.item("ITEM-C")
					require.False(t, added)
					if s.decision == workflows.DecisionAcknowledge {
						// A filing is acknowledged, not approved or refused.
						wrong = h.send(decision(s.task, workflows.DecisionReject, s.actor))
					}
				})
				ups = append(ups, h.decideAt(when, decision(s.task, s.decision, s.actor)))
			}
			st := h.runChange(in)
			for i, u := range ups {
				requireAccepted(t, u, c.steps[i].task, c.steps[i].decision)
			}
			if wrong != nil {
				requireRejected(t, wrong, workflows.ErrInvalid)
			}
			require.Equal(t, models.ChangeApplied, st.Status)

			a, _ := h.item(itemA)
			require.Equal(t, 2, a.Version)
			require.Equal(t, "人口基础信息", a.Title)
			cItem, ok := h.item("ITEM-C")
			require.True(t, ok)
			require.Equal(t, 1, cItem.Version)
			b, _ := h.item(itemB)
			require.Equal(t, 1, b.Version, "an item the change does not name keeps its version")
			vs := h.versions(itemA)
			require.Len(t, vs, 2)
			require.Equal(t, "import", vs[0].Op)
			require.Equal(t, models.OpModify, vs[1].Op)
			require.Equal(t, changeID, vs[1].ChangeID)
			require.Equal(t, 1, vs[1].Round)
			require.Equal(t, "人口基础信息", vs[1].Item.Title)

			ch := h.change()
			require.Equal(t, models.ChangeApplied, ch.Status)
			require.Equal(t, rule.Path, ch.Path)
			rs := h.rounds()
			require.Len(t, rs, 1)
			require.Equal(t, models.ChangeApplied, rs[0].Outcome)
			_, applied := h.event("applied", "")
			require.True(t, applied)
		})
	}
}

// A refusal returns the change with its reasons; the department revises and
// resubmits the same change, and the history keeps both rounds.
func TestCatalogChangeRefuseResubmitApprove(t *testing.T) {
	h := newEnv(t, filedMay, changeWF)
	h.seedCatalog("wuhan")
	in := h.changeInput("wuhan", "")
	in.TriggerWorkflowID = triggerWF
	h.env.OnSignalExternalWorkflow(mock.Anything, triggerWF, "", workflows.SignalChangeSubmitted, mock.Anything).Return(nil).Once()

	refuse := workflows.Decision{TaskID: task("review-1", "authority"), Decision: workflows.DecisionReject, Reason: "标题不规范", Actor: authAct("wuhan")}
	r1 := h.decideAt(filedMay.Add(time.Hour), refuse)
	revised := workflows.ChangeResubmitInput{Reason: "按复核意见修改", Actor: ownerAct(), Classification: []string{},
		Operations: []models.ChangeOperation{{Op: models.OpModify, ItemID: itemA, BaseVersion: 1, Item: modified("wuhan", itemA, "人口基础信息（规范）")}}}
	var early, stranger *upd
	h.at(filedMay.Add(30*time.Minute), func() {
		early = &upd{}
		h.update(early, workflows.UpdateResubmit, revised) // still under review
	})
	h.at(filedMay.Add(2*time.Hour), func() {
		c := h.change()
		require.Equal(t, models.ChangeReturned, c.Status)
		require.Equal(t, "标题不规范", c.ReturnReason)
		a, _ := h.item(itemA)
		require.Equal(t, 1, a.Version, "a refused change applies nothing")
		_, added := h.item("ITEM-C")
		require.False(t, added)
		require.Equal(t, models.ChangeReturned, h.changeState().Status)
		stranger = &upd{}
		other := workflows.ChangeResubmitInput{Reason: "x", Operations: revised.Operations, Actor: workflows.Actor{Subject: "eve", Role: "department", Dept: receiving}}
		h.update(stranger, workflows.UpdateResubmit, other)
	})
	re := h.sendAt(filedMay.Add(3*time.Hour), workflows.UpdateResubmit, revised)
	h.at(filedMay.Add(3*time.Hour+time.Minute), func() {
		st := h.changeState()
		require.Equal(t, 2, st.Round)
		require.Equal(t, models.ChangePending, st.Status)
		require.Equal(t, models.TaskOpen, h.task(task("review-2", "authority")).Status)
	})
	r2 := h.decideAt(filedMay.Add(4*time.Hour), approve(task("review-2", "authority"), authAct("wuhan")))
	st := h.runChange(in)

	requireRejected(t, early, workflows.ErrInvalid)
	requireRejected(t, stranger, workflows.ErrForbidden)
	require.NoError(t, re.rejected)
	require.True(t, re.completed)
	require.NoError(t, re.err)
	requireAccepted(t, r1, task("review-1", "authority"), workflows.DecisionReject)
	requireAccepted(t, r2, task("review-2", "authority"), workflows.DecisionApprove)
	require.Equal(t, models.ChangeApplied, st.Status)
	require.Equal(t, 2, st.Round)

	a, _ := h.item(itemA)
	require.Equal(t, 2, a.Version)
	require.Equal(t, "人口基础信息（规范）", a.Title)
	_, added := h.item("ITEM-C")
	require.False(t, added, "round 2 dropped the addition")
	vs := h.versions(itemA)
	require.Len(t, vs, 2)
	require.Equal(t, 2, vs[1].Round)

	rs := h.rounds()
	require.Len(t, rs, 2)
	require.Equal(t, models.ChangeReturned, rs[0].Outcome)
	require.Equal(t, "标题不规范", rs[0].OutcomeNote)
	require.Len(t, rs[0].Operations, 2)
	require.Equal(t, models.ChangeApplied, rs[1].Outcome)
	require.Equal(t, "按复核意见修改", rs[1].Reason)
	require.Len(t, rs[1].Operations, 1)
	kinds := strings.Join(h.eventKinds(), ",")
	for _, k := range []string{"submitted", "returned", "resubmitted", "applied"} {
		require.Contains(t, kinds, k)
	}
	h.env.AssertExpectations(t)
}

// Optimistic versioning: when another change reaches an item first, an
// approved change made against the old version is not applied over it but
// returned; resubmitted against the current version, it applies on top.
func TestCatalogChangeVersionConflict(t *testing.T) {
	h := newEnv(t, filedMay, changeWF)
	h.seedCatalog("changsha")
	in := h.changeInput("changsha", "")
	filing := task("filing-1", "authority")
	h.at(filedMay.Add(time.Hour), func() {
		// Another change of item A is applied meanwhile.
		other := []models.ChangeOperation{{Op: models.OpModify, ItemID: itemA, BaseVersion: 1, Item: modified("changsha", itemA, "他人修改")}}
		require.NoError(t, models.ApplyChange(h.db, "CC-OTHER", 1, other, filedMay.Add(time.Hour)))
	})
	ack := h.decideAt(filedMay.Add(2*time.Hour), decision(filing, workflows.DecisionAcknowledge, authAct("changsha")))
	h.at(filedMay.Add(3*time.Hour), func() {
		c := h.change()
		require.Equal(t, models.ChangeReturned, c.Status)
		require.Contains(t, c.ReturnReason, "version 2")
		require.Contains(t, c.ReturnReason, "operations[0]")
		a, _ := h.item(itemA)
		require.Equal(t, "他人修改", a.Title, "the other change is not overwritten")
		require.Equal(t, 2, a.Version)
		_, added := h.item("ITEM-C")
		require.False(t, added, "nothing of a conflicting change is applied")
	})
	rebased := workflows.ChangeResubmitInput{Reason: "基于最新版本", Actor: ownerAct(), Classification: []string{},
		Operations: []models.ChangeOperation{{Op: models.OpModify, ItemID: itemA, BaseVersion: 2, Item: modified("changsha", itemA, "人口基础信息")}}}
	h.sendAt(filedMay.Add(4*time.Hour), workflows.UpdateResubmit, rebased)
	ack2 := h.decideAt(filedMay.Add(5*time.Hour), decision(task("filing-2", "authority"), workflows.DecisionAcknowledge, authAct("changsha")))
	st := h.runChange(in)
	requireAccepted(t, ack, filing, workflows.DecisionAcknowledge)
	requireAccepted(t, ack2, task("filing-2", "authority"), workflows.DecisionAcknowledge)
	require.Equal(t, models.ChangeApplied, st.Status)
	a, _ := h.item(itemA)
	require.Equal(t, 3, a.Version)
	vs := h.versions(itemA)
	require.Len(t, vs, 3)
	require.Equal(t, []string{"", "CC-OTHER", changeID}, []string{vs[0].ChangeID, vs[1].ChangeID, vs[2].ChangeID})
	rs := h.rounds()
	require.Len(t, rs, 2)
	require.Contains(t, rs[0].OutcomeNote, "conflict")
}

// A returned change can be withdrawn; nothing is applied.
func TestCatalogChangeWithdrawn(t *testing.T) {
	h := newEnv(t, filedMay, changeWF)
	h.seedCatalog("wuhan")
	in := h.changeInput("wuhan", "")
	h.decideAt(filedMay.Add(time.Hour), workflows.Decision{TaskID: task("review-1", "authority"), Decision: workflows.DecisionReject, Reason: "不需要", Actor: authAct("wuhan")})
	w := h.sendAt(filedMay.Add(2*time.Hour), workflows.UpdateWithdraw, workflows.WithdrawInput{Actor: ownerAct()})
	st := h.runChange(in)
	require.True(t, w.completed)
	require.Equal(t, models.ChangeWithdrawn, st.Status)
	require.Equal(t, models.ChangeWithdrawn, h.change().Status)
	a, _ := h.item(itemA)
	require.Equal(t, 1, a.Version)
}

// The authority's review overdue: flagged and supervised, still decidable.
func TestCatalogChangeReviewOverdue(t *testing.T) {
	h := newEnv(t, filedMay, changeWF)
	h.seedCatalog("wuhan")
	in := h.changeInput("wuhan", "")
	review := task("review-1", "authority")
	sup := task("review-1", "supervision")
	late := midnightAfter(t, may3rd).Add(time.Hour)
	h.at(late, func() {
		require.True(t, h.task(review).Overdue)
		require.True(t, h.change().Overdue)
		require.Equal(t, models.TaskOpen, h.task(sup).Status)
	})
	u := h.decideAt(late.Add(time.Hour), approve(review, authAct("wuhan")))
	st := h.runChange(in)
	requireAccepted(t, u, review, workflows.DecisionApprove)
	require.Equal(t, models.ChangeApplied, st.Status)
	require.True(t, st.Overdue)
	require.Equal(t, models.TaskDone, h.task(sup).Status)
}

// changeState queries the running change workflow.
func (h *harness) changeState() workflows.CatalogChangeResult {
	h.t.Helper()
	v, err := h.env.QueryWorkflow(workflows.QueryState)
	require.NoError(h.t, err)
	var st workflows.CatalogChangeResult
	require.NoError(h.t, v.Get(&st))
	return st
}

// A modification making an existing item not shared applies the item's other
// fields but keeps its share type; a classification procedure is started for
// the item with the operation's legal basis, and the change records it. An
// item added not shared goes the same way (wuhan 第十六条: 列入不予共享类 is
// reviewed by the authority and approved by the government, new and changed
// items alike): it enters the catalog conditional until then.
func TestCatalogChangeRoutesRestrictionToClassification(t *testing.T) {
	const basis = "《个人信息保护法》第二十八条"
	h := newEnv(t, filedMay, changeWF)
	h.env.RegisterWorkflow(workflows.Classification)
	h.seedCatalog("wuhan")
	in := h.changeInput("wuhan", "")
	a := in.Change.Operations[0].Item
	a.ShareType, a.LegalBasis = models.ShareNotShared, basis
	added := in.Change.Operations[1].Item
	added.ShareType, added.LegalBasis = models.ShareNotShared, basis
	in.Change.Classification = []string{itemA, "ITEM-C"}
	clID := models.RoutedClassificationID(changeID, itemA)
	clC := models.RoutedClassificationID(changeID, "ITEM-C")
	u := h.decideAt(filedMay.Add(time.Hour), approve(task("review-1", "authority"), authAct("wuhan")))
	var it, itC models.CatalogItem
	var cl models.Classification
	h.at(filedMay.Add(2*time.Hour), func() {
		it, _ = h.item(itemA)
		itC, _ = h.item("ITEM-C")
		require.NoError(t, h.db.First(&cl, "id = ?", clID).Error, "the classification is started")
	})
	// The classification outlives the change: the authority and the
	// government approve it (wuhan 第十六条), and only then is the item not shared.
	ca := h.childDecideAt(clID, filedMay.Add(3*time.Hour), approve(clID+".authority-review.authority", authAct("wuhan")))
	cg := h.childDecideAt(clID, filedMay.Add(4*time.Hour), approve(clID+".government-approval.government", govAct("wuhan")))
	// ITEM-C's classification is decided first, at instants of its own: two
	// abandoned children concluding at the same instant of the mock clock
	// sometimes leave the test environment's loop with one of them unfinished.
	h.childDecideAt(clC, filedMay.Add(150*time.Minute), approve(clC+".authority-review.authority", authAct("wuhan")))
	h.childDecideAt(clC, filedMay.Add(160*time.Minute), approve(clC+".government-approval.government", govAct("wuhan")))
	// The abandoned children run on after the change has completed; a
	// later moment keeps the test environment running until their last
	// decisions (recorded by local activities) are answered.
	h.at(filedMay.Add(5*time.Hour), func() {})
	st := h.runChange(in)
	requireAccepted(t, u, task("review-1", "authority"), workflows.DecisionApprove)
	require.Equal(t, models.ChangeApplied, st.Status)

	require.Equal(t, "人口基础信息", it.Title, "the other fields are applied")
	require.Equal(t, models.ShareUnconditional, it.ShareType, "the share type waits for the classification")
	require.Empty(t, it.LegalBasis)
	require.Equal(t, 2, it.Version)
	require.Equal(t, models.ShareConditional, itC.ShareType, "wuhan 第十六条: an added item is not listed as not shared before the government approves")
	require.Equal(t, models.InterimConditions, itC.ShareConditions)
	c, _ := h.item("ITEM-C")
	require.Equal(t, models.ShareNotShared, c.ShareType, "not shared once the authority and the government approved")

	require.Equal(t, []models.ClassificationRef{{ItemID: itemA, ClassificationID: clID}, {ItemID: "ITEM-C", ClassificationID: clC}}, h.change().Classifications)
	ev, ok := h.event("routed", "")
	require.True(t, ok)
	require.Contains(t, ev.Detail, clID)

	require.Equal(t, itemA, cl.CatalogItemID)
	require.Equal(t, models.ShareNotShared, cl.ProposedShareType)
	require.Equal(t, models.ShareUnconditional, cl.PreviousShareType)
	require.Equal(t, basis, cl.LegalBasis)
	require.Equal(t, in.Change.Reason, cl.Reason)
	require.Equal(t, owner, cl.Dept)
	require.Equal(t, 2, cl.BaseVersion, "against the version the change made")
	require.Equal(t, models.ClassificationPending, cl.Status)

	requireAccepted(t, ca, clID+".authority-review.authority", workflows.DecisionApprove)
	requireAccepted(t, cg, clID+".government-approval.government", workflows.DecisionApprove)
	require.NoError(t, h.db.First(&cl, "id = ?", clID).Error)
	require.Equal(t, models.ClassificationApplied, cl.Status)
	it, _ = h.item(itemA)
	require.Equal(t, models.ShareNotShared, it.ShareType)
	require.Equal(t, basis, it.LegalBasis)
	require.Equal(t, "人口基础信息", it.Title)
	require.Equal(t, 3, it.Version)
	vs := h.versions(itemA)
	require.Len(t, vs, 3)
	require.Equal(t, changeID, vs[1].ChangeID)
	require.Equal(t, clID, vs[2].ChangeID)
}

// childDecideAt sends a decision to the workflow with ID id at the given instant.
func (h *harness) childDecideAt(id string, when time.Time, d workflows.Decision) *upd {
	u := &upd{}
	h.at(when, func() {
		h.seq++
		err := h.env.UpdateWorkflowByID(id, workflows.UpdateDecide, fmt.Sprintf("child-%d", h.seq), &testsuite.TestUpdateCallback{
			OnAccept: func() { u.accepted = true },
			OnReject: func(err error) { u.rejected = err },
			OnComplete: func(v interface{}, err error) {
				u.completed, u.err = true, err
				if x, ok := v.(workflows.DecideResult); ok {
					u.view = x
				}
			},
		}, d)
		require.NoError(h.t, err)
	})
	return u
}
