package workflows

import (
	"fmt"
	"strings"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/roles"
)

// DisputeFiling is the body of a dispute
// (POST /api/v1/share-requests/{id}/disputes).
type DisputeFiling struct {
	Reason string `json:"reason"`
}

// DisputeFacts are what a dispute's rule is checked on: the body, the
// requesting department disputing and the share request it disputes, or,
// for not-shared data needed for the department's duties (weifang 第二十条,
// POST /api/v1/catalog/items/{id}/disputes), the catalog item (Item set,
// Request empty).
type DisputeFacts struct {
	procedure.Filed[DisputeFiling]
	Request models.ShareRequest
	Item    *models.CatalogItem
}

// DisputeProcedure is the dispute over a refused share request, up the
// city's escalation chain; one per request ("dp-" and the request's ID).
var DisputeProcedure = procedure.Filing[DisputeFiling, DisputeFacts]{
	Descriptor: procedure.Descriptor{
		Name: models.ProcedureDispute, Prefix: "dp-", Route: "/disputes", FileRoute: "/share-requests/:id/disputes",
		Title: "dispute", Plural: "disputes", Noun: "dispute",
		File:     []string{roles.Department},
		Read:     readers(map[string]string{roles.Government: "jurisdiction = @jurisdiction", roles.Department: "requester_dept = @dept OR provider_dept = @dept"}),
		Filer:    "requester_dept",
		Outcomes: []string{models.DisputeUpheld, models.DisputeOverturned},
		Workflow: Dispute, Record: func() any { return &models.Dispute{} },
		Order:   "filed_at DESC, id",
		Filters: []string{"status", "jurisdiction", "subject", "subject_id", "requester_dept", "provider_dept"},
		Flags:   []string{"overdue"},
	},
	Form: func(in DisputeFiling) []procedure.FieldError {
		if blank(in.Reason) {
			return []procedure.FieldError{{Field: "reason", Message: "is required: why the refusal should be overturned (or, for not-shared data, the duty it is needed for)"}}
		}
		return nil
	},
	Check: func(f DisputeFacts, p regulations.Profile) []procedure.FieldError {
		if f.Item != nil {
			return checkNotSharedDispute(f, p)
		}
		var errs []procedure.FieldError
		if r := f.Request; r.Status != models.StatusRejected {
			errs = append(errs, procedure.FieldError{Field: "id", Message: fmt.Sprintf("share request %s is %s; only a refused request can be disputed", r.ID, r.Status)})
		}
		if len(p.Dispute) == 0 {
			errs = append(errs, procedure.FieldError{Field: "jurisdiction", Message: p.Document + " names no dispute path"})
		}
		return errs
	},
	Start: func(id string, f DisputeFacts, p regulations.Profile) procedure.Start {
		if it := f.Item; it != nil {
			d := models.Dispute{Subject: models.DisputeOfCatalogItem, SubjectID: it.ID, RequesterDept: f.Caller.Dept, ProviderDept: it.ProviderDept,
				FiledBy: f.Caller.Subject + "@" + f.Caller.Dept, Reason: f.In.Reason, FiledAt: f.Now.UTC()}
			d.ID, d.WorkflowID, d.Jurisdiction = id, id, it.Jurisdiction
			return procedure.Start{Input: DisputeInput{Dispute: d, Profile: p}, Jurisdiction: it.Jurisdiction, Owner: it.ProviderDept, Requester: f.Caller.Dept}
		}
		r := f.Request
		d := models.Dispute{Subject: models.DisputeOfShareRequest, SubjectID: r.ID, RequesterDept: r.RequesterDept, ProviderDept: r.ProviderDept,
			FiledBy: f.Caller.Subject + "@" + f.Caller.Dept, Reason: f.In.Reason, FiledAt: f.Now.UTC()}
		d.ID, d.WorkflowID, d.Jurisdiction = id, id, r.Jurisdiction
		return procedure.Start{Input: DisputeInput{Dispute: d, Profile: p}, Jurisdiction: r.Jurisdiction, Owner: r.ProviderDept, Requester: r.RequesterDept}
	},
}

// DisputeDecided is when the refusal a dispute is over was decided: a
// dispute continues under the text in force then, even after it lapses
// (running procedures finish under their rules); now if it is not known.
func DisputeDecided(r models.ShareRequest, now time.Time) time.Time {
	if r.DecidedAt != nil {
		return *r.DecidedAt
	}
	return now
}

// blank tells whether s holds nothing but white space.
func blank(s string) bool { return strings.TrimSpace(s) == "" }

// checkNotSharedDispute is the rule of a dispute over not-shared data a
// department needs for its duties: only where the text opens the chain to
// it (weifang 第二十条), only for data the catalog lists as not shared
// (conditional data is requested, and its refusal disputed), only another
// department of the item's city.
func checkNotSharedDispute(f DisputeFacts, p regulations.Profile) []procedure.FieldError {
	it, cl := f.Item, f.Caller
	var errs procedure.Errors
	refuse := errs.Refuse
	if p.NotSharedDispute == nil || len(p.Dispute) == 0 {
		refuse("jurisdiction", p.Document+" provides no dispute over not-shared data (weifang 第二十条 does; this text has no such procedure)")
	}
	switch {
	case it.ShareType != models.ShareNotShared:
		refuse("id", fmt.Sprintf("item %s is %s, not not_shared: request it, and dispute a refusal of the request", it.ID, it.ShareType))
	case cl.Dept == it.ProviderDept:
		refuse("id", fmt.Sprintf("item %s is the department's own data", it.ID))
	}
	if cl.Jurisdiction != "" && cl.Jurisdiction != it.Jurisdiction {
		refuse("id", fmt.Sprintf("item %s is in %s's catalog, not %s's", it.ID, it.Jurisdiction, cl.Jurisdiction))
	}
	return errs
}
