package models

import "time"

// ProcedureClassification names the share classification procedure
// (procedure 5): a department proposes that a catalog item be conditional or
// not shared, with its legal basis.
const ProcedureClassification = "classification"

// Classification statuses.
const (
	ClassificationPending  = "pending"
	ClassificationApplied  = "applied"  // the item carries the classification
	ClassificationRefused  = "refused"  // the authority or the government refused it
	ClassificationConflict = "conflict" // the item changed meanwhile: nothing applied
	ClassificationRelaxed  = "relaxed"  // a re-evaluation gave the item its former share type back
)

// Classification is a department's proposal to classify one of its catalog
// items conditional or not shared (不予共享 / 有条件共享), and the path it
// takes to the catalog.
type Classification struct {
	Header
	CatalogItemID     string     `gorm:"index;not null" json:"catalog_item_id"`
	Dept              string     `gorm:"index;not null" json:"dept"`
	ProposedShareType string     `gorm:"not null" json:"proposed_share_type"`
	PreviousShareType string     `json:"previous_share_type"`
	LegalBasis        string     `json:"legal_basis"`
	Conditions        string     `json:"conditions,omitempty"`
	Reason            string     `json:"reason"`
	Path              string     `json:"path"`
	BaseVersion       int        `json:"base_version"`
	Note              string     `json:"note,omitempty"` // why refused, or the conflict
	DisputeID         string     `json:"dispute_id,omitempty"`
	NextReevaluation  string     `json:"next_reevaluation,omitempty"` // leshan: the date of the next periodic re-evaluation
	SubmittedBy       string     `json:"submitted_by"`
	SubmittedAt       time.Time  `json:"submitted_at"`
	DecidedAt         *time.Time `json:"decided_at,omitempty"`
}
