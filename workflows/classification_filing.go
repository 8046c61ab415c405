package workflows

import (
	"fmt"
	"strings"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/roles"
)

// ClassificationFiling is the body of a classification
// (POST /api/v1/classifications).
type ClassificationFiling struct {
	CatalogItemID     string `json:"catalog_item_id" bound:"id"`
	ProposedShareType string `json:"proposed_share_type" bound:"id"`
	LegalBasis        string `json:"legal_basis"`
	Conditions        string `json:"conditions"`
	Reason            string `json:"reason"`
}

// ClassificationFacts are what a classification's rule is checked on: the
// body, the department proposing it and its item.
type ClassificationFacts struct {
	procedure.Filed[ClassificationFiling]
	Item models.CatalogItem
}

// ClassificationProcedure is the share classification (procedure 5): a
// department proposes that one of its items be conditional or not shared.
var ClassificationProcedure = procedure.Filing[ClassificationFiling, ClassificationFacts]{
	Descriptor: procedure.Descriptor{
		Name: models.ProcedureClassification, Prefix: "cl-", Route: "/classifications",
		Title: "classification", Plural: "classifications", Noun: "classification",
		File:     []string{roles.Department},
		Read:     readers(map[string]string{roles.Government: "jurisdiction = @jurisdiction", roles.Department: "dept = @dept"}),
		Filer:    "dept",
		Outcomes: []string{"applied", "refused", "relaxed", "reevaluation_ended", "conflict"},
		Workflow: Classification, Record: func() any { return &models.Classification{} },
		Order:   "submitted_at DESC, id",
		Filters: []string{"status", "jurisdiction", "dept", "catalog_item_id"},
		Flags:   []string{"overdue"},
	},
	Form: func(in ClassificationFiling) []procedure.FieldError {
		errs := procedure.Required("catalog_item_id", in.CatalogItemID, "legal_basis", in.LegalBasis, "reason", in.Reason)
		switch in.ProposedShareType {
		case models.ShareConditional:
			if strings.TrimSpace(in.Conditions) == "" {
				errs = append(errs, procedure.FieldError{Field: "conditions", Message: "conditional data lists its application conditions"})
			}
		case models.ShareNotShared:
		default:
			errs = append(errs, procedure.FieldError{Field: "proposed_share_type", Message: "must be conditional or not_shared"})
		}
		return errs
	},
	Check: func(f ClassificationFacts, p regulations.Profile) []procedure.FieldError {
		in, item := f.In, f.Item
		var errs []procedure.FieldError
		if fe := ShareConditions("conditions", p, in.ProposedShareType, in.Conditions); fe != nil {
			errs = append(errs, *fe)
		}
		if item.ShareType == in.ProposedShareType && item.ShareConditions == in.Conditions && item.LegalBasis == in.LegalBasis {
			errs = append(errs, procedure.FieldError{Field: "proposed_share_type", Message: fmt.Sprintf("item %s is %s on that basis already", item.ID, item.ShareType)})
		}
		return errs
	},
	Start: func(id string, f ClassificationFacts, p regulations.Profile) procedure.Start {
		in := f.In
		wfIn := NewClassificationInput(f.Item, ClassificationProposal{
			ID: id, Dept: f.Caller.Dept, ShareType: in.ProposedShareType, Conditions: in.Conditions, LegalBasis: in.LegalBasis,
			Reason: in.Reason, SubmittedBy: f.Caller.Subject + "@" + f.Caller.Dept, SubmittedAt: f.Now,
		}, p)
		return procedure.Start{Input: wfIn, Jurisdiction: f.Item.Jurisdiction, Owner: f.Caller.Dept}
	},
}

// ShareConditions refuses the conditions of conditional data that name none
// of the kinds its city's profile lists (xiamen 第十七条第二款), naming field;
// nil where the data is not conditional or the city lists no kinds.
func ShareConditions(field string, p regulations.Profile, shareType, conditions string) *procedure.FieldError {
	if shareType != models.ShareConditional {
		return nil
	}
	r := p.ShareRequest
	if _, ok := r.ConditionKind(conditions); ok {
		return nil
	}
	return &procedure.FieldError{Field: field, Message: fmt.Sprintf("the share conditions of conditional data in %s must name one of the kinds of %s: %s",
		p.City, r.ConditionsArticle, strings.Join(r.Conditions, ", "))}
}
