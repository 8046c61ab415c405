package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// The routes of workflows.ChangeProcedure (serveProcedure).
var _ = serveProcedure(&workflows.ChangeProcedure.Descriptor, (*Server).createChange, (*Server).changeView,
	update{path: "/:id/resubmit", h: (*Server).resubmitChange},
	update{path: "/:id/withdraw", h: (*Server).withdrawChange})

type operationInput struct {
	Op          string        `json:"op" bound:"id"`
	ItemID      string        `json:"item_id" bound:"id"`
	BaseVersion int           `json:"base_version"`
	Item        *catalogInput `json:"item"`
}

type changeInput struct {
	Jurisdiction string           `json:"jurisdiction" bound:"id"`
	Reason       string           `json:"reason"`
	TriggerID    string           `json:"trigger_id" bound:"id"`
	Operations   []operationInput `json:"operations" bound:"max=100"`
}

type resubmitInput struct {
	Reason     string           `json:"reason"`
	Operations []operationInput `json:"operations" bound:"max=100"`
}

// changeView is a catalog change as the API shows it: every round, the tasks
// of its review and its events.
type changeView struct {
	models.CatalogChange
	steps
	Rounds []models.ChangeRound `json:"rounds"`
}

func (s *Server) changeView(c echo.Context, ch models.CatalogChange) (changeView, error) {
	v := changeView{CatalogChange: ch, Rounds: []models.ChangeRound{}}
	if err := s.DB.WithContext(c.Request().Context()).Where("change_id = ?", ch.ID).Order("round").Find(&v.Rounds).Error; err != nil {
		return v, fmt.Errorf("load rounds of %s: %w", ch.ID, err)
	}
	var err error
	v.steps, err = s.stepsShowing(c, &v.Header)
	return v, err
}

// operations converts the body's operations for the models.
func operations(in []operationInput) []models.ChangeOperation {
	out := make([]models.ChangeOperation, len(in))
	for i, op := range in {
		out[i] = models.ChangeOperation{Op: op.Op, ItemID: op.ItemID, BaseVersion: op.BaseVersion}
		if it := op.Item; it != nil {
			m := it.model()
			out[i].Item = &m
		}
	}
	return out
}

// checkOperations checks a change's operations against the catalog
// (models.CheckChange; a conflict is a 409), and lists the items it makes
// conditional or not shared.
func (s *Server) checkOperations(c echo.Context, dept models.Department, ops []models.ChangeOperation) ([]models.ChangeOperation, []string, error) {
	db := s.DB.WithContext(c.Request().Context())
	ops, err := models.CheckChange(db, dept, ops)
	var conflict *models.ConflictError
	if errors.As(err, &conflict) {
		return nil, nil, problem(http.StatusConflict, conflict.Error(), FieldError{conflict.Field, conflict.Message})
	}
	if err != nil {
		return nil, nil, fromModel(err)
	}
	restricted, err := models.Restricted(db, ops)
	if err != nil {
		return nil, nil, err
	}
	return ops, restricted, nil
}

// openTypes loads the current open types of the items ops modify, by ID
// (an item that does not exist is left out: the change's check reports it).
func (s *Server) openTypes(c echo.Context, ops []models.ChangeOperation) (map[string]string, error) {
	ids := []string{}
	for _, op := range ops {
		if op.Op == models.OpModify {
			ids = append(ids, op.ItemID)
		}
	}
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var items []models.CatalogItem
	if err := s.DB.WithContext(c.Request().Context()).Select("id", "open_type").Where("id IN ?", ids).Find(&items).Error; err != nil {
		return nil, fmt.Errorf("load open types: %w", err)
	}
	for _, it := range items {
		out[it.ID] = it.OpenType
	}
	return out, nil
}

// createChange submits a department's change of its own catalog
// (workflows.ChangeProcedure).
func (s *Server) createChange(c echo.Context) error {
	p := workflows.ChangeProcedure
	cl, err := allow(c, p.File...)
	if err != nil {
		return err
	}
	var in changeInput
	if err := bind(c, &in); err != nil {
		return err
	}
	change := workflows.ChangeFiling{Jurisdiction: in.Jurisdiction, Reason: in.Reason, TriggerID: in.TriggerID, Operations: operations(in.Operations)}
	if errs := p.Form(change); len(errs) > 0 {
		return invalid(fields(errs)...)
	}
	dept, err := s.callerDept(c, cl)
	if err != nil {
		return err
	}
	facts := workflows.ChangeFacts{Filed: filed(s, cl, change), Dept: dept}
	return s.file(c, filing{d: &p.Descriptor, in: in, key: dept.Code,
		same: func(r any) bool { return s.sameChange(c, *r.(*models.CatalogChange), in) },
		start: func(id string) (procedure.Start, error) {
			// after the replay: a retry finds its operations applied
			profile, err := s.inForce(dept.Jurisdiction, facts.Now)
			if err != nil {
				return procedure.Start{}, err
			}
			if facts.Trigger, err = s.trigger(c, in.TriggerID); err != nil {
				return procedure.Start{}, err
			}
			if facts.OpenTypes, err = s.openTypes(c, change.Operations); err != nil {
				return procedure.Start{}, err
			}
			if errs := p.Check(facts, profile); len(errs) > 0 {
				return procedure.Start{}, invalid(fields(errs)...)
			}
			if facts.Checked, facts.Restricted, err = s.checkOperations(c, dept, change.Operations); err != nil {
				return procedure.Start{}, err
			}
			return p.Start(id, facts, profile), nil
		},
	})
}

// trigger loads the trigger a change names; nil when it names none or one
// that does not exist.
func (s *Server) trigger(c echo.Context, id string) (*models.CatalogTrigger, error) {
	if id == "" {
		return nil, nil
	}
	var t models.CatalogTrigger
	switch err := s.DB.WithContext(c.Request().Context()).First(&t, "id = ?", id).Error; {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("load trigger: %w", err)
	}
	return &t, nil
}

// sameChange tells whether a stored change is the one a retried POST asks
// for: same reason, trigger, and operations on the same items in its first
// round; for changes submitted before fingerprints (models.IdempotencyKey).
func (s *Server) sameChange(c echo.Context, ch models.CatalogChange, in changeInput) bool {
	var first models.ChangeRound
	if s.DB.WithContext(c.Request().Context()).First(&first, "change_id = ? AND round = 1", ch.ID).Error != nil {
		return false
	}
	if ch.TriggerID != in.TriggerID || first.Reason != in.Reason || len(first.Operations) != len(in.Operations) {
		return false
	}
	for i, op := range first.Operations {
		id := in.Operations[i].ItemID
		if id == "" && in.Operations[i].Item != nil {
			id = in.Operations[i].Item.ID
		}
		if op.Op != in.Operations[i].Op || op.ItemID != id {
			return false
		}
	}
	return true
}

// resubmitChange sends a returned change's revised operations as a new round.
func (s *Server) resubmitChange(c echo.Context) error {
	cl, err := allow(c, RoleDepartment)
	if err != nil {
		return err
	}
	var in resubmitInput
	if err := bind(c, &in); err != nil {
		return err
	}
	ch, err := s.ownReturnedChange(c, cl)
	if err != nil {
		return err
	}
	if strings.TrimSpace(in.Reason) == "" {
		return invalid(FieldError{"reason", "is required"})
	}
	if len(in.Operations) == 0 {
		return invalid(FieldError{"operations", "a change needs at least one operation"})
	}
	dept, err := s.callerDept(c, cl)
	if err != nil {
		return err
	}
	ops := operations(in.Operations)
	if p, ok := s.Regulations.Get(dept.Jurisdiction); ok {
		current, err := s.openTypes(c, ops)
		if err != nil {
			return err
		}
		errs := append(workflows.OpenTypeChanges(ops, current, p), workflows.OperationConditions(ops, p)...)
		if len(errs) > 0 {
			return invalid(fields(errs)...)
		}
	}
	ops, restricted, err := s.checkOperations(c, dept, ops)
	if err != nil {
		return err
	}
	return s.sendChangeUpdate(c, ch, workflows.UpdateResubmit,
		workflows.ChangeResubmitInput{Reason: in.Reason, Operations: ops, Classification: restricted, Actor: workflowsActor(cl)})
}

// withdrawChange gives up a returned change.
func (s *Server) withdrawChange(c echo.Context) error {
	cl, err := allow(c, RoleDepartment)
	if err != nil {
		return err
	}
	ch, err := s.ownReturnedChange(c, cl)
	if err != nil {
		return err
	}
	return s.sendChangeUpdate(c, ch, workflows.UpdateWithdraw, workflows.WithdrawInput{Actor: workflowsActor(cl)})
}

// ownReturnedChange loads the caller's own change and checks it is returned;
// the workflow's validator has the last word.
func (s *Server) ownReturnedChange(c echo.Context, cl *Claims) (models.CatalogChange, error) {
	ch, err := load[models.CatalogChange](s, c, &workflows.ChangeProcedure.Descriptor)
	if err != nil {
		return ch, err
	}
	if ch.Dept != cl.Dept {
		return ch, problem(http.StatusForbidden, fmt.Sprintf("change %s belongs to department %s", ch.ID, ch.Dept))
	}
	if ch.Status != models.ChangeReturned {
		return ch, invalid(FieldError{"status", fmt.Sprintf("change %s is %s; only a returned change can be resubmitted or withdrawn", ch.ID, ch.Status)})
	}
	return ch, nil
}

// sendChangeUpdate sends an Update to a change's workflow and answers with
// the change once the workflow has acted on it.
func (s *Server) sendChangeUpdate(c echo.Context, ch models.CatalogChange, name string, arg any) error {
	return updated(s, c, &workflows.ChangeProcedure.Descriptor, ch.ID, ch.WorkflowID, name, "operations", arg)
}

// itemVersions lists every version of a catalog item with the change that
// made it, oldest first; a deleted item keeps its versions.
func (s *Server) itemVersions(c echo.Context) error {
	db := s.DB.WithContext(c.Request().Context())
	id := c.Param("id")
	var n int64
	if err := db.Model(&models.CatalogItemVersion{}).Where("item_id = ?", id).Count(&n).Error; err != nil {
		return fmt.Errorf("count versions of %s: %w", id, err)
	}
	if n == 0 {
		if _, err := findScoped[models.CatalogItem](db, id, "catalog item"); err != nil {
			return err
		}
	}
	return paginate[models.CatalogItemVersion](c, db.Where("item_id = ?", id).Order("version"))
}
