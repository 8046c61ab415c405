package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

func lifecycleFlags(fs *flag.FlagSet) func(context.Context, Config) (Result, error) {
	concs := fs.String("conc", "1,4,16", "concurrencies, comma-separated")
	rounds := fs.Int("rounds", 3, "interleaved rounds (the figures are their medians)")
	n := fs.Int("n", 64, "lifecycles per system, concurrency and round")
	return func(ctx context.Context, cfg Config) (Result, error) {
		var cs []int
		for _, f := range strings.Split(*concs, ",") {
			c, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || c < 1 || c > 256 {
				return nil, fmt.Errorf("--conc: %q is not a concurrency from 1 to 256", f)
			}
			cs = append(cs, c)
		}
		if *rounds < 1 || *n < 1 {
			return nil, errors.New("--rounds and --n must be positive")
		}
		return lifecycle(ctx, cfg, cs, *rounds, *n)
	}
}

// lat collects latencies in milliseconds, safely from many goroutines.
type lat struct {
	mu sync.Mutex
	v  []float64
}

func (l *lat) add(d time.Duration) {
	l.mu.Lock()
	l.v = append(l.v, ms(d))
	l.mu.Unlock()
}

func (l *lat) put(r Result, name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r[name+"_p50_ms"], r[name+"_p95_ms"], r[name+"_p99_ms"] = percentile(l.v, .5), percentile(l.v, .95), percentile(l.v, .99)
}

// lifecycle measures share-request lifecycles through the API (file, then
// the provider approves) against the bare-SDK baseline on the same server,
// alternating the two at every concurrency of every round.
func lifecycle(ctx context.Context, cfg Config, concs []int, rounds, n int) (Result, error) {
	s, err := startStack(ctx, cfg, 1, 1)
	if err != nil {
		return nil, err
	}
	defer s.close()
	bw, err := startBareWorker(s.tc)
	if err != nil {
		return nil, err
	}
	defer bw.Stop()
	w, err := s.newWorld(ctx)
	if err != nil {
		return nil, err
	}
	type slot struct {
		proj, bare             []float64 // lifecycles/s per round
		create, decide         lat
		bareCreate, bareDecide lat
	}
	slots := make([]*slot, len(concs))
	for i := range slots {
		slots[i] = &slot{}
	}
	var done, errs atomic.Int64
	var lastProj, lastBare atomic.Value
	stop := progress(cfg.Out, "lifecycle", func() string {
		return fmt.Sprintf("%d lifecycles, %d errors, load %s", done.Load(), errs.Load(), loadAvg())
	})
	defer stop()
	seq := atomic.Int64{}
	runSlot := func(c int, one func(i int64) error) (float64, error) {
		var g errgroup.Group
		var next atomic.Int64
		t0 := time.Now()
		for range c {
			g.Go(func() error {
				for next.Add(1) <= int64(n) {
					if err := one(seq.Add(1)); err != nil {
						errs.Add(1)
						return err
					}
					done.Add(1)
				}
				return nil
			})
		}
		err := g.Wait()
		return float64(n) / time.Since(t0).Seconds(), err
	}
	prefix := fmt.Sprintf("lc-%d", time.Now().UnixNano())
	for r := range rounds {
		for i, c := range concs {
			sl := slots[i]
			// The order alternates, so neither side always runs second.
			sides := []func() error{
				func() error {
					lps, err := runSlot(c, func(k int64) error {
						t0 := time.Now()
						f, err := w.file(ctx, s.base(), fmt.Sprintf("%s-%d", prefix, k))
						if err != nil {
							return err
						}
						sl.create.add(time.Since(t0))
						task := f.openTask()
						if task == "" {
							return fmt.Errorf("filing %s answered with no open task (status %s)", f.ID, f.Status)
						}
						t1 := time.Now()
						if err := w.decide(ctx, s.base(), task); err != nil {
							return err
						}
						sl.decide.add(time.Since(t1))
						lastProj.Store(f.WorkflowID)
						return nil
					})
					sl.proj = append(sl.proj, lps)
					return err
				},
				func() error {
					lps, err := runSlot(c, func(k int64) error {
						id := fmt.Sprintf("%s-bare-%d", prefix, k)
						t0 := time.Now()
						if err := bareFile(ctx, s.tc, id); err != nil {
							return err
						}
						sl.bareCreate.add(time.Since(t0))
						t1 := time.Now()
						if err := bareDecideOn(ctx, s.tc, id); err != nil {
							return err
						}
						sl.bareDecide.add(time.Since(t1))
						lastBare.Store(id)
						return nil
					})
					sl.bare = append(sl.bare, lps)
					return err
				},
			}
			if (r+i)%2 == 1 {
				sides[0], sides[1] = sides[1], sides[0]
			}
			for _, side := range sides {
				if err := side(); err != nil {
					return nil, fmt.Errorf("round %d, concurrency %d: %w", r+1, c, err)
				}
			}
		}
	}
	stop()
	res := Result{"errors": float64(errs.Load()), "lifecycles": float64(done.Load()), "rounds": float64(rounds)}
	for i, c := range concs {
		sl, k := slots[i], fmt.Sprintf("c%02d_", c)
		p, b := median(sl.proj), median(sl.bare)
		res[k+"project_lifecycles_per_s"], res[k+"bare_lifecycles_per_s"] = p, b
		if b > 0 {
			res[k+"ratio"] = p / b
		}
		sl.create.put(res, k+"project_create")
		sl.decide.put(res, k+"project_decide")
		sl.bareCreate.put(res, k+"bare_create")
		sl.bareDecide.put(res, k+"bare_decide")
	}
	histories := map[string]map[string]*part{}
	for name, v := range map[string]*atomic.Value{"project": &lastProj, "bare": &lastBare} {
		id, _ := v.Load().(string)
		if id == "" {
			continue
		}
		ev, by, parts, err := historySize(ctx, s.tc, id)
		if err != nil {
			return nil, err
		}
		res[name+"_history_events"], res[name+"_history_payload_bytes"] = float64(ev), float64(by)
		histories[name] = parts
	}
	res.print(cfg.Out, "lifecycle")
	for _, name := range []string{"project", "bare"} {
		if histories[name] != nil {
			printParts(cfg.Out, name, histories[name])
		}
	}
	return res, nil
}
