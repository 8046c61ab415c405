package api

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// The routes of workflows.OpenProcedure (serveProcedure).
var _ = serveProcedure(&workflows.OpenProcedure.Descriptor, (*Server).createOpenApplication, (*Server).openView,
	update{path: "/:id/resubmit", h: (*Server).resubmitOpenApplication},
	update{path: "/:id/agreement", h: (*Server).acceptAgreement})

// openView is an open-data application as the API shows it.
type openView struct {
	models.OpenApplication
	steps
	DueAt            string               `json:"due_at,omitempty"`
	StatutoryNote    string               `json:"statutory_note,omitempty"`
	Rounds           []models.OpenRound   `json:"rounds"`
	Grant            *models.OpenGrant    `json:"grant,omitempty"`
	AgreementClauses []regulations.Clause `json:"agreement_clauses,omitempty"`
}

func (s *Server) openView(c echo.Context, a models.OpenApplication) (openView, error) {
	v := openView{OpenApplication: a, Rounds: []models.OpenRound{}}
	if a.DueAt != nil {
		v.DueAt = beijing(*a.DueAt)
	}
	if !a.Statutory && a.Step != "" {
		v.StatutoryNote = "no statutory number: the platform's service level applies"
	}
	db := s.DB.WithContext(c.Request().Context())
	if err := db.Order("round").Find(&v.Rounds, "application_id = ?", a.ID).Error; err != nil {
		return v, fmt.Errorf("load rounds of %s: %w", a.ID, err)
	}
	var g models.OpenGrant
	switch err := db.First(&g, "application_id = ?", a.ID).Error; {
	case err == nil:
		v.Grant = &g
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return v, fmt.Errorf("load grant of %s: %w", a.ID, err)
	}
	if p, ok := s.Regulations.Get(a.Jurisdiction); ok {
		v.AgreementClauses = p.OpenApplication.AgreementClauses
	}
	var err error
	v.steps, err = s.stepsShowing(c, &v.Header)
	return v, err
}

// createOpenApplication files an open-data application
// (workflows.OpenProcedure). An item open unconditionally needs none: 409,
// with a link to the item.
func (s *Server) createOpenApplication(c echo.Context) error {
	p := workflows.OpenProcedure
	cl, in, err := fileInput(c, p)
	if err != nil {
		return err
	}
	facts := workflows.OpenFacts{Filed: filed(s, cl, in)}
	if in.CatalogItemID != "" {
		db := s.DB.WithContext(c.Request().Context())
		item, err := catalogItem(db, in.CatalogItemID)
		if err != nil {
			return err
		}
		if item.OpenType == models.OpenUnconditional && item.Jurisdiction == in.Jurisdiction {
			c.Response().Header().Set("Link", fmt.Sprintf(`</api/v1/catalog/items/%s>; rel="item"`, item.ID))
			return problem(http.StatusConflict, fmt.Sprintf("item %s is open unconditionally (无条件开放): no application is needed; use it at /api/v1/catalog/items/%s", item.ID, item.ID),
				FieldError{"catalog_item_id", "unconditionally open: no application needed"})
		}
		facts.Item = item
		if facts.Unavailable, err = models.Unavailable(db, item.ID); err != nil {
			return fmt.Errorf("availability of %s: %w", item.ID, err)
		}
	}
	if in.Demand != "" && in.ProviderDept != "" {
		var d models.Department
		err := s.DB.WithContext(c.Request().Context()).Where("code = ?", in.ProviderDept).Limit(1).Find(&d).Error
		if err != nil {
			return fmt.Errorf("department %s: %w", in.ProviderDept, err)
		}
		if d.Code != "" {
			facts.DemandDept = &d
		}
	}
	return s.file(c, filing{d: &p.Descriptor, in: in, key: "applicant:" + cl.Subject,
		same:  func(r any) bool { return sameOpen(*r.(*models.OpenApplication), in) },
		start: func(id string) (procedure.Start, error) { return fileWith(s, p, facts, in.Jurisdiction, facts.Now, id) },
	})
}

// sameOpen tells whether a stored application is the one a retried POST asks
// for (as first filed: a resubmission amends the stored fields), for
// applications filed before fingerprints (models.IdempotencyKey).
func sameOpen(a models.OpenApplication, in workflows.OpenFiling) bool {
	return a.Jurisdiction == in.Jurisdiction && a.CatalogItemID == in.CatalogItemID && a.Demand == in.Demand &&
		a.ApplicantName == in.Applicant.Name && (a.Round > 1 || a.Scenario == in.Scenario && a.DataScope == in.DataScope)
}

// resubmitOpenApplication amends a returned application for a new round of
// preliminary review.
func (s *Server) resubmitOpenApplication(c echo.Context) error {
	cl, err := allow(c, RoleApplicant)
	if err != nil {
		return err
	}
	var in workflows.OpenFieldsFiling
	if err := bind(c, &in); err != nil {
		return err
	}
	a, err := load[models.OpenApplication](s, c, &workflows.OpenProcedure.Descriptor)
	if err != nil {
		return err
	}
	if a.Status != models.OpenReturned {
		return invalid(FieldError{"status", fmt.Sprintf("application %s is %s; only a returned application can be resubmitted", a.ID, a.Status)})
	}
	p, ok := s.Regulations.Get(a.Jurisdiction)
	if !ok {
		return fmt.Errorf("no profile for %s", a.Jurisdiction)
	}
	amended, errs := in.Check(p.OpenApplication)
	if len(errs) > 0 {
		return invalid(fields(errs)...)
	}
	return s.sendOpenUpdate(c, a, workflows.UpdateResubmit, "status", workflows.OpenResubmitInput{Fields: amended, Actor: workflowsActor(cl)})
}

type agreementInput struct {
	AcceptClauses []string `json:"accept_clauses" bound:"id,max=50"`
}

// acceptAgreement records the applicant's acceptance of the open-data use
// agreement, which makes an approval effective (leshan 第二十八条).
func (s *Server) acceptAgreement(c echo.Context) error {
	cl, err := allow(c, RoleApplicant)
	if err != nil {
		return err
	}
	var in agreementInput
	if err := bind(c, &in); err != nil {
		return err
	}
	a, err := load[models.OpenApplication](s, c, &workflows.OpenProcedure.Descriptor)
	if err != nil {
		return err
	}
	return s.sendOpenUpdate(c, a, workflows.UpdateAgree, "accept_clauses", workflows.AgreeInput{Clauses: in.AcceptClauses, Actor: workflowsActor(cl)})
}

// sendOpenUpdate sends an Update to an application's workflow and answers
// with the application once the workflow has acted on it.
func (s *Server) sendOpenUpdate(c echo.Context, a models.OpenApplication, name, field string, arg any) error {
	return updated(s, c, &workflows.OpenProcedure.Descriptor, a.ID, a.WorkflowID, name, field, arg)
}

// publishedRefusal is a refusal as the platform publishes it (xiamen
// 第二十三条): the reasons, without a person's name.
type publishedRefusal struct {
	ID            string     `json:"id"`
	Jurisdiction  string     `json:"jurisdiction"`
	CatalogItemID string     `json:"catalog_item_id,omitempty"`
	ApplicantName string     `json:"applicant_name,omitempty"`
	ApplicantKind string     `json:"applicant_kind"`
	Scenario      string     `json:"scenario"`
	Reason        string     `json:"reason"`
	LegalBasis    string     `json:"legal_basis,omitempty"`
	Article       string     `json:"article"`
	DecidedAt     *time.Time `json:"decided_at,omitempty"`
}

// publishedRefusals lists the refusals published with their reasons; public.
func (s *Server) publishedRefusals(c echo.Context) error {
	q := s.DB.WithContext(c.Request().Context()).Model(&models.OpenApplication{}).
		Where("status = ? AND published = ?", models.OpenRejected, true)
	if j := c.QueryParam("jurisdiction"); j != "" {
		q = q.Where("jurisdiction = ?", j)
	}
	q = q.Select("id, jurisdiction, catalog_item_id, CASE WHEN applicant_kind = 'person' THEN '' ELSE applicant_name END AS applicant_name, " +
		"applicant_kind, scenario, reason, legal_basis, article, decided_at").Order("decided_at DESC, id")
	return paginate[publishedRefusal](c, q)
}

// approvedApplicant is an entry of the public list of applicants granted
// conditionally open data (leshan 第二十六条).
type approvedApplicant struct {
	ApplicantName string     `json:"applicant_name"`
	ApplicantKind string     `json:"applicant_kind"`
	CatalogItemID string     `json:"catalog_item_id"`
	PeriodFrom    string     `json:"period_from"`
	PeriodTo      string     `json:"period_to"`
	DecidedAt     *time.Time `json:"decided_at,omitempty"`
}

// approvedApplicants lists the applicants whose applications were approved,
// in a city that publishes them; public.
func (s *Server) approvedApplicants(c echo.Context) error {
	j, p, err := s.cityParam(c)
	if err != nil {
		return err
	}
	if !p.OpenApplication.PublishApproved {
		return invalid(FieldError{"jurisdiction", j + " does not publish a list of approved applicants"})
	}
	q := s.DB.WithContext(c.Request().Context()).Model(&models.OpenApplication{}).
		Where("status = ? AND jurisdiction = ? AND kind = ?", models.OpenApproved, j, models.OpenKindUse).
		Select("applicant_name, applicant_kind, catalog_item_id, period_from, period_to, decided_at").Order("decided_at DESC, id")
	return paginate[approvedApplicant](c, q)
}
