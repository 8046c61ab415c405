package workflows

import (
	"fmt"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/roles"
)

// OpenConversionFiling is the body of a conversion
// (POST /api/v1/open-conversions).
type OpenConversionFiling struct {
	CatalogItemID string `json:"catalog_item_id" bound:"id"`
	ToOpenType    string `json:"to_open_type" bound:"id"`
	Decision      string `json:"decision"`
	Reason        string `json:"reason"`
	Desensitised  bool   `json:"desensitised"`
}

// OpenConversionFacts are what a conversion's rule is checked on: the body,
// the authority deciding it and the item.
type OpenConversionFacts struct {
	procedure.Filed[OpenConversionFiling]
	Item models.CatalogItem
}

// OpenConversionProcedure is the conversion of qualifying data to a wider
// open type (weifang 第二十四条第二款), started by the city's authority.
var OpenConversionProcedure = procedure.Filing[OpenConversionFiling, OpenConversionFacts]{
	Descriptor: procedure.Descriptor{
		Name: models.ProcedureOpenConversion, Prefix: "oc-", Route: "/open-conversions",
		Title: "open conversion", Plural: "open conversions", Noun: "conversion",
		File:     []string{roles.Authority},
		Read:     readers(map[string]string{roles.Department: "dept = @dept"}),
		Filer:    "dept",
		Outcomes: []string{"applied", "conflict"},
		Workflow: OpenConversion, Record: func() any { return &models.OpenConversion{} },
		Order:   "submitted_at DESC, id",
		Filters: []string{"status", "jurisdiction", "dept", "catalog_item_id"},
		Flags:   []string{"overdue"},
	},
	Form: func(in OpenConversionFiling) []procedure.FieldError {
		errs := procedure.Required("catalog_item_id", in.CatalogItemID, "decision", in.Decision, "reason", in.Reason)
		if in.ToOpenType != models.OpenUnconditional && in.ToOpenType != models.OpenConditional {
			errs = append(errs, procedure.FieldError{Field: "to_open_type", Message: "must be unconditional or conditional"})
		}
		return errs
	},
	Check: func(f OpenConversionFacts, p regulations.Profile) []procedure.FieldError {
		r := p.OpenConversion
		if r == nil {
			return []procedure.FieldError{{Field: "jurisdiction", Message: fmt.Sprintf("the text of %s (%s) has no conversion of open types (weifang 第二十四条第二款 has one)", p.City, p.Document)}}
		}
		if !r.Allows(f.Item.OpenType, f.In.ToOpenType) {
			return []procedure.FieldError{{Field: "to_open_type", Message: fmt.Sprintf("item %s is %s: %s converts it to %s only from %s", f.Item.ID, f.Item.OpenType, r.Article, f.In.ToOpenType, fromOf(r, f.In.ToOpenType))}}
		}
		return nil
	},
	Start: func(id string, f OpenConversionFacts, p regulations.Profile) procedure.Start {
		in, item := f.In, f.Item
		c := models.OpenConversion{
			Header:        models.Header{ID: id, WorkflowID: id, Jurisdiction: item.Jurisdiction, Article: p.OpenConversion.Article},
			CatalogItemID: item.ID, Dept: item.ProviderDept, FromOpenType: item.OpenType, ToOpenType: in.ToOpenType,
			Decision: in.Decision, Reason: in.Reason, Desensitised: in.Desensitised, BaseVersion: item.Version,
			SubmittedBy: ActorOf(f.Caller).String(), SubmittedAt: f.Now.UTC(),
		}
		return procedure.Start{Input: OpenConversionInput{Conversion: c, Profile: p}, Jurisdiction: item.Jurisdiction, Owner: item.ProviderDept}
	},
}

// fromOf lists the open types r converts to to.
func fromOf(r *regulations.OpenConversionRule, to string) string {
	out := ""
	for _, c := range r.Conversions {
		if c.To == to {
			if out != "" {
				out += " or "
			}
			out += c.From
		}
	}
	if out == "" {
		return "none"
	}
	return out
}
