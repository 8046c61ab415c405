package workflows

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/roles"
)

// Applicant kinds and delivery methods of an open-data application.
var (
	applicantKinds = []string{"person", "company", "organisation"}
	deliveries     = []string{"download", "api", "sandbox", "verification"}
	creditCode     = regexp.MustCompile(`^[0-9A-HJ-NPQRTUWXY]{18}$`) // 统一社会信用代码
)

// PeriodFiling is a period of use, from and to a day.
type PeriodFiling struct {
	From string `json:"from" bound:"date"`
	To   string `json:"to" bound:"date"`
}

// OpenFieldsFiling is what an applicant states, and may amend on
// resubmission (POST /api/v1/open-applications/{id}/resubmit).
type OpenFieldsFiling struct {
	Scenario       string       `json:"scenario"`
	DataScope      string       `json:"data_scope"`
	Delivery       string       `json:"delivery"`
	PeriodOfUse    PeriodFiling `json:"period_of_use"`
	SafetyMeasures string       `json:"safety_measures"`
	Capabilities   string       `json:"capabilities"`
}

// ApplicantFiling is who applies for open data.
type ApplicantFiling struct {
	Name       string `json:"name" bound:"name"`
	Kind       string `json:"kind" bound:"id"`
	CreditCode string `json:"credit_code" bound:"id"`
}

// OpenFiling is the body of an open-data application
// (POST /api/v1/open-applications): a catalog item, or (weifang) a data
// demand, and what the applicant states.
type OpenFiling struct {
	Jurisdiction  string          `json:"jurisdiction" bound:"id"`
	CatalogItemID string          `json:"catalog_item_id" bound:"id"`
	Demand        string          `json:"demand"`
	Applicant     ApplicantFiling `json:"applicant"`
	OpenFieldsFiling
}

// OpenFacts are what an open-data application's rule is checked on: the
// body, the applicant, and the item applied for (zero for a demand) with
// why it is unavailable ("" when it is available).
type OpenFacts struct {
	procedure.Filed[OpenFiling]
	Item        models.CatalogItem
	Unavailable string
}

// Check validates the stated fields against the city's rule and returns them
// as stored; the period of use ends at 24:00 Beijing time of its last day.
func (in OpenFieldsFiling) Check(rule regulations.OpenRule) (models.OpenFields, []procedure.FieldError) {
	errs := procedure.Required("scenario", in.Scenario, "data_scope", in.DataScope)
	refuse := func(field, msg string) { errs = append(errs, procedure.FieldError{Field: field, Message: msg}) }
	if !slices.Contains(deliveries, in.Delivery) {
		refuse("delivery", "must be one of "+strings.Join(deliveries, ", "))
	}
	from, errFrom := holidays.ParseDate(in.PeriodOfUse.From)
	to, errTo := holidays.ParseDate(in.PeriodOfUse.To)
	switch {
	case errFrom != nil:
		refuse("period_of_use.from", "must be a date YYYY-MM-DD")
	case errTo != nil:
		refuse("period_of_use.to", "must be a date YYYY-MM-DD")
	case to.Before(from):
		refuse("period_of_use.to", fmt.Sprintf("the period of use ends (%s) before it starts (%s)", in.PeriodOfUse.To, in.PeriodOfUse.From))
	}
	for _, f := range rule.RequiredFields {
		val := in.SafetyMeasures
		if f == regulations.OpenFieldCapabilities {
			val = in.Capabilities
		}
		if blank(val) {
			refuse(f, "is required in this city ("+rule.FieldsArticle+")")
		}
	}
	return models.OpenFields{
		Scenario: in.Scenario, DataScope: in.DataScope, Delivery: in.Delivery,
		PeriodFrom: in.PeriodOfUse.From, PeriodTo: in.PeriodOfUse.To, ExpiresAt: to.AddDate(0, 0, 1).UTC(),
		SafetyMeasures: in.SafetyMeasures, Capabilities: in.Capabilities,
	}, errs
}

// OpenProcedure is the open-data application (procedure 3).
var OpenProcedure = procedure.Filing[OpenFiling, OpenFacts]{
	Descriptor: procedure.Descriptor{
		Name: models.ProcedureOpenApplication, Prefix: "oa-", Route: "/open-applications",
		Title: "open-data application", Plural: "open-data applications", Noun: "application",
		File:     []string{roles.Applicant},
		Read:     readers(map[string]string{roles.Applicant: "applicant_subject = @subject", roles.Department: "provider_dept = @dept", roles.Infocenter: "jurisdiction = @jurisdiction"}),
		Workflow: OpenApplication, Record: func() any { return &models.OpenApplication{} },
		Order:   "filed_at DESC, id",
		Filters: []string{"status", "jurisdiction", "provider_dept", "catalog_item_id", "kind"},
		Flags:   []string{"overdue"},
	},
	Form: func(in OpenFiling) []procedure.FieldError {
		errs := procedure.Required("jurisdiction", in.Jurisdiction)
		if in.CatalogItemID != "" && in.Demand != "" {
			errs = append(errs, procedure.FieldError{Field: "demand", Message: "a demand application names no catalog_item_id; apply for a catalog item or state a demand, not both"})
		}
		return errs
	},
	Check: func(f OpenFacts, p regulations.Profile) []procedure.FieldError {
		in, item, rule := f.In, f.Item, p.OpenApplication
		var errs []procedure.FieldError
		refuse := func(field, msg string) { errs = append(errs, procedure.FieldError{Field: field, Message: msg}) }
		switch {
		case in.CatalogItemID == "" && in.Demand == "":
			msg := "is required"
			if rule.DemandApplications {
				msg += " (or state a data demand for data not on the open list in demand)"
			}
			refuse("catalog_item_id", msg)
		case in.Demand != "":
			if !rule.DemandApplications {
				refuse("demand", in.Jurisdiction+" has no data demand applications; apply for a catalog item")
			}
		case item.Jurisdiction != in.Jurisdiction:
			refuse("catalog_item_id", fmt.Sprintf("item %s is in %s's catalog, not %s's", item.ID, item.Jurisdiction, in.Jurisdiction))
		case item.OpenType == models.OpenNotOpen:
			refuse("catalog_item_id", fmt.Sprintf("item %s is not open (不予开放): %s", item.ID, item.LegalBasis))
		case f.Unavailable != "": // suspended or withdrawn after an objection
			refuse("catalog_item_id", f.Unavailable)
		}
		if blank(in.Applicant.Name) {
			refuse("applicant.name", "is required")
		}
		if !slices.Contains(applicantKinds, in.Applicant.Kind) {
			refuse("applicant.kind", "must be one of "+strings.Join(applicantKinds, ", "))
		}
		if in.Applicant.CreditCode != "" && !creditCode.MatchString(in.Applicant.CreditCode) {
			refuse("applicant.credit_code", "must be an 18-character unified social credit code (统一社会信用代码)")
		}
		_, ferrs := in.OpenFieldsFiling.Check(rule)
		return append(errs, ferrs...)
	},
	Start: func(id string, f OpenFacts, p regulations.Profile) procedure.Start {
		in, item, rule := f.In, f.Item, p.OpenApplication
		kind := models.OpenKindUse
		if in.Demand != "" {
			kind = models.OpenKindDemand
		}
		fields, _ := in.OpenFieldsFiling.Check(rule)
		a := models.OpenApplication{Kind: kind, CatalogItemID: item.ID, ProviderDept: item.ProviderDept, Demand: in.Demand,
			ApplicantSubject: f.Caller.Subject, ApplicantName: in.Applicant.Name, ApplicantKind: in.Applicant.Kind,
			CreditCode: in.Applicant.CreditCode, OpenFields: fields, FiledAt: f.Now.UTC()}
		a.ID, a.WorkflowID, a.Jurisdiction, a.Article = id, id, in.Jurisdiction, rule.Decision.Article
		if rule.Preliminary != nil {
			a.Article = rule.Preliminary.Article
		}
		return procedure.Start{Input: OpenInput{Application: a, Profile: p}, Jurisdiction: in.Jurisdiction, Owner: item.ProviderDept}
	},
}
