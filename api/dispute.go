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

type disputeInput struct {
	Reason string `json:"reason"`
}

// disputeView is a dispute as the API shows it: its chain of levels, the
// tasks of each level and its events.
type disputeView struct {
	models.Dispute
	Tasks       []models.Task  `json:"tasks"`
	Events      []models.Event `json:"events"`
	Deadline    *stepDeadline  `json:"deadline,omitempty"` // the open step's deadline, from its tasks
	Provisional bool           `json:"provisional"`        // the open step's deadline is provisional
}

func (s *Server) disputeView(c echo.Context, d models.Dispute) (disputeView, error) {
	v := disputeView{Dispute: d}
	var err error
	v.Tasks, v.Events, err = s.procedureRecords(c, d.ID)
	levelStatutory(&v.Dispute, v.Tasks)
	v.Deadline = openDeadline(v.Tasks)
	v.Provisional = v.Deadline != nil && v.Deadline.Provisional
	return v, err
}

// disputeID is the ID of the dispute over a share request: one per request,
// so that a retried POST finds the same dispute.
func disputeID(requestID string) string { return "dp-" + requestID }

// claimDispute claims the dispute of a share request for this POST's
// fingerprint (see claimKey; the requesting department disputes, so any of
// its people retrying the same dispute gets it); a dispute already filed
// with another body is a 409.
func (s *Server) claimDispute(c echo.Context, requestID, id string, in disputeInput, exists bool) (string, error) {
	h, err := fingerprint(c, claims(c).Dept, in)
	if err != nil {
		return "", err
	}
	claim, err := models.ClaimKey(s.DB.WithContext(c.Request().Context()), id, h, exists)
	if err != nil {
		return "", err
	}
	if claim == models.ClaimDifferent {
		return "", disputed(requestID, id)
	}
	return claim, nil
}

// disputed refuses a second, different dispute of a request.
func disputed(requestID, id string) error {
	return problem(http.StatusConflict, fmt.Sprintf("share request %s is already disputed (%s)", requestID, id))
}

// replayDispute answers a retried POST with the dispute it filed.
func (s *Server) replayDispute(c echo.Context, d models.Dispute) error {
	v, err := s.disputeView(c, d)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Idempotent-Replayed", "true")
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/disputes/"+d.ID)
	return c.JSON(http.StatusOK, v)
}

// createDispute lets the requester of a refused share request dispute the
// refusal up the city's escalation chain.
func (s *Server) createDispute(c echo.Context) error {
	cl, err := allow(c, RoleDepartment)
	if err != nil {
		return err
	}
	var in disputeInput
	if err := bind(c, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Reason) == "" {
		return invalid(FieldError{"reason", "is required: why the refusal should be overturned"})
	}
	ctx := c.Request().Context()
	db := s.DB.WithContext(ctx)
	var r models.ShareRequest
	if err := db.First(&r, "id = ? AND (requester_dept = ? OR provider_dept = ?)", c.Param("id"), cl.Dept, cl.Dept).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return problem(http.StatusNotFound, fmt.Sprintf("share request %s not found", c.Param("id")))
		}
		return fmt.Errorf("load share request: %w", err)
	}
	if r.RequesterDept != cl.Dept {
		return problem(http.StatusForbidden, "only the requesting department "+r.RequesterDept+" may dispute the refusal")
	}
	id := disputeID(r.ID)
	p, err := prior[models.Dispute](db, id)
	if err != nil {
		return err
	}
	if p != nil {
		claim, err := s.claimDispute(c, r.ID, id, in, true)
		if err != nil {
			return err
		}
		if claim == models.ClaimLegacy && p.Reason != in.Reason {
			return disputed(r.ID, id)
		}
		return s.replayDispute(c, *p)
	}
	if r.Status != models.StatusRejected {
		return invalid(FieldError{"id", fmt.Sprintf("share request %s is %s; only a refused request can be disputed", r.ID, r.Status)})
	}
	now := s.now()
	// A dispute over a refusal continues under the text in force when the
	// refusal was decided, even after it lapses (running procedures finish
	// under their rules).
	decided := now
	if r.DecidedAt != nil {
		decided = *r.DecidedAt
	}
	profile, err := s.Regulations.InForce(r.Jurisdiction, decided, holidays.Shanghai)
	if err != nil {
		return invalid(FieldError{"jurisdiction", err.Error()})
	}
	if len(profile.Dispute) == 0 {
		return invalid(FieldError{"jurisdiction", profile.Document + " names no dispute path"})
	}
	d := models.Dispute{
		Header:        models.Header{ID: id, WorkflowID: id, Jurisdiction: r.Jurisdiction},
		Subject:       models.DisputeOfShareRequest,
		SubjectID:     r.ID,
		RequesterDept: r.RequesterDept,
		ProviderDept:  r.ProviderDept,
		FiledBy:       cl.Subject + "@" + cl.Dept,
		Reason:        in.Reason,
		FiledAt:       now.UTC(),
	}
	// One dispute per request: of concurrent POSTs one claims it, the others
	// answer as a sequential retry would (the same reason: the dispute; another: 409).
	claim, err := s.claimDispute(c, r.ID, id, in, false)
	if err != nil {
		return err
	}
	attrs := procedureAttrs(r.Jurisdiction, workflows.ProcedureDispute, r.ProviderDept, workflows.AttrRequesterDept.ValueSet(r.RequesterDept))
	finished, err := s.startFiled(ctx, id, attrs, workflows.Dispute, workflows.DisputeInput{Dispute: d, Profile: profile})
	if err != nil {
		return err
	}
	var stored models.Dispute
	if err := db.First(&stored, "id = ?", id).Error; err != nil {
		return fmt.Errorf("load filed dispute %s: %w", id, err)
	}
	if finished || claim == models.ClaimSame {
		return s.replayDispute(c, stored)
	}
	s.log(c).Info().Str("workflow_id", id).Str("share_request", r.ID).Msg("dispute filed")
	v, err := s.disputeView(c, stored)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/disputes/"+id)
	return c.JSON(http.StatusCreated, v)
}

// scopeDisputes limits a query to the disputes the caller may see.
func scopeDisputes(cl *Claims, q *gorm.DB) (*gorm.DB, error) {
	switch cl.Role {
	case RoleAuditor, RoleAdmin:
		return q, nil
	case RoleAuthority, RoleGovernment:
		return q.Where("jurisdiction = ?", cl.Jurisdiction), nil
	case RoleDepartment:
		return q.Where("requester_dept = ? OR provider_dept = ?", cl.Dept, cl.Dept), nil
	}
	return nil, problem(http.StatusForbidden, "role "+cl.Role+" may not read disputes")
}

func (s *Server) getDispute(c echo.Context) error {
	q, err := scopeDisputes(claims(c), s.DB.WithContext(c.Request().Context()))
	if err != nil {
		return err
	}
	d, err := findScoped[models.Dispute](q, c.Param("id"), "dispute")
	if err != nil {
		return err
	}
	v, err := s.disputeView(c, d)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) listDisputes(c echo.Context) error {
	q, err := scopeDisputes(claims(c), s.DB.WithContext(c.Request().Context()))
	if err != nil {
		return err
	}
	q = eqFilters(c, q, "status", "jurisdiction", "subject", "subject_id", "requester_dept", "provider_dept")
	return paginate[models.Dispute](c, q.Order("filed_at DESC, id"))
}

// disputesOf lists the disputes over a procedure, for its view.
func (s *Server) disputesOf(c echo.Context, subjectID string) ([]models.Dispute, error) {
	ds := []models.Dispute{}
	if err := s.DB.WithContext(c.Request().Context()).Where("subject_id = ?", subjectID).Order("filed_at, id").Find(&ds).Error; err != nil {
		return nil, fmt.Errorf("load disputes of %s: %w", subjectID, err)
	}
	return ds, nil
}
