package workflows

import (
	"fmt"
	"maps"
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
	Jurisdiction  string `json:"jurisdiction" bound:"id"`
	CatalogItemID string `json:"catalog_item_id" bound:"id"`
	Demand        string `json:"demand"`
	// ProviderDept is, for a data demand, the department addressed: the one
	// holding the data, which handles the demand (weifang 第二十五条,
	// changsha 第十二条).
	ProviderDept string          `json:"provider_dept" bound:"id"`
	Applicant    ApplicantFiling `json:"applicant"`
	// ConditionsMet states, for each kind of condition the item sets, how
	// the applicant meets it (leshan 第二十五条第二款, xiamen 第二十四条).
	ConditionsMet map[string]string `json:"conditions_met,omitempty"`
	OpenFieldsFiling
}

// OpenFacts are what an open-data application's rule is checked on: the
// body, the applicant, and the item applied for (zero for a demand) with
// why it is unavailable ("" when it is available).
type OpenFacts struct {
	procedure.Filed[OpenFiling]
	Item        models.CatalogItem
	Unavailable string
	// DemandDept is the department a demand addresses; nil when there is no
	// such department (or no demand).
	DemandDept *models.Department
}

// Check validates the stated fields against the city's rule and returns them
// as stored; the period of use ends at 24:00 Beijing time of its last day.
func (in OpenFieldsFiling) Check(rule regulations.OpenRule) (models.OpenFields, []procedure.FieldError) {
	errs := procedure.Errors(procedure.Required("scenario", in.Scenario, "data_scope", in.DataScope))
	refuse := errs.Refuse
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
		var errs procedure.Errors
		refuse := errs.Refuse
		switch {
		case in.CatalogItemID == "" && in.Demand == "":
			msg := "is required"
			if rule.DemandApplications {
				msg += " (or state a data demand for data not on the open list in demand)"
			}
			refuse("catalog_item_id", msg)
		case in.Demand != "":
			d := p.OpenDemand
			switch {
			case !rule.DemandApplications || d == nil:
				refuse("demand", in.Jurisdiction+" has no data demand applications; apply for a catalog item")
			case d.Decider != regulations.RoleProvider:
			case in.ProviderDept == "":
				refuse("provider_dept", "is required: the department holding the data handles the demand ("+d.Decision.Article+")")
			case f.DemandDept == nil || f.DemandDept.Jurisdiction != in.Jurisdiction:
				refuse("provider_dept", fmt.Sprintf("no department %s in %s", in.ProviderDept, in.Jurisdiction))
			}
		case in.ProviderDept != "":
			refuse("provider_dept", "only a data demand names the department; a catalog item names its provider")
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
		if in.Demand == "" {
			_, cerrs := conditionsMet(in.ConditionsMet, item, p)
			errs = append(errs, cerrs...)
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
		met, _ := conditionsMet(in.ConditionsMet, item, p)
		owner, article := item.ProviderDept, rule.Decision.Article
		if kind == models.OpenKindDemand && p.OpenDemand != nil {
			owner, article = in.ProviderDept, p.OpenDemand.Decision.Article
		}
		a := models.OpenApplication{ConditionsMet: met, Kind: kind, CatalogItemID: item.ID, ProviderDept: owner, Demand: in.Demand,
			ApplicantSubject: f.Caller.Subject, ApplicantName: in.Applicant.Name, ApplicantKind: in.Applicant.Kind,
			CreditCode: in.Applicant.CreditCode, OpenFields: fields, FiledAt: f.Now.UTC()}
		a.ID, a.WorkflowID, a.Jurisdiction, a.Article = id, id, in.Jurisdiction, article
		if rule.Preliminary != nil {
			a.Article = rule.Preliminary.Article
		}
		return procedure.Start{Input: OpenInput{Application: a, Profile: p}, Jurisdiction: in.Jurisdiction, Owner: owner}
	},
}

// OpenConditions refuses the conditions of use an item sets that its city's
// text does not allow (leshan 第二十六条: no discriminatory conditions, only
// those of 第二十五条第二款; xiamen 第二十四条), each error naming
// prefix+"open_conditions[i]…"; only a conditionally open item sets any, and
// a city whose profile lists none takes none.
func OpenConditions(prefix string, p regulations.Profile, item models.CatalogItem) []procedure.FieldError {
	var errs []procedure.FieldError
	rule := p.OpenConditions
	seen := map[string]bool{}
	for i, c := range item.OpenConditions {
		field := fmt.Sprintf("%sopen_conditions[%d]", prefix, i)
		switch _, ok := rule.Kind(c.Kind); {
		case item.OpenType != models.OpenConditional:
			errs = append(errs, procedure.FieldError{Field: field, Message: "only conditionally open data (open_type conditional) sets conditions of use"})
		case rule == nil:
			errs = append(errs, procedure.FieldError{Field: field + ".kind", Message: fmt.Sprintf("%s's text lists no conditions of use a department may set on open data", p.City)})
		case !ok:
			errs = append(errs, procedure.FieldError{Field: field + ".kind", Message: fmt.Sprintf("%q is not a condition %s allows (%s; %s)", c.Kind, rule.Article, strings.Join(conditionKeys(rule), ", "), rule.Note)})
		case seen[c.Kind]:
			errs = append(errs, procedure.FieldError{Field: field + ".kind", Message: fmt.Sprintf("condition %s is set twice", c.Kind)})
		case blank(c.Requirement):
			errs = append(errs, procedure.FieldError{Field: field + ".requirement", Message: "is required: what the condition asks of the applicant"})
		}
		seen[c.Kind] = true
	}
	return errs
}

func conditionKeys(r *regulations.OpenConditionsRule) []string {
	keys := make([]string, len(r.Kinds))
	for i, c := range r.Kinds {
		keys[i] = c.Key
	}
	return keys
}

// conditionsMet pairs each condition the item sets with the applicant's
// statement of how it meets it; a condition without a statement, or a
// statement for a condition the item does not set, is refused naming
// conditions_met.<kind>.
func conditionsMet(stated map[string]string, item models.CatalogItem, p regulations.Profile) ([]models.ConditionMet, []procedure.FieldError) {
	var met []models.ConditionMet
	var errs []procedure.FieldError
	article := ""
	if p.OpenConditions != nil {
		article = " (" + p.OpenConditions.Article + ")"
	}
	set := map[string]bool{}
	for _, c := range item.OpenConditions {
		set[c.Kind] = true
		st := stated[c.Kind]
		if blank(st) {
			errs = append(errs, procedure.FieldError{Field: "conditions_met." + c.Kind, Message: fmt.Sprintf("item %s sets this condition: %s; state how the applicant meets it%s", item.ID, c.Requirement, article)})
			continue
		}
		met = append(met, models.ConditionMet{OpenCondition: c, Statement: st})
	}
	for _, k := range slices.Sorted(maps.Keys(stated)) {
		if !set[k] {
			errs = append(errs, procedure.FieldError{Field: "conditions_met." + k, Message: fmt.Sprintf("item %s sets no condition %q", item.ID, k)})
		}
	}
	return met, errs
}
