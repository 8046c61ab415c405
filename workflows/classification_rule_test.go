package workflows_test

import (
	"testing"
	"time"

	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/stretchr/testify/require"
)

// Wuhan 第十六条 asks the authority's review and the government's approval
// only for listing data as not shared: a conditional classification goes to
// neither, and applies as proposed.
func TestWuhanConditionalNeedsNoGovernment16(t *testing.T) {
	h := newClassification(t, "wuhan")
	h.in.Classification.ProposedShareType, h.in.Classification.Conditions = models.ShareConditional, "仅限人才落户审批"
	st := h.run()
	require.Equal(t, models.ClassificationApplied, st.Status)
	require.Empty(t, h.tasks(), "wuhan 第十六条: conditional data needs no authority review or government approval")
	it := h.item()
	require.Equal(t, models.ShareConditional, it.ShareType)
	require.Equal(t, "仅限人才落户审批", it.ShareConditions)
}

// Wuhan 第十六条: a catalog change making an item conditional applies it with
// the change (no classification, no government); one making it not shared
// is routed (see TestCatalogChangeRoutesRestrictionToClassification).
func TestWuhanChangeToConditionalAppliesDirectly16(t *testing.T) {
	h := newEnv(t, filedMay, changeWF)
	h.env.RegisterWorkflow(workflows.Classification)
	h.seedCatalog("wuhan")
	in := h.changeInput("wuhan", "")
	a := in.Change.Operations[0].Item
	a.ShareType, a.ShareConditions, a.LegalBasis = models.ShareConditional, "仅限人才落户审批", "《社会保险法》"
	in.Change.Classification = []string{itemA}
	h.decideAt(filedMay.Add(time.Hour), approve(task("review-1", "authority"), authAct("wuhan")))
	st := h.runChange(in)
	require.Equal(t, models.ChangeApplied, st.Status)
	require.Empty(t, h.change().Classifications, "wuhan 第十六条: conditional data is not sent to the government")
	it, _ := h.item(itemA)
	require.Equal(t, models.ShareConditional, it.ShareType)
}

// Xiamen 第十五条: an item added with a restricted label goes to the
// classification procedure like a modified one, so that the authority's
// disagreement leads to negotiation and the city government, not to the
// change being returned. It enters the catalog conditional meanwhile.
func TestXiamenAddedLabelRoutedToClassification15(t *testing.T) {
	h := newEnv(t, filedMay, changeWF)
	h.env.RegisterWorkflow(workflows.Classification)
	h.env.RegisterWorkflow(workflows.Dispute)
	h.seedCatalog("xiamen")
	in := h.changeInput("xiamen", "")
	in.Change.Operations = in.Change.Operations[1:] // only the addition: no receiving department needed
	added := in.Change.Operations[0].Item
	added.ShareType, added.LegalBasis = models.ShareNotShared, "《数据安全法》第二十一条"
	in.Change.Classification = []string{"ITEM-C"}
	clC := models.RoutedClassificationID(changeID, "ITEM-C")
	h.decideAt(filedMay.Add(time.Hour), approve(task("review-1", "authority"), authAct("xiamen")))
	h.childDecideAt(clC, filedMay.Add(3*time.Hour), approve(clC+".authority-review.authority", authAct("xiamen")))
	st := h.runChange(in)
	require.Equal(t, models.ChangeApplied, st.Status)
	require.Equal(t, []models.ClassificationRef{{ItemID: "ITEM-C", ClassificationID: clC}}, h.change().Classifications, "xiamen 第十五条: the label of an added item is classified")
	c, _ := h.item("ITEM-C")
	require.Equal(t, models.ShareNotShared, c.ShareType, "the label stands once the authority agrees")
}

// Weifang 第十一条 asks the authority's consent and filing for 删减、修改 only:
// a change that only adds items applies with no task (no filing the text
// does not ask for).
func TestWeifangAdditionsNeedNoFiling11(t *testing.T) {
	h := newEnv(t, filedMay, changeWF)
	h.seedCatalog("weifang")
	in := h.changeInput("weifang", "")
	in.Change.Operations = in.Change.Operations[1:] // only the addition
	st := h.runChange(in)
	require.Equal(t, models.ChangeApplied, st.Status)
	require.Empty(t, h.tasks(), "weifang 第十一条: no filing task for an addition")
	_, ok := h.item("ITEM-C")
	require.True(t, ok, "the added item is in the catalog")
}

// Leshan 第十五条's periodic re-evaluation ends with the text: a draft
// extended to 2026-12-31 has one re-evaluation (2026-06) and none after it
// ends; the classification then ends, still applied.
func TestLeshanReevaluationEndsWithText15(t *testing.T) {
	h := newClassification(t, "leshan")
	h.in.Profile.ValidFrom, h.in.Profile.ValidTo = "2025-01-01", "2026-12-31"
	file := classID + ".filing.authority"
	h.decideAt(hours(1), workflows.Decision{TaskID: file, Decision: workflows.DecisionAcknowledge, Actor: authAct("leshan")})
	firstDue := hours(1).In(holidays.Shanghai).AddDate(1, 0, 0)
	re1 := classID + ".reevaluation-1.department"
	h.decideAt(firstDue.Add(2*time.Hour), workflows.Decision{TaskID: re1, Decision: workflows.DecisionKeep, Actor: provAct()})
	st := h.run()
	require.Equal(t, models.ClassificationApplied, st.Status)
	require.Empty(t, st.NextReevaluation, "no re-evaluation due after the text ends on 2026-12-31")
	require.Len(t, h.tasks(), 2, "the filing and one re-evaluation, none after the text ends")
	require.Less(t, h.env.Now().Sub(firstDue), 24*time.Hour, "the classification ends after the last re-evaluation, not a year later")
}
