package workflows

import (
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/roles"
)

// Procedures is the one list of procedures: the workflows the worker
// registers, the API's routes and the records are derived from it. Adding
// a procedure adds its descriptor here (declared beside its workflow).
var Procedures = []*procedure.Descriptor{
	&TriggerProcedure.Descriptor, &ChangeProcedure.Descriptor, &ShareProcedure.Descriptor,
	&OpenProcedure, &ObjectionProcedure, &DisputeProcedure,
	&ClassificationProcedure.Descriptor, &AdjustmentProcedure.Descriptor,
}

// OpenProcedure is the open-data application (procedure 3). Its filing
// rules are still in api/open.go.
var OpenProcedure = procedure.Descriptor{
	Name: models.ProcedureOpenApplication, Prefix: "oa-", Route: "/open-applications",
	Title: "open-data application", Plural: "open-data applications", Noun: "application",
	File: []string{roles.Applicant},
	Read: map[string]string{roles.Auditor: "", roles.Admin: "", roles.Applicant: "applicant_subject = @subject",
		roles.Department: "provider_dept = @dept", roles.Authority: "jurisdiction = @jurisdiction", roles.Infocenter: "jurisdiction = @jurisdiction"},
	Workflow: OpenApplication, Record: func() any { return &models.OpenApplication{} },
	Order:   "filed_at DESC, id",
	Filters: []string{"status", "jurisdiction", "provider_dept", "catalog_item_id", "kind"},
	Flags:   []string{"overdue"},
}

// ObjectionProcedure is the objection to catalog data (procedure 4), seen
// by the objector, the provider, the city's authority, auditors and admins.
// Its filing rules are still in api/objection.go.
var ObjectionProcedure = procedure.Descriptor{
	Name: models.ProcedureObjection, Prefix: "ob-", Route: "/objections",
	Title: "objection", Plural: "objections", Noun: "objection",
	File: []string{roles.Applicant, roles.Department},
	Read: map[string]string{roles.Auditor: "", roles.Admin: "", roles.Authority: "jurisdiction = @jurisdiction",
		roles.Department: "(objector_role = @role AND objector_dept = @dept) OR provider_dept = @dept",
		roles.Applicant:  "objector_role = @role AND objected_by = @subject"},
	Workflow: Objection, Record: func() any { return &models.Objection{} },
	Order:   "filed_at DESC, id",
	Filters: []string{"status", "jurisdiction", "catalog_item_id", "kind", "outcome"},
	Flags:   []string{"overdue"},
}

// DisputeProcedure is the dispute over a refused share request, up the
// city's escalation chain; one per request ("dp-" and the request's ID).
// Its filing rules are still in api/dispute.go.
var DisputeProcedure = procedure.Descriptor{
	Name: models.ProcedureDispute, Prefix: "dp-", Route: "/disputes", FileRoute: "/share-requests/:id/disputes",
	Title: "dispute", Plural: "disputes", Noun: "dispute",
	File: []string{roles.Department},
	Read: map[string]string{roles.Auditor: "", roles.Admin: "", roles.Authority: "jurisdiction = @jurisdiction",
		roles.Government: "jurisdiction = @jurisdiction", roles.Department: "requester_dept = @dept OR provider_dept = @dept"},
	Workflow: Dispute, Record: func() any { return &models.Dispute{} },
	Order:   "filed_at DESC, id",
	Filters: []string{"status", "jurisdiction", "subject", "subject_id", "requester_dept", "provider_dept"},
}
