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
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"
)

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
	Rounds      []models.ChangeRound `json:"rounds"`
	Tasks       []models.Task        `json:"tasks"`
	Events      []models.Event       `json:"events"`
	Deadline    *stepDeadline        `json:"deadline,omitempty"` // the open step's deadline, from its tasks
	Provisional bool                 `json:"provisional"`        // the open step's deadline is provisional
}

func (s *Server) changeView(c echo.Context, ch models.CatalogChange) (changeView, error) {
	v := changeView{CatalogChange: ch, Rounds: []models.ChangeRound{}}
	if err := s.DB.WithContext(c.Request().Context()).Where("change_id = ?", ch.ID).Order("round").Find(&v.Rounds).Error; err != nil {
		return v, fmt.Errorf("load rounds of %s: %w", ch.ID, err)
	}
	var err error
	v.Tasks, v.Events, err = s.procedureRecords(c, ch.ID)
	v.Deadline = openDeadline(v.Tasks)
	v.Provisional = v.Deadline != nil && v.Deadline.Provisional
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

// checkOperations validates a change's operations against the catalog, and
// lists the items it makes conditional or not shared.
func (s *Server) checkOperations(c echo.Context, dept models.Department, in []operationInput) ([]models.ChangeOperation, []string, error) {
	var errs []FieldError
	for i, op := range in {
		if it := op.Item; it != nil && (op.Op == models.OpAdd || op.Op == models.OpModify) {
			if fe := s.shareConditions(fmt.Sprintf("operations[%d].item.share_conditions", i), dept.Jurisdiction, it.ShareType, it.ShareConditions); fe != nil {
				errs = append(errs, *fe)
			}
		}
	}
	if len(errs) > 0 {
		return nil, nil, invalid(errs...)
	}
	db := s.DB.WithContext(c.Request().Context())
	ops, err := models.CheckChange(db, dept, operations(in))
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

// callerDept loads the caller's department.
func (s *Server) callerDept(c echo.Context, cl *Claims) (models.Department, error) {
	var dept models.Department
	if err := s.DB.WithContext(c.Request().Context()).First(&dept, "code = ?", cl.Dept).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return dept, problem(http.StatusForbidden, fmt.Sprintf("department %s of the token is not registered", cl.Dept))
		}
		return dept, fmt.Errorf("load department: %w", err)
	}
	return dept, nil
}

// createChange submits a department's change of its own catalog and starts
// its review on the city's path.
func (s *Server) createChange(c echo.Context) error {
	cl, err := allow(c, RoleDepartment)
	if err != nil {
		return err
	}
	var in changeInput
	if err := bind(c, &in); err != nil {
		return err
	}
	var errs []FieldError
	if strings.TrimSpace(in.Jurisdiction) == "" {
		errs = append(errs, FieldError{"jurisdiction", "is required"})
	}
	if strings.TrimSpace(in.Reason) == "" {
		errs = append(errs, FieldError{"reason", "is required"})
	}
	if len(in.Operations) == 0 {
		errs = append(errs, FieldError{"operations", "a change needs at least one operation"})
	}
	if len(errs) > 0 {
		return invalid(errs...)
	}
	dept, err := s.callerDept(c, cl)
	if err != nil {
		return err
	}
	if in.Jurisdiction != dept.Jurisdiction {
		return invalid(FieldError{"jurisdiction", fmt.Sprintf("department %s is in %s, not %s", dept.Code, dept.Jurisdiction, in.Jurisdiction)})
	}
	profile, err := s.Regulations.InForce(dept.Jurisdiction, s.now(), holidays.Shanghai)
	if err != nil {
		return invalid(FieldError{"jurisdiction", err.Error()})
	}
	ctx := c.Request().Context()
	db := s.DB.WithContext(ctx)

	id, keyed, err := procedureID(c, "cc-", dept.Code)
	if err != nil {
		return err
	}
	if keyed { // before the operations are checked: a retry finds them applied
		p, err := prior[models.CatalogChange](db, id)
		if err != nil {
			return err
		}
		if p != nil {
			claim, err := s.claimKey(c, id, "change", in, true)
			if err != nil {
				return err
			}
			return s.replayChange(c, *p, claim != models.ClaimLegacy || s.sameChange(c, *p, in))
		}
	}
	var trigger models.CatalogTrigger
	if in.TriggerID != "" {
		if err := db.First(&trigger, "id = ?", in.TriggerID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return invalid(FieldError{"trigger_id", fmt.Sprintf("no trigger %q", in.TriggerID)})
			}
			return fmt.Errorf("load trigger: %w", err)
		}
		if trigger.Dept != dept.Code {
			return invalid(FieldError{"trigger_id", fmt.Sprintf("trigger %s obliges %s, not %s", trigger.ID, trigger.Dept, dept.Code)})
		}
	}
	ops, restricted, err := s.checkOperations(c, dept, in.Operations)
	if err != nil {
		return err
	}
	ch := models.CatalogChange{
		Header:         models.Header{ID: id, WorkflowID: id, Jurisdiction: dept.Jurisdiction},
		Dept:           dept.Code,
		SubmittedBy:    workflowsActor(cl).String(),
		Reason:         in.Reason,
		TriggerID:      trigger.ID,
		ReceivingDept:  trigger.ReceivingDept,
		Operations:     ops,
		Classification: restricted,
		SubmittedAt:    s.now().UTC(),
	}
	claim, err := s.claimNew(c, keyed, id, "change", in)
	if err != nil {
		return err
	}
	attrs := procedureAttrs(dept.Jurisdiction, workflows.ProcedureCatalogChange, dept.Code)
	finished, err := s.startFiled(ctx, id, attrs, workflows.CatalogChange,
		workflows.CatalogChangeInput{Change: ch, TriggerWorkflowID: trigger.WorkflowID, Profile: profile})
	if err != nil {
		return err
	}
	var stored models.CatalogChange
	if err := db.First(&stored, "id = ?", id).Error; err != nil {
		return fmt.Errorf("load change %s: %w", id, err)
	}
	if finished || claim == models.ClaimSame {
		return s.replayChange(c, stored, true)
	}
	s.log(c).Info().Str("workflow_id", id).Str("dept", dept.Code).Int("operations", len(ops)).Msg("catalog change submitted")
	v, err := s.changeView(c, stored)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/catalog/changes/"+id)
	return c.JSON(http.StatusCreated, v)
}

// replayChange answers a retried POST with the change its key submitted.
func (s *Server) replayChange(c echo.Context, ch models.CatalogChange, same bool) error {
	return replayed(c, same, "change", "/api/v1/catalog/changes/"+ch.ID, func() (any, error) { return s.changeView(c, ch) })
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

// loadChange loads a change the caller may see.
func (s *Server) loadChange(c echo.Context) (models.CatalogChange, error) {
	var ch models.CatalogChange
	q, err := scopeCatalogProcedures(claims(c), s.DB.WithContext(c.Request().Context()), true)
	if err != nil {
		return ch, err
	}
	return findScoped[models.CatalogChange](q, c.Param("id"), "catalog change")
}

func (s *Server) getChange(c echo.Context) error {
	ch, err := s.loadChange(c)
	if err != nil {
		return err
	}
	v, err := s.changeView(c, ch)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) listChanges(c echo.Context) error {
	q, err := scopeCatalogProcedures(claims(c), s.DB.WithContext(c.Request().Context()), true)
	if err != nil {
		return err
	}
	q = eqFilters(c, q, "status", "jurisdiction", "dept", "trigger_id")
	if q, err = overdueFilter(c, q); err != nil {
		return err
	}
	return paginate[models.CatalogChange](c, q.Order("submitted_at DESC, id"))
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
	ops, restricted, err := s.checkOperations(c, dept, in.Operations)
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
	ch, err := s.loadChange(c)
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
	ctx := c.Request().Context()
	h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: ch.WorkflowID, UpdateName: name, WaitForStage: client.WorkflowUpdateStageCompleted, Args: []any{arg},
	})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	if err != nil {
		return updateProblemOn("operations", err)
	}
	s.log(c).Info().Str("workflow_id", ch.WorkflowID).Str("update", name).Msg("catalog change updated")
	if err := s.DB.WithContext(ctx).First(&ch, "id = ?", ch.ID).Error; err != nil {
		return fmt.Errorf("reload change %s: %w", ch.ID, err)
	}
	v, err := s.changeView(c, ch)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
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
		var it models.CatalogItem
		if err := db.First(&it, "id = ?", id).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return problem(http.StatusNotFound, fmt.Sprintf("catalog item %s not found", id))
			}
			return fmt.Errorf("load catalog item: %w", err)
		}
	}
	return paginate[models.CatalogItemVersion](c, db.Where("item_id = ?", id).Order("version"))
}
