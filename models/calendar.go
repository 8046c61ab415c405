package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/cityapprovals/approvals/holidays"
	"gorm.io/gorm"
)

// CalendarYear is one published revision of a year's official holiday
// schedule. Rows are never updated: a correction is a new row with the next
// Revision, and the highest revision of a year is the one in force. Years
// without a row use the schedules shipped with the binary (holidays.Shipped).
type CalendarYear struct {
	ID             uint               `gorm:"primaryKey" json:"-"`
	Year           int                `gorm:"uniqueIndex:idx_calendar_year_revision;not null" json:"year"`
	Revision       int                `gorm:"uniqueIndex:idx_calendar_year_revision;not null" json:"revision"`
	Source         string             `gorm:"not null" json:"source"`
	URL            string             `json:"url,omitempty"`
	Holidays       []holidays.Holiday `gorm:"serializer:json;type:text" json:"holidays"`
	MakeupWorkdays []string           `gorm:"serializer:json;type:text" json:"makeup_workdays"`
	PublishedAt    time.Time          `json:"published_at"`
	PublishedBy    string             `json:"published_by"`
}

// Schedule is the row as a holidays.Schedule.
func (y CalendarYear) Schedule() holidays.Schedule {
	return holidays.Schedule{Year: y.Year, Source: y.Source, URL: y.URL,
		Holidays: slices.Clone(y.Holidays), MakeupWorkdays: slices.Clone(y.MakeupWorkdays)}
}

// PublishedYears returns the revision in force of every year published in
// the database, by year.
func PublishedYears(db *gorm.DB) ([]CalendarYear, error) {
	var rows []CalendarYear
	err := db.Where("revision = (SELECT MAX(r.revision) FROM calendar_years r WHERE r.year = calendar_years.year)").
		Order("year").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("load published calendar years: %w", err)
	}
	return rows, nil
}

// CurrentSchedules merges the published years over the shipped ones: a
// year published in the database replaces the shipped schedule of that year.
func CurrentSchedules(published []CalendarYear) []holidays.Schedule {
	byYear := map[int]holidays.Schedule{}
	for _, s := range holidays.Shipped() {
		byYear[s.Year] = s
	}
	for _, y := range published {
		byYear[y.Year] = y.Schedule()
	}
	out := make([]holidays.Schedule, 0, len(byYear))
	for _, s := range byYear {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b holidays.Schedule) int { return a.Year - b.Year })
	return out
}

// Publication is the result of publishing a year.
type Publication struct {
	Year CalendarYear
	// Changed is false when the schedule equals the revision in force, in
	// which case nothing was written.
	Changed bool
	// Calendar is the whole calendar with the year published.
	Calendar *holidays.Calendar
}

// PublishCalendarYear validates a year's schedule together with every other
// year in force (holidays.New's rules: dates inside the year, no day both
// holiday and make-up workday, names and source present) and stores it as
// the year's next revision. Invalid input is a ValidationError naming the
// field (source, holidays[i].from, makeup_workdays[i], ...) and writes
// nothing. Publishing the schedule in force again writes nothing either.
func PublishCalendarYear(db *gorm.DB, s holidays.Schedule, by string, at time.Time) (Publication, error) {
	var pub Publication
	err := db.Transaction(func(tx *gorm.DB) error {
		if IsPostgres(tx) { // serialize publications: revisions are max+1
			if err := tx.Exec("SELECT pg_advisory_xact_lock(727002)").Error; err != nil {
				return fmt.Errorf("lock calendar: %w", err)
			}
		}
		published, err := PublishedYears(tx)
		if err != nil {
			return err
		}
		var prev *CalendarYear
		for _, y := range published {
			if y.Year == s.Year {
				prev = &y
			}
		}
		row := CalendarYear{Year: s.Year, Revision: 1, Source: s.Source, URL: s.URL,
			Holidays: nonNil(s.Holidays), MakeupWorkdays: nonNil(s.MakeupWorkdays), PublishedAt: at.UTC(), PublishedBy: by}
		if prev != nil {
			row.Revision = prev.Revision + 1
		}
		next := append(slices.DeleteFunc(published, func(y CalendarYear) bool { return y.Year == s.Year }), row)
		cal, err := holidays.New(CurrentSchedules(next))
		if err != nil {
			var se *holidays.ScheduleError
			if errors.As(err, &se) {
				return ValidationError{{Field: se.Field, Message: se.Error()}}
			}
			return fmt.Errorf("validate %d: %w", s.Year, err)
		}
		pub.Calendar = cal
		if prev != nil && sameSchedule(prev.Schedule(), row.Schedule()) {
			pub.Year = *prev
			return nil
		}
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("store calendar %d revision %d: %w", row.Year, row.Revision, err)
		}
		pub.Year, pub.Changed = row, true
		return nil
	})
	return pub, err
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func sameSchedule(a, b holidays.Schedule) bool {
	return a.Source == b.Source && a.URL == b.URL && slices.Equal(a.Holidays, b.Holidays) && slices.Equal(a.MakeupWorkdays, b.MakeupWorkdays)
}

// CalendarStore gives the calendar in force: the shipped schedules with the
// years published in the database over them. It keeps the last calendar it
// built and rebuilds it whenever the table has changed, which it checks with
// one small query on every call, so that no process keeps a stale calendar.
// It is safe for concurrent use.
type CalendarStore struct {
	DB *gorm.DB

	mu  sync.Mutex
	key [2]int64 // MAX(id) and COUNT(*) of calendar_years when cal was built
	cal *holidays.Calendar
}

// NewCalendarStore returns a store reading db.
func NewCalendarStore(db *gorm.DB) *CalendarStore { return &CalendarStore{DB: db} }

// Current returns the calendar in force.
func (s *CalendarStore) Current(ctx context.Context) (*holidays.Calendar, error) {
	db := s.DB.WithContext(ctx)
	var key struct{ MaxID, N int64 }
	if err := db.Raw("SELECT COALESCE(MAX(id), 0) AS max_id, COUNT(*) AS n FROM calendar_years").Scan(&key).Error; err != nil {
		return nil, fmt.Errorf("calendar version: %w", err)
	}
	k := [2]int64{key.MaxID, key.N}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cal != nil && s.key == k {
		return s.cal, nil
	}
	if k == [2]int64{} {
		s.cal, s.key = holidays.Default(), k
		return s.cal, nil
	}
	published, err := PublishedYears(db)
	if err != nil {
		return nil, err
	}
	cal, err := holidays.New(CurrentSchedules(published))
	if err != nil {
		return nil, fmt.Errorf("build calendar from the database: %w", err)
	}
	s.cal, s.key = cal, k
	return cal, nil
}
