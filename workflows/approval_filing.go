package workflows

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/roles"
)

// ApprovalFiling is the body of an authority approval
// (POST /api/v1/authority-approvals).
type ApprovalFiling struct {
	Kind            string   `json:"kind" bound:"id"`
	Title           string   `json:"title"`
	Description     string   `json:"description"`
	Recipient       string   `json:"recipient"`
	Plan            string   `json:"plan"`
	LegalBasis      string   `json:"legal_basis"`
	EntryConditions []string `json:"entry_conditions"`
}

// ApprovalFacts are what an authority approval's rule is checked on: the
// body and the department applying.
type ApprovalFacts struct {
	procedure.Filed[ApprovalFiling]
	Dept models.Department
}

// approvalArticles names, for a refusal where the city has no such kind,
// the texts that provide it.
var approvalArticles = map[string]string{
	regulations.ApprovalOffPlatform:         "changsha 第二十二条",
	regulations.ApprovalAuthorisedOperation: "leshan 第三十条",
	regulations.ApprovalNonAggregable:       "xiamen 第七条",
}

// ApprovalProcedure is what a department may do only with the authority's
// (and, in leshan, the city government's) approval: one procedure whose
// kinds and steps are the cities' rules (regulations.ApprovalRule).
var ApprovalProcedure = procedure.Filing[ApprovalFiling, ApprovalFacts]{
	Descriptor: procedure.Descriptor{
		Name: models.ProcedureAuthorityApproval, Prefix: "aa-", Route: "/authority-approvals",
		Title: "authority approval", Plural: "authority approvals", Noun: "approval",
		File:     []string{roles.Department},
		Read:     readers(map[string]string{roles.Government: "jurisdiction = @jurisdiction", roles.Department: "dept = @dept"}),
		Filer:    "dept",
		Outcomes: []string{models.ApprovalApproved, models.ApprovalRefused},
		Workflow: AuthorityApproval, Record: func() any { return &models.AuthorityApproval{} },
		Order:   "submitted_at DESC, id",
		Filters: []string{"status", "jurisdiction", "dept", "kind"},
		Flags:   []string{"overdue"},
	},
	Form: func(in ApprovalFiling) []procedure.FieldError {
		errs := procedure.OneOf("kind", in.Kind, regulations.ApprovalKinds...)
		return append(errs, procedure.Required("title", in.Title, "description", in.Description)...)
	},
	Check: func(f ApprovalFacts, p regulations.Profile) []procedure.FieldError {
		in := f.In
		r, ok := p.Approvals[in.Kind]
		if !ok {
			return []procedure.FieldError{{Field: "jurisdiction", Message: fmt.Sprintf("%s has no procedure for %s: only %s provides one", p.Document, in.Kind, approvalArticles[in.Kind])}}
		}
		var errs []procedure.FieldError
		given := map[string]string{"recipient": in.Recipient, "plan": in.Plan, "legal_basis": in.LegalBasis}
		for _, field := range r.Required {
			if strings.TrimSpace(given[field]) == "" {
				errs = append(errs, procedure.FieldError{Field: field, Message: "is required for " + in.Kind + " (" + r.Article + ")"})
			}
		}
		var missing []string
		for _, c := range r.EntryConditions {
			if !slices.Contains(in.EntryConditions, c.Key) {
				missing = append(missing, c.Key+" ("+c.Text+")")
			}
		}
		for _, k := range in.EntryConditions {
			if !slices.ContainsFunc(r.EntryConditions, func(c regulations.Clause) bool { return c.Key == k }) {
				errs = append(errs, procedure.FieldError{Field: "entry_conditions", Message: fmt.Sprintf("%q is no entry condition of %s", k, in.Kind)})
			}
		}
		if len(missing) > 0 {
			errs = append(errs, procedure.FieldError{Field: "entry_conditions", Message: fmt.Sprintf("%s requires the entry conditions %s", r.EntryArticle, strings.Join(missing, "; "))})
		}
		return errs
	},
	Start: func(id string, f ApprovalFacts, p regulations.Profile) procedure.Start {
		in := f.In
		entry := in.EntryConditions
		if entry == nil {
			entry = []string{}
		}
		a := models.AuthorityApproval{Kind: in.Kind, Dept: f.Dept.Code, Title: in.Title, Description: in.Description,
			Recipient: in.Recipient, Plan: in.Plan, LegalBasis: in.LegalBasis, EntryConditions: entry, GrantConditions: []string{},
			SubmittedBy: f.Caller.Subject + "@" + f.Caller.Dept, SubmittedAt: f.Now.UTC()}
		a.ID, a.WorkflowID, a.Jurisdiction = id, id, f.Dept.Jurisdiction
		return procedure.Start{Input: ApprovalInput{Approval: a, Profile: p}, Jurisdiction: f.Dept.Jurisdiction, Owner: f.Dept.Code}
	},
}
