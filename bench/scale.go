package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"sync/atomic"
	"time"
)

func scaleFlags(fs *flag.FlagSet) func(context.Context, Config) (Result, error) {
	n := fs.Int("n", 10000, "open procedures (100000 when asked)")
	samples := fs.Int("samples", 200, "inbox and list requests measured")
	conc := fs.Int("conc", 16, "concurrent filings")
	return func(ctx context.Context, cfg Config) (Result, error) {
		if *n < 1 || *samples < 1 || *conc < 1 || *conc > 256 {
			return nil, errors.New("--n and --samples must be positive, --conc from 1 to 256")
		}
		return scale(ctx, cfg, *n, *samples, *conc)
	}
}

// scale files n requests to one provider and leaves them open, then reads
// the worker's and the API's resident memory (/proc), times the provider's
// inbox and the auditor's procedure list, and sizes the database.
func scale(ctx context.Context, cfg Config, n, samples, conc int) (Result, error) {
	s, err := startStack(ctx, cfg, 1, 1)
	if err != nil {
		return nil, err
	}
	defer s.close()
	w, err := s.newWorld(ctx)
	if err != nil {
		return nil, err
	}
	rss0, err := s.workers[0].rss()
	if err != nil {
		return nil, err
	}
	if _, err := fileMany(ctx, cfg, s, w, n, conc); err != nil {
		return nil, err
	}
	res := Result{"open_procedures": float64(n)}
	wr, err := s.workers[0].rss()
	if err != nil {
		return nil, err
	}
	ar, err := s.apis[0].rss()
	if err != nil {
		return nil, err
	}
	res["worker_rss_mib"], res["api_rss_mib"] = float64(wr)/(1<<20), float64(ar)/(1<<20)
	res["worker_rss_kib_per_open_procedure"] = float64(wr-rss0) / 1024 / float64(n)
	if !s.postgres() {
		res["note_sqlite_one_process"] = 1 // worker and API are one dev process
	}
	auditor, err := s.caller("bench-auditor", "auditor", "", "")
	if err != nil {
		return nil, err
	}
	for _, q := range []struct {
		name, path string
		as         caller
	}{
		{"inbox", "/api/v1/tasks?status=open&page_size=50", w.prov},
		{"list", "/api/v1/procedures?page_size=50", auditor},
	} {
		var l lat
		var done atomic.Int64
		stop := progress(cfg.Out, q.name, func() string { return fmt.Sprintf("%d/%d requests", done.Load(), samples) })
		for range samples {
			t := time.Now()
			var page struct {
				Items []map[string]any `json:"items"`
			}
			if _, err := q.as.do(ctx, s.base(), "GET", q.path, nil, &page); err != nil {
				stop()
				return nil, err
			}
			if len(page.Items) == 0 {
				stop()
				return nil, fmt.Errorf("%s: an empty page with %d procedures open", q.path, n)
			}
			l.add(time.Since(t))
			done.Add(1)
		}
		stop()
		l.put(res, q.name)
	}
	size, err := s.dbSize()
	if err != nil {
		return nil, err
	}
	res["db_mib"] = float64(size) / (1 << 20)
	res.print(cfg.Out, "scale")
	return res, nil
}
