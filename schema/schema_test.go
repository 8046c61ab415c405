package schema_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/schema"
	"github.com/cityapprovals/approvals/workflows"
	"gorm.io/gorm"
)

// dialects opens fresh databases: SQLite always, PostgreSQL (a schema of
// its own in DATABASE_URL or the local test database) when reachable.
type opener func(t *testing.T, name string) *gorm.DB

func dialects(t *testing.T) map[string]opener {
	out := map[string]opener{"sqlite": func(t *testing.T, name string) *gorm.DB {
		db, err := models.Open("", filepath.Join(t.TempDir(), name+".db"))
		if err != nil {
			t.Fatal(err)
		}
		return db
	}}
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	admin, err := models.Open(url, "")
	if err == nil {
		err = admin.Exec("SELECT 1").Error
	}
	if err != nil {
		if os.Getenv("REQUIRE_POSTGRES") == "1" {
			t.Fatalf("REQUIRE_POSTGRES=1 but PostgreSQL is unreachable: %v", err)
		}
		t.Logf("PostgreSQL unreachable (%v): SQLite only", err)
		return out
	}
	out["postgres"] = func(t *testing.T, name string) *gorm.DB {
		s := fmt.Sprintf("schema_%s_%d_%d", name, os.Getpid(), time.Now().UnixNano())
		if err := admin.Exec("CREATE SCHEMA " + s).Error; err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { admin.Exec("DROP SCHEMA " + s + " CASCADE") })
		sep := "?"
		if strings.Contains(url, "?") {
			sep = "&"
		}
		db, err := models.Open(url+sep+"search_path="+s, "")
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	return out
}

func describe(t *testing.T, db *gorm.DB) []string {
	t.Helper()
	lines, err := schema.Describe(db)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) == 0 {
		t.Fatal("described an empty schema")
	}
	return lines
}

// TestMigrationsBuildTheModelsSchema: the migrations build exactly what
// AutoMigrate of the current models builds (tables, columns with their
// types, nullability and defaults, primary keys and indexes). A model
// changed without a migration fails here with the pieces to add.
func TestMigrationsBuildTheModelsSchema(t *testing.T) {
	for name, open := range dialects(t) {
		t.Run(name, func(t *testing.T) {
			auto := open(t, "auto")
			if err := models.Migrate(auto, workflows.RecordModels()...); err != nil {
				t.Fatal(err)
			}
			migrated := open(t, "migrated")
			if _, err := schema.Up(context.Background(), migrated); err != nil {
				t.Fatal(err)
			}
			want, got := describe(t, auto), describe(t, migrated)
			if d := schema.Diff(want, got); d != "" {
				t.Fatalf("the migrations in schema/migrations/%s do not build what AutoMigrate of the models builds; "+
					"write a migration NNNNN_what.sql in each of schema/migrations/postgres and schema/migrations/sqlite:\n%s"+
					"a draft of its %s statements (check them):\n%s", name, d, name, schema.Suggest(name, want, got))
			}
		})
	}
}

// TestDiffNamesThePieces: Diff reports a missing and an extra piece as lines.
func TestDiffNamesThePieces(t *testing.T) {
	want := []string{"column tasks.a text NULL", "table tasks"}
	got := []string{"column tasks.b text NULL", "table tasks"}
	d := schema.Diff(want, got)
	if !strings.Contains(d, "missing (add it in a new migration): column tasks.a text NULL") ||
		!strings.Contains(d, "extra (the models no longer have it): column tasks.b text NULL") {
		t.Fatalf("Diff:\n%s", d)
	}
	if schema.Diff(want, want) != "" {
		t.Fatal("equal schemas differ")
	}
	// Drafts: a new table with its key and index, a new column, a dropped one.
	want = []string{"column events.note text NULL", "column holds.id text NOT NULL", "column holds.n bigint NOT NULL DEFAULT 0",
		"index holds idx_holds_n btree (n)", "index holds unique holds_pkey btree (id)", "table events", "table holds"}
	got = []string{"column events.old text NULL", "table events"}
	sql := schema.Suggest("postgres", want, got)
	for _, s := range []string{"CREATE TABLE holds (\n    id text NOT NULL,\n    n bigint NOT NULL DEFAULT 0,\n    PRIMARY KEY (id)\n);",
		"CREATE INDEX idx_holds_n ON holds USING btree (n);", "ALTER TABLE events ADD COLUMN note text;", "ALTER TABLE events DROP COLUMN old;"} {
		if !strings.Contains(sql, s) {
			t.Errorf("draft lacks %q:\n%s", s, sql)
		}
	}
}

// baselineSQL is the first migration's statements: the schema as the
// AutoMigrate of the release before migrations created it (that it is
// exactly that, TestMigrationsBuildTheModelsSchema proves while the baseline
// is the only migration; the file never changes after).
func baselineSQL(t *testing.T, dialect string) string {
	b, err := os.ReadFile(filepath.Join("migrations", dialect, "00001_baseline.sql"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	return s[strings.Index(s, "-- +goose Up")+len("-- +goose Up"):]
}

// TestAutoMigratedDatabaseUpgrades: a database made by AutoMigrate before
// migrations (no version table, rows in it) is recognised, recorded at the
// baseline without running it, brought to the latest version, keeps its
// rows, and ends with the schema of a database built by the migrations.
func TestAutoMigratedDatabaseUpgrades(t *testing.T) {
	ctx := context.Background()
	for name, open := range dialects(t) {
		t.Run(name, func(t *testing.T) {
			old := open(t, "old")
			if err := old.Exec(baselineSQL(t, name)).Error; err != nil {
				t.Fatal(err)
			}
			if err := old.Create(&models.Department{Code: "WH-RS", Name: "人社局", Jurisdiction: "wuhan"}).Error; err != nil {
				t.Fatal(err)
			}
			if err := old.Create(&models.Event{ID: "e1", ProcedureID: "p1", At: time.Now(), Kind: "filed"}).Error; err != nil {
				t.Fatal(err)
			}
			err := schema.Check(ctx, old)
			if !errors.Is(err, schema.ErrBehind) || !strings.Contains(err.Error(), "approvals migrate up") {
				t.Fatalf("Check on an AutoMigrate database: %v", err)
			}
			if _, err := schema.Up(ctx, old); err != nil {
				t.Fatalf("upgrade: %v", err)
			}
			if err := schema.Check(ctx, old); err != nil {
				t.Fatal(err)
			}
			st, err := schema.Status(ctx, old)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range st {
				if !m.Applied {
					t.Errorf("%s pending after up", m.File)
				}
			}
			var d models.Department
			if err := old.First(&d, "code = ?", "WH-RS").Error; err != nil || d.Name != "人社局" {
				t.Fatalf("department after upgrade: %+v %v", d, err)
			}
			var e models.Event
			if err := old.First(&e, "id = ?", "e1").Error; err != nil || e.Seq != 1 || e.Hash == "" {
				t.Fatalf("event after upgrade: %+v %v", e, err)
			}
			fresh := open(t, "fresh")
			if _, err := schema.Up(ctx, fresh); err != nil {
				t.Fatal(err)
			}
			if d := schema.Diff(describe(t, fresh), describe(t, old)); d != "" {
				t.Fatalf("the upgraded database differs from one built by the migrations:\n%s", d)
			}
		})
	}
}

// TestFreshDatabase: an empty database is behind; up applies every
// migration once, and a second up applies nothing.
func TestFreshDatabase(t *testing.T) {
	ctx := context.Background()
	for name, open := range dialects(t) {
		t.Run(name, func(t *testing.T) {
			db := open(t, "fresh")
			if err := schema.Check(ctx, db); !errors.Is(err, schema.ErrBehind) {
				t.Fatalf("Check on an empty database: %v", err)
			}
			st, err := schema.Status(ctx, db)
			if err != nil || len(st) == 0 || st[0].Applied {
				t.Fatalf("status of an empty database: %+v %v", st, err)
			}
			applied, err := schema.Up(ctx, db)
			if err != nil || len(applied) != len(st) {
				t.Fatalf("up applied %v of %d: %v", applied, len(st), err)
			}
			if again, err := schema.Up(ctx, db); err != nil || len(again) != 0 {
				t.Fatalf("second up applied %v: %v", again, err)
			}
			if err := schema.Check(ctx, db); err != nil {
				t.Fatal(err)
			}
		})
	}
}
