package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/schema"
)

const migrateUsage = "usage: approvals migrate up|status [--data-dir .data] (PostgreSQL at DATABASE_URL, else the SQLite file of the data directory)"

// runMigrate applies the schema's migrations (up) or lists them (status),
// for DATABASE_URL or the SQLite database of --data-dir.
func runMigrate(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || (args[0] != "up" && args[0] != "status") {
		return errors.New(migrateUsage)
	}
	fs := flag.NewFlagSet("migrate "+args[0], flag.ContinueOnError)
	dataDir := fs.String("data-dir", ".data", "the SQLite database's directory when DATABASE_URL is unset")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errors.New(migrateUsage)
	}
	cfg, err := loadConfig(false)
	if err != nil {
		return err
	}
	db, err := models.Open(cfg.DatabaseURL, filepath.Join(*dataDir, "approvals.db"))
	if err != nil {
		return err
	}
	if sqlDB, err := db.DB(); err == nil {
		defer sqlDB.Close()
	}
	if args[0] == "up" {
		applied, err := schema.Up(ctx, db)
		if err != nil {
			return err
		}
		if len(applied) == 0 {
			fmt.Fprintln(out, "the schema is up to date")
		}
		for _, v := range applied {
			fmt.Fprintf(out, "applied migration %d\n", v)
		}
	}
	st, err := schema.Status(ctx, db)
	if err != nil {
		return err
	}
	for _, m := range st {
		state := "pending"
		if m.Applied {
			state = "applied " + m.AppliedAt
		}
		fmt.Fprintf(out, "%-6d %-45s %s\n", m.Version, m.File, state)
	}
	return nil
}
