package models

import "time"

// ProcedurePurchase names a department's purchase of data (weifang 第十三条,
// wuhan 第三十四条).
const ProcedurePurchase = "purchase"

// What a department buys (Purchase.Kind).
const (
	PurchaseData    = "data"    // data resources (社会数据 / 数据资源)
	PurchaseService = "service" // an external data service, filed (报备, wuhan 第三十四条第三款)
)

// Purchase statuses.
const (
	PurchasePending    = "pending"
	PurchaseRefused    = "refused"    // the authority refused it (or objected to a duplicate)
	PurchaseCataloging = "cataloging" // approved or noted: the department catalogs the bought data
	PurchaseCatalogued = "catalogued" // the bought data is in the department's catalog
	PurchaseFiled      = "filed"      // an external data service, filed with the authority
)

// Purchase is a department's purchase of data or filing of an external data
// service, what the platform found it overlaps (catalog items and earlier
// purchases of the same data, shown to the authority), the authority's
// answer and the obligation to catalog the bought data.
type Purchase struct {
	Header
	Dept     string `gorm:"index;not null" json:"dept"`
	Kind     string `gorm:"not null" json:"kind"`
	Title    string `gorm:"not null" json:"title"`
	Supplier string `json:"supplier"`
	Purpose  string `json:"purpose"`
	// DataItems name the data bought, as the overlaps are matched on.
	DataItems []string `gorm:"serializer:json;type:text" json:"data_items"`
	// Overlaps are what the platform already has of those data items, as
	// found at filing: "catalog <item id> <name> (<dept>, <share type>)"
	// or "purchase <id> <title> (<dept>, <status>)".
	Overlaps    []string   `gorm:"serializer:json;type:text" json:"overlaps"`
	TriggerID   string     `json:"trigger_id,omitempty"` // the obligation to catalog the bought data
	Note        string     `json:"note,omitempty"`       // the authority's reason
	SubmittedBy string     `json:"submitted_by"`
	SubmittedAt time.Time  `gorm:"index" json:"submitted_at"`
	DecidedAt   *time.Time `json:"decided_at,omitempty"`
}
