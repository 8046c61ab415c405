package api

import (
	"testing"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/stretchr/testify/require"
)

// A yearly open plan (xiamen 第二十五条) compiled from confirmed lists:
// priority items first, an item planned twice counted once with priority if
// either marks it, an open item open since the first version of its last
// open run, a removed item not open, and the counts.
func TestCompileOpenPlan(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	ver := func(id string, v int, open string) models.CatalogItemVersion {
		return models.CatalogItemVersion{ItemID: id, Version: v, Op: models.OpModify, At: t0.AddDate(0, 0, v),
			Item: models.CatalogItem{ID: id, OpenType: open}}
	}
	lists := []models.YearlyList{
		{Header: models.Header{ID: "yl-a"}, Dept: "gongan", Entries: []string{"A", "B", "GONE"}},
		{Header: models.Header{ID: "yl-b"}, Dept: "minzheng", Entries: []string{"C", "A"}, Priority: []string{"C", "A"}},
	}
	items := []models.CatalogItem{
		{ID: "A", ProviderDept: "gongan", Title: "户籍", OpenType: models.OpenConditional},
		{ID: "B", ProviderDept: "gongan", Title: "车辆", OpenType: models.OpenNotOpen},
		{ID: "C", ProviderDept: "minzheng", Title: "婚姻", OpenType: models.OpenUnconditional},
	}
	versions := []models.CatalogItemVersion{
		ver("A", 1, models.OpenNotOpen), ver("A", 2, models.OpenUnconditional), ver("A", 3, models.OpenNotOpen),
		ver("A", 4, models.OpenConditional), ver("A", 5, models.OpenConditional),
		ver("B", 1, models.OpenNotOpen), ver("C", 1, models.OpenUnconditional),
	}
	p := compileOpenPlan(lists, items, versions)
	require.Equal(t, []string{"yl-a", "yl-b"}, p.Lists)
	var order []string
	for _, it := range p.Items {
		order = append(order, it.ItemID)
	}
	require.Equal(t, []string{"A", "C", "B", "GONE"}, order)
	a, c, b, gone := p.Items[0], p.Items[1], p.Items[2], p.Items[3]
	require.True(t, a.Priority && a.Opened && c.Priority && c.Opened)
	require.Equal(t, "yl-a", a.ListID)
	require.Equal(t, 4, a.OpenedVersion)
	require.Equal(t, t0.AddDate(0, 0, 4), *a.OpenedAt)
	require.Equal(t, 1, c.OpenedVersion)
	require.False(t, b.Opened || b.Priority)
	require.Nil(t, b.OpenedAt)
	require.True(t, gone.Removed)
	require.False(t, gone.Opened)
	require.Equal(t, openPlanCounts{Planned: 4, Opened: 2, NotYet: 2}, p.Counts)
}
