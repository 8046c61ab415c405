package models

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cityapprovals/approvals/bounds"
	"gorm.io/gorm"
)

// FieldError names one field of an input and what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError lists what is wrong with an input.
type ValidationError []FieldError

func (v ValidationError) Error() string {
	parts := make([]string, len(v))
	for i, f := range v {
		parts[i] = f.Field + ": " + f.Message
	}
	return strings.Join(parts, "; ")
}

// ErrExists says that a record with the same key exists already.
var ErrExists = errors.New("already exists")

func oneOf(v string, allowed ...string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

// Validate checks a catalog entry on its own: required fields, known types,
// and the legal basis that conditional and not-shared data must cite
// (weifang 第十九条, xiamen 第十五条, leshan 第十四条).
func (it *CatalogItem) Validate() ValidationError {
	var v ValidationError
	req := func(field, val string) {
		if strings.TrimSpace(val) == "" {
			v = append(v, FieldError{field, "is required"})
		}
	}
	req("id", it.ID)
	req("jurisdiction", it.Jurisdiction)
	req("provider_dept", it.ProviderDept)
	req("title", it.Title)
	if !oneOf(it.ShareType, ShareUnconditional, ShareConditional, ShareNotShared) {
		v = append(v, FieldError{"share_type", fmt.Sprintf("must be %s, %s or %s", ShareUnconditional, ShareConditional, ShareNotShared)})
	}
	if !oneOf(it.OpenType, OpenUnconditional, OpenConditional, OpenNotOpen) {
		v = append(v, FieldError{"open_type", fmt.Sprintf("must be %s, %s or %s", OpenUnconditional, OpenConditional, OpenNotOpen)})
	}
	if (it.ShareType == ShareConditional || it.ShareType == ShareNotShared) && strings.TrimSpace(it.LegalBasis) == "" {
		v = append(v, FieldError{"legal_basis", "conditional and not-shared data must cite their legal basis"})
	}
	if it.ShareType == ShareConditional && strings.TrimSpace(it.ShareConditions) == "" {
		v = append(v, FieldError{"share_conditions", "conditional data must state its application conditions"})
	}
	if len(it.DataItems) == 0 {
		v = append(v, FieldError{"data_items", "at least one data item is required"})
	}
	// The bounds of every field, as the API checks them (an imported
	// catalog does not pass through the API).
	for _, f := range []struct{ field, kind, value string }{
		{"id", bounds.KindID, it.ID}, {"jurisdiction", bounds.KindID, it.Jurisdiction}, {"provider_dept", bounds.KindID, it.ProviderDept},
		{"title", bounds.KindName, it.Title}, {"share_conditions", bounds.KindText, it.ShareConditions}, {"legal_basis", bounds.KindText, it.LegalBasis},
	} {
		if e := bounds.Field(f.field, f.kind, f.value); e != nil {
			v = append(v, FieldError{e.Field, e.Message})
		}
	}
	if msg := bounds.Count(len(it.DataItems), bounds.MaxDataItems); msg != "" {
		v = append(v, FieldError{"data_items", msg})
	} else {
		for i, d := range it.DataItems {
			if e := bounds.Field(fmt.Sprintf("data_items[%d]", i), bounds.KindName, d); e != nil {
				v = append(v, FieldError{e.Field, e.Message})
			}
		}
	}
	return v
}

// ImportCatalog validates and stores catalog entries in one transaction: all
// or none. Each entry's provider must be a registered department of the same
// jurisdiction. Each entry's first version is recorded (op import).
func ImportCatalog(db *gorm.DB, items []CatalogItem) error {
	return db.Transaction(func(tx *gorm.DB) error {
		for i := range items {
			it := &items[i]
			prefix := fmt.Sprintf("items[%d].", i)
			if len(items) == 1 {
				prefix = ""
			}
			if err := checkCatalogItem(tx, it, prefix); err != nil {
				return err
			}
			v, err := nextVersion(tx, it.ID)
			if err != nil {
				return err
			}
			it.Version = v
			if err := tx.Create(it).Error; err != nil {
				if errors.Is(err, gorm.ErrDuplicatedKey) {
					return fmt.Errorf("catalog item %s: %w", it.ID, ErrExists)
				}
				return fmt.Errorf("store catalog item %s: %w", it.ID, err)
			}
			if err := tx.Create(&CatalogItemVersion{ItemID: it.ID, Version: v, Op: "import", Item: *it, At: it.CreatedAt}).Error; err != nil {
				return fmt.Errorf("record version %d of %s: %w", v, it.ID, err)
			}
		}
		return nil
	})
}

// CheckCatalog checks every entry as ImportCatalog does, and also that its
// ID is new and not repeated in items, without storing anything: the
// errors of every entry at fault, named items[i].field (nil when all may be
// imported), so that an import can be reported row by row.
func CheckCatalog(db *gorm.DB, items []CatalogItem) (ValidationError, error) {
	var all ValidationError
	seen := map[string]int{}
	for i := range items {
		prefix := fmt.Sprintf("items[%d].", i)
		err := checkCatalogItem(db, &items[i], prefix)
		var v ValidationError
		switch {
		case errors.As(err, &v):
			all = append(all, v...)
			continue
		case err != nil:
			return nil, err
		}
		if j, ok := seen[items[i].ID]; ok {
			all = append(all, FieldError{prefix + "id", fmt.Sprintf("repeats items[%d].id", j)})
			continue
		}
		seen[items[i].ID] = i
		var n int64
		if err := db.Model(&CatalogItem{}).Where("id = ?", items[i].ID).Count(&n).Error; err != nil {
			return nil, fmt.Errorf("look catalog item %s up: %w", items[i].ID, err)
		}
		if n > 0 {
			all = append(all, FieldError{prefix + "id", fmt.Sprintf("catalog item %s %s", items[i].ID, ErrExists)})
		}
	}
	return all, nil
}

// checkCatalogItem checks one entry on its own (Validate) and its provider:
// a registered department of the same jurisdiction. Fields are named with
// prefix.
func checkCatalogItem(tx *gorm.DB, it *CatalogItem, prefix string) error {
	if errs := it.Validate(); len(errs) > 0 {
		for j := range errs {
			errs[j].Field = prefix + errs[j].Field
		}
		return errs
	}
	var d Department
	if err := tx.First(&d, "code = ?", it.ProviderDept).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ValidationError{{prefix + "provider_dept", fmt.Sprintf("department %q is not registered", it.ProviderDept)}}
		}
		return fmt.Errorf("load department %s: %w", it.ProviderDept, err)
	}
	if d.Jurisdiction != it.Jurisdiction {
		return ValidationError{{prefix + "jurisdiction", fmt.Sprintf("department %s belongs to %s, not %s", d.Code, d.Jurisdiction, it.Jurisdiction)}}
	}
	return nil
}
