package workflows

import (
	"fmt"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/roles"
)

// DataConflictFiling is the body of a data conflict (POST /api/v1/data-conflicts):
// the two catalog items, of two departments, whose data on the same subject
// disagree, and how.
type DataConflictFiling struct {
	CatalogItemID string `json:"catalog_item_id" bound:"id"`
	OtherItemID   string `json:"other_item_id" bound:"id"`
	Description   string `json:"description"`
}

// DataConflictFacts are what a data conflict's rule is checked on: the body,
// the caller and the two items.
type DataConflictFacts struct {
	procedure.Filed[DataConflictFiling]
	Item, Other models.CatalogItem
}

// DataConflictProcedure is the settling of two departments' disagreeing
// data (leshan 第十一条), filed by a department of the city or its
// authority, seen by the two departments and the filer, the city's
// authority, auditors and admins.
var DataConflictProcedure = procedure.Filing[DataConflictFiling, DataConflictFacts]{
	Descriptor: procedure.Descriptor{
		Name: models.ProcedureDataConflict, Prefix: "dc-", Route: "/data-conflicts",
		Title: "data conflict", Plural: "data conflicts", Noun: "data conflict",
		File:     []string{roles.Department, roles.Authority},
		Read:     readers(map[string]string{roles.Department: "provider_dept = @dept OR other_dept = @dept OR filer_dept = @dept"}),
		Filer:    "filer_dept",
		Outcomes: []string{models.ConflictAgreed, models.ConflictCoordinated},
		Workflow: DataConflict, Record: func() any { return &models.DataConflict{} },
		Order:   "filed_at DESC, id",
		Filters: []string{"status", "jurisdiction", "catalog_item_id", "other_item_id", "provider_dept", "other_dept"},
		Flags:   []string{"overdue"},
	},
	Form: func(in DataConflictFiling) []procedure.FieldError {
		errs := procedure.Required("catalog_item_id", in.CatalogItemID, "other_item_id", in.OtherItemID, "description", in.Description)
		if in.CatalogItemID != "" && in.CatalogItemID == in.OtherItemID {
			errs = append(errs, procedure.FieldError{Field: "other_item_id", Message: "must be another item than catalog_item_id"})
		}
		return errs
	},
	Check: func(f DataConflictFacts, p regulations.Profile) []procedure.FieldError {
		var errs procedure.Errors
		refuse := errs.Refuse
		if p.DataConflict == nil {
			refuse("jurisdiction", p.Document+" has no procedure for disagreeing data of two departments (leshan 第十一条 has; this text has no such procedure)")
		}
		it, ot, cl := f.Item, f.Other, f.Caller
		switch {
		case ot.Jurisdiction != it.Jurisdiction:
			refuse("other_item_id", fmt.Sprintf("item %s is in %s's catalog, item %s in %s's", ot.ID, ot.Jurisdiction, it.ID, it.Jurisdiction))
		case ot.ProviderDept == it.ProviderDept:
			refuse("other_item_id", fmt.Sprintf("items %s and %s are both %s's: a department corrects its own data by a catalog change", it.ID, ot.ID, it.ProviderDept))
		}
		if cl.Jurisdiction != "" && cl.Jurisdiction != it.Jurisdiction {
			refuse("catalog_item_id", fmt.Sprintf("item %s is in %s's catalog, not %s's", it.ID, it.Jurisdiction, cl.Jurisdiction))
		}
		return errs
	},
	Start: func(id string, f DataConflictFacts, p regulations.Profile) procedure.Start {
		it, ot, cl := f.Item, f.Other, f.Caller
		c := models.DataConflict{CatalogItemID: it.ID, OtherItemID: ot.ID, ProviderDept: it.ProviderDept, OtherDept: ot.ProviderDept,
			FiledBy: cl.Role + ":" + cl.Subject, FilerDept: cl.Dept, Description: f.In.Description, FiledAt: f.Now.UTC()}
		if cl.Dept != "" {
			c.FiledBy = cl.Subject + "@" + cl.Dept
		}
		c.ID, c.WorkflowID, c.Jurisdiction = id, id, it.Jurisdiction
		return procedure.Start{Input: DataConflictInput{Conflict: c, Profile: p}, Jurisdiction: it.Jurisdiction, Owner: it.ProviderDept, Requester: ot.ProviderDept}
	},
}
