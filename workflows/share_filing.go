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

// ShareFiling is the body of a share request (POST /api/v1/share-requests).
type ShareFiling struct {
	CatalogItemID string   `json:"catalog_item_id" bound:"id"`
	Purpose       string   `json:"purpose"`
	Scenario      string   `json:"scenario"`
	DataItems     []string `json:"data_items" bound:"name,max=500"`
}

// ShareFacts are what a share request's rule is checked on: the body, the
// requesting department, the item and why it is unavailable ("" when it is
// available).
type ShareFacts struct {
	procedure.Filed[ShareFiling]
	Dept        models.Department
	Item        models.CatalogItem
	Unavailable string
}

// ShareProcedure is the share request (数据共享申请): a department asks another for
// data of its catalog (wuhan 第十九条, xiamen 第十八条, …).
var ShareProcedure = procedure.Filing[ShareFiling, ShareFacts]{
	Descriptor: procedure.Descriptor{
		Name: models.ProcedureShareRequest, Prefix: "sr-", Route: "/share-requests",
		Title: "share request", Plural: "share requests", Noun: "request",
		File:     []string{roles.Department},
		Read:     readers(map[string]string{roles.Department: "requester_dept = @dept OR provider_dept = @dept"}),
		Filer:    "requester_dept",
		Outcomes: []string{models.StatusGranted, models.StatusRejected},
		Workflow: ShareRequest, Record: func() any { return &models.ShareRequest{} },
		Order:   "filed_at DESC, id",
		Filters: []string{"status", "jurisdiction", "requester_dept", "provider_dept", "catalog_item_id"},
		Flags:   []string{"overdue"},
	},
	Form: func(in ShareFiling) []procedure.FieldError {
		errs := procedure.Required("catalog_item_id", in.CatalogItemID, "purpose", in.Purpose, "scenario", in.Scenario)
		if len(in.DataItems) == 0 {
			errs = append(errs, procedure.FieldError{Field: "data_items", Message: "name at least one data item (数据项) of the catalog item"})
		}
		return errs
	},
	Check: func(f ShareFacts, _ regulations.Profile) []procedure.FieldError {
		item, dept := f.Item, f.Dept
		var errs procedure.Errors
		refuse := errs.Refuse
		if item.Jurisdiction != dept.Jurisdiction {
			refuse("catalog_item_id", fmt.Sprintf("item %s is in %s's catalog; department %s is in %s", item.ID, item.Jurisdiction, dept.Code, dept.Jurisdiction))
		}
		if item.ProviderDept == dept.Code {
			refuse("catalog_item_id", "a department does not request its own data")
		}
		for _, d := range f.In.DataItems {
			if !slices.Contains(item.DataItems, d) {
				refuse("data_items", fmt.Sprintf("%q is not a data item of %s (it has: %s)", d, item.ID, strings.Join(item.DataItems, ", ")))
				break
			}
		}
		if f.Unavailable != "" { // suspended or withdrawn after an objection
			refuse("catalog_item_id", f.Unavailable)
		}
		if item.ShareType == models.ShareNotShared {
			refuse("catalog_item_id", fmt.Sprintf("item %s is classified not shared (不予共享): %s", item.ID, item.LegalBasis))
		}
		return errs
	},
	Start: func(id string, f ShareFacts, p regulations.Profile) procedure.Start {
		r := models.ShareRequest{CatalogItemID: f.Item.ID, RequesterDept: f.Dept.Code, ProviderDept: f.Item.ProviderDept,
			RequestedBy: f.Caller.Subject, Purpose: f.In.Purpose, Scenario: f.In.Scenario, DataItems: f.In.DataItems, FiledAt: f.Now.UTC()}
		r.ID, r.WorkflowID, r.Jurisdiction = id, id, f.Item.Jurisdiction
		rules := p.ShareRules()
		// The item as the request was filed on it: which item, of which
		// version, shared on which terms (its other fields are in the
		// catalog's versions; issue 17: a lifecycle's history ≤ 2 KB).
		item := models.CatalogItem{ID: f.Item.ID, Jurisdiction: f.Item.Jurisdiction, ProviderDept: f.Item.ProviderDept,
			ShareType: f.Item.ShareType, ShareConditions: f.Item.ShareConditions, Version: f.Item.Version}
		return procedure.Start{Input: ShareInput{Request: r, Item: item, Rules: &rules},
			Jurisdiction: f.Item.Jurisdiction, Owner: f.Item.ProviderDept, Requester: f.Dept.Code}
	},
}
