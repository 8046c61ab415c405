// Package metrics exposes the processes' metrics in Prometheus format
// : HTTP requests by route template and status with latency
// histograms, the Temporal SDK's own metrics, open and overdue tasks from
// the database, and the history archiver's lag, each computed on scrape.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Buckets are the latency buckets, in seconds, of every histogram here.
var Buckets = []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

// New is a registry with the Go runtime's and the process's collectors.
func New() *prometheus.Registry {
	r := prometheus.NewRegistry()
	r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return r
}

// Handler serves a registry's metrics.
func Handler(r *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(r, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError, Timeout: 10 * time.Second})
}

// HTTP counts requests by method, route template (not the raw path, so
// IDs do not multiply the series) and status, and observes their latency.
func HTTP(r prometheus.Registerer) echo.MiddlewareFunc {
	reqs := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "approvals_http_requests_total",
		Help: "HTTP requests by method, route template and status."}, []string{"method", "route", "status"})
	lat := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "approvals_http_request_duration_seconds",
		Help: "HTTP request latency by method and route template.", Buckets: Buckets}, []string{"method", "route"})
	r.MustRegister(reqs, lat)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err) // the status is known only once the error is answered
			}
			route := c.Path()
			if route == "" {
				route = "unmatched"
			}
			m := c.Request().Method
			reqs.WithLabelValues(m, route, strconv.Itoa(c.Response().Status)).Inc()
			lat.WithLabelValues(m, route).Observe(time.Since(start).Seconds())
			return nil
		}
	}
}
