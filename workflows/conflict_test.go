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

const conflictID = "dc-1"

// Tasks of the data conflict under test: each department's negotiation
// task, the authority's coordination.
const (
	negProv  = conflictID + ".negotiation.department." + provider
	negOther = conflictID + ".negotiation.department." + reqDept
	coordTk  = conflictID + ".coordination.authority"
)

// newConflict runs a leshan data conflict between provider's item and
// reqDept's, filed at start.
func newConflict(t *testing.T, start time.Time) (*harness, workflows.DataConflictInput) {
	t.Helper()
	h := newEnv(t, start, conflictID)
	h.env.RegisterWorkflow(workflows.DataConflict)
	return h, workflows.DataConflictInput{
		Conflict: models.DataConflict{
			Header:        models.Header{ID: conflictID, WorkflowID: conflictID, Jurisdiction: "leshan"},
			CatalogItemID: "ITEM-A", OtherItemID: "ITEM-B", ProviderDept: provider, OtherDept: reqDept,
			FiledBy: "dan@" + reqDept, FilerDept: reqDept, Description: "同一企业的注册地址不一致", FiledAt: start,
		},
		Profile: profile(t, "leshan"),
	}
}

func otherAct() workflows.Actor {
	return workflows.Actor{Subject: "dan", Role: regulations.RoleDepartment, Dept: reqDept}
}

func (h *harness) conflict() models.DataConflict {
	h.t.Helper()
	return stored[models.DataConflict](h.t, h.db, conflictID)
}

// Leshan 第十一条: both departments agree on one opinion (协商形成一致意见);
// the conflict ends agreed with it and the authority has nothing to do.
func TestDataConflictAgreed11(t *testing.T) {
	h, in := newConflict(t, filedDispute)
	h.at(filedDispute.Add(time.Minute), func() {
		require.ElementsMatch(t, []string{negProv, negOther}, h.taskIDs(), "a task for each department")
		c := h.conflict()
		require.Equal(t, "negotiation", c.Step)
		require.Equal(t, "乐山市数据资源管理暂行办法 第十一条", c.Article)
		want, err := holidays.Default().AddWorkingDays(filedDispute, 5)
		require.NoError(t, err)
		require.Equal(t, want.DueDate, h.task(negProv).DueDate)
	})
	a := h.decideAt(filedDispute.Add(time.Hour), ruling(negProv, workflows.DecisionAgree, "以市场监管登记地址为准", provAct()))
	b := h.decideAt(filedDispute.Add(2*time.Hour), ruling(negOther, workflows.DecisionAgree, "以市场监管登记地址为准，本部门更正", otherAct()))
	st := complete[workflows.DataConflictResult](t, h.env, workflows.DataConflict, in)
	requireAccepted(t, a, negProv, workflows.DecisionAgree)
	requireAccepted(t, b, negOther, workflows.DecisionAgree)
	require.Equal(t, models.ConflictAgreed, st.Status)
	c := h.conflict()
	require.Equal(t, models.ConflictAgreed, c.Status)
	require.Contains(t, c.Resolution, "本部门更正")
	require.NotNil(t, c.DecidedAt)
	require.Len(t, h.tasks(), 2, "no coordination")
}

// The negotiation fails when one department refuses (不能形成一致意见): its
// reason is recorded, the other's task closes, and the authority
// coordinates and records its handling.
func TestDataConflictNegotiationFailsAuthorityCoordinates11(t *testing.T) {
	h, in := newConflict(t, filedDispute)
	var bad []*upd
	var errTypes []string
	try := func(at time.Duration, d workflows.Decision, errType string) {
		bad = append(bad, h.decideAt(filedDispute.Add(at), d))
		errTypes = append(errTypes, errType)
	}
	try(time.Minute, ruling(negProv, workflows.DecisionAgree, "", provAct()), workflows.ErrInvalid)       // the opinion is required
	try(2*time.Minute, ruling(negProv, workflows.DecisionAgree, "x", otherAct()), workflows.ErrForbidden) // another's task
	try(3*time.Minute, ruling(negOther, workflows.DecisionReject, "", otherAct()), workflows.ErrInvalid)  // a refusal needs a reason
	r := h.decideAt(filedDispute.Add(time.Hour), ruling(negOther, workflows.DecisionReject, "本部门数据来自现场核查，不同意", otherAct()))
	h.at(filedDispute.Add(2*time.Hour), func() {
		c := h.conflict()
		require.Equal(t, models.ConflictPending, c.Status)
		require.Contains(t, c.Failure, "现场核查")
		require.Equal(t, models.TaskOpen, h.task(coordTk).Status)
		require.NotEqual(t, models.TaskOpen, h.task(negProv).Status, "the failed negotiation closes the other task")
	})
	try(3*time.Hour, ruling(coordTk, workflows.DecisionResolve, "", authAct("leshan")), workflows.ErrInvalid) // needs the handling
	try(4*time.Hour, ruling(coordTk, workflows.DecisionResolve, "x", provAct()), workflows.ErrForbidden)      // not the authority
	ok := h.decideAt(filedDispute.Add(5*time.Hour), ruling(coordTk, workflows.DecisionResolve, "会同两部门核实，以现场核查为准", authAct("leshan")))
	st := complete[workflows.DataConflictResult](t, h.env, workflows.DataConflict, in)
	for i, u := range bad {
		requireRejected(t, u, errTypes[i])
	}
	requireAccepted(t, r, negOther, workflows.DecisionReject)
	requireAccepted(t, ok, coordTk, workflows.DecisionResolve)
	require.Equal(t, models.ConflictCoordinated, st.Status)
	c := h.conflict()
	require.Equal(t, models.ConflictCoordinated, c.Status)
	require.Contains(t, c.Resolution, "以现场核查为准")
	require.Contains(t, c.Failure, "现场核查")
}

// A negotiation left undecided past its service level is flagged overdue
// and supervised by the authority; the conflict keeps waiting.
func TestDataConflictNegotiationOverdue(t *testing.T) {
	h, in := newConflict(t, filedDispute)
	due, err := holidays.Default().AddWorkingDays(filedDispute, 5)
	require.NoError(t, err)
	late := due.DueAt.Add(time.Hour)
	h.at(late, func() {
		require.True(t, h.conflict().Overdue)
		require.True(t, h.task(negOther).Overdue)
		require.Equal(t, models.TaskOpen, h.task(conflictID+".negotiation.supervision").Status)
	})
	h.decideAt(late.Add(time.Minute), ruling(negProv, workflows.DecisionAgree, "以登记为准", provAct()))
	h.decideAt(late.Add(2*time.Minute), ruling(negOther, workflows.DecisionAgree, "以登记为准", otherAct()))
	st := complete[workflows.DataConflictResult](t, h.env, workflows.DataConflict, in)
	require.Equal(t, models.ConflictAgreed, st.Status)
	require.True(t, st.Overdue)
}
