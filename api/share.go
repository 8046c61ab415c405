package api

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

type shareInput struct {
	CatalogItemID string   `json:"catalog_item_id" bound:"id"`
	Purpose       string   `json:"purpose"`
	Scenario      string   `json:"scenario"`
	DataItems     []string `json:"data_items" bound:"name,max=500"`
}

// shareView is a share request as the API shows it.
type shareView struct {
	models.ShareRequest
	DueAt    string         `json:"due_at,omitempty"`
	Warning  string         `json:"warning,omitempty"`
	Deadline *stepDeadline  `json:"deadline,omitempty"` // the open step's deadline, from its tasks
	Tasks    []models.Task  `json:"tasks"`
	Events   []models.Event `json:"events"`
	// Disputes over the request's refusal, each with its chain of levels (issue 6).
	Disputes []models.Dispute `json:"disputes"`
}

func (s *Server) shareView(c echo.Context, r models.ShareRequest) (shareView, error) {
	v := shareView{ShareRequest: r}
	if r.DueAt != nil {
		v.DueAt = beijing(*r.DueAt)
	}
	if r.Provisional && r.Status == models.StatusPending {
		v.Warning = provisionalWarning
	}
	var err error
	if v.Tasks, v.Events, err = s.procedureRecords(c, r.ID); err != nil {
		return v, err
	}
	v.Deadline = openDeadline(v.Tasks)
	v.Disputes, err = s.disputesOf(c, r.ID)
	return v, err
}

func (s *Server) createShareRequest(c echo.Context) error {
	cl, err := allow(c, RoleDepartment)
	if err != nil {
		return err
	}
	var in shareInput
	if err := bind(c, &in); err != nil {
		return err
	}
	errs := required("catalog_item_id", in.CatalogItemID, "purpose", in.Purpose, "scenario", in.Scenario)
	if len(in.DataItems) == 0 {
		errs = append(errs, FieldError{"data_items", "name at least one data item (数据项) of the catalog item"})
	}
	if len(errs) > 0 {
		return invalid(errs...)
	}
	ctx := c.Request().Context()
	db := s.DB.WithContext(ctx)
	var dept models.Department
	if err := db.First(&dept, "code = ?", cl.Dept).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return problem(http.StatusForbidden, fmt.Sprintf("department %s of the token is not registered", cl.Dept))
		}
		return fmt.Errorf("load department: %w", err)
	}
	item, err := catalogItem(db, in.CatalogItemID)
	if err != nil {
		return err
	}
	if item.Jurisdiction != dept.Jurisdiction {
		return invalid(FieldError{"catalog_item_id", fmt.Sprintf("item %s is in %s's catalog; department %s is in %s", item.ID, item.Jurisdiction, dept.Code, dept.Jurisdiction)})
	}
	if item.ProviderDept == dept.Code {
		return invalid(FieldError{"catalog_item_id", "a department does not request its own data"})
	}
	for _, d := range in.DataItems {
		if !slices.Contains(item.DataItems, d) {
			return invalid(FieldError{"data_items", fmt.Sprintf("%q is not a data item of %s (it has: %s)", d, item.ID, strings.Join(item.DataItems, ", "))})
		}
	}
	// An item suspended or withdrawn after an objection is not shared (procedure 4).
	if why, err := models.Unavailable(db, item.ID); err != nil {
		return err
	} else if why != "" {
		return invalid(FieldError{"catalog_item_id", why})
	}
	if item.ShareType == models.ShareNotShared {
		return invalid(FieldError{"catalog_item_id", fmt.Sprintf("item %s is classified not shared (不予共享): %s", item.ID, item.LegalBasis)})
	}
	now := s.now()
	profile, err := s.Regulations.InForce(item.Jurisdiction, now, holidays.Shanghai)
	if err != nil { // unknown city or regulation not in force (naming the document and its dates)
		return invalid(FieldError{"jurisdiction", err.Error()})
	}

	id, keyed, err := procedureID(c, "sr-", dept.Code)
	if err != nil {
		return err
	}
	if keyed {
		p, err := prior[models.ShareRequest](db, id)
		if err != nil {
			return err
		}
		if p != nil {
			claim, err := s.claimKey(c, id, "request", in, true)
			if err != nil {
				return err
			}
			return s.replay(c, *p, claim != models.ClaimLegacy || sameRequest(*p, in))
		}
	}

	req := models.ShareRequest{
		Header:        models.Header{ID: id, WorkflowID: id, Jurisdiction: item.Jurisdiction},
		CatalogItemID: item.ID,
		RequesterDept: dept.Code,
		ProviderDept:  item.ProviderDept,
		RequestedBy:   cl.Subject,
		Purpose:       in.Purpose,
		Scenario:      in.Scenario,
		DataItems:     in.DataItems,
		FiledAt:       now.UTC(),
	}
	claim, err := s.claimNew(c, keyed, id, "request", in)
	if err != nil {
		return err
	}
	attrs := procedureAttrs(item.Jurisdiction, workflows.ProcedureShare, item.ProviderDept, workflows.AttrRequesterDept.ValueSet(dept.Code))
	finished, err := s.startFiled(ctx, id, attrs, workflows.ShareRequest, workflows.ShareInput{Request: req, Item: item, Profile: profile})
	if err != nil {
		return err
	}
	var stored models.ShareRequest
	if err := db.First(&stored, "id = ?", id).Error; err != nil {
		return fmt.Errorf("load filed request %s: %w", id, err)
	}
	if finished || claim == models.ClaimSame { // the same key's request, filed before or concurrently
		return s.replay(c, stored, true)
	}
	s.log(c).Info().Str("workflow_id", id).Str("dept", dept.Code).Str("item", item.ID).Msg("share request filed")
	v, err := s.shareView(c, stored)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/share-requests/"+id)
	return c.JSON(http.StatusCreated, v)
}

// replay answers a retried POST with the request its Idempotency-Key made.
func (s *Server) replay(c echo.Context, prior models.ShareRequest, same bool) error {
	return replayed(c, same, "request", "/api/v1/share-requests/"+prior.ID, func() (any, error) { return s.shareView(c, prior) })
}

// sameRequest tells whether a stored request is the one a retried POST asks
// for, for requests filed before fingerprints (models.IdempotencyKey).
func sameRequest(r models.ShareRequest, in shareInput) bool {
	return r.CatalogItemID == in.CatalogItemID && r.Purpose == in.Purpose && r.Scenario == in.Scenario &&
		slices.Equal(r.DataItems, in.DataItems)
}

// scopeShares limits a query to the share requests the caller may see.
func scopeShares(cl *Claims, q *gorm.DB) (*gorm.DB, error) {
	switch cl.Role {
	case RoleAuditor, RoleAdmin:
		return q, nil
	case RoleAuthority:
		return q.Where("jurisdiction = ?", cl.Jurisdiction), nil
	case RoleDepartment:
		return q.Where("requester_dept = ? OR provider_dept = ?", cl.Dept, cl.Dept), nil
	}
	return nil, problem(http.StatusForbidden, "role "+cl.Role+" may not read share requests")
}

func (s *Server) getShareRequest(c echo.Context) error {
	q, err := scopeShares(claims(c), s.DB.WithContext(c.Request().Context()))
	if err != nil {
		return err
	}
	r, err := findScoped[models.ShareRequest](q, c.Param("id"), "share request")
	if err != nil {
		return err
	}
	v, err := s.shareView(c, r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) listShareRequests(c echo.Context) error {
	q, err := scopeShares(claims(c), s.DB.WithContext(c.Request().Context()))
	if err != nil {
		return err
	}
	q = eqFilters(c, q, "status", "jurisdiction", "requester_dept", "provider_dept", "catalog_item_id")
	q, err = boolFilter(c, q, "overdue")
	if err != nil {
		return err
	}
	return paginate[models.ShareRequest](c, q.Order("filed_at DESC, id"))
}
