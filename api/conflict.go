package api

import (
	"errors"
	"fmt"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// The routes of workflows.DataConflictProcedure (serveProcedure).
var _ = serveProcedure(&workflows.DataConflictProcedure.Descriptor, (*Server).createDataConflict, plainView[models.DataConflict])

// createDataConflict files two departments' disagreeing data on the same
// subject (workflows.DataConflictProcedure, leshan 第十一条).
func (s *Server) createDataConflict(c echo.Context) error {
	p := workflows.DataConflictProcedure
	cl, in, err := registeredInput(s, c, p)
	if err != nil {
		return err
	}
	db := s.DB.WithContext(c.Request().Context())
	item, err := catalogItem(db, in.CatalogItemID)
	if err != nil {
		return err
	}
	var other models.CatalogItem
	switch err := db.First(&other, "id = ?", in.OtherItemID).Error; {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return invalid(FieldError{"other_item_id", fmt.Sprintf("no catalog item %q", in.OtherItemID)})
	case err != nil:
		return fmt.Errorf("load catalog item %s: %w", in.OtherItemID, err)
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
