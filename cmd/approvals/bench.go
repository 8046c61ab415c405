package main

import (
	"context"
	"fmt"
	"os"

	"github.com/cityapprovals/approvals/bench"
)

// runBench runs `approvals bench SCENARIO [flags]` (package bench) with the
// configuration's Temporal server, database, namespace and payload codec.
func runBench(ctx context.Context, args []string) error {
	cfg, err := loadConfig(false)
	if err != nil {
		return err
	}
	bin, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find the approvals binary: %w", err)
	}
	_, err = bench.Run(ctx, bench.Config{Bin: bin, TemporalAddress: cfg.Temporal, DatabaseURL: cfg.DatabaseURL,
		Namespace: cfg.Namespace, Codec: cfg.Codec, Regulations: cfg.Regulations, Out: os.Stdout}, args)
	return err
}
