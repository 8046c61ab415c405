package api

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"
)

// Applicant kinds and delivery methods of an open-data application.
var (
	applicantKinds = []string{"person", "company", "organisation"}
	deliveries     = []string{"download", "api", "sandbox", "verification"}
	creditCode     = regexp.MustCompile(`^[0-9A-HJ-NPQRTUWXY]{18}$`) // 统一社会信用代码
)

type periodInput struct {
	From string `json:"from" bound:"date"`
	To   string `json:"to" bound:"date"`
}

// openFieldsInput is what an applicant states, and may amend on resubmission.
type openFieldsInput struct {
	Scenario       string      `json:"scenario"`
	DataScope      string      `json:"data_scope"`
	Delivery       string      `json:"delivery"`
	PeriodOfUse    periodInput `json:"period_of_use"`
	SafetyMeasures string      `json:"safety_measures"`
	Capabilities   string      `json:"capabilities"`
}

type openInput struct {
	Jurisdiction  string `json:"jurisdiction" bound:"id"`
	CatalogItemID string `json:"catalog_item_id" bound:"id"`
	Demand        string `json:"demand"`
	Applicant     struct {
		Name       string `json:"name" bound:"name"`
		Kind       string `json:"kind" bound:"id"`
		CreditCode string `json:"credit_code" bound:"id"`
	} `json:"applicant"`
	openFieldsInput
}

// check validates the stated fields against the city's rule and returns them
// as stored; the period of use ends at 24:00 Beijing time of its last day.
func (in openFieldsInput) check(rule regulations.OpenRule) (models.OpenFields, []FieldError) {
	errs := required("scenario", in.Scenario, "data_scope", in.DataScope)
	if !slices.Contains(deliveries, in.Delivery) {
		errs = append(errs, FieldError{"delivery", "must be one of " + strings.Join(deliveries, ", ")})
	}
	from, errFrom := holidays.ParseDate(in.PeriodOfUse.From)
	to, errTo := holidays.ParseDate(in.PeriodOfUse.To)
	switch {
	case errFrom != nil:
		errs = append(errs, FieldError{"period_of_use.from", "must be a date YYYY-MM-DD"})
	case errTo != nil:
		errs = append(errs, FieldError{"period_of_use.to", "must be a date YYYY-MM-DD"})
	case to.Before(from):
		errs = append(errs, FieldError{"period_of_use.to", fmt.Sprintf("the period of use ends (%s) before it starts (%s)", in.PeriodOfUse.To, in.PeriodOfUse.From)})
	}
	for _, f := range rule.RequiredFields {
		val := in.SafetyMeasures
		if f == regulations.OpenFieldCapabilities {
			val = in.Capabilities
		}
		if strings.TrimSpace(val) == "" {
			errs = append(errs, FieldError{f, "is required in this city (" + rule.FieldsArticle + ")"})
		}
	}
	return models.OpenFields{
		Scenario: in.Scenario, DataScope: in.DataScope, Delivery: in.Delivery,
		PeriodFrom: in.PeriodOfUse.From, PeriodTo: in.PeriodOfUse.To, ExpiresAt: to.AddDate(0, 0, 1).UTC(),
		SafetyMeasures: in.SafetyMeasures, Capabilities: in.Capabilities,
	}, errs
}

// openView is an open-data application as the API shows it.
type openView struct {
	models.OpenApplication
	DueAt            string               `json:"due_at,omitempty"`
	StatutoryNote    string               `json:"statutory_note,omitempty"`
	Rounds           []models.OpenRound   `json:"rounds"`
	Grant            *models.OpenGrant    `json:"grant,omitempty"`
	AgreementClauses []regulations.Clause `json:"agreement_clauses,omitempty"`
	Tasks            []models.Task        `json:"tasks"`
	Events           []models.Event       `json:"events"`
	Deadline         *stepDeadline        `json:"deadline,omitempty"` // the open step's deadline, from its tasks
	Provisional      bool                 `json:"provisional"`        // the open step's deadline is provisional
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
	v.Tasks, v.Events, err = s.procedureRecords(c, a.ID)
	v.Deadline = openDeadline(v.Tasks)
	v.Provisional = v.Deadline != nil && v.Deadline.Provisional
	return v, err
}

func (s *Server) createOpenApplication(c echo.Context) error {
	cl, err := allow(c, RoleApplicant)
	if err != nil {
		return err
	}
	var in openInput
	if err := bind(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	db := s.DB.WithContext(ctx)
	now := s.now()
	if in.Jurisdiction == "" {
		return invalid(FieldError{"jurisdiction", "is required"})
	}
	profile, err := s.Regulations.InForce(in.Jurisdiction, now, holidays.Shanghai)
	if err != nil { // unknown city or regulation not in force (naming the document and its dates)
		return invalid(FieldError{"jurisdiction", err.Error()})
	}
	rule := profile.OpenApplication

	// What is applied for: a catalog item, or (weifang) a data demand.
	kind := models.OpenKindUse
	var item models.CatalogItem
	switch {
	case in.CatalogItemID != "" && in.Demand != "":
		return invalid(FieldError{"demand", "a demand application names no catalog_item_id; apply for a catalog item or state a demand, not both"})
	case in.CatalogItemID == "" && in.Demand == "":
		msg := "is required"
		if rule.DemandApplications {
			msg += " (or state a data demand for data not on the open list in demand)"
		}
		return invalid(FieldError{"catalog_item_id", msg})
	case in.Demand != "":
		if !rule.DemandApplications {
			return invalid(FieldError{"demand", in.Jurisdiction + " has no data demand applications; apply for a catalog item"})
		}
		kind = models.OpenKindDemand
	default:
		var err error
		if item, err = catalogItem(db, in.CatalogItemID); err != nil {
			return err
		}
		if item.Jurisdiction != in.Jurisdiction {
			return invalid(FieldError{"catalog_item_id", fmt.Sprintf("item %s is in %s's catalog, not %s's", item.ID, item.Jurisdiction, in.Jurisdiction)})
		}
		switch item.OpenType {
		case models.OpenUnconditional:
			c.Response().Header().Set("Link", fmt.Sprintf(`</api/v1/catalog/items/%s>; rel="item"`, item.ID))
			return problem(http.StatusConflict, fmt.Sprintf("item %s is open unconditionally (无条件开放): no application is needed; use it at /api/v1/catalog/items/%s", item.ID, item.ID),
				FieldError{"catalog_item_id", "unconditionally open: no application needed"})
		case models.OpenNotOpen:
			return invalid(FieldError{"catalog_item_id", fmt.Sprintf("item %s is not open (不予开放): %s", item.ID, item.LegalBasis)})
		}
		// An item suspended or withdrawn after an objection takes no applications (procedure 4).
		if why, err := models.Unavailable(db, item.ID); err != nil {
			return fmt.Errorf("availability of %s: %w", item.ID, err)
		} else if why != "" {
			return invalid(FieldError{"catalog_item_id", why})
		}
	}

	var errs []FieldError
	if strings.TrimSpace(in.Applicant.Name) == "" {
		errs = append(errs, FieldError{"applicant.name", "is required"})
	}
	if !slices.Contains(applicantKinds, in.Applicant.Kind) {
		errs = append(errs, FieldError{"applicant.kind", "must be one of " + strings.Join(applicantKinds, ", ")})
	}
	if in.Applicant.CreditCode != "" && !creditCode.MatchString(in.Applicant.CreditCode) {
		errs = append(errs, FieldError{"applicant.credit_code", "must be an 18-character unified social credit code (统一社会信用代码)"})
	}
	fields, ferrs := in.openFieldsInput.check(rule)
	if errs = append(errs, ferrs...); len(errs) > 0 {
		return invalid(errs...)
	}

	id, keyed, err := procedureID(c, "oa-", "applicant:"+cl.Subject)
	if err != nil {
		return err
	}
	if keyed {
		p, err := prior[models.OpenApplication](db, id)
		if err != nil {
			return err
		}
		if p != nil {
			claim, err := s.claimKey(c, id, "application", in, true)
			if err != nil {
				return err
			}
			return s.replayOpen(c, *p, claim != models.ClaimLegacy || sameOpen(*p, in))
		}
	}
	article := rule.Decision.Article
	if rule.Preliminary != nil {
		article = rule.Preliminary.Article
	}
	app := models.OpenApplication{
		Header:           models.Header{ID: id, WorkflowID: id, Jurisdiction: in.Jurisdiction, Article: article},
		Kind:             kind,
		CatalogItemID:    item.ID,
		ProviderDept:     item.ProviderDept,
		Demand:           in.Demand,
		ApplicantSubject: cl.Subject,
		ApplicantName:    in.Applicant.Name,
		ApplicantKind:    in.Applicant.Kind,
		CreditCode:       in.Applicant.CreditCode,
		OpenFields:       fields,
		FiledAt:          now.UTC(),
	}
	claim, err := s.claimNew(c, keyed, id, "application", in)
	if err != nil {
		return err
	}
	attrs := procedureAttrs(in.Jurisdiction, workflows.ProcedureOpen, item.ProviderDept)
	finished, err := s.startFiled(ctx, id, attrs, workflows.OpenApplication, workflows.OpenInput{Application: app, Profile: profile})
	if err != nil {
		return err
	}
	var stored models.OpenApplication
	if err := db.First(&stored, "id = ?", id).Error; err != nil {
		return fmt.Errorf("load filed application %s: %w", id, err)
	}
	if finished || claim == models.ClaimSame {
		return s.replayOpen(c, stored, true)
	}
	s.log(c).Info().Str("workflow_id", id).Str("applicant", cl.Subject).Str("item", item.ID).Msg("open-data application filed")
	v, err := s.openView(c, stored)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/open-applications/"+id)
	return c.JSON(http.StatusCreated, v)
}

// replayOpen answers a retried POST with the application its Idempotency-Key made.
func (s *Server) replayOpen(c echo.Context, prior models.OpenApplication, same bool) error {
	return replayed(c, same, "application", "/api/v1/open-applications/"+prior.ID, func() (any, error) { return s.openView(c, prior) })
}

// sameOpen tells whether a stored application is the one a retried POST asks
// for (as first filed: a resubmission amends the stored fields), for
// applications filed before fingerprints (models.IdempotencyKey).
func sameOpen(a models.OpenApplication, in openInput) bool {
	return a.Jurisdiction == in.Jurisdiction && a.CatalogItemID == in.CatalogItemID && a.Demand == in.Demand &&
		a.ApplicantName == in.Applicant.Name && (a.Round > 1 || a.Scenario == in.Scenario && a.DataScope == in.DataScope)
}

// scopeOpen limits a query to the applications the caller may see: applicants
// their own, departments those addressed to them, the city's authority and
// information centre the city's, auditors and admins all.
func scopeOpen(cl *Claims, q *gorm.DB) (*gorm.DB, error) {
	switch cl.Role {
	case RoleAuditor, RoleAdmin:
		return q, nil
	case RoleApplicant:
		return q.Where("applicant_subject = ?", cl.Subject), nil
	case RoleDepartment:
		return q.Where("provider_dept = ?", cl.Dept), nil
	case RoleAuthority, RoleInfocenter:
		return q.Where("jurisdiction = ?", cl.Jurisdiction), nil
	}
	return nil, problem(http.StatusForbidden, "role "+cl.Role+" may not read open-data applications")
}

func (s *Server) loadOpen(c echo.Context) (models.OpenApplication, error) {
	var a models.OpenApplication
	q, err := scopeOpen(claims(c), s.DB.WithContext(c.Request().Context()))
	if err != nil {
		return a, err
	}
	return findScoped[models.OpenApplication](q, c.Param("id"), "open-data application")
}

func (s *Server) getOpenApplication(c echo.Context) error {
	a, err := s.loadOpen(c)
	if err != nil {
		return err
	}
	v, err := s.openView(c, a)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) listOpenApplications(c echo.Context) error {
	q, err := scopeOpen(claims(c), s.DB.WithContext(c.Request().Context()))
	if err != nil {
		return err
	}
	q = eqFilters(c, q, "status", "jurisdiction", "provider_dept", "catalog_item_id", "kind")
	if q, err = boolFilter(c, q, "overdue"); err != nil {
		return err
	}
	return paginate[models.OpenApplication](c, q.Order("filed_at DESC, id"))
}

// resubmitOpenApplication amends a returned application for a new round of
// preliminary review.
func (s *Server) resubmitOpenApplication(c echo.Context) error {
	cl, err := allow(c, RoleApplicant)
	if err != nil {
		return err
	}
	var in openFieldsInput
	if err := bind(c, &in); err != nil {
		return err
	}
	a, err := s.loadOpen(c)
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
	fields, errs := in.check(p.OpenApplication)
	if len(errs) > 0 {
		return invalid(errs...)
	}
	return s.sendOpenUpdate(c, a, workflows.UpdateResubmit, "status", workflows.OpenResubmitInput{Fields: fields, Actor: workflowsActor(cl)})
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
	a, err := s.loadOpen(c)
	if err != nil {
		return err
	}
	return s.sendOpenUpdate(c, a, workflows.UpdateAgree, "accept_clauses", workflows.AgreeInput{Clauses: in.AcceptClauses, Actor: workflowsActor(cl)})
}

func (s *Server) sendOpenUpdate(c echo.Context, a models.OpenApplication, name, field string, arg any) error {
	ctx := c.Request().Context()
	h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: a.WorkflowID, UpdateName: name, WaitForStage: client.WorkflowUpdateStageCompleted, Args: []any{arg},
	})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	if err != nil {
		return updateProblemOn(field, err)
	}
	s.log(c).Info().Str("workflow_id", a.WorkflowID).Str("update", name).Msg("open-data application updated")
	if err := s.DB.WithContext(ctx).First(&a, "id = ?", a.ID).Error; err != nil {
		return fmt.Errorf("reload application %s: %w", a.ID, err)
	}
	v, err := s.openView(c, a)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
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
	j := c.QueryParam("jurisdiction")
	p, ok := s.Regulations.Get(j)
	if !ok {
		return problem(http.StatusBadRequest, "jurisdiction must be a known city", FieldError{"jurisdiction", fmt.Sprintf("unknown city %q", j)})
	}
	if !p.OpenApplication.PublishApproved {
		return invalid(FieldError{"jurisdiction", j + " does not publish a list of approved applicants"})
	}
	q := s.DB.WithContext(c.Request().Context()).Model(&models.OpenApplication{}).
		Where("status = ? AND jurisdiction = ? AND kind = ?", models.OpenApproved, j, models.OpenKindUse).
		Select("applicant_name, applicant_kind, catalog_item_id, period_from, period_to, decided_at").Order("decided_at DESC, id")
	return paginate[approvedApplicant](c, q)
}
