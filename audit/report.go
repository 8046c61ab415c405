package audit

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
)

// DeadlineRow is the deadline record of one department in one procedure.
type DeadlineRow struct {
	Department   string `json:"department"` // department code, or "authority:<city>"
	Procedure    string `json:"procedure"`
	Jurisdiction string `json:"jurisdiction"`
	// Month is the Beijing month (YYYY-MM) the tasks were opened in, in a
	// report grouped by month (DeadlineReportByMonth); empty otherwise.
	Month string `json:"month,omitempty"`
	// Article sets the tasks' period; Statutory says whether the text
	// does (a statutory breach) or a service level (platform lateness):
	// the two are never counted in one row.
	Article         string `json:"article"`
	Statutory       bool   `json:"statutory"`
	Filed           int    `json:"filed"`             // decision tasks the department received
	CompletedOnTime int    `json:"completed_on_time"` // decided by a person by the due time
	Late            int    `json:"late"`              // decided after the due time
	StillOverdue    int    `json:"still_overdue"`     // open past the due time
	Deemed          int    `json:"deemed_outcomes"`   // decided by the city's rule on silence
	Open            int    `json:"open"`              // open and not yet due
	// MedianWorkingDaysUsed is over the decided tasks (by a person or by
	// silence); nil when none is decided.
	MedianWorkingDaysUsed *float64 `json:"median_working_days_used"`
}

// DeadlineReport aggregates decision tasks per department and procedure, as
// of now. Supervision tasks are follow-ups, not received requests, and are
// left out; a task cancelled because the procedure ended otherwise counts as
// filed only.
func DeadlineReport(tasks []models.Task, cal *holidays.Calendar, now time.Time) []DeadlineRow {
	return deadlineRows(tasks, cal, now, false, models.TaskDecision)
}

// DeadlineReportByMonth is DeadlineReport with each row split by the Beijing
// month its tasks were opened in (Month), for on-time rates over time.
func DeadlineReportByMonth(tasks []models.Task, cal *holidays.Calendar, now time.Time) []DeadlineRow {
	return deadlineRows(tasks, cal, now, true, models.TaskDecision)
}

// deadlineRows is DeadlineReport over the tasks of the given kinds (the
// yearly evaluation counts obligations as well: a catalog's update), by month
// when monthly.
func deadlineRows(tasks []models.Task, cal *holidays.Calendar, now time.Time, monthly bool, kinds ...string) []DeadlineRow {
	type key struct {
		dept, proc, city, article, month string
		statutory                        bool
	}
	rows := map[key]*DeadlineRow{}
	used := map[key][]int{}
	for _, t := range tasks {
		if !slices.Contains(kinds, t.Kind) {
			continue
		}
		k := key{dept: Assignee(t), proc: t.Procedure, city: t.Jurisdiction, article: t.Article, statutory: t.Statutory}
		if monthly {
			k.month = t.CreatedAt.In(holidays.Shanghai).Format("2006-01")
		}
		r := rows[k]
		if r == nil {
			r = &DeadlineRow{Department: k.dept, Procedure: k.proc, Jurisdiction: k.city, Month: k.month, Article: k.article, Statutory: k.statutory}
			rows[k] = r
		}
		if r.count(t, now) {
			used[k] = append(used[k], cal.WorkingDaysUsed(t.CreatedAt, *t.DecidedAt))
		}
	}
	out := make([]DeadlineRow, 0, len(rows))
	for k, r := range rows {
		r.MedianWorkingDaysUsed = median(used[k])
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b DeadlineRow) int {
		return cmp.Or(cmp.Compare(a.Jurisdiction, b.Jurisdiction), cmp.Compare(a.Department, b.Department), cmp.Compare(a.Procedure, b.Procedure),
			cmp.Compare(a.Article, b.Article), cmpBool(a.Statutory, b.Statutory), cmp.Compare(a.Month, b.Month))
	})
	return out
}

// count adds a task to the row by how its deadline was kept, as of now,
// and reports whether it was decided (by a person or by silence).
func (r *DeadlineRow) count(t models.Task, now time.Time) bool {
	r.Filed++
	late := Late(t, now)
	switch {
	case t.Status == models.TaskOpen && late:
		r.StillOverdue++
	case t.Status == models.TaskOpen:
		r.Open++
	case t.Status == models.TaskDone && t.DecidedAt != nil:
		switch {
		case t.Decision == workflows.OutcomeDeemedConsent:
			r.Deemed++
		case late:
			r.Late++
		default:
			r.CompletedOnTime++
		}
		return true
	}
	return false
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

func median(xs []int) *float64 {
	if len(xs) == 0 {
		return nil
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := float64(s[len(s)/2])
	if len(s)%2 == 0 {
		m = float64(s[len(s)/2-1]+s[len(s)/2]) / 2
	}
	return &m
}

// reportHeader names the CSV columns, as in the JSON.
var reportHeader = []string{"jurisdiction", "department", "procedure", "filed", "completed_on_time", "late", "still_overdue", "deemed_outcomes", "open", "median_working_days_used", "article", "statutory"}

// WriteDeadlineCSV writes the report as CSV with a header row; an empty
// median is a row with nothing decided. A report by month has a last
// column, month.
func WriteDeadlineCSV(w io.Writer, rows []DeadlineRow) error {
	cw := csv.NewWriter(w)
	monthly := slices.ContainsFunc(rows, func(r DeadlineRow) bool { return r.Month != "" })
	header := reportHeader
	if monthly {
		header = append(slices.Clone(reportHeader), "month")
	}
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write CSV header: %w", err)
	}
	for _, r := range rows {
		med := ""
		if r.MedianWorkingDaysUsed != nil {
			med = strconv.FormatFloat(*r.MedianWorkingDaysUsed, 'f', -1, 64)
		}
		rec := []string{r.Jurisdiction, r.Department, r.Procedure, strconv.Itoa(r.Filed), strconv.Itoa(r.CompletedOnTime),
			strconv.Itoa(r.Late), strconv.Itoa(r.StillOverdue), strconv.Itoa(r.Deemed), strconv.Itoa(r.Open), med,
			r.Article, strconv.FormatBool(r.Statutory)}
		if monthly {
			rec = append(rec, r.Month)
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write CSV row: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}
