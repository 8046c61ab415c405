package models

import "time"

// ProcedureAuthorityApproval names an approval by the authority (and, where
// the text says so, the city government) of what a department may not do
// without it: sharing off the platform (changsha 第二十二条), authorised
// operation (leshan 第三十条), data that cannot be aggregated (xiamen 第七条).
const ProcedureAuthorityApproval = "authority_approval"

// Authority approval statuses.
const (
	ApprovalPending  = "pending"
	ApprovalApproved = "approved" // every step approved; the grant conditions bind
	ApprovalRefused  = "refused"
)

// AuthorityApproval is a department's application for one kind of
// authority approval (regulations.ApprovalKinds), the entry conditions it
// declared it meets, and, once approved, the conditions recorded on the
// grant.
type AuthorityApproval struct {
	Header
	Kind        string `gorm:"index;not null" json:"kind"`
	Dept        string `gorm:"index;not null" json:"dept"`
	Title       string `gorm:"not null" json:"title"`
	Description string `json:"description"`
	Recipient   string `json:"recipient,omitempty"`   // who the data goes to (the operator, the citizen or company)
	Plan        string `json:"plan,omitempty"`        // the implementation plan (实施方案)
	LegalBasis  string `json:"legal_basis,omitempty"` // the law that forbids aggregating the data
	// EntryConditions are the keys of the profile's entry conditions the
	// filing declared it meets.
	EntryConditions []string `gorm:"serializer:json;type:text" json:"entry_conditions"`
	// GrantConditions are the texts of the conditions binding an approval,
	// recorded when it is approved.
	GrantConditions []string   `gorm:"serializer:json;type:text" json:"grant_conditions"`
	Note            string     `json:"note,omitempty"` // the reason of a refusal
	SubmittedBy     string     `json:"submitted_by"`
	SubmittedAt     time.Time  `gorm:"index" json:"submitted_at"`
	DecidedAt       *time.Time `json:"decided_at,omitempty"`
}
