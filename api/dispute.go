package api

import (
	"fmt"
	"net/http"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
)

// The routes of workflows.DisputeProcedure (serveProcedure).
var _ = serveProcedure(&workflows.DisputeProcedure.Descriptor, (*Server).createDispute, (*Server).disputeView,
	update{path: "/catalog/items/:id/disputes", h: (*Server).createItemDispute, filing: true})

// disputeView is a dispute as the API shows it: its chain of levels, the
// tasks of each level and its events.
type disputeView struct {
	models.Dispute
	steps
}

func (s *Server) disputeView(c echo.Context, d models.Dispute) (disputeView, error) {
	st, err := s.stepsShowing(c, &d.Header)
	levelStatutory(&d, st.Tasks)
	return disputeView{Dispute: d, steps: st}, err
}

// disputeID is the ID of the dispute over a share request: one per request,
// so that a retried POST finds the same dispute.
func disputeID(requestID string) string { return workflows.DisputeProcedure.Prefix + requestID }

// disputed refuses a second, different dispute of a request.
func disputed(requestID, id string) error {
	return problem(http.StatusConflict, fmt.Sprintf("share request %s is already disputed (%s)", requestID, id))
}

// createDispute lets the requester of a refused share request dispute the
// refusal up the city's escalation chain (workflows.DisputeProcedure). There
// is one dispute per request: a POST with the same reason, concurrent or
// later, answers with it (from any of the department's people); another
// reason is a 409.
func (s *Server) createDispute(c echo.Context) error {
	p := workflows.DisputeProcedure
	cl, in, err := fileInput(c, p)
	if err != nil {
		return err
	}
	r, err := findScoped[models.ShareRequest](s.DB.WithContext(c.Request().Context()).
		Where("requester_dept = ? OR provider_dept = ?", cl.Dept, cl.Dept), c.Param("id"), "share request")
	if err != nil {
		return err
	}
	if r.RequesterDept != cl.Dept {
		return problem(http.StatusForbidden, "only the requesting department "+r.RequesterDept+" may dispute the refusal")
	}
	facts := workflows.DisputeFacts{Filed: filed(s, cl, in), Request: r}
	id := disputeID(r.ID)
	return s.file(c, filing{d: &p.Descriptor, in: in, id: id, who: cl.Dept,
		same:   func(d any) bool { return d.(*models.Dispute).Reason == in.Reason },
		differ: func() error { return disputed(r.ID, id) },
		start: func(id string) (procedure.Start, error) {
			return fileWith(s, p, facts, r.Jurisdiction, workflows.DisputeDecided(r, facts.Now), id)
		},
	})
}

// disputesOf lists the disputes over a procedure, for its view.
func (s *Server) disputesOf(c echo.Context, subjectID string) ([]models.Dispute, error) {
	ds := []models.Dispute{}
	if err := s.DB.WithContext(c.Request().Context()).Where("subject_id = ?", subjectID).Order("filed_at, id").Find(&ds).Error; err != nil {
		return nil, fmt.Errorf("load disputes of %s: %w", subjectID, err)
	}
	return ds, nil
}

// itemDisputeID is the ID of a department's dispute over a not-shared
// item: one per item and department.
func itemDisputeID(itemID, dept string) string {
	return workflows.DisputeProcedure.Prefix + "ci-" + itemID + "." + dept
}

// createItemDispute lets a department that needs not-shared data for its
// duties take it up the city's dispute chain (weifang 第二十条;
// workflows.DisputeProcedure, subject catalog_item). One dispute per item
// and department: the same reason answers with it, another is a 409.
func (s *Server) createItemDispute(c echo.Context) error {
	p := workflows.DisputeProcedure
	cl, in, err := registeredInput(s, c, p)
	if err != nil {
		return err
	}
	it, err := findScoped[models.CatalogItem](s.DB.WithContext(c.Request().Context()), c.Param("id"), "catalog item")
	if err != nil {
		return err
	}
	facts := workflows.DisputeFacts{Filed: filed(s, cl, in), Item: &it}
	id := itemDisputeID(it.ID, cl.Dept)
	return s.file(c, filing{d: &p.Descriptor, in: in, id: id, who: cl.Dept,
		same: func(d any) bool { return d.(*models.Dispute).Reason == in.Reason },
		differ: func() error {
			return problem(http.StatusConflict, fmt.Sprintf("%s already disputes item %s (%s)", cl.Dept, it.ID, id))
		},
		start: func(id string) (procedure.Start, error) {
			return fileWith(s, p, facts, it.Jurisdiction, facts.Now, id)
		},
	})
}
