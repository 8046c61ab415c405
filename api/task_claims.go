package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cityapprovals/approvals/models"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Claims and comments on tasks: the people of the assignee
// department (or of the city's role) say who works on an open task — claim,
// release, hand over to a colleague — and leave comments. A claim
// coordinates an inbox; who may decide is unchanged (the workflow's
// validator). Auditors and admins read them.

// routeTaskClaims adds the claim and comment routes to the authenticated group.
func (s *Server) routeTaskClaims(a *echo.Group) {
	a.GET("/tasks/:id/activity", s.taskActivity)
	a.POST("/tasks/:id/claim", s.claimTask)
	a.POST("/tasks/:id/release", s.releaseTask)
	a.POST("/tasks/:id/handover", s.handOverTask)
	a.POST("/tasks/:id/comments", s.commentTask)
}

// activityView is a task's claim (nil when nobody has it) and its comments.
type activityView struct {
	TaskID   string               `json:"task_id"`
	Claim    *models.TaskClaim    `json:"claim"`
	Comments []models.TaskComment `json:"comments"`
}

// inboxTask loads the path's task from the caller's inbox. For writes
// (claim, release, hand over, comment) the caller must be one of its
// assignees: auditors and admins, who read every inbox, may not. A task
// outside the caller's inbox is a 403 (as for decisions), an unknown one a 404.
func (s *Server) inboxTask(c echo.Context, write bool) (models.Task, error) {
	cl := claims(c)
	db := s.DB.WithContext(c.Request().Context())
	var t models.Task
	err := scopeTasks(cl, db).First(&t, "id = ?", c.Param("id")).Error
	if err == nil && write && (cl.Role == RoleAuditor || cl.Role == RoleAdmin) {
		return t, problem(http.StatusForbidden, fmt.Sprintf("role %s reads tasks but does not work on them", cl.Role))
	}
	if err == nil {
		return t, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return t, fmt.Errorf("load task: %w", err)
	}
	if db.First(&t, "id = ?", c.Param("id")).Error == nil {
		return t, problem(http.StatusForbidden, fmt.Sprintf("task %s is not in your inbox", t.ID))
	}
	return t, problem(http.StatusNotFound, fmt.Sprintf("task %s not found", c.Param("id")))
}

// openInboxTask is inboxTask for a write that needs the task open.
func (s *Server) openInboxTask(c echo.Context) (models.Task, error) {
	t, err := s.inboxTask(c, true)
	if err == nil && t.Status != models.TaskOpen {
		err = invalid(FieldError{"task", fmt.Sprintf("task %s is closed (%s)", t.ID, t.Status)})
	}
	return t, err
}

func (s *Server) activity(c echo.Context, taskID string) error {
	db := s.DB.WithContext(c.Request().Context())
	v := activityView{TaskID: taskID, Comments: []models.TaskComment{}}
	var claim models.TaskClaim
	switch err := db.First(&claim, "task_id = ?", taskID).Error; {
	case err == nil:
		v.Claim = &claim
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return fmt.Errorf("load claim of %s: %w", taskID, err)
	}
	if err := db.Order("created_at, id").Find(&v.Comments, "task_id = ?", taskID).Error; err != nil {
		return fmt.Errorf("load comments of %s: %w", taskID, err)
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) taskActivity(c echo.Context) error {
	t, err := s.inboxTask(c, false)
	if err != nil {
		return err
	}
	return s.activity(c, t.ID)
}

// heldBy is the 409 for a task someone else has claimed.
func heldBy(claim models.TaskClaim) error {
	return problem(http.StatusConflict, fmt.Sprintf("task %s is claimed by %s", claim.TaskID, claim.ClaimedBy),
		FieldError{"claimed_by", "the task is claimed by " + claim.ClaimedBy})
}

// claimTask gives the task to the caller, unless someone else has it (409);
// claiming one's own claim again changes nothing.
func (s *Server) claimTask(c echo.Context) error {
	t, err := s.openInboxTask(c)
	if err != nil {
		return err
	}
	cl := claims(c)
	db := s.DB.WithContext(c.Request().Context())
	claim := models.TaskClaim{TaskID: t.ID, ClaimedBy: cl.Subject, By: cl.Subject, ClaimedAt: s.now().UTC()}
	if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&claim).Error; err != nil {
		return fmt.Errorf("claim %s: %w", t.ID, err)
	}
	if err := db.First(&claim, "task_id = ?", t.ID).Error; err != nil {
		return fmt.Errorf("load claim of %s: %w", t.ID, err)
	}
	if claim.ClaimedBy != cl.Subject {
		return heldBy(claim)
	}
	return s.activity(c, t.ID)
}

// releaseTask gives up the caller's claim; a task nobody has is left so,
// and one someone else has is a 409.
func (s *Server) releaseTask(c echo.Context) error {
	t, err := s.openInboxTask(c)
	if err != nil {
		return err
	}
	db := s.DB.WithContext(c.Request().Context())
	var claim models.TaskClaim
	if err := db.First(&claim, "task_id = ?", t.ID).Error; err == nil && claim.ClaimedBy != claims(c).Subject {
		return heldBy(claim)
	}
	if err := db.Where("task_id = ? AND claimed_by = ?", t.ID, claims(c).Subject).Delete(&models.TaskClaim{}).Error; err != nil {
		return fmt.Errorf("release %s: %w", t.ID, err)
	}
	return s.activity(c, t.ID)
}

type handOverInput struct {
	To string `json:"to" bound:"id"` // the colleague's subject
}

// handOverTask gives the task to a colleague of the same inbox: the
// caller's claim, or a task nobody has, moves to them.
func (s *Server) handOverTask(c echo.Context) error {
	t, err := s.openInboxTask(c)
	if err != nil {
		return err
	}
	var in handOverInput
	if err := bind(c, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.To) == "" {
		return invalid(FieldError{"to", "is required: the subject of the colleague who takes the task over"})
	}
	cl := claims(c)
	db := s.DB.WithContext(c.Request().Context())
	now := s.now().UTC()
	err = db.Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&models.TaskClaim{}).Where("task_id = ? AND claimed_by = ?", t.ID, cl.Subject).
			Updates(map[string]any{"claimed_by": in.To, "by": cl.Subject, "claimed_at": now})
		if res.Error != nil || res.RowsAffected > 0 {
			return res.Error
		}
		res = tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&models.TaskClaim{TaskID: t.ID, ClaimedBy: in.To, By: cl.Subject, ClaimedAt: now})
		if res.Error != nil || res.RowsAffected > 0 {
			return res.Error
		}
		var claim models.TaskClaim
		if err := tx.First(&claim, "task_id = ?", t.ID).Error; err != nil {
			return fmt.Errorf("load claim of %s: %w", t.ID, err)
		}
		return heldBy(claim)
	})
	if err != nil {
		return err
	}
	return s.activity(c, t.ID)
}

type commentInput struct {
	Body string `json:"body"`
}

// commentTask leaves a comment on a task of the caller's inbox.
func (s *Server) commentTask(c echo.Context) error {
	t, err := s.inboxTask(c, true)
	if err != nil {
		return err
	}
	var in commentInput
	if err := bind(c, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Body) == "" {
		return invalid(FieldError{"body", "is required"})
	}
	cl := claims(c)
	author := cl.Subject + "(" + cl.Role + ")"
	if cl.Dept != "" {
		author = cl.Subject + "@" + cl.Dept
	}
	cm := models.TaskComment{ID: uuid.NewString(), TaskID: t.ID, Author: author, Body: in.Body, CreatedAt: s.now().UTC()}
	if err := s.DB.WithContext(c.Request().Context()).Create(&cm).Error; err != nil {
		return fmt.Errorf("comment on %s: %w", t.ID, err)
	}
	return s.activity(c, t.ID)
}
