package holidays

import (
	"testing"
	"time"
)

// WorkingDaysUsed counts as AddWorkingDays does: a period of N working days
// has used N of them one second before its end, and none on the filing day.
func TestWorkingDaysUsedAgreesWithAddWorkingDays(t *testing.T) {
	cal := Default()
	start := time.Date(2025, 9, 20, 10, 0, 0, 0, Shanghai)
	for i := range 120 {
		from := start.Add(time.Duration(i) * 26 * time.Hour)
		for _, n := range []int{1, 5, 10, 20} {
			d, err := cal.AddWorkingDays(from, n)
			if err != nil {
				t.Fatal(err)
			}
			if got := cal.WorkingDaysUsed(from, d.DueAt.Add(-time.Second)); got != n {
				t.Fatalf("filed %s, %d working days due %s: used %d by the end", from, n, d.DueDate, got)
			}
			if got := cal.WorkingDaysUsed(from, d.DueAt); got != n {
				t.Fatalf("filed %s, %d working days due %s: used %d at 24:00", from, n, d.DueDate, got)
			}
		}
		if got := cal.WorkingDaysUsed(from, from.Add(time.Minute)); got != 0 && from.In(Shanghai).Day() == from.Add(time.Minute).In(Shanghai).Day() {
			t.Fatalf("same day used %d", got)
		}
	}
}

func TestWorkingDaysUsedAcrossNationalDay(t *testing.T) {
	cal := Default()
	from := time.Date(2025, 9, 30, 16, 0, 0, 0, Shanghai)
	to := time.Date(2025, 10, 9, 9, 0, 0, 0, Shanghai)
	// 1–8 October 2025 are holidays; 9 October is the first working day after.
	if got := cal.WorkingDaysUsed(from, to); got != 1 {
		t.Fatalf("30 Sep → 9 Oct 2025: %d working days used, want 1", got)
	}
	if got := cal.WorkingDaysUsed(to, from); got != 0 {
		t.Fatalf("backwards: %d, want 0", got)
	}
}
