package workflows

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/roles"
)

// YearlyListFiling is the body of a yearly list (POST /api/v1/yearly-lists):
// its kind and year and its entries — the department's catalog item IDs, or
// for a scenario list the application scenarios.
type YearlyListFiling struct {
	Kind    string   `json:"kind" bound:"id"`
	Year    int      `json:"year"`
	Entries []string `json:"entries" bound:"max=500"`
	// Priority are entries marked as going first, where the city's text
	// says so (xiamen 第二十五条: data closely tied to livelihoods).
	Priority []string `json:"priority,omitempty" bound:"max=500"`
}

// YearlyListFacts are what a yearly list's rule is checked on: the body, the
// department filing it and its city, and the catalog items the entries name
// (Items[i] for Entries[i], nil where there is no such item; empty for a
// scenario list).
type YearlyListFacts struct {
	procedure.Filed[YearlyListFiling]
	Jurisdiction string
	Items        []*models.CatalogItem
}

// YearlyListProcedure is a department's yearly list confirmed by the
// authority (changsha 第二十五条, leshan 第三十九条(六)), seen by the
// department, the city's authority, auditors and admins.
var YearlyListProcedure = procedure.Filing[YearlyListFiling, YearlyListFacts]{
	Descriptor: procedure.Descriptor{
		Name: models.ProcedureYearlyList, Prefix: "yl-", Route: "/yearly-lists",
		Title: "yearly list", Plural: "yearly lists", Noun: "list",
		File:     []string{roles.Department},
		Read:     readers(map[string]string{roles.Department: "dept = @dept"}),
		Filer:    "dept",
		Outcomes: []string{models.ListConfirmed, models.ListReturned},
		Workflow: YearlyList, Record: func() any { return &models.YearlyList{} },
		Order:   "filed_at DESC, id",
		Filters: []string{"status", "jurisdiction", "dept", "year", "kind"},
		Flags:   []string{"overdue"},
	},
	Form: func(in YearlyListFiling) []procedure.FieldError {
		errs := procedure.Required("kind", in.Kind)
		if in.Kind != "" {
			errs = append(errs, procedure.OneOf("kind", in.Kind, regulations.ListKinds...)...)
		}
		if in.Year < 2000 || in.Year > 2100 {
			errs = append(errs, procedure.FieldError{Field: "year", Message: "is required: the list's year"})
		}
		if len(in.Entries) == 0 {
			errs = append(errs, procedure.FieldError{Field: "entries", Message: "is required: the list's catalog items or scenarios"})
		}
		for i, e := range in.Entries {
			if blank(e) {
				errs = append(errs, procedure.FieldError{Field: fmt.Sprintf("entries[%d]", i), Message: "is blank"})
			}
		}
		for i, e := range in.Priority {
			if !slices.Contains(in.Entries, e) {
				errs = append(errs, procedure.FieldError{Field: fmt.Sprintf("priority[%d]", i), Message: fmt.Sprintf("%q is not one of the entries", e)})
			}
		}
		return errs
	},
	Check: func(f YearlyListFacts, p regulations.Profile) []procedure.FieldError {
		var errs procedure.Errors
		refuse := errs.Refuse
		r := p.YearlyLists
		switch {
		case r == nil:
			refuse("jurisdiction", p.Document+" has no yearly lists confirmed by the authority (changsha 第二十五条 has; this text has no such procedure)")
			return errs
		case !slices.Contains(r.Kinds, f.In.Kind):
			refuse("kind", fmt.Sprintf("%s lists %s (%s)", p.Document, strings.Join(r.Kinds, ", "), r.Article))
			return errs
		}
		if len(f.In.Priority) > 0 && r.Priority == "" {
			refuse("priority", p.Document+" gives no entries priority (xiamen 第二十五条 does; this text has no such rule)")
		}
		if y := f.Now.Year(); f.In.Year < y-1 || f.In.Year > y+1 {
			refuse("year", fmt.Sprintf("%d is not last year, this year or next", f.In.Year))
		}
		if !regulations.ListedItems(f.In.Kind) {
			return errs
		}
		for i, id := range f.In.Entries {
			field := fmt.Sprintf("entries[%d]", i)
			switch it := f.Items[i]; {
			case it == nil:
				refuse(field, fmt.Sprintf("no catalog item %q", id))
			case it.ProviderDept != f.Caller.Dept || it.Jurisdiction != f.Jurisdiction:
				refuse(field, fmt.Sprintf("item %s is not %s's own item in %s", id, f.Caller.Dept, f.Jurisdiction))
			case (f.In.Kind == regulations.ListShare || f.In.Kind == regulations.ListShareResponsibility) && it.ShareType == models.ShareNotShared:
				refuse(field, fmt.Sprintf("item %s is not shared: it has no place on a share list", id))
			case (f.In.Kind == regulations.ListOpen || f.In.Kind == regulations.ListOpenResponsibility) && it.OpenType == models.OpenNotOpen:
				refuse(field, fmt.Sprintf("item %s is not open: it has no place on an open list", id))
			case f.In.Kind == regulations.ListOpenPlan && it.OpenType != models.OpenNotOpen:
				refuse(field, fmt.Sprintf("item %s is already open (%s): an open plan lists items to open", id, it.OpenType))
			}
		}
		return errs
	},
	Start: func(id string, f YearlyListFacts, p regulations.Profile) procedure.Start {
		l := models.YearlyList{Dept: f.Caller.Dept, Year: f.In.Year, Kind: f.In.Kind, Entries: slices.Clone(f.In.Entries), Priority: slices.Clone(f.In.Priority),
			FiledBy: f.Caller.Subject + "@" + f.Caller.Dept, FiledAt: f.Now.UTC()}
		l.ID, l.WorkflowID, l.Jurisdiction = id, id, f.Jurisdiction
		return procedure.Start{Input: YearlyListInput{List: l, Profile: p}, Jurisdiction: f.Jurisdiction, Owner: f.Caller.Dept}
	},
}
