package models

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Open connects to PostgreSQL when url is set (postgres://...), and otherwise
// to an embedded SQLite file at sqlitePath, creating its directory.
func Open(url, sqlitePath string) (*gorm.DB, error) {
	cfg := &gorm.Config{Logger: logger.Default.LogMode(logger.Silent), TranslateError: true}
	if url != "" {
		if !strings.HasPrefix(url, "postgres://") && !strings.HasPrefix(url, "postgresql://") {
			return nil, fmt.Errorf("DATABASE_URL must be a postgres:// URL")
		}
		db, err := gorm.Open(postgres.Open(url), cfg)
		if err != nil {
			return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
		}
		return db, nil
	}
	if err := os.MkdirAll(filepath.Dir(sqlitePath), 0o755); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	db, err := gorm.Open(sqlite.Open(sqlitePath+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)"), cfg)
	if err != nil {
		return nil, fmt.Errorf("open SQLite %s: %w", sqlitePath, err)
	}
	return db, nil
}

// Migrate creates or updates the tables by GORM AutoMigrate of the models:
// All, and the procedures' records given (workflows.RecordModels, or the
// few a package's test needs).
// Processes no longer call it: their schema comes from the versioned
// migrations (package schema, `approvals migrate up`). It stays for the test
// that compares the migrations with the models and for the packages' unit
// tests, which build a database from the models.
// On PostgreSQL an advisory lock keeps two callers from migrating at once.
func Migrate(db *gorm.DB, records ...any) error {
	if !IsPostgres(db) {
		if err := migrate(db, records); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		return nil
	}
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(727001)").Error; err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		return migrate(tx, records)
	})
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// migrate creates the tables, chains the events stored before the event
// chain existed, then adds the index that keeps the chains from forking.
func migrate(tx *gorm.DB, records []any) error {
	if err := tx.AutoMigrate(append(append([]any{}, records...), All()...)...); err != nil {
		return err
	}
	if err := backfillChain(tx); err != nil {
		return err
	}
	if err := tx.Exec(chainIndex).Error; err != nil {
		return fmt.Errorf("event chain index: %w", err)
	}
	for _, ix := range inboxIndexes {
		// Looked up first: CREATE INDEX IF NOT EXISTS locks the table even
		// when the index exists, and with the events table locked above a
		// running activity writing a task and then an event deadlocked
		// with a restarting process's migration.
		if tx.Migrator().HasIndex(&Task{}, ix.name) {
			continue
		}
		if err := tx.Exec("CREATE INDEX IF NOT EXISTS " + ix.name + " ON tasks (" + ix.columns + ")").Error; err != nil {
			return fmt.Errorf("inbox index %s: %w", ix.name, err)
		}
	}
	return nil
}

// inboxIndexes serve the inbox's two query shapes (api/tasks.go: a
// department's tasks, or a role's in a jurisdiction, of one status, in due
// order) from the index alone: with 100,000 open tasks in one inbox the
// first page took 170 ms as a scan and sort of the table, and takes 0.1 ms
// so (README Benchmarks).
var inboxIndexes = []struct{ name, columns string }{
	{"idx_tasks_inbox_dept", "assignee_role, assignee_dept, status, due_at, id"},
	{"idx_tasks_inbox_role", "assignee_role, jurisdiction, status, due_at, id"},
}

// IsPostgres reports whether db talks to PostgreSQL.
func IsPostgres(db *gorm.DB) bool { return db.Dialector.Name() == "postgres" }
