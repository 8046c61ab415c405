package models

import "time"

// ProcedureOpenConversion names the conversion of qualifying data to a wider
// open type (weifang 第二十四条第二款), decided by the authority.
const ProcedureOpenConversion = "open_conversion"

// Open conversion statuses.
const (
	ConversionPending  = "pending"
	ConversionApplied  = "applied"  // the item carries the new open type
	ConversionConflict = "conflict" // the item changed meanwhile: nothing applied
)

// OpenConversion is the authority's decision that an item qualifies for a
// wider open type (具备或数据脱敏后具备无条件开放属性), citing the decision,
// and its application to the catalog.
type OpenConversion struct {
	Header
	CatalogItemID string `gorm:"index;not null" json:"catalog_item_id"`
	// Dept is the department that holds the item.
	Dept         string `gorm:"index;not null" json:"dept"`
	FromOpenType string `gorm:"not null" json:"from_open_type"`
	ToOpenType   string `gorm:"not null" json:"to_open_type"`
	// Decision cites the authority's decision (its number or title).
	Decision string `gorm:"not null" json:"decision"`
	// Reason says why the data qualifies; Desensitised that it does after
	// desensitisation (数据脱敏后).
	Reason       string     `json:"reason"`
	Desensitised bool       `json:"desensitised"`
	BaseVersion  int        `json:"base_version"`
	Note         string     `json:"note,omitempty"`
	SubmittedBy  string     `json:"submitted_by"`
	SubmittedAt  time.Time  `json:"submitted_at"`
	DecidedAt    *time.Time `json:"decided_at,omitempty"`
}
