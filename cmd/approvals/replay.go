package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/cityapprovals/approvals/archive"
	"github.com/cityapprovals/approvals/codec"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/rs/zerolog"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
)

// errDivergent makes `approvals replay` exit non-zero after it has printed
// the divergence.
var errDivergent = errors.New("history and code diverge")

// runReplay replays one history, from a file or from Temporal, on the current
// workflow code and prints "consistent" or where they diverge.
func runReplay(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	wfID := fs.String("workflow-id", "", "replay this workflow's history, read from Temporal (TEMPORAL_ADDRESS), or from the archive once Temporal no longer has it")
	file := fs.String("history", "", "replay a JSON history file (as exported by the API or `temporal workflow show -o json`)")
	dataDir := fs.String("data-dir", ".data", "dev data directory: its codec key when APPROVALS_CODEC_KEYS is unset, its archive when DATABASE_URL is unset")
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
	from := *file
	if *file != "" {
		h, err = readHistoryFile(*file)
	} else {
		h, from, err = fetchHistory(ctx, cfg, cd, *wfID, filepath.Join(*dataDir, "approvals.db"))
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
	fmt.Fprintf(out, "consistent: %d events (%s) replay on the current workflow code\n", len(h.GetEvents()), from)
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

// fetchHistory reads a workflow's whole history from Temporal, or from the
// archive (DATABASE_URL, else the dev SQLite file) when Temporal no longer
// has it; it says which.
func fetchHistory(ctx context.Context, cfg config, cd *codec.Codec, id, sqlitePath string) (*historypb.History, string, error) {
	addr := cfg.Temporal
	if addr == "" {
		addr = "127.0.0.1:7233"
	}
	tc, err := dialTemporal(ctx, addr, cfg.Namespace, cd, zerolog.Nop())
	if err != nil {
		return nil, "", err
	}
	defer tc.Close()
	h, err := workflows.FetchHistory(ctx, tc, id)
	var nf *serviceerror.NotFound
	if !errors.As(err, &nf) {
		return h, "temporal", err
	}
	if cfg.DatabaseURL == "" {
		if _, serr := os.Stat(sqlitePath); serr != nil {
			return nil, "", fmt.Errorf("%w (and no archive: set DATABASE_URL or --data-dir)", err)
		}
	}
	db, derr := models.Open(cfg.DatabaseURL, sqlitePath)
	if derr != nil {
		return nil, "", derr
	}
	_, b, aerr := archive.DB{DB: db}.Get(ctx, id)
	if errors.Is(aerr, models.ErrNotArchived) {
		return nil, "", fmt.Errorf("%w, nor in the archive", err)
	}
	if aerr != nil {
		return nil, "", aerr
	}
	h, err = workflows.ReadHistoryJSON(bytes.NewReader(b))
	return h, "archive", err
}
