package workflows_test

import (
	"testing"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/stretchr/testify/require"
)

const aaID = "aa-1"

var aaFiled = bj(2025, time.June, 3, 9, 0)

type aaHarness struct {
	*harness
	in workflows.ApprovalInput
}

func newApproval(t *testing.T, city, kind string) *aaHarness {
	t.Helper()
	h := newEnv(t, aaFiled, aaID)
	h.env.RegisterWorkflow(workflows.AuthorityApproval)
	return &aaHarness{harness: h, in: workflows.ApprovalInput{
		Approval: models.AuthorityApproval{
			Header: models.Header{ID: aaID, WorkflowID: aaID, Jurisdiction: city},
			Kind:   kind, Dept: provider, Title: "数据申请", Description: "说明", Recipient: "某公司",
			EntryConditions: []string{}, GrantConditions: []string{},
			SubmittedBy: "bob@" + provider, SubmittedAt: aaFiled,
		},
		Profile: profile(t, city),
	}}
}

func (h *aaHarness) run() workflows.ApprovalResult {
	h.t.Helper()
	return complete[workflows.ApprovalResult](h.t, h.env, workflows.AuthorityApproval, h.in)
}

func (h *aaHarness) record() models.AuthorityApproval {
	h.t.Helper()
	return stored[models.AuthorityApproval](h.t, h.db, aaID)
}

// Changsha 第二十二条: the authority approves sharing off the platform; the
// approval records that the data goes only where approved.
func TestApprovalChangshaOffPlatformApproved(t *testing.T) {
	h := newApproval(t, "changsha", regulations.ApprovalOffPlatform)
	task := aaID + ".authority-approval.authority"
	h.at(hours(1), func() {
		tk := h.task(task)
		require.Contains(t, tk.Article, "第二十二条")
		require.False(t, tk.Statutory)
		require.Len(t, tk.Facts, 1)
		require.Equal(t, "authority-approval", h.record().Step)
	})
	a := h.decideAt(hours(2), approve(task, authAct("changsha")))
	st := h.run()
	requireAccepted(t, a, task, workflows.DecisionApprove)
	require.Equal(t, models.ApprovalApproved, st.Status)
	r := h.record()
	require.Equal(t, models.ApprovalApproved, r.Status)
	require.Len(t, r.GrantConditions, 1)
	require.Contains(t, r.GrantConditions[0], "未经批准不得")
	require.NotNil(t, r.DecidedAt)
}

// Changsha: a refusal ends it; no grant conditions.
func TestApprovalChangshaRefused(t *testing.T) {
	h := newApproval(t, "changsha", regulations.ApprovalOffPlatform)
	h.decideAt(hours(1), decide(aaID+".authority-approval.authority", workflows.DecisionReject, "应通过平台共享", authAct("changsha")))
	st := h.run()
	require.Equal(t, models.ApprovalRefused, st.Status)
	r := h.record()
	require.Equal(t, "应通过平台共享", r.Note)
	require.Empty(t, r.GrantConditions)
}

// Leshan 第三十条: the authority's expert risk assessment, then the city
// government's approval; the grant forbids passing data to third parties.
func TestApprovalLeshanOperationApproved(t *testing.T) {
	h := newApproval(t, "leshan", regulations.ApprovalAuthorisedOperation)
	h.in.Approval.Plan = "实施方案"
	h.in.Approval.EntryConditions = []string{"legal_entity", "security_systems", "no_harm"}
	risk, gov := aaID+".expert-risk-assessment.authority", aaID+".government-approval.government"
	h.at(hours(1), func() {
		require.Equal(t, []string{risk}, h.taskIDs(), "the government decides after the assessment")
		require.Len(t, h.task(risk).Facts, 4, "three entry conditions and the grant's condition")
	})
	h.decideAt(hours(2), approve(risk, authAct("leshan")))
	h.at(hours(3), func() {
		require.Equal(t, "government-approval", h.record().Step)
		require.Equal(t, models.ApprovalPending, h.record().Status)
	})
	g := h.decideAt(hours(4), approve(gov, govAct("leshan")))
	st := h.run()
	requireAccepted(t, g, gov, workflows.DecisionApprove)
	require.Equal(t, models.ApprovalApproved, st.Status)
	require.Len(t, st.GrantConditions, 1)
	require.Contains(t, h.record().GrantConditions[0], "不得将数据以任何形式泄露给第三方")
}

// Leshan: a failed risk assessment ends it before the government.
func TestApprovalLeshanRiskAssessmentFails(t *testing.T) {
	h := newApproval(t, "leshan", regulations.ApprovalAuthorisedOperation)
	risk := aaID + ".expert-risk-assessment.authority"
	h.decideAt(hours(1), decide(risk, workflows.DecisionReject, "风险不可控", authAct("leshan")))
	st := h.run()
	require.Equal(t, models.ApprovalRefused, st.Status)
	require.Equal(t, []string{risk}, h.taskIDs())
}

// Leshan: the government refuses after a passed assessment.
func TestApprovalLeshanGovernmentRefuses(t *testing.T) {
	h := newApproval(t, "leshan", regulations.ApprovalAuthorisedOperation)
	h.decideAt(hours(1), approve(aaID+".expert-risk-assessment.authority", authAct("leshan")))
	h.decideAt(hours(2), decide(aaID+".government-approval.government", workflows.DecisionReject, "暂缓实施", govAct("leshan")))
	st := h.run()
	require.Equal(t, models.ApprovalRefused, st.Status)
	require.Equal(t, "暂缓实施", h.record().Note)
}

// Xiamen 第七条: the authority confirms data that cannot be aggregated; it
// is then shared through service interfaces. An overdue confirmation is
// flagged and supervised.
func TestApprovalXiamenNonAggregableConfirmed(t *testing.T) {
	h := newApproval(t, "xiamen", regulations.ApprovalNonAggregable)
	h.in.Approval.LegalBasis = "《测绘法》第三十四条"
	task := aaID + ".authority-confirmation.authority"
	late := midnightAfter(t, "2025-06-10").Add(time.Hour) // five working days from 3 June
	h.at(late, func() {
		require.True(t, h.task(task).Overdue)
		require.True(t, h.record().Overdue)
	})
	h.decideAt(late.Add(time.Hour), approve(task, authAct("xiamen")))
	st := h.run()
	require.Equal(t, models.ApprovalApproved, st.Status)
	require.Contains(t, h.record().GrantConditions[0], "服务接口")
}
