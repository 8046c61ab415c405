package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/cityapprovals/approvals/codec"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/rs/zerolog"
	historypb "go.temporal.io/api/history/v1"
)

// errDivergent makes `approvals replay` exit non-zero after it has printed
// the divergence.
var errDivergent = errors.New("history and code diverge")

// runReplay replays one history, from a file or from Temporal, on the current
// workflow code and prints "consistent" or where they diverge.
func runReplay(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	wfID := fs.String("workflow-id", "", "replay this workflow's history, read from Temporal (TEMPORAL_ADDRESS)")
	file := fs.String("history", "", "replay a JSON history file (as exported by the API or `temporal workflow show -o json`)")
	dataDir := fs.String("data-dir", ".data", "dev data directory, for its codec key when APPROVALS_CODEC_KEYS is unset")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*wfID == "") == (*file == "") || fs.NArg() > 0 {
		return fmt.Errorf("usage: approvals replay [--data-dir .data] --workflow-id ID | --history FILE")
	}
	cfg, err := loadConfig(false)
	if err != nil {
		return err
	}
	cd, err := cfg.devCodec(*dataDir, false)
	if err != nil {
		return err
	}
	var h *historypb.History
	if *file != "" {
		h, err = readHistoryFile(*file)
	} else {
		h, err = fetchHistory(ctx, cfg, cd, *wfID)
	}
	if err != nil {
		return err
	}
	// Encrypted payloads are decrypted with the configured keys (a history
	// written before the codec has none and passes unchanged).
	if err := codec.DecodeHistory(ctx, cd, h); err != nil {
		return err
	}
	if err := workflows.Replay(h); err != nil {
		fmt.Fprintf(out, "divergent: %v\n", err)
		return errDivergent
	}
	fmt.Fprintf(out, "consistent: %d events replay on the current workflow code\n", len(h.GetEvents()))
	return nil
}

func readHistoryFile(path string) (*historypb.History, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	h, err := workflows.ReadHistoryJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return h, nil
}

// fetchHistory reads a workflow's whole history from Temporal.
func fetchHistory(ctx context.Context, cfg config, cd *codec.Codec, id string) (*historypb.History, error) {
	addr := cfg.Temporal
	if addr == "" {
		addr = "127.0.0.1:7233"
	}
	tc, err := dialTemporal(ctx, addr, cfg.Namespace, cd, zerolog.Nop())
	if err != nil {
		return nil, err
	}
	defer tc.Close()
	return workflows.FetchHistory(ctx, tc, id)
}
