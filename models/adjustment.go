package models

import "time"

// ProcedureAdjustment names the temporary adjustment of an item's share type
// (wuhan 第十六条, xiamen 第二十一条).
const ProcedureAdjustment = "temporary_adjustment"

// Grounds of a temporary adjustment.
const (
	GroundNationalSecurity = "national_security"
	GroundPublicInterest   = "public_interest"
	GroundEmergency        = "emergency"
)

// Temporary adjustment statuses.
const (
	AdjustmentActive    = "active"    // the item carries the temporary share type
	AdjustmentReverted  = "reverted"  // the end date passed: the item is back to its former share type
	AdjustmentEvaluated = "evaluated" // xiamen emergency data: evaluated after the emergency
	AdjustmentConflict  = "conflict"  // the item changed meanwhile: not applied or not reverted
)

// TemporaryAdjustment is a department's temporary change of one of its
// items' share type, reverted automatically at the end of EndDate (Beijing
// time) unless renewed.
type TemporaryAdjustment struct {
	Header
	CatalogItemID     string     `gorm:"index;not null" json:"catalog_item_id"`
	Dept              string     `gorm:"index;not null" json:"dept"`
	ShareType         string     `gorm:"not null" json:"share_type"`
	ShareConditions   string     `json:"share_conditions,omitempty"`
	PreviousShareType string     `json:"previous_share_type"`
	BaseVersion       int        `json:"base_version"`
	Ground            string     `gorm:"not null" json:"ground"`
	Reason            string     `json:"reason"`
	EndDate           string     `json:"end_date"`
	Renewals          int        `json:"renewals"`
	Note              string     `json:"note,omitempty"`
	SubmittedBy       string     `json:"submitted_by"`
	SubmittedAt       time.Time  `json:"submitted_at"`
	RevertedAt        *time.Time `json:"reverted_at,omitempty"`
}
