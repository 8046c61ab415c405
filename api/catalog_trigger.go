package api

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

type triggerInput struct {
	Dept          string `json:"dept" bound:"id"`
	Jurisdiction  string `json:"jurisdiction" bound:"id"`
	Kind          string `json:"kind" bound:"id"`
	EffectiveDate string `json:"effective_date" bound:"date"`
	Description   string `json:"description"`
	ReceivingDept string `json:"receiving_dept" bound:"id"`
}

// triggerView is an update obligation as the API shows it.
type triggerView struct {
	models.CatalogTrigger
	DueAt    string         `json:"due_at,omitempty"`
	Tasks    []models.Task  `json:"tasks"`
	Events   []models.Event `json:"events"`
	Deadline *stepDeadline  `json:"deadline,omitempty"` // the open step's deadline, from its tasks
}

func (s *Server) triggerView(c echo.Context, t models.CatalogTrigger) (triggerView, error) {
	v := triggerView{CatalogTrigger: t}
	if t.DueAt != nil {
		v.DueAt = beijing(*t.DueAt)
	}
	var err error
	v.Tasks, v.Events, err = s.procedureRecords(c, t.ID)
	v.Deadline = openDeadline(v.Tasks)
	return v, err
}

// registered loads a department of a jurisdiction, or names the field at fault.
func registered(db *gorm.DB, field, code, jurisdiction string) (models.Department, error) {
	var d models.Department
	if err := db.First(&d, "code = ?", code).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return d, invalid(FieldError{field, fmt.Sprintf("department %q is not registered", code)})
		}
		return d, fmt.Errorf("load department %s: %w", code, err)
	}
	if d.Jurisdiction != jurisdiction {
		return d, invalid(FieldError{field, fmt.Sprintf("department %s belongs to %s, not %s", code, d.Jurisdiction, jurisdiction)})
	}
	return d, nil
}

// createTrigger records a change in law, duties or systems that obliges a
// department to update its catalog, and starts the clock of its window. A
// department records its own; the authority records any of its city's.
func (s *Server) createTrigger(c echo.Context) error {
	cl, err := allow(c, RoleDepartment, RoleAuthority)
	if err != nil {
		return err
	}
	var in triggerInput
	if err := bind(c, &in); err != nil {
		return err
	}
	errs := required("dept", in.Dept, "jurisdiction", in.Jurisdiction, "description", in.Description)
	kinds := []string{models.TriggerLawRevision, models.TriggerDutyChange, models.TriggerSystemChange}
	if !slices.Contains(kinds, in.Kind) {
		errs = append(errs, FieldError{"kind", "must be one of " + strings.Join(kinds, ", ")})
	}
	from, derr := holidays.ParseDate(in.EffectiveDate)
	if derr != nil {
		errs = append(errs, FieldError{"effective_date", "must be a date YYYY-MM-DD"})
	}
	if len(errs) > 0 {
		return invalid(errs...)
	}
	if err := s.knownCity("jurisdiction", in.Jurisdiction); err != nil {
		return err
	}
	switch {
	case cl.Role == RoleDepartment && cl.Dept != in.Dept:
		return problem(http.StatusForbidden, fmt.Sprintf("department %s records triggers for its own catalog, not for %s", cl.Dept, in.Dept))
	case cl.Role == RoleAuthority && cl.Jurisdiction != in.Jurisdiction:
		return problem(http.StatusForbidden, fmt.Sprintf("the authority of %s does not record triggers in %s", cl.Jurisdiction, in.Jurisdiction))
	}
	ctx := c.Request().Context()
	db := s.DB.WithContext(ctx)
	dept, err := registered(db, "dept", in.Dept, in.Jurisdiction)
	if err != nil {
		return err
	}
	profile, err := s.Regulations.InForce(in.Jurisdiction, s.now(), holidays.Shanghai)
	if err != nil {
		return invalid(FieldError{"jurisdiction", err.Error()})
	}
	if !slices.Contains(profile.CatalogChange.TriggerKinds, in.Kind) {
		return invalid(FieldError{"kind", fmt.Sprintf("%s starts the update clock only on %s, not on %s (%s)",
			profile.Document, strings.Join(profile.CatalogChange.TriggerKinds, ", "), in.Kind, profile.CatalogChange.Update.Article)})
	}
	if err := effectiveDate(from, s.now(), profile); err != nil {
		return err
	}
	if in.ReceivingDept != "" {
		if in.ReceivingDept == in.Dept {
			return invalid(FieldError{"receiving_dept", "is the department itself"})
		}
		if _, err := registered(db, "receiving_dept", in.ReceivingDept, in.Jurisdiction); err != nil {
			return err
		}
	} else if profile.CatalogChange.Path == regulations.PathJointSubmission && in.Kind == models.TriggerDutyChange {
		return invalid(FieldError{"receiving_dept", "a change of duties is submitted together with the department taking them over (" + profile.CatalogChange.Update.Article + ")"})
	}

	id, keyed, err := procedureID(c, "ct-", cl.Subject+"\n"+dept.Code)
	if err != nil {
		return err
	}
	if keyed {
		p, err := prior[models.CatalogTrigger](db, id)
		if err != nil {
			return err
		}
		if p != nil {
			claim, err := s.claimKey(c, id, "trigger", in, true)
			if err != nil {
				return err
			}
			return s.replayTrigger(c, *p, claim != models.ClaimLegacy || sameTrigger(*p, in))
		}
	}
	t := models.CatalogTrigger{
		Header:        models.Header{ID: id, WorkflowID: id, Jurisdiction: in.Jurisdiction},
		Dept:          dept.Code,
		Kind:          in.Kind,
		EffectiveDate: in.EffectiveDate,
		Description:   in.Description,
		ReceivingDept: in.ReceivingDept,
		RecordedBy:    workflowsActor(cl).String(),
		CreatedAt:     s.now().UTC(),
	}
	claim, err := s.claimNew(c, keyed, id, "trigger", in)
	if err != nil {
		return err
	}
	attrs := procedureAttrs(in.Jurisdiction, workflows.ProcedureCatalogUpdate, dept.Code)
	finished, err := s.startFiled(ctx, id, attrs, workflows.CatalogUpdate, workflows.CatalogUpdateInput{Trigger: t, From: from, Profile: profile})
	if err != nil {
		return err
	}
	var stored models.CatalogTrigger
	if err := db.First(&stored, "id = ?", id).Error; err != nil {
		return fmt.Errorf("load trigger %s: %w", id, err)
	}
	if finished || claim == models.ClaimSame {
		return s.replayTrigger(c, stored, true)
	}
	s.log(c).Info().Str("workflow_id", id).Str("dept", dept.Code).Msg("catalog update trigger recorded")
	v, err := s.triggerView(c, stored)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/catalog/triggers/"+id)
	return c.JSON(http.StatusCreated, v)
}

// replayTrigger answers a retried POST with the trigger its key recorded.
func (s *Server) replayTrigger(c echo.Context, t models.CatalogTrigger, same bool) error {
	return replayed(c, same, "trigger", "/api/v1/catalog/triggers/"+t.ID, func() (any, error) { return s.triggerView(c, t) })
}

// sameTrigger compares a retried POST with a trigger recorded before
// fingerprints (models.IdempotencyKey).
func sameTrigger(t models.CatalogTrigger, in triggerInput) bool {
	return t.Dept == in.Dept && t.Kind == in.Kind && t.EffectiveDate == in.EffectiveDate &&
		t.Description == in.Description && t.ReceivingDept == in.ReceivingDept
}

// workflowsActor is the caller as workflows record them.
func workflowsActor(cl *Claims) workflows.Actor {
	return workflows.Actor{Subject: cl.Subject, Role: cl.Role, Dept: cl.Dept, Jurisdiction: cl.Jurisdiction}
}

// scopeCatalogProcedures limits a query on triggers or changes to those the
// caller may see: a department its own (and, for changes, those it takes
// duties over), the authority its city's, auditors and admins all.
func scopeCatalogProcedures(cl *Claims, q *gorm.DB, receiving bool) (*gorm.DB, error) {
	switch cl.Role {
	case RoleAuditor, RoleAdmin:
		return q, nil
	case RoleAuthority:
		return q.Where("jurisdiction = ?", cl.Jurisdiction), nil
	case RoleDepartment:
		if receiving {
			return q.Where("dept = ? OR receiving_dept = ?", cl.Dept, cl.Dept), nil
		}
		return q.Where("dept = ?", cl.Dept), nil
	}
	return nil, problem(http.StatusForbidden, "role "+cl.Role+" may not read catalog procedures")
}

func (s *Server) getTrigger(c echo.Context) error {
	q, err := scopeCatalogProcedures(claims(c), s.DB.WithContext(c.Request().Context()), false)
	if err != nil {
		return err
	}
	t, err := findScoped[models.CatalogTrigger](q, c.Param("id"), "trigger")
	if err != nil {
		return err
	}
	v, err := s.triggerView(c, t)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) listTriggers(c echo.Context) error {
	q, err := scopeCatalogProcedures(claims(c), s.DB.WithContext(c.Request().Context()), false)
	if err != nil {
		return err
	}
	q = eqFilters(c, q, "status", "jurisdiction", "dept", "kind")
	if q, err = overdueFilter(c, q); err != nil {
		return err
	}
	return paginate[models.CatalogTrigger](c, q.Order("created_at DESC, id"))
}

// overdueFilter applies the overdue=true|false query parameter.
func overdueFilter(c echo.Context, q *gorm.DB) (*gorm.DB, error) {
	switch v := c.QueryParam("overdue"); v {
	case "":
		return q, nil
	case "true", "false":
		return q.Where("overdue = ?", v == "true"), nil
	}
	return nil, problem(http.StatusBadRequest, "overdue must be true or false", FieldError{"overdue", "must be true or false"})
}

// MaxTriggerLead is how far ahead a trigger's effective_date may be: a change
// takes effect within a year of being recorded.
const MaxTriggerLead = 366 * 24 * time.Hour

// effectiveDate refuses a trigger's effective_date more than a year ahead of
// now or before the city's regulation came into force: no obligation counts
// from a day the regulation did not yet govern.
func effectiveDate(from, now time.Time, p regulations.Profile) error {
	if from.After(now.Add(MaxTriggerLead)) {
		return invalid(FieldError{"effective_date", "must be at most one year ahead (" + now.Add(MaxTriggerLead).In(holidays.Shanghai).Format(time.DateOnly) + ")"})
	}
	if p.ValidFrom != "" {
		if start, err := holidays.ParseDate(p.ValidFrom); err == nil && from.Before(start) {
			return invalid(FieldError{"effective_date", fmt.Sprintf("is before %s, when %s came into force", p.ValidFrom, p.Document)})
		}
	}
	return nil
}
