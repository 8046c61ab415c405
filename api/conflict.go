package api

import (
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
)

// The routes of workflows.DataConflictProcedure (serveProcedure).
var _ = serveProcedure(&workflows.DataConflictProcedure.Descriptor, (*Server).createDataConflict, plainView[models.DataConflict])

// createDataConflict files two departments' disagreeing data on the same
// subject (workflows.DataConflictProcedure, leshan 第十一条).
func (s *Server) createDataConflict(c echo.Context) error {
	p := workflows.DataConflictProcedure
	cl, in, item, err := itemInput(s, c, p, func(in workflows.DataConflictFiling) string { return in.CatalogItemID })
	if err != nil {
		return err
	}
	other, err := itemNamed(s.DB.WithContext(c.Request().Context()), "other_item_id", in.OtherItemID)
	if err != nil {
		return err
	}
	facts := workflows.DataConflictFacts{Filed: filed(s, cl, in), Item: item, Other: other}
	return s.file(c, filing{d: &p.Descriptor, in: in, key: filerKey(cl),
		same: func(r any) bool {
			d := r.(*models.DataConflict)
			return d.CatalogItemID == in.CatalogItemID && d.OtherItemID == in.OtherItemID && d.Description == in.Description
		},
		start: func(id string) (procedure.Start, error) {
			return fileWith(s, p, facts, item.Jurisdiction, facts.Now, id)
		},
	})
}
