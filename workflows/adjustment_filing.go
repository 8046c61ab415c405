package workflows

import (
	"fmt"
	"time"

	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/roles"
)

// AdjustmentFiling is the body of a temporary adjustment
// (POST /api/v1/temporary-adjustments).
type AdjustmentFiling struct {
	CatalogItemID   string `json:"catalog_item_id" bound:"id"`
	ShareType       string `json:"share_type" bound:"id"`
	ShareConditions string `json:"share_conditions"`
	Ground          string `json:"ground"`
	Reason          string `json:"reason"`
	EndDate         string `json:"end_date" bound:"date"`
}

// AdjustmentFacts are what a temporary adjustment's rule is checked on: the
// body, the department filing it and its item.
type AdjustmentFacts struct {
	procedure.Filed[AdjustmentFiling]
	Item models.CatalogItem
}

// AdjustmentProcedure is the temporary adjustment of an item's share type (wuhan
// 第十六条, xiamen 第二十一条).
var AdjustmentProcedure = procedure.Filing[AdjustmentFiling, AdjustmentFacts]{
	Descriptor: procedure.Descriptor{
		Name: models.ProcedureAdjustment, Prefix: "ta-", Route: "/temporary-adjustments",
		Title: "temporary adjustment", Plural: "temporary adjustments", Noun: "adjustment",
		File:     []string{roles.Department},
		Read:     readers(map[string]string{roles.Government: "jurisdiction = @jurisdiction", roles.Department: "dept = @dept"}),
		Filer:    "dept",
		Outcomes: []string{"reverted", "evaluated", "conflict"},
		Workflow: TemporaryAdjustment, Record: func() any { return &models.TemporaryAdjustment{} },
		Order:   "submitted_at DESC, id",
		Filters: []string{"status", "jurisdiction", "dept", "catalog_item_id"},
		Flags:   []string{"overdue"},
	},
	Form: func(in AdjustmentFiling) []procedure.FieldError {
		errs := procedure.Required("catalog_item_id", in.CatalogItemID, "reason", in.Reason)
		if !oneOf(in.ShareType, models.ShareUnconditional, models.ShareConditional, models.ShareNotShared) {
			errs = append(errs, procedure.FieldError{Field: "share_type", Message: "must be unconditional, conditional or not_shared"})
		}
		if !oneOf(in.Ground, models.GroundNationalSecurity, models.GroundPublicInterest, models.GroundEmergency) {
			errs = append(errs, procedure.FieldError{Field: "ground", Message: "must be national_security, public_interest or emergency"})
		}
		if _, err := holidays.ParseDate(in.EndDate); err != nil {
			errs = append(errs, procedure.FieldError{Field: "end_date", Message: "must be a date (YYYY-MM-DD), today or later (Beijing time)"})
		}
		return errs
	},
	Check: func(f AdjustmentFacts, p regulations.Profile) []procedure.FieldError {
		var errs procedure.Errors
		refuse := errs.Refuse
		if f.In.EndDate < f.Now.In(holidays.Shanghai).Format(time.DateOnly) {
			refuse("end_date", "must be a date (YYYY-MM-DD), today or later (Beijing time)")
		}
		rule := p.Classification
		if !rule.TemporaryAdjustment {
			refuse("catalog_item_id", p.Document+" provides no temporary adjustment of the share type")
			return errs
		}
		if rule.EmergencyEvaluation && f.In.Ground != models.GroundEmergency {
			refuse("ground", rule.TemporaryArticle+" allows a temporary adjustment for an emergency only")
		}
		if rule.EmergencyEvaluation && f.In.ShareType != models.ShareNotShared {
			refuse("share_type", rule.TemporaryArticle+" lists emergency data as 暂不共享 only: share_type must be not_shared")
		}
		if f.Item.ShareType == f.In.ShareType {
			refuse("share_type", fmt.Sprintf("item %s is %s already", f.Item.ID, f.Item.ShareType))
		}
		return errs
	},
	Start: func(id string, f AdjustmentFacts, p regulations.Profile) procedure.Start {
		in, item := f.In, f.Item
		a := models.TemporaryAdjustment{CatalogItemID: item.ID, Dept: f.Caller.Dept,
			ShareType: in.ShareType, ShareConditions: in.ShareConditions, PreviousShareType: item.ShareType, BaseVersion: item.Version,
			Ground: in.Ground, Reason: in.Reason, EndDate: in.EndDate, SubmittedBy: f.Caller.Subject + "@" + f.Caller.Dept, SubmittedAt: f.Now.UTC()}
		a.ID, a.WorkflowID, a.Jurisdiction = id, id, item.Jurisdiction
		return procedure.Start{Input: AdjustmentInput{Adjustment: a, Profile: p}, Jurisdiction: item.Jurisdiction, Owner: f.Caller.Dept}
	},
}

// oneOf tells whether v is one of the allowed values.
func oneOf(v string, allowed ...string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}
