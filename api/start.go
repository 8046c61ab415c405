package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cityapprovals/approvals/activities"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// idNamespace derives procedure IDs from Idempotency-Keys.
var idNamespace = uuid.MustParse("6b0f3c1e-8a43-4d6e-9a55-3f1c7f0a2b11")

// procedureID is the ID of a new procedure: derived from the department and
// the Idempotency-Key when the caller sent one (keyed), so that a retried POST
// finds the same procedure, and fresh otherwise.
func procedureID(c echo.Context, prefix, dept string) (id string, keyed bool, err error) {
	if id, err = keyedID(c, prefix, dept); id == "" && err == nil {
		return prefix + uuid.NewString(), false, nil
	}
	return id, err == nil, err
}

// keyedID is the ID a keyed POST derives from whose key it is (owner) and
// its Idempotency-Key, after prefix: the same owner and key give the same
// ID. Without a key it is ""; a key longer than 200 characters is a 400.
func keyedID(c echo.Context, prefix, owner string) (string, error) {
	key := c.Request().Header.Get("Idempotency-Key")
	if key == "" {
		return "", nil
	}
	if len(key) > 200 {
		return "", problem(http.StatusBadRequest, "Idempotency-Key is longer than 200 characters")
	}
	return prefix + uuid.NewSHA1(idNamespace, []byte(owner+"\n"+key)).String(), nil
}

// procedureAttrs are the search attributes a procedure starts with.
func procedureAttrs(jurisdiction, procedure, dept string, more ...temporal.SearchAttributeUpdate) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(append([]temporal.SearchAttributeUpdate{
		workflows.AttrJurisdiction.ValueSet(jurisdiction), workflows.AttrProcedure.ValueSet(procedure),
		workflows.AttrStatus.ValueSet(models.StatusPending), workflows.AttrProviderDept.ValueSet(dept),
	}, more...)...)
}

// startFiled starts a procedure's workflow with the filed Update
// (update-with-start) and waits until the procedure is recorded. A workflow
// with the same ID that already ran (a retried POST whose procedure has
// finished) is reported as finished, not as an error.
func (s *Server) startFiled(ctx context.Context, id string, attrs temporal.SearchAttributes, wf, in any) (finished bool, err error) {
	start := s.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID: id, TaskQueue: workflows.TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes:    attrs,
	}, wf, in)
	h, err := s.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions:          client.UpdateWorkflowOptions{UpdateName: workflows.UpdateFiled, WaitForStage: client.WorkflowUpdateStageCompleted},
	})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return true, nil
	}
	if err != nil {
		if msg, ok := s.failedStart(ctx, id); ok {
			return false, invalid(FieldError{"body", "the procedure could not be recorded and ended as failed: " + msg})
		}
		return false, fmt.Errorf("start %s: %w", id, err)
	}
	return false, nil
}

// failedStart tells whether a procedure whose filing did not answer ended on
// an error retrying cannot cure (the worker records it as failed), with its
// message.
func (s *Server) failedStart(ctx context.Context, id string) (string, bool) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return activities.IsPermanent(s.Temporal.GetWorkflow(ctx, id, "").Get(ctx, nil))
}

// steps are a procedure's tasks and events, and the deadline of its open
// step (deadlineOf), as every procedure's view shows them.
type steps struct {
	Tasks    []models.Task  `json:"tasks"`
	Events   []models.Event `json:"events"`
	Deadline *stepDeadline  `json:"deadline,omitempty"`
}

// stepsOf loads the steps of the procedure whose record's header is h, for
// its view.
func (s *Server) stepsOf(c echo.Context, h models.Header) (steps, error) {
	id := h.ID
	st := steps{Tasks: []models.Task{}, Events: []models.Event{}}
	db := s.DB.WithContext(c.Request().Context())
	if err := db.Where("procedure_id = ?", id).Order("created_at, id").Find(&st.Tasks).Error; err != nil {
		return st, fmt.Errorf("load tasks of %s: %w", id, err)
	}
	if err := db.Where("procedure_id = ?", id).Order("at, id").Find(&st.Events).Error; err != nil {
		return st, fmt.Errorf("load events of %s: %w", id, err)
	}
	st.Deadline = deadlineOf(h, st.Tasks)
	return st, nil
}

// fingerprint is the hex SHA-256 of a POST's canonical form: who asks, the
// method and path, and the canonical JSON of its decoded body (every field,
// in the struct's order).
func fingerprint(c echo.Context, who, in any) (string, error) {
	b, err := json.Marshal(struct {
		Who          any
		Method, Path string
		Body         any
	}{who, c.Request().Method, c.Request().URL.Path, in})
	if err != nil {
		return "", fmt.Errorf("fingerprint request: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// claimKey claims the ID a keyed POST derived for the POST's fingerprint,
// the caller being its role, subject, department and jurisdiction
// (claimFor). A key used before for another body is refused (422, naming
// the Idempotency-Key); the claim is returned otherwise.
func (s *Server) claimKey(c echo.Context, id, what string, in any, exists bool) (string, error) {
	return s.claimFor(c, id, nil, in, exists, func() error { return reusedKey(what) })
}

// claimFor claims id for the fingerprint of who (the caller's role,
// subject, department and jurisdiction when nil) and the body in
// (models.ClaimKey; exists tells whether the record is there already); an
// ID claimed for another body is refused with differ's error.
func (s *Server) claimFor(c echo.Context, id string, who, in any, exists bool, differ func() error) (string, error) {
	if who == nil {
		cl := claims(c)
		who = []string{cl.Role, cl.Subject, cl.Dept, cl.Jurisdiction}
	}
	h, err := fingerprint(c, who, in)
	if err != nil {
		return "", err
	}
	claim, err := models.ClaimKey(s.DB.WithContext(c.Request().Context()), id, h, exists)
	if err != nil {
		return "", err
	}
	if claim == models.ClaimDifferent {
		return "", differ()
	}
	return claim, nil
}

// reusedKey refuses a key re-used with a different body.
func reusedKey(what string) error {
	return problem(http.StatusUnprocessableEntity, "Idempotency-Key was already used for a different "+what,
		FieldError{"Idempotency-Key", "was already used for a different " + what + "; use a new key for a new " + what})
}

// headed is a pointer to a procedure's record R, which embeds models.Header.
type headed[R any] interface {
	*R
	Head() *models.Header
}

// recordView is the view of a procedure that shows its record and its
// steps and nothing more: in JSON the record's fields and then the steps',
// in one object (as a struct embedding both).
type recordView[R any] struct {
	rec R
	steps
}

// MarshalJSON writes the record's fields and then the steps' in one object.
func (v recordView[R]) MarshalJSON() ([]byte, error) {
	rec, err := json.Marshal(v.rec)
	if err != nil {
		return nil, fmt.Errorf("encode record: %w", err)
	}
	st, err := json.Marshal(v.steps)
	if err != nil {
		return nil, fmt.Errorf("encode steps: %w", err)
	}
	if len(rec) < 2 || rec[0] != '{' || st[0] != '{' {
		return nil, fmt.Errorf("encode view: record %T is not a JSON object", v.rec)
	}
	if len(rec) == 2 { // {}
		return st, nil
	}
	return append(append(rec[:len(rec)-1:len(rec)-1], ','), st[1:]...), nil
}

// plainView shows a procedure's record R with its steps (stepsShowing): the
// view of every procedure that shows nothing more.
func plainView[R any, P headed[R]](s *Server, c echo.Context, r R) (recordView[R], error) {
	st, err := s.stepsShowing(c, P(&r).Head())
	return recordView[R]{rec: r, steps: st}, err
}

// provisional tells whether the open step's deadline is provisional.
func (st steps) provisional() bool { return st.Deadline != nil && st.Deadline.Provisional }

// stepsShowing loads the steps of the procedure whose record's header is h,
// for its view, and shows in h whether the open step's deadline is
// provisional (over what the record holds: false once no step is open).
func (s *Server) stepsShowing(c echo.Context, h *models.Header) (steps, error) {
	st, err := s.stepsOf(c, *h)
	h.Provisional = st.provisional()
	return st, err
}
