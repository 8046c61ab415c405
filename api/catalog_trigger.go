package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// The routes of workflows.TriggerProcedure (serveProcedure).
var _ = serveProcedure(&workflows.TriggerProcedure.Descriptor, (*Server).createTrigger, (*Server).triggerView)

// triggerView is an update obligation as the API shows it.
type triggerView struct {
	models.CatalogTrigger
	steps
	DueAt string `json:"due_at,omitempty"`
}

func (s *Server) triggerView(c echo.Context, t models.CatalogTrigger) (triggerView, error) {
	v := triggerView{CatalogTrigger: t}
	if t.DueAt != nil {
		v.DueAt = beijing(*t.DueAt)
	}
	var err error
	v.steps, err = s.stepsOf(c, t.Header)
	return v, err
}

// registered loads a department of a jurisdiction, or names the field at fault.
func registered(db *gorm.DB, field, code, jurisdiction string) (models.Department, error) {
	d, msg, err := lookupDept(db, code, jurisdiction)
	if err == nil && msg != "" {
		err = invalid(FieldError{field, msg})
	}
	return d, err
}

// lookupDept loads a department and says why it does not serve in the
// jurisdiction ("" when it does).
func lookupDept(db *gorm.DB, code, jurisdiction string) (models.Department, string, error) {
	var d models.Department
	if err := db.First(&d, "code = ?", code).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return d, fmt.Sprintf("department %q is not registered", code), nil
		}
		return d, "", fmt.Errorf("load department %s: %w", code, err)
	}
	if d.Jurisdiction != jurisdiction {
		return d, fmt.Sprintf("department %s belongs to %s, not %s", code, d.Jurisdiction, jurisdiction), nil
	}
	return d, "", nil
}

// createTrigger records a change in law, duties or systems that obliges a
// department to update its catalog (workflows.TriggerProcedure). A
// department records its own; the authority records any of its city's.
func (s *Server) createTrigger(c echo.Context) error {
	p := workflows.TriggerProcedure
	cl, in, err := fileInput(c, p)
	if err != nil {
		return err
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
	db := s.DB.WithContext(c.Request().Context())
	dept, err := registered(db, "dept", in.Dept, in.Jurisdiction)
	if err != nil {
		// A department's own token (in.Dept) naming an unregistered
		// department is a 403, as on every other filing; a department the
		// authority names is the body's field (the 422).
		if e := s.registeredCaller(c, cl); e != nil {
			return e
		}
		return err
	}
	facts := workflows.TriggerFacts{Filed: filed(s, cl, in), Dept: dept}
	if in.ReceivingDept != "" && in.ReceivingDept != in.Dept {
		if _, facts.Receiving, err = lookupDept(db, in.ReceivingDept, in.Jurisdiction); err != nil {
			return err
		}
	}
	return s.file(c, filing{d: &p.Descriptor, in: in, key: cl.Subject + "\n" + dept.Code,
		same:  func(r any) bool { return sameTrigger(*r.(*models.CatalogTrigger), in) },
		start: func(id string) (procedure.Start, error) { return fileWith(s, p, facts, in.Jurisdiction, facts.Now, id) },
	})
}

// sameTrigger compares a retried POST with a trigger recorded before
// fingerprints (models.IdempotencyKey).
func sameTrigger(t models.CatalogTrigger, in workflows.TriggerFiling) bool {
	return t.Dept == in.Dept && t.Kind == in.Kind && t.EffectiveDate == in.EffectiveDate &&
		t.Description == in.Description && t.ReceivingDept == in.ReceivingDept
}

// workflowsActor is the caller as workflows record them.
func workflowsActor(cl *Claims) workflows.Actor { return workflows.ActorOf(caller(cl)) }

// MaxTriggerLead is how far ahead a trigger's effective_date may be
// (workflows.MaxTriggerLead).
const MaxTriggerLead = workflows.MaxTriggerLead
