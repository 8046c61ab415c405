package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

type classificationInput struct {
	CatalogItemID     string `json:"catalog_item_id" bound:"id"`
	ProposedShareType string `json:"proposed_share_type" bound:"id"`
	LegalBasis        string `json:"legal_basis"`
	Conditions        string `json:"conditions"`
	Reason            string `json:"reason"`
}

// classificationView is a classification with its tasks and events, and the
// dispute over it, if the authority disagreed (xiamen).
type classificationView struct {
	models.Classification
	Tasks       []models.Task  `json:"tasks"`
	Events      []models.Event `json:"events"`
	Dispute     *disputeView   `json:"dispute,omitempty"`
	Deadline    *stepDeadline  `json:"deadline,omitempty"` // the open step's deadline, from its tasks
	Provisional bool           `json:"provisional"`        // the open step's deadline is provisional
}

func (s *Server) classificationView(c echo.Context, cl models.Classification) (classificationView, error) {
	v := classificationView{Classification: cl}
	var err error
	if v.Tasks, v.Events, err = s.procedureRecords(c, cl.ID); err != nil {
		return v, err
	}
	v.Deadline = openDeadline(v.Tasks)
	v.Provisional = v.Deadline != nil && v.Deadline.Provisional
	if cl.DisputeID != "" {
		var d models.Dispute
		if err := s.DB.WithContext(c.Request().Context()).First(&d, "id = ?", cl.DisputeID).Error; err == nil {
			dv, err := s.disputeView(c, d)
			if err != nil {
				return v, err
			}
			v.Dispute = &dv
		} else if !errors.Is(err, gorm.ErrRecordNotFound) {
			return v, fmt.Errorf("load dispute %s: %w", cl.DisputeID, err)
		}
	}
	return v, nil
}

func sameClassification(c models.Classification, in classificationInput) bool {
	return c.CatalogItemID == in.CatalogItemID && c.ProposedShareType == in.ProposedShareType &&
		c.LegalBasis == in.LegalBasis && c.Conditions == in.Conditions && c.Reason == in.Reason
}

// createClassification lets a department propose that one of its items be
// conditional or not shared (procedure 5).
func (s *Server) createClassification(c echo.Context) error {
	cl, err := allow(c, RoleDepartment)
	if err != nil {
		return err
	}
	var in classificationInput
	if err := bind(c, &in); err != nil {
		return err
	}
	errs := required("catalog_item_id", in.CatalogItemID, "legal_basis", in.LegalBasis, "reason", in.Reason)
	switch in.ProposedShareType {
	case models.ShareConditional:
		if strings.TrimSpace(in.Conditions) == "" {
			errs = append(errs, FieldError{"conditions", "conditional data lists its application conditions"})
		}
	case models.ShareNotShared:
	default:
		errs = append(errs, FieldError{"proposed_share_type", "must be conditional or not_shared"})
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
		return problem(http.StatusForbidden, fmt.Sprintf("item %s belongs to department %s; a department classifies its own data", item.ID, item.ProviderDept))
	}
	if fe := s.shareConditions("conditions", item.Jurisdiction, in.ProposedShareType, in.Conditions); fe != nil {
		return invalid(*fe)
	}
	id, keyed, err := procedureID(c, "cl-", cl.Dept)
	if err != nil {
		return err
	}
	if keyed {
		p, err := prior[models.Classification](db, id)
		if err != nil {
			return err
		}
		if p != nil {
			claim, err := s.claimKey(c, id, "classification", in, true)
			if err != nil {
				return err
			}
			return s.replayClassification(c, *p, claim != models.ClaimLegacy || sameClassification(*p, in))
		}
	}
	if item.ShareType == in.ProposedShareType && item.ShareConditions == in.Conditions && item.LegalBasis == in.LegalBasis {
		return invalid(FieldError{"proposed_share_type", fmt.Sprintf("item %s is %s on that basis already", item.ID, item.ShareType)})
	}
	now := s.now()
	profile, err := s.Regulations.InForce(item.Jurisdiction, now, holidays.Shanghai)
	if err != nil {
		return invalid(FieldError{"jurisdiction", err.Error()})
	}
	wfIn := workflows.NewClassificationInput(item, workflows.ClassificationProposal{
		ID: id, Dept: cl.Dept, ShareType: in.ProposedShareType, Conditions: in.Conditions, LegalBasis: in.LegalBasis,
		Reason: in.Reason, SubmittedBy: cl.Subject + "@" + cl.Dept, SubmittedAt: now,
	}, profile)
	claim, err := s.claimNew(c, keyed, id, "classification", in)
	if err != nil {
		return err
	}
	attrs := procedureAttrs(item.Jurisdiction, workflows.ProcedureClassification, cl.Dept)
	finished, err := s.startFiled(ctx, id, attrs, workflows.Classification, wfIn)
	if err != nil {
		return err
	}
	var stored models.Classification
	if err := db.First(&stored, "id = ?", id).Error; err != nil {
		return fmt.Errorf("load classification %s: %w", id, err)
	}
	if finished || claim == models.ClaimSame {
		return s.replayClassification(c, stored, true)
	}
	s.log(c).Info().Str("workflow_id", id).Str("item", item.ID).Msg("classification submitted")
	v, err := s.classificationView(c, stored)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/classifications/"+id)
	return c.JSON(http.StatusCreated, v)
}

func (s *Server) replayClassification(c echo.Context, p models.Classification, same bool) error {
	return replayed(c, same, "classification", "/api/v1/classifications/"+p.ID, func() (any, error) { return s.classificationView(c, p) })
}

// scopeClassifications limits a query to the classifications the caller may see.
func scopeClassifications(cl *Claims, q *gorm.DB) (*gorm.DB, error) {
	switch cl.Role {
	case RoleAuditor, RoleAdmin:
		return q, nil
	case RoleAuthority, RoleGovernment:
		return q.Where("jurisdiction = ?", cl.Jurisdiction), nil
	case RoleDepartment:
		return q.Where("dept = ?", cl.Dept), nil
	}
	return nil, problem(http.StatusForbidden, "role "+cl.Role+" may not read classifications")
}

func (s *Server) getClassification(c echo.Context) error {
	q, err := scopeClassifications(claims(c), s.DB.WithContext(c.Request().Context()))
	if err != nil {
		return err
	}
	rec, err := findScoped[models.Classification](q, c.Param("id"), "classification")
	if err != nil {
		return err
	}
	v, err := s.classificationView(c, rec)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) listClassifications(c echo.Context) error {
	q, err := scopeClassifications(claims(c), s.DB.WithContext(c.Request().Context()))
	if err != nil {
		return err
	}
	q = eqFilters(c, q, "status", "jurisdiction", "dept", "catalog_item_id")
	return paginate[models.Classification](c, q.Order("submitted_at DESC, id"))
}
