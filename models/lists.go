package models

import "time"

// ProcedureYearlyList names the yearly list procedure (changsha 第二十五条,
// leshan 第三十九条(六)).
const ProcedureYearlyList = "yearly_list"

// Yearly list statuses: pending the authority's confirmation, confirmed, or
// returned to the department (with the reason) to compile anew.
const (
	ListPending   = "pending"
	ListConfirmed = "confirmed"
	ListReturned  = "returned"
)

// YearlyList is one department's list of a kind for a year: catalog items
// (a share, open or responsibility list) or application scenarios, submitted
// to the authority, which confirms it or returns it.
type YearlyList struct {
	Header
	Dept    string   `gorm:"index;not null" json:"dept"`
	Year    int      `gorm:"index;not null" json:"year"`
	Kind    string   `gorm:"index;not null" json:"kind"`
	Entries []string `gorm:"serializer:json;type:text" json:"entries"` // item IDs, or scenarios
	// Priority are the entries marked as going first (xiamen 第二十五条:
	// closely tied to people's livelihoods and urgently needed).
	Priority  []string   `gorm:"serializer:json;type:text" json:"priority,omitempty"`
	FiledBy   string     `json:"filed_by"`
	Reason    string     `json:"reason,omitempty"` // why it was returned
	DecidedBy string     `json:"decided_by,omitempty"`
	FiledAt   time.Time  `json:"filed_at"`
	DecidedAt *time.Time `json:"decided_at,omitempty"`
}
