package models

import (
	"errors"
	"path/filepath"
	"testing"

	"gorm.io/gorm"
)

func testDB(t *testing.T) *gorm.DB {
	t.Helper()
	db, err := Open("", filepath.Join(t.TempDir(), "db.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	if err := Migrate(db); err != nil {
		t.Fatal(err)
	}
	return db
}

func item(id, dept, share string) CatalogItem {
	return CatalogItem{ID: id, Jurisdiction: "wuhan", ProviderDept: dept, Title: "t", ShareType: share,
		ShareConditions: "履职需要", LegalBasis: "某法", OpenType: OpenNotOpen, DataItems: []string{"x"}}
}

// An import is all or none, and names the entry and field at fault.
func TestImportCatalogAllOrNone(t *testing.T) {
	db := testDB(t)
	if err := db.Create(&Department{Code: "P", Name: "P", Jurisdiction: "wuhan"}).Error; err != nil {
		t.Fatal(err)
	}
	bad := item("B", "P", ShareNotShared)
	bad.LegalBasis = ""
	err := ImportCatalog(db, []CatalogItem{item("A", "P", ShareConditional), bad})
	var v ValidationError
	if !errors.As(err, &v) || v[0].Field != "items[1].legal_basis" {
		t.Fatalf("err = %v, want a ValidationError on items[1].legal_basis", err)
	}
	var n int64
	db.Model(&CatalogItem{}).Count(&n)
	if n != 0 {
		t.Fatalf("%d items stored after a failed import", n)
	}

	err = ImportCatalog(db, []CatalogItem{item("A", "NOPE", ShareUnconditional)})
	if !errors.As(err, &v) || v[0].Field != "provider_dept" {
		t.Fatalf("unknown provider: err = %v", err)
	}
	if err := ImportCatalog(db, []CatalogItem{item("A", "P", ShareConditional), item("C", "P", ShareUnconditional)}); err != nil {
		t.Fatal(err)
	}
	if err := ImportCatalog(db, []CatalogItem{item("A", "P", ShareConditional)}); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate: err = %v, want ErrExists", err)
	}
	db.Model(&CatalogItem{}).Count(&n)
	if n != 2 {
		t.Fatalf("%d items stored, want 2", n)
	}
}
