package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/cityapprovals/approvals/bounds"
	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/labstack/echo/v4"
)

// deadlineView is the answer of GET /calendar/deadline.
type deadlineView struct {
	DueDate         string `json:"due_date"`
	DueAt           string `json:"due_at"`
	Provisional     bool   `json:"provisional"`
	WorkingDays     int    `json:"working_days"`
	CalendarVersion string `json:"calendar_version"`
	Warning         string `json:"warning,omitempty"`
}

// provisionalWarning explains a deadline counted through a year without a
// published schedule.
const provisionalWarning = "the deadline reaches a year whose official holiday schedule is not yet published: it is counted on weekends and the statutory holidays of 《全国年节及纪念日放假办法》第二条 only, will be recomputed when the schedule is published, and no deemed consent is applied on it until then"

// beijing formats a time in Beijing time, RFC 3339.
func beijing(t time.Time) string { return t.In(holidays.Shanghai).Format(time.RFC3339) }

func (s *Server) calendarDeadline(c echo.Context) error {
	var errs []FieldError
	from, err := time.Parse(time.RFC3339, c.QueryParam("from"))
	if err != nil {
		errs = append(errs, FieldError{"from", "must be an RFC 3339 time, e.g. 2026-03-02T09:30:00+08:00"})
	} else if msg := bounds.Time(from); msg != "" {
		errs = append(errs, FieldError{"from", msg})
	}
	n, err := strconv.Atoi(c.QueryParam("working_days"))
	if err != nil || n < 1 || n > holidays.MaxWorkingDays {
		errs = append(errs, FieldError{"working_days", "must be an integer from 1 to " + strconv.Itoa(holidays.MaxWorkingDays)})
	}
	if j := c.QueryParam("jurisdiction"); j != "" {
		if _, ok := s.Regulations.Get(j); !ok {
			errs = append(errs, FieldError{"jurisdiction", "unknown jurisdiction " + strconv.Quote(j)})
		}
	}
	if len(errs) > 0 {
		return problem(http.StatusBadRequest, errs[0].Field+": "+errs[0].Message, errs...)
	}
	cal, err := s.calendar(c.Request().Context())
	if err != nil {
		return err
	}
	d, err := cal.AddWorkingDays(from, n)
	if err != nil {
		return problem(http.StatusBadRequest, err.Error())
	}
	out := deadlineView{DueDate: d.DueDate, DueAt: beijing(d.DueAt), Provisional: d.Provisional, WorkingDays: n, CalendarVersion: cal.Version()}
	if d.Provisional {
		out.Warning = provisionalWarning
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) calendarDays(c echo.Context) error {
	var errs []FieldError
	from, err := holidays.ParseDate(c.QueryParam("from"))
	if err != nil {
		errs = append(errs, FieldError{"from", "must be a date YYYY-MM-DD"})
	} else if msg := bounds.Date(c.QueryParam("from")); msg != "" {
		errs = append(errs, FieldError{"from", msg})
	}
	to, err := holidays.ParseDate(c.QueryParam("to"))
	if err != nil {
		errs = append(errs, FieldError{"to", "must be a date YYYY-MM-DD"})
	} else if msg := bounds.Date(c.QueryParam("to")); msg != "" {
		errs = append(errs, FieldError{"to", msg})
	}
	if len(errs) > 0 {
		return problem(http.StatusBadRequest, errs[0].Field+": "+errs[0].Message, errs...)
	}
	cal, err := s.calendar(c.Request().Context())
	if err != nil {
		return err
	}
	days, err := cal.Days(from, to)
	if err != nil {
		return problem(http.StatusBadRequest, err.Error())
	}
	return c.JSON(http.StatusOK, map[string]any{"days": days})
}

// listRegulations answers every city's profile and the regulations that
// lapse within regulations.LapseWarningDays or have lapsed.
func (s *Server) listRegulations(c echo.Context) error {
	var out []any
	for _, city := range s.Regulations.Cities() {
		p, _ := s.Regulations.Get(city)
		out = append(out, p)
	}
	lapsing := s.Regulations.Lapsing(s.now(), holidays.Shanghai)
	if lapsing == nil {
		lapsing = []regulations.Lapse{}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out, "validity_warnings": lapsing})
}
