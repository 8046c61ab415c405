package holidays

import "time"

// WorkingDaysUsed counts the working days a period starting at the instant
// from has used by the instant to, the way AddWorkingDays counts them: the
// Beijing date of from is not counted, the Beijing date of to is. It is 0 when
// to falls on or before the date of from; a task decided within a period of
// N working days used at most N.
func (c *Calendar) WorkingDaysUsed(from, to time.Time) int {
	f, t := dayNumber(from), dayNumber(to)
	n := 0
	for k := f + 1; k <= t; k++ {
		if c.working(k) {
			n++
		}
	}
	return n
}
