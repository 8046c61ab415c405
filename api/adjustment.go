package api

import (
	"fmt"
	"net/http"

	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"
)

type adjustmentInput struct {
	CatalogItemID   string `json:"catalog_item_id" bound:"id"`
	ShareType       string `json:"share_type" bound:"id"`
	ShareConditions string `json:"share_conditions"`
	Ground          string `json:"ground"`
	Reason          string `json:"reason"`
	EndDate         string `json:"end_date" bound:"date"`
}

type renewInput struct {
	EndDate string `json:"end_date" bound:"date"`
	Reason  string `json:"reason"`
}

type adjustmentView struct {
	models.TemporaryAdjustment
	Tasks       []models.Task  `json:"tasks"`
	Events      []models.Event `json:"events"`
	Deadline    *stepDeadline  `json:"deadline,omitempty"` // the open step's deadline, from its tasks
	Provisional bool           `json:"provisional"`        // the open step's deadline is provisional
}

func (s *Server) adjustmentView(c echo.Context, a models.TemporaryAdjustment) (adjustmentView, error) {
	v := adjustmentView{TemporaryAdjustment: a}
	var err error
	v.Tasks, v.Events, err = s.procedureRecords(c, a.ID)
	v.Deadline = openDeadline(v.Tasks)
	v.Provisional = v.Deadline != nil && v.Deadline.Provisional
	return v, err
}

func sameAdjustment(a models.TemporaryAdjustment, in adjustmentInput) bool {
	return a.CatalogItemID == in.CatalogItemID && a.ShareType == in.ShareType && a.ShareConditions == in.ShareConditions &&
		a.Ground == in.Ground && a.Reason == in.Reason && a.EndDate == in.EndDate
}

// createAdjustment lets a department change one of its items' share type
// temporarily (wuhan 第十六条, xiamen 第二十一条).
func (s *Server) createAdjustment(c echo.Context) error {
	cl, err := allow(c, RoleDepartment)
	if err != nil {
		return err
	}
	var in adjustmentInput
	if err := bind(c, &in); err != nil {
		return err
	}
	now := s.now()
	errs := required("catalog_item_id", in.CatalogItemID, "reason", in.Reason)
	switch in.ShareType {
	case models.ShareUnconditional, models.ShareConditional, models.ShareNotShared:
	default:
		errs = append(errs, FieldError{"share_type", "must be unconditional, conditional or not_shared"})
	}
	switch in.Ground {
	case models.GroundNationalSecurity, models.GroundPublicInterest, models.GroundEmergency:
	default:
		errs = append(errs, FieldError{"ground", "must be national_security, public_interest or emergency"})
	}
	today := now.In(holidays.Shanghai).Format("2006-01-02")
	if _, err := holidays.ParseDate(in.EndDate); err != nil || in.EndDate < today {
		errs = append(errs, FieldError{"end_date", "must be a date (YYYY-MM-DD), today or later (Beijing time)"})
	}
	if len(errs) > 0 {
		return invalid(errs...)
	}
	ctx := c.Request().Context()
	db := s.DB.WithContext(ctx)
	item, err := catalogItem(db, in.CatalogItemID)
	if err != nil {
		return err
	}
	if item.ProviderDept != cl.Dept {
		return problem(http.StatusForbidden, fmt.Sprintf("item %s belongs to department %s", item.ID, item.ProviderDept))
	}
	id, keyed, err := procedureID(c, "ta-", cl.Dept)
	if err != nil {
		return err
	}
	if keyed {
		p, err := prior[models.TemporaryAdjustment](db, id)
		if err != nil {
			return err
		}
		if p != nil {
			claim, err := s.claimKey(c, id, "adjustment", in, true)
			if err != nil {
				return err
			}
			return s.replayAdjustment(c, *p, claim != models.ClaimLegacy || sameAdjustment(*p, in))
		}
	}
	profile, err := s.Regulations.InForce(item.Jurisdiction, now, holidays.Shanghai)
	if err != nil {
		return invalid(FieldError{"jurisdiction", err.Error()})
	}
	rule := profile.Classification
	if !rule.TemporaryAdjustment {
		return invalid(FieldError{"catalog_item_id", profile.Document + " provides no temporary adjustment of the share type"})
	}
	if rule.EmergencyEvaluation && in.Ground != models.GroundEmergency {
		return invalid(FieldError{"ground", rule.TemporaryArticle + " allows a temporary adjustment for an emergency only"})
	}
	if rule.EmergencyEvaluation && in.ShareType != models.ShareNotShared {
		return invalid(FieldError{"share_type", rule.TemporaryArticle + " lists emergency data as 暂不共享 only: share_type must be not_shared"})
	}
	if item.ShareType == in.ShareType {
		return invalid(FieldError{"share_type", fmt.Sprintf("item %s is %s already", item.ID, item.ShareType)})
	}
	rec := models.TemporaryAdjustment{
		Header:            models.Header{ID: id, WorkflowID: id, Jurisdiction: item.Jurisdiction},
		CatalogItemID:     item.ID,
		Dept:              cl.Dept,
		ShareType:         in.ShareType,
		ShareConditions:   in.ShareConditions,
		PreviousShareType: item.ShareType,
		BaseVersion:       item.Version,
		Ground:            in.Ground,
		Reason:            in.Reason,
		EndDate:           in.EndDate,
		SubmittedBy:       cl.Subject + "@" + cl.Dept,
		SubmittedAt:       now.UTC(),
	}
	claim, err := s.claimNew(c, keyed, id, "adjustment", in)
	if err != nil {
		return err
	}
	attrs := procedureAttrs(item.Jurisdiction, workflows.ProcedureAdjustment, cl.Dept)
	finished, err := s.startFiled(ctx, id, attrs, workflows.TemporaryAdjustment, workflows.AdjustmentInput{Adjustment: rec, Profile: profile})
	if err != nil {
		return err
	}
	var stored models.TemporaryAdjustment
	if err := db.First(&stored, "id = ?", id).Error; err != nil {
		return fmt.Errorf("load adjustment %s: %w", id, err)
	}
	if finished || claim == models.ClaimSame {
		return s.replayAdjustment(c, stored, true)
	}
	v, err := s.adjustmentView(c, stored)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/temporary-adjustments/"+id)
	return c.JSON(http.StatusCreated, v)
}

func (s *Server) replayAdjustment(c echo.Context, p models.TemporaryAdjustment, same bool) error {
	return replayed(c, same, "adjustment", "/api/v1/temporary-adjustments/"+p.ID, func() (any, error) { return s.adjustmentView(c, p) })
}

// scopeAdjustments limits a query to the adjustments the caller may see.
func scopeAdjustments(cl *Claims, q *gorm.DB) (*gorm.DB, error) {
	switch cl.Role {
	case RoleAuditor, RoleAdmin:
		return q, nil
	case RoleAuthority, RoleGovernment:
		return q.Where("jurisdiction = ?", cl.Jurisdiction), nil
	case RoleDepartment:
		return q.Where("dept = ?", cl.Dept), nil
	}
	return nil, problem(http.StatusForbidden, "role "+cl.Role+" may not read temporary adjustments")
}

func (s *Server) loadAdjustment(c echo.Context) (models.TemporaryAdjustment, error) {
	var a models.TemporaryAdjustment
	q, err := scopeAdjustments(claims(c), s.DB.WithContext(c.Request().Context()))
	if err != nil {
		return a, err
	}
	return findScoped[models.TemporaryAdjustment](q, c.Param("id"), "temporary adjustment")
}

func (s *Server) getAdjustment(c echo.Context) error {
	a, err := s.loadAdjustment(c)
	if err != nil {
		return err
	}
	v, err := s.adjustmentView(c, a)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) listAdjustments(c echo.Context) error {
	q, err := scopeAdjustments(claims(c), s.DB.WithContext(c.Request().Context()))
	if err != nil {
		return err
	}
	q = eqFilters(c, q, "status", "jurisdiction", "dept", "catalog_item_id")
	return paginate[models.TemporaryAdjustment](c, q.Order("submitted_at DESC, id"))
}

// renewAdjustment moves an active adjustment's end date later; the workflow's
// validator has the last word.
func (s *Server) renewAdjustment(c echo.Context) error {
	cl, err := allow(c, RoleDepartment)
	if err != nil {
		return err
	}
	var in renewInput
	if err := bind(c, &in); err != nil {
		return err
	}
	a, err := s.loadAdjustment(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: a.WorkflowID, UpdateName: workflows.UpdateRenew, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{workflows.RenewInput{EndDate: in.EndDate, Reason: in.Reason, Actor: workflows.Actor{Subject: cl.Subject, Role: cl.Role, Dept: cl.Dept, Jurisdiction: cl.Jurisdiction}}},
	})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	if err != nil {
		return updateProblemOn("end_date", err)
	}
	if err := s.DB.WithContext(ctx).First(&a, "id = ?", a.ID).Error; err != nil {
		return fmt.Errorf("reload adjustment %s: %w", a.ID, err)
	}
	v, err := s.adjustmentView(c, a)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}
