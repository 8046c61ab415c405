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
	&OpenProcedure.Descriptor, &ObjectionProcedure.Descriptor, &DisputeProcedure.Descriptor,
	&ClassificationProcedure.Descriptor, &AdjustmentProcedure.Descriptor,
	&PurchaseProcedure.Descriptor, &ApprovalProcedure.Descriptor,
	&DataConflictProcedure.Descriptor, &YearlyListProcedure.Descriptor,
	&OpeningReviewProcedure.Descriptor, &OpenConversionProcedure.Descriptor,
}

// Records gives each procedure's record model by its name (a Descriptor's
// Record), for the activities that write the record's header.
func Records() map[string]func() any {
	r := make(map[string]func() any, len(Procedures))
	for _, d := range Procedures {
		r[d.Name] = d.Record
	}
	return r
}

// Filers are where each procedure's record names the department that filed
// it (a Descriptor's Filer), by the procedure's ID prefix, with the event
// kinds that end it (its Outcomes), for the notification of its outcome.
func Filers() []models.Filer {
	var f []models.Filer
	for _, d := range Procedures {
		if d.Filer != "" {
			f = append(f, models.Filer{Prefix: d.Prefix, Model: d.Record, Column: d.Filer, Outcomes: d.Outcomes})
		}
	}
	return f
}

func init() { models.SetFilers(Filers()) }

// RecordModels are the models of every procedure's record, for
// models.Migrate beside the tables that are no procedure's record.
func RecordModels() []any {
	m := make([]any, len(Procedures))
	for i, d := range Procedures {
		m[i] = d.Record()
	}
	return m
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
