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

// The routes of workflows.ClassificationProcedure (serveProcedure).
var _ = serveProcedure(&workflows.ClassificationProcedure.Descriptor, (*Server).createClassification, (*Server).classificationView)

// classificationView is a classification with its tasks and events, and the
// dispute over it, if the authority disagreed (xiamen).
type classificationView struct {
	models.Classification
	steps
	Dispute *disputeView `json:"dispute,omitempty"`
}

func (s *Server) classificationView(c echo.Context, cl models.Classification) (classificationView, error) {
	v := classificationView{Classification: cl}
	var err error
	if v.steps, err = s.stepsShowing(c, &v.Header); err != nil {
		return v, err
	}
	if cl.DisputeID != "" {
		var d models.Dispute
		if err := s.DB.WithContext(c.Request().Context()).First(&d, "id = ?", cl.DisputeID).Error; err == nil {
			dv, err := s.disputeView(c, d)
			if err != nil {
				return v, err
			}
			v.Dispute = &dv
		} else if !errors.Is(err, gorm.ErrRecordNotFound) {
			return v, fmt.Errorf("load dispute %s: %w", cl.DisputeID, err)
		}
	}
	return v, nil
}

func sameClassification(c models.Classification, in workflows.ClassificationFiling) bool {
	return c.CatalogItemID == in.CatalogItemID && c.ProposedShareType == in.ProposedShareType &&
		c.LegalBasis == in.LegalBasis && c.Conditions == in.Conditions && c.Reason == in.Reason
}

// createClassification files a department's proposal that one of its items
// be conditional or not shared (workflows.ClassificationProcedure).
func (s *Server) createClassification(c echo.Context) error {
	p := workflows.ClassificationProcedure
	cl, in, err := fileInput(c, p)
	if err != nil {
		return err
	}
	item, err := s.ownItem(c, cl, in.CatalogItemID, "; a department classifies its own data")
	if err != nil {
		return err
	}
	facts := workflows.ClassificationFacts{Filed: filed(s, cl, in), Item: item}
	return s.file(c, filing{d: &p.Descriptor, in: in, key: cl.Dept,
		same: func(r any) bool { return sameClassification(*r.(*models.Classification), in) },
		start: func(id string) (procedure.Start, error) {
			return fileWith(s, p, facts, item.Jurisdiction, facts.Now, id)
		},
	})
}
