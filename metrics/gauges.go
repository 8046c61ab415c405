package metrics

import (
	"context"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"
)

// scrapeTimeout bounds each query made on a scrape.
const scrapeTimeout = 5 * time.Second

var (
	openDesc = prometheus.NewDesc("approvals_tasks_open",
		"Open human tasks by city, procedure and level (statutory: the regulation sets the period; service: a service level or platform rule).",
		[]string{"city", "procedure", "level"}, nil)
	overdueDesc = prometheus.NewDesc("approvals_tasks_overdue",
		"Open human tasks past their due time, by city, procedure and level (statutory or service).",
		[]string{"city", "procedure", "level"}, nil)
	tasksErrDesc = prometheus.NewDesc("approvals_tasks_scrape_error", "1 when this scrape could not count the tasks.", nil, nil)
	lagErrDesc   = prometheus.NewDesc("approvals_archive_scrape_error", "1 when this scrape could not read the archiver's watermark.", nil, nil)
	lagDesc      = prometheus.NewDesc("approvals_archive_lag_seconds",
		"How far the history archiver is behind: now minus its watermark (every execution closed before it is archived).", nil, nil)
	unarchivedDesc = prometheus.NewDesc("approvals_archive_watermark_timestamp_seconds",
		"The history archiver's watermark, as a Unix time.", nil, nil)
)

// Tasks registers gauges of the open and overdue tasks by city, procedure
// and level (statutory or service; issue 16, point 3), counted from the
// database on each scrape with one grouped query (indexed on status).
func Tasks(r prometheus.Registerer, db *gorm.DB, now func() time.Time) {
	r.MustRegister(tasks{db: db, now: now})
}

type tasks struct {
	db  *gorm.DB
	now func() time.Time
}

func (t tasks) Describe(ch chan<- *prometheus.Desc) {
	ch <- openDesc
	ch <- overdueDesc
	ch <- tasksErrDesc
}

func (t tasks) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	var rows []struct {
		Jurisdiction, Procedure string
		Statutory               bool
		Open, Overdue           int64
	}
	err := t.db.WithContext(ctx).Model(&models.Task{}).
		Select("jurisdiction, procedure, statutory, count(*) AS open, sum(CASE WHEN overdue OR due_at < ? THEN 1 ELSE 0 END) AS overdue", t.now()).
		Where("status = ?", models.TaskOpen).Group("jurisdiction, procedure, statutory").Scan(&rows).Error
	if err != nil {
		ch <- prometheus.MustNewConstMetric(tasksErrDesc, prometheus.GaugeValue, 1)
		return
	}
	for _, r := range rows {
		lv := level(r.Statutory)
		ch <- prometheus.MustNewConstMetric(openDesc, prometheus.GaugeValue, float64(r.Open), r.Jurisdiction, r.Procedure, lv)
		ch <- prometheus.MustNewConstMetric(overdueDesc, prometheus.GaugeValue, float64(r.Overdue), r.Jurisdiction, r.Procedure, lv)
	}
}

// level is the task gauges' level label: statutory where the regulation
// sets the task's period (models.Task.Statutory), service otherwise.
func level(statutory bool) string {
	if statutory {
		return "statutory"
	}
	return "service"
}

// ArchiveLag registers the history archiver's lag: watermark reads the
// archiver's watermark (a query to its workflow) on each scrape.
func ArchiveLag(r prometheus.Registerer, watermark func(context.Context) (time.Time, error), now func() time.Time) {
	r.MustRegister(lag{watermark: watermark, now: now})
}

type lag struct {
	watermark func(context.Context) (time.Time, error)
	now       func() time.Time
}

func (l lag) Describe(ch chan<- *prometheus.Desc) {
	ch <- lagDesc
	ch <- unarchivedDesc
	ch <- lagErrDesc
}

func (l lag) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	w, err := l.watermark(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(lagErrDesc, prometheus.GaugeValue, 1)
		return
	}
	if w.IsZero() { // no pass has finished yet: nothing is known archived
		return
	}
	ch <- prometheus.MustNewConstMetric(lagDesc, prometheus.GaugeValue, l.now().Sub(w).Seconds())
	ch <- prometheus.MustNewConstMetric(unarchivedDesc, prometheus.GaugeValue, float64(w.Unix()))
}
