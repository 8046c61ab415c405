package api

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"
)

// scopeTasks limits a query to the caller's inbox.
func scopeTasks(cl *Claims, q *gorm.DB) *gorm.DB {
	switch cl.Role {
	case RoleAuditor, RoleAdmin:
		return q
	case RoleDepartment:
		return q.Where("assignee_role = ? AND assignee_dept = ?", cl.Role, cl.Dept)
	}
	return q.Where("assignee_role = ? AND jurisdiction = ?", cl.Role, cl.Jurisdiction)
}

func (s *Server) listTasks(c echo.Context) error {
	q := scopeTasks(claims(c), s.DB.WithContext(c.Request().Context()))
	switch st := c.QueryParam("status"); st {
	case "":
	case models.TaskOpen:
		q = q.Where("status = ?", models.TaskOpen)
	case models.TaskDone:
		q = q.Where("status <> ?", models.TaskOpen)
	default:
		return problem(http.StatusBadRequest, "status must be open or done", FieldError{"status", "must be open or done"})
	}
	if p := c.QueryParam("procedure"); p != "" {
		q = q.Where("procedure = ?", p)
	}
	q, err := boolFilter(c, q, "overdue")
	if err != nil {
		return err
	}
	return inboxPage(c, q)
}

// keysetMark starts a keyset page token of the inbox (after it come the
// last listed task's due time in Unix nanoseconds, a comma and its ID); a
// token without it is an offset, as every other list's, still accepted.
const keysetMark = "k"

// inboxPage answers with one page of the inbox in due order (due_at, id).
// Its next_page_token is a keyset token naming the last task listed, so
// that every page is read from the inbox's index as the first one is
// (models inboxIndexes): an offset read every row before it, 63 ms at
// offset 50,000 (README Benchmarks). A token of the earlier form (an
// offset) still pages on from its offset.
func inboxPage(c echo.Context, q *gorm.DB) error {
	limit, err := pageSize(c)
	if err != nil {
		return err
	}
	if t := c.QueryParam("page_token"); t != "" {
		due, id, offset, ok := parseInboxToken(t)
		if !ok {
			return problem(http.StatusBadRequest, "page_token is not one this API issued", FieldError{"page_token", "invalid"})
		}
		if id != "" {
			q = q.Where("(due_at, id) > (?, ?)", due, id)
		} else {
			q = q.Offset(offset)
		}
	}
	items := []models.Task{}
	if err := q.Order("due_at, id").Limit(limit + 1).Find(&items).Error; err != nil {
		return fmt.Errorf("list tasks: %w", err)
	}
	out := list[models.Task]{Items: items}
	if len(items) > limit {
		out.Items = items[:limit]
		last := items[limit-1]
		out.NextPageToken = inboxToken(last.DueAt, last.ID)
	}
	return c.JSON(http.StatusOK, out)
}

// inboxToken is the keyset page token after the task due at due with ID id.
func inboxToken(due time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(keysetMark + strconv.FormatInt(due.UnixNano(), 10) + "," + id))
}

// parseInboxToken reads a page token of the inbox: a keyset one (the due
// time and ID of the last task listed) or an offset (id empty).
func parseInboxToken(t string) (due time.Time, id string, offset int, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(t)
	if err != nil {
		return time.Time{}, "", 0, false
	}
	rest, keyset := strings.CutPrefix(string(b), keysetMark)
	if !keyset {
		offset, err = strconv.Atoi(rest)
		return time.Time{}, "", offset, err == nil && offset >= 0
	}
	ns, id, found := strings.Cut(rest, ",")
	n, err := strconv.ParseInt(ns, 10, 64)
	if !found || err != nil || id == "" {
		return time.Time{}, "", 0, false
	}
	return time.Unix(0, n).UTC(), id, 0, true
}

type decisionInput struct {
	Decision   string `json:"decision" bound:"id"`
	Reason     string `json:"reason"`
	LegalBasis string `json:"legal_basis"`
	Conditions string `json:"conditions"`
	// Item is the corrected catalog item of an objection's fix_and_reopen.
	Item *decisionItem `json:"item"`
}

// decisionItem is the corrected catalog item a decision sends: the fields of
// a catalog item as it is filed, and those of a stored item (version and
// times), so that an item read from the API can be sent back as it is.
type decisionItem struct {
	catalogInput
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// model is the item as the workflow takes it.
func (it *decisionItem) model() *models.CatalogItem {
	if it == nil {
		return nil
	}
	m := it.catalogInput.model()
	m.Version, m.CreatedAt, m.UpdatedAt = it.Version, it.CreatedAt, it.UpdatedAt
	return &m
}

// decideTask sends the decision to the procedure's workflow as an Update; the
// workflow's validator has the last word on who may decide what.
func (s *Server) decideTask(c echo.Context) error {
	cl := claims(c)
	var in decisionInput
	if err := bind(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	t, err := s.inboxTask(c, false)
	if err != nil {
		return err
	}
	updateID, claim, err := s.decisionKey(c, t.ID, in)
	if err != nil {
		return err
	}
	// A retried decision (same key, same body) on the task it closed is sent
	// again under the same Update ID: Temporal answers with the first one's
	// outcome instead of running it again.
	replay := t.Status != models.TaskOpen && claim == models.ClaimSame
	if t.Status != models.TaskOpen && !replay {
		return invalid(FieldError{"decision", fmt.Sprintf("task %s is closed (%s)", t.ID, t.Status)})
	}
	if !replay {
		if err := s.checkCorrection(c, t, in); err != nil {
			return err
		}
		if err := checkRequires(t, in); err != nil {
			return err
		}
	}
	d := workflows.Decision{TaskID: t.ID, Decision: in.Decision, Reason: in.Reason, LegalBasis: in.LegalBasis,
		Conditions: in.Conditions, Item: in.Item.model(), Actor: workflowsActor(cl)}
	if err := s.sendDecision(ctx, t.WorkflowID, updateID, d); err != nil {
		return updateProblem(err)
	}
	if replay {
		c.Response().Header().Set("Idempotent-Replayed", "true")
	}
	s.log(c).Info().Str("workflow_id", t.WorkflowID).Str("task", t.ID).Str("decision", in.Decision).Msg("decision recorded")
	if err := s.DB.WithContext(ctx).First(&t, "id = ?", t.ID).Error; err != nil {
		return fmt.Errorf("reload task: %w", err)
	}
	return c.JSON(http.StatusOK, t)
}

// sendDecision sends a decision to a procedure's workflow and waits until the
// workflow has acted on it.
// A non-empty updateID makes the Update idempotent: sent again, Temporal
// returns the outcome of the first.
func (s *Server) sendDecision(ctx context.Context, workflowID, updateID string, d workflows.Decision) error {
	h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateID: updateID, UpdateName: workflows.UpdateDecide, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{d},
	})
	if err != nil {
		return err
	}
	var view workflows.DecideResult
	return h.Get(ctx, &view)
}

// updateProblem maps a decision's rejection by its validator to HTTP.
func updateProblem(err error) error { return updateProblemOn("decision", err) }

// updateProblemOn maps an Update's rejection by its validator to HTTP, naming
// field for a 422.
func updateProblemOn(field string, err error) error {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		switch app.Type() {
		case workflows.ErrForbidden:
			return problem(http.StatusForbidden, app.Message())
		case workflows.ErrInvalid:
			return invalid(FieldError{field, app.Message()})
		case workflows.ErrNotFound:
			return problem(http.StatusNotFound, app.Message())
		}
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return invalid(FieldError{field, "the procedure has already ended"})
	}
	return fmt.Errorf("send update: %w", err)
}

// decisionKey derives the Update ID of a keyed decision from the task and
// the Idempotency-Key, and claims the key for the decision's fingerprint
// (who decides, and the whole body): the same key again with the same body
// is ClaimSame, with another body a 422 naming the key. Without a key it
// returns an empty ID (Temporal picks one) and ClaimNew.
func (s *Server) decisionKey(c echo.Context, taskID string, in decisionInput) (string, string, error) {
	id, err := keyedID(c, "decision-", taskID)
	if id == "" || err != nil {
		return "", models.ClaimNew, err
	}
	claim, err := s.claimKey(c, id, "decision", in, false)
	if err != nil {
		return "", "", err
	}
	return id, claim, nil
}
