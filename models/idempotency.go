package models

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// IdempotencyKey is the fingerprint of the request that first used a
// procedure ID derived from an Idempotency-Key (or, for a dispute, from the
// disputed request): a retry with another body is refused, not replayed.
// Procedures filed before this table existed have no row; their retries are
// compared field by field as before.
type IdempotencyKey struct {
	ID        string `gorm:"primaryKey"` // the procedure's ID
	Hash      string `gorm:"not null"`   // hex SHA-256 of the canonical request
	CreatedAt time.Time
}

// Claim outcomes.
const (
	ClaimNew       = "new"       // this call recorded the fingerprint
	ClaimSame      = "same"      // recorded before, with the same fingerprint
	ClaimDifferent = "different" // recorded before, with another fingerprint
	ClaimLegacy    = "legacy"    // a procedure exists from before fingerprints
)

// ClaimKey records hash as the fingerprint of the procedure id, atomically:
// of concurrent first calls exactly one gets ClaimNew. exists tells whether
// the procedure's record is already there (then, without a fingerprint, it
// predates them: ClaimLegacy, and nothing is written).
func ClaimKey(db *gorm.DB, id, hash string, exists bool) (string, error) {
	var k IdempotencyKey
	err := db.First(&k, "id = ?", id).Error
	switch {
	case err == nil:
		return compareKey(k, hash), nil
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return "", fmt.Errorf("look up idempotency key %s: %w", id, err)
	case exists:
		return ClaimLegacy, nil
	}
	res := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&IdempotencyKey{ID: id, Hash: hash})
	if res.Error != nil {
		return "", fmt.Errorf("record idempotency key %s: %w", id, res.Error)
	}
	if res.RowsAffected == 1 {
		return ClaimNew, nil
	}
	if err := db.First(&k, "id = ?", id).Error; err != nil {
		return "", fmt.Errorf("look up idempotency key %s: %w", id, err)
	}
	return compareKey(k, hash), nil
}

func compareKey(k IdempotencyKey, hash string) string {
	if k.Hash == hash {
		return ClaimSame
	}
	return ClaimDifferent
}
