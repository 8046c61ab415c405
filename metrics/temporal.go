package metrics

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
)

// Temporal is the Temporal SDK's metrics handler on a Prometheus registry:
// the SDK's counters are exported as NAME_total, its gauges as NAME and its
// timers as histograms NAME_seconds, labelled by the SDK's tags. A tag that
// some series of a name lack is exported empty on them, so each family keeps
// one set of labels.
func Temporal(r prometheus.Registerer) client.MetricsHandler {
	s := &sdkMetrics{families: map[string]*family{}}
	r.MustRegister(s)
	return handler{s: s}
}

type kind int

const (
	counter kind = iota
	gauge
	timer
)

// sdkMetrics collects what the SDK recorded.
type sdkMetrics struct {
	mu       sync.Mutex
	families map[string]*family
}

type family struct {
	kind   kind
	keys   map[string]bool
	series map[string]*series
}

type series struct {
	labels  map[string]string
	value   float64  // counter, gauge
	count   uint64   // timer
	sum     float64  // timer, seconds
	buckets []uint64 // timer, per bucket of Buckets (not cumulative)
}

// get finds or makes the series of a name and tags.
func (s *sdkMetrics) get(k kind, name string, tags map[string]string) *series {
	id := name + "\x00" + canon(tags)
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.families[name]
	if f == nil {
		f = &family{kind: k, keys: map[string]bool{}, series: map[string]*series{}}
		s.families[name] = f
	}
	x := f.series[id]
	if x == nil {
		x = &series{labels: tags, buckets: make([]uint64, len(Buckets))}
		f.series[id] = x
		for key := range tags {
			f.keys[key] = true
		}
	}
	return x
}

func canon(tags map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		b.WriteString(k + "=" + tags[k] + "\x00")
	}
	return b.String()
}

// Describe sends nothing: the families are known only as the SDK records.
func (s *sdkMetrics) Describe(chan<- *prometheus.Desc) {}

// Collect exports every series.
func (s *sdkMetrics) Collect(ch chan<- prometheus.Metric) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, f := range s.families {
		keys := slices.Sorted(maps.Keys(f.keys))
		full := name
		switch f.kind {
		case counter:
			full += "_total"
		case timer:
			full += "_seconds"
		}
		desc := prometheus.NewDesc(sanitize(full), "Temporal SDK metric "+name+".", sanitizeAll(keys), nil)
		for _, x := range f.series {
			vals := make([]string, len(keys))
			for i, k := range keys {
				vals[i] = x.labels[k]
			}
			var m prometheus.Metric
			var err error
			switch f.kind {
			case counter:
				m, err = prometheus.NewConstMetric(desc, prometheus.CounterValue, x.value, vals...)
			case gauge:
				m, err = prometheus.NewConstMetric(desc, prometheus.GaugeValue, x.value, vals...)
			default:
				cum, n := map[float64]uint64{}, uint64(0)
				for i, b := range Buckets {
					n += x.buckets[i]
					cum[b] = n
				}
				m, err = prometheus.NewConstHistogram(desc, x.count, x.sum, cum, vals...)
			}
			if err == nil {
				ch <- m
			}
		}
	}
}

func sanitizeAll(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = sanitize(k)
	}
	return out
}

// sanitize makes a name a valid Prometheus name.
func sanitize(n string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r == ':' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, n)
}

// handler is the SDK's view: a set of tags on the collected metrics.
type handler struct {
	s    *sdkMetrics
	tags map[string]string
}

func (h handler) WithTags(t map[string]string) client.MetricsHandler {
	m := maps.Clone(h.tags)
	if m == nil {
		m = map[string]string{}
	}
	maps.Copy(m, t)
	return handler{s: h.s, tags: m}
}

func (h handler) Counter(name string) client.MetricsCounter {
	x := h.s.get(counter, name, h.tags)
	return counterFunc(func(d int64) {
		h.s.mu.Lock()
		x.value += float64(d)
		h.s.mu.Unlock()
	})
}

func (h handler) Gauge(name string) client.MetricsGauge {
	x := h.s.get(gauge, name, h.tags)
	return gaugeFunc(func(v float64) {
		h.s.mu.Lock()
		x.value = v
		h.s.mu.Unlock()
	})
}

func (h handler) Timer(name string) client.MetricsTimer {
	x := h.s.get(timer, name, h.tags)
	return timerFunc(func(d time.Duration) {
		sec := d.Seconds()
		h.s.mu.Lock()
		defer h.s.mu.Unlock()
		x.count++
		x.sum += sec
		if i, _ := slices.BinarySearch(Buckets, sec); i < len(Buckets) {
			x.buckets[i]++
		}
	})
}

type counterFunc func(int64)

func (f counterFunc) Inc(d int64) { f(d) }

type gaugeFunc func(float64)

func (f gaugeFunc) Update(v float64) { f(v) }

type timerFunc func(time.Duration)

func (f timerFunc) Record(d time.Duration) { f(d) }
