package workflows

import (
	"fmt"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/roles"
)

// ChangeFiling is a catalog change as filed (POST /api/v1/catalog/changes),
// its operations converted for the models.
type ChangeFiling struct {
	Jurisdiction string
	Reason       string
	TriggerID    string
	Operations   []models.ChangeOperation
}

// ChangeFacts are what a catalog change's rule is checked on: the filing,
// the department submitting it, the trigger it answers (nil when it names
// none or one that does not exist) and the operations as checked against
// the catalog with the items they make conditional or not shared.
type ChangeFacts struct {
	procedure.Filed[ChangeFiling]
	Dept       models.Department
	Trigger    *models.CatalogTrigger
	Checked    []models.ChangeOperation
	Restricted []string
	// OpenTypes are the current open types of the items the change
	// modifies, by ID (OpenTypeChanges).
	OpenTypes map[string]string
}

// ChangeProcedure is a department's change of its own catalog and its review
// on the city's path (procedure 1).
var ChangeProcedure = procedure.Filing[ChangeFiling, ChangeFacts]{
	Descriptor: procedure.Descriptor{
		Name: models.ProcedureCatalogChange, Prefix: "cc-", Route: "/catalog/changes",
		Title: "catalog change", Plural: "catalog procedures", Noun: "change",
		File:     []string{roles.Department},
		Read:     readers(map[string]string{roles.Department: "dept = @dept OR receiving_dept = @dept"}),
		Filer:    "dept",
		Outcomes: []string{models.ChangeApplied, models.ChangeReturned, models.ChangeWithdrawn},
		Workflow: CatalogChange, Record: func() any { return &models.CatalogChange{} },
		Order:   "submitted_at DESC, id",
		Filters: []string{"status", "jurisdiction", "dept", "trigger_id"},
		Flags:   []string{"overdue"},
	},
	Form: func(in ChangeFiling) []procedure.FieldError {
		errs := procedure.Required("jurisdiction", in.Jurisdiction, "reason", in.Reason)
		if len(in.Operations) == 0 {
			errs = append(errs, procedure.FieldError{Field: "operations", Message: "a change needs at least one operation"})
		}
		return errs
	},
	Check: func(f ChangeFacts, p regulations.Profile) []procedure.FieldError {
		var errs procedure.Errors
		refuse := errs.Refuse
		if f.In.Jurisdiction != f.Dept.Jurisdiction {
			refuse("jurisdiction", fmt.Sprintf("department %s is in %s, not %s", f.Dept.Code, f.Dept.Jurisdiction, f.In.Jurisdiction))
		}
		switch t := f.Trigger; {
		case f.In.TriggerID != "" && t == nil:
			refuse("trigger_id", fmt.Sprintf("no trigger %q", f.In.TriggerID))
		case t != nil && t.Dept != f.Dept.Code:
			refuse("trigger_id", fmt.Sprintf("trigger %s obliges %s, not %s", t.ID, t.Dept, f.Dept.Code))
		}
		errs = append(errs, OpenTypeChanges(f.In.Operations, f.OpenTypes, p)...)
		return append(errs, OperationConditions(f.In.Operations, p)...)
	},
	Start: func(id string, f ChangeFacts, p regulations.Profile) procedure.Start {
		var t models.CatalogTrigger
		if f.Trigger != nil {
			t = *f.Trigger
		}
		ch := models.CatalogChange{Dept: f.Dept.Code, SubmittedBy: ActorOf(f.Caller).String(), Reason: f.In.Reason,
			TriggerID: t.ID, ReceivingDept: t.ReceivingDept, Operations: f.Checked, Classification: f.Restricted, SubmittedAt: f.Now.UTC()}
		ch.ID, ch.WorkflowID, ch.Jurisdiction = id, id, f.Dept.Jurisdiction
		return procedure.Start{Input: CatalogChangeInput{Change: ch, TriggerWorkflowID: t.WorkflowID, Profile: p},
			Jurisdiction: f.Dept.Jurisdiction, Owner: f.Dept.Code}
	},
}

// OperationConditions refuses each added or modified item of a change whose
// share conditions name none of the kinds of the city (ShareConditions),
// or whose conditions of use the city does not allow (OpenConditions).
func OperationConditions(ops []models.ChangeOperation, p regulations.Profile) []procedure.FieldError {
	var errs []procedure.FieldError
	for i, op := range ops {
		if it := op.Item; it != nil && (op.Op == models.OpAdd || op.Op == models.OpModify) {
			if fe := ShareConditions(fmt.Sprintf("operations[%d].item.share_conditions", i), p, it.ShareType, it.ShareConditions); fe != nil {
				errs = append(errs, *fe)
			}
			errs = append(errs, OpenConditions(fmt.Sprintf("operations[%d].item.", i), p, *it)...)
		}
	}
	return errs
}

// ActorOf is a caller as workflows record them.
func ActorOf(c procedure.Caller) Actor {
	return Actor{Subject: c.Subject, Role: c.Role, Dept: c.Dept, Jurisdiction: c.Jurisdiction}
}
