package workflows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/stretchr/testify/require"
)

const referralTask = reqID + ".decision.referral"

// Overdue work cites the city's accountability article, never the decision
// article, and the supervisor is never the late party. Xiamen's request is
// decided by the authority with the provider (第十七条): when both are late,
// the authority cannot supervise itself, so the government does (第二十八条);
// when the supervision's time passes with no decision (逾期不改正), the second
// stage (依法予以处理) opens; a decision closes both.
func TestOverdueAuthoritySupervisedByGovernmentXiamen28(t *testing.T) {
	h := newHarness(t, "xiamen", models.ShareConditional, filedOct)
	h.in.Profile.ValidTo = "2027-12-31" // extended, as a deployment would
	p := h.in.Profile
	dueAt := midnightAfter(t, dueOf(t, filedOct, 5))
	supDue := midnightAfter(t, dueOf(t, dueAt, p.ServiceLevelDays))
	h.at(dueAt.Add(time.Hour), func() {
		ev, ok := h.event("overdue", authTask)
		require.True(t, ok)
		require.Contains(t, ev.Article, "第二十八条", "overdue grounds: xiamen 第二十八条, not the decision article 第十七条")
		require.NotContains(t, ev.Article, "第十七条")
		sup := h.task(supervisionTask)
		require.Equal(t, regulations.RoleGovernment, sup.AssigneeRole, "an overdue authority is supervised by the government, not by itself")
		require.Contains(t, sup.Article, "第二十八条")
		_, referred := h.event("task_opened", referralTask)
		require.False(t, referred, "second stage before the supervision's time")
	})
	h.at(supDue.Add(time.Hour), func() {
		ref := h.task(referralTask)
		require.Equal(t, models.TaskSupervision, ref.Kind)
		require.Equal(t, regulations.RoleGovernment, ref.AssigneeRole)
		require.Equal(t, p.Accountability.ReferralArticle, ref.Article)
		require.Equal(t, models.TaskOpen, ref.Status)
	})
	decideAt := supDue.Add(48 * time.Hour)
	h.decideAt(decideAt, approve(authTask, authAct("xiamen")))
	h.decideAt(decideAt.Add(time.Minute), approve(deptTask, provAct()))
	st := h.run()
	require.Equal(t, models.StatusGranted, st.Status)
	require.Equal(t, models.TaskDone, h.task(supervisionTask).Status)
	require.Equal(t, models.TaskDone, h.task(referralTask).Status)
}

// Each city's overdue grounds and supervisor (REGULATIONS.md,
// "Accountability"): a late provider in weifang is ordered to correct by the
// authority (第三十五条 督促整改), in changsha by the city government (第三十八条
// 市人民政府…责令改正); in leshan the authority orders it (第三十九条).
func TestOverdueGroundsPerCity(t *testing.T) {
	for city, want := range map[string]struct{ article, supervisor string }{
		"weifang":  {"第三十五条", regulations.RoleAuthority},
		"changsha": {"第三十八条", regulations.RoleGovernment},
		"leshan":   {"第三十九条", regulations.RoleGovernment}, // the authority decides with the provider: it is late too
	} {
		t.Run(city, func(t *testing.T) {
			h := newHarness(t, city, models.ShareConditional, filedOct)
			h.in.Profile.ValidFrom, h.in.Profile.ValidTo = "2020-01-01", "2027-12-31"
			n := h.in.Profile.ShareRequest.Decision.WorkingDays
			dueAt := midnightAfter(t, dueOf(t, filedOct, n))
			h.at(dueAt.Add(time.Hour), func() {
				ev, ok := h.event("overdue", deptTask)
				require.True(t, ok)
				require.True(t, strings.Contains(ev.Article, want.article), "%s overdue cites %q, want %s", city, ev.Article, want.article)
				sup := h.task(supervisionTask)
				require.Equal(t, want.supervisor, sup.AssigneeRole, city)
				require.Contains(t, sup.Article, want.article)
			})
			for _, tk := range h.in.Profile.ShareRequest.Deciders {
				id, who := deptTask, provAct()
				if tk == regulations.RoleAuthority {
					id, who = authTask, authAct(city)
				}
				h.decideAt(dueAt.Add(2*time.Hour), approve(id, who))
			}
			require.Equal(t, models.StatusGranted, h.run().Status)
		})
	}
}

// Every task says whether its period is statutory: weifang's 10-day share
// decision is (第二十条); the supervision that follows it is the service
// level, not statutory.
func TestTaskCarriesStatutory(t *testing.T) {
	h := newHarness(t, "weifang", models.ShareConditional, filedOct)
	dueAt := midnightAfter(t, oct10th)
	h.at(dueAt.Add(time.Hour), func() {
		require.True(t, h.task(deptTask).Statutory, "weifang 第二十条: 10 working days is statutory")
		require.False(t, h.task(supervisionTask).Statutory, "a supervision is the service level")
	})
	h.decideAt(dueAt.Add(2*time.Hour), approve(deptTask, provAct()))
	require.Equal(t, models.StatusGranted, h.run().Status)
}
