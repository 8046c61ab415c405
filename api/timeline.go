package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/cityapprovals/approvals/audit"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// procedureFor finds a procedure the caller may read. A share request may be
// read by those who may read the request itself (its two departments, the
// city's authority, auditors and admins; others get 404 as for the request);
// a procedure of another kind, known by its tasks or events, by auditors and
// admins.
func (s *Server) procedureFor(c echo.Context, id string) (audit.Procedure, error) {
	db := s.DB.WithContext(c.Request().Context())
	var r models.ShareRequest
	err := db.First(&r, "id = ?", id).Error
	switch {
	case err == nil:
		q, err := s.scoped(c, &workflows.ShareProcedure.Descriptor)
		if err != nil {
			return audit.Procedure{}, err
		}
		if r, err = findScoped[models.ShareRequest](q, id, "procedure"); err != nil {
			return audit.Procedure{}, err
		}
		return audit.Procedure{ID: r.ID, WorkflowID: r.WorkflowID, Procedure: workflows.ShareProcedure.Name, Jurisdiction: r.Jurisdiction, Status: r.Status}, nil
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return audit.Procedure{}, fmt.Errorf("load share request %s: %w", id, err)
	}
	if _, err := allow(c, RoleAuditor, RoleAdmin); err != nil {
		return audit.Procedure{}, err
	}
	var t models.Task
	err = db.Order("created_at, id").First(&t, "procedure_id = ?", id).Error
	if err == nil {
		return audit.Procedure{ID: id, WorkflowID: t.WorkflowID, Procedure: t.Procedure, Jurisdiction: t.Jurisdiction}, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return audit.Procedure{}, fmt.Errorf("load tasks of %s: %w", id, err)
	}
	// A procedure without tasks is known by its events; its ID is its workflow's.
	var n int64
	if err := db.Model(&models.Event{}).Where("procedure_id = ?", id).Count(&n).Error; err != nil {
		return audit.Procedure{}, fmt.Errorf("count events of %s: %w", id, err)
	}
	if n == 0 {
		return audit.Procedure{}, problem(http.StatusNotFound, fmt.Sprintf("procedure %s not found", id))
	}
	return audit.Procedure{ID: id, WorkflowID: id}, nil
}

// buildTimeline loads a procedure's events and tasks and reads them as a
// timeline as of now.
func (s *Server) buildTimeline(ctx context.Context, p audit.Procedure) (audit.Timeline, error) {
	db := s.DB.WithContext(ctx)
	var events []models.Event
	if err := db.Where("procedure_id = ?", p.ID).Order("at, id").Find(&events).Error; err != nil {
		return audit.Timeline{}, fmt.Errorf("load events of %s: %w", p.ID, err)
	}
	var tasks []models.Task
	if err := db.Where("procedure_id = ?", p.ID).Order("created_at, id").Find(&tasks).Error; err != nil {
		return audit.Timeline{}, fmt.Errorf("load tasks of %s: %w", p.ID, err)
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return audit.Timeline{}, err
	}
	return audit.BuildTimeline(p, events, tasks, cal, s.now()), nil
}

// procedureTimeline answers with a procedure's domain events in order and
// the deadline compliance of each of its tasks, and says where its history
// is (source).
func (s *Server) procedureTimeline(c echo.Context) error {
	p, err := s.procedureFor(c, c.Param("id"))
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	tl, err := s.buildTimeline(ctx, p)
	if err != nil {
		return err
	}
	if tl.Source, err = s.historySource(ctx, p.WorkflowID); err != nil {
		return err
	}
	if tl.Source == SourceExpired {
		tl.Note = (&expiredHistory{p: p, retention: s.Retention}).message()
	}
	return c.JSON(http.StatusOK, tl)
}
