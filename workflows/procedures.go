package workflows

import (
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/roles"
)

// Procedures is the one list of procedures: the workflows the worker
// registers, the API's routes and the records are derived from it. Adding
// a procedure adds its descriptor here (declared beside its workflow).
var Procedures = []*procedure.Descriptor{
	&TriggerProcedure.Descriptor, &ChangeProcedure.Descriptor, &ShareProcedure.Descriptor,
	&OpenProcedure.Descriptor, &ObjectionProcedure.Descriptor, &DisputeProcedure.Descriptor,
	&ClassificationProcedure.Descriptor, &AdjustmentProcedure.Descriptor,
	&OpeningReviewProcedure.Descriptor, &OpenConversionProcedure.Descriptor,
}

// readers is who may read a procedure (a Descriptor's Read): auditors and
// admins all of it, the city's authority its city's, and the readers more
// adds.
func readers(more map[string]string) map[string]string {
	r := map[string]string{roles.Auditor: "", roles.Admin: "", roles.Authority: "jurisdiction = @jurisdiction"}
	for role, where := range more {
		r[role] = where
	}
	return r
}
