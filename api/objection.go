package api

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/cityapprovals/approvals/bounds"
	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// MaxEvidenceBytes is the largest evidence file accepted (the API's body
// limit is 1 MiB, multipart framing included).
const MaxEvidenceBytes = 512 << 10

// evidenceTypes are the content types accepted for evidence, as sniffed from
// the file's content (http.DetectContentType).
var evidenceTypes = []string{"application/pdf", "image/png", "image/jpeg", "text/plain"}

// registeredCaller refuses a department caller whose department has no row
// in departments (a 422 naming it): it may not file or upload anything.
func (s *Server) registeredCaller(c echo.Context, cl *Claims) error {
	if cl.Role != RoleDepartment {
		return nil
	}
	var n int64
	if err := s.DB.WithContext(c.Request().Context()).Model(&models.Department{}).Where("code = ?", cl.Dept).Count(&n).Error; err != nil {
		return fmt.Errorf("look up department %s: %w", cl.Dept, err)
	}
	if n == 0 {
		return invalid(FieldError{"dept", fmt.Sprintf("department %q of the token is not registered", cl.Dept)})
	}
	return nil
}

// uploadEvidence stores an evidence file (multipart field "file") with its
// SHA-256, for a later objection of the same caller.
func (s *Server) uploadEvidence(c echo.Context) error {
	cl, err := allow(c, RoleApplicant, RoleDepartment)
	if err != nil {
		return err
	}
	if err := s.registeredCaller(c, cl); err != nil {
		return err
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return problem(http.StatusBadRequest, "send the evidence as multipart/form-data in the field \"file\": "+err.Error(), FieldError{"file", "is required"})
	}
	if msg := bounds.Name(fh.Filename); msg != "" {
		return invalid(FieldError{"file", "its file name " + msg})
	}
	if fh.Size > MaxEvidenceBytes {
		return problem(http.StatusRequestEntityTooLarge, fmt.Sprintf("evidence is %d bytes; at most %d are accepted", fh.Size, MaxEvidenceBytes))
	}
	f, err := fh.Open()
	if err != nil {
		return problem(http.StatusBadRequest, "read the file: "+err.Error())
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxEvidenceBytes+1))
	if err != nil {
		return problem(http.StatusBadRequest, "read the file: "+err.Error())
	}
	if len(data) > MaxEvidenceBytes {
		return problem(http.StatusRequestEntityTooLarge, fmt.Sprintf("evidence is larger than %d bytes", MaxEvidenceBytes))
	}
	if len(data) == 0 {
		return invalid(FieldError{"file", "is empty"})
	}
	sniffed, _, _ := strings.Cut(http.DetectContentType(data), ";")
	if !slices.Contains(evidenceTypes, sniffed) {
		return problem(http.StatusUnsupportedMediaType, fmt.Sprintf("evidence of type %s is not accepted (accepted: %s)", sniffed, strings.Join(evidenceTypes, ", ")))
	}
	if declared, _, _ := strings.Cut(fh.Header.Get("Content-Type"), ";"); declared != "" && declared != "application/octet-stream" && declared != sniffed {
		return problem(http.StatusUnsupportedMediaType, fmt.Sprintf("the file is declared %s but its content is %s", declared, sniffed))
	}
	sum := sha256.Sum256(data)
	ev := models.Evidence{ID: "ev-" + uuid.NewString(), Name: fh.Filename, ContentType: sniffed, Size: int64(len(data)),
		SHA256: hex.EncodeToString(sum[:]), Data: data, UploadedBy: cl.Subject, UploaderRole: cl.Role, UploaderDept: cl.Dept, CreatedAt: s.now().UTC()}
	if err := s.DB.WithContext(c.Request().Context()).Create(&ev).Error; err != nil {
		return fmt.Errorf("store evidence: %w", err)
	}
	return c.JSON(http.StatusCreated, ev)
}

// getEvidence returns an evidence file to its uploader and to whoever may see
// the objection it supports.
func (s *Server) getEvidence(c echo.Context) error {
	cl := claims(c)
	db := s.DB.WithContext(c.Request().Context())
	var ev models.Evidence
	notFound := problem(http.StatusNotFound, fmt.Sprintf("evidence %s not found", c.Param("id")))
	if err := db.First(&ev, "id = ?", c.Param("id")).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return notFound
		}
		return fmt.Errorf("load evidence: %w", err)
	}
	mine := ev.UploadedByCaller(cl.Role, cl.Subject, cl.Dept)
	if !mine {
		if ev.ObjectionID == "" {
			return notFound
		}
		q, err := scopeObjections(cl, db)
		if err != nil {
			return err
		}
		var n int64
		if err := q.Model(&models.Objection{}).Where("id = ?", ev.ObjectionID).Count(&n).Error; err != nil {
			return fmt.Errorf("check objection %s: %w", ev.ObjectionID, err)
		}
		if n == 0 {
			return notFound
		}
	}
	c.Response().Header().Set("X-Content-SHA256", ev.SHA256)
	c.Response().Header().Set("Content-Disposition", "attachment")
	return c.Blob(http.StatusOK, ev.ContentType, ev.Data)
}

type objectionInput struct {
	Jurisdiction  string   `json:"jurisdiction" bound:"id"`
	CatalogItemID string   `json:"catalog_item_id" bound:"id"`
	Kind          string   `json:"kind" bound:"id"`
	Description   string   `json:"description"`
	Evidence      []string `json:"evidence" bound:"id,max=20"`
}

// objectionView is an objection as the API shows it: its status, step, due
// time, outcome and the feedback to the objector, its evidence, tasks and
// events, and the item's availability now.
type objectionView struct {
	models.Objection
	DueAt        string            `json:"due_at,omitempty"`
	ServiceLevel bool              `json:"service_level"` // the period is the platform's service level, not statutory
	Availability string            `json:"availability"`
	EvidenceList []models.Evidence `json:"evidence"`
	Tasks        []models.Task     `json:"tasks"`
	Events       []models.Event    `json:"events"`
	Deadline     *stepDeadline     `json:"deadline,omitempty"` // the open step's deadline, from its tasks
}

func (s *Server) objectionView(c echo.Context, o models.Objection) (objectionView, error) {
	v := objectionView{Objection: o, ServiceLevel: !o.Statutory, EvidenceList: []models.Evidence{}}
	if o.DueAt != nil {
		v.DueAt = beijing(*o.DueAt)
	}
	db := s.DB.WithContext(c.Request().Context())
	a, err := models.Availability(db, o.CatalogItemID)
	if err != nil {
		return v, err
	}
	v.Availability = a.State
	if len(o.Evidence) > 0 {
		if err := db.Omit("data").Where("id IN ?", o.Evidence).Order("created_at, id").Find(&v.EvidenceList).Error; err != nil {
			return v, fmt.Errorf("load evidence of %s: %w", o.ID, err)
		}
	}
	v.Tasks, v.Events, err = s.procedureRecords(c, o.ID)
	v.Deadline = openDeadline(v.Tasks)
	return v, err
}

func (s *Server) createObjection(c echo.Context) error {
	cl, err := allow(c, RoleApplicant, RoleDepartment)
	if err != nil {
		return err
	}
	var in objectionInput
	if err := bind(c, &in); err != nil {
		return err
	}
	errs := required("catalog_item_id", in.CatalogItemID, "kind", in.Kind, "description", in.Description)
	if in.Kind != "" && !slices.Contains(regulations.ObjectionKinds, in.Kind) {
		errs = append(errs, FieldError{"kind", "must be one of " + strings.Join(regulations.ObjectionKinds, ", ")})
	}
	if len(errs) > 0 {
		return invalid(errs...)
	}
	if err := s.registeredCaller(c, cl); err != nil {
		return err
	}
	ctx := c.Request().Context()
	db := s.DB.WithContext(ctx)
	item, err := catalogItem(db, in.CatalogItemID)
	if err != nil {
		return err
	}
	if in.Jurisdiction != "" && in.Jurisdiction != item.Jurisdiction {
		return invalid(FieldError{"jurisdiction", fmt.Sprintf("item %s is in %s's catalog, not %s's", item.ID, item.Jurisdiction, in.Jurisdiction)})
	}
	if cl.Role == RoleDepartment {
		if cl.Dept == item.ProviderDept {
			return invalid(FieldError{"catalog_item_id", "a department corrects its own data by a catalog change, not by an objection"})
		}
	} else if in.Kind == regulations.ObjectionSharedDataDoubt {
		return invalid(FieldError{"kind", "only a department doubts shared data"})
	}
	now := s.now()
	profile, err := s.Regulations.InForce(item.Jurisdiction, now, holidays.Shanghai)
	if err != nil {
		return invalid(FieldError{"jurisdiction", err.Error()})
	}
	route, ok := profile.Objection.Route(in.Kind)
	if !ok {
		return invalid(FieldError{"kind", fmt.Sprintf("%s handles objections of kind %s (%s)", profile.Document,
			strings.Join(profile.Objection.AcceptedKinds(), ", "), profile.Objection.Handling.Article)})
	}
	if route.EvidenceRequired && len(in.Evidence) == 0 {
		return invalid(FieldError{"evidence", "a " + in.Kind + " needs evidence (" + route.Handling.Article + "): upload it to /api/v1/evidence first"})
	}
	if a, err := models.Availability(db, item.ID); err != nil {
		return err
	} else if a.State == models.AvailabilityWithdrawn {
		return invalid(FieldError{"catalog_item_id", fmt.Sprintf("item %s is withdrawn (撤回) already", item.ID)})
	}

	owner := cl.Subject
	if cl.Role == RoleDepartment {
		owner = cl.Dept
	}
	id, keyed, err := procedureID(c, "ob-", cl.Role+":"+owner)
	if err != nil {
		return err
	}
	if keyed {
		p, err := prior[models.Objection](db, id)
		if err != nil {
			return err
		}
		if p != nil {
			claim, err := s.claimKey(c, id, "objection", in, true)
			if err != nil {
				return err
			}
			same := claim != models.ClaimLegacy || p.CatalogItemID == in.CatalogItemID && p.Kind == in.Kind && p.Description == in.Description
			return s.replayObjection(c, *p, same, http.StatusOK)
		}
	}
	evidence := slices.Compact(slices.Sorted(slices.Values(in.Evidence)))
	for i, eid := range evidence {
		var ev models.Evidence
		if err := db.Omit("data").First(&ev, "id = ?", eid).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return invalid(FieldError{fmt.Sprintf("evidence[%d]", i), fmt.Sprintf("no evidence %q", eid)})
			}
			return fmt.Errorf("load evidence: %w", err)
		}
		if !ev.UploadedByCaller(cl.Role, cl.Subject, cl.Dept) {
			return invalid(FieldError{fmt.Sprintf("evidence[%d]", i), fmt.Sprintf("evidence %s was uploaded by someone else", eid)})
		}
		if ev.ObjectionID != "" && ev.ObjectionID != id {
			return invalid(FieldError{fmt.Sprintf("evidence[%d]", i), fmt.Sprintf("evidence %s supports objection %s already", eid, ev.ObjectionID)})
		}
	}

	o := models.Objection{
		Header:        models.Header{ID: id, WorkflowID: id, Jurisdiction: item.Jurisdiction},
		CatalogItemID: item.ID,
		ItemVersion:   item.Version,
		ProviderDept:  item.ProviderDept,
		Kind:          in.Kind,
		Description:   in.Description,
		Evidence:      evidence,
		ObjectorRole:  cl.Role,
		ObjectorDept:  cl.Dept,
		ObjectedBy:    cl.Subject,
		FiledAt:       now.UTC(),
	}
	if cl.Dept != "" {
		o.ObjectedBy = cl.Subject + "@" + cl.Dept
	}
	claim, err := s.claimNew(c, keyed, id, "objection", in)
	if err != nil {
		return err
	}
	attrs := procedureAttrs(item.Jurisdiction, workflows.ProcedureObjection, item.ProviderDept)
	finished, err := s.startFiled(ctx, id, attrs, workflows.Objection, workflows.ObjectionInput{Objection: o, Item: item, Profile: profile})
	if err != nil {
		return err
	}
	var stored models.Objection
	if err := db.First(&stored, "id = ?", id).Error; err != nil {
		return fmt.Errorf("load filed objection %s: %w", id, err)
	}
	status := http.StatusCreated
	if finished || claim == models.ClaimSame {
		status = http.StatusOK
	}
	s.log(c).Info().Str("workflow_id", id).Str("item", item.ID).Str("kind", in.Kind).Msg("objection filed")
	return s.replayObjection(c, stored, true, status)
}

// replayObjection answers a POST with the objection its Idempotency-Key
// made, refusing a key reused for a different objection.
func (s *Server) replayObjection(c echo.Context, o models.Objection, same bool, status int) error {
	if !same {
		return reusedKey("objection")
	}
	v, err := s.objectionView(c, o)
	if err != nil {
		return err
	}
	if status == http.StatusOK {
		c.Response().Header().Set("Idempotent-Replayed", "true")
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/objections/"+o.ID)
	return c.JSON(status, v)
}

// scopeObjections limits a query to the objections the caller may see: the
// objector, the provider, the city's authority, auditors and admins.
func scopeObjections(cl *Claims, q *gorm.DB) (*gorm.DB, error) {
	switch cl.Role {
	case RoleAuditor, RoleAdmin:
		return q, nil
	case RoleAuthority:
		return q.Where("jurisdiction = ?", cl.Jurisdiction), nil
	case RoleDepartment:
		return q.Where("(objector_role = ? AND objector_dept = ?) OR provider_dept = ?", RoleDepartment, cl.Dept, cl.Dept), nil
	case RoleApplicant:
		return q.Where("objector_role = ? AND objected_by = ?", RoleApplicant, cl.Subject), nil
	}
	return nil, problem(http.StatusForbidden, "role "+cl.Role+" may not read objections")
}

func (s *Server) getObjection(c echo.Context) error {
	q, err := scopeObjections(claims(c), s.DB.WithContext(c.Request().Context()))
	if err != nil {
		return err
	}
	o, err := findScoped[models.Objection](q, c.Param("id"), "objection")
	if err != nil {
		return err
	}
	v, err := s.objectionView(c, o)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) listObjections(c echo.Context) error {
	q, err := scopeObjections(claims(c), s.DB.WithContext(c.Request().Context()))
	if err != nil {
		return err
	}
	q = eqFilters(c, q, "status", "jurisdiction", "catalog_item_id", "kind", "outcome")
	q, err = boolFilter(c, q, "overdue")
	if err != nil {
		return err
	}
	return paginate[models.Objection](c, q.Order("filed_at DESC, id"))
}

// checkCorrection refuses an objection's fix_and_reopen whose corrected item
// would change the item's share type or open type, naming the field: that is
// the classification procedure's to decide. (The workflow's validator refuses
// it too; this answer names the field before the Update is sent.)
func (s *Server) checkCorrection(c echo.Context, t models.Task, in decisionInput) error {
	if t.Procedure != models.ProcedureObjection || in.Decision != models.OutcomeFixAndReopen || in.Item == nil {
		return nil
	}
	db := s.DB.WithContext(c.Request().Context())
	var o models.Objection
	if err := db.First(&o, "id = ?", t.ProcedureID).Error; err != nil {
		return fmt.Errorf("load objection %s: %w", t.ProcedureID, err)
	}
	var cur models.CatalogItem
	switch err := db.First(&cur, "id = ?", o.CatalogItemID).Error; {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return nil // deleted meanwhile: the workflow reports that nothing is left to correct
	case err != nil:
		return fmt.Errorf("load catalog item %s: %w", o.CatalogItemID, err)
	}
	if field, msg := models.ReclassifiedField(cur, *in.Item.model()); field != "" {
		return invalid(FieldError{field, msg})
	}
	return nil
}
