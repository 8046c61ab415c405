// Package models holds the domain records kept in the database (PostgreSQL in
// production, SQLite as the embedded default) and the queries on them. Workflow
// state lives in Temporal; these tables are written by activities and by the
// admin endpoints only.
package models

import (
	"time"
)

// Share types of a catalog item (共享类型).
const (
	ShareUnconditional = "unconditional"
	ShareConditional   = "conditional"
	ShareNotShared     = "not_shared"
)

// Open types of a catalog item (开放类型).
const (
	OpenUnconditional = "unconditional"
	OpenConditional   = "conditional"
	OpenNotOpen       = "not_open"
)

// Department is a government department or public body.
type Department struct {
	Code         string    `gorm:"primaryKey" json:"code"`
	Name         string    `gorm:"not null" json:"name"`
	Jurisdiction string    `gorm:"index;not null" json:"jurisdiction"`
	Kind         string    `json:"kind"`
	CreatedAt    time.Time `json:"created_at"`
}

// CatalogItem is one entry of a department's data catalog (数据目录).
type CatalogItem struct {
	ID              string    `gorm:"primaryKey" json:"id"`
	Jurisdiction    string    `gorm:"index;not null" json:"jurisdiction"`
	ProviderDept    string    `gorm:"index;not null" json:"provider_dept"`
	Title           string    `gorm:"not null" json:"title"`
	ShareType       string    `gorm:"not null" json:"share_type"`
	ShareConditions string    `json:"share_conditions"`
	LegalBasis      string    `json:"legal_basis"`
	OpenType        string    `gorm:"not null" json:"open_type"`
	DataItems       []string  `gorm:"serializer:json;type:text" json:"data_items"`
	Version         int       `gorm:"not null;default:1" json:"version"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// Share request statuses.
const (
	StatusPending  = "pending"
	StatusGranted  = "granted"
	StatusRejected = "rejected"
	// StatusFailed is the status of any procedure that an error retrying
	// cannot cure ended (see ARCHITECTURE.md, "Errors in workers").
	StatusFailed = "failed"
)

// Bases on which a share request was granted.
const (
	BasisUnconditional = "unconditional"
	BasisDecision      = "decision"
	BasisDeemedConsent = "deemed_consent"
	BasisDisputeRuling = "dispute_ruling" // a level of the dispute chain overturned the refusal
)

// ShareRequest is a department's request for another department's data (共享申请).
type ShareRequest struct {
	Header
	CatalogItemID string     `gorm:"index;not null" json:"catalog_item_id"`
	RequesterDept string     `gorm:"index;not null" json:"requester_dept"`
	ProviderDept  string     `gorm:"index;not null" json:"provider_dept"`
	RequestedBy   string     `json:"requested_by"`
	Purpose       string     `json:"purpose"`
	Scenario      string     `json:"scenario"`
	DataItems     []string   `gorm:"serializer:json;type:text" json:"data_items"`
	Basis         string     `json:"basis,omitempty"`
	Reason        string     `json:"reason,omitempty"`
	LegalBasis    string     `json:"legal_basis,omitempty"`
	Conditions    string     `json:"conditions,omitempty"`
	FiledAt       time.Time  `json:"filed_at"`
	DecidedAt     *time.Time `json:"decided_at,omitempty"`
}

// Procedures, as tasks and events name them.
const (
	ProcedureShareRequest  = "share_request"  // procedure 2
	ProcedureCatalogUpdate = "catalog_update" // procedure 1: the obligation to update after a trigger
	ProcedureCatalogChange = "catalog_change" // procedure 1: the change and its review
)

// Task statuses.
const (
	TaskOpen      = "open"
	TaskDone      = "done"
	TaskCancelled = "cancelled"
)

// Task kinds.
const (
	TaskDecision    = "decision"
	TaskSupervision = "supervision" // 督办: the authority follows up an overdue task
	TaskObligation  = "obligation"  // a duty to act (e.g. update the catalog), fulfilled by acting, not decided
	// TaskNotice tells the authority that a step's outcome waits on the
	// calendar (a deemed consent due on a provisional deadline); it closes
	// with the step or when the year's schedule is published.
	TaskNotice = "notice"
)

// Task is one entry of the reviewers' inbox: a step of a procedure waiting for
// a person, with its due time and the article that sets it.
type Task struct {
	ID           string    `gorm:"primaryKey" json:"id"`
	Procedure    string    `gorm:"index;not null" json:"procedure"`
	ProcedureID  string    `gorm:"index;not null" json:"procedure_id"`
	WorkflowID   string    `gorm:"not null" json:"workflow_id"`
	Kind         string    `gorm:"not null" json:"kind"`
	Jurisdiction string    `gorm:"index;not null" json:"jurisdiction"`
	AssigneeRole string    `gorm:"index;not null" json:"assignee_role"`
	AssigneeDept string    `gorm:"index" json:"assignee_dept,omitempty"`
	DueDate      string    `json:"due_date"`
	DueAt        time.Time `json:"due_at"`
	Provisional  bool      `json:"provisional"`
	Article      string    `json:"article"`
	// Title names the task's step for the console.
	Title string `json:"title"`
	// Decisions are the decisions the task allows, each with the fields it
	// requires; empty for tasks that take none and on tasks
	// recorded before it was kept.
	Decisions []AllowedDecision `gorm:"serializer:json;type:text" json:"decisions"`
	// Statutory is true where the text sets the task's period; false for a
	// service level or a platform rule (supervision, notices, platform steps).
	Statutory bool `json:"statutory"`
	// CountsFrom is the instant the task's period counts from (the filing,
	// the submission, the decision before it); zero on tasks recorded before
	// it was kept, which counted from CreatedAt.
	CountsFrom time.Time  `json:"counts_from,omitzero"`
	Status     string     `gorm:"index;not null" json:"status"`
	Overdue    bool       `json:"overdue"`
	RemindedAt *time.Time `json:"reminded_at,omitempty"`
	Decision   string     `json:"decision,omitempty"`
	Reason     string     `json:"reason,omitempty"`
	LegalBasis string     `json:"legal_basis,omitempty"`
	Conditions string     `json:"conditions,omitempty"`
	DecidedBy  string     `json:"decided_by,omitempty"`
	DecidedAt  *time.Time `json:"decided_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
}

// AllowedDecision is one decision a task allows and the fields of the decision
// input it requires: reason, legal_basis, conditions, item.
type AllowedDecision struct {
	Decision string   `json:"decision"`
	Requires []string `json:"requires"`
}

// Grant is access opened to a department (开通共享权限), limited to the
// request's purpose and conditions.
type Grant struct {
	ID             string    `gorm:"primaryKey" json:"id"`
	ShareRequestID string    `gorm:"uniqueIndex;not null" json:"share_request_id"`
	CatalogItemID  string    `gorm:"index;not null" json:"catalog_item_id"`
	Dept           string    `gorm:"index;not null" json:"dept"`
	Basis          string    `json:"basis"`
	Purpose        string    `json:"purpose"`
	Conditions     string    `json:"conditions,omitempty"`
	Article        string    `json:"article"`
	GrantedAt      time.Time `json:"granted_at"`
	// ClosedAt is set when the grant is shut down, e.g. at the end of an
	// emergency (xiamen 第二十一条: 关停相关数据应用), with the reason.
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	ClosedReason string     `json:"closed_reason,omitempty"`
}

// Event is one step of a procedure as the domain sees it: filed, task opened,
// reminder, decision, deemed outcome, supervision, completion. Its ID is
// derived from the workflow and step so that a retried activity writes it once.
type Event struct {
	ID          string    `gorm:"primaryKey" json:"id"`
	ProcedureID string    `gorm:"index;not null" json:"procedure_id"`
	At          time.Time `gorm:"index" json:"at"`
	Kind        string    `gorm:"not null" json:"kind"`
	Actor       string    `json:"actor,omitempty"`
	TaskID      string    `json:"task_id,omitempty"`
	Article     string    `json:"article,omitempty"`
	Detail      string    `json:"detail,omitempty"`
	// The event's link in its procedure's hash chain (chain.go): its place,
	// the hash of the event before it and its own; 0 and empty on events
	// stored before the chain existed, until Migrate backfills them.
	Seq      int64  `gorm:"not null;default:0" json:"seq"`
	PrevHash string `gorm:"not null;default:''" json:"prev_hash"`
	Hash     string `gorm:"not null;default:''" json:"hash"`
}

// All lists every model that is no procedure's record, for migration; the
// records are the procedures' own (workflows.RecordModels, from each
// procedure's descriptor) and Migrate takes them beside these.
func All() []any {
	return []any{&Department{}, &CatalogItem{}, &Task{}, &Grant{}, &Event{},
		&ChangeRound{}, &CatalogItemVersion{},
		&OpenRound{}, &OpenGrant{}, // an open-data application's rounds and grants
		&TaskClaim{}, &TaskComment{}, // claims and comments on tasks
		// an objection's evidence and the availability of catalog items
		&Evidence{}, &ItemAvailability{}, &ItemHold{}, &AvailabilityChange{},
		&CalendarYear{},                          // the published calendar years
		&IdempotencyKey{},                        // fingerprints of keyed POSTs
		&ChainHead{},                             // the event log's hash chain
		&ArchivedHistory{},                       // the archive of closed histories
		&Channels{}, &Notification{}, &Message{}, // notifications
		&UseLog{}, // uses of shared data against their grants
	}
}
