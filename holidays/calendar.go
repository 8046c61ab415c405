// Package holidays implements the official PRC working-day calendar used to
// compute statutory deadlines ("N个工作日内").
//
// Weekends and statutory holidays are not working days; weekend days the
// State Council designates as make-up working days (调休上班) are. A period
// of N working days excludes the filing day and ends at 24:00 China Standard
// Time of the Nth working day after it. All arithmetic is done on Beijing
// civil dates, whatever the server's time zone. The statutory holidays of
// 《全国年节及纪念日放假办法》第二条 (see Statutory) are never working days, in
// any year; other days in years without a published schedule count as
// working iff Monday–Friday (their make-up and bridging days are unknown),
// and any deadline that depends on them is marked provisional.
package holidays

import (
	"cmp"
	"fmt"
	"slices"
	"time"
	_ "time/tzdata" // Asia/Shanghai must be available on any server.

	"github.com/rickar/cal/v2"
)

// Shanghai is Asia/Shanghai (China Standard Time, UTC+8).
var Shanghai *time.Location

func init() {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(fmt.Errorf("holidays: load Asia/Shanghai: %w", err))
	}
	Shanghai = loc
}

// Kind of a day.
type Kind string

// Kinds of day.
const (
	KindWorkday Kind = "workday"        // ordinary Monday–Friday working day
	KindWeekend Kind = "weekend"        // Saturday or Sunday off
	KindHoliday Kind = "holiday"        // statutory holiday (any weekday)
	KindMakeup  Kind = "makeup_workday" // weekend day designated a working day (调休上班)
)

// Day describes one Beijing civil date.
type Day struct {
	Date    string `json:"date"` // YYYY-MM-DD
	Working bool   `json:"working"`
	Kind    Kind   `json:"kind"`
	Name    string `json:"name,omitempty"` // holiday name, for KindHoliday
}

// Deadline is the end of a period of working days.
type Deadline struct {
	DueDate     string    `json:"due_date"`    // YYYY-MM-DD, Beijing
	DueAt       time.Time `json:"due_at"`      // 24:00 Beijing time of DueDate, i.e. 00:00 +08:00 of the next day
	Provisional bool      `json:"provisional"` // counting used a year without a published schedule
	WorkingDays int       `json:"working_days"`
}

// MaxWorkingDays is the largest period AddWorkingDays accepts.
const MaxWorkingDays = 1000

// maxDaysSpan is the largest number of days Days returns.
const maxDaysSpan = 366 * 2

// Calendar is an immutable working-day calendar built on rickar/cal/v2's
// BusinessCalendar, with a WorkdayFunc that knows holidays and make-up days.
// It is safe for concurrent use.
type Calendar struct {
	schedules []Schedule
	days      map[int]entry
	published map[int]bool
	version   string
	bc        *cal.BusinessCalendar
}

// New validates the schedules and builds a calendar from them. It reports an
// error naming the year and date for unparsable dates, inverted ranges,
// holidays outside their year (only the first holiday may start up to a
// week before 1 January), make-up days outside their year or not on a
// weekend or on a statutory holiday, dates listed twice (in particular both holiday and make-up
// workday), missing names or sources, and duplicate years.
func New(schedules []Schedule) (*Calendar, error) {
	sorted := cloneSchedules(schedules)
	slices.SortStableFunc(sorted, func(a, b Schedule) int { return cmp.Compare(a.Year, b.Year) })
	days, published, err := index(sorted)
	if err != nil {
		return nil, err
	}
	c := &Calendar{schedules: sorted, days: days, published: published, version: version(sorted)}
	c.bc = cal.NewBusinessCalendar()
	c.bc.WorkdayFunc = func(t time.Time) bool { return c.working(dayNumber(t)) }
	return c, nil
}

// Version is a short stable hash of the schedules' content, to be recorded
// with each computed deadline.
func (c *Calendar) Version() string { return c.version }

// Years returns a copy of the schedules, sorted by year.
func (c *Calendar) Years() []Schedule { return cloneSchedules(c.schedules) }

// Published reports whether the calendar has an official schedule for year.
func (c *Calendar) Published(year int) bool { return c.published[year] }

// Day describes the Beijing civil date of the instant date.
func (c *Calendar) Day(date time.Time) Day {
	d := date.In(Shanghai)
	day := Day{Date: d.Format(time.DateOnly)}
	e, ok := c.days[dayNumber(d)]
	switch {
	case ok:
		day.Kind, day.Name = e.kind, e.name
	case isStatutory(dayNumber(d), &day.Name):
		day.Kind = KindHoliday
	case isWeekend(d.Weekday()):
		day.Kind = KindWeekend
	default:
		day.Kind = KindWorkday
	}
	day.Working = day.Kind == KindWorkday || day.Kind == KindMakeup
	return day
}

// Days describes every Beijing civil date from from to to, inclusive. It
// fails if to is before from or the span exceeds 732 days.
func (c *Calendar) Days(from, to time.Time) ([]Day, error) {
	f, t := civil(from), civil(to)
	n := dayNumber(t) - dayNumber(f) + 1
	switch {
	case n < 1:
		return nil, fmt.Errorf("holidays: days: to %s is before from %s", t.Format(time.DateOnly), f.Format(time.DateOnly))
	case n > maxDaysSpan:
		return nil, fmt.Errorf("holidays: days: %s..%s spans %d days, more than %d", f.Format(time.DateOnly), t.Format(time.DateOnly), n, maxDaysSpan)
	}
	out := make([]Day, 0, n)
	for i := range n {
		out = append(out, c.Day(f.AddDate(0, 0, i)))
	}
	return out, nil
}

// IsWorkday reports whether the Beijing civil date of date is a working day.
func (c *Calendar) IsWorkday(date time.Time) bool { return c.bc.IsWorkday(civil(date)) }

// AddWorkingDays computes the end of a period of n working days (1 ≤ n ≤
// MaxWorkingDays) filed at the instant from: the filing day (the Beijing
// date of from) is not counted, and the period ends at 24:00 Beijing time of
// the nth working day after it. The deadline is provisional if any day after
// the filing day up to the due date falls in an unpublished year.
func (c *Calendar) AddWorkingDays(from time.Time, n int) (Deadline, error) {
	if n < 1 || n > MaxWorkingDays {
		return Deadline{}, fmt.Errorf("holidays: add working days to %s: n = %d, want 1..%d", from.In(Shanghai).Format(time.DateOnly), n, MaxWorkingDays)
	}
	d := civil(from)
	provisional := false
	for counted := 0; counted < n; {
		d = d.AddDate(0, 0, 1)
		if !c.published[d.Year()] {
			provisional = true
		}
		if c.bc.IsWorkday(d) {
			counted++
		}
	}
	return Deadline{
		DueDate:     d.Format(time.DateOnly),
		DueAt:       d.AddDate(0, 0, 1),
		Provisional: provisional,
		WorkingDays: n,
	}, nil
}

// working reports whether the day numbered k is a working day.
func (c *Calendar) working(k int) bool {
	if e, ok := c.days[k]; ok {
		return e.kind == KindMakeup
	}
	if _, ok := statutoryDay(k); ok {
		return false
	}
	// 1970-01-01 (day 0) was a Thursday.
	return !isWeekend(time.Weekday((k%7 + 7 + 4) % 7))
}

// civil returns midnight, Beijing time, of the Beijing date of t.
func civil(t time.Time) time.Time {
	y, m, d := t.In(Shanghai).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, Shanghai)
}

// dayNumber numbers the Beijing civil date of t: days since 1970-01-01.
func dayNumber(t time.Time) int {
	y, m, d := t.In(Shanghai).Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// isStatutory reports whether the day numbered k is a statutory holiday,
// and sets *name to its name if so.
func isStatutory(k int, name *string) bool {
	n, ok := statutoryDay(k)
	if ok {
		*name = n
	}
	return ok
}

func isWeekend(wd time.Weekday) bool { return wd == time.Saturday || wd == time.Sunday }
