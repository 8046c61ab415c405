package api

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// useInput is the body of POST /grants/{id}/uses: one use of shared data.
type useInput struct {
	Purpose  string    `json:"purpose"`
	Users    []string  `json:"users" bound:"name,max=100"`
	Approver string    `json:"approver" bound:"name"`
	Content  []string  `json:"content" bound:"name,max=500"`
	UsedAt   time.Time `json:"used_at"`
	Means    string    `json:"means" bound:"name"`
	Medium   string    `json:"medium" bound:"name"`
}

// given reports whether the input states a particular (regulations.UseField*).
func (in useInput) given(field string) bool {
	switch field {
	case regulations.UseFieldPurpose:
		return strings.TrimSpace(in.Purpose) != ""
	case regulations.UseFieldUsers:
		return slices.ContainsFunc(in.Users, func(u string) bool { return strings.TrimSpace(u) != "" })
	case regulations.UseFieldApprover:
		return strings.TrimSpace(in.Approver) != ""
	case regulations.UseFieldContent:
		return len(in.Content) > 0
	case regulations.UseFieldUsedAt:
		return !in.UsedAt.IsZero()
	case regulations.UseFieldMeans:
		return strings.TrimSpace(in.Means) != ""
	case regulations.UseFieldMedium:
		return strings.TrimSpace(in.Medium) != ""
	}
	return false
}

// grantOf loads a grant and the share request it came from; an unknown grant
// is a 404.
func (s *Server) grantOf(db *gorm.DB, id string) (models.Grant, models.ShareRequest, error) {
	var r models.ShareRequest
	g, err := findScoped[models.Grant](db, id, "grant")
	if err != nil {
		return g, r, err
	}
	if err := db.First(&r, "id = ?", g.ShareRequestID).Error; err != nil {
		return g, r, fmt.Errorf("load the share request of grant %s: %w", id, err)
	}
	return g, r, nil
}

// useLogRule is the city's use-log rule, or a 422 on jurisdiction where
// the city's text requires no use log or is not in force.
func (s *Server) useLogRule(city string, now time.Time) (regulations.Profile, *regulations.UseLogRule, error) {
	p, err := s.inForce(city, now)
	if err != nil {
		return p, nil, err
	}
	if p.UseLog == nil {
		return p, nil, invalid(FieldError{"jurisdiction", fmt.Sprintf("%s's text (%s) provides no log of the use of shared data (only leshan 第三十三条 and weifang 第三十一条 do)", city, p.Document)})
	}
	return p, p.UseLog, nil
}

// checkUse applies the city's rule and the grant's purpose limit to a use:
// the particulars the text requires, the grant's declared purpose, its data
// items and its time. A use after the grant was closed is recorded with a
// flag for the provider rather than refused (it happened; the log says so).
func checkUse(p regulations.Profile, rule regulations.UseLogRule, g models.Grant, r models.ShareRequest, in useInput, now time.Time) ([]models.UseFlag, error) {
	var errs []FieldError
	for _, f := range rule.Fields {
		if !in.given(f) {
			errs = append(errs, FieldError{f, "is required (" + rule.Article + ")"})
		}
	}
	if len(errs) > 0 {
		return nil, invalid(errs...)
	}
	limit := p.ShareRequest.UseArticle
	if in.Purpose != "" && strings.TrimSpace(in.Purpose) != strings.TrimSpace(g.Purpose) {
		errs = append(errs, FieldError{"purpose", fmt.Sprintf("grant %s covers only its declared purpose %q; shared data may not be used for another (%s)", g.ID, g.Purpose, limit)})
	}
	for i, item := range in.Content {
		if !slices.Contains(r.DataItems, item) {
			errs = append(errs, FieldError{fmt.Sprintf("content[%d]", i), fmt.Sprintf("%q is not among the data items granted (%s); shared data may not be used beyond the grant (%s)",
				item, strings.Join(r.DataItems, ", "), limit)})
		}
	}
	switch {
	case in.UsedAt.IsZero():
	case in.UsedAt.After(now.Add(time.Minute)):
		errs = append(errs, FieldError{"used_at", "is in the future: a use is logged once it happened"})
	case in.UsedAt.Before(g.GrantedAt):
		errs = append(errs, FieldError{"used_at", fmt.Sprintf("is before grant %s was opened (%s, %s)", g.ID, beijing(g.GrantedAt), g.Article)})
	}
	if len(errs) > 0 {
		return nil, invalid(errs...)
	}
	flags := []models.UseFlag{}
	if g.ClosedAt != nil && in.UsedAt.After(*g.ClosedAt) {
		flags = append(flags, models.UseFlag{Code: models.UseAfterGrantClosed, Article: limit,
			Message: fmt.Sprintf("used after grant %s was closed at %s (%s)", g.ID, beijing(*g.ClosedAt), g.ClosedReason)})
	}
	return flags, nil
}

// grantFor loads the path's grant and its share request for the caller. A
// department sees a grant of its city that it holds or whose data it
// provides (another's is a 404, as unknown); logging a use (write) is the
// grantee's alone (the provider: 403) and a department's only, reading is
// also the auditor's.
func (s *Server) grantFor(c echo.Context, write bool) (*Claims, models.Grant, models.ShareRequest, error) {
	who := []string{RoleDepartment, RoleAuditor}
	if write {
		who = who[:1]
	}
	cl, err := allow(c, who...)
	if err != nil {
		return nil, models.Grant{}, models.ShareRequest{}, err
	}
	g, r, err := s.grantOf(s.DB.WithContext(c.Request().Context()), c.Param("id"))
	if err != nil || cl.Role != RoleDepartment {
		return cl, g, r, err
	}
	ours := r.Jurisdiction == cl.Jurisdiction
	switch {
	case ours && g.Dept == cl.Dept, ours && r.ProviderDept == cl.Dept && !write:
		return cl, g, r, nil
	case ours && r.ProviderDept == cl.Dept:
		return cl, g, r, problem(http.StatusForbidden, fmt.Sprintf("only the grantee %s logs the uses of grant %s", g.Dept, g.ID))
	}
	return cl, g, r, problem(http.StatusNotFound, fmt.Sprintf("grant %s not found", g.ID))
}

// createUse logs one use of shared data against a grant, by the grantee
// department: POST /grants/{id}/uses. With an Idempotency-Key the use's ID
// is derived from it and its fingerprint claimed as for every keyed POST
// (claimKey): a retry with the same body answers the use first logged (200,
// Idempotent-Replayed), another body is a 422.
func (s *Server) createUse(c echo.Context) error {
	cl, g, r, err := s.grantFor(c, true)
	if err != nil {
		return err
	}
	db := s.DB.WithContext(c.Request().Context())
	var in useInput
	if err := bind(c, &in); err != nil {
		return err
	}
	id, keyed, err := procedureID(c, "use-", cl.Dept)
	if err != nil {
		return err
	}
	if keyed { // a retry answers the use first logged, with the same body only
		var prev models.UseLog
		switch err := db.First(&prev, "id = ?", id).Error; {
		case err == nil:
			if _, err := s.claimKey(c, id, "use", in, true); err != nil {
				return err
			}
			return replayedUse(c, prev)
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return fmt.Errorf("look up idempotency key: %w", err)
		}
	}
	now := s.now()
	p, rule, err := s.useLogRule(r.Jurisdiction, now)
	if err != nil {
		return err
	}
	flags, err := checkUse(p, *rule, g, r, in, now)
	if err != nil {
		return err
	}
	if keyed {
		if _, err := s.claimKey(c, id, "use", in, false); err != nil {
			return err
		}
	}
	if in.Users == nil {
		in.Users = []string{}
	}
	if in.Content == nil {
		in.Content = []string{}
	}
	u := models.UseLog{ID: id, GrantID: g.ID, ShareRequestID: r.ID, CatalogItemID: g.CatalogItemID, Jurisdiction: r.Jurisdiction,
		Dept: g.Dept, ProviderDept: r.ProviderDept, Purpose: strings.TrimSpace(in.Purpose), Users: in.Users, Approver: in.Approver,
		Content: in.Content, UsedAt: in.UsedAt.UTC(), Means: in.Means, Medium: in.Medium, Article: rule.Article,
		Flags: flags, Flagged: len(flags) > 0, RecordedBy: cl.Subject, RecordedAt: now.UTC()}
	res := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&u)
	if res.Error != nil {
		return fmt.Errorf("log use of grant %s: %w", g.ID, res.Error)
	}
	if res.RowsAffected == 0 { // a concurrent first call with the same key logged it
		var prev models.UseLog
		if err := db.First(&prev, "id = ?", id).Error; err != nil {
			return fmt.Errorf("use %s was neither inserted nor found: %w", id, err)
		}
		return replayedUse(c, prev)
	}
	return c.JSON(http.StatusCreated, u)
}

// replayedUse answers a retried use POST with the use it logged (200,
// Idempotent-Replayed, Location), as every retried POST is answered.
func replayedUse(c echo.Context, u models.UseLog) error {
	c.Response().Header().Set("Idempotent-Replayed", "true")
	c.Response().Header().Set(echo.HeaderLocation, c.Request().URL.Path)
	return c.JSON(http.StatusOK, u)
}

// listUses lists the uses logged against a grant, newest first: GET
// /grants/{id}/uses, for the grantee, the providing department and the
// auditor (other departments do not see the grant: 404); flagged=true keeps
// the flagged ones.
func (s *Server) listUses(c echo.Context) error {
	_, g, _, err := s.grantFor(c, false)
	if err != nil {
		return err
	}
	q, err := boolFilter(c, s.DB.WithContext(c.Request().Context()).Where("grant_id = ?", g.ID).Order("used_at DESC, id"), "flagged")
	if err != nil {
		return err
	}
	return paginate[models.UseLog](c, q)
}

// listAllUses lists logged uses across grants, newest first: GET /uses, for
// a department the uses it logged and those of its data (provider_dept),
// for the auditor every city's; filters jurisdiction, grant_id, dept,
// provider_dept and flagged (the uses flagged to the provider).
func (s *Server) listAllUses(c echo.Context) error {
	cl, err := allow(c, RoleDepartment, RoleAuditor)
	if err != nil {
		return err
	}
	q := s.DB.WithContext(c.Request().Context()).Model(&models.UseLog{}).Order("used_at DESC, id")
	if cl.Role == RoleDepartment {
		q = q.Where("jurisdiction = ? AND (dept = ? OR provider_dept = ?)", cl.Jurisdiction, cl.Dept, cl.Dept)
	}
	q = eqFilters(c, q, "jurisdiction", "grant_id", "dept", "provider_dept")
	if q, err = boolFilter(c, q, "flagged"); err != nil {
		return err
	}
	return paginate[models.UseLog](c, q)
}
