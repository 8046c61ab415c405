package models

import "time"

// TaskClaim says who in the assignee department is working on an open task:
// claimed, released, handed over to a colleague. It coordinates
// the people of one inbox; it does not change who may decide.
type TaskClaim struct {
	TaskID    string    `gorm:"primaryKey" json:"task_id"`
	ClaimedBy string    `gorm:"not null" json:"claimed_by"` // the subject working on it
	By        string    `gorm:"not null" json:"by"`         // who claimed or handed it over
	ClaimedAt time.Time `json:"claimed_at"`
}

// TaskComment is a note left on a task by someone of its inbox.
type TaskComment struct {
	ID        string    `gorm:"primaryKey" json:"id"`
	TaskID    string    `gorm:"index;not null" json:"task_id"`
	Author    string    `gorm:"not null" json:"author"` // subject@DEPT or subject(role), as decided_by
	Body      string    `gorm:"not null" json:"body"`
	CreatedAt time.Time `json:"created_at"`
}
