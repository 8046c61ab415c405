package models

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// ConflictError says that an operation was made against a version of an item
// that is no longer current: another change came first. Nothing is applied.
type ConflictError struct {
	Field   string
	Message string
}

// Error names the operation at fault and the conflict.
func (e *ConflictError) Error() string { return e.Field + ": " + e.Message }

// CheckChange validates the operations of a department's catalog change
// against the catalog as it is, and returns them completed: an added item gets
// the department and its jurisdiction, a modification or deletion records the
// version it was made against (base_version) when the caller gave none. A
// fault is a ValidationError naming the operation (operations[2].item_id); a
// base_version that is no longer current is a *ConflictError.
func CheckChange(db *gorm.DB, dept Department, ops []ChangeOperation) ([]ChangeOperation, error) {
	if len(ops) == 0 {
		return nil, ValidationError{{"operations", "a change needs at least one operation"}}
	}
	out := make([]ChangeOperation, len(ops))
	seen := map[string]int{}
	for i, op := range ops {
		at := fmt.Sprintf("operations[%d].", i)
		if op.Item != nil && op.ItemID == "" {
			op.ItemID = op.Item.ID
		}
		if strings.TrimSpace(op.ItemID) == "" {
			return nil, ValidationError{{at + "item_id", "is required"}}
		}
		if j, dup := seen[op.ItemID]; dup {
			return nil, ValidationError{{at + "item_id", fmt.Sprintf("item %s is already changed by operations[%d]", op.ItemID, j)}}
		}
		seen[op.ItemID] = i
		var cur CatalogItem
		err := db.First(&cur, "id = ?", op.ItemID).Error
		exists := err == nil
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, fmt.Errorf("load catalog item %s: %w", op.ItemID, err)
		}
		switch op.Op {
		case OpAdd:
			if exists {
				return nil, ValidationError{{at + "item_id", fmt.Sprintf("item %s exists already; modify it instead", op.ItemID)}}
			}
			if op.BaseVersion != 0 {
				return nil, ValidationError{{at + "base_version", "an added item has no base version"}}
			}
		case OpModify, OpDelete:
			if !exists {
				return nil, ValidationError{{at + "item_id", fmt.Sprintf("no catalog item %s", op.ItemID)}}
			}
			if cur.ProviderDept != dept.Code {
				return nil, ValidationError{{at + "item_id", fmt.Sprintf("item %s is in the catalog of %s; a department changes only its own catalog", op.ItemID, cur.ProviderDept)}}
			}
			if op.BaseVersion == 0 {
				op.BaseVersion = cur.Version
			}
			if op.BaseVersion != cur.Version {
				return nil, &ConflictError{at + "base_version", fmt.Sprintf("item %s is at version %d, not %d: another change came first; revise against the current version", op.ItemID, cur.Version, op.BaseVersion)}
			}
		default:
			return nil, ValidationError{{at + "op", fmt.Sprintf("must be %s, %s or %s", OpAdd, OpModify, OpDelete)}}
		}
		if op.Op == OpDelete {
			if op.Item != nil {
				return nil, ValidationError{{at + "item", "a deletion carries no item"}}
			}
			out[i] = op
			continue
		}
		if op.Item == nil {
			return nil, ValidationError{{at + "item", "is required for " + op.Op}}
		}
		it := *op.Item
		if err := completeItem(&it, op.ItemID, dept, at); err != nil {
			return nil, err
		}
		if errs := it.Validate(); len(errs) > 0 {
			for j := range errs {
				errs[j].Field = at + "item." + errs[j].Field
			}
			return nil, errs
		}
		op.Item = &it
		out[i] = op
	}
	return out, nil
}

// completeItem fills an item's identity from its operation and department and
// refuses one that names another.
func completeItem(it *CatalogItem, id string, dept Department, at string) error {
	fill := func(field string, v *string, want string) error {
		if *v == "" {
			*v = want
		}
		if *v != want {
			return ValidationError{{at + "item." + field, fmt.Sprintf("is %q; it must be %q", *v, want)}}
		}
		return nil
	}
	for _, f := range []struct {
		name string
		v    *string
		want string
	}{{"id", &it.ID, id}, {"provider_dept", &it.ProviderDept, dept.Code}, {"jurisdiction", &it.Jurisdiction, dept.Jurisdiction}} {
		if err := fill(f.name, f.v, f.want); err != nil {
			return err
		}
	}
	it.Version, it.CreatedAt, it.UpdatedAt = 0, time.Time{}, time.Time{}
	return nil
}

// Restricted lists the items the operations make conditional or not shared
// (where they were not so already): such a change cites a legal basis and
// belongs to the classification procedure.
func Restricted(db *gorm.DB, ops []ChangeOperation) ([]string, error) {
	out := []string{}
	for _, op := range ops {
		if op.Item == nil || op.Item.ShareType == ShareUnconditional {
			continue
		}
		if op.Op == OpModify {
			var cur CatalogItem
			if err := db.First(&cur, "id = ?", op.ItemID).Error; err != nil {
				return nil, fmt.Errorf("load catalog item %s: %w", op.ItemID, err)
			}
			if cur.ShareType == op.Item.ShareType {
				continue
			}
		}
		out = append(out, op.ItemID)
	}
	return out, nil
}

// nextVersion is the version number the next version of an item gets: one
// more than any it had, so that an item deleted and added again keeps its
// history.
func nextVersion(tx *gorm.DB, id string) (int, error) {
	var last *int
	if err := tx.Model(&CatalogItemVersion{}).Where("item_id = ?", id).Select("MAX(version)").Scan(&last).Error; err != nil {
		return 0, fmt.Errorf("last version of %s: %w", id, err)
	}
	if last == nil {
		return 1, nil
	}
	return *last + 1, nil
}

// ApplyChange applies every operation of one round of a change in tx, or
// none: each modification and deletion only if its item is still at the
// operation's base version (else a *ConflictError), each addition only if the
// item does not exist. Every item's version is bumped and recorded with the
// change that made it. Applying the same round twice does nothing the second
// time.
func ApplyChange(tx *gorm.DB, changeID string, round int, ops []ChangeOperation, at time.Time) error {
	var done int64
	if err := tx.Model(&CatalogItemVersion{}).Where("change_id = ? AND round = ?", changeID, round).Count(&done).Error; err != nil {
		return fmt.Errorf("check whether %s round %d is applied: %w", changeID, round, err)
	}
	if done > 0 {
		return nil
	}
	at = at.UTC()
	for i, op := range ops {
		field := fmt.Sprintf("operations[%d].item_id", i)
		v, err := nextVersion(tx, op.ItemID)
		if err != nil {
			return err
		}
		rec := CatalogItemVersion{ItemID: op.ItemID, Version: v, Op: op.Op, ChangeID: changeID, Round: round, At: at}
		switch op.Op {
		case OpAdd:
			it := *op.Item
			it.Version, it.CreatedAt, it.UpdatedAt = v, at, at
			if err := tx.Create(&it).Error; err != nil {
				if errors.Is(err, gorm.ErrDuplicatedKey) {
					return &ConflictError{field, fmt.Sprintf("item %s was added by another change meanwhile", op.ItemID)}
				}
				return fmt.Errorf("add catalog item %s: %w", op.ItemID, err)
			}
			rec.Item = it
		case OpModify, OpDelete:
			var cur CatalogItem
			if err := tx.First(&cur, "id = ?", op.ItemID).Error; err != nil {
				if errors.Is(err, gorm.ErrRecordNotFound) {
					return &ConflictError{field, fmt.Sprintf("item %s was deleted by another change meanwhile", op.ItemID)}
				}
				return fmt.Errorf("load catalog item %s: %w", op.ItemID, err)
			}
			// Items stored before versions were recorded have no version rows.
			v = max(v, cur.Version+1)
			rec.Version = v
			stale := &ConflictError{field, fmt.Sprintf("item %s is at version %d, but the change was made against version %d: another change came first", op.ItemID, cur.Version, op.BaseVersion)}
			if cur.Version != op.BaseVersion {
				return stale
			}
			q := tx.Where("id = ? AND version = ?", op.ItemID, op.BaseVersion)
			var res *gorm.DB
			if op.Op == OpDelete {
				res = q.Delete(&CatalogItem{})
				rec.Item = cur
			} else {
				it := *op.Item
				it.Version, it.CreatedAt, it.UpdatedAt = v, cur.CreatedAt, at
				res = q.Select("*").Omit("created_at").Updates(&it)
				rec.Item = it
			}
			if res.Error != nil {
				return fmt.Errorf("%s catalog item %s: %w", op.Op, op.ItemID, res.Error)
			}
			if res.RowsAffected != 1 { // another change wrote the item between our read and our write
				now := "deleted"
				var again CatalogItem
				if tx.First(&again, "id = ?", op.ItemID).Error == nil {
					now = fmt.Sprintf("at version %d", again.Version)
				}
				return &ConflictError{field, fmt.Sprintf("item %s was changed by another change meanwhile (now %s), but the change was made against version %d", op.ItemID, now, op.BaseVersion)}
			}
		}
		if err := tx.Create(&rec).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return &ConflictError{field, fmt.Sprintf("item %s got version %d from another change meanwhile", op.ItemID, v)}
			}
			return fmt.Errorf("record version %d of %s: %w", v, op.ItemID, err)
		}
	}
	return nil
}
