package api

import (
	"fmt"
	"slices"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
)

// The routes of workflows.YearlyListProcedure (serveProcedure).
var _ = serveProcedure(&workflows.YearlyListProcedure.Descriptor, (*Server).createYearlyList, plainView[models.YearlyList])

// createYearlyList submits a department's yearly list to the authority's
// confirmation (workflows.YearlyListProcedure): the department's city is
// the one its registration names.
func (s *Server) createYearlyList(c echo.Context) error {
	p := workflows.YearlyListProcedure
	cl, in, dept, err := deptInput(s, c, p)
	if err != nil {
		return err
	}
	db := s.DB.WithContext(c.Request().Context())
	facts := workflows.YearlyListFacts{Filed: filed(s, cl, in), Jurisdiction: dept.Jurisdiction}
	if regulations.ListedItems(in.Kind) {
		// One query for every entry; Items[i] is entry i's item, nil where
		// the catalog has none.
		var found []models.CatalogItem
		if err := db.Where("id IN ?", in.Entries).Find(&found).Error; err != nil {
			return fmt.Errorf("load the catalog items of the list: %w", err)
		}
		byID := make(map[string]*models.CatalogItem, len(found))
		for i := range found {
			byID[found[i].ID] = &found[i]
		}
		facts.Items = make([]*models.CatalogItem, len(in.Entries))
		for i, id := range in.Entries {
			facts.Items[i] = byID[id]
		}
	}
	return s.file(c, filing{d: &p.Descriptor, in: in, key: filerKey(cl),
		same: func(r any) bool {
			l := r.(*models.YearlyList)
			return l.Kind == in.Kind && l.Year == in.Year && slices.Equal(l.Entries, in.Entries) && slices.Equal(l.Priority, in.Priority)
		},
		start: func(id string) (procedure.Start, error) {
			return fileWith(s, p, facts, dept.Jurisdiction, facts.Now, id)
		},
	})
}
