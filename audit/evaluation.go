package audit

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
)

// WorkCompliance is how a department kept the deadlines of one kind of work in
// a year: the deadline report's counts summed over its procedures' rows,
// with the articles that set the periods.
type WorkCompliance struct {
	Articles        []string `json:"articles"`
	Filed           int      `json:"filed"`
	CompletedOnTime int      `json:"completed_on_time"`
	Late            int      `json:"late"`
	StillOverdue    int      `json:"still_overdue"`
	Deemed          int      `json:"deemed_outcomes"`
	Open            int      `json:"open"`
}

func (c *WorkCompliance) add(r DeadlineRow) {
	c.Filed += r.Filed
	c.CompletedOnTime += r.CompletedOnTime
	c.Late += r.Late
	c.StillOverdue += r.StillOverdue
	c.Deemed += r.Deemed
	c.Open += r.Open
	if r.Article != "" && !slices.Contains(c.Articles, r.Article) {
		c.Articles = append(c.Articles, r.Article)
	}
}

// EvaluationMonth is one month of a department's year, for a chart: the
// tasks it received that month and how they went, as of now.
type EvaluationMonth struct {
	Month      int `json:"month"` // 1 to 12 (Beijing)
	Filed      int `json:"filed"`
	OnTime     int `json:"completed_on_time"`
	Late       int `json:"late"` // decided late or still open past the due time
	Deemed     int `json:"deemed_outcomes"`
	Overdue    int `json:"overdue"`    // flagged overdue (the accountability article applied)
	Supervised int `json:"supervised"` // followed up by a supervision task
}

// EvaluationRow is one department's year, computed from its procedures'
// tasks: requests answered on time (share_request), catalogs updated on time
// (catalog_update), objections handled (objection), every procedure's row of
// the deadline report, the overdue and supervised counts, and the months.
type EvaluationRow struct {
	Jurisdiction   string            `json:"jurisdiction"`
	Department     string            `json:"department"`
	Year           int               `json:"year"`
	ShareRequests  WorkCompliance    `json:"share_requests"`
	CatalogUpdates WorkCompliance    `json:"catalog_updates"`
	Objections     WorkCompliance    `json:"objections"`
	Procedures     []DeadlineRow     `json:"procedures"`
	Overdue        int               `json:"overdue"`
	Supervised     int               `json:"supervised"`
	OverdueArticle string            `json:"overdue_article"`
	Months         []EvaluationMonth `json:"months"`
}

// EvaluationInput is what a yearly evaluation is computed from: the city's
// departments, the tasks the departments received in the year (decisions
// and obligations), the city's supervision tasks, and the accountability
// article that overdue work cites.
type EvaluationInput struct {
	Jurisdiction   string
	Year           int
	Departments    []string
	Tasks          []models.Task
	Supervisions   []models.Task
	OverdueArticle string
}

// supervisedBy is the ID of the supervision task that follows up a task
// ("<procedure>.<step>.<role>" → "<procedure>.<step>.supervision").
func supervisedBy(t models.Task) string {
	i := strings.LastIndex(t.ID, ".")
	if i < 0 {
		return ""
	}
	return t.ID[:i] + ".supervision"
}

// Evaluation computes one row per department (every department listed, and
// any other a task was assigned to), sorted by code, reusing the deadline
// report's counting for each.
func Evaluation(in EvaluationInput, cal *holidays.Calendar, now time.Time) []EvaluationRow {
	supervised := map[string]bool{}
	for _, s := range in.Supervisions {
		if s.Kind == models.TaskSupervision {
			supervised[s.ID] = true
		}
	}
	byDept := map[string][]models.Task{}
	for _, d := range in.Departments {
		byDept[d] = nil
	}
	for _, t := range in.Tasks {
		if t.AssigneeDept != "" {
			byDept[t.AssigneeDept] = append(byDept[t.AssigneeDept], t)
		}
	}
	out := make([]EvaluationRow, 0, len(byDept))
	for dept, tasks := range byDept {
		r := EvaluationRow{Jurisdiction: in.Jurisdiction, Department: dept, Year: in.Year, OverdueArticle: in.OverdueArticle,
			Procedures:     deadlineRows(tasks, cal, now, false, models.TaskDecision, models.TaskObligation),
			ShareRequests:  WorkCompliance{Articles: []string{}},
			CatalogUpdates: WorkCompliance{Articles: []string{}},
			Objections:     WorkCompliance{Articles: []string{}}}
		for _, p := range r.Procedures {
			switch p.Procedure {
			case models.ProcedureShareRequest:
				r.ShareRequests.add(p)
			case models.ProcedureCatalogUpdate:
				r.CatalogUpdates.add(p)
			case models.ProcedureObjection:
				r.Objections.add(p)
			}
		}
		r.Months = make([]EvaluationMonth, 12)
		for i := range r.Months {
			r.Months[i].Month = i + 1
		}
		for _, t := range tasks {
			m := &r.Months[t.CreatedAt.In(holidays.Shanghai).Month()-1]
			var one DeadlineRow
			one.count(t, now)
			m.Filed++
			m.OnTime += one.CompletedOnTime
			m.Late += one.Late + one.StillOverdue
			m.Deemed += one.Deemed
			if t.Overdue {
				m.Overdue++
				r.Overdue++
			}
			// The supervision follows up a step; in a step with two deciders
			// only the one flagged overdue was late.
			if t.Overdue && supervised[supervisedBy(t)] {
				m.Supervised++
				r.Supervised++
			}
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b EvaluationRow) int { return strings.Compare(a.Department, b.Department) })
	return out
}

// evaluationHeader names the CSV columns: per department, the three kinds
// of work (filed, on time, late, still overdue, deemed), then the counts.
var evaluationHeader = func() []string {
	h := []string{"jurisdiction", "department", "year"}
	for _, k := range []string{"share_requests", "catalog_updates", "objections"} {
		for _, c := range []string{"filed", "completed_on_time", "late", "still_overdue", "deemed_outcomes", "open", "articles"} {
			h = append(h, k+"_"+c)
		}
	}
	return append(h, "overdue", "supervised", "overdue_article", "evaluation_article")
}()

// WriteEvaluationCSV writes the evaluation as CSV, a row per department,
// citing the evaluation article in every row.
func WriteEvaluationCSV(w io.Writer, rows []EvaluationRow, article string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(evaluationHeader); err != nil {
		return fmt.Errorf("write CSV header: %w", err)
	}
	for _, r := range rows {
		rec := []string{r.Jurisdiction, r.Department, strconv.Itoa(r.Year)}
		for _, c := range []WorkCompliance{r.ShareRequests, r.CatalogUpdates, r.Objections} {
			rec = append(rec, strconv.Itoa(c.Filed), strconv.Itoa(c.CompletedOnTime), strconv.Itoa(c.Late),
				strconv.Itoa(c.StillOverdue), strconv.Itoa(c.Deemed), strconv.Itoa(c.Open), strings.Join(c.Articles, "; "))
		}
		rec = append(rec, strconv.Itoa(r.Overdue), strconv.Itoa(r.Supervised), r.OverdueArticle, article)
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
