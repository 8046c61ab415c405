package workflows_test

import (
	"testing"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/stretchr/testify/require"
)

const adjID = "TA-1"

type adjHarness struct {
	*harness
	in workflows.AdjustmentInput
}

// newAdjustment makes ITEM-1 (unconditional, version 1) not shared until
// 2025-06-10 on the given ground.
func newAdjustment(t *testing.T, city, ground string) *adjHarness {
	t.Helper()
	h := newEnv(t, classFiled, adjID)
	h.env.RegisterWorkflow(workflows.TemporaryAdjustment)
	item := models.CatalogItem{ID: "ITEM-1", Jurisdiction: city, ProviderDept: provider, Title: "企业登记信息",
		ShareType: models.ShareUnconditional, OpenType: models.OpenNotOpen, Version: 1}
	require.NoError(t, h.db.Create(&item).Error)
	return &adjHarness{harness: h, in: workflows.AdjustmentInput{
		Adjustment: models.TemporaryAdjustment{
			Header:            models.Header{ID: adjID, WorkflowID: adjID, Jurisdiction: city},
			CatalogItemID:     "ITEM-1",
			Dept:              provider,
			ShareType:         models.ShareNotShared,
			PreviousShareType: models.ShareUnconditional,
			BaseVersion:       1,
			Ground:            ground,
			Reason:            "突发公共卫生事件",
			EndDate:           "2025-06-10",
			SubmittedBy:       "bob@" + provider,
			SubmittedAt:       classFiled,
		},
		Profile: profile(t, city),
	}}
}

func (h *adjHarness) run() workflows.AdjustmentResult {
	h.t.Helper()
	return complete[workflows.AdjustmentResult](h.t, h.env, workflows.TemporaryAdjustment, h.in)
}

func (h *adjHarness) item() models.CatalogItem {
	h.t.Helper()
	return stored[models.CatalogItem](h.t, h.db, "ITEM-1")
}

func (h *adjHarness) record() models.TemporaryAdjustment {
	h.t.Helper()
	return stored[models.TemporaryAdjustment](h.t, h.db, adjID)
}

func (h *adjHarness) renewAt(when time.Time, r workflows.RenewInput) *upd {
	u := &upd{}
	h.at(when, func() { h.update(u, workflows.UpdateRenew, r) })
	return u
}

// Wuhan 第十六条: the item changes at once and reverts by itself at 24:00 of
// the end date, each as a catalog version.
func TestAdjustmentRevertsAtEndDate(t *testing.T) {
	h := newAdjustment(t, "wuhan", models.GroundPublicInterest)
	end := midnightAfter(t, "2025-06-10")
	h.at(hours(1), func() {
		it := h.item()
		require.Equal(t, models.ShareNotShared, it.ShareType)
		require.Equal(t, 2, it.Version)
		require.Equal(t, models.AdjustmentActive, h.record().Status)
	})
	h.at(end.Add(-time.Minute), func() {
		require.Equal(t, models.ShareNotShared, h.item().ShareType, "reverted before the end date was over")
	})
	st := h.run()
	require.Equal(t, models.AdjustmentReverted, st.Status)
	it := h.item()
	require.Equal(t, models.ShareUnconditional, it.ShareType)
	require.Equal(t, 3, it.Version)
	a := h.record()
	require.Equal(t, models.AdjustmentReverted, a.Status)
	sameInstant(t, end, a.RevertedAt, "reverted_at")
	require.Contains(t, a.Article, "第十六条")
	require.Empty(t, h.tasks(), "wuhan asks no evaluation")
}

// A renewal before the end date moves the revert; invalid renewals are refused.
func TestAdjustmentRenewed(t *testing.T) {
	h := newAdjustment(t, "wuhan", models.GroundNationalSecurity)
	oldEnd, newEnd := midnightAfter(t, "2025-06-10"), midnightAfter(t, "2025-06-20")
	early := h.renewAt(hours(1), workflows.RenewInput{EndDate: "2025-06-09", Actor: provAct()})
	other := h.renewAt(hours(2), workflows.RenewInput{EndDate: "2025-06-20", Actor: authAct("wuhan")})
	ok := h.renewAt(hours(3), workflows.RenewInput{EndDate: "2025-06-20", Reason: "风险未消除", Actor: provAct()})
	h.at(oldEnd.Add(time.Hour), func() {
		require.Equal(t, models.ShareNotShared, h.item().ShareType, "reverted at the old end date")
		a := h.record()
		require.Equal(t, "2025-06-20", a.EndDate)
		require.Equal(t, 1, a.Renewals)
	})
	st := h.run()
	requireRejected(t, early, workflows.ErrInvalid)
	requireRejected(t, other, workflows.ErrForbidden)
	require.NoError(t, ok.rejected)
	require.True(t, ok.completed)
	require.Equal(t, models.AdjustmentReverted, st.Status)
	require.Equal(t, 1, st.Renewals)
	sameInstant(t, newEnd, h.record().RevertedAt, "reverted_at")
	require.Equal(t, models.ShareUnconditional, h.item().ShareType)
}

// Xiamen 第二十一条: emergency data is evaluated after the revert.
func TestAdjustmentXiamenEmergencyEvaluated(t *testing.T) {
	h := newAdjustment(t, "xiamen", models.GroundEmergency)
	end := midnightAfter(t, "2025-06-10")
	task := adjID + ".evaluation.department"
	h.at(end.Add(time.Hour), func() {
		require.Equal(t, models.ShareUnconditional, h.item().ShareType)
		require.Equal(t, models.AdjustmentReverted, h.record().Status)
		require.Equal(t, models.TaskOpen, h.task(task).Status)
	})
	d := h.decideAt(end.Add(2*time.Hour), workflows.Decision{TaskID: task, Decision: workflows.DecisionAcknowledge, Actor: provAct()})
	st := h.run()
	requireAccepted(t, d, task, workflows.DecisionAcknowledge)
	require.Equal(t, models.AdjustmentEvaluated, st.Status)
	require.Equal(t, models.AdjustmentEvaluated, h.record().Status)
	require.Contains(t, h.task(task).Article, "第二十一条")
}

// Xiamen 第二十一条: when the emergency ends, the applications of the data
// are shut down (关停相关数据应用): the grants opened on it are closed, each
// with an event citing the article, not merely left to an acknowledgement.
func TestEmergencyEndClosesGrantsXiamen21(t *testing.T) {
	h := newAdjustment(t, "xiamen", models.GroundEmergency)
	g := models.Grant{ID: "G-1", ShareRequestID: "SR-9", CatalogItemID: "ITEM-1", Dept: "REQ-1", Basis: models.BasisDecision,
		Purpose: "应急处置", Article: "厦门市公共数据共享开放管理暂行办法 第十七条", GrantedAt: classFiled.Add(time.Hour)}
	require.NoError(t, h.db.Create(&g).Error)
	end := midnightAfter(t, "2025-06-10")
	task := adjID + ".evaluation.department"
	h.at(end.Add(-time.Hour), func() {
		var open models.Grant
		require.NoError(t, h.db.First(&open, "id = ?", "G-1").Error)
		require.Nil(t, open.ClosedAt, "closed before the emergency ended")
	})
	h.decideAt(end.Add(2*time.Hour), workflows.Decision{TaskID: task, Decision: workflows.DecisionAcknowledge, Actor: provAct()})
	h.run()
	var closed models.Grant
	require.NoError(t, h.db.First(&closed, "id = ?", "G-1").Error)
	require.NotNil(t, closed.ClosedAt, "xiamen 第二十一条: the grants on emergency data are closed at its end")
	require.Contains(t, closed.ClosedReason, "关停相关数据应用")
	ev, ok := h.event("grant_closed", "")
	require.True(t, ok)
	require.Equal(t, "SR-9", ev.ProcedureID)
	require.Contains(t, ev.Article, "第二十一条")
}
