package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"

	"github.com/cityapprovals/approvals/api"
	"github.com/cityapprovals/approvals/devserver"
	"github.com/cityapprovals/approvals/workflows"
)

func runDev(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "address of the HTTP API")
	dataDir := fs.String("data-dir", ".data", "directory for the SQLite database and the Temporal dev server's state")
	tport := fs.Int("temporal-port", 7233, "port of the Temporal dev server started when TEMPORAL_ADDRESS is unset")
	uiport := fs.Int("temporal-ui-port", 8233, "port of its web UI (0: none)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(false)
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel, true)

	temporalAddr := cfg.Temporal
	if temporalAddr == "" {
		ts, err := devserver.Start(ctx, devserver.Options{
			DBFile: filepath.Join(*dataDir, "temporal.db"), Port: *tport, UIPort: *uiport,
			LogFile: filepath.Join(*dataDir, "temporal.log"), SearchAttributes: workflows.SearchAttributes,
			Namespace: cfg.Namespace,
		})
		if err != nil {
			return fmt.Errorf("start Temporal dev server (or set TEMPORAL_ADDRESS): %w", err)
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
	db, err := openDB(cfg.DatabaseURL, filepath.Join(*dataDir, "approvals.db"))
	if err != nil {
		return err
	}
	tc, err := dialTemporal(ctx, temporalAddr, cfg.Namespace, log)
	if err != nil {
		return err
	}
	defer tc.Close()
	w, err := newWorker(ctx, tc, cfg, db)
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

	err = serveHTTP(ctx, *addr, newServer(db, tc, cfg, log))
	log.Info().Msg("stopping")
	return err
}
