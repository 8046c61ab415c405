package holidays

import (
	"sync"
	"time"

	lunar "github.com/6tail/lunar-go/calendar"
)

// StatutoryArticle is the text that fixes the statutory holidays, which are
// never working days, whether or not the year's schedule is published.
const StatutoryArticle = "《全国年节及纪念日放假办法》第二条"

// statutoryFrom is the first year whose statutory holidays are computed:
// the 2008 version of 《全国年节及纪念日放假办法》. Earlier years get none.
const statutoryFrom = 2008

// statutoryCache holds the statutory holidays of each year computed so far,
// keyed by year: day number → name. The computation is pure, so one cache
// serves every calendar.
var statutoryCache sync.Map // int → map[int]string

// Statutory lists the statutory holidays of year fixed by
// 《全国年节及纪念日放假办法》第二条, as "YYYY-MM-DD" Beijing dates mapped to
// their names: 元旦 1 January; 春节 (from 2025: 除夕 and 正月初一至初三;
// 2014–2024: 初一至初三; 2008–2013: 除夕至初二); 清明 (the solar term) 1 day;
// 劳动节 1 May (from 2025 also 2 May); 端午 (五月初五); 中秋 (八月十五); 国庆
// 1–3 October. The lunar dates and the solar term come from
// github.com/6tail/lunar-go. Years before 2008 have none.
func Statutory(year int) map[string]string {
	out := make(map[string]string)
	for k, name := range statutory(year) {
		out[time.Unix(int64(k)*86400, 0).UTC().Format(time.DateOnly)] = name
	}
	return out
}

// statutory returns the statutory holidays of year by day number.
func statutory(year int) map[int]string {
	if v, ok := statutoryCache.Load(year); ok {
		return v.(map[int]string)
	}
	days := make(map[int]string)
	if year >= statutoryFrom && year <= 9999 {
		add := func(d time.Time, n int, name string) {
			for i := range n {
				days[dayNumber(d.AddDate(0, 0, i))] = name
			}
		}
		date := func(m time.Month, d int) time.Time { return time.Date(year, m, d, 0, 0, 0, 0, Shanghai) }
		fromLunar := func(m, d int) time.Time {
			s := lunar.NewLunarFromYmd(year, m, d).GetSolar()
			return time.Date(s.GetYear(), time.Month(s.GetMonth()), s.GetDay(), 0, 0, 0, 0, Shanghai)
		}
		add(date(time.January, 1), 1, "元旦")
		newYear := fromLunar(1, 1)
		switch {
		case year >= 2025:
			add(newYear.AddDate(0, 0, -1), 4, "春节")
		case year >= 2014:
			add(newYear, 3, "春节")
		default:
			add(newYear.AddDate(0, 0, -1), 3, "春节")
		}
		q := lunar.NewLunarFromSolar(lunar.NewSolarFromYmd(year, 6, 1)).GetJieQiTable()["清明"]
		add(time.Date(q.GetYear(), time.Month(q.GetMonth()), q.GetDay(), 0, 0, 0, 0, Shanghai), 1, "清明节")
		labour := 1
		if year >= 2025 {
			labour = 2
		}
		add(date(time.May, 1), labour, "劳动节")
		add(fromLunar(5, 5), 1, "端午节")
		add(fromLunar(8, 15), 1, "中秋节")
		add(date(time.October, 1), 3, "国庆节")
	}
	v, _ := statutoryCache.LoadOrStore(year, days)
	return v.(map[int]string)
}

// statutoryDay names the statutory holiday on the day numbered k, if any.
func statutoryDay(k int) (string, bool) {
	name, ok := statutory(time.Unix(int64(k)*86400, 0).UTC().Year())[k]
	return name, ok
}
