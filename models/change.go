package models

import (
	"slices"
	"time"
)

// Kinds of change that oblige a department to update its catalog.
const (
	TriggerLawRevision  = "law_revision"
	TriggerDutyChange   = "duty_change"
	TriggerSystemChange = "system_change"
	// TriggerPurchase: bought data is to be catalogued (weifang 第十三条,
	// wuhan 第三十四条); started by the purchase procedure, not filed.
	TriggerPurchase = "purchase"
)

// Statuses of a catalog update obligation.
const (
	TriggerOpen      = "open"      // waiting for the department's change
	TriggerFulfilled = "fulfilled" // a change was submitted
)

// CatalogTrigger is a change in law, duties or systems that obliges a
// department to update its catalog within the city's window (procedure 1,
// first clock).
type CatalogTrigger struct {
	Header
	Dept          string     `gorm:"index;not null" json:"dept"`
	Kind          string     `gorm:"not null" json:"kind"`
	EffectiveDate string     `gorm:"not null" json:"effective_date"`
	Description   string     `json:"description"`
	ReceivingDept string     `json:"receiving_dept,omitempty"`
	RecordedBy    string     `json:"recorded_by"`
	ChangeID      string     `json:"change_id,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	FulfilledAt   *time.Time `json:"fulfilled_at,omitempty"`
}

// Operations of a catalog change.
const (
	OpAdd    = "add"
	OpModify = "modify"
	OpDelete = "delete"
)

// Statuses of a catalog change.
const (
	ChangePending   = "pending"   // under review or filing
	ChangeReturned  = "returned"  // refused or in conflict: the department may revise and resubmit
	ChangeApplied   = "applied"   // approved or filed, and applied to the catalog
	ChangeWithdrawn = "withdrawn" // given up by the department after a return
)

// ChangeOperation is one operation of a catalog change. BaseVersion is the
// version of the item the operation was made against (0 for an add); the
// change applies only if the item is still at that version.
type ChangeOperation struct {
	Op          string       `json:"op"`
	ItemID      string       `json:"item_id"`
	BaseVersion int          `json:"base_version,omitempty"`
	Item        *CatalogItem `json:"item,omitempty"`
}

// CatalogChange is a department's change of its own catalog (procedure 1,
// second clock), with the operations of its current round.
type CatalogChange struct {
	Header
	Dept          string            `gorm:"index;not null" json:"dept"`
	SubmittedBy   string            `json:"submitted_by"`
	Reason        string            `json:"reason"`
	TriggerID     string            `gorm:"index" json:"trigger_id,omitempty"`
	ReceivingDept string            `json:"receiving_dept,omitempty"`
	Path          string            `json:"path"`
	Round         int               `gorm:"not null" json:"round"`
	Operations    []ChangeOperation `gorm:"serializer:json;type:text" json:"operations"`
	// Classification lists the items this change makes conditional or not
	// shared: they cite a legal basis. An added item is classified as part of
	// the change; a modified one is routed to the classification procedure
	// (procedure 5) when the change is applied, see Classifications.
	Classification []string `gorm:"serializer:json;type:text" json:"classification"`
	// Classifications names, once the change is applied, the classification
	// procedure started for each modified item the change would make
	// conditional or not shared: the change applied the item's other fields
	// and kept its share type, conditions and legal basis.
	Classifications []ClassificationRef `gorm:"serializer:json;type:text" json:"classifications,omitempty"`
	ReturnReason    string              `json:"return_reason,omitempty"`
	SubmittedAt     time.Time           `json:"submitted_at"`
	DecidedAt       *time.Time          `json:"decided_at,omitempty"`
}

// ClassificationRef is the classification procedure a catalog change started
// for one of its items.
type ClassificationRef struct {
	ItemID           string `json:"item_id"`
	ClassificationID string `json:"classification_id"`
}

// RoutedClassificationID is the ID (and workflow ID) of the classification a
// catalog change starts for one item: one per change and item, so that a
// retry starts nothing twice.
func RoutedClassificationID(changeID, itemID string) string {
	return "cl-" + changeID + "-" + itemID
}

// Routed lists the modifications of ops that change an existing item's share
// type to conditional or not shared (restricted lists such items, as
// Restricted does): they go to the classification procedure instead of
// changing the share type directly.
func Routed(ops []ChangeOperation, restricted []string) []ChangeOperation {
	var out []ChangeOperation
	for _, op := range ops {
		if op.Op == OpModify && op.Item != nil && slices.Contains(restricted, op.ItemID) {
			out = append(out, op)
		}
	}
	return out
}

// RoutedBy lists the operations that go to the classification procedure
// under a city's rule: modifications (and, where routeAdded, additions) of
// items in restricted whose new share type needs the path (needsPath).
// Others apply their share type with the change.
func RoutedBy(ops []ChangeOperation, restricted []string, needsPath func(shareType string) bool, routeAdded bool) []ChangeOperation {
	var out []ChangeOperation
	for _, op := range ops {
		if op.Item == nil || !slices.Contains(restricted, op.ItemID) || !needsPath(op.Item.ShareType) {
			continue
		}
		if op.Op == OpModify || (routeAdded && op.Op == OpAdd) {
			out = append(out, op)
		}
	}
	return out
}

// InterimConditions are the share conditions of an item added through a
// catalog change while the classification procedure decides its proposed
// share type: until then it is not listed as not shared.
const InterimConditions = "分类待定：拟定的共享属性须经分类程序决定，此前按有条件共享办理，由数据提供单位决定"

// ChangeRound is one submission of a catalog change and how it ended; a
// change refused and resubmitted keeps every round.
type ChangeRound struct {
	ChangeID    string            `gorm:"primaryKey" json:"change_id"`
	Round       int               `gorm:"primaryKey;autoIncrement:false" json:"round"`
	Reason      string            `json:"reason"`
	Operations  []ChangeOperation `gorm:"serializer:json;type:text" json:"operations"`
	SubmittedBy string            `json:"submitted_by"`
	SubmittedAt time.Time         `json:"submitted_at"`
	Outcome     string            `json:"outcome,omitempty"` // applied, returned, withdrawn
	OutcomeNote string            `json:"outcome_note,omitempty"`
	DecidedBy   string            `json:"decided_by,omitempty"`
	DecidedAt   *time.Time        `json:"decided_at,omitempty"`
}

// CatalogItemVersion is one version of a catalog item and the change that
// made it (none for an import). A deleted item's last version has Op delete
// and the item as it was.
type CatalogItemVersion struct {
	ItemID   string      `gorm:"primaryKey" json:"item_id"`
	Version  int         `gorm:"primaryKey;autoIncrement:false" json:"version"`
	Op       string      `gorm:"not null" json:"op"` // import, add, modify, delete
	ChangeID string      `gorm:"index" json:"change_id,omitempty"`
	Round    int         `json:"round,omitempty"`
	Item     CatalogItem `gorm:"serializer:json;type:text" json:"item"`
	At       time.Time   `json:"at"`
}
