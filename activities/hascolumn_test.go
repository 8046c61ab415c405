package activities

import (
	"path/filepath"
	"testing"

	"github.com/cityapprovals/approvals/models"
)

// hasColumn answers from the record's struct what the migrated table has.
func TestHasColumnAgreesWithTheDatabase(t *testing.T) {
	db, err := models.Open("", filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := models.Migrate(db); err != nil {
		t.Fatal(err)
	}
	for proc, newRecord := range records {
		for _, col := range []string{"due_date", "due_at", "provisional", "calendar_version", "no_such_column"} {
			rec := newRecord()
			got, err := hasColumn(db, rec, col)
			if err != nil {
				t.Fatal(err)
			}
			if want := db.Migrator().HasColumn(rec, col); got != want {
				t.Errorf("%s.%s: hasColumn %v, the database %v", proc, col, got, want)
			}
		}
	}
}
