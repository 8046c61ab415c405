package models

import "time"

// Flags on a logged use of shared data.
const (
	// UseAfterGrantClosed flags a use dated after its grant was closed
	// (e.g. at the end of an emergency): recorded, and shown to the providing
	// department, citing the purpose limit.
	UseAfterGrantClosed = "after_grant_closed"
)

// UseFlag is one thing about a use that the providing department is shown,
// with the article it comes from.
type UseFlag struct {
	Code    string `json:"code"`
	Article string `json:"article"`
	Message string `json:"message"`
}

// UseLog is one use of shared data, logged by the department that received
// it against its grant (leshan 第三十三条, weifang 第三十一条): the purpose,
// the users, the approver, the data used, when, by what means and on what
// medium. Written once; read by the grantee, the providing department and
// the auditor.
type UseLog struct {
	ID             string    `gorm:"primaryKey" json:"id"`
	GrantID        string    `gorm:"index;not null" json:"grant_id"`
	ShareRequestID string    `gorm:"index;not null" json:"share_request_id"`
	CatalogItemID  string    `gorm:"not null" json:"catalog_item_id"`
	Jurisdiction   string    `gorm:"index;not null" json:"jurisdiction"`
	Dept           string    `gorm:"index;not null" json:"dept"`          // the grantee, who logs
	ProviderDept   string    `gorm:"index;not null" json:"provider_dept"` // who reads it besides the auditor
	Purpose        string    `json:"purpose"`
	Users          []string  `gorm:"serializer:json;type:text" json:"users"`
	Approver       string    `json:"approver"`
	Content        []string  `gorm:"serializer:json;type:text" json:"content"`
	UsedAt         time.Time `gorm:"index" json:"used_at"`
	Means          string    `json:"means"`
	Medium         string    `json:"medium"`
	// Article is the logging article; Flags what the provider is shown.
	Article    string    `json:"article"`
	Flags      []UseFlag `gorm:"serializer:json;type:text" json:"flags"`
	Flagged    bool      `gorm:"index;not null;default:false" json:"flagged"`
	RecordedBy string    `json:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at"`
}
