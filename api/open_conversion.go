package api

import (
	"fmt"
	"net/http"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
)

// The routes of workflows.OpenConversionProcedure (serveProcedure).
var _ = serveProcedure(&workflows.OpenConversionProcedure.Descriptor, (*Server).createOpenConversion, plainView[models.OpenConversion])

func sameOpenConversion(r models.OpenConversion, in workflows.OpenConversionFiling) bool {
	return r.CatalogItemID == in.CatalogItemID && r.ToOpenType == in.ToOpenType && r.Decision == in.Decision &&
		r.Reason == in.Reason && r.Desensitised == in.Desensitised
}

// createOpenConversion files the authority's decision converting an item of
// its city to a wider open type (workflows.OpenConversionProcedure).
func (s *Server) createOpenConversion(c echo.Context) error {
	p := workflows.OpenConversionProcedure
	cl, in, err := fileInput(c, p)
	if err != nil {
		return err
	}
	item, err := catalogItem(s.DB.WithContext(c.Request().Context()), in.CatalogItemID)
	if err != nil {
		return err
	}
	if item.Jurisdiction != cl.Jurisdiction {
		return problem(http.StatusForbidden, fmt.Sprintf("item %s is %s's; an authority converts its own city's data", item.ID, item.Jurisdiction))
	}
	facts := workflows.OpenConversionFacts{Filed: filed(s, cl, in), Item: item}
	return s.file(c, filing{d: &p.Descriptor, in: in, key: cl.Subject + "\n" + cl.Jurisdiction,
		same: func(r any) bool { return sameOpenConversion(*r.(*models.OpenConversion), in) },
		start: func(id string) (procedure.Start, error) {
			return fileWith(s, p, facts, item.Jurisdiction, facts.Now, id)
		},
	})
}
