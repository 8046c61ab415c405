package holidays

import "time"

// WorkingDaysUsed counts the working days a period starting at the instant
// from has used by the instant to, the way AddWorkingDays counts them: the
// Beijing date of from is not counted, the Beijing date of to is, and an
// instant at Beijing midnight is 24:00 of the day before (so a period of N
// working days has used N at its due time). It is 0 when to falls on or
// before the date of from.
func (c *Calendar) WorkingDaysUsed(from, to time.Time) int {
	f, t := dayNumber(from), dayNumber(to)
	if civil(to).Equal(to) {
		t--
	}
	n := 0
	for k := f + 1; k <= t; k++ {
		if c.working(k) {
			n++
		}
	}
	return n
}
