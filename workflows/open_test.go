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

const (
	oaID      = "OA-1"
	applicant = "zhang"
)

// Task IDs of the application under test.
const (
	oaDecisionDept = oaID + ".decision.department"
	oaDecisionAuth = oaID + ".decision.authority"
	oaDecisionSup  = oaID + ".decision.supervision"
	// leshan: the providing department concludes the use agreement
	oaAgreementDept = oaID + ".agreement.department"
	oaAgreementSup  = oaID + ".agreement.supervision"
)

// newOpen is a harness for one open-data application filed at filed, for a
// period of use ending on periodTo.
func newOpen(t *testing.T, city, kind string, filed time.Time, periodTo string) (*harness, workflows.OpenInput) {
	t.Helper()
	h := newEnv(t, filed, "oa-"+oaID)
	h.env.RegisterWorkflow(workflows.OpenApplication)
	a := models.OpenApplication{
		Header:           models.Header{ID: oaID, WorkflowID: "oa-" + oaID, Jurisdiction: city},
		Kind:             kind,
		ApplicantSubject: applicant,
		ApplicantName:    "张三科技有限公司",
		ApplicantKind:    "company",
		CreditCode:       "91350200MA0000000X",
		OpenFields: models.OpenFields{
			Scenario: "交通出行应用", DataScope: "公交线路", Delivery: "api", PeriodFrom: filed.In(holidays.Shanghai).Format(time.DateOnly),
			PeriodTo: periodTo, ExpiresAt: midnightAfter(t, periodTo), SafetyMeasures: "等保三级",
		},
		FiledAt: filed,
	}
	if kind == models.OpenKindDemand {
		a.Demand = "全市充电桩实时状态"
	} else {
		a.CatalogItemID, a.ProviderDept = "ITEM-1", provider
	}
	return h, workflows.OpenInput{Application: a, Profile: profile(t, city)}
}

func (h *harness) runOpen(in workflows.OpenInput) workflows.OpenResult {
	h.t.Helper()
	return complete[workflows.OpenResult](h.t, h.env, workflows.OpenApplication, in)
}

func (h *harness) application() models.OpenApplication {
	h.t.Helper()
	return stored[models.OpenApplication](h.t, h.db, oaID)
}

func (h *harness) openGrants() []models.OpenGrant {
	h.t.Helper()
	var gs []models.OpenGrant
	require.NoError(h.t, h.db.Find(&gs).Error)
	return gs
}

func (h *harness) openState() workflows.OpenResult {
	h.t.Helper()
	v, err := h.env.QueryWorkflow(workflows.QueryState)
	require.NoError(h.t, err)
	var st workflows.OpenResult
	require.NoError(h.t, v.Get(&st))
	return st
}

func infoAct() workflows.Actor {
	return workflows.Actor{Subject: "ic", Role: regulations.RoleInfocenter, Jurisdiction: "xiamen"}
}

func applicantAct(subject string) workflows.Actor {
	return workflows.Actor{Subject: subject, Role: "applicant"}
}

func dueOf(t *testing.T, from time.Time, days int) string {
	t.Helper()
	d, err := holidays.Default().AddWorkingDays(from, days)
	require.NoError(t, err)
	return d.DueDate
}

// Xiamen: the preliminary review returns the application with reasons; the
// applicant amends and resubmits (a new round on a new 3-day clock); the
// second round's review is late (overdue, supervision), then passes; the
// decision by the authority with the provider is due 7 working days from
// the pass; the approval grants access that expires at the period's end.
func TestOpenXiamenReturnResubmitPassDecideExpire(t *testing.T) {
	filed := bj(2026, 3, 2, 10, 0) // Monday
	h, in := newOpen(t, "xiamen", models.OpenKindUse, filed, "2026-03-31")
	require.Equal(t, "2026-03-05", dueOf(t, filed, 3))

	ret := h.decideAt(bj(2026, 3, 3, 10, 0), workflows.Decision{TaskID: oaID + ".preliminary-1.infocenter", Decision: workflows.DecisionReject, Actor: infoAct()})
	ret2 := h.decideAt(bj(2026, 3, 3, 10, 1), workflows.Decision{TaskID: oaID + ".preliminary-1.infocenter", Decision: workflows.DecisionReject, Reason: "缺少安全保障措施说明", Actor: infoAct()})
	var returned workflows.OpenResult
	h.at(bj(2026, 3, 3, 11, 0), func() {
		returned = h.openState()
		require.Equal(t, models.OpenReturned, h.application().Status)
	})
	amended := in.Application.OpenFields
	amended.SafetyMeasures = "等保三级；访问日志留存六个月"
	stranger, resub := &upd{}, &upd{}
	h.at(bj(2026, 3, 4, 10, 0), func() {
		h.update(stranger, workflows.UpdateResubmit, workflows.OpenResubmitInput{Fields: amended, Actor: applicantAct("li")})
		h.update(resub, workflows.UpdateResubmit, workflows.OpenResubmitInput{Fields: amended, Actor: applicantAct(applicant)})
	})
	var beforePass []models.OpenGrant
	h.at(bj(2026, 3, 10, 9, 0), func() { beforePass = h.openGrants() })
	pass := h.decideAt(bj(2026, 3, 10, 10, 0), approve(oaID+".preliminary-2.infocenter", infoAct()))
	early := h.decideAt(bj(2026, 3, 10, 11, 0), approve(oaDecisionAuth, authAct("xiamen")))
	var provOnly workflows.OpenResult
	h.at(bj(2026, 3, 11, 9, 0), func() { provOnly = h.openState() })
	last := h.decideAt(bj(2026, 3, 12, 10, 0), workflows.Decision{TaskID: oaDecisionDept, Decision: workflows.DecisionApprove, Conditions: "仅限交通出行应用", Actor: provAct()})
	var active []models.OpenGrant
	h.at(bj(2026, 3, 31, 23, 0), func() { active = h.openGrants() })

	st := h.runOpen(in)

	requireRejected(t, ret, workflows.ErrInvalid) // a return needs its reasons
	requireAccepted(t, ret2, oaID+".preliminary-1.infocenter", workflows.DecisionReject)
	require.Equal(t, models.OpenReturned, returned.Status)
	require.Equal(t, "缺少安全保障措施说明", returned.ReturnReason)
	requireRejected(t, stranger, workflows.ErrForbidden)
	require.NoError(t, resub.err)
	require.True(t, resub.completed)
	require.Empty(t, beforePass, "nothing is granted before the decision")
	requireAccepted(t, pass, oaID+".preliminary-2.infocenter", workflows.DecisionApprove)
	requireAccepted(t, early, oaDecisionAuth, workflows.DecisionApprove)
	require.Equal(t, models.OpenUnderDecision, provOnly.Status, "the authority alone does not decide")
	requireAccepted(t, last, oaDecisionDept, workflows.DecisionApprove)

	re, ok := h.event("resubmitted", "")
	require.True(t, ok)
	require.Contains(t, re.Article, "第二十三条", "the resubmission cites its article")

	// The second round's clock started at the resubmission, and ran out.
	p2 := h.task(oaID + ".preliminary-2.infocenter")
	require.Equal(t, dueOf(t, bj(2026, 3, 4, 10, 0), 3), p2.DueDate)
	require.Equal(t, "2026-03-09", p2.DueDate)
	require.True(t, p2.Overdue)
	sup := h.task(oaID + ".preliminary-2.supervision")
	require.Equal(t, models.TaskSupervision, sup.Kind)
	require.Equal(t, models.TaskDone, sup.Status)
	// The decision is due 7 working days from the pass, not from the filing.
	require.Equal(t, dueOf(t, bj(2026, 3, 10, 10, 0), 7), h.task(oaDecisionAuth).DueDate)
	require.Equal(t, "2026-03-19", h.task(oaDecisionDept).DueDate)
	require.Contains(t, h.task(oaDecisionAuth).Article, "第二十三条", "xiamen's 7-day answer is 第二十三条 (second paragraph), not 第二十四条")

	a := h.application()
	require.Equal(t, models.OpenApproved, a.Status)
	require.Equal(t, 2, a.Round)
	require.Equal(t, amended.SafetyMeasures, a.SafetyMeasures)
	require.True(t, a.Overdue)
	var rounds []models.OpenRound
	require.NoError(t, h.db.Order("round").Find(&rounds, "application_id = ?", oaID).Error)
	require.Len(t, rounds, 2)
	require.Equal(t, "returned", rounds[0].Outcome)
	require.Equal(t, "缺少安全保障措施说明", rounds[0].Reason)
	require.Equal(t, "等保三级", rounds[0].Submitted.SafetyMeasures)
	require.Equal(t, "passed", rounds[1].Outcome)

	require.Len(t, active, 1)
	require.Equal(t, models.GrantActive, active[0].Status)
	require.Equal(t, "仅限交通出行应用", active[0].Conditions)
	gs := h.openGrants()
	require.Len(t, gs, 1)
	require.Equal(t, models.GrantExpired, gs[0].Status)
	sameInstant(t, midnightAfter(t, "2026-03-31"), gs[0].ExpiredAt, "the grant expires at the end of the period")
	require.Equal(t, models.GrantExpired, st.Grant)
	require.Equal(t, models.OpenApproved, st.Status)
	ev, ok := h.event("grant_expired", "")
	require.True(t, ok)
	require.Contains(t, ev.Article, "第二十三条", "the expiry cites the article the application was filed under")
}

// Xiamen: a refusal is published with its reasons.
func TestOpenXiamenRefusalPublished(t *testing.T) {
	filed := bj(2026, 3, 2, 10, 0)
	h, in := newOpen(t, "xiamen", models.OpenKindUse, filed, "2026-06-30")
	h.decideAt(bj(2026, 3, 2, 11, 0), approve(oaID+".preliminary-1.infocenter", infoAct()))
	h.decideAt(bj(2026, 3, 3, 10, 0), workflows.Decision{TaskID: oaDecisionAuth, Decision: workflows.DecisionReject, Reason: "涉及商业秘密", Actor: authAct("xiamen")})
	st := h.runOpen(in)
	require.Equal(t, models.OpenRejected, st.Status)
	a := h.application()
	require.True(t, a.Published)
	require.Equal(t, "涉及商业秘密", a.Reason)
	require.Empty(t, h.openGrants())
	require.Equal(t, models.TaskCancelled, h.task(oaDecisionDept).Status)
}

// Changsha: the provider decides within 10 working days; a refusal needs
// reasons and basis; silence flags it overdue and the authority supervises,
// and nothing is granted by silence.
func TestOpenChangshaSilenceThenRefusalWithBasis(t *testing.T) {
	filed := bj(2026, 3, 2, 10, 0)
	h, in := newOpen(t, "changsha", models.OpenKindUse, filed, "2026-06-30")
	due := dueOf(t, filed, 10)
	require.Equal(t, "2026-03-16", due)
	var late models.OpenApplication
	var lateGrants []models.OpenGrant
	h.at(bj(2026, 3, 18, 10, 0), func() { late, lateGrants = h.application(), h.openGrants() })
	noBasis := h.decideAt(bj(2026, 3, 18, 11, 0), workflows.Decision{TaskID: oaDecisionDept, Decision: workflows.DecisionReject, Reason: "数据质量不达标", Actor: provAct()})
	ok := h.decideAt(bj(2026, 3, 18, 12, 0), workflows.Decision{TaskID: oaDecisionDept, Decision: workflows.DecisionReject, Reason: "数据质量不达标", LegalBasis: "《长沙市政务数据资源管理办法》第二十四条", Actor: provAct()})
	st := h.runOpen(in)

	require.Equal(t, models.OpenUnderDecision, late.Status)
	require.True(t, late.Overdue)
	require.Empty(t, lateGrants)
	requireRejected(t, noBasis, workflows.ErrInvalid)
	requireAccepted(t, ok, oaDecisionDept, workflows.DecisionReject)
	require.Equal(t, models.OpenRejected, st.Status)
	require.Equal(t, due, h.task(oaDecisionDept).DueDate)
	require.True(t, h.task(oaDecisionDept).Overdue)
	require.Equal(t, models.TaskSupervision, h.task(oaDecisionSup).Kind)
	require.False(t, h.application().Published, "changsha does not publish refusals")
	require.Empty(t, h.openGrants())
}

// Leshan: the authority approves, but the approval takes effect only once the
// applicant accepts the use agreement with all six clauses of 第二十八条 and
// the providing department (the 政务部门 of 第二十八条) concludes it. The
// decision task shows the authority the item's conditions of use and how
// the applicant meets each (第二十五条第二款).
func TestOpenLeshanAgreement(t *testing.T) {
	filed := bj(2026, 3, 2, 10, 0)
	h, in := newOpen(t, "leshan", models.OpenKindUse, filed, "2026-12-31")
	in.Application.ConditionsMet = []models.ConditionMet{
		{OpenCondition: models.OpenCondition{Kind: "credit_level", Requirement: "A级以上"}, Statement: "2025年度纳税信用A级"},
	}
	require.Len(t, in.Profile.OpenApplication.AgreementClauses, 6)
	all := []string{}
	for _, c := range in.Profile.OpenApplication.AgreementClauses {
		all = append(all, c.Key)
	}
	early := &upd{}
	h.at(bj(2026, 3, 2, 11, 0), func() {
		h.update(early, workflows.UpdateAgree, workflows.AgreeInput{Clauses: all, Actor: applicantAct(applicant)})
	})
	h.decideAt(bj(2026, 3, 3, 10, 0), approve(oaDecisionAuth, authAct("leshan")))
	var pending models.OpenApplication
	var pendingGrants []models.OpenGrant
	h.at(bj(2026, 3, 4, 9, 0), func() { pending, pendingGrants = h.application(), h.openGrants() })
	partial, stranger, full := &upd{}, &upd{}, &upd{}
	h.at(bj(2026, 3, 4, 10, 0), func() {
		h.update(partial, workflows.UpdateAgree, workflows.AgreeInput{Clauses: all[:5], Actor: applicantAct(applicant)})
		h.update(stranger, workflows.UpdateAgree, workflows.AgreeInput{Clauses: all, Actor: applicantAct("li")})
		h.update(full, workflows.UpdateAgree, workflows.AgreeInput{Clauses: all, Actor: applicantAct(applicant)})
	})
	var accepted models.OpenApplication
	var acceptedGrants []models.OpenGrant
	h.at(bj(2026, 3, 4, 11, 0), func() { accepted, acceptedGrants = h.application(), h.openGrants() })
	h.decideAt(bj(2026, 3, 5, 10, 0), workflows.Decision{TaskID: oaAgreementDept, Decision: workflows.DecisionConclude, Actor: provAct()})
	var effective []models.OpenGrant
	h.at(bj(2026, 3, 6, 10, 0), func() { effective = h.openGrants() })
	st := h.runOpen(in)

	requireRejected(t, early, workflows.ErrInvalid)
	require.Equal(t, models.OpenAwaitingAgreement, pending.Status)
	require.Empty(t, pendingGrants, "no grant before the agreement")
	requireRejected(t, partial, workflows.ErrInvalid)
	requireRejected(t, stranger, workflows.ErrForbidden)
	require.True(t, full.completed, "the acceptance answers before the department concludes")
	require.NoError(t, full.err)
	require.Equal(t, models.OpenAwaitingConclusion, accepted.Status)
	require.Empty(t, acceptedGrants, "no grant before the department concludes the agreement")
	require.Len(t, effective, 1)
	require.Equal(t, models.GrantActive, effective[0].Status)
	a := h.application()
	require.Equal(t, models.OpenApproved, a.Status)
	require.NotNil(t, a.AgreementAt)
	require.NotNil(t, a.AgreementConcludedAt)
	require.Equal(t, models.GrantExpired, st.Grant)
	_, ok := h.event("agreement_accepted", "")
	require.True(t, ok)
	_, ok = h.event("agreement_concluded", "")
	require.True(t, ok)
	sign := h.task(oaAgreementDept)
	require.Equal(t, provider, sign.AssigneeDept)
	require.Equal(t, "乐山市数据资源管理暂行办法 第二十八条", sign.Article)
	require.False(t, sign.Statutory, "第二十八条 sets no period: a service level")
	require.Empty(t, sign.Facts)
	dec := h.task(oaDecisionAuth)
	require.Equal(t, []models.TaskFact{{Name: "信用等级（第二十五条第二款：达到相应的信用等级）", Value: "A级以上", Stated: "2025年度纳税信用A级"}}, dec.Facts)
}

// Leshan: a providing department silent on the agreement is flagged overdue
// and supervised; nothing is granted by its silence.
func TestOpenLeshanConclusionSilence(t *testing.T) {
	filed := bj(2026, 3, 2, 10, 0)
	h, in := newOpen(t, "leshan", models.OpenKindUse, filed, "2026-12-31")
	all := []string{}
	for _, c := range in.Profile.OpenApplication.AgreementClauses {
		all = append(all, c.Key)
	}
	h.decideAt(bj(2026, 3, 3, 10, 0), approve(oaDecisionAuth, authAct("leshan")))
	full := &upd{}
	h.at(bj(2026, 3, 4, 10, 0), func() {
		h.update(full, workflows.UpdateAgree, workflows.AgreeInput{Clauses: all, Actor: applicantAct(applicant)})
	})
	var late models.OpenApplication
	var lateGrants []models.OpenGrant
	var sup models.Task
	h.at(bj(2026, 3, 16, 10, 0), func() { late, lateGrants, sup = h.application(), h.openGrants(), h.task(oaAgreementSup) })
	h.decideAt(bj(2026, 3, 17, 10, 0), workflows.Decision{TaskID: oaAgreementDept, Decision: workflows.DecisionConclude, Actor: provAct()})
	h.runOpen(in)
	require.True(t, full.completed)
	require.Equal(t, models.OpenAwaitingConclusion, late.Status)
	require.True(t, late.Overdue)
	require.Empty(t, lateGrants)
	require.Equal(t, models.TaskSupervision, sup.Kind)
	require.True(t, h.task(oaAgreementDept).Overdue)
	require.Equal(t, models.OpenApproved, h.application().Status)
}

// Weifang 第二十五条 and changsha 第十二条: a data demand application is
// handled by the department holding the data that it addresses (各级公共管理
// 和服务机构 / 各级政务部门), not by the authority, within the platform's
// service level; its approval grants nothing (the data is not on the open
// list yet).
func TestOpenDemandToHolder(t *testing.T) {
	for _, tc := range []struct{ city, article string }{
		{"weifang", "潍坊市公共数据管理办法 第二十五条"},
		{"changsha", "长沙市政务数据资源管理办法 第十二条"},
	} {
		t.Run(tc.city, func(t *testing.T) {
			filed := bj(2026, 3, 2, 10, 0)
			h, in := newOpen(t, tc.city, models.OpenKindDemand, filed, "2026-12-31")
			in.Application.ProviderDept = provider
			h.decideAt(bj(2026, 3, 3, 10, 0), approve(oaDecisionDept, provAct()))
			st := h.runOpen(in)
			require.Equal(t, models.OpenApproved, st.Status)
			require.Empty(t, h.openGrants())
			require.Equal(t, []string{oaDecisionDept}, h.taskIDs())
			tk := h.task(oaDecisionDept)
			require.Equal(t, provider, tk.AssigneeDept)
			require.Equal(t, tc.article, tk.Article)
			require.False(t, tk.Statutory, "neither text sets a period")
			require.Equal(t, "2026-03-09", tk.DueDate, "5 working days: the service level")
		})
	}
}

// A demand the department leaves unanswered is flagged overdue and
// supervised by the authority; nothing is granted or deemed.
func TestOpenDemandSilence(t *testing.T) {
	filed := bj(2026, 3, 2, 10, 0)
	h, in := newOpen(t, "changsha", models.OpenKindDemand, filed, "2026-12-31")
	in.Application.ProviderDept = provider
	var late models.OpenApplication
	h.at(bj(2026, 3, 10, 10, 0), func() { late = h.application() })
	h.decideAt(bj(2026, 3, 11, 10, 0), workflows.Decision{TaskID: oaDecisionDept, Decision: workflows.DecisionReject, Reason: "数据尚未汇聚", LegalBasis: "第十二条", Actor: provAct()})
	st := h.runOpen(in)
	require.True(t, late.Overdue)
	require.Equal(t, models.OpenRejected, st.Status)
	require.True(t, h.task(oaDecisionDept).Overdue)
	require.Contains(t, h.taskIDs(), oaDecisionSup)
}

// Wuhan: the provider decides under the service level (not statutory).
func TestOpenWuhanServiceLevel(t *testing.T) {
	filed := bj(2026, 3, 2, 10, 0)
	h, in := newOpen(t, "wuhan", models.OpenKindUse, filed, "2026-03-20")
	var st0 workflows.OpenResult
	h.at(bj(2026, 3, 2, 11, 0), func() { st0 = h.openState() })
	h.decideAt(bj(2026, 3, 3, 10, 0), approve(oaDecisionDept, provAct()))
	st := h.runOpen(in)
	require.False(t, st0.Statutory)
	require.Equal(t, dueOf(t, filed, 5), st0.DueDate)
	require.False(t, h.application().Statutory)
	require.Equal(t, models.GrantExpired, st.Grant)
	gs := h.openGrants()
	require.Len(t, gs, 1)
	sameInstant(t, midnightAfter(t, "2026-03-20"), gs[0].ExpiredAt, "expiry")
}
