package models

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ArchivedHistory is the durable copy of one closed workflow execution's
// complete history: Temporal keeps a closed execution only for the
// namespace's retention, the archive keeps it for good. The row also keeps
// what visibility knew of the execution (its search attributes, times and
// status), so that the procedure list can show it once Temporal has
// forgotten it. Rows are written once and never updated.
type ArchivedHistory struct {
	WorkflowID      string     `gorm:"primaryKey" json:"workflow_id"`
	RunID           string     `gorm:"primaryKey;index" json:"run_id"`
	WorkflowType    string     `gorm:"not null" json:"workflow_type"`
	Procedure       string     `gorm:"index" json:"procedure"`
	Jurisdiction    string     `gorm:"index" json:"jurisdiction"`
	ApprovalStatus  string     `json:"approval_status"`
	RequesterDept   string     `json:"requester_dept,omitempty"`
	ProviderDept    string     `json:"provider_dept,omitempty"`
	DueAt           *time.Time `json:"due_at,omitempty"`
	Overdue         *bool      `json:"overdue,omitempty"`
	ExecutionStatus string     `gorm:"not null" json:"execution_status"`
	StartedAt       time.Time  `gorm:"index;not null" json:"started_at"`
	ClosedAt        time.Time  `gorm:"index;not null" json:"closed_at"`
	Events          int        `gorm:"not null" json:"events"`
	// Size is the length of the history's JSON (protojson of the History,
	// as `temporal workflow show -o json` writes it), SHA256 its hex digest,
	// Gzip the JSON compressed.
	Size       int       `gorm:"not null" json:"size"`
	SHA256     string    `gorm:"column:sha256;not null" json:"sha256"`
	Gzip       []byte    `gorm:"not null" json:"-"`
	ArchivedAt time.Time `gorm:"not null" json:"archived_at"`
}

// ArchiveHistory inserts an archived history unless its execution (workflow
// and run ID) is already archived; it reports whether it inserted it. Call it
// inside a transaction to record more with the copy (e.g. an event chaining
// its SHA-256): a second copy inserts nothing and should record nothing.
func ArchiveHistory(tx *gorm.DB, h *ArchivedHistory) (bool, error) {
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(h)
	if res.Error != nil {
		return false, fmt.Errorf("archive history of %s run %s: %w", h.WorkflowID, h.RunID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// ErrNotArchived means no run of a workflow is in the archive.
var ErrNotArchived = errors.New("not archived")

// LatestArchived returns the archived run of a workflow that closed last,
// with its compressed history; ErrNotArchived when none is.
func LatestArchived(db *gorm.DB, workflowID string) (ArchivedHistory, error) {
	var h ArchivedHistory
	err := db.Where("workflow_id = ?", workflowID).Order("closed_at DESC, run_id").First(&h).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return h, ErrNotArchived
	}
	if err != nil {
		return h, fmt.Errorf("load archived history of %s: %w", workflowID, err)
	}
	return h, nil
}

// ArchivedRuns returns which of the given run IDs are archived.
func ArchivedRuns(db *gorm.DB, runIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(runIDs) == 0 {
		return out, nil
	}
	var have []string
	if err := db.Model(&ArchivedHistory{}).Where("run_id IN ?", runIDs).Pluck("run_id", &have).Error; err != nil {
		return nil, fmt.Errorf("look up archived runs: %w", err)
	}
	for _, id := range have {
		out[id] = true
	}
	return out, nil
}
