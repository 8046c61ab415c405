package workflows_test

import (
	"testing"
	"time"

	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
)

const classID = "CL-1"

var classFiled = bj(2025, time.June, 3, 9, 0)

type classHarness struct {
	*harness
	in workflows.ClassificationInput
}

// newClassification proposes that ITEM-1 (unconditional, version 1) of the
// provider become not shared.
func newClassification(t *testing.T, city string) *classHarness {
	t.Helper()
	h := newEnv(t, classFiled, classID)
	h.env.RegisterWorkflow(workflows.Dispute)
	h.env.RegisterWorkflow(workflows.Classification)
	item := models.CatalogItem{ID: "ITEM-1", Jurisdiction: city, ProviderDept: provider, Title: "企业登记信息",
		ShareType: models.ShareUnconditional, OpenType: models.OpenNotOpen, LegalBasis: "", Version: 1}
	require.NoError(t, h.db.Create(&item).Error)
	return &classHarness{harness: h, in: workflows.ClassificationInput{
		Classification: models.Classification{
			Header:            models.Header{ID: classID, WorkflowID: classID, Jurisdiction: city},
			CatalogItemID:     "ITEM-1",
			Dept:              provider,
			ProposedShareType: models.ShareNotShared,
			LegalBasis:        "《个人信息保护法》第二十八条",
			Reason:            "含敏感个人信息",
			BaseVersion:       1,
			SubmittedBy:       "bob@" + provider,
			SubmittedAt:       classFiled,
		},
		Profile: profile(t, city),
	}}
}

func (h *classHarness) run() workflows.ClassificationResult {
	h.t.Helper()
	return complete[workflows.ClassificationResult](h.t, h.env, workflows.Classification, h.in)
}

func (h *classHarness) record() models.Classification {
	h.t.Helper()
	return stored[models.Classification](h.t, h.db, classID)
}

func (h *classHarness) item() models.CatalogItem {
	h.t.Helper()
	return stored[models.CatalogItem](h.t, h.db, "ITEM-1")
}

// childDecideAt sends a decision to the dispute child workflow.
func (h *classHarness) childDecideAt(when time.Time, d workflows.Decision) *upd {
	u := &upd{}
	h.at(when, func() {
		h.seq++
		err := h.env.UpdateWorkflowByID("dp-"+classID, workflows.UpdateDecide, "c"+time.Duration(h.seq).String(), &testsuite.TestUpdateCallback{
			OnAccept:   func() { u.accepted = true },
			OnReject:   func(err error) { u.rejected = err },
			OnComplete: func(v interface{}, err error) { u.completed, u.err = true, err },
		}, d)
		require.NoError(h.t, err)
	})
	return u
}

func govAct(city string) workflows.Actor {
	return workflows.Actor{Subject: "mayor", Role: regulations.RoleGovernment, Jurisdiction: city}
}

func hours(n int) time.Time { return classFiled.Add(time.Duration(n) * time.Hour) }

func reject(task, reason string, a workflows.Actor) workflows.Decision {
	return workflows.Decision{TaskID: task, Decision: workflows.DecisionReject, Reason: reason, Actor: a}
}

// requireApplied checks the item carries the classification in version 2.
func (h *classHarness) requireApplied() {
	h.t.Helper()
	it := h.item()
	require.Equal(h.t, models.ShareNotShared, it.ShareType)
	require.Equal(h.t, "《个人信息保护法》第二十八条", it.LegalBasis)
	require.Equal(h.t, 2, it.Version)
	var v models.CatalogItemVersion
	require.NoError(h.t, h.db.First(&v, "item_id = ? AND version = ?", "ITEM-1", 2).Error)
	require.Equal(h.t, classID, v.ChangeID)
}

func (h *classHarness) requireUnchanged() {
	h.t.Helper()
	it := h.item()
	require.Equal(h.t, models.ShareUnconditional, it.ShareType)
	require.Equal(h.t, 1, it.Version)
}

// Wuhan 第十六条: the authority reviews, then the government approves; the
// item changes only after both.
func TestClassificationWuhanAuthorityThenGovernment(t *testing.T) {
	h := newClassification(t, "wuhan")
	h.at(hours(1).Add(time.Minute), func() { h.requireUnchanged() })
	a := h.decideAt(hours(1), approve(classID+".authority-review.authority", authAct("wuhan")))
	g := h.decideAt(hours(2), approve(classID+".government-approval.government", govAct("wuhan")))
	st := h.run()
	requireAccepted(t, a, classID+".authority-review.authority", workflows.DecisionApprove)
	requireAccepted(t, g, classID+".government-approval.government", workflows.DecisionApprove)
	require.Equal(t, models.ClassificationApplied, st.Status)
	require.Equal(t, models.ClassificationApplied, h.record().Status)
	h.requireApplied()
	// The steps are due after the service level (no statutory period).
	tk := h.task(classID + ".authority-review.authority")
	want, err := holidays.Default().AddWorkingDays(classFiled, h.in.Profile.ServiceLevelDays)
	require.NoError(t, err)
	require.Equal(t, want.DueDate, tk.DueDate)
	require.Contains(t, tk.Article, "第十六条")
}

func TestClassificationWuhanRefused(t *testing.T) {
	for _, step := range []string{"authority", "government"} {
		t.Run(step, func(t *testing.T) {
			h := newClassification(t, "wuhan")
			if step == "authority" {
				h.decideAt(hours(1), reject(classID+".authority-review.authority", "无法律依据", authAct("wuhan")))
			} else {
				h.decideAt(hours(1), approve(classID+".authority-review.authority", authAct("wuhan")))
				h.decideAt(hours(2), reject(classID+".government-approval.government", "应当共享", govAct("wuhan")))
			}
			st := h.run()
			require.Equal(t, models.ClassificationRefused, st.Status)
			c := h.record()
			require.Equal(t, models.ClassificationRefused, c.Status)
			require.NotEmpty(t, c.Note)
			h.requireUnchanged()
		})
	}
}

// Weifang 第十九条 and changsha: the authority acknowledges; the item changes.
func TestClassificationAcknowledged(t *testing.T) {
	for _, city := range []string{"weifang", "changsha"} {
		t.Run(city, func(t *testing.T) {
			h := newClassification(t, city)
			task := classID + ".acknowledgement.authority"
			bad := h.decideAt(hours(1), approve(task, authAct(city)))
			ok := h.decideAt(hours(2), workflows.Decision{TaskID: task, Decision: workflows.DecisionAcknowledge, Actor: authAct(city)})
			st := h.run()
			requireRejected(t, bad, workflows.ErrInvalid)
			requireAccepted(t, ok, task, workflows.DecisionAcknowledge)
			require.Equal(t, models.ClassificationApplied, st.Status)
			h.requireApplied()
		})
	}
}

// Leshan 第十四条、第十五条: filed and acknowledged, then re-evaluated every
// year by the department: kept the first year, relaxed the second, when the
// item gets its former share type back in a new version.
func TestClassificationLeshanFilingAndYearlyReevaluation(t *testing.T) {
	h := newClassification(t, "leshan")
	file := classID + ".filing.authority"
	h.decideAt(hours(1), workflows.Decision{TaskID: file, Decision: workflows.DecisionAcknowledge, Actor: authAct("leshan")})
	firstDue := hours(1).In(holidays.Shanghai).AddDate(1, 0, 0)
	h.at(hours(2), func() {
		h.requireApplied()
		c := h.record()
		require.Equal(t, models.ClassificationApplied, c.Status)
		require.Equal(t, firstDue.Format(time.DateOnly), c.NextReevaluation)
		rule := profile(t, "leshan").Classification
		require.Equal(t, rule.ReevaluationArticle, c.Article, "the schedule cites the re-evaluation's article")
		require.Equal(t, rule.ReevaluationNote, c.Note, "and says its interval is a platform rule")
		require.Len(t, h.tasks(), 1, "no re-evaluation task before the year is over")
	})
	re1, re2 := classID+".reevaluation-1.department", classID+".reevaluation-2.department"
	h.at(firstDue.Add(-time.Hour), func() {
		require.Len(t, h.tasks(), 1, "no re-evaluation task before the year is over")
	})
	h.at(firstDue.Add(time.Hour), func() {
		require.Equal(t, models.TaskOpen, h.task(re1).Status)
		require.Equal(t, profile(t, "leshan").Classification.ReevaluationArticle, h.task(re1).Article)
	})
	keep := h.decideAt(firstDue.Add(2*time.Hour), workflows.Decision{TaskID: re1, Decision: workflows.DecisionKeep, Actor: provAct()})
	secondDue := firstDue.Add(2*time.Hour).In(holidays.Shanghai).AddDate(1, 0, 0)
	h.at(secondDue.Add(-time.Hour), func() {
		require.Equal(t, secondDue.Format(time.DateOnly), h.record().NextReevaluation)
		require.Len(t, h.tasks(), 2, "no second re-evaluation task before the second year is over")
	})
	relax := h.decideAt(secondDue.Add(time.Hour), workflows.Decision{TaskID: re2, Decision: workflows.DecisionRelax, Reason: "已脱敏", Actor: provAct()})
	st := h.run()
	requireAccepted(t, keep, re1, workflows.DecisionKeep)
	requireAccepted(t, relax, re2, workflows.DecisionRelax)
	require.Equal(t, models.ClassificationRelaxed, st.Status)
	it := h.item()
	require.Equal(t, models.ShareUnconditional, it.ShareType)
	require.Equal(t, 3, it.Version)
	require.Equal(t, models.ClassificationRelaxed, h.record().Status)
}

// Xiamen 第十五条、第十八条: the label stands when the authority agrees; when
// it disagrees, negotiation, then the city government decides.
func TestClassificationXiamen(t *testing.T) {
	review := classID + ".authority-review.authority"
	neg := "dp-" + classID + ".level-1-negotiation.authority"
	gov := "dp-" + classID + ".level-2-government_ruling.government"
	t.Run("authority agrees", func(t *testing.T) {
		h := newClassification(t, "xiamen")
		h.decideAt(hours(1), approve(review, authAct("xiamen")))
		require.Equal(t, models.ClassificationApplied, h.run().Status)
		h.requireApplied()
	})
	t.Run("negotiation settles", func(t *testing.T) {
		h := newClassification(t, "xiamen")
		r := h.decideAt(hours(1), reject(review, "应有条件共享", authAct("xiamen")))
		n := h.childDecideAt(hours(2), ruling(neg, workflows.DecisionOverturn, "协商一致", authAct("xiamen")))
		st := h.run()
		requireAccepted(t, r, review, workflows.DecisionReject)
		require.NoError(t, n.rejected)
		require.True(t, n.completed)
		require.Equal(t, models.ClassificationApplied, st.Status)
		require.Equal(t, "dp-"+classID, h.record().DisputeID)
		h.requireApplied()
	})
	for _, final := range []string{workflows.DecisionOverturn, workflows.DecisionUphold} {
		t.Run("government "+final, func(t *testing.T) {
			h := newClassification(t, "xiamen")
			h.decideAt(hours(1), reject(review, "应有条件共享", authAct("xiamen")))
			h.childDecideAt(hours(2), ruling(neg, workflows.DecisionEscalate, "协商不成", authAct("xiamen")))
			h.at(hours(3), func() { h.requireUnchanged() })
			g := h.childDecideAt(hours(4), ruling(gov, final, "市政府决定", govAct("xiamen")))
			st := h.run()
			require.NoError(t, g.rejected)
			require.True(t, g.completed)
			var d models.Dispute
			require.NoError(t, h.db.First(&d, "id = ?", "dp-"+classID).Error)
			require.Equal(t, models.DisputeOfClassification, d.Subject)
			require.Len(t, d.Levels, 2)
			require.Equal(t, models.DisputeEscalated, d.Levels[0].Outcome)
			if final == workflows.DecisionOverturn {
				require.Equal(t, models.ClassificationApplied, st.Status)
				h.requireApplied()
			} else {
				require.Equal(t, models.ClassificationRefused, st.Status)
				h.requireUnchanged()
			}
		})
	}
}

// An item changed after the proposal is not overwritten: the classification
// ends in conflict.
func TestClassificationConflict(t *testing.T) {
	h := newClassification(t, "weifang")
	h.at(hours(1), func() {
		require.NoError(t, h.db.Model(&models.CatalogItem{}).Where("id = ?", "ITEM-1").Update("version", 5).Error)
	})
	h.decideAt(hours(2), workflows.Decision{TaskID: classID + ".acknowledgement.authority", Decision: workflows.DecisionAcknowledge, Actor: authAct("weifang")})
	st := h.run()
	require.Equal(t, models.ClassificationConflict, st.Status)
	c := h.record()
	require.Equal(t, models.ClassificationConflict, c.Status)
	require.Contains(t, c.Note, "version")
	require.Equal(t, models.ShareUnconditional, h.item().ShareType)
}

// The record's header shows the open step's deadline as the inbox computed
// it (a classification's record had none of its own): written when the step
// opens, the service level (not statutory) and the step's article.
func TestClassificationRecordHeaderShowsTheOpenStep(t *testing.T) {
	h := newClassification(t, "wuhan")
	want, err := holidays.Default().AddWorkingDays(classFiled, h.in.Profile.ServiceLevelDays)
	require.NoError(t, err)
	h.at(hours(1).Add(-time.Minute), func() {
		c := h.record()
		require.Equal(t, "authority-review", c.Step)
		require.Equal(t, want.DueDate, c.DueDate)
		require.NotNil(t, c.DueAt)
		require.False(t, c.Statutory, "the service level is not statutory")
		require.Contains(t, c.Article, "第十六条")
		require.NotEmpty(t, c.CalendarVersion)
	})
	h.decideAt(hours(1), approve(classID+".authority-review.authority", authAct("wuhan")))
	h.decideAt(hours(2), approve(classID+".government-approval.government", govAct("wuhan")))
	require.Equal(t, models.ClassificationApplied, h.run().Status)
}
