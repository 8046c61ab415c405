package api

import (
	"slices"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
)

// The routes of workflows.ShareProcedure (serveProcedure).
var _ = serveProcedure(&workflows.ShareProcedure.Descriptor, (*Server).createShareRequest, (*Server).shareView)

// shareView is a share request as the API shows it.
type shareView struct {
	models.ShareRequest
	steps
	DueAt   string `json:"due_at,omitempty"`
	Warning string `json:"warning,omitempty"`
	// Disputes over the request's refusal, each with its chain of levels.
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
	if v.steps, err = s.stepsOf(c, r.Header); err != nil {
		return v, err
	}
	v.Disputes, err = s.disputesOf(c, r.ID)
	return v, err
}

// createShareRequest files a share request (workflows.ShareProcedure).
func (s *Server) createShareRequest(c echo.Context) error {
	p := workflows.ShareProcedure
	cl, in, dept, err := deptInput(s, c, p)
	if err != nil {
		return err
	}
	db := s.DB.WithContext(c.Request().Context())
	item, err := catalogItem(db, in.CatalogItemID)
	if err != nil {
		return err
	}
	facts := workflows.ShareFacts{Filed: filed(s, cl, in), Dept: dept, Item: item}
	if facts.Unavailable, err = models.Unavailable(db, item.ID); err != nil {
		return err
	}
	return s.file(c, filing{d: &p.Descriptor, in: in, key: dept.Code,
		same: func(r any) bool { return sameRequest(*r.(*models.ShareRequest), in) },
		start: func(id string) (procedure.Start, error) {
			return fileWith(s, p, facts, item.Jurisdiction, facts.Now, id)
		},
	})
}

// sameRequest tells whether a stored request is the one a retried POST asks
// for, for requests filed before fingerprints (models.IdempotencyKey).
func sameRequest(r models.ShareRequest, in workflows.ShareFiling) bool {
	return r.CatalogItemID == in.CatalogItemID && r.Purpose == in.Purpose && r.Scenario == in.Scenario &&
		slices.Equal(r.DataItems, in.DataItems)
}
