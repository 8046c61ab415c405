// Package schema holds the database's versioned migrations (issue 16, point
// 5): SQL files embedded in the binary, one directory per dialect
// (migrations/postgres, migrations/sqlite), applied by goose. `approvals
// migrate up` applies them, `approvals dev` applies them at start, and
// `approvals api` and `approvals worker` refuse to start on a schema that is
// behind (Check).
//
// The first migration is the schema that GORM AutoMigrate created before
// migrations existed; a database made that way has no version table and is
// recorded at version 1 without running it (baseline detection). The test in
// this package proves that the migrations build what AutoMigrate of the
// current models builds, and prints what is missing otherwise.
package schema

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/gorm"
)

//go:embed migrations
var migrations embed.FS

// VersionTable is the table in which goose records the applied migrations.
const VersionTable = "goose_db_version"

// baselineTable is a table that the baseline creates: a database that has it
// but no version table was made by AutoMigrate.
const baselineTable = "events"

// ErrBehind is wrapped by Check when migrations are pending.
var ErrBehind = errors.New("database schema is behind")

// Migration is one migration and whether the database has it.
type Migration struct {
	Version int64
	File    string // e.g. migrations/postgres/00001_baseline.sql
	Applied bool
	// AppliedAt is when it was applied (zero when pending).
	AppliedAt string
}

// dialect names the goose dialect and the directory of db's migrations.
func dialect(db *gorm.DB) (goose.Dialect, string) {
	if db.Dialector.Name() == "postgres" {
		return goose.DialectPostgres, "migrations/postgres"
	}
	return goose.DialectSQLite3, "migrations/sqlite"
}

// provider builds the goose provider for db; on PostgreSQL a session lock
// keeps two processes from migrating at once.
func provider(db *gorm.DB) (*goose.Provider, *sql.DB, error) {
	sqlDB, err := db.DB()
	if err != nil {
		return nil, nil, fmt.Errorf("database handle: %w", err)
	}
	d, dir := dialect(db)
	fsys, err := fs.Sub(migrations, dir)
	if err != nil {
		return nil, nil, fmt.Errorf("migrations %s: %w", dir, err)
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if d == goose.DialectPostgres {
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, nil, fmt.Errorf("migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(d, sqlDB, fsys, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("migrations: %w", err)
	}
	return p, sqlDB, nil
}

// Up applies every pending migration, after recording the baseline for a
// database that AutoMigrate made, and returns the versions it applied.
func Up(ctx context.Context, db *gorm.DB) ([]int64, error) {
	if err := adoptBaseline(ctx, db); err != nil {
		return nil, err
	}
	p, _, err := provider(db)
	if err != nil {
		return nil, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate up: %w", err)
	}
	applied := make([]int64, 0, len(res))
	for _, r := range res {
		applied = append(applied, r.Source.Version)
	}
	return applied, nil
}

// Status lists every migration and whether db has it. A database that
// AutoMigrate made, not yet adopted, shows every migration pending.
func Status(ctx context.Context, db *gorm.DB) ([]Migration, error) {
	p, _, err := provider(db)
	if err != nil {
		return nil, err
	}
	if ok, err := hasTable(db, VersionTable); err != nil {
		return nil, err
	} else if !ok { // goose would create its table: report without writing
		var out []Migration
		_, dir := dialect(db)
		for _, s := range p.ListSources() {
			out = append(out, Migration{Version: s.Version, File: dir + "/" + path.Base(s.Path)})
		}
		return out, nil
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	_, dir := dialect(db)
	out := make([]Migration, 0, len(st))
	for _, s := range st {
		m := Migration{Version: s.Source.Version, File: dir + "/" + path.Base(s.Source.Path), Applied: s.State == goose.StateApplied}
		if m.Applied {
			m.AppliedAt = s.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
		}
		out = append(out, m)
	}
	return out, nil
}

// Check returns an error wrapping ErrBehind, naming `approvals migrate up`,
// when db lacks a migration that this build has.
func Check(ctx context.Context, db *gorm.DB) error {
	st, err := Status(ctx, db)
	if err != nil {
		return err
	}
	var have, want int64
	pending := 0
	for _, m := range st {
		want = max(want, m.Version)
		if m.Applied {
			have = max(have, m.Version)
		} else {
			pending++
		}
	}
	if pending > 0 {
		return fmt.Errorf("%w: it is at version %d and this build needs %d (%d migrations pending); run `approvals migrate up` first (see README, Deployment)",
			ErrBehind, have, want, pending)
	}
	return nil
}

// adoptBaseline records version 1 as applied on a database that has the
// baseline's tables (made by AutoMigrate) but no version table.
func adoptBaseline(ctx context.Context, db *gorm.DB) error {
	versioned, err := hasTable(db, VersionTable)
	if err != nil || versioned {
		return err
	}
	made, err := hasTable(db, baselineTable)
	if err != nil || !made {
		return err
	}
	d, _ := dialect(db)
	store, err := database.NewStore(d, VersionTable)
	if err != nil {
		return fmt.Errorf("version table: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return fmt.Errorf("database handle: %w", err)
	}
	tx, err := sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("adopt baseline: %w", err)
	}
	defer func() { _ = tx.Rollback() }() // after Commit it does nothing
	if err := store.CreateVersionTable(ctx, tx); err != nil {
		return fmt.Errorf("adopt baseline: create %s: %w", VersionTable, err)
	}
	for _, v := range []int64{0, 1} { // goose's table starts at version 0
		if err := store.Insert(ctx, tx, database.InsertRequest{Version: v}); err != nil {
			return fmt.Errorf("adopt baseline: record version %d: %w", v, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("adopt baseline: %w", err)
	}
	return nil
}

// hasTable reports whether db's current schema has the table.
func hasTable(db *gorm.DB, table string) (bool, error) {
	var n int64
	q := "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
	if db.Dialector.Name() == "postgres" {
		q = "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?"
	}
	if err := db.Raw(q, table).Scan(&n).Error; err != nil {
		return false, fmt.Errorf("look for table %s: %w", table, err)
	}
	return n > 0, nil
}
