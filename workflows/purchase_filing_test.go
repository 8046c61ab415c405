package workflows

import (
	"slices"
	"strings"
	"testing"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
)

func TestPurchaseCheck(t *testing.T) {
	in := PurchaseFiling{Kind: models.PurchaseData, Title: "企业信用数据", Supplier: "某征信公司", Purpose: "信用监管", DataItems: []string{"企业信用评分"}}
	ok := PurchaseFacts{Filed: procedure.Filed[PurchaseFiling]{In: in, Now: now}, Dept: models.Department{Code: "shichang", Jurisdiction: "weifang"}}
	with := func(edit func(*PurchaseFacts)) PurchaseFacts { f := ok; edit(&f); return f }
	service := with(func(f *PurchaseFacts) { f.In.Kind = models.PurchaseService })
	runChecks(t, PurchaseProcedure, []filingCase[PurchaseFacts]{
		{"weifang 第十三条", "weifang", ok, nil},
		{"wuhan 第三十四条", "wuhan", ok, nil},
		{"wuhan: an external data service is filed", "wuhan", service, nil},
		{"weifang: no filing of data services", "weifang", service, []string{"kind"}},
		{"changsha: no such procedure", "changsha", ok, []string{"jurisdiction"}},
		{"xiamen: no such procedure", "xiamen", ok, []string{"jurisdiction"}},
		{"leshan: no such procedure", "leshan", ok, []string{"jurisdiction"}},
	})
	if msg := PurchaseProcedure.Check(ok, profileOf(t, "leshan"))[0].Message; !strings.Contains(msg, "第十三条") || !strings.Contains(msg, "第三十四条") {
		t.Errorf("the refusal cites no article: %s", msg)
	}
}

func TestPurchaseForm(t *testing.T) {
	got := fieldsOf(PurchaseProcedure.Form(PurchaseFiling{Kind: "gift", DataItems: []string{" "}}))
	want := []string{"title", "supplier", "purpose", "kind", "data_items"}
	if !slices.Equal(got, want) {
		t.Fatalf("form refuses %v, want %v", got, want)
	}
}

// The overlaps are the shareable catalog items and the earlier purchases,
// not refused, holding one of the data items, by title or data item.
func TestPurchaseOverlaps(t *testing.T) {
	items := []models.CatalogItem{
		{ID: "wf-1", Title: "企业信用评分信息", ProviderDept: "fagai", ShareType: models.ShareConditional},
		{ID: "wf-2", Title: "市场主体登记", ProviderDept: "shichang", ShareType: models.ShareUnconditional, DataItems: []string{"企业 信用评分"}},
		{ID: "wf-3", Title: "企业信用评分（内部）", ProviderDept: "shuiwu", ShareType: models.ShareNotShared},
		{ID: "wf-4", Title: "人口信息", ProviderDept: "gongan", ShareType: models.ShareUnconditional},
	}
	earlier := []models.Purchase{
		{Header: models.Header{ID: "pu-1", Status: models.PurchaseCatalogued}, Title: "信用数据", Dept: "jinrong", DataItems: []string{"企业信用评分"}},
		{Header: models.Header{ID: "pu-2", Status: models.PurchaseRefused}, Title: "信用数据", Dept: "jinrong", DataItems: []string{"企业信用评分"}},
		{Header: models.Header{ID: "pu-3", Status: models.PurchasePending}, Title: "地图", Dept: "ziran", DataItems: []string{"地形图"}},
	}
	got := PurchaseOverlaps([]string{"企业信用评分"}, items, earlier)
	want := []string{
		"catalog wf-1 企业信用评分信息 (fagai, conditional)",
		"catalog wf-2 市场主体登记 (shichang, unconditional)",
		"purchase pu-1 信用数据 (jinrong, catalogued)",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("overlaps\n%q\nwant\n%q", got, want)
	}
	if got := PurchaseOverlaps([]string{"气象数据"}, items, earlier); len(got) != 0 {
		t.Fatalf("overlaps %q, want none", got)
	}
}
