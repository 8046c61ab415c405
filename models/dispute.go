package models

import "time"

// ProcedureDispute names the dispute escalation procedure (procedure 2's
// dispute path, and classification disagreements of procedure 5).
const ProcedureDispute = "dispute"

// What a dispute is about.
const (
	DisputeOfShareRequest   = "share_request"  // a refused share request
	DisputeOfClassification = "classification" // the authority disagrees with a department's classification
	// DisputeOfCatalogItem is not-shared data a department needs for its
	// duties (weifang 第二十条): there is no request to refuse, the dispute
	// is over the item itself.
	DisputeOfCatalogItem = "catalog_item"
)

// Dispute statuses and level outcomes.
const (
	DisputePending    = "pending"
	DisputeUpheld     = "upheld"     // the refusal (or disagreement) stands
	DisputeOverturned = "overturned" // the refusal is overturned: access is granted
	DisputeEscalated  = "escalated"  // a level referred the dispute to the next one
)

// DisputeLevel is one level of a dispute's escalation chain as it was handled.
type DisputeLevel struct {
	Level   string `json:"level"`
	Actor   string `json:"actor"`
	Article string `json:"article"`
	DueDate string `json:"due_date,omitempty"`
	// Statutory is true where the text sets the level's period, false for
	// a service level or a platform rule.
	Statutory bool       `json:"statutory"`
	Outcome   string     `json:"outcome,omitempty"` // upheld, overturned, escalated; empty while open
	Reason    string     `json:"reason,omitempty"`
	DecidedBy string     `json:"decided_by,omitempty"`
	DecidedAt *time.Time `json:"decided_at,omitempty"`
	Overdue   bool       `json:"overdue"`
}

// Dispute is a dispute over a refusal (争议): it climbs the city's escalation
// chain level by level until one level overturns or upholds the refusal; the
// last level's ruling is final.
type Dispute struct {
	Header
	Subject       string         `gorm:"not null" json:"subject"`          // share_request, classification or catalog_item
	SubjectID     string         `gorm:"index;not null" json:"subject_id"` // the share request, classification or catalog item disputed
	RequesterDept string         `gorm:"index;not null" json:"requester_dept"`
	ProviderDept  string         `gorm:"index;not null" json:"provider_dept"`
	FiledBy       string         `json:"filed_by"`
	Reason        string         `json:"reason"`
	Level         string         `json:"level"` // the level handling it now, or the one that decided
	Levels        []DisputeLevel `gorm:"serializer:json;type:text" json:"levels"`
	FiledAt       time.Time      `json:"filed_at"`
	DecidedAt     *time.Time     `json:"decided_at,omitempty"`
}
