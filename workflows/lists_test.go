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

const listID = "yl-1"

func newYearlyList(t *testing.T, city, kind string) (*harness, workflows.YearlyListInput) {
	t.Helper()
	h := newEnv(t, filedDispute, listID)
	h.env.RegisterWorkflow(workflows.YearlyList)
	return h, workflows.YearlyListInput{
		List: models.YearlyList{Header: models.Header{ID: listID, WorkflowID: listID, Jurisdiction: city},
			Dept: provider, Year: 2025, Kind: kind, Entries: []string{"ITEM-1"}, FiledBy: "bob@" + provider, FiledAt: filedDispute},
		Profile: profile(t, city),
	}
}

// Every city with yearly lists, each path: the authority confirms, or
// returns the list with its reason; the period is the service level, under
// changsha's article, and a platform rule (no article, with a note) in leshan.
func TestYearlyListConfirmOrReturn(t *testing.T) {
	for _, c := range []struct{ city, kind, article string }{
		{"changsha", regulations.ListScenario, "长沙市政务数据资源管理办法 第二十五条"},
		{"changsha", regulations.ListShare, "长沙市政务数据资源管理办法 第二十五条"},
		{"leshan", regulations.ListShareResponsibility, ""},
		{"xiamen", regulations.ListOpenPlan, ""},
	} {
		for _, d := range []string{workflows.DecisionConfirm, workflows.DecisionReturn} {
			t.Run(c.city+"/"+c.kind+"/"+d, func(t *testing.T) {
				h, in := newYearlyList(t, c.city, c.kind)
				task := listID + ".confirmation.authority"
				h.at(filedDispute.Add(time.Minute), func() {
					want, err := holidays.Default().AddWorkingDays(filedDispute, 5)
					require.NoError(t, err)
					tk := h.task(task)
					require.Equal(t, want.DueDate, tk.DueDate)
					require.Equal(t, c.article, tk.Article)
					l := stored[models.YearlyList](t, h.db, listID)
					require.Equal(t, models.ListPending, l.Status)
					require.False(t, l.Statutory)
				})
				noReason := h.decideAt(filedDispute.Add(time.Hour), ruling(task, workflows.DecisionReturn, "", authAct(c.city)))
				wrong := h.decideAt(filedDispute.Add(2*time.Hour), ruling(task, d, "x", provAct()))
				u := h.decideAt(filedDispute.Add(3*time.Hour), ruling(task, d, "缺少不动产登记信息", authAct(c.city)))
				st := complete[workflows.YearlyListResult](t, h.env, workflows.YearlyList, in)
				requireRejected(t, noReason, workflows.ErrInvalid)
				requireRejected(t, wrong, workflows.ErrForbidden)
				requireAccepted(t, u, task, d)
				want := models.ListConfirmed
				if d == workflows.DecisionReturn {
					want = models.ListReturned
				}
				require.Equal(t, want, st.Status)
				l := stored[models.YearlyList](t, h.db, listID)
				require.Equal(t, want, l.Status)
				require.NotNil(t, l.DecidedAt)
				if d == workflows.DecisionReturn {
					require.Contains(t, l.Reason, "不动产")
				}
			})
		}
	}
}

// Leshan 第三十九条（六） names the responsibility lists but not who confirms
// them: the confirmation is a platform rule, said in the profile's note.
func TestLeshanResponsibilityListConfirmationIsPlatformRule(t *testing.T) {
	r := profile(t, "leshan").YearlyLists
	require.NotNil(t, r)
	require.True(t, r.Confirmation.PlatformRule())
	require.Contains(t, r.Confirmation.Note, "第三十九条（六）")
	require.ElementsMatch(t, []string{regulations.ListShareResponsibility, regulations.ListOpenResponsibility}, r.Kinds)
	c := profile(t, "changsha").YearlyLists
	require.True(t, c.Yearly, "changsha 第二十五条: 每年更新")
	require.Equal(t, []string{regulations.ListShare, regulations.ListOpen, regulations.ListScenario}, c.Kinds)
	for _, city := range []string{"wuhan", "weifang"} {
		require.Nil(t, profile(t, city).YearlyLists, city)
	}
	x := profile(t, "xiamen").YearlyLists
	require.Equal(t, []string{regulations.ListOpenPlan}, x.Kinds, "xiamen 第二十五条: 年度公共数据开放计划")
	require.True(t, x.Yearly)
	require.True(t, x.Confirmation.PlatformRule())
	require.Contains(t, x.Confirmation.Note, "第二十五条")
	require.Contains(t, x.Priority, "第二十五条第一款")
}
