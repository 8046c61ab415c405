package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cityapprovals/approvals/bounds"
	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
	"go.temporal.io/api/serviceerror"
)

// calendar returns the calendar in force: the database's when the server has
// a store, else the configured one.
func (s *Server) calendar(ctx context.Context) (*holidays.Calendar, error) {
	if s.Calendars != nil {
		return s.Calendars.Current(ctx)
	}
	return s.Calendar(), nil
}

// yearInput is the body of PUT /calendar/years/{year}.
type yearInput struct {
	Source         string             `json:"source"`
	URL            string             `json:"url" bound:"url"`
	Holidays       []holidays.Holiday `json:"holidays" bound:"max=40"`
	MakeupWorkdays []string           `json:"makeup_workdays" bound:"date,max=20"`
}

// yearView is one year of the calendar in force.
type yearView struct {
	Year           int                `json:"year"`
	Origin         string             `json:"origin"`   // shipped or published
	Revision       int                `json:"revision"` // 0 for a shipped year
	Source         string             `json:"source"`
	URL            string             `json:"url,omitempty"`
	Holidays       []holidays.Holiday `json:"holidays"`
	MakeupWorkdays []string           `json:"makeup_workdays"`
	PublishedAt    *time.Time         `json:"published_at,omitempty"`
	PublishedBy    string             `json:"published_by,omitempty"`
}

func publishedView(y models.CalendarYear) yearView {
	at := y.PublishedAt
	return yearView{Year: y.Year, Origin: "published", Revision: y.Revision, Source: y.Source, URL: y.URL,
		Holidays: y.Holidays, MakeupWorkdays: y.MakeupWorkdays, PublishedAt: &at, PublishedBy: y.PublishedBy}
}

// publishView answers PUT /calendar/years/{year}.
type publishView struct {
	yearView
	Changed         bool   `json:"changed"`
	CalendarVersion string `json:"calendar_version"`
	RetimeID        string `json:"retime_id"`
}

// putCalendarYear publishes or corrects a year's schedule and starts the
// re-timing of the running procedures it can move.
func (s *Server) putCalendarYear(c echo.Context) error {
	cl, err := allow(c, RoleAdmin)
	if err != nil {
		return err
	}
	year, err := strconv.Atoi(c.Param("year"))
	if err != nil || year < bounds.MinYear || year > bounds.MaxYear {
		msg := fmt.Sprintf("must be a year from %d to %d", bounds.MinYear, bounds.MaxYear)
		return problem(http.StatusBadRequest, "year "+msg, FieldError{"year", msg})
	}
	var in yearInput
	if err := bind(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	sched := holidays.Schedule{Year: year, Source: in.Source, URL: in.URL, Holidays: in.Holidays, MakeupWorkdays: in.MakeupWorkdays}
	pub, err := models.PublishCalendarYear(s.DB.WithContext(ctx), sched, cl.Subject, s.now())
	if p := invalidModel(err); p != nil {
		return p
	}
	if err != nil {
		return fmt.Errorf("publish %d: %w", year, err)
	}
	id, err := workflows.StartRetime(ctx, s.Temporal, pub.Year.Revision, workflows.RetimeJob{Year: year, CalendarVersion: pub.Calendar.Version()})
	if err != nil {
		s.log(c).Error().Err(err).Int("year", year).Msg("re-timing not started")
		return problem(http.StatusServiceUnavailable, fmt.Sprintf(
			"revision %d of %d is published but re-timing the running procedures could not start (%v); PUT the same schedule again to retry", pub.Year.Revision, year, err))
	}
	s.log(c).Info().Int("year", year).Int("revision", pub.Year.Revision).Bool("changed", pub.Changed).
		Str("calendar_version", pub.Calendar.Version()).Str("retime_id", id).Msg("calendar year published")
	return c.JSON(http.StatusOK, publishView{yearView: publishedView(pub.Year), Changed: pub.Changed,
		CalendarVersion: pub.Calendar.Version(), RetimeID: id})
}

// listCalendarYears lists every year of the calendar in force with its
// source, and whether it is shipped or published (with its revision).
func (s *Server) listCalendarYears(c echo.Context) error {
	ctx := c.Request().Context()
	published, err := models.PublishedYears(s.DB.WithContext(ctx))
	if err != nil {
		return err
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return err
	}
	byYear := map[int]models.CalendarYear{}
	for _, y := range published {
		byYear[y.Year] = y
	}
	items := []yearView{}
	for _, sc := range models.CurrentSchedules(published) {
		if y, ok := byYear[sc.Year]; ok {
			items = append(items, publishedView(y))
			continue
		}
		items = append(items, yearView{Year: sc.Year, Origin: "shipped", Source: sc.Source, URL: sc.URL,
			Holidays: sc.Holidays, MakeupWorkdays: sc.MakeupWorkdays})
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "next_page_token": "", "calendar_version": cal.Version()})
}

// getRetime reports a re-timing's progress, with its total and percent.
func (s *Server) getRetime(c echo.Context) error {
	if _, err := allow(c, RoleAdmin); err != nil {
		return err
	}
	if !strings.HasPrefix(c.Param("id"), workflows.RetimePrefix) {
		return problem(http.StatusNotFound, "no re-timing "+c.Param("id"))
	}
	p, err := workflows.RetimeStatus(c.Request().Context(), s.Temporal, c.Param("id"))
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return problem(http.StatusNotFound, "no re-timing "+c.Param("id"))
	}
	if err != nil {
		return err
	}
	out, err := s.withTotal(c.Request().Context(), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
