package models

import "time"

// ProcedureDataConflict names the procedure for two departments' data on
// the same subject that disagree (leshan 第十一条).
const ProcedureDataConflict = "data_conflict"

// Data conflict statuses: pending while the departments negotiate or the
// authority coordinates; agreed when the negotiation reached one opinion
// (协商形成一致意见), coordinated when the authority handled it
// (会同相关部门协调处理).
const (
	ConflictPending     = "pending"
	ConflictAgreed      = "agreed"
	ConflictCoordinated = "coordinated"
)

// DataConflict is a disagreement between two departments' data on the same
// subject: the two departments negotiate, and the authority coordinates
// when they cannot agree.
type DataConflict struct {
	Header
	CatalogItemID string `gorm:"index;not null" json:"catalog_item_id"` // one department's data
	OtherItemID   string `gorm:"index;not null" json:"other_item_id"`   // the other's, on the same subject
	ProviderDept  string `gorm:"index;not null" json:"provider_dept"`   // provides CatalogItemID
	OtherDept     string `gorm:"index;not null" json:"other_dept"`      // provides OtherItemID
	FiledBy       string `json:"filed_by"`
	FilerDept     string `gorm:"index" json:"filer_dept,omitempty"` // the filing department; empty when the authority filed
	Description   string `json:"description"`
	// Failure is why the negotiation failed (each department's reason),
	// empty when it agreed or is still open.
	Failure string `json:"failure,omitempty"`
	// Resolution is the agreed opinion, or the authority's handling.
	Resolution string     `json:"resolution,omitempty"`
	DecidedBy  string     `json:"decided_by,omitempty"`
	FiledAt    time.Time  `json:"filed_at"`
	DecidedAt  *time.Time `json:"decided_at,omitempty"`
}
