package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

func decideFlags(fs *flag.FlagSet) func(context.Context, Config) (Result, error) {
	rate := fs.Float64("rate", 20, "decisions per second")
	n := fs.Int("n", 400, "pending requests to decide")
	return func(ctx context.Context, cfg Config) (Result, error) {
		if *rate <= 0 || *rate > 1000 || *n < 1 {
			return nil, errors.New("--rate must be from 0 to 1000 and --n positive")
		}
		return decide(ctx, cfg, *rate, *n)
	}
}

// decide files n requests, then sends their decisions at a fixed rate
// (open loop: a slow answer does not delay the next decision) and reports
// their latency and errors.
func decide(ctx context.Context, cfg Config, rate float64, n int) (Result, error) {
	s, err := startStack(ctx, cfg, 1, 1)
	if err != nil {
		return nil, err
	}
	defer s.close()
	w, err := s.newWorld(ctx)
	if err != nil {
		return nil, err
	}
	tasks, err := fileMany(ctx, cfg, s, w, n, 16)
	if err != nil {
		return nil, err
	}
	var l lat
	var sent, errs atomic.Int64
	var firstErr sync.Once
	var errMsg string
	stop := progress(cfg.Out, "decide", func() string {
		return fmt.Sprintf("%d/%d sent, %d errors, load %s", sent.Load(), n, errs.Load(), loadAvg())
	})
	defer stop()
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	var wg sync.WaitGroup
	cpu0 := s.cpu(ctx)
	t0 := time.Now()
	for _, task := range tasks {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-tick.C:
		}
		sent.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.Now()
			if err := w.decide(ctx, s.base(), task); err != nil {
				errs.Add(1)
				firstErr.Do(func() { errMsg = err.Error() })
				return
			}
			l.add(time.Since(t))
		}()
	}
	wg.Wait()
	elapsed := time.Since(t0)
	cpu1 := s.cpu(ctx)
	stop()
	if errMsg != "" {
		fmt.Fprintln(cfg.Out, "first error:", errMsg)
	}
	res := Result{"decisions": float64(n), "errors": float64(errs.Load()), "rate_per_s": rate,
		"achieved_per_s": float64(n) / elapsed.Seconds()}
	l.put(res, "decide")
	cpu0.perOp(res, "decide", cpu1, n)
	res.print(cfg.Out, "decide")
	return res, nil
}

// fileMany files n requests through the API at concurrency c and returns
// their open tasks.
func fileMany(ctx context.Context, cfg Config, s *stack, w world, n, c int) ([]string, error) {
	tasks := make([]string, n)
	var filed atomic.Int64
	stop := progress(cfg.Out, "file", func() string { return fmt.Sprintf("%d/%d filed", filed.Load(), n) })
	defer stop()
	var g errgroup.Group
	g.SetLimit(c)
	prefix := fmt.Sprintf("f-%d", time.Now().UnixNano())
	for i := range n {
		g.Go(func() error {
			f, err := w.file(ctx, s.apis[i%len(s.apis)].url(), fmt.Sprintf("%s-%d", prefix, i))
			if err != nil {
				return err
			}
			if tasks[i] = f.openTask(); tasks[i] == "" {
				return fmt.Errorf("filing %s answered with no open task", f.ID)
			}
			filed.Add(1)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("file %d requests: %w", n, err)
	}
	return tasks, nil
}
