package workflows

import (
	"slices"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/regulations"
)

// profileOf is a city's shipped profile.
func profileOf(t *testing.T, city string) regulations.Profile {
	t.Helper()
	reg, err := regulations.Load("")
	if err != nil {
		t.Fatal(err)
	}
	p, ok := reg.Get(city)
	if !ok {
		t.Fatalf("no profile for %s", city)
	}
	return p
}

// fieldsOf are the fields a check names, in order.
func fieldsOf(errs []procedure.FieldError) []string {
	out := []string{}
	for _, e := range errs {
		out = append(out, e.Field)
	}
	return out
}

// filingCase is one row of a Check table: facts, a city and the fields it
// must refuse (none: it passes).
type filingCase[F any] struct {
	name   string
	city   string
	facts  F
	refuse []string
}

func runChecks[In, F any](t *testing.T, p procedure.Filing[In, F], cases []filingCase[F]) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := fieldsOf(p.Check(tc.facts, profileOf(t, tc.city)))
			want := tc.refuse
			if want == nil {
				want = []string{}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%s refuses %v, want %v: %v", p.Name, got, want, p.Check(tc.facts, profileOf(t, tc.city)))
			}
		})
	}
}

var now = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func TestShareCheck(t *testing.T) {
	item := models.CatalogItem{ID: "wh-1", Jurisdiction: "wuhan", ProviderDept: "gongan", ShareType: models.ShareConditional, DataItems: []string{"name", "id"}}
	dept := models.Department{Code: "minzheng", Jurisdiction: "wuhan"}
	ok := ShareFacts{Filed: procedure.Filed[ShareFiling]{In: ShareFiling{CatalogItemID: item.ID, DataItems: []string{"name"}}, Now: now}, Dept: dept, Item: item}
	with := func(edit func(*ShareFacts)) ShareFacts { f := ok; edit(&f); return f }
	runChecks(t, ShareProcedure, []filingCase[ShareFacts]{
		{"filed", "wuhan", ok, nil},
		{"another city's item", "wuhan", with(func(f *ShareFacts) { f.Dept.Jurisdiction = "xiamen" }), []string{"catalog_item_id"}},
		{"own data", "wuhan", with(func(f *ShareFacts) { f.Dept.Code = "gongan" }), []string{"catalog_item_id"}},
		{"unknown data item", "wuhan", with(func(f *ShareFacts) { f.In.DataItems = []string{"salary"} }), []string{"data_items"}},
		{"suspended after an objection", "wuhan", with(func(f *ShareFacts) { f.Unavailable = "suspended" }), []string{"catalog_item_id"}},
		{"not shared", "wuhan", with(func(f *ShareFacts) { f.Item.ShareType = models.ShareNotShared }), []string{"catalog_item_id"}},
	})
}

func TestAdjustmentCheck(t *testing.T) {
	item := models.CatalogItem{ID: "it-1", ShareType: models.ShareUnconditional}
	ok := AdjustmentFacts{Filed: procedure.Filed[AdjustmentFiling]{In: AdjustmentFiling{ShareType: models.ShareNotShared, Ground: models.GroundEmergency, EndDate: "2026-06-30"}, Now: now}, Item: item}
	with := func(edit func(*AdjustmentFacts)) AdjustmentFacts { f := ok; edit(&f); return f }
	runChecks(t, AdjustmentProcedure, []filingCase[AdjustmentFacts]{
		{"wuhan", "wuhan", ok, nil},
		{"xiamen emergency", "xiamen", ok, nil},
		{"xiamen: emergency data only", "xiamen", with(func(f *AdjustmentFacts) { f.In.Ground = models.GroundPublicInterest }), []string{"ground"}},
		{"xiamen: not shared only", "xiamen", with(func(f *AdjustmentFacts) { f.In.ShareType = models.ShareConditional }), []string{"share_type"}},
		{"the same share type", "wuhan", with(func(f *AdjustmentFacts) { f.Item.ShareType = models.ShareNotShared }), []string{"share_type"}},
		{"ended yesterday", "wuhan", with(func(f *AdjustmentFacts) { f.In.EndDate = "2026-03-01" }), []string{"end_date"}},
		{"no temporary adjustment", "changsha", ok, []string{"catalog_item_id"}},
	})
}

func TestClassificationCheck(t *testing.T) {
	item := models.CatalogItem{ID: "it-1", ShareType: models.ShareUnconditional}
	ok := ClassificationFacts{Filed: procedure.Filed[ClassificationFiling]{In: ClassificationFiling{ProposedShareType: models.ShareNotShared, LegalBasis: "法"}, Now: now}, Item: item}
	with := func(edit func(*ClassificationFacts)) ClassificationFacts { f := ok; edit(&f); return f }
	runChecks(t, ClassificationProcedure, []filingCase[ClassificationFacts]{
		{"proposed", "wuhan", ok, nil},
		{"already so", "wuhan", with(func(f *ClassificationFacts) { f.Item.ShareType, f.Item.LegalBasis = models.ShareNotShared, "法" }), []string{"proposed_share_type"}},
		{"xiamen: conditions of no listed kind", "xiamen", with(func(f *ClassificationFacts) {
			f.In.ProposedShareType, f.In.Conditions = models.ShareConditional, "随便"
		}), []string{"conditions"}},
	})
}

func TestChangeCheck(t *testing.T) {
	dept := models.Department{Code: "gongan", Jurisdiction: "wuhan"}
	ok := ChangeFacts{Filed: procedure.Filed[ChangeFiling]{In: ChangeFiling{Jurisdiction: "wuhan", Operations: []models.ChangeOperation{{Op: models.OpDelete, ItemID: "x"}}}, Now: now}, Dept: dept}
	with := func(edit func(*ChangeFacts)) ChangeFacts { f := ok; edit(&f); return f }
	runChecks(t, ChangeProcedure, []filingCase[ChangeFacts]{
		{"submitted", "wuhan", ok, nil},
		{"another city", "wuhan", with(func(f *ChangeFacts) { f.In.Jurisdiction = "xiamen" }), []string{"jurisdiction"}},
		{"no such trigger", "wuhan", with(func(f *ChangeFacts) { f.In.TriggerID = "ct-none" }), []string{"trigger_id"}},
		{"another's trigger", "wuhan", with(func(f *ChangeFacts) {
			f.Trigger = &models.CatalogTrigger{Header: models.Header{ID: "ct-1"}, Dept: "minzheng"}
		}), []string{"trigger_id"}},
		{"xiamen: conditions of no listed kind", "xiamen", with(func(f *ChangeFacts) {
			f.Dept.Jurisdiction, f.In.Jurisdiction = "xiamen", "xiamen"
			f.In.Operations = []models.ChangeOperation{{Op: models.OpAdd, Item: &models.CatalogItem{ShareType: models.ShareConditional, ShareConditions: "随便"}}}
		}), []string{"operations[0].item.share_conditions"}},
		{"leshan: an open type changes only through the opening review", "leshan", with(func(f *ChangeFacts) {
			f.Dept.Jurisdiction, f.In.Jurisdiction = "leshan", "leshan"
			f.In.Operations = []models.ChangeOperation{{Op: models.OpModify, ItemID: "x", Item: &models.CatalogItem{ShareType: models.ShareUnconditional, OpenType: models.OpenUnconditional}}}
			f.OpenTypes = map[string]string{"x": models.OpenNotOpen}
		}), []string{"operations[0].item.open_type"}},
	})
}

func TestTriggerCheck(t *testing.T) {
	ok := TriggerFacts{Filed: procedure.Filed[TriggerFiling]{In: TriggerFiling{Dept: "gongan", Jurisdiction: "wuhan", Kind: models.TriggerLawRevision, EffectiveDate: "2026-03-01"},
		Now: now}, Dept: models.Department{Code: "gongan", Jurisdiction: "wuhan"}}
	with := func(edit func(*TriggerFacts)) TriggerFacts { f := ok; edit(&f); return f }
	xiamen := with(func(f *TriggerFacts) { f.In.Jurisdiction, f.In.Kind = "xiamen", models.TriggerDutyChange })
	runChecks(t, TriggerProcedure, []filingCase[TriggerFacts]{
		{"recorded", "wuhan", ok, nil},
		{"more than a year ahead", "wuhan", with(func(f *TriggerFacts) { f.In.EffectiveDate = "2027-06-01" }), []string{"effective_date"}},
		{"before the regulation", "wuhan", with(func(f *TriggerFacts) { f.In.EffectiveDate = "2001-01-01" }), []string{"effective_date"}},
		{"receiving itself", "wuhan", with(func(f *TriggerFacts) { f.In.ReceivingDept = "gongan" }), []string{"receiving_dept"}},
		{"receiving not registered", "wuhan", with(func(f *TriggerFacts) { f.In.ReceivingDept, f.Receiving = "x", "not registered" }), []string{"receiving_dept"}},
		{"xiamen: joint submission of a duty change", "xiamen", xiamen, []string{"receiving_dept"}},
		{"xiamen: with the receiving department", "xiamen", with(func(f *TriggerFacts) {
			f.In.Jurisdiction, f.In.Kind, f.In.ReceivingDept = "xiamen", models.TriggerDutyChange, "minzheng"
		}), nil},
	})
}

// A department's doubt about shared data is an objection where the text
// provides it (wuhan 第十九条, weifang and leshan 第十八条), and only a
// department's.
func TestObjectionCheckSharedDataDoubt(t *testing.T) {
	item := models.CatalogItem{ID: "it-1", Jurisdiction: "wuhan", ProviderDept: "gongan", ShareType: models.ShareUnconditional}
	ok := ObjectionFacts{Filed: procedure.Filed[ObjectionFiling]{In: ObjectionFiling{CatalogItemID: item.ID, Kind: regulations.ObjectionSharedDataDoubt, Description: "数据有误"},
		Caller: procedure.Caller{Role: "department", Subject: "dan", Dept: "minzheng", Jurisdiction: "wuhan"}, Now: now}, ID: "ob-1", Item: item}
	with := func(edit func(*ObjectionFacts)) ObjectionFacts { f := ok; edit(&f); return f }
	runChecks(t, ObjectionProcedure, []filingCase[ObjectionFacts]{
		{"wuhan 第十九条", "wuhan", ok, nil},
		{"weifang 第十八条", "weifang", with(func(f *ObjectionFacts) { f.Item.Jurisdiction = "weifang" }), nil},
		{"a person", "wuhan", with(func(f *ObjectionFacts) { f.Caller = procedure.Caller{Role: "applicant", Subject: "zhang"} }), []string{"kind"}},
		{"the provider itself", "wuhan", with(func(f *ObjectionFacts) { f.Caller.Dept = "gongan" }), []string{"catalog_item_id"}},
		{"changsha: no such path", "changsha", with(func(f *ObjectionFacts) { f.Item.Jurisdiction = "changsha" }), []string{"kind"}},
	})
}

// Weifang 第二十条 opens the dispute chain to not-shared data a department
// needs for its duties; other texts have no such path, and only not-shared
// data of another department of the city goes this way.
func TestDisputeCheckNotSharedItem(t *testing.T) {
	item := models.CatalogItem{ID: "wf-1", Jurisdiction: "weifang", ProviderDept: "gongan", ShareType: models.ShareNotShared}
	ok := DisputeFacts{Filed: procedure.Filed[DisputeFiling]{In: DisputeFiling{Reason: "办理不动产登记确需使用"},
		Caller: procedure.Caller{Role: "department", Subject: "dan", Dept: "minzheng", Jurisdiction: "weifang"}, Now: now}, Item: &item}
	with := func(edit func(*DisputeFacts)) DisputeFacts {
		f := ok
		it := item
		f.Item = &it
		edit(&f)
		return f
	}
	runChecks(t, DisputeProcedure, []filingCase[DisputeFacts]{
		{"weifang 第二十条", "weifang", ok, nil},
		{"conditional: request it", "weifang", with(func(f *DisputeFacts) { f.Item.ShareType = models.ShareConditional }), []string{"id"}},
		{"its own data", "weifang", with(func(f *DisputeFacts) { f.Caller.Dept = "gongan" }), []string{"id"}},
		{"another city's item", "weifang", with(func(f *DisputeFacts) { f.Caller.Jurisdiction = "wuhan" }), []string{"id"}},
		{"wuhan: no such path", "wuhan", with(func(f *DisputeFacts) { f.Item.Jurisdiction, f.Caller.Jurisdiction = "wuhan", "wuhan" }), []string{"jurisdiction"}},
		{"leshan: no such path", "leshan", with(func(f *DisputeFacts) { f.Item.Jurisdiction, f.Caller.Jurisdiction = "leshan", "leshan" }), []string{"jurisdiction"}},
		{"a refused request still disputes as before", "weifang", DisputeFacts{Filed: ok.Filed, Request: models.ShareRequest{Header: models.Header{ID: "sr-1", Status: models.StatusRejected}}}, nil},
	})
}

// Leshan 第十一条: two departments' data on one subject disagree; the other
// texts have no such procedure, and the two items must be two departments'
// of one city.
func TestDataConflictCheck(t *testing.T) {
	a := models.CatalogItem{ID: "ls-a", Jurisdiction: "leshan", ProviderDept: "scjg"}
	b := models.CatalogItem{ID: "ls-b", Jurisdiction: "leshan", ProviderDept: "shuiwu"}
	ok := DataConflictFacts{Filed: procedure.Filed[DataConflictFiling]{In: DataConflictFiling{CatalogItemID: a.ID, OtherItemID: b.ID, Description: "地址不一致"},
		Caller: procedure.Caller{Role: "department", Subject: "dan", Dept: "minzheng", Jurisdiction: "leshan"}, Now: now}, Item: a, Other: b}
	with := func(edit func(*DataConflictFacts)) DataConflictFacts { f := ok; edit(&f); return f }
	runChecks(t, DataConflictProcedure, []filingCase[DataConflictFacts]{
		{"leshan 第十一条", "leshan", ok, nil},
		{"the authority files", "leshan", with(func(f *DataConflictFacts) {
			f.Caller = procedure.Caller{Role: "authority", Subject: "carol", Jurisdiction: "leshan"}
		}), nil},
		{"one department's two items", "leshan", with(func(f *DataConflictFacts) { f.Other.ProviderDept = "scjg" }), []string{"other_item_id"}},
		{"another city's item", "leshan", with(func(f *DataConflictFacts) { f.Other.Jurisdiction = "wuhan" }), []string{"other_item_id"}},
		{"a caller of another city", "leshan", with(func(f *DataConflictFacts) { f.Caller.Jurisdiction = "wuhan" }), []string{"catalog_item_id"}},
		{"wuhan: no such procedure", "wuhan", ok, []string{"jurisdiction"}},
		{"weifang: no such procedure", "weifang", ok, []string{"jurisdiction"}},
	})
	if errs := DataConflictProcedure.Form(DataConflictFiling{CatalogItemID: "x", OtherItemID: "x", Description: "d"}); len(errs) != 1 || errs[0].Field != "other_item_id" {
		t.Fatalf("the same item twice: %v", errs)
	}
}

// xiamenPlan is ok as xiamen's open plan (第二十五条) of one item with the
// given open type, marked livelihood priority.
func xiamenPlan(ok YearlyListFacts, it models.CatalogItem, open string) YearlyListFacts {
	it.Jurisdiction, it.OpenType = "xiamen", open
	ok.Jurisdiction, ok.Items = "xiamen", []*models.CatalogItem{&it}
	ok.In.Kind, ok.In.Priority = regulations.ListOpenPlan, []string{it.ID}
	return ok
}

// Yearly lists (changsha 第二十五条, leshan 第三十九条（六）, xiamen's open plan
// 第二十五条): the city's kinds,
// a year near now, the department's own items fit for the list; the other
// texts have none.
func TestYearlyListCheck(t *testing.T) {
	own := &models.CatalogItem{ID: "cs-1", Jurisdiction: "changsha", ProviderDept: "gongan", ShareType: models.ShareConditional, OpenType: models.OpenNotOpen}
	ok := YearlyListFacts{Filed: procedure.Filed[YearlyListFiling]{In: YearlyListFiling{Kind: regulations.ListShare, Year: 2026, Entries: []string{own.ID}},
		Caller: procedure.Caller{Role: "department", Subject: "bob", Dept: "gongan", Jurisdiction: "changsha"}, Now: now}, Jurisdiction: "changsha", Items: []*models.CatalogItem{own}}
	with := func(edit func(*YearlyListFacts)) YearlyListFacts { f := ok; edit(&f); return f }
	notShared := *own
	notShared.ShareType = models.ShareNotShared
	others := *own
	others.ProviderDept = "minzheng"
	runChecks(t, YearlyListProcedure, []filingCase[YearlyListFacts]{
		{"changsha share list", "changsha", ok, nil},
		{"changsha scenario list", "changsha", with(func(f *YearlyListFacts) {
			f.In.Kind, f.In.Entries, f.Items = regulations.ListScenario, []string{"不动产登记一件事"}, nil
		}), nil},
		{"not open on an open list", "changsha", with(func(f *YearlyListFacts) { f.In.Kind = regulations.ListOpen }), []string{"entries[0]"}},
		{"not shared on a share list", "changsha", with(func(f *YearlyListFacts) { f.Items = []*models.CatalogItem{&notShared} }), []string{"entries[0]"}},
		{"another department's item", "changsha", with(func(f *YearlyListFacts) { f.Items = []*models.CatalogItem{&others} }), []string{"entries[0]"}},
		{"no such item", "changsha", with(func(f *YearlyListFacts) { f.Items = []*models.CatalogItem{nil} }), []string{"entries[0]"}},
		{"far year", "changsha", with(func(f *YearlyListFacts) { f.In.Year = 2020 }), []string{"year"}},
		{"changsha has no responsibility list", "changsha", with(func(f *YearlyListFacts) { f.In.Kind = regulations.ListShareResponsibility }), []string{"kind"}},
		{"leshan responsibility list", "leshan", with(func(f *YearlyListFacts) {
			f.In.Kind, f.Jurisdiction = regulations.ListShareResponsibility, "leshan"
			it := *own
			it.Jurisdiction = "leshan"
			f.Items = []*models.CatalogItem{&it}
		}), nil},
		{"wuhan: no such procedure", "wuhan", ok, []string{"jurisdiction"}},
		{"changsha: no priority", "changsha", with(func(f *YearlyListFacts) { f.In.Priority = []string{own.ID} }), []string{"priority"}},
		{"xiamen open plan with a livelihood item", "xiamen", xiamenPlan(ok, *own, models.OpenNotOpen), nil},
		{"xiamen open plan: item already open", "xiamen", xiamenPlan(ok, *own, models.OpenConditional), []string{"entries[0]"}},
		{"xiamen has no share list", "xiamen", with(func(f *YearlyListFacts) {
			*f = xiamenPlan(ok, *own, models.OpenNotOpen)
			f.In.Kind = regulations.ListShare
		}), []string{"kind"}},
	})
	if errs := YearlyListProcedure.Form(YearlyListFiling{Kind: "wishes", Entries: []string{" "}, Priority: []string{"x"}}); !slices.Equal(fieldsOf(errs), []string{"kind", "year", "entries[0]", "priority[0]"}) {
		t.Fatalf("form: %v", errs)
	}
}
