package holidays

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cityapprovals/approvals/bounds"
)

//go:embed data/schedules.json
var dataFS embed.FS

// maxLeadDays is how many days before 1 January the first holiday of a
// year's schedule may start (e.g. 2023's 元旦 began on 2022-12-31).
const maxLeadDays = 7

// Holiday is a named range of days off, inclusive. From and To are
// "YYYY-MM-DD" Beijing civil dates.
type Holiday struct {
	Name string `json:"name" bound:"name"`
	From string `json:"from" bound:"date"`
	To   string `json:"to" bound:"date"`
}

// Schedule is one year's official schedule, as published by the General
// Office of the State Council (国务院办公厅关于20XX年部分节假日安排的通知).
type Schedule struct {
	Year   int    `json:"year"`
	Source string `json:"source"`
	// URL of the notice; when a year has several notices (2020), their
	// URLs are separated by a single space.
	URL            string    `json:"url,omitempty"`
	Holidays       []Holiday `json:"holidays"`
	MakeupWorkdays []string  `json:"makeup_workdays"`
}

var (
	shippedOnce = sync.OnceValues(loadShipped)
	defaultOnce = sync.OnceValue(func() *Calendar {
		s, err := shippedOnce()
		if err != nil {
			panic(err)
		}
		c, err := New(s)
		if err != nil {
			panic(fmt.Errorf("holidays: embedded schedules: %w", err))
		}
		return c
	})
)

func loadShipped() ([]Schedule, error) {
	b, err := dataFS.ReadFile("data/schedules.json")
	if err != nil {
		return nil, fmt.Errorf("holidays: read embedded schedules: %w", err)
	}
	var s []Schedule
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("holidays: decode embedded schedules: %w", err)
	}
	return s, nil
}

// Shipped returns a copy of the schedules embedded in the package
// (2020–2026). It panics only if the embedded data cannot be decoded.
func Shipped() []Schedule {
	s, err := shippedOnce()
	if err != nil {
		panic(err)
	}
	return cloneSchedules(s)
}

// Default returns the calendar built from the shipped schedules. It is
// built once and shared; it panics only if the embedded data is invalid.
func Default() *Calendar { return defaultOnce() }

// ParseDate parses a "YYYY-MM-DD" date and returns midnight of that date
// in Beijing time.
func ParseDate(s string) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, s, Shanghai)
	if err != nil {
		return time.Time{}, fmt.Errorf("holidays: invalid date %q (want YYYY-MM-DD): %w", s, err)
	}
	return t, nil
}

func cloneSchedules(in []Schedule) []Schedule {
	out := make([]Schedule, len(in))
	for i, s := range in {
		s.Holidays = slices.Clone(s.Holidays)
		s.MakeupWorkdays = slices.Clone(s.MakeupWorkdays)
		out[i] = s
	}
	return out
}

// entry is what the calendar knows about a date listed in a schedule.
type entry struct {
	kind Kind
	name string
}

// ScheduleError says what is wrong with a schedule: its year, the field at
// fault (in the JSON shape of Schedule, e.g. "holidays[1].to" or
// "makeup_workdays[0]") and why.
type ScheduleError struct {
	Year    int
	Field   string
	Message string
}

func (e *ScheduleError) Error() string {
	return fmt.Sprintf("holidays: year %d: %s: %s", e.Year, e.Field, e.Message)
}

func schedErr(year int, field, format string, args ...any) error {
	return &ScheduleError{Year: year, Field: field, Message: fmt.Sprintf(format, args...)}
}

// index validates the schedules and returns every listed date keyed by
// its day number, plus the set of published years. Its errors are
// *ScheduleError.
func index(schedules []Schedule) (map[int]entry, map[int]bool, error) {
	days := make(map[int]entry)
	years := make(map[int]bool)
	for _, s := range schedules {
		if years[s.Year] {
			return nil, nil, schedErr(s.Year, "year", "duplicate schedule")
		}
		if s.Year < bounds.MinYear || s.Year > bounds.MaxYear {
			return nil, nil, schedErr(s.Year, "year", "out of range (%d to %d)", bounds.MinYear, bounds.MaxYear)
		}
		if len(s.Holidays) == 0 {
			// Every year has statutory holidays (Spring Festival, National
			// Day ...): an empty list is a mistake, not a schedule.
			return nil, nil, schedErr(s.Year, "holidays", "lists no holiday; every year's schedule has its statutory holidays")
		}
		years[s.Year] = true
		if strings.TrimSpace(s.Source) == "" {
			return nil, nil, schedErr(s.Year, "source", "missing source")
		}
		if msg := bounds.Text(s.Source); msg != "" {
			return nil, nil, schedErr(s.Year, "source", "%s", msg)
		}
		if msg := bounds.URL(s.URL); msg != "" {
			return nil, nil, schedErr(s.Year, "url", "%s", msg)
		}
		jan1 := time.Date(s.Year, 1, 1, 0, 0, 0, 0, Shanghai)
		for i, h := range s.Holidays {
			at := fmt.Sprintf("holidays[%d]", i)
			if strings.TrimSpace(h.Name) == "" {
				return nil, nil, schedErr(s.Year, at+".name", "holiday %s..%s: missing name", h.From, h.To)
			}
			if msg := bounds.Name(h.Name); msg != "" {
				return nil, nil, schedErr(s.Year, at+".name", "holiday name %s", msg)
			}
			from, err := ParseDate(h.From)
			if err != nil {
				return nil, nil, schedErr(s.Year, at+".from", "holiday %s: %v", h.Name, err)
			}
			to, err := ParseDate(h.To)
			if err != nil {
				return nil, nil, schedErr(s.Year, at+".to", "holiday %s: %v", h.Name, err)
			}
			if to.Before(from) {
				return nil, nil, schedErr(s.Year, at+".to", "holiday %s: to %s is before from %s", h.Name, h.To, h.From)
			}
			if to.Year() != s.Year {
				return nil, nil, schedErr(s.Year, at+".to", "holiday %s: date %s is outside the year", h.Name, h.To)
			}
			if from.Year() != s.Year && (i != 0 || from.Before(jan1.AddDate(0, 0, -maxLeadDays))) {
				return nil, nil, schedErr(s.Year, at+".from", "holiday %s: date %s is outside the year", h.Name, h.From)
			}
			for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
				k := dayNumber(d)
				if prev, ok := days[k]; ok {
					return nil, nil, schedErr(s.Year, at, "holiday %s: date %s already listed as %s %s", h.Name, d.Format(time.DateOnly), prev.kind, prev.name)
				}
				days[k] = entry{kind: KindHoliday, name: h.Name}
			}
		}
		for i, m := range s.MakeupWorkdays {
			at := fmt.Sprintf("makeup_workdays[%d]", i)
			d, err := ParseDate(m)
			if err != nil {
				return nil, nil, schedErr(s.Year, at, "make-up workday: %v", err)
			}
			if d.Year() != s.Year {
				return nil, nil, schedErr(s.Year, at, "make-up workday: date %s is outside the year", m)
			}
			if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
				return nil, nil, schedErr(s.Year, at, "make-up workday: date %s is a %s, not a weekend day", m, wd)
			}
			k := dayNumber(d)
			if name, ok := statutoryDay(k); ok {
				return nil, nil, schedErr(s.Year, at, "date %s is the statutory holiday %s (%s), never a working day", m, name, StatutoryArticle)
			}
			if prev, ok := days[k]; ok {
				if prev.kind == KindHoliday {
					return nil, nil, schedErr(s.Year, at, "date %s is both a holiday (%s) and a make-up workday", m, prev.name)
				}
				return nil, nil, schedErr(s.Year, at, "make-up workday: date %s listed twice", m)
			}
			days[k] = entry{kind: KindMakeup}
		}
	}
	return days, years, nil
}

// version hashes the canonical JSON of the (sorted) schedules.
func version(sorted []Schedule) string {
	b, err := json.Marshal(sorted)
	if err != nil { // cannot happen: plain strings and ints
		panic(fmt.Errorf("holidays: encode schedules: %w", err))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:12]
}

// FirstAffected is the earliest instant a schedule of year can change:
// 00:00 Beijing time of the earliest day it may list (its first holiday may
// begin up to a week before 1 January). Deadlines due before it are
// unaffected by the schedule.
func FirstAffected(year int) time.Time {
	return time.Date(year, 1, 1, 0, 0, 0, 0, Shanghai).AddDate(0, 0, -maxLeadDays)
}
