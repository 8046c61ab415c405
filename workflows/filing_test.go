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
