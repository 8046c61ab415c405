package api

import (
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
)

// The routes of workflows.AdjustmentProcedure (serveProcedure).
var _ = serveProcedure(&workflows.AdjustmentProcedure.Descriptor, (*Server).createAdjustment, plainView[models.TemporaryAdjustment],
	update{path: "/:id/renew", h: (*Server).renewAdjustment})

type renewInput struct {
	EndDate string `json:"end_date" bound:"date"`
	Reason  string `json:"reason"`
}

func sameAdjustment(a models.TemporaryAdjustment, in workflows.AdjustmentFiling) bool {
	return a.CatalogItemID == in.CatalogItemID && a.ShareType == in.ShareType && a.ShareConditions == in.ShareConditions &&
		a.Ground == in.Ground && a.Reason == in.Reason && a.EndDate == in.EndDate
}

// createAdjustment files a temporary adjustment of one of the caller's
// items (workflows.AdjustmentProcedure).
func (s *Server) createAdjustment(c echo.Context) error {
	p := workflows.AdjustmentProcedure
	cl, in, err := fileInput(c, p)
	if err != nil {
		return err
	}
	item, err := s.ownItem(c, cl, in.CatalogItemID, "")
	if err != nil {
		return err
	}
	facts := workflows.AdjustmentFacts{Filed: filed(s, cl, in), Item: item}
	return s.file(c, filing{d: &p.Descriptor, in: in, key: cl.Dept,
		same: func(r any) bool { return sameAdjustment(*r.(*models.TemporaryAdjustment), in) },
		start: func(id string) (procedure.Start, error) {
			return fileWith(s, p, facts, item.Jurisdiction, facts.Now, id)
		},
	})
}

// renewAdjustment moves an active adjustment's end date later; the workflow's
// validator has the last word.
func (s *Server) renewAdjustment(c echo.Context) error {
	cl, err := allow(c, RoleDepartment)
	if err != nil {
		return err
	}
	var in renewInput
	if err := bind(c, &in); err != nil {
		return err
	}
	a, err := load[models.TemporaryAdjustment](s, c, &workflows.AdjustmentProcedure.Descriptor)
	if err != nil {
		return err
	}
	return updated(s, c, &workflows.AdjustmentProcedure.Descriptor, a.ID, a.WorkflowID, workflows.UpdateRenew, "end_date",
		workflows.RenewInput{EndDate: in.EndDate, Reason: in.Reason, Actor: workflowsActor(cl)})
}
