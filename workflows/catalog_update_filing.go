package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/roles"
)

// TriggerFiling is the body of an update trigger
// (POST /api/v1/catalog/triggers).
type TriggerFiling struct {
	Dept          string `json:"dept" bound:"id"`
	Jurisdiction  string `json:"jurisdiction" bound:"id"`
	Kind          string `json:"kind" bound:"id"`
	EffectiveDate string `json:"effective_date" bound:"date"`
	Description   string `json:"description"`
	ReceivingDept string `json:"receiving_dept" bound:"id"`
}

// TriggerFacts are what a trigger's rule is checked on: the body, who
// records it, the department it obliges and whether the receiving
// department is registered in the city ("" when it is, or none is named;
// else why not).
type TriggerFacts struct {
	procedure.Filed[TriggerFiling]
	Dept      models.Department
	Receiving string
}

// MaxTriggerLead is how far ahead a trigger's effective_date may be: a change
// takes effect within a year of being recorded.
const MaxTriggerLead = 366 * 24 * time.Hour

// TriggerProcedure is the obligation to update a catalog after a change in
// law, duties or systems (procedure 1), recorded by the department or by its
// city's authority.
var TriggerProcedure = procedure.Filing[TriggerFiling, TriggerFacts]{
	Descriptor: procedure.Descriptor{
		Name: models.ProcedureCatalogUpdate, Prefix: "ct-", Route: "/catalog/triggers",
		Title: "trigger", Plural: "catalog procedures", Noun: "trigger",
		File:     []string{roles.Department, roles.Authority},
		Read:     readers(map[string]string{roles.Department: "dept = @dept"}),
		Workflow: CatalogUpdate, Record: func() any { return &models.CatalogTrigger{} },
		Order:   "created_at DESC, id",
		Filters: []string{"status", "jurisdiction", "dept", "kind"},
		Flags:   []string{"overdue"},
	},
	Form: func(in TriggerFiling) []procedure.FieldError {
		errs := procedure.Required("dept", in.Dept, "jurisdiction", in.Jurisdiction, "description", in.Description)
		kinds := []string{models.TriggerLawRevision, models.TriggerDutyChange, models.TriggerSystemChange}
		errs = append(errs, procedure.OneOf("kind", in.Kind, kinds...)...)
		if _, err := holidays.ParseDate(in.EffectiveDate); err != nil {
			errs = append(errs, procedure.FieldError{Field: "effective_date", Message: "must be a date YYYY-MM-DD"})
		}
		return errs
	},
	Check: func(f TriggerFacts, p regulations.Profile) []procedure.FieldError {
		in, rule := f.In, p.CatalogChange
		var errs procedure.Errors
		refuse := errs.Refuse
		if !slices.Contains(rule.TriggerKinds, in.Kind) {
			refuse("kind", fmt.Sprintf("%s starts the update clock only on %s, not on %s (%s)",
				p.Document, strings.Join(rule.TriggerKinds, ", "), in.Kind, rule.Update.Article))
		}
		from, _ := holidays.ParseDate(in.EffectiveDate)
		if latest := f.Now.Add(MaxTriggerLead); from.After(latest) {
			refuse("effective_date", "must be at most one year ahead ("+latest.In(holidays.Shanghai).Format(time.DateOnly)+")")
		}
		if start, err := holidays.ParseDate(p.ValidFrom); p.ValidFrom != "" && err == nil && from.Before(start) {
			refuse("effective_date", fmt.Sprintf("is before %s, when %s came into force", p.ValidFrom, p.Document))
		}
		switch {
		case in.ReceivingDept == in.Dept && in.ReceivingDept != "":
			refuse("receiving_dept", "is the department itself")
		case f.Receiving != "":
			refuse("receiving_dept", f.Receiving)
		case in.ReceivingDept == "" && rule.Path == regulations.PathJointSubmission && in.Kind == models.TriggerDutyChange:
			refuse("receiving_dept", "a change of duties is submitted together with the department taking them over ("+rule.Update.Article+")")
		}
		return errs
	},
	Start: func(id string, f TriggerFacts, p regulations.Profile) procedure.Start {
		in := f.In
		from, _ := holidays.ParseDate(in.EffectiveDate)
		t := models.CatalogTrigger{Dept: f.Dept.Code, Kind: in.Kind, EffectiveDate: in.EffectiveDate, Description: in.Description,
			ReceivingDept: in.ReceivingDept, RecordedBy: ActorOf(f.Caller).String(), CreatedAt: f.Now.UTC()}
		t.ID, t.WorkflowID, t.Jurisdiction = id, id, in.Jurisdiction
		return procedure.Start{Input: CatalogUpdateInput{Trigger: t, From: from, Profile: p}, Jurisdiction: in.Jurisdiction, Owner: f.Dept.Code}
	},
}
