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
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// The routes of workflows.ObjectionProcedure (serveProcedure).
var _ = serveProcedure(&workflows.ObjectionProcedure.Descriptor, (*Server).createObjection, (*Server).objectionView)

// MaxEvidenceBytes is the largest evidence file accepted (the API's body
// limit is 1 MiB, multipart framing included).
const MaxEvidenceBytes = 512 << 10

// evidenceTypes are the content types accepted for evidence, as sniffed from
// the file's content (http.DetectContentType).
var evidenceTypes = []string{"application/pdf", "image/png", "image/jpeg", "text/plain"}

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
	notFound := problem(http.StatusNotFound, fmt.Sprintf("evidence %s not found", c.Param("id")))
	ev, err := findScoped[models.Evidence](db, c.Param("id"), "evidence")
	if err != nil {
		return err
	}
	mine := ev.UploadedByCaller(cl.Role, cl.Subject, cl.Dept)
	if !mine {
		if ev.ObjectionID == "" {
			return notFound
		}
		q, err := s.scoped(c, &workflows.ObjectionProcedure.Descriptor)
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

// objectionView is an objection as the API shows it: its status, step, due
// time, outcome and the feedback to the objector, its evidence, tasks and
// events, and the item's availability now.
type objectionView struct {
	models.Objection
	steps
	DueAt        string            `json:"due_at,omitempty"`
	ServiceLevel bool              `json:"service_level"` // the period is the platform's service level, not statutory
	Availability string            `json:"availability"`
	EvidenceList []models.Evidence `json:"evidence"`
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
	v.steps, err = s.stepsOf(c, o.Header)
	return v, err
}

// createObjection files an objection to catalog data
// (workflows.ObjectionProcedure).
func (s *Server) createObjection(c echo.Context) error {
	p := workflows.ObjectionProcedure
	cl, in, item, err := itemInput(s, c, p, func(in workflows.ObjectionFiling) string { return in.CatalogItemID })
	if err != nil {
		return err
	}
	db := s.DB.WithContext(c.Request().Context())
	facts := workflows.ObjectionFacts{Filed: filed(s, cl, in), Item: item}
	return s.file(c, filing{d: &p.Descriptor, in: in, key: filerKey(cl),
		same: func(r any) bool {
			o := r.(*models.Objection)
			return o.CatalogItemID == in.CatalogItemID && o.Kind == in.Kind && o.Description == in.Description
		},
		start: func(id string) (procedure.Start, error) {
			facts.ID = id
			a, err := models.Availability(db, item.ID)
			if err != nil {
				return procedure.Start{}, err
			}
			facts.Availability = a.State
			if in.Kind == regulations.ObjectionOpenDataDoubt && cl.Role == RoleApplicant {
				var n int64
				if err := db.Model(&models.OpenGrant{}).Where("catalog_item_id = ? AND applicant_subject = ?", item.ID, cl.Subject).Count(&n).Error; err != nil {
					return procedure.Start{}, fmt.Errorf("open grants on %s: %w", item.ID, err)
				}
				facts.OpenGrant = n > 0
			}
			if facts.Evidence, err = s.evidence(c, workflows.ObjectionEvidence(in)); err != nil {
				return procedure.Start{}, err
			}
			return fileWith(s, p, facts, item.Jurisdiction, facts.Now, id)
		},
	})
}

// evidence loads evidence files by ID, without their data; nil for an ID
// that names none.
func (s *Server) evidence(c echo.Context, ids []string) ([]*models.Evidence, error) {
	out := make([]*models.Evidence, len(ids))
	db := s.DB.WithContext(c.Request().Context())
	for i, id := range ids {
		var ev models.Evidence
		switch err := db.Omit("data").First(&ev, "id = ?", id).Error; {
		case err == nil:
			out[i] = &ev
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return nil, fmt.Errorf("load evidence: %w", err)
		}
	}
	return out, nil
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
