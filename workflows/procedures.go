package workflows

import "github.com/cityapprovals/approvals/procedure"

// Procedures is the one list of procedures: the workflows the worker
// registers, the API's routes and the records are derived from it. Adding
// a procedure adds its descriptor here (declared beside its workflow).
var Procedures = []*procedure.Descriptor{
	&TriggerProcedure.Descriptor, &ChangeProcedure.Descriptor, &ShareProcedure.Descriptor,
	&OpenProcedure.Descriptor, &ObjectionProcedure.Descriptor, &DisputeProcedure.Descriptor,
	&ClassificationProcedure.Descriptor, &AdjustmentProcedure.Descriptor,
}
