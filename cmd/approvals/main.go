// Command approvals runs the public-data approval procedures: the HTTP API,
// the Temporal worker, or both with a local Temporal dev server for
// development, and small administration commands.
//
//	approvals dev     [--addr 127.0.0.1:8080] [--data-dir .data]
//	approvals api     (configured by environment, see README.md)
//	approvals worker  (configured by environment)
//	approvals migrate up|status [--data-dir .data]
//	approvals token   --subject ID --role ROLE [--dept CODE] [--jurisdiction CITY] [--ttl 8h]
//	approvals catalog import FILE.json
//	approvals replay  --workflow-id ID | --history FILE
//	approvals verify  EXPORT.zip --public-key KEY | --public-key-file FILE
//	approvals calendar load [--wait] FILE.json
//	approvals bench lifecycle|decide|scale|storm|retime|chaos [flags]
//	approvals healthcheck [--url URL]
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: approvals <command> [flags]

commands:
  dev              everything in one process for development: a Temporal dev server
                   (unless TEMPORAL_ADDRESS is set), the worker and the API
  api              the HTTP API (production; configured by environment)
  worker           the Temporal worker (production; configured by environment)
  migrate          up: apply the database's pending migrations (before api and worker
                   start); status: list them
  token            print a signed JWT for a user
  catalog import   import catalog entries from a JSON file (an array of items)
  replay           replay a history (--workflow-id ID | --history FILE) on the current
                   workflow code; exits 1 when they diverge
  verify           check an export offline (EXPORT.zip --public-key KEY | --public-key-file F
                   [--since EARLIER.zip]): its signature, every file's SHA-256 and the event
                   chain (still holding an earlier export's head); exits 1 naming what broke
  calendar load    publish or correct years' holiday schedules from a JSON file and
                   re-time the running procedures they move
  bench SCENARIO   benchmarks on a stack of their own (lifecycle, decide, scale, storm,
                   retime, chaos; approvals bench for the list)
  healthcheck      exit 0 when healthy: --url URL (the API's /readyz), or the database and
                   Temporal of the environment (the worker)

Run 'approvals <command> -h' for a command's flags. Environment: see README.md.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	args := os.Args[2:]
	var err error
	switch os.Args[1] {
	case "dev":
		err = runDev(ctx, args)
	case "api":
		err = runAPI(ctx, args)
	case "worker":
		err = runWorker(ctx, args)
	case "migrate": // versioned migrations
		err = runMigrate(ctx, args, os.Stdout)
	case "token":
		err = runToken(args)
	case "catalog":
		err = runCatalog(ctx, args)
	case "replay":
		err = runReplay(ctx, args, os.Stdout)
		if errors.Is(err, errDivergent) {
			os.Exit(1)
		}
	case "verify":
		err = runVerify(args, os.Stdout)
		if errors.Is(err, errUnverified) {
			os.Exit(1)
		}
	case "calendar":
		err = runCalendar(ctx, args)
	case "bench":
		err = runBench(ctx, args)
	case "healthcheck": // container health checks
		err = runHealthcheck(ctx, args)
	case "-h", "--help", "help":
		fmt.Print(usage)
		return
	default:
		fmt.Fprintf(os.Stderr, "approvals: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err != nil {
		var ce configError
		if errors.As(err, &ce) {
			fmt.Fprintf(os.Stderr, "approvals %s: configuration: %v\n", os.Args[1], err)
			os.Exit(2)
		}
		fmt.Fprintf(os.Stderr, "approvals %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}
