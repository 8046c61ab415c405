package api

import (
	"slices"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
)

// The routes of workflows.ApprovalProcedure (serveProcedure).
var _ = serveProcedure(&workflows.ApprovalProcedure.Descriptor, (*Server).createApproval, plainView[models.AuthorityApproval])

func sameApproval(a models.AuthorityApproval, in workflows.ApprovalFiling) bool {
	return a.Kind == in.Kind && a.Title == in.Title && a.Description == in.Description && a.Recipient == in.Recipient &&
		a.Plan == in.Plan && a.LegalBasis == in.LegalBasis && slices.Equal(a.EntryConditions, in.EntryConditions)
}

// createApproval files a department's application for an authority
// approval (workflows.ApprovalProcedure).
func (s *Server) createApproval(c echo.Context) error {
	p := workflows.ApprovalProcedure
	cl, in, dept, err := deptInput(s, c, p)
	if err != nil {
		return err
	}
	facts := workflows.ApprovalFacts{Filed: filed(s, cl, in), Dept: dept}
	return s.file(c, filing{d: &p.Descriptor, in: in, key: dept.Code,
		same: func(r any) bool { return sameApproval(*r.(*models.AuthorityApproval), in) },
		start: func(id string) (procedure.Start, error) {
			return fileWith(s, p, facts, dept.Jurisdiction, facts.Now, id)
		},
	})
}
