package holidays

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/bounds"
)

// FuzzParseDate: ParseDate never panics and gives back the date it read.
func FuzzParseDate(f *testing.F) {
	// The seeds are in testdata/fuzz/FuzzParseDate.
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err == nil && d.Format(time.DateOnly) != s {
			t.Fatalf("ParseDate(%q) = %s", s, d)
		}
	})
}

// FuzzSchedule: a published year's schedule (a calendar year) is accepted
// only within the bounds and with holidays, and the calendar it makes counts
// deadlines without panicking.
func FuzzSchedule(f *testing.F) {
	// The seeds are in testdata/fuzz/FuzzSchedule.
	f.Fuzz(func(t *testing.T, raw []byte) {
		var s Schedule
		if json.Unmarshal(raw, &s) != nil {
			return
		}
		cal, err := New(append(Shipped(), s))
		if err != nil {
			return
		}
		if s.Year < bounds.MinYear || s.Year > bounds.MaxYear || len(s.Holidays) == 0 {
			t.Fatalf("accepted year %d with %d holidays", s.Year, len(s.Holidays))
		}
		if _, err := cal.AddWorkingDays(time.Date(s.Year, 6, 1, 9, 0, 0, 0, Shanghai), 20); err != nil {
			t.Logf("deadline: %v", err)
		}
	})
}
