package workflows

import (
	"slices"
	"testing"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
)

func TestOpeningReviewForm(t *testing.T) {
	ok := OpeningReviewFiling{CatalogItemID: "it-1", ProposedOpenType: models.OpenUnconditional, Assessment: "经评估符合开放条件"}
	for _, tc := range []struct {
		name   string
		edit   func(*OpeningReviewFiling)
		refuse []string
	}{
		{"proposed", func(*OpeningReviewFiling) {}, []string{}},
		{"no assessment", func(f *OpeningReviewFiling) { f.Assessment = "" }, []string{"assessment"}},
		{"unknown open type", func(f *OpeningReviewFiling) { f.ProposedOpenType = "open" }, []string{"proposed_open_type"}},
		{"not open without its basis", func(f *OpeningReviewFiling) { f.ProposedOpenType = models.OpenNotOpen }, []string{"legal_basis"}},
		{"not open in the public interest", func(f *OpeningReviewFiling) {
			f.ProposedOpenType, f.LegalBasis, f.PublicInterest = models.OpenNotOpen, "法", true
		}, []string{"public_interest"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := ok
			tc.edit(&in)
			if got := fieldsOf(OpeningReviewProcedure.Form(in)); !slices.Equal(got, tc.refuse) {
				t.Fatalf("form refuses %v, want %v", got, tc.refuse)
			}
		})
	}
}

func TestOpeningReviewCheck(t *testing.T) {
	item := models.CatalogItem{ID: "it-1", OpenType: models.OpenNotOpen}
	ok := OpeningReviewFacts{Filed: procedure.Filed[OpeningReviewFiling]{In: OpeningReviewFiling{ProposedOpenType: models.OpenUnconditional, Assessment: "评估"}, Now: now}, Item: item}
	with := func(edit func(*OpeningReviewFacts)) OpeningReviewFacts { f := ok; edit(&f); return f }
	runChecks(t, OpeningReviewProcedure, []filingCase[OpeningReviewFacts]{
		{"leshan: proposed", "leshan", ok, nil},
		{"leshan: open already", "leshan", with(func(f *OpeningReviewFacts) { f.Item.OpenType = models.OpenUnconditional }), []string{"proposed_open_type"}},
		{"wuhan: no such procedure", "wuhan", ok, []string{"jurisdiction"}},
		{"weifang: no such procedure", "weifang", ok, []string{"jurisdiction"}},
		{"changsha: no such procedure", "changsha", ok, []string{"jurisdiction"}},
		{"xiamen: no such procedure", "xiamen", ok, []string{"jurisdiction"}},
	})
}

// Leshan 第二十二条第二款: an open type changes only through the review; a
// catalog change elsewhere keeps changing it.
func TestOpenTypeChanges(t *testing.T) {
	ops := []models.ChangeOperation{
		{Op: models.OpModify, ItemID: "a", Item: &models.CatalogItem{OpenType: models.OpenUnconditional}},
		{Op: models.OpModify, ItemID: "b", Item: &models.CatalogItem{OpenType: models.OpenNotOpen}},
		{Op: models.OpAdd, ItemID: "c", Item: &models.CatalogItem{OpenType: models.OpenConditional}},
		{Op: models.OpAdd, ItemID: "d", Item: &models.CatalogItem{OpenType: models.OpenNotOpen}},
		{Op: models.OpDelete, ItemID: "e"},
	}
	current := map[string]string{"a": models.OpenNotOpen, "b": models.OpenNotOpen}
	got := fieldsOf(OpenTypeChanges(ops, current, profileOf(t, "leshan")))
	if want := []string{"operations[0].item.open_type", "operations[2].item.open_type"}; !slices.Equal(got, want) {
		t.Fatalf("leshan refuses %v, want %v", got, want)
	}
	for _, city := range []string{"wuhan", "weifang", "changsha", "xiamen"} {
		if got := OpenTypeChanges(ops, current, profileOf(t, city)); len(got) != 0 {
			t.Errorf("%s refuses %v", city, got)
		}
	}
}

func TestOpenConversionForm(t *testing.T) {
	ok := OpenConversionFiling{CatalogItemID: "it-1", ToOpenType: models.OpenUnconditional, Decision: "潍大数〔2026〕1号", Reason: "已脱敏"}
	if got := fieldsOf(OpenConversionProcedure.Form(ok)); len(got) != 0 {
		t.Fatalf("form refuses %v", got)
	}
	bad := OpenConversionFiling{CatalogItemID: "it-1", ToOpenType: models.OpenNotOpen}
	if got, want := fieldsOf(OpenConversionProcedure.Form(bad)), []string{"decision", "reason", "to_open_type"}; !slices.Equal(got, want) {
		t.Fatalf("form refuses %v, want %v", got, want)
	}
}

func TestOpenConversionCheck(t *testing.T) {
	item := models.CatalogItem{ID: "it-1", OpenType: models.OpenConditional}
	ok := OpenConversionFacts{Filed: procedure.Filed[OpenConversionFiling]{In: OpenConversionFiling{ToOpenType: models.OpenUnconditional, Decision: "d", Reason: "r"}, Now: now}, Item: item}
	with := func(edit func(*OpenConversionFacts)) OpenConversionFacts { f := ok; edit(&f); return f }
	runChecks(t, OpenConversionProcedure, []filingCase[OpenConversionFacts]{
		{"weifang: conditional to unconditional", "weifang", ok, nil},
		{"weifang: not open to conditional", "weifang", with(func(f *OpenConversionFacts) {
			f.Item.OpenType, f.In.ToOpenType = models.OpenNotOpen, models.OpenConditional
		}), nil},
		{"weifang: unconditional already", "weifang", with(func(f *OpenConversionFacts) { f.Item.OpenType = models.OpenUnconditional }), []string{"to_open_type"}},
		{"weifang: conditional to conditional", "weifang", with(func(f *OpenConversionFacts) { f.In.ToOpenType = models.OpenConditional }), []string{"to_open_type"}},
		{"wuhan: no such procedure", "wuhan", ok, []string{"jurisdiction"}},
		{"leshan: no such procedure", "leshan", ok, []string{"jurisdiction"}},
		{"changsha: no such procedure", "changsha", ok, []string{"jurisdiction"}},
		{"xiamen: no such procedure", "xiamen", ok, []string{"jurisdiction"}},
	})
}
