package holidays

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStatutoryHolidaysInPublishedYears checks the computed statutory
// holidays of 《全国年节及纪念日放假办法》第二条 against every published
// schedule: each is a day off in the shipped data and in the second source
// (../shared/data/holiday-cn), for 2020–2026.
func TestStatutoryHolidaysInPublishedYears(t *testing.T) {
	c := Default()
	second := secondSource()
	for year := 2020; year <= 2026; year++ {
		require.True(t, c.Published(year), "year %d", year)
		days := Statutory(year)
		want := 11
		if year >= 2025 {
			want = 13
		}
		assert.Len(t, days, want-overlaps(year), "year %d: %v", year, days)
		off := offDays(t, filepath.Join(second, fmt.Sprintf("%d.json", year)))
		for date, name := range days {
			d := c.Day(mustDate(t, date))
			assert.Equal(t, KindHoliday, d.Kind, "%s %s (%s) must be a holiday in the shipped %d schedule", date, name, StatutoryArticle, year)
			if off != nil {
				assert.True(t, off[date], "%s %s must be a day off in holiday-cn %d", date, name, year)
			}
		}
	}
}

// secondSource is the holiday-cn directory beside the repository (or
// beside the worktrees' parent, for a git worktree).
func secondSource() string {
	dir := filepath.Join("..", "..", "shared", "data", "holiday-cn")
	if _, err := os.Stat(dir); err != nil {
		return filepath.Join("..", "..", "..", "shared", "data", "holiday-cn")
	}
	return dir
}

// overlaps counts statutory days that fall on the same date (2020: 中秋 on 1 October).
func overlaps(year int) int {
	if year == 2020 {
		return 1
	}
	return 0
}

func offDays(t *testing.T, path string) map[string]bool {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		t.Logf("no second source at %s", path)
		return nil
	}
	require.NoError(t, err)
	var f struct {
		Days []struct {
			Date     string `json:"date"`
			IsOffDay bool   `json:"isOffDay"`
		} `json:"days"`
	}
	require.NoError(t, json.Unmarshal(b, &f))
	off := map[string]bool{}
	for _, d := range f.Days {
		off[d.Date] = d.IsOffDay
	}
	return off
}

// TestStatutoryHolidaysUnpublishedYear: in 2027, which has no published
// schedule, the statutory holidays of 第二条 are not working days (computed:
// 春节 除夕 2027-02-05 to 初三 02-08, 清明 04-05, 端午 06-09, 中秋 09-15).
func TestStatutoryHolidaysUnpublishedYear(t *testing.T) {
	c := Default()
	require.False(t, c.Published(2027))
	want := []string{"2027-01-01", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-04-05",
		"2027-05-01", "2027-05-02", "2027-06-09", "2027-09-15", "2027-10-01", "2027-10-02", "2027-10-03"}
	var got []string
	for d := range Statutory(2027) {
		got = append(got, d)
	}
	sort.Strings(got)
	assert.Equal(t, want, got)
	for _, d := range want {
		day := c.Day(mustDate(t, d))
		assert.False(t, day.Working, "%s must never be a working day (%s)", d, StatutoryArticle)
		assert.Equal(t, KindHoliday, day.Kind, d)
		assert.NotEmpty(t, day.Name, d)
		assert.False(t, c.IsWorkday(mustDate(t, d)), d)
	}
	// A weekday that is not statutory still counts (provisionally).
	assert.True(t, c.IsWorkday(mustDate(t, "2027-02-04")))
	// Before 2025 春节 was 初一至初三 and 劳动节 1 May only.
	old := Statutory(2024)
	assert.Contains(t, old, "2024-02-10")
	assert.NotContains(t, old, "2024-02-09", "除夕 became statutory in 2025")
	assert.NotContains(t, old, "2024-05-02")
}

// TestScheduleRefusesMakeupOnStatutoryHoliday: a make-up workday on a
// statutory holiday contradicts 第二条 and is refused.
func TestScheduleRefusesMakeupOnStatutoryHoliday(t *testing.T) {
	_, err := New([]Schedule{{Year: 2027, Source: "test",
		Holidays: []Holiday{{Name: "元旦", From: "2027-01-01", To: "2027-01-03"}}, MakeupWorkdays: []string{"2027-02-06"}}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "statutory holiday")
	assert.Contains(t, err.Error(), StatutoryArticle)
}

func BenchmarkStatutoryWorking(b *testing.B) {
	c := Default()
	from := time.Date(2027, 1, 1, 0, 0, 0, 0, Shanghai)
	for b.Loop() {
		_, _ = c.AddWorkingDays(from, 250)
	}
}
