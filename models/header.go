package models

import "time"

// Header is what every procedure's record holds, in the same columns: the
// procedure's ID (also its workflow's), its city and status, and the open
// step with its article and deadline. The procedure writes its status and
// step; the inbox (workflows/task.go, through the task activities) writes
// the deadline, whether it is statutory or provisional and on which calendar
// it was counted, and the overdue flag, when a step opens, is re-timed or
// goes overdue.
type Header struct {
	ID           string `gorm:"primaryKey" json:"id"`
	WorkflowID   string `gorm:"uniqueIndex;not null" json:"workflow_id"`
	Jurisdiction string `gorm:"index;not null" json:"jurisdiction"`
	Status       string `gorm:"index;not null" json:"status"`
	Step         string `json:"step,omitempty"`
	Article      string `json:"article"`
	// Statutory is false where the text names no period and the platform's
	// service level applies.
	Statutory bool       `json:"statutory"`
	DueDate   string     `json:"due_date,omitempty"`
	DueAt     *time.Time `json:"due_at,omitempty"`
	// Provisional: the deadline counts through a year whose holiday
	// schedule is not yet published; CalendarVersion is the calendar it was
	// counted on.
	Provisional     bool      `json:"provisional"`
	CalendarVersion string    `json:"calendar_version,omitempty"`
	Overdue         bool      `json:"overdue"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// Head is the record's header, for code generic over every procedure's
// record (each embeds Header, so *Record has this method).
func (h *Header) Head() *Header { return h }
