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
// requesting department disputing and the share request it disputes.
type DisputeFacts struct {
	procedure.Filed[DisputeFiling]
	Request models.ShareRequest
}

// DisputeProcedure is the dispute over a refused share request, up the
// city's escalation chain; one per request ("dp-" and the request's ID).
var DisputeProcedure = procedure.Filing[DisputeFiling, DisputeFacts]{
	Descriptor: procedure.Descriptor{
		Name: models.ProcedureDispute, Prefix: "dp-", Route: "/disputes", FileRoute: "/share-requests/:id/disputes",
		Title: "dispute", Plural: "disputes", Noun: "dispute",
		File:     []string{roles.Department},
		Read:     readers(map[string]string{roles.Government: "jurisdiction = @jurisdiction", roles.Department: "requester_dept = @dept OR provider_dept = @dept"}),
		Workflow: Dispute, Record: func() any { return &models.Dispute{} },
		Order:   "filed_at DESC, id",
		Filters: []string{"status", "jurisdiction", "subject", "subject_id", "requester_dept", "provider_dept"},
	},
	Form: func(in DisputeFiling) []procedure.FieldError {
		if blank(in.Reason) {
			return []procedure.FieldError{{Field: "reason", Message: "is required: why the refusal should be overturned"}}
		}
		return nil
	},
	Check: func(f DisputeFacts, p regulations.Profile) []procedure.FieldError {
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
