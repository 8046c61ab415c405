package api

import (
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
)

// The routes of workflows.OpeningReviewProcedure (serveProcedure).
var _ = serveProcedure(&workflows.OpeningReviewProcedure.Descriptor, (*Server).createOpeningReview, plainView[models.OpeningReview])

func sameOpeningReview(r models.OpeningReview, in workflows.OpeningReviewFiling) bool {
	return r.CatalogItemID == in.CatalogItemID && r.ProposedOpenType == in.ProposedOpenType &&
		r.Assessment == in.Assessment && r.LegalBasis == in.LegalBasis && r.PublicInterest == in.PublicInterest
}

// createOpeningReview files a department's proposal of the open type of one
// of its items (workflows.OpeningReviewProcedure).
func (s *Server) createOpeningReview(c echo.Context) error {
	p := workflows.OpeningReviewProcedure
	cl, in, err := fileInput(c, p)
	if err != nil {
		return err
	}
	item, err := s.ownItem(c, cl, in.CatalogItemID, "; a department assesses its own data (乐山 第二十二条第二款)")
	if err != nil {
		return err
	}
	facts := workflows.OpeningReviewFacts{Filed: filed(s, cl, in), Item: item}
	return s.file(c, filing{d: &p.Descriptor, in: in, key: cl.Dept,
		same: func(r any) bool { return sameOpeningReview(*r.(*models.OpeningReview), in) },
		start: func(id string) (procedure.Start, error) {
			return fileWith(s, p, facts, item.Jurisdiction, facts.Now, id)
		},
	})
}
