package api

import (
	"fmt"
	"slices"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
)

// The routes of workflows.PurchaseProcedure (serveProcedure).
var _ = serveProcedure(&workflows.PurchaseProcedure.Descriptor, (*Server).createPurchase, plainView[models.Purchase])

func samePurchase(p models.Purchase, in workflows.PurchaseFiling) bool {
	return p.Kind == in.Kind && p.Title == in.Title && p.Supplier == in.Supplier && p.Purpose == in.Purpose &&
		slices.Equal(p.DataItems, in.DataItems)
}

// createPurchase files a department's purchase of data or of an external
// data service (workflows.PurchaseProcedure), with what the catalog and the
// city's earlier purchases already hold of its data items.
func (s *Server) createPurchase(c echo.Context) error {
	p := workflows.PurchaseProcedure
	cl, in, dept, err := deptInput(s, c, p)
	if err != nil {
		return err
	}
	facts := workflows.PurchaseFacts{Filed: filed(s, cl, in), Dept: dept}
	return s.file(c, filing{d: &p.Descriptor, in: in, key: dept.Code,
		same: func(r any) bool { return samePurchase(*r.(*models.Purchase), in) },
		start: func(id string) (procedure.Start, error) {
			// after the replay: a retry is not its own overlap
			db := s.DB.WithContext(c.Request().Context())
			var items []models.CatalogItem
			if err := db.Where("jurisdiction = ?", dept.Jurisdiction).Order("id").Find(&items).Error; err != nil {
				return procedure.Start{}, fmt.Errorf("load catalog of %s: %w", dept.Jurisdiction, err)
			}
			var earlier []models.Purchase
			if err := db.Where("jurisdiction = ? AND kind = ?", dept.Jurisdiction, models.PurchaseData).Order("submitted_at, id").Find(&earlier).Error; err != nil {
				return procedure.Start{}, fmt.Errorf("load purchases of %s: %w", dept.Jurisdiction, err)
			}
			facts.Overlaps = workflows.PurchaseOverlaps(in.DataItems, items, earlier)
			return fileWith(s, p, facts, dept.Jurisdiction, facts.Now, id)
		},
	})
}
