package workflows_test

import (
	"testing"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/stretchr/testify/require"
)

const (
	puID      = "pu-1"
	puTrigger = "ct-" + puID
)

// puFiled is a Tuesday morning, Beijing time.
var puFiled = bj(2025, time.June, 3, 9, 0)

type puHarness struct {
	*harness
	in workflows.PurchaseInput
}

// newPurchase files the provider's purchase of kind, overlapping what is
// given.
func newPurchase(t *testing.T, city, kind string, overlaps ...string) *puHarness {
	t.Helper()
	h := newEnv(t, puFiled, puID)
	h.env.RegisterWorkflow(workflows.Purchase)
	return &puHarness{harness: h, in: workflows.PurchaseInput{
		Purchase: models.Purchase{
			Header: models.Header{ID: puID, WorkflowID: puID, Jurisdiction: city},
			Dept:   provider, Kind: kind, Title: "企业信用数据", Supplier: "某征信公司", Purpose: "信用监管",
			DataItems: []string{"企业信用评分"}, Overlaps: overlaps,
			SubmittedBy: "bob@" + provider, SubmittedAt: puFiled,
		},
		Profile: profile(t, city),
	}}
}

func (h *puHarness) run() workflows.PurchaseResult {
	h.t.Helper()
	return complete[workflows.PurchaseResult](h.t, h.env, workflows.Purchase, h.in)
}

func (h *puHarness) record() models.Purchase {
	h.t.Helper()
	return stored[models.Purchase](h.t, h.db, puID)
}

// catalogAt has the department's catalog change fulfil the obligation.
func (h *puHarness) catalogAt(when time.Time, change string) {
	h.at(when, func() {
		require.NoError(h.t, h.env.SignalWorkflowByID(puTrigger, workflows.SignalChangeSubmitted, workflows.ChangeSubmittedInput{ChangeID: change, At: when}))
	})
}

func decide(task, decision, reason string, a workflows.Actor) workflows.Decision {
	return workflows.Decision{TaskID: task, Decision: decision, Reason: reason, Actor: a}
}

// Weifang 第十三条: the authority approves, seeing that nothing overlaps; the
// department then has an obligation to catalog the bought data, which its
// catalog change fulfils.
func TestPurchaseWeifangApprovedThenCatalogued(t *testing.T) {
	h := newPurchase(t, "weifang", models.PurchaseData)
	task := puID + ".authority-approval.authority"
	h.at(hours(1), func() {
		tk := h.task(task)
		require.Equal(t, []models.TaskFact{{Name: "overlap", Value: workflows.NoOverlap}}, tk.Facts)
		require.False(t, tk.Statutory, "第十三条 names no period")
		require.Contains(t, tk.Article, "第十三条")
		require.Equal(t, "authority-approval", h.record().Step)
	})
	a := h.decideAt(hours(2), approve(task, authAct("weifang")))
	h.at(hours(3), func() {
		p := h.record()
		require.Equal(t, models.PurchaseCataloging, p.Status)
		require.Equal(t, puTrigger, p.TriggerID)
		require.NotNil(t, p.DecidedAt)
		tr := stored[models.CatalogTrigger](t, h.db, puTrigger)
		require.Equal(t, models.TriggerPurchase, tr.Kind)
		require.Equal(t, provider, tr.Dept)
		require.Contains(t, tr.Article, "第十三条")
		require.False(t, tr.Statutory)
		ob := h.task(puTrigger + ".update.department")
		require.Equal(t, models.TaskObligation, ob.Kind)
		require.Equal(t, "2025-06-17", ob.DueDate, "ten working days from the day after the approval")
	})
	h.catalogAt(hours(5), "cc-9")
	st := h.run()
	requireAccepted(t, a, task, workflows.DecisionApprove)
	require.Equal(t, models.PurchaseCatalogued, st.Status)
	p := h.record()
	require.Equal(t, models.PurchaseCatalogued, p.Status)
	require.Equal(t, "catalogued by change cc-9", p.Note)
	require.Equal(t, models.TriggerFulfilled, stored[models.CatalogTrigger](t, h.db, puTrigger).Status)
}

// Weifang: a refusal ends the purchase; nothing is to be catalogued.
func TestPurchaseWeifangRefused(t *testing.T) {
	h := newPurchase(t, "weifang", models.PurchaseData)
	task := puID + ".authority-approval.authority"
	h.decideAt(hours(1), decide(task, workflows.DecisionReject, "可通过共享获取", authAct("weifang")))
	st := h.run()
	require.Equal(t, models.PurchaseRefused, st.Status)
	p := h.record()
	require.Equal(t, "可通过共享获取", p.Note)
	require.Empty(t, p.TriggerID)
	require.Equal(t, []string{task}, h.taskIDs())
}

// Wuhan 第三十四条: advance notice; the authority sees the overlaps on its task
// and may refuse a duplicate of data the platform shares.
func TestPurchaseWuhanDuplicateRefused(t *testing.T) {
	overlap := "catalog wh-1 企业信用评分信息 (fagai, unconditional)"
	h := newPurchase(t, "wuhan", models.PurchaseData, overlap)
	task := puID + ".advance-notice.authority"
	h.at(hours(1), func() {
		tk := h.task(task)
		require.Equal(t, []models.TaskFact{{Name: "overlap", Value: overlap}}, tk.Facts)
		require.Len(t, tk.Decisions, 2, "acknowledge or refuse the duplicate")
	})
	h.decideAt(hours(2), decide(task, workflows.DecisionReject, "重复购买可以通过大数据平台共享的数据资源", authAct("wuhan")))
	st := h.run()
	require.Equal(t, models.PurchaseRefused, st.Status)
	require.Empty(t, h.record().TriggerID)
}

// Wuhan: the notice acknowledged, the bought data is catalogued
// (编制公共数据资源目录) under 第三十四条第二款.
func TestPurchaseWuhanNoticeThenCatalogued(t *testing.T) {
	h := newPurchase(t, "wuhan", models.PurchaseData)
	task := puID + ".advance-notice.authority"
	h.decideAt(hours(1), decide(task, workflows.DecisionAcknowledge, "", authAct("wuhan")))
	h.at(hours(2), func() {
		require.Contains(t, stored[models.CatalogTrigger](t, h.db, puTrigger).Article, "第三十四条第二款")
	})
	h.catalogAt(hours(3), "cc-1")
	st := h.run()
	require.Equal(t, models.PurchaseCatalogued, st.Status)
}

// Wuhan 第三十四条第三款: an external data service is filed (报备) and
// acknowledged; no catalog obligation follows.
func TestPurchaseWuhanServiceFiled(t *testing.T) {
	h := newPurchase(t, "wuhan", models.PurchaseService)
	task := puID + ".service-filing.authority"
	h.at(hours(1), func() { require.Contains(t, h.task(task).Article, "第三十四条第三款") })
	h.decideAt(hours(2), decide(task, workflows.DecisionAcknowledge, "", authAct("wuhan")))
	st := h.run()
	require.Equal(t, models.PurchaseFiled, st.Status)
	require.Empty(t, h.record().TriggerID)
	require.Equal(t, []string{task}, h.taskIDs())
}

// A silent authority is overdue at the platform's period and supervised as
// the city's accountability article orders; its late answer still counts.
func TestPurchaseAuthorityOverdue(t *testing.T) {
	h := newPurchase(t, "weifang", models.PurchaseData)
	task := puID + ".authority-approval.authority"
	late := midnightAfter(t, "2025-06-10").Add(time.Hour) // five working days from 3 June
	h.at(late, func() {
		require.True(t, h.task(task).Overdue)
		require.True(t, h.record().Overdue)
	})
	h.decideAt(late.Add(time.Hour), decide(task, workflows.DecisionReject, "不予批准", authAct("weifang")))
	st := h.run()
	require.Equal(t, models.PurchaseRefused, st.Status)
}
