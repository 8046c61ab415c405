// Package bench is `approvals bench SCENARIO`: scenarios that measure the
// system end to end (lifecycle, decide, scale, storm, retime, chaos), each on
// a stack of its own (a Temporal dev server, a database, the approvals worker
// and API as child processes) or on TEMPORAL_ADDRESS and DATABASE_URL when
// given. Each prints a progress line every second and its figures at the
// end; where a baseline exists (the bare SDK) it is measured in the same run,
// in interleaved rounds, and the figures are medians of the rounds.
package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cityapprovals/approvals/codec"
	"github.com/cityapprovals/approvals/regulations"
)

// Config is what the command gives a scenario.
type Config struct {
	// Bin is the approvals binary started as the worker and API processes.
	Bin string
	// TemporalAddress and DatabaseURL name servers to use instead of the
	// scenario's own (TEMPORAL_ADDRESS, DATABASE_URL); the database gets a
	// schema of the run's own, dropped at the end.
	TemporalAddress, DatabaseURL string
	// Namespace is the Temporal namespace of the configuration.
	Namespace string
	// Codec encrypts payloads (the configured one; a fresh key when nil).
	Codec *codec.Codec
	// Regulations are the city profiles, for procedures the harness starts itself.
	Regulations *regulations.Registry
	// Out receives progress and figures.
	Out io.Writer
	// TemporalDefaults starts the stack's dev server with the server's own
	// dynamic configuration instead of devserver.LowLatency (to measure
	// what the low-latency settings change).
	TemporalDefaults bool
}

// Scenarios names each scenario with its one-line description.
var Scenarios = []struct{ Name, Doc string }{
	{"lifecycle", "share-request lifecycles through the API at concurrency 1/4/16 against a bare-SDK workflow"},
	{"decide", "decisions at a fixed rate on pending requests"},
	{"scale", "N open procedures in one inbox: memory, inbox and list latency, database size"},
	{"storm", "N deadlines due at once (after an outage): time until every silence outcome is applied"},
	{"retime", "publish a year while N procedures run and time their re-timing"},
	{"chaos", "filings while workers, API processes and Temporal are killed and restarted; nothing lost or doubled"},
}

// Usage describes the command.
func Usage() string {
	var b strings.Builder
	b.WriteString("usage: approvals bench SCENARIO [flags]   (approvals bench SCENARIO -h for its flags)\n\nscenarios:\n")
	for _, s := range Scenarios {
		fmt.Fprintf(&b, "  %-10s %s\n", s.Name, s.Doc)
	}
	return b.String()
}

// Run runs one scenario with its command-line flags and returns its figures.
func Run(ctx context.Context, cfg Config, args []string) (Result, error) {
	if len(args) == 0 {
		return nil, errors.New(Usage())
	}
	if cfg.Out == nil {
		cfg.Out = os.Stdout
	}
	if cfg.Namespace == "" {
		return nil, errors.New("bench: no Temporal namespace configured")
	}
	fs := flag.NewFlagSet("bench "+args[0], flag.ContinueOnError)
	fs.SetOutput(cfg.Out)
	var run func(context.Context, Config) (Result, error)
	defaults := fs.Bool("temporal-defaults", false, "start the dev server with Temporal's default dispatch limits, not devserver.LowLatency")
	switch args[0] {
	case "lifecycle":
		run = lifecycleFlags(fs)
	case "decide":
		run = decideFlags(fs)
	case "scale":
		run = scaleFlags(fs)
	case "storm":
		run = stormFlags(fs)
	case "retime":
		run = retimeFlags(fs)
	case "chaos":
		run = chaosFlags(fs)
	default:
		return nil, fmt.Errorf("unknown scenario %q\n\n%s", args[0], Usage())
	}
	if err := fs.Parse(args[1:]); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("bench %s: unexpected arguments %v", args[0], fs.Args())
	}
	cfg.TemporalDefaults = cfg.TemporalDefaults || *defaults
	return run(ctx, cfg)
}

// Result is a scenario's figures by name (counts, seconds, bytes, ratios).
type Result map[string]float64

// print writes the figures sorted by name, with the machine's load.
func (r Result) print(w io.Writer, title string) {
	fmt.Fprintf(w, "\n== %s (load average %s) ==\n", title, loadAvg())
	keys := make([]string, 0, len(r))
	for k := range r {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  %-40s %s\n", k, fmtNum(r[k]))
	}
}

func fmtNum(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e12 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.3f", v)
}

// loadAvg is the machine's 1, 5 and 15 minute load average.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// percentile of ms (milliseconds), q in [0, 1]; 0 when empty.
func percentile(ms []float64, q float64) float64 {
	if len(ms) == 0 {
		return 0
	}
	s := slices.Clone(ms)
	sort.Float64s(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

// median of vs; 0 when empty.
func median(vs []float64) float64 { return percentile(vs, 0.5) }

// ms is d in milliseconds.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// progress prints line() every second until the returned stop is called,
// and once more then.
func progress(w io.Writer, what string, line func() string) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	t0 := time.Now()
	go func() {
		defer close(finished)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				fmt.Fprintf(w, "  [%s %4.0fs] %s\n", what, time.Since(t0).Seconds(), line())
			}
		}
	}()
	var once atomic.Bool
	return func() {
		if once.CompareAndSwap(false, true) {
			close(done)
			<-finished
			// The last state, also for a phase shorter than a second.
			fmt.Fprintf(w, "  [%s %4.0fs] %s\n", what, time.Since(t0).Seconds(), line())
		}
	}
}

// waitFor polls cond every 200 ms until it holds or limit passes, printing
// its progress line every second.
func waitFor(ctx context.Context, w io.Writer, what string, limit time.Duration, cond func() (bool, string, error)) error {
	var last atomic.Value
	last.Store("")
	stop := progress(w, what, func() string { return last.Load().(string) })
	defer stop()
	end := time.Now().Add(limit)
	for {
		ok, line, err := cond()
		last.Store(line)
		if err != nil || ok {
			return err
		}
		if time.Now().After(end) {
			return fmt.Errorf("%s: not done after %s (%s)", what, limit, line)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
