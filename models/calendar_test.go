package models

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/holidays"
)

func schedule2027() holidays.Schedule {
	return holidays.Schedule{Year: 2027, Source: "国务院办公厅关于2027年部分节假日安排的通知 (test)",
		Holidays: []holidays.Holiday{
			{Name: "元旦", From: "2027-01-01", To: "2027-01-03"},
			{Name: "春节", From: "2027-02-05", To: "2027-02-11"},
		},
		MakeupWorkdays: []string{"2027-02-14"}}
}

var at = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// Bad input is a ValidationError naming the field, and writes nothing.
func TestPublishCalendarYearValidation(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(s *holidays.Schedule)
		field  string
	}{
		{"missing source", func(s *holidays.Schedule) { s.Source = " " }, "source"},
		{"missing name", func(s *holidays.Schedule) { s.Holidays[1].Name = "" }, "holidays[1].name"},
		{"holiday outside the year", func(s *holidays.Schedule) { s.Holidays[1].To = "2028-01-02" }, "holidays[1].to"},
		{"holiday starting too early", func(s *holidays.Schedule) { s.Holidays[0].From = "2026-12-01" }, "holidays[0].from"},
		{"bad date", func(s *holidays.Schedule) { s.Holidays[0].To = "2027-1-3" }, "holidays[0].to"},
		{"make-up day outside the year", func(s *holidays.Schedule) { s.MakeupWorkdays[0] = "2026-12-27" }, "makeup_workdays[0]"},
		{"both holiday and make-up", func(s *holidays.Schedule) { s.MakeupWorkdays = append(s.MakeupWorkdays, "2027-02-06") }, "makeup_workdays[1]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := testDB(t)
			s := schedule2027()
			tc.mutate(&s)
			_, err := PublishCalendarYear(db, s, "admin1", at)
			var v ValidationError
			if !errors.As(err, &v) || v[0].Field != tc.field {
				t.Fatalf("err = %v, want a ValidationError on %s", err, tc.field)
			}
			var n int64
			db.Model(&CalendarYear{}).Count(&n)
			if n != 0 {
				t.Fatalf("%d rows written on bad input", n)
			}
		})
	}
}

// Revisions count up; publishing the revision in force again writes nothing;
// the store's calendar follows every publication and is cached in between.
func TestPublishAndCalendarStore(t *testing.T) {
	db := testDB(t)
	ctx := context.Background()
	store := NewCalendarStore(db)
	cal, err := store.Current(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cal.Version() != holidays.Default().Version() || cal.Published(2027) {
		t.Fatalf("an empty table must give the shipped calendar")
	}
	from := time.Date(2026, 12, 30, 10, 0, 0, 0, holidays.Shanghai)
	d, _ := cal.AddWorkingDays(from, 2)
	if d.DueDate != "2027-01-04" || !d.Provisional {
		t.Fatalf("before publication: %+v, want provisional 2027-01-04 (元旦 is statutory in any year)", d)
	}

	pub, err := PublishCalendarYear(db, schedule2027(), "admin1", at)
	if err != nil {
		t.Fatal(err)
	}
	if !pub.Changed || pub.Year.Revision != 1 || pub.Year.PublishedBy != "admin1" {
		t.Fatalf("first publication: %+v", pub.Year)
	}
	cal2, err := store.Current(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cal2.Version() != pub.Calendar.Version() || cal2.Version() == cal.Version() {
		t.Fatalf("store version %s, want the published %s", cal2.Version(), pub.Calendar.Version())
	}
	if d, _ := cal2.AddWorkingDays(from, 2); d.DueDate != "2027-01-04" || d.Provisional {
		t.Fatalf("after publication: %+v, want final 2027-01-04", d)
	}
	if again, _ := store.Current(ctx); again != cal2 {
		t.Fatal("unchanged table: the store rebuilt its calendar")
	}

	same, err := PublishCalendarYear(db, schedule2027(), "admin2", at.Add(time.Hour))
	if err != nil || same.Changed || same.Year.Revision != 1 {
		t.Fatalf("republishing the same schedule: %+v, %v", same, err)
	}
	corr := schedule2027()
	corr.Holidays[1].To = "2027-02-12"
	pub2, err := PublishCalendarYear(db, corr, "admin2", at.Add(time.Hour))
	if err != nil || !pub2.Changed || pub2.Year.Revision != 2 {
		t.Fatalf("correction: %+v, %v", pub2, err)
	}
	years, err := PublishedYears(db)
	if err != nil || len(years) != 1 || years[0].Revision != 2 || years[0].Holidays[1].To != "2027-02-12" {
		t.Fatalf("published years: %+v, %v", years, err)
	}
	cal3, err := store.Current(ctx)
	if err != nil || cal3.Version() != pub2.Calendar.Version() {
		t.Fatalf("store after correction: %v", err)
	}
	if cal3.Day(time.Date(2027, 2, 12, 12, 0, 0, 0, holidays.Shanghai)).Working {
		t.Fatal("corrected holiday not in force")
	}

	// A published year replaces the shipped one of that year.
	s26 := holidays.Shipped()[6]
	if s26.Year != 2026 {
		t.Fatalf("shipped[6] is %d", s26.Year)
	}
	s26.Holidays = append(s26.Holidays, holidays.Holiday{Name: "测试", From: "2026-12-30", To: "2026-12-30"})
	if _, err := PublishCalendarYear(db, s26, "admin1", at); err != nil {
		t.Fatal(err)
	}
	cal4, _ := store.Current(ctx)
	if cal4.IsWorkday(time.Date(2026, 12, 30, 12, 0, 0, 0, holidays.Shanghai)) {
		t.Fatal("the published 2026 did not replace the shipped one")
	}
}
