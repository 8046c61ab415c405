package workflows

import (
	"fmt"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/roles"
)

// OpeningReviewFiling is the body of an opening review
// (POST /api/v1/opening-reviews).
type OpeningReviewFiling struct {
	CatalogItemID    string `json:"catalog_item_id" bound:"id"`
	ProposedOpenType string `json:"proposed_open_type" bound:"id"`
	Assessment       string `json:"assessment"`
	LegalBasis       string `json:"legal_basis"`
	PublicInterest   bool   `json:"public_interest"`
}

// OpeningReviewFacts are what an opening review's rule is checked on: the
// body, the department proposing it and its item.
type OpeningReviewFacts struct {
	procedure.Filed[OpeningReviewFiling]
	Item models.CatalogItem
}

// OpeningReviewProcedure is the review before data is opened (leshan
// 第二十一条至第二十四条): a department proposes the open type of one of its
// items on its assessment; the authority reviews it.
var OpeningReviewProcedure = procedure.Filing[OpeningReviewFiling, OpeningReviewFacts]{
	Descriptor: procedure.Descriptor{
		Name: models.ProcedureOpeningReview, Prefix: "or-", Route: "/opening-reviews",
		Title: "opening review", Plural: "opening reviews", Noun: "opening review",
		File:     []string{roles.Department},
		Read:     readers(map[string]string{roles.Department: "dept = @dept"}),
		Filer:    "dept",
		Outcomes: []string{"applied", "refused", "conflict"},
		Workflow: OpeningReview, Record: func() any { return &models.OpeningReview{} },
		Order:   "submitted_at DESC, id",
		Filters: []string{"status", "jurisdiction", "dept", "catalog_item_id"},
		Flags:   []string{"overdue"},
	},
	Form: func(in OpeningReviewFiling) []procedure.FieldError {
		errs := procedure.Required("catalog_item_id", in.CatalogItemID, "assessment", in.Assessment)
		switch in.ProposedOpenType {
		case models.OpenUnconditional, models.OpenConditional:
		case models.OpenNotOpen:
			if in.LegalBasis == "" {
				errs = append(errs, procedure.FieldError{Field: "legal_basis", Message: "not-open data cites its legal basis (乐山 第二十一条第四款)"})
			}
			if in.PublicInterest {
				errs = append(errs, procedure.FieldError{Field: "public_interest", Message: "the public interest opens data; it cannot keep data not open"})
			}
		default:
			errs = append(errs, procedure.FieldError{Field: "proposed_open_type", Message: fmt.Sprintf("must be %s, %s or %s", models.OpenUnconditional, models.OpenConditional, models.OpenNotOpen)})
		}
		return errs
	},
	Check: func(f OpeningReviewFacts, p regulations.Profile) []procedure.FieldError {
		if p.OpeningReview == nil {
			return []procedure.FieldError{{Field: "jurisdiction", Message: fmt.Sprintf("the text of %s (%s) has no review before opening (only leshan 第二十二条 has one); an item's open type changes there through the catalog change", p.City, p.Document)}}
		}
		if f.Item.OpenType == f.In.ProposedOpenType {
			return []procedure.FieldError{{Field: "proposed_open_type", Message: fmt.Sprintf("item %s is %s already", f.Item.ID, f.Item.OpenType)}}
		}
		return nil
	},
	Start: func(id string, f OpeningReviewFacts, p regulations.Profile) procedure.Start {
		in, item := f.In, f.Item
		r := models.OpeningReview{
			Header:           models.Header{ID: id, WorkflowID: id, Jurisdiction: item.Jurisdiction},
			CatalogItemID:    item.ID,
			Dept:             f.Caller.Dept,
			ProposedOpenType: in.ProposedOpenType,
			PreviousOpenType: item.OpenType,
			Assessment:       in.Assessment,
			LegalBasis:       in.LegalBasis,
			PublicInterest:   in.PublicInterest,
			BaseVersion:      item.Version,
			SubmittedBy:      ActorOf(f.Caller).String(),
			SubmittedAt:      f.Now.UTC(),
		}
		return procedure.Start{Input: OpeningReviewInput{Review: r, Profile: p}, Jurisdiction: item.Jurisdiction, Owner: f.Caller.Dept}
	},
}

// OpenTypeChanges refuses, where the city's text opens data only through the
// review before opening (OpeningReviewRule.Exclusive), each operation of a
// catalog change that changes an item's open type: a modified item whose
// open type differs from its current one (current, by item ID) or an added
// item that is not "not_open".
func OpenTypeChanges(ops []models.ChangeOperation, current map[string]string, p regulations.Profile) []procedure.FieldError {
	r := p.OpeningReview
	if r == nil || !r.Exclusive {
		return nil
	}
	var errs []procedure.FieldError
	for i, op := range ops {
		it := op.Item
		if it == nil {
			continue
		}
		changes := (op.Op == models.OpAdd && it.OpenType != models.OpenNotOpen) ||
			(op.Op == models.OpModify && it.OpenType != current[op.ItemID])
		if changes {
			errs = append(errs, procedure.FieldError{Field: fmt.Sprintf("operations[%d].item.open_type", i),
				Message: fmt.Sprintf("in %s data becomes open only after the authority's review (%s): file POST /api/v1/opening-reviews; a catalog change keeps the open type (an added item is not_open)", p.City, r.ExclusiveArticle)})
		}
	}
	return errs
}
