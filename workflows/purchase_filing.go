package workflows

import (
	"fmt"
	"strings"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/roles"
)

// PurchaseFiling is the body of a purchase (POST /api/v1/purchases).
type PurchaseFiling struct {
	Kind      string   `json:"kind" bound:"id"`
	Title     string   `json:"title"`
	Supplier  string   `json:"supplier"`
	Purpose   string   `json:"purpose"`
	DataItems []string `json:"data_items"`
}

// PurchaseFacts are what a purchase's rule is checked on: the body, the
// department buying, and what the platform already has of the data items
// (the catalog's items and earlier purchases, matched by the API), shown to
// the authority.
type PurchaseFacts struct {
	procedure.Filed[PurchaseFiling]
	Dept     models.Department
	Overlaps []string
}

// PurchaseProcedure is a department's purchase of data (weifang 第十三条,
// wuhan 第三十四条) or filing of an external data service (wuhan 第三十四条第三款).
var PurchaseProcedure = procedure.Filing[PurchaseFiling, PurchaseFacts]{
	Descriptor: procedure.Descriptor{
		Name: models.ProcedurePurchase, Prefix: "pu-", Route: "/purchases",
		Title: "purchase", Plural: "purchases", Noun: "purchase",
		File:     []string{roles.Department},
		Read:     readers(map[string]string{roles.Department: "dept = @dept"}),
		Filer:    "dept",
		Outcomes: []string{"refused", "filed_with_authority", "catalogued"},
		Workflow: Purchase, Record: func() any { return &models.Purchase{} },
		Order:   "submitted_at DESC, id",
		Filters: []string{"status", "jurisdiction", "dept", "kind"},
		Flags:   []string{"overdue"},
	},
	Form: func(in PurchaseFiling) []procedure.FieldError {
		errs := procedure.Required("title", in.Title, "supplier", in.Supplier, "purpose", in.Purpose)
		errs = append(errs, procedure.OneOf("kind", in.Kind, models.PurchaseData, models.PurchaseService)...)
		if len(in.DataItems) == 0 {
			errs = append(errs, procedure.FieldError{Field: "data_items", Message: "names at least one data item bought"})
		}
		for _, d := range in.DataItems {
			if strings.TrimSpace(d) == "" {
				errs = append(errs, procedure.FieldError{Field: "data_items", Message: "a data item is blank"})
				break
			}
		}
		return errs
	},
	Check: func(f PurchaseFacts, p regulations.Profile) []procedure.FieldError {
		r := p.Purchase
		if r == nil {
			return []procedure.FieldError{{Field: "jurisdiction", Message: fmt.Sprintf("%s has no procedure for a department buying data: only weifang 第十三条 and wuhan 第三十四条 provide one", p.Document)}}
		}
		if f.In.Kind == models.PurchaseService && r.ServicesArticle == "" {
			return []procedure.FieldError{{Field: "kind", Message: fmt.Sprintf("%s has no filing of external data services (%s covers buying data)", p.Document, r.Article)}}
		}
		return nil
	},
	Start: func(id string, f PurchaseFacts, p regulations.Profile) procedure.Start {
		in := f.In
		c := models.Purchase{Dept: f.Dept.Code, Kind: in.Kind, Title: in.Title, Supplier: in.Supplier, Purpose: in.Purpose,
			DataItems: in.DataItems, Overlaps: f.Overlaps, SubmittedBy: f.Caller.Subject + "@" + f.Caller.Dept, SubmittedAt: f.Now.UTC()}
		c.ID, c.WorkflowID, c.Jurisdiction = id, id, f.Dept.Jurisdiction
		return procedure.Start{Input: PurchaseInput{Purchase: c, Profile: p}, Jurisdiction: f.Dept.Jurisdiction, Owner: f.Dept.Code}
	},
}

// PurchaseOverlaps is what the platform already has of a purchase's data
// items: the catalog items, by title or data item (of any department in the city, not the
// not-shared ones, which cannot be obtained by sharing) and earlier
// purchases not refused whose names match one of the items (one contains the
// other, ignoring case and spaces), each as one line for the authority.
func PurchaseOverlaps(dataItems []string, items []models.CatalogItem, earlier []models.Purchase) []string {
	var out []string
	for _, it := range items {
		if it.ShareType == models.ShareNotShared || !anyMatches(append([]string{it.Title}, it.DataItems...), dataItems) {
			continue
		}
		out = append(out, fmt.Sprintf("catalog %s %s (%s, %s)", it.ID, it.Title, it.ProviderDept, it.ShareType))
	}
	for _, pu := range earlier {
		if pu.Status == models.PurchaseRefused {
			continue
		}
		if anyMatches(pu.DataItems, dataItems) {
			out = append(out, fmt.Sprintf("purchase %s %s (%s, %s)", pu.ID, pu.Title, pu.Dept, pu.Status))
		}
	}
	return out
}

// anyMatches tells whether a name of have and one of want contain one
// another, ignoring case and spaces.
func anyMatches(have, want []string) bool {
	norm := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), "")) }
	for _, h := range have {
		n := norm(h)
		if n == "" {
			continue
		}
		for _, o := range want {
			if m := norm(o); m != "" && (strings.Contains(n, m) || strings.Contains(m, n)) {
				return true
			}
		}
	}
	return false
}
