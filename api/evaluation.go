package api

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cityapprovals/approvals/audit"
	"github.com/cityapprovals/approvals/bounds"
	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/labstack/echo/v4"
)

// evaluationReport is the answer of GET /reports/evaluation.
type evaluationReport struct {
	AsOf         audit.Stamp           `json:"as_of"`
	Jurisdiction string                `json:"jurisdiction"`
	Year         int                   `json:"year"`
	Document     string                `json:"document"`
	Article      string                `json:"article"`
	Evaluator    string                `json:"evaluator"`
	Yearly       bool                  `json:"yearly"`
	Note         string                `json:"note,omitempty"`
	Rows         []audit.EvaluationRow `json:"rows"`
}

// csvWanted reads format (json or csv; Accept: text/csv when absent).
func csvWanted(c echo.Context) (bool, error) {
	switch f := c.QueryParam("format"); f {
	case "":
		return strings.Contains(c.Request().Header.Get(echo.HeaderAccept), "text/csv"), nil
	case "json":
		return false, nil
	case "csv":
		return true, nil
	}
	return false, problem(http.StatusBadRequest, "format must be json or csv", FieldError{"format", "must be json or csv"})
}

// reportEvaluation answers the yearly evaluation of a city's departments
// (wuhan 第三十五条, weifang 第三十二条, changsha 第三十七条, leshan 第三十八条;
// the profile's evaluation) for the auditor and the admin: per department,
// from the tasks it received in the year (Beijing), requests answered on
// time, catalogs updated on time, objections handled, overdue and
// supervised counts and the months for a chart; as JSON or CSV. A city
// whose text provides no evaluation (xiamen) is refused.
func (s *Server) reportEvaluation(c echo.Context) error {
	if _, err := allow(c, RoleAuditor, RoleAdmin); err != nil {
		return err
	}
	if err := onlyParams(c, "jurisdiction", "year", "department", "format"); err != nil {
		return err
	}
	asCSV, err := csvWanted(c)
	if err != nil {
		return err
	}
	city, p, err := s.cityParam(c)
	if err != nil {
		return err
	}
	year, err := strconv.Atoi(c.QueryParam("year"))
	if err != nil || year < bounds.MinYear || year > bounds.MaxYear {
		return problem(http.StatusBadRequest, fmt.Sprintf("year must be a year from %d to %d", bounds.MinYear, bounds.MaxYear),
			FieldError{"year", fmt.Sprintf("a year from %d to %d is required", bounds.MinYear, bounds.MaxYear)})
	}
	if p.Evaluation == nil {
		return invalid(FieldError{"jurisdiction", fmt.Sprintf("%s's text (%s) provides no evaluation of departments", city, p.Document)})
	}
	ctx := c.Request().Context()
	db := s.DB.WithContext(ctx)
	in := audit.EvaluationInput{Jurisdiction: city, Year: year, OverdueArticle: p.Accountability.Article}
	depts := db.Model(&models.Department{}).Where("jurisdiction = ?", city)
	tasks := db.Where("jurisdiction = ? AND assignee_dept <> '' AND kind IN ?", city, []string{models.TaskDecision, models.TaskObligation}).
		Where("created_at >= ? AND created_at < ?", time.Date(year, 1, 1, 0, 0, 0, 0, holidays.Shanghai).UTC(), time.Date(year+1, 1, 1, 0, 0, 0, 0, holidays.Shanghai).UTC())
	if d := c.QueryParam("department"); d != "" {
		depts = depts.Where("code = ?", d)
		tasks = tasks.Where("assignee_dept = ?", d)
	}
	if err := depts.Order("code").Pluck("code", &in.Departments).Error; err != nil {
		return fmt.Errorf("load the departments of %s: %w", city, err)
	}
	if err := tasks.Find(&in.Tasks).Error; err != nil {
		return fmt.Errorf("load tasks for the evaluation of %s %d: %w", city, year, err)
	}
	if err := db.Where("jurisdiction = ? AND kind = ?", city, models.TaskSupervision).Select("id", "kind").Find(&in.Supervisions).Error; err != nil {
		return fmt.Errorf("load supervision tasks of %s: %w", city, err)
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return err
	}
	now := s.now()
	rows := audit.Evaluation(in, cal, now)
	if asCSV {
		var buf bytes.Buffer
		if err := audit.WriteEvaluationCSV(&buf, rows, p.Evaluation.Article); err != nil {
			return err
		}
		c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="evaluation-%s-%d.csv"`, city, year))
		return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
	}
	return c.JSON(http.StatusOK, evaluationReport{AsOf: audit.StampOf(now), Jurisdiction: city, Year: year, Document: p.Document,
		Article: p.Evaluation.Article, Evaluator: p.Evaluation.Evaluator, Yearly: p.Evaluation.Yearly, Note: p.Evaluation.Note, Rows: rows})
}

// cityParam is the city a GET names in its required jurisdiction parameter,
// with the profile in force there; a missing or unknown city is a 400
// naming jurisdiction.
func (s *Server) cityParam(c echo.Context) (string, regulations.Profile, error) {
	city := c.QueryParam("jurisdiction")
	if city == "" {
		return "", regulations.Profile{}, problem(http.StatusBadRequest, "jurisdiction is required", FieldError{"jurisdiction", "is required"})
	}
	p, ok := s.Regulations.Get(city)
	if !ok {
		return "", p, problem(http.StatusBadRequest, "unknown jurisdiction "+city, FieldError{"jurisdiction", fmt.Sprintf("unknown jurisdiction %q", city)})
	}
	return city, p, nil
}
