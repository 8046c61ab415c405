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

// ObjectionFiling is the body of an objection (POST /api/v1/objections).
type ObjectionFiling struct {
	Jurisdiction  string   `json:"jurisdiction" bound:"id"`
	CatalogItemID string   `json:"catalog_item_id" bound:"id"`
	Kind          string   `json:"kind" bound:"id"`
	Description   string   `json:"description"`
	Evidence      []string `json:"evidence" bound:"id,max=20"`
}

// ObjectionFacts are what an objection's rule is checked on: the body, the
// objector, the procedure's ID, the item and its availability state, and
// the evidence files the body names (Evidence[i] for Filed.Evidence[i],
// nil where there is no such file).
type ObjectionFacts struct {
	procedure.Filed[ObjectionFiling]
	ID           string
	Item         models.CatalogItem
	Availability string
	Evidence     []*models.Evidence
	// OpenGrant is whether the objector holds or held a grant of open data
	// on the item (an open-data doubt about conditionally open data).
	OpenGrant bool
}

// ObjectionEvidence is the evidence an objection names, sorted, each once.
func ObjectionEvidence(in ObjectionFiling) []string {
	return slices.Compact(slices.Sorted(slices.Values(in.Evidence)))
}

// ObjectionProcedure is the objection to catalog data (procedure 4), seen
// by the objector, the provider, the city's authority, auditors and admins.
var ObjectionProcedure = procedure.Filing[ObjectionFiling, ObjectionFacts]{
	Descriptor: procedure.Descriptor{
		Name: models.ProcedureObjection, Prefix: "ob-", Route: "/objections",
		Title: "objection", Plural: "objections", Noun: "objection",
		File: []string{roles.Applicant, roles.Department},
		Read: readers(map[string]string{roles.Department: "(objector_role = @role AND objector_dept = @dept) OR provider_dept = @dept",
			roles.Applicant: "objector_role = @role AND objected_by = @subject"}),
		Workflow: Objection, Record: func() any { return &models.Objection{} },
		Order:   "filed_at DESC, id",
		Filters: []string{"status", "jurisdiction", "catalog_item_id", "kind", "outcome"},
		Flags:   []string{"overdue"},
	},
	Form: func(in ObjectionFiling) []procedure.FieldError {
		errs := procedure.Required("catalog_item_id", in.CatalogItemID, "kind", in.Kind, "description", in.Description)
		if in.Kind != "" {
			errs = append(errs, procedure.OneOf("kind", in.Kind, regulations.ObjectionKinds...)...)
		}
		return errs
	},
	Check: func(f ObjectionFacts, p regulations.Profile) []procedure.FieldError {
		in, item, cl := f.In, f.Item, f.Caller
		var errs procedure.Errors
		refuse := errs.Refuse
		if in.Jurisdiction != "" && in.Jurisdiction != item.Jurisdiction {
			refuse("jurisdiction", fmt.Sprintf("item %s is in %s's catalog, not %s's", item.ID, item.Jurisdiction, in.Jurisdiction))
		}
		switch {
		case cl.Role == roles.Department && cl.Dept == item.ProviderDept:
			refuse("catalog_item_id", "a department corrects its own data by a catalog change, not by an objection")
		case cl.Role != roles.Department && in.Kind == regulations.ObjectionSharedDataDoubt:
			refuse("kind", "only a department doubts shared data")
		case in.Kind == regulations.ObjectionOpenDataDoubt && cl.Role != roles.Applicant:
			refuse("kind", "only an applicant (a user of open data) doubts open data; a department doubts shared data (shared_data_doubt)")
		case in.Kind == regulations.ObjectionOpenDataDoubt && item.OpenType == models.OpenNotOpen:
			refuse("catalog_item_id", fmt.Sprintf("item %s is not open: there is no open data to doubt", item.ID))
		case in.Kind == regulations.ObjectionOpenDataDoubt && item.OpenType == models.OpenConditional && !f.OpenGrant:
			refuse("catalog_item_id", fmt.Sprintf("item %s is open on conditions and you hold no grant on it: a doubt is about data obtained by opening (开放获取)", item.ID))
		}
		if route, ok := p.Objection.Route(in.Kind); !ok {
			refuse("kind", fmt.Sprintf("%s handles objections of kind %s (%s)", p.Document,
				strings.Join(p.Objection.AcceptedKinds(), ", "), p.Objection.Handling.Article))
		} else if route.EvidenceRequired && len(in.Evidence) == 0 {
			refuse("evidence", "a "+in.Kind+" needs evidence ("+route.Handling.Article+"): upload it to /api/v1/evidence first")
		}
		if f.Availability == models.AvailabilityWithdrawn {
			refuse("catalog_item_id", fmt.Sprintf("item %s is withdrawn (撤回) already", item.ID))
		}
		for i, id := range ObjectionEvidence(in) {
			field := fmt.Sprintf("evidence[%d]", i)
			switch ev := f.Evidence[i]; {
			case ev == nil:
				refuse(field, fmt.Sprintf("no evidence %q", id))
			case !ev.UploadedByCaller(cl.Role, cl.Subject, cl.Dept):
				refuse(field, fmt.Sprintf("evidence %s was uploaded by someone else", id))
			case ev.ObjectionID != "" && ev.ObjectionID != f.ID:
				refuse(field, fmt.Sprintf("evidence %s supports objection %s already", id, ev.ObjectionID))
			}
		}
		return errs
	},
	Start: func(id string, f ObjectionFacts, p regulations.Profile) procedure.Start {
		in, item, cl := f.In, f.Item, f.Caller
		o := models.Objection{CatalogItemID: item.ID, ItemVersion: item.Version, ProviderDept: item.ProviderDept, Kind: in.Kind,
			Description: in.Description, Evidence: ObjectionEvidence(in), ObjectorRole: cl.Role, ObjectorDept: cl.Dept, ObjectedBy: cl.Subject, FiledAt: f.Now.UTC()}
		if cl.Dept != "" {
			o.ObjectedBy = cl.Subject + "@" + cl.Dept
		}
		o.ID, o.WorkflowID, o.Jurisdiction = id, id, item.Jurisdiction
		return procedure.Start{Input: ObjectionInput{Objection: o, Item: item, Profile: p}, Jurisdiction: item.Jurisdiction, Owner: item.ProviderDept}
	},
}
