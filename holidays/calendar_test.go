package holidays

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustDate(t testing.TB, s string) time.Time {
	t.Helper()
	d, err := ParseDate(s)
	require.NoError(t, err)
	return d
}

func TestDefaultIsValid(t *testing.T) {
	// New on the embedded data must not fail (Default would panic).
	c, err := New(Shipped())
	require.NoError(t, err)
	assert.Equal(t, c.Version(), Default().Version())
	assert.Len(t, c.Version(), 12)
	var years []int
	for _, s := range Default().Years() {
		years = append(years, s.Year)
		assert.NotEmpty(t, s.URL, "year %d", s.Year)
	}
	assert.Equal(t, []int{2020, 2021, 2022, 2023, 2024, 2025, 2026}, years)
	assert.False(t, Default().Published(2019))
	assert.False(t, Default().Published(2027))
}

func TestAddWorkingDays(t *testing.T) {
	cases := []struct {
		from string
		n    int
		want string
		prov bool
		why  string
	}{
		// 2020 (春节 extended to 02-02, 02-01 make-up cancelled)
		{"2020-01-17", 1, "2020-01-19", false, "make-up Sunday before 春节"},
		{"2020-01-23", 1, "2020-02-03", false, "春节 01-24..02-02"},
		{"2020-01-31", 1, "2020-02-03", false, "cancelled make-up Saturday 02-01 is off"},
		{"2020-09-30", 2, "2020-10-10", false, "国庆中秋 10-01..10-08, make-up Sat 10-10"},
		// 2021
		{"2021-02-10", 3, "2021-02-20", false, "春节 02-11..02-17, make-up Sat 02-20"},
		{"2021-09-17", 1, "2021-09-18", false, "make-up Sat 09-18"},
		{"2021-09-17", 2, "2021-09-22", false, "中秋 09-19..09-21"},
		{"2021-09-30", 2, "2021-10-09", false, "国庆 10-01..10-07, make-up Sat 10-09"},
		// 2022
		{"2022-01-28", 3, "2022-02-07", false, "make-up 01-29/30, 春节 01-31..02-06"},
		{"2022-04-01", 2, "2022-04-06", false, "make-up Sat 04-02, 清明 04-03..05"},
		{"2022-09-30", 1, "2022-10-08", false, "国庆, make-up Sat 10-08"},
		{"2022-09-30", 3, "2022-10-10", false, "make-up 10-08/09 then Monday"},
		// 2023 (元旦 starts 2022-12-31)
		{"2022-12-30", 1, "2023-01-03", false, "元旦 2022-12-31..2023-01-02"},
		{"2023-01-20", 5, "2023-02-01", false, "春节 01-21..27, make-up 01-28/29"},
		{"2023-09-28", 1, "2023-10-07", false, "中秋国庆 09-29..10-06, make-up Sat 10-07"},
		// 2024
		{"2024-02-04", 1, "2024-02-05", false, "filed on make-up Sunday: not counted"},
		{"2024-02-08", 3, "2024-02-19", false, "春节 02-10..17, make-up Sun 02-18 counted"},
		{"2024-09-13", 1, "2024-09-14", false, "make-up Sat 09-14"},
		{"2024-09-30", 1, "2024-10-08", false, "国庆 10-01..10-07"},
		// 2025
		{"2025-01-24", 2, "2025-01-27", false, "make-up Sun 01-26"},
		{"2025-04-30", 1, "2025-05-06", false, "劳动节 05-01..05"},
		{"2025-09-30", 1, "2025-10-09", false, "国庆中秋 10-01..10-08"},
		// 2026
		{"2025-12-31", 1, "2026-01-04", false, "元旦 01-01..03, make-up Sun 01-04"},
		{"2026-02-13", 1, "2026-02-14", false, "make-up Sat 02-14"},
		{"2026-02-13", 2, "2026-02-24", false, "春节 02-15..23"},
		{"2026-09-30", 5, "2026-10-13", false, "国庆 10-01..07, make-up Sat 10-10"},
		{"2026-12-29", 2, "2026-12-31", false, "stays in 2026"},
		// unpublished 2027: weekdays except the statutory holidays, provisional
		{"2026-12-30", 2, "2027-01-04", true, "2027-01-01 is 元旦 (全国年节及纪念日放假办法第二条), not a plain Friday"},
		{"2026-12-31", 1, "2027-01-04", true, "first day examined is in 2027; 元旦 is never a working day"},
		{"2027-02-04", 1, "2027-02-09", true, "2027 春节: 除夕 02-05 to 初三 02-08 (Fri–Mon) are statutory"},
		{"2019-12-30", 3, "2020-01-03", true, "2019-12-31 is in an unpublished year"},
	}
	c := Default()
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s+%d", tc.from, tc.n), func(t *testing.T) {
			got, err := c.AddWorkingDays(mustDate(t, tc.from), tc.n)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got.DueDate, tc.why)
			assert.Equal(t, tc.prov, got.Provisional, tc.why)
			assert.Equal(t, tc.n, got.WorkingDays)
			assert.True(t, got.DueAt.Equal(mustDate(t, tc.want).AddDate(0, 0, 1)), "DueAt %s", got.DueAt)
		})
	}
}

func TestAddWorkingDaysBounds(t *testing.T) {
	c := Default()
	from := mustDate(t, "2026-03-03")
	for _, n := range []int{-1, 0, MaxWorkingDays + 1} {
		_, err := c.AddWorkingDays(from, n)
		assert.Error(t, err, "n=%d", n)
	}
	d, err := c.AddWorkingDays(from, MaxWorkingDays)
	require.NoError(t, err)
	assert.True(t, d.Provisional)
}

func TestTimeZoneIndependence(t *testing.T) {
	orig := time.Local
	t.Cleanup(func() { time.Local = orig })
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)

	// 17:00Z on 03-02 is 01:00 on 03-03 in Beijing: the filing day is 03-03.
	from := time.Date(2026, 3, 2, 17, 0, 0, 0, time.UTC)
	wantAt := time.Date(2026, 3, 4, 16, 0, 0, 0, time.UTC) // 2026-03-05T00:00+08:00
	for _, loc := range []*time.Location{time.UTC, ny} {
		time.Local = loc
		c, err := New(Shipped()) // build under this Local as well
		require.NoError(t, err)
		for _, f := range []time.Time{from, from.In(loc), from.Local()} {
			d, err := c.AddWorkingDays(f, 1)
			require.NoError(t, err)
			assert.Equal(t, "2026-03-04", d.DueDate, loc.String())
			assert.True(t, d.DueAt.Equal(wantAt), "%s: DueAt %s", loc, d.DueAt)
			assert.Equal(t, "2026-03-05T00:00:00+08:00", d.DueAt.Format(time.RFC3339))
		}
		assert.Equal(t, "2026-03-03", c.Day(from).Date)
		assert.True(t, c.IsWorkday(from))
		// 2026-02-14 make-up Saturday, seen at 23:30 on 02-13 in UTC.
		assert.Equal(t, KindMakeup, c.Day(time.Date(2026, 2, 13, 16, 30, 0, 0, time.UTC)).Kind)
		p, err := ParseDate("2026-10-01")
		require.NoError(t, err)
		assert.Equal(t, "2026-10-01T00:00:00+08:00", p.Format(time.RFC3339))
	}
}

func TestDayAndDays(t *testing.T) {
	c := Default()
	assert.Equal(t, Day{Date: "2026-02-14", Working: true, Kind: KindMakeup}, c.Day(mustDate(t, "2026-02-14")))
	assert.Equal(t, Day{Date: "2026-02-15", Working: false, Kind: KindHoliday, Name: "春节"}, c.Day(mustDate(t, "2026-02-15")))
	assert.Equal(t, Day{Date: "2026-03-07", Working: false, Kind: KindWeekend}, c.Day(mustDate(t, "2026-03-07")))
	assert.Equal(t, Day{Date: "2026-03-09", Working: true, Kind: KindWorkday}, c.Day(mustDate(t, "2026-03-09")))
	assert.Equal(t, KindHoliday, c.Day(mustDate(t, "2022-12-31")).Kind)

	days, err := c.Days(mustDate(t, "2026-09-30"), mustDate(t, "2026-10-13"))
	require.NoError(t, err)
	require.Len(t, days, 14)
	var working []string
	for _, d := range days {
		if d.Working {
			working = append(working, d.Date[5:])
		}
	}
	assert.Equal(t, []string{"09-30", "10-08", "10-09", "10-10", "10-12", "10-13"}, working)

	_, err = c.Days(mustDate(t, "2026-10-13"), mustDate(t, "2026-10-12"))
	assert.Error(t, err)
	_, err = c.Days(mustDate(t, "2024-01-01"), mustDate(t, "2026-01-02"))
	assert.Error(t, err)
	_, err = c.Days(mustDate(t, "2024-01-01"), mustDate(t, "2026-01-01")) // 732 days
	assert.NoError(t, err)
}

func TestParseDate(t *testing.T) {
	for _, s := range []string{"", "2026-13-01", "2026/01/01", "2026-02-30", "20260101"} {
		_, err := ParseDate(s)
		assert.Error(t, err, s)
	}
}

func TestNewValidation(t *testing.T) {
	base := func() Schedule {
		return Schedule{Year: 2030, Source: "test", Holidays: []Holiday{
			{Name: "元旦", From: "2030-01-01", To: "2030-01-01"},
			{Name: "劳动节", From: "2030-05-01", To: "2030-05-05"},
		}, MakeupWorkdays: []string{"2030-04-28"}}
	}
	_, err := New([]Schedule{base()})
	require.NoError(t, err)

	cases := []struct {
		name   string
		mutate func(s *Schedule) []Schedule
		want   []string
	}{
		{"make-up day also holiday", func(s *Schedule) []Schedule {
			s.MakeupWorkdays = append(s.MakeupWorkdays, "2030-05-04")
			return []Schedule{*s}
		}, []string{"2030", "2030-05-04", "both"}},
		{"holiday outside year", func(s *Schedule) []Schedule {
			s.Holidays[1].To = "2031-01-02"
			return []Schedule{*s}
		}, []string{"2030", "2031-01-02", "outside"}},
		{"later holiday starting in previous year", func(s *Schedule) []Schedule {
			s.Holidays[1].From = "2029-12-31"
			return []Schedule{*s}
		}, []string{"2030", "2029-12-31", "outside"}},
		{"first holiday starting too early", func(s *Schedule) []Schedule {
			s.Holidays[0].From = "2029-12-01"
			return []Schedule{*s}
		}, []string{"2030", "2029-12-01", "outside"}},
		{"make-up day outside year", func(s *Schedule) []Schedule {
			s.MakeupWorkdays = []string{"2031-01-04"}
			return []Schedule{*s}
		}, []string{"2030", "2031-01-04", "outside"}},
		{"make-up day not a weekend", func(s *Schedule) []Schedule {
			s.MakeupWorkdays = []string{"2030-04-29"}
			return []Schedule{*s}
		}, []string{"2030", "2030-04-29", "weekend"}},
		{"missing name", func(s *Schedule) []Schedule {
			s.Holidays[1].Name = " "
			return []Schedule{*s}
		}, []string{"2030", "2030-05-01", "missing name"}},
		{"bad date", func(s *Schedule) []Schedule {
			s.Holidays[1].From = "2030-5-1"
			return []Schedule{*s}
		}, []string{"2030", "2030-5-1"}},
		{"from after to", func(s *Schedule) []Schedule {
			s.Holidays[1].From, s.Holidays[1].To = "2030-05-05", "2030-05-01"
			return []Schedule{*s}
		}, []string{"2030", "before"}},
		{"duplicate year", func(s *Schedule) []Schedule {
			return []Schedule{*s, base()}
		}, []string{"2030", "duplicate"}},
		{"missing source", func(s *Schedule) []Schedule {
			s.Source = ""
			return []Schedule{*s}
		}, []string{"2030", "source"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := base()
			_, err := New(tc.mutate(&s))
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestImmutable(t *testing.T) {
	c := Default()
	v := c.Version()
	y := c.Years()
	y[0].Holidays[0].Name = "changed"
	y[0].MakeupWorkdays[0] = "2020-01-18"
	s := Shipped()
	s[0].Holidays[0].From = "2020-01-02"
	assert.Equal(t, v, c.Version())
	assert.Equal(t, "元旦", c.Years()[0].Holidays[0].Name)
	assert.Equal(t, "2020-01-01", Shipped()[0].Holidays[0].From)
	assert.Equal(t, KindMakeup, c.Day(mustDate(t, "2020-01-19")).Kind)

	// Version depends on content, not on input order.
	all := Shipped()
	rev := make([]Schedule, len(all))
	for i := range all {
		rev[len(all)-1-i] = all[i]
	}
	c2, err := New(rev)
	require.NoError(t, err)
	assert.Equal(t, v, c2.Version())
	c3, err := New(all[:3])
	require.NoError(t, err)
	assert.NotEqual(t, v, c3.Version())
}

// holidayCN is the format of the second public source (holiday-cn).
type holidayCN struct {
	Year   int      `json:"year"`
	Papers []string `json:"papers"`
	Days   []struct {
		Name     string `json:"name"`
		Date     string `json:"date"`
		IsOffDay bool   `json:"isOffDay"`
	} `json:"days"`
}

// TestCrossCheckHolidayCN compares the shipped data with the independent
// holiday-cn data set. That source also lists 2020-02-03 (a Monday, the
// first day back after the extended 2020 春节) as isOffDay=false; it is an
// ordinary working day, not a make-up day, so isOffDay=false on a weekday is
// checked as "working, ordinary workday".
func TestCrossCheckHolidayCN(t *testing.T) {
	dir := secondSource()
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) == 0 {
		t.Skipf("second source %s not present; cross-check skipped", dir)
	}
	c := Default()
	checked := map[int]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		var src holidayCN
		require.NoError(t, json.Unmarshal(b, &src), f)
		if len(src.Days) == 0 {
			assert.False(t, c.Published(src.Year), "%d: no days in holiday-cn, must be unpublished", src.Year)
			continue
		}
		require.True(t, c.Published(src.Year), "%d: listed in holiday-cn but not shipped", src.Year)
		checked[src.Year] = true
		listed := map[string]bool{}
		for _, d := range src.Days {
			listed[d.Date] = true
			day := c.Day(mustDate(t, d.Date))
			want := KindHoliday
			if !d.IsOffDay {
				want = KindMakeup
				if wd := mustDate(t, d.Date).Weekday(); wd != time.Saturday && wd != time.Sunday {
					want = KindWorkday
				}
			}
			assert.Equal(t, want, day.Kind, "%d: %s %s isOffDay=%v", src.Year, d.Date, d.Name, d.IsOffDay)
			assert.Equal(t, !d.IsOffDay, day.Working, "%d: %s", src.Year, d.Date)
		}
		for _, s := range c.Years() {
			if s.Year != src.Year {
				continue
			}
			assert.Equal(t, strings.Join(src.Papers, " "), s.URL, "%d: url", s.Year)
			for _, h := range s.Holidays {
				for d := mustDate(t, h.From); !d.After(mustDate(t, h.To)); d = d.AddDate(0, 0, 1) {
					assert.True(t, listed[d.Format(time.DateOnly)], "%d: holiday %s %s missing from holiday-cn", s.Year, h.Name, d.Format(time.DateOnly))
				}
			}
			for _, m := range s.MakeupWorkdays {
				assert.True(t, listed[m], "%d: make-up workday %s missing from holiday-cn", s.Year, m)
			}
		}
	}
	for _, s := range c.Years() {
		assert.True(t, checked[s.Year], "%d: shipped but absent from holiday-cn", s.Year)
	}
}

func BenchmarkAddWorkingDays(b *testing.B) {
	c := Default()
	var froms []time.Time
	for _, s := range []string{"2024-02-08", "2025-09-30", "2026-03-02", "2026-09-30", "2023-04-28", "2026-12-20"} {
		froms = append(froms, mustDate(b, s).Add(15*time.Hour))
	}
	for i := 0; b.Loop(); i++ {
		n := 10
		if i%2 == 1 {
			n = 15
		}
		if _, err := c.AddWorkingDays(froms[i%len(froms)], n); err != nil {
			b.Fatal(err)
		}
	}
}
