package workflows_test

import (
	"testing"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/stretchr/testify/require"
)

const orID = "OR-1"

type openingHarness struct {
	*harness
	in workflows.OpeningReviewInput
}

// newOpeningReview proposes that leshan's ITEM-1 (not open, version 1) of
// the provider become openType.
func newOpeningReview(t *testing.T, openType string) *openingHarness {
	t.Helper()
	h := newEnv(t, classFiled, orID)
	h.env.RegisterWorkflow(workflows.OpeningReview)
	item := models.CatalogItem{ID: "ITEM-1", Jurisdiction: "leshan", ProviderDept: provider, Title: "企业登记信息",
		ShareType: models.ShareUnconditional, OpenType: models.OpenNotOpen, Version: 1}
	if openType == models.OpenNotOpen {
		item.OpenType = models.OpenUnconditional
	}
	require.NoError(t, h.db.Create(&item).Error)
	return &openingHarness{harness: h, in: workflows.OpeningReviewInput{
		Review: models.OpeningReview{
			Header:           models.Header{ID: orID, WorkflowID: orID, Jurisdiction: "leshan"},
			CatalogItemID:    "ITEM-1",
			Dept:             provider,
			ProposedOpenType: openType,
			PreviousOpenType: item.OpenType,
			Assessment:       "经评估符合开放条件",
			BaseVersion:      1,
			SubmittedBy:      "bob@" + provider,
			SubmittedAt:      classFiled,
		},
		Profile: profile(t, "leshan"),
	}}
}

func (h *openingHarness) run() workflows.OpeningReviewResult {
	h.t.Helper()
	return complete[workflows.OpeningReviewResult](h.t, h.env, workflows.OpeningReview, h.in)
}

func (h *openingHarness) record() models.OpeningReview {
	h.t.Helper()
	return stored[models.OpeningReview](h.t, h.db, orID)
}

func (h *openingHarness) item() models.CatalogItem {
	h.t.Helper()
	return stored[models.CatalogItem](h.t, h.db, "ITEM-1")
}

func orTask(step string) string { return orID + "." + step + ".authority" }

func orDecision(step, decision, reason string) workflows.Decision {
	return workflows.Decision{TaskID: orTask(step), Decision: decision, Reason: reason, Actor: authAct("leshan")}
}

// requireOpened checks the item is openType in version 2, changed by the review.
func (h *openingHarness) requireOpened(openType string) {
	h.t.Helper()
	it := h.item()
	require.Equal(h.t, openType, it.OpenType)
	require.Equal(h.t, 2, it.Version)
	var v models.CatalogItemVersion
	require.NoError(h.t, h.db.First(&v, "item_id = ? AND version = ?", "ITEM-1", 2).Error)
	require.Equal(h.t, orID, v.ChangeID)
}

// Leshan 第二十二条、第二十三条: the authority orders a legality review and a
// privacy review, each by its own step and outcome, then approves; the item
// becomes open as a new version.
func TestOpeningReviewLeshanReviewsThenApproval(t *testing.T) {
	h := newOpeningReview(t, models.OpenUnconditional)
	h.at(hours(1).Add(time.Minute), func() {
		require.Equal(t, models.OpenNotOpen, h.item().OpenType)
		require.Equal(t, "legality_review", h.record().Step)
	})
	l := h.decideAt(hours(1), orDecision("authority-review", regulations.ReviewLegality, ""))
	lp := h.decideAt(hours(2), orDecision(regulations.ReviewLegality, workflows.DecisionPass, ""))
	p := h.decideAt(hours(3), orDecision("authority-review-2", regulations.ReviewPrivacy, ""))
	again := h.decideAt(hours(4), orDecision("authority-review-3", regulations.ReviewPrivacy, ""))
	pp := h.decideAt(hours(5), orDecision(regulations.ReviewPrivacy, workflows.DecisionPass, "已脱敏"))
	twice := h.decideAt(hours(6), orDecision("authority-review-3", regulations.ReviewLegality, ""))
	a := h.decideAt(hours(7), orDecision("authority-review-3", workflows.DecisionApprove, ""))
	st := h.run()
	requireAccepted(t, l, orTask("authority-review"), regulations.ReviewLegality)
	requireAccepted(t, lp, orTask(regulations.ReviewLegality), workflows.DecisionPass)
	requireAccepted(t, p, orTask("authority-review-2"), regulations.ReviewPrivacy)
	requireRejected(t, again, workflows.ErrNotFound) // the third round is not open before the privacy review ends
	requireAccepted(t, pp, orTask(regulations.ReviewPrivacy), workflows.DecisionPass)
	requireRejected(t, twice, workflows.ErrInvalid) // a review is ordered once
	requireAccepted(t, a, orTask("authority-review-3"), workflows.DecisionApprove)
	require.Equal(t, models.OpeningApplied, st.Status)
	r := h.record()
	require.Equal(t, models.OpeningApplied, r.Status)
	require.Equal(t, "legality_review: pass; privacy_review: pass", r.Reviews)
	require.NotNil(t, r.DecidedAt)
	h.requireOpened(models.OpenUnconditional)
	ev, ok := h.event("review_pass", "")
	require.True(t, ok, "events %v", h.eventKinds())
	_ = ev
	require.Contains(t, h.eventKinds(), "applied")
}

// Leshan 第二十一条第三款: the authority sets the conditions of conditional
// opening; an approval without them is refused.
func TestOpeningReviewLeshanConditional(t *testing.T) {
	h := newOpeningReview(t, models.OpenConditional)
	bare := h.decideAt(hours(1), orDecision("authority-review", workflows.DecisionApprove, ""))
	d := orDecision("authority-review", workflows.DecisionApprove, "")
	d.Conditions = "具备数据存储和安全保障能力"
	a := h.decideAt(hours(2), d)
	st := h.run()
	requireRejected(t, bare, workflows.ErrInvalid)
	requireAccepted(t, a, orTask("authority-review"), workflows.DecisionApprove)
	require.Equal(t, models.OpeningApplied, st.Status)
	require.Equal(t, "具备数据存储和安全保障能力", h.record().Conditions)
	h.requireOpened(models.OpenConditional)
}

// A failed review keeps the data from opening: the authority cannot approve
// over it, and its refusal leaves the item unchanged.
func TestOpeningReviewLeshanFailedReviewRefused(t *testing.T) {
	h := newOpeningReview(t, models.OpenUnconditional)
	s := h.decideAt(hours(1), orDecision("authority-review", regulations.ReviewSecrecy, ""))
	silent := h.decideAt(hours(2), orDecision(regulations.ReviewSecrecy, workflows.DecisionFail, ""))
	f := h.decideAt(hours(3), orDecision(regulations.ReviewSecrecy, workflows.DecisionFail, "涉及国家秘密"))
	over := h.decideAt(hours(4), orDecision("authority-review-2", workflows.DecisionApprove, ""))
	r := h.decideAt(hours(5), orDecision("authority-review-2", workflows.DecisionReject, "保密审查未通过"))
	st := h.run()
	requireAccepted(t, s, orTask("authority-review"), regulations.ReviewSecrecy)
	requireRejected(t, silent, workflows.ErrInvalid) // a failure gives its reason
	requireAccepted(t, f, orTask(regulations.ReviewSecrecy), workflows.DecisionFail)
	requireRejected(t, over, workflows.ErrInvalid)
	requireAccepted(t, r, orTask("authority-review-2"), workflows.DecisionReject)
	require.Equal(t, models.OpeningRefused, st.Status)
	rec := h.record()
	require.Equal(t, models.OpeningRefused, rec.Status)
	require.Equal(t, "secrecy_review: fail", rec.Reviews)
	it := h.item()
	require.Equal(t, models.OpenNotOpen, it.OpenType)
	require.Equal(t, 1, it.Version)
}

// Leshan 第二十四条第三款: data opened in the public interest is opened on
// the authority's review, with its reasons, citing that paragraph.
func TestOpeningReviewLeshanPublicInterest(t *testing.T) {
	h := newOpeningReview(t, models.OpenUnconditional)
	h.in.Review.PublicInterest = true
	bare := h.decideAt(hours(1), orDecision("authority-review", workflows.DecisionApprove, ""))
	a := h.decideAt(hours(2), orDecision("authority-review", workflows.DecisionApprove, "不开放将对公共利益造成重大影响"))
	st := h.run()
	requireRejected(t, bare, workflows.ErrInvalid)
	requireAccepted(t, a, orTask("authority-review"), workflows.DecisionApprove)
	require.Equal(t, models.OpeningApplied, st.Status)
	ev, ok := h.event("applied", "")
	require.True(t, ok, "events %v", h.eventKinds())
	require.Equal(t, "乐山市数据资源管理暂行办法 第二十四条第三款", ev.Article)
	h.requireOpened(models.OpenUnconditional)
}

// Leshan 第二十一条第四款: not-open data cites its basis and is filed with
// the authority; the filing applies it.
func TestOpeningReviewLeshanNotOpenFiled(t *testing.T) {
	h := newOpeningReview(t, models.OpenNotOpen)
	h.in.Review.LegalBasis = "《个人信息保护法》第二十八条"
	a := h.decideAt(hours(1), orDecision("filing", workflows.DecisionAcknowledge, ""))
	st := h.run()
	requireAccepted(t, a, orTask("filing"), workflows.DecisionAcknowledge)
	require.Equal(t, models.OpeningApplied, st.Status)
	h.requireOpened(models.OpenNotOpen)
	require.Equal(t, "《个人信息保护法》第二十八条", h.item().LegalBasis)
}

// An item changed since the filing is a conflict: nothing is applied.
func TestOpeningReviewLeshanConflict(t *testing.T) {
	h := newOpeningReview(t, models.OpenUnconditional)
	h.at(hours(1), func() {
		require.NoError(t, h.db.Model(&models.CatalogItem{}).Where("id = ?", "ITEM-1").Update("version", 3).Error)
	})
	a := h.decideAt(hours(2), orDecision("authority-review", workflows.DecisionApprove, ""))
	st := h.run()
	requireAccepted(t, a, orTask("authority-review"), workflows.DecisionApprove)
	require.Equal(t, models.OpeningConflict, st.Status)
	require.Equal(t, models.OpeningConflict, h.record().Status)
	require.Equal(t, models.OpenNotOpen, h.item().OpenType)
}

// An authority silent past the platform's service level (no period in the
// text) is overdue: the review is flagged and supervised under leshan's
// 第三十九条, and still decides afterwards.
func TestOpeningReviewLeshanOverdue(t *testing.T) {
	h := newOpeningReview(t, models.OpenUnconditional)
	late := classFiled.AddDate(0, 0, 21)
	h.at(late.Add(-time.Hour), func() {
		require.True(t, h.record().Overdue, "the authority's review past its service level is overdue")
	})
	a := h.decideAt(late, orDecision("authority-review", workflows.DecisionApprove, ""))
	st := h.run()
	requireAccepted(t, a, orTask("authority-review"), workflows.DecisionApprove)
	require.Equal(t, models.OpeningApplied, st.Status)
	ev, ok := h.event("overdue", "")
	require.True(t, ok, "events %v", h.eventKinds())
	require.Contains(t, ev.Article, "第三十九条")
	h.requireOpened(models.OpenUnconditional)
}
