package api

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"

	"github.com/cityapprovals/approvals/audit"
	"github.com/cityapprovals/approvals/models"
	"github.com/labstack/echo/v4"
)

// deadlineReport is the answer of GET /reports/deadlines.
type deadlineReport struct {
	AsOf         audit.Stamp         `json:"as_of"`
	Jurisdiction string              `json:"jurisdiction,omitempty"`
	From         string              `json:"from,omitempty"`
	To           string              `json:"to,omitempty"`
	Rows         []audit.DeadlineRow `json:"rows"`
}

// reportDeadlines answers, per department and procedure, how the deadlines
// of the decision tasks opened from `from` to `to` (jurisdiction optional)
// were kept (with group=month, per Beijing month the tasks were opened in):
// as JSON, or as CSV with format=csv or Accept: text/csv.
func (s *Server) reportDeadlines(c echo.Context) error {
	if _, err := allow(c, RoleAuditor, RoleAdmin); err != nil {
		return err
	}
	csv, err := csvWanted(c)
	if err != nil {
		return err
	}
	if err := onlyParams(c, "jurisdiction", "procedure", "from", "to", "group", "format"); err != nil {
		return err
	}
	q := c.QueryParams()
	report := audit.DeadlineReport
	switch g := q.Get("group"); g {
	case "":
	case "month":
		report = audit.DeadlineReportByMonth
	default:
		return problem(http.StatusBadRequest, "group must be month", FieldError{"group", "must be month (or absent)"})
	}
	f, err := audit.ParseListFilter(url.Values{"jurisdiction": q["jurisdiction"], "procedure": q["procedure"], "from": q["from"], "to": q["to"]}, s.Regulations.Cities())
	if err != nil {
		return paramProblem(err)
	}
	db := s.DB.WithContext(c.Request().Context()).Where("kind = ?", models.TaskDecision)
	if f.Jurisdiction != "" {
		db = db.Where("jurisdiction = ?", f.Jurisdiction)
	}
	if f.Procedure != "" {
		db = db.Where("procedure = ?", f.Procedure)
	}
	if f.From != nil {
		db = db.Where("created_at >= ?", f.From.UTC())
	}
	if f.To != nil {
		db = db.Where("created_at < ?", f.To.UTC())
	}
	var tasks []models.Task
	if err := db.Find(&tasks).Error; err != nil {
		return fmt.Errorf("load tasks for the deadline report: %w", err)
	}
	now := s.now()
	cal, err := s.calendar(c.Request().Context())
	if err != nil {
		return err
	}
	rows := report(tasks, cal, now)
	if csv {
		var buf bytes.Buffer
		if err := audit.WriteDeadlineCSV(&buf, rows); err != nil {
			return err
		}
		return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
	}
	out := deadlineReport{AsOf: audit.StampOf(now), Jurisdiction: f.Jurisdiction, Rows: rows}
	if f.From != nil {
		out.From = beijing(*f.From)
	}
	if f.To != nil {
		out.To = beijing(*f.To)
	}
	return c.JSON(http.StatusOK, out)
}
