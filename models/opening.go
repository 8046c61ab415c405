package models

import "time"

// ProcedureOpeningReview names the review before data is opened (leshan
// 第二十一条至第二十四条): a department proposes an item's open type on its
// assessment, the authority reviews it with the reviews it orders, and the
// item becomes open only through it.
const ProcedureOpeningReview = "opening_review"

// Opening review statuses.
const (
	OpeningPending  = "pending"
	OpeningApplied  = "applied"  // the item carries the open type
	OpeningRefused  = "refused"  // the authority refused it
	OpeningConflict = "conflict" // the item changed meanwhile: nothing applied
)

// OpeningReview is a department's proposal of one of its items' open type
// (无条件开放 / 有条件开放 / 不予开放) on its assessment, the reviews the
// authority ordered and their outcomes, and the conditions the authority set.
type OpeningReview struct {
	Header
	CatalogItemID    string `gorm:"index;not null" json:"catalog_item_id"`
	Dept             string `gorm:"index;not null" json:"dept"`
	ProposedOpenType string `gorm:"not null" json:"proposed_open_type"`
	PreviousOpenType string `json:"previous_open_type"`
	// Assessment is the department's assessment (第二十二条第二款).
	Assessment string `json:"assessment"`
	// LegalBasis is the basis of not-open data (第二十一条第四款).
	LegalBasis string `json:"legal_basis,omitempty"`
	// PublicInterest: data of trade secrets or privacy proposed open because
	// not opening it would gravely affect the public interest (第二十四条第三款).
	PublicInterest bool `json:"public_interest"`
	// Conditions are the conditions of conditional opening the authority set
	// (第二十一条第三款).
	Conditions string `json:"conditions,omitempty"`
	// Reviews are the reviews the authority ordered with their outcomes,
	// "name: outcome" joined by "; " (第二十三条).
	Reviews     string     `json:"reviews,omitempty"`
	BaseVersion int        `json:"base_version"`
	Note        string     `json:"note,omitempty"`
	SubmittedBy string     `json:"submitted_by"`
	SubmittedAt time.Time  `json:"submitted_at"`
	DecidedAt   *time.Time `json:"decided_at,omitempty"`
}
