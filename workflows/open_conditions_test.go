package workflows

import (
	"maps"
	"slices"
	"testing"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
)

// TestOpenCheck: an application for an item that sets conditions of use
// states how it meets each, and only those (leshan 第二十五条第二款, xiamen
// 第二十四条).
func TestOpenCheck(t *testing.T) {
	item := models.CatalogItem{ID: "ls-1", Jurisdiction: "leshan", ProviderDept: "jiaotong", OpenType: models.OpenConditional,
		OpenConditions: []models.OpenCondition{{Kind: "credit_level", Requirement: "A级以上"}, {Kind: "security_protection", Requirement: "等保三级"}}}
	in := OpenFiling{Jurisdiction: "leshan", CatalogItemID: item.ID, Applicant: ApplicantFiling{Name: "乐山数据研究所", Kind: "organisation"},
		ConditionsMet: map[string]string{"credit_level": "纳税信用A级", "security_protection": "已通过等保三级测评"},
		OpenFieldsFiling: OpenFieldsFiling{Scenario: "科研", DataScope: "公交线路", Delivery: "api", PeriodOfUse: PeriodFiling{From: "2026-03-02", To: "2026-06-30"},
			SafetyMeasures: "加密存储", Capabilities: "本地化存储"}}
	ok := OpenFacts{Filed: procedure.Filed[OpenFiling]{In: in, Now: now}, Item: item}
	with := func(edit func(*OpenFacts)) OpenFacts {
		f := ok
		f.In.ConditionsMet = maps.Clone(ok.In.ConditionsMet)
		edit(&f)
		return f
	}
	runChecks(t, OpenProcedure, []filingCase[OpenFacts]{
		{"every condition met", "leshan", ok, nil},
		{"a condition not stated", "leshan", with(func(f *OpenFacts) { delete(f.In.ConditionsMet, "credit_level") }), []string{"conditions_met.credit_level"}},
		{"a blank statement", "leshan", with(func(f *OpenFacts) { f.In.ConditionsMet["security_protection"] = " " }), []string{"conditions_met.security_protection"}},
		{"a condition the item does not set", "leshan", with(func(f *OpenFacts) { f.In.ConditionsMet["data_storage"] = "有" }), []string{"conditions_met.data_storage"}},
		{"an item without conditions", "leshan", with(func(f *OpenFacts) { f.Item.OpenConditions, f.In.ConditionsMet = nil, nil }), nil},
	})
	// The stored application carries each condition with its statement.
	st := OpenProcedure.Start("oa-1", ok, profileOf(t, "leshan")).Input.(OpenInput)
	want := []models.ConditionMet{{OpenCondition: item.OpenConditions[0], Statement: "纳税信用A级"}, {OpenCondition: item.OpenConditions[1], Statement: "已通过等保三级测评"}}
	if !slices.Equal(st.Application.ConditionsMet, want) {
		t.Fatalf("stored %v, want %v", st.Application.ConditionsMet, want)
	}
}

// TestOpenConditions: an item sets only the conditions of use its city's
// text allows (leshan 第二十六条: no discriminatory conditions, those of
// 第二十五条第二款 only; xiamen 第二十四条), only on conditionally open data;
// a city whose text lists none takes none.
func TestOpenConditions(t *testing.T) {
	cond := func(open string, cs ...models.OpenCondition) models.CatalogItem {
		return models.CatalogItem{OpenType: open, OpenConditions: cs}
	}
	for _, tc := range []struct {
		name, city string
		item       models.CatalogItem
		refuse     []string
	}{
		{"leshan credit level", "leshan", cond(models.OpenConditional, models.OpenCondition{Kind: "credit_level", Requirement: "A级"}), nil},
		{"leshan: a discriminatory condition", "leshan", cond(models.OpenConditional, models.OpenCondition{Kind: "local_registration", Requirement: "本地注册企业"}), []string{"open_conditions[0].kind"}},
		{"xiamen credit status", "xiamen", cond(models.OpenConditional, models.OpenCondition{Kind: "credit_status", Requirement: "未被列入失信被执行人"}), nil},
		{"xiamen: leshan's kind", "xiamen", cond(models.OpenConditional, models.OpenCondition{Kind: "credit_level", Requirement: "A级"}), []string{"open_conditions[0].kind"}},
		{"no requirement", "xiamen", cond(models.OpenConditional, models.OpenCondition{Kind: "scenario"}), []string{"open_conditions[0].requirement"}},
		{"twice", "xiamen", cond(models.OpenConditional, models.OpenCondition{Kind: "scenario", Requirement: "a"}, models.OpenCondition{Kind: "scenario", Requirement: "b"}), []string{"open_conditions[1].kind"}},
		{"unconditionally open", "xiamen", cond(models.OpenUnconditional, models.OpenCondition{Kind: "scenario", Requirement: "a"}), []string{"open_conditions[0]"}},
		{"wuhan lists none", "wuhan", cond(models.OpenConditional, models.OpenCondition{Kind: "credit_level", Requirement: "A级"}), []string{"open_conditions[0].kind"}},
		{"wuhan without conditions", "wuhan", cond(models.OpenConditional), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := fieldsOf(OpenConditions("", profileOf(t, tc.city), tc.item))
			want := tc.refuse
			if want == nil {
				want = []string{}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("refuses %v, want %v", got, want)
			}
		})
	}
}

// TestDemandCheck: a data demand names the department of the city holding
// the data (weifang 第二十五条, changsha 第十二条); a city without demands
// refuses it.
func TestDemandCheck(t *testing.T) {
	dept := models.Department{Code: "jiaotong", Jurisdiction: "changsha"}
	in := OpenFiling{Jurisdiction: "changsha", Demand: "充电桩实时状态", ProviderDept: dept.Code, Applicant: ApplicantFiling{Name: "长沙出行", Kind: "company"},
		OpenFieldsFiling: OpenFieldsFiling{Scenario: "出行", DataScope: "全市", Delivery: "api", PeriodOfUse: PeriodFiling{From: "2026-03-02", To: "2026-06-30"}}}
	ok := OpenFacts{Filed: procedure.Filed[OpenFiling]{In: in, Now: now}, DemandDept: &dept}
	with := func(edit func(*OpenFacts)) OpenFacts { f := ok; edit(&f); return f }
	runChecks(t, OpenProcedure, []filingCase[OpenFacts]{
		{"changsha demand", "changsha", ok, nil},
		{"no department", "changsha", with(func(f *OpenFacts) { f.In.ProviderDept, f.DemandDept = "", nil }), []string{"provider_dept"}},
		{"unknown department", "changsha", with(func(f *OpenFacts) { f.DemandDept = nil }), []string{"provider_dept"}},
		{"another city's department", "changsha", with(func(f *OpenFacts) { f.DemandDept = &models.Department{Code: "jiaotong", Jurisdiction: "weifang"} }), []string{"provider_dept"}},
		{"wuhan takes no demands", "wuhan", with(func(f *OpenFacts) { f.In.Jurisdiction = "wuhan" }), []string{"demand"}},
		{"an item names its provider", "changsha", with(func(f *OpenFacts) {
			f.In.Demand, f.In.CatalogItemID = "", "cs-1"
			f.Item = models.CatalogItem{ID: "cs-1", Jurisdiction: "changsha", OpenType: models.OpenConditional}
		}), []string{"provider_dept"}},
	})
}

// TestOpenDataDoubtCheck: weifang 第十八条's doubt about data obtained by
// opening is an applicant's, about open data it obtained (a conditionally
// open item needs its grant); leshan's 第十八条 covers shared data only.
func TestOpenDataDoubtCheck(t *testing.T) {
	item := models.CatalogItem{ID: "wf-1", Jurisdiction: "weifang", ProviderDept: "jiaotong", OpenType: models.OpenUnconditional}
	ok := ObjectionFacts{Filed: procedure.Filed[ObjectionFiling]{In: ObjectionFiling{Jurisdiction: "weifang", CatalogItemID: item.ID, Kind: "open_data_doubt", Description: "站点坐标有误"},
		Now: now, Caller: procedure.Caller{Role: "applicant", Subject: "zhang"}}, Item: item}
	with := func(edit func(*ObjectionFacts)) ObjectionFacts { f := ok; edit(&f); return f }
	runChecks(t, ObjectionProcedure, []filingCase[ObjectionFacts]{
		{"open data", "weifang", ok, nil},
		{"conditionally open, granted", "weifang", with(func(f *ObjectionFacts) { f.Item.OpenType, f.OpenGrant = models.OpenConditional, true }), nil},
		{"conditionally open, no grant", "weifang", with(func(f *ObjectionFacts) { f.Item.OpenType = models.OpenConditional }), []string{"catalog_item_id"}},
		{"not open", "weifang", with(func(f *ObjectionFacts) { f.Item.OpenType = models.OpenNotOpen }), []string{"catalog_item_id"}},
		{"a department", "weifang", with(func(f *ObjectionFacts) { f.Caller = procedure.Caller{Role: "department", Dept: "minzheng"} }), []string{"kind"}},
		{"leshan: shared data only", "leshan", with(func(f *ObjectionFacts) { f.In.Jurisdiction, f.Item.Jurisdiction = "leshan", "leshan" }), []string{"kind"}},
	})
}
