package workflows_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/stretchr/testify/require"
)

const disputeID = "dp-" + reqID

// disputeHarness runs a Dispute over the refused share request SR-1.
type disputeHarness struct {
	*harness
	city string
	in   workflows.DisputeInput
}

func newDispute(t *testing.T, city string, start time.Time) *disputeHarness {
	t.Helper()
	h := newEnv(t, start, disputeID)
	h.env.RegisterWorkflow(workflows.Dispute)
	refused := models.ShareRequest{
		Header:        models.Header{ID: reqID, WorkflowID: wfID, Jurisdiction: city, Status: models.StatusRejected},
		CatalogItemID: "ITEM-1",
		RequesterDept: reqDept,
		ProviderDept:  provider,
		Purpose:       "核验企业资质",
		Reason:        "涉及商业秘密",
		FiledAt:       start.Add(-48 * time.Hour),
	}
	require.NoError(t, h.db.Create(&refused).Error)
	return &disputeHarness{harness: h, city: city, in: workflows.DisputeInput{
		Dispute: models.Dispute{
			Header:        models.Header{ID: disputeID, WorkflowID: disputeID, Jurisdiction: city},
			Subject:       models.DisputeOfShareRequest,
			SubjectID:     reqID,
			RequesterDept: reqDept,
			ProviderDept:  provider,
			FiledBy:       "alice@" + reqDept,
			Reason:        "履职必需",
			FiledAt:       start,
		},
		Profile: profile(t, city),
	}}
}

func (h *disputeHarness) run() workflows.DisputeResult {
	h.t.Helper()
	return complete[workflows.DisputeResult](h.t, h.env, workflows.Dispute, h.in)
}

func (h *disputeHarness) dispute() models.Dispute {
	h.t.Helper()
	return stored[models.Dispute](h.t, h.db, disputeID)
}

// levelTask is the task ID of level i (from 0) of the city's chain.
func levelTask(p regulations.Profile, i int) string {
	lv := p.Dispute[i]
	role := lv.Actor
	if role == regulations.RoleDepartment {
		role = regulations.RoleDepartment
	}
	return fmt.Sprintf("%s.level-%d-%s.%s", disputeID, i+1, lv.Level, role)
}

// levelActor is who may decide level i.
func levelActor(city string, lv regulations.Step) workflows.Actor {
	switch lv.Actor {
	case regulations.RoleDepartment:
		return provAct()
	case regulations.RoleGovernment:
		return workflows.Actor{Subject: "gov", Role: regulations.RoleGovernment, Jurisdiction: city}
	}
	return authAct(city)
}

func ruling(task, d, reason string, a workflows.Actor) workflows.Decision {
	return workflows.Decision{TaskID: task, Decision: d, Reason: reason, Actor: a}
}

var filedDispute = bj(2025, time.June, 3, 9, 0) // a Tuesday with no holiday for weeks

// Every level of every city's chain: the levels before it escalate, and it
// overturns the refusal (access granted to the requester) or, as the last
// level, upholds it (the refusal stands, no grant).
func TestDisputeEveryLevel(t *testing.T) {
	for _, city := range []string{"wuhan", "weifang", "changsha", "xiamen", "leshan"} {
		chain := profile(t, city).Dispute
		require.NotEmpty(t, chain, city)
		for k := range chain {
			for _, final := range []string{workflows.DecisionOverturn, workflows.DecisionUphold} {
				last := k == len(chain)-1
				if final == workflows.DecisionUphold && !last && chain[k].Actor == regulations.RoleDepartment {
					continue // a negotiation does not uphold: it settles or fails
				}
				t.Run(fmt.Sprintf("%s/level-%d-%s/%s", city, k+1, chain[k].Level, final), func(t *testing.T) {
					h := newDispute(t, city, filedDispute)
					p := h.in.Profile
					var ups []*upd
					for i := 0; i <= k; i++ {
						d := ruling(levelTask(p, i), workflows.DecisionEscalate, "协调不成", levelActor(city, p.Dispute[i]))
						if i == k {
							d.Decision, d.Reason = final, "依法裁定"
						}
						ups = append(ups, h.decideAt(filedDispute.Add(time.Duration(i+1)*time.Hour), d))
					}
					st := h.run()
					for i, u := range ups {
						want := workflows.DecisionEscalate
						if i == k {
							want = final
						}
						requireAccepted(t, u, levelTask(p, i), want)
					}

					wantStatus := models.DisputeOverturned
					if final == workflows.DecisionUphold {
						wantStatus = models.DisputeUpheld
					}
					require.Equal(t, wantStatus, st.Status)
					require.Equal(t, chain[k].Level, st.Level)
					d := h.dispute()
					require.Equal(t, wantStatus, d.Status)
					require.Equal(t, chain[k].Level, d.Level)
					require.Equal(t, chain[k].Period.Article, d.Article)
					require.NotNil(t, d.DecidedAt)
					require.Len(t, d.Levels, len(chain))
					for i, lv := range d.Levels {
						require.Equal(t, chain[i].Level, lv.Level)
						switch {
						case i < k:
							require.Equal(t, models.DisputeEscalated, lv.Outcome, "level %d", i)
						case i == k:
							require.Equal(t, wantStatus, lv.Outcome)
							require.Equal(t, "依法裁定", lv.Reason)
						default:
							require.Empty(t, lv.Outcome, "level %d after the ruling", i)
							require.Empty(t, lv.DueDate)
						}
					}
					// Each level's task is due after the level's period, counted
					// from when the level opened.
					for i := 0; i <= k; i++ {
						tk := h.task(levelTask(p, i))
						opened := filedDispute.Add(time.Duration(i) * time.Hour)
						want, err := holidays.Default().AddWorkingDays(opened, chain[i].Period.WorkingDays)
						require.NoError(t, err)
						require.Equal(t, want.DueDate, tk.DueDate, "level %d", i)
						require.Equal(t, chain[i].Period.Article, tk.Article)
						require.Equal(t, models.TaskDone, tk.Status)
					}
					require.Len(t, h.tasks(), k+1, "no task beyond the deciding level")

					r := h.request()
					if wantStatus == models.DisputeOverturned {
						require.Equal(t, models.StatusGranted, r.Status)
						require.Equal(t, models.BasisDisputeRuling, r.Basis)
						require.Equal(t, chain[k].Period.Article, r.Article)
						gs := h.grants()
						require.Len(t, gs, 1)
						require.Equal(t, reqDept, gs[0].Dept)
						require.Equal(t, models.BasisDisputeRuling, gs[0].Basis)
					} else {
						require.Equal(t, models.StatusRejected, r.Status)
						require.Empty(t, h.grants())
					}
				})
			}
		}
	}
}

// Weifang's chain has its four levels in the order of 第二十条, and the
// negotiation is the provider's task.
func TestDisputeWeifangChainOrder(t *testing.T) {
	p := profile(t, "weifang")
	var levels []string
	for _, lv := range p.Dispute {
		levels = append(levels, lv.Level)
	}
	require.Equal(t, []string{"negotiation", "authority_coordination", "joint_deliberation", "government_ruling"}, levels)
	require.Equal(t, disputeID+".level-1-negotiation.department", levelTask(p, 0))
}

// Invalid decisions are refused by the validator and leave nothing behind:
// upholding or escalating without a reason, escalating from the last level,
// deciding another's level, upholding at a negotiation.
func TestDisputeValidation(t *testing.T) {
	h := newDispute(t, "weifang", filedDispute)
	p := h.in.Profile
	neg, coord, gov := levelTask(p, 0), levelTask(p, 1), levelTask(p, 3)
	var bad []*upd
	var errTypes []string
	try := func(at int, d workflows.Decision, errType string) {
		bad = append(bad, h.decideAt(filedDispute.Add(time.Duration(at)*time.Minute), d))
		errTypes = append(errTypes, errType)
	}
	try(1, ruling(neg, workflows.DecisionEscalate, "", provAct()), workflows.ErrInvalid)             // no reason
	try(2, ruling(neg, workflows.DecisionUphold, "不同意", provAct()), workflows.ErrInvalid)            // a negotiation does not uphold
	try(3, ruling(neg, workflows.DecisionOverturn, "", authAct("weifang")), workflows.ErrForbidden)  // not the provider
	try(4, ruling(coord, workflows.DecisionOverturn, "", authAct("weifang")), workflows.ErrNotFound) // not open yet
	ok := []*upd{
		h.decideAt(filedDispute.Add(time.Hour), ruling(neg, workflows.DecisionEscalate, "协商不成", provAct())),
		h.decideAt(filedDispute.Add(2*time.Hour), ruling(coord, workflows.DecisionEscalate, "协调不成", authAct("weifang"))),
		h.decideAt(filedDispute.Add(3*time.Hour), ruling(levelTask(p, 2), workflows.DecisionEscalate, "审议未决", authAct("weifang"))),
	}
	govAct := levelActor("weifang", p.Dispute[3])
	try(4*60, ruling(gov, workflows.DecisionEscalate, "再议", govAct), workflows.ErrInvalid)               // the last level is final
	try(4*60+1, ruling(gov, workflows.DecisionUphold, "", govAct), workflows.ErrInvalid)                 // no reason
	try(4*60+2, ruling(gov, workflows.DecisionOverturn, "", authAct("weifang")), workflows.ErrForbidden) // not the government
	ok = append(ok, h.decideAt(filedDispute.Add(5*time.Hour), ruling(gov, workflows.DecisionOverturn, "", govAct)))
	st := h.run()
	for i, u := range bad {
		requireRejected(t, u, errTypes[i])
	}
	for _, u := range ok {
		require.NoError(t, u.err)
		require.True(t, u.completed)
	}
	require.Equal(t, models.DisputeOverturned, st.Status)
}

// A level left undecided past its period is flagged overdue and the
// authority gets a supervision task; the dispute keeps waiting.
func TestDisputeLevelOverdue(t *testing.T) {
	h := newDispute(t, "xiamen", filedDispute)
	p := h.in.Profile
	coord := levelTask(p, 0)
	due, err := holidays.Default().AddWorkingDays(filedDispute, p.Dispute[0].Period.WorkingDays)
	require.NoError(t, err)
	late := due.DueAt.Add(time.Hour)
	h.at(late, func() {
		require.True(t, h.task(coord).Overdue)
		require.True(t, h.dispute().Overdue)
		require.Equal(t, models.TaskOpen, h.task(disputeID+".level-1-authority_coordination.supervision").Status)
	})
	h.decideAt(late.Add(time.Minute), ruling(coord, workflows.DecisionUphold, "拒绝有法定事由", authAct("xiamen")))
	st := h.run()
	require.Equal(t, models.DisputeUpheld, st.Status)
	require.True(t, st.Overdue)
	d := h.dispute()
	require.True(t, d.Levels[0].Overdue)
	require.Equal(t, models.TaskDone, h.task(disputeID+".level-1-authority_coordination.supervision").Status)
}

// Weifang 第二十条: a department that needs not-shared data for its duties
// takes the item itself up the same chain (协商 → 协调解决 → 共同审议 →
// 裁定). Each level may end it; the ruling is recorded on the dispute and
// nothing is granted (there is no share request to grant).
func TestDisputeNotSharedItemWeifang20(t *testing.T) {
	chain := profile(t, "weifang").Dispute
	for k := range chain {
		for _, final := range []string{workflows.DecisionOverturn, workflows.DecisionUphold} {
			if final == workflows.DecisionUphold && chain[k].Actor == regulations.RoleDepartment {
				continue // a negotiation settles or fails
			}
			t.Run(fmt.Sprintf("level-%d-%s/%s", k+1, chain[k].Level, final), func(t *testing.T) {
				h := newDispute(t, "weifang", filedDispute)
				h.in.Dispute.Subject, h.in.Dispute.SubjectID, h.in.Dispute.Reason = models.DisputeOfCatalogItem, "ITEM-NS", "办理不动产登记确需使用婚姻登记信息"
				p := h.in.Profile
				for i := 0; i <= k; i++ {
					d := ruling(levelTask(p, i), workflows.DecisionEscalate, "协商未果", levelActor("weifang", p.Dispute[i]))
					if i == k {
						d.Decision, d.Reason = final, "依职责提供"
					}
					h.decideAt(filedDispute.Add(time.Duration(i+1)*time.Hour), d)
				}
				st := h.run()
				want := models.DisputeOverturned
				if final == workflows.DecisionUphold {
					want = models.DisputeUpheld
				}
				require.Equal(t, want, st.Status)
				d := h.dispute()
				require.Equal(t, models.DisputeOfCatalogItem, d.Subject)
				require.Equal(t, "ITEM-NS", d.SubjectID)
				require.Equal(t, want, d.Levels[k].Outcome)
				require.Equal(t, "潍坊市公共数据管理办法 第二十条", d.Article)
				require.Len(t, h.tasks(), k+1)
				require.Empty(t, h.grants(), "not-shared data is outside the share grants")
				require.Equal(t, models.StatusRejected, h.request().Status, "no share request is touched")
			})
		}
	}
}
