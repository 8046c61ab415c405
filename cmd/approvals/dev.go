package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"path/filepath"

	"github.com/cityapprovals/approvals/api"
	"github.com/cityapprovals/approvals/audit"
	"github.com/cityapprovals/approvals/devserver"
	"github.com/cityapprovals/approvals/workflows"
)

func runDev(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "address of the HTTP API")
	dataDir := fs.String("data-dir", ".data", "directory for the SQLite database and the Temporal dev server's state")
	tport := fs.Int("temporal-port", 7233, "port of the Temporal dev server started when TEMPORAL_ADDRESS is unset")
	uiport := fs.Int("temporal-ui-port", -1, "port of its web UI (default: --temporal-port + 1000; 0: none)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *uiport < 0 {
		*uiport = *tport + 1000
	}
	cfg, err := loadConfig(false)
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel, true)
	if cfg.SigningKey == nil { // a key of its own, kept in the data directory
		k, err := devKey(*dataDir, "signing.key", audit.NewSigningKey)
		if err != nil {
			return err
		}
		if cfg.SigningKey, err = audit.ParseSigningKey(k); err != nil {
			return fmt.Errorf("%s: %w", filepath.Join(*dataDir, "signing.key"), err)
		}
	}

	// The API's address first: a busy one stops dev before anything starts.
	ln, err := listen(*addr, "--addr, or make run ADDR=host:port")
	if err != nil {
		return err
	}
	defer ln.Close()

	temporalAddr := cfg.Temporal
	if temporalAddr == "" {
		ts, err := devserver.Start(ctx, devserver.Options{
			DBFile: filepath.Join(*dataDir, "temporal.db"), Port: *tport, UIPort: *uiport,
			LogFile: filepath.Join(*dataDir, "temporal.log"), SearchAttributes: workflows.SearchAttributes,
			Namespace: cfg.Namespace,
		})
		if err != nil {
			return devStartError(err)
		}
		defer func() { ts.Stop(); log.Info().Msg("Temporal dev server stopped") }()
		temporalAddr = ts.Address
		log.Info().Str("address", ts.Address).Str("ui", "http://"+ts.UIAddress).
			Str("state", filepath.Join(*dataDir, "temporal.db")).Msg("started Temporal dev server")
	}
	dbDesc := cfg.DatabaseURL
	if dbDesc == "" {
		dbDesc = "SQLite " + filepath.Join(*dataDir, "approvals.db")
	} else {
		dbDesc = "PostgreSQL (DATABASE_URL)"
	}
	db, err := openDB(ctx, cfg, filepath.Join(*dataDir, "approvals.db"), true, log)
	if err != nil {
		return err
	}
	if cfg.Codec, err = cfg.devCodec(*dataDir, true); err != nil { // a key of its own, in the data directory
		return err
	}
	log.Info().Str("signing_key_id", audit.KeyInfo(cfg.SigningKey.Public().(ed25519.PublicKey)).KeyID).
		Str("codec_key_id", cfg.Codec.Current()).Msg("exports are signed and Temporal payloads encrypted (keys in the data directory unless set by environment)")
	tc, err := dialTemporal(ctx, temporalAddr, cfg.Namespace, cfg.Codec, log)
	if err != nil {
		return err
	}
	defer tc.Close()
	w, err := newWorker(ctx, tc, cfg, db, log)
	if err != nil {
		return err
	}
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	defer w.Stop()
	log.Info().Str("database", dbDesc).Str("api", "http://"+*addr).Msg("worker and API running; Ctrl-C stops everything")
	secretNote := "the development secret"
	if cfg.Secret != "" && cfg.Secret != api.DevSecret {
		secretNote = "APPROVALS_JWT_SECRET"
	}
	fmt.Printf("\nGet a token (signed with %s):\n  bin/approvals token --subject admin1 --role admin\n  curl -H \"Authorization: Bearer $TOKEN\" http://%s/api/v1/departments\n\n", secretNote, *addr)

	if seeded, err := seedDemo(db, cfg.Regulations.Cities()); err != nil {
		return err
	} else if seeded {
		log.Info().Msg("seeded a demo catalog and departments for the console")
	}
	fmt.Printf("Console: open http://%s/ and sign in (development sign-in, e.g. as 审核员 of wuhan)\n\n", *addr)
	srv := newServer(db, tc, cfg, log)
	srv.DevLogin = true // the development sign-in, never in `approvals api`
	err = serveOn(ctx, ln, srv)
	log.Info().Msg("stopping")
	return err
}

// devStartError explains why dev's own Temporal server did not start, naming
// the flag that moves a taken port. dev never uses a server it did not start
// unless TEMPORAL_ADDRESS names it.
func devStartError(err error) error {
	var busy *devserver.PortInUseError
	if errors.As(err, &busy) {
		if busy.What != "frontend" {
			return fmt.Errorf("cannot start the Temporal dev server: %w.\nMove it with --temporal-ui-port N (make run TEMPORAL_UI_PORT=N), or 0 for no UI", err)
		}
		return fmt.Errorf("cannot start the Temporal dev server: %w.\nMove it with --temporal-port N (make run TEMPORAL_PORT=N; its web UI then defaults to N+1000), or set TEMPORAL_ADDRESS=127.0.0.1:%d to use the server already there", err, busy.Port)
	}
	return fmt.Errorf("start the Temporal dev server (or set TEMPORAL_ADDRESS to use another): %w", err)
}
