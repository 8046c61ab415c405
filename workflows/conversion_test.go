package workflows_test

import (
	"testing"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/stretchr/testify/require"
)

const ocID = "OC-1"

// runConversion converts weifang's conditional ITEM-1 (version 1) to
// unconditional; edit changes the item before the conversion runs.
func runConversion(t *testing.T, edit func(*models.CatalogItem)) (*harness, workflows.OpenConversionResult) {
	t.Helper()
	h := newEnv(t, classFiled, ocID)
	h.env.RegisterWorkflow(workflows.OpenConversion)
	item := models.CatalogItem{ID: "ITEM-1", Jurisdiction: "weifang", ProviderDept: provider, Title: "企业登记信息",
		ShareType: models.ShareUnconditional, OpenType: models.OpenConditional, Version: 1}
	edit(&item)
	require.NoError(t, h.db.Create(&item).Error)
	p := profile(t, "weifang")
	in := workflows.OpenConversionInput{Profile: p, Conversion: models.OpenConversion{
		Header:        models.Header{ID: ocID, WorkflowID: ocID, Jurisdiction: "weifang", Article: p.OpenConversion.Article},
		CatalogItemID: "ITEM-1", Dept: provider, FromOpenType: models.OpenConditional, ToOpenType: models.OpenUnconditional,
		Decision: "潍大数〔2026〕1号", Reason: "数据脱敏后具备无条件开放属性", Desensitised: true, BaseVersion: 1,
		SubmittedBy: "carol (authority)", SubmittedAt: classFiled,
	}}
	return h, complete[workflows.OpenConversionResult](t, h.env, workflows.OpenConversion, in)
}

// Weifang 第二十四条第二款: the authority's decision converts the item at once,
// as a new catalog version, citing the decision.
func TestOpenConversionWeifangApplied(t *testing.T) {
	h, st := runConversion(t, func(*models.CatalogItem) {})
	require.Equal(t, models.ConversionApplied, st.Status)
	r := stored[models.OpenConversion](t, h.db, ocID)
	require.Equal(t, models.ConversionApplied, r.Status)
	require.NotNil(t, r.DecidedAt)
	it := stored[models.CatalogItem](t, h.db, "ITEM-1")
	require.Equal(t, models.OpenUnconditional, it.OpenType)
	require.Equal(t, 2, it.Version)
	ev, ok := h.event("applied", "")
	require.True(t, ok, "events %v", h.eventKinds())
	require.Equal(t, "潍坊市公共数据管理办法 第二十四条第二款", ev.Article)
	require.Contains(t, ev.Detail, "潍大数〔2026〕1号")
}

// An item changed since the decision is a conflict: nothing changes.
func TestOpenConversionWeifangConflict(t *testing.T) {
	h, st := runConversion(t, func(it *models.CatalogItem) { it.Version = 2 })
	require.Equal(t, models.ConversionConflict, st.Status)
	require.Equal(t, models.ConversionConflict, stored[models.OpenConversion](t, h.db, ocID).Status)
	it := stored[models.CatalogItem](t, h.db, "ITEM-1")
	require.Equal(t, models.OpenConditional, it.OpenType)
	require.Equal(t, 2, it.Version)
}
