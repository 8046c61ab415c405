package models

import (
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"
)

// CheckChange names the operation at fault; ApplyChange applies all or
// nothing, once per round, and keeps an item's versions across a deletion.
func TestCheckAndApplyChange(t *testing.T) {
	db := testDB(t)
	for _, d := range []string{"P", "Q"} {
		if err := db.Create(&Department{Code: d, Name: d, Jurisdiction: "wuhan"}).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := ImportCatalog(db, []CatalogItem{item("A", "P", ShareUnconditional), item("Q1", "Q", ShareUnconditional)}); err != nil {
		t.Fatal(err)
	}
	p := Department{Code: "P", Jurisdiction: "wuhan"}
	mod := func(title, share string) *CatalogItem {
		it := item("", "", share)
		it.Jurisdiction, it.Title = "", title
		return &it
	}
	noBasis := mod("x", ShareNotShared)
	noBasis.LegalBasis = ""
	bad := []struct {
		ops   []ChangeOperation
		field string
	}{
		{nil, "operations"},
		{[]ChangeOperation{{Op: OpDelete, ItemID: "Q1"}}, "operations[0].item_id"},
		{[]ChangeOperation{{Op: OpAdd, ItemID: "N", Item: mod("n", ShareUnconditional)}, {Op: OpDelete, ItemID: "NOPE"}}, "operations[1].item_id"},
		{[]ChangeOperation{{Op: OpAdd, ItemID: "A", Item: mod("n", ShareUnconditional)}}, "operations[0].item_id"},
		{[]ChangeOperation{{Op: OpModify, ItemID: "A", Item: noBasis}}, "operations[0].item.legal_basis"},
		{[]ChangeOperation{{Op: OpModify, ItemID: "A"}}, "operations[0].item"},
		{[]ChangeOperation{{Op: OpDelete, ItemID: "A"}, {Op: OpModify, ItemID: "A", Item: mod("n", ShareUnconditional)}}, "operations[1].item_id"},
	}
	for _, b := range bad {
		_, err := CheckChange(db, p, b.ops)
		var v ValidationError
		if !errors.As(err, &v) || v[0].Field != b.field {
			t.Errorf("%v: err = %v, want a ValidationError on %s", b.ops, err, b.field)
		}
	}
	_, err := CheckChange(db, p, []ChangeOperation{{Op: OpModify, ItemID: "A", BaseVersion: 3, Item: mod("n", ShareUnconditional)}})
	var c *ConflictError
	if !errors.As(err, &c) || c.Field != "operations[0].base_version" {
		t.Fatalf("stale base version: err = %v", err)
	}

	ops, err := CheckChange(db, p, []ChangeOperation{{Op: OpModify, ItemID: "A", Item: mod("改", ShareConditional)}, {Op: OpAdd, ItemID: "N", Item: mod("新", ShareUnconditional)}})
	if err != nil {
		t.Fatal(err)
	}
	if ops[0].BaseVersion != 1 || ops[0].Item.ProviderDept != "P" || ops[1].Item.ID != "N" {
		t.Fatalf("operations not completed: %+v", ops)
	}
	if r, err := Restricted(db, ops); err != nil || len(r) != 1 || r[0] != "A" {
		t.Fatalf("restricted = %v, %v; want [A]", r, err)
	}
	at := time.Date(2026, 1, 5, 2, 0, 0, 0, time.UTC)
	for range 2 { // a retried activity applies once
		if err := ApplyChange(db, "C1", 1, ops, at); err != nil {
			t.Fatal(err)
		}
	}
	var a CatalogItem
	db.First(&a, "id = ?", "A")
	if a.Version != 2 || a.Title != "改" || a.ShareType != ShareConditional {
		t.Fatalf("A after the change: %+v", a)
	}
	// A change made against version 1 applies nothing now, not even its addition.
	late := []ChangeOperation{{Op: OpAdd, ItemID: "M", Item: &CatalogItem{ID: "M", Jurisdiction: "wuhan", ProviderDept: "P", Title: "m", ShareType: ShareUnconditional, OpenType: OpenNotOpen, DataItems: []string{"x"}}},
		{Op: OpDelete, ItemID: "A", BaseVersion: 1}}
	if err := db.Transaction(func(tx *gorm.DB) error { return ApplyChange(tx, "C2", 1, late, at) }); !errors.As(err, &c) || c.Field != "operations[1].item_id" {
		t.Fatalf("late change: err = %v, want a conflict on operations[1].item_id", err)
	}
	var n int64
	db.Model(&CatalogItem{}).Where("id = ?", "M").Count(&n)
	if n != 0 {
		t.Fatal("a conflicting change applied its addition")
	}
	// Deleted, then added again: the versions go on.
	if err := ApplyChange(db, "C3", 1, []ChangeOperation{{Op: OpDelete, ItemID: "A", BaseVersion: 2}}, at); err != nil {
		t.Fatal(err)
	}
	readd := []ChangeOperation{{Op: OpAdd, ItemID: "A", Item: &CatalogItem{ID: "A", Jurisdiction: "wuhan", ProviderDept: "P", Title: "again", ShareType: ShareUnconditional, OpenType: OpenNotOpen, DataItems: []string{"x"}}}}
	if err := ApplyChange(db, "C4", 1, readd, at); err != nil {
		t.Fatal(err)
	}
	var vs []CatalogItemVersion
	db.Order("version").Find(&vs, "item_id = ?", "A")
	got := ""
	for _, v := range vs {
		got += v.Op + ":" + v.ChangeID + " "
	}
	if got != "import: modify:C1 delete:C3 add:C4 " || vs[3].Version != 4 {
		t.Fatalf("versions of A: %s", got)
	}
}
