package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// ProcedureObjection names the objection procedure (procedure 4).
const ProcedureObjection = "objection"

// Objection statuses and outcomes.
const (
	ObjectionPending = "pending" // being forwarded, verified or coordinated
	ObjectionHandled = "handled" // ended with an outcome and feedback

	OutcomeWithdraw     = "withdraw"       // the item is withdrawn from opening (撤回)
	OutcomeRestore      = "restore"        // opening restored unchanged (恢复开放)
	OutcomeFixAndReopen = "fix_and_reopen" // a corrected version is published, then reopened (处理后再开放)
	OutcomeDismiss      = "dismiss"        // the objection is unfounded
)

// Availability of a catalog item: whether it may be used (opened, shared).
const (
	AvailabilityOpen      = "open"
	AvailabilitySuspended = "suspended" // 中止开放: at least one objection holds it
	AvailabilityWithdrawn = "withdrawn" // 撤回
)

// Objection is an objection to a catalog item's data (异议, procedure 4).
type Objection struct {
	Header
	CatalogItemID string     `gorm:"index;not null" json:"catalog_item_id"`
	ItemVersion   int        `json:"item_version"` // the version objected to
	ProviderDept  string     `gorm:"index;not null" json:"provider_dept"`
	Kind          string     `gorm:"not null" json:"kind"`
	Description   string     `json:"description"`
	Evidence      []string   `gorm:"serializer:json;type:text" json:"evidence_ids"`
	ObjectorRole  string     `json:"objector_role"`
	ObjectorDept  string     `gorm:"index" json:"objector_dept,omitempty"`
	ObjectedBy    string     `gorm:"index" json:"objected_by"`
	Handler       string     `json:"handler"`   // provider or authority
	Suspended     bool       `json:"suspended"` // this objection holds the item suspended
	Outcome       string     `json:"outcome,omitempty"`
	Feedback      string     `json:"feedback,omitempty"`
	NewVersion    int        `json:"new_version,omitempty"` // fix_and_reopen: the corrected item's version
	DecidedBy     string     `json:"decided_by,omitempty"`
	FiledAt       time.Time  `json:"filed_at"`
	DecidedAt     *time.Time `json:"decided_at,omitempty"`
}

// Evidence is a file uploaded in support of an objection, stored with its
// SHA-256 checksum.
type Evidence struct {
	ID           string    `gorm:"primaryKey" json:"id"`
	Name         string    `json:"name"`
	ContentType  string    `json:"content_type"`
	Size         int64     `json:"size"`
	SHA256       string    `gorm:"column:sha256" json:"sha256"`
	Data         []byte    `json:"-"`
	UploadedBy   string    `gorm:"index;not null" json:"uploaded_by"` // the token's subject
	UploaderRole string    `json:"uploader_role,omitempty"`           // empty on files uploaded before uploads kept the role
	UploaderDept string    `json:"uploader_dept,omitempty"`
	ObjectionID  string    `gorm:"index" json:"objection_id,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// UploadedByCaller tells whether the caller (role, subject, department) is
// the uploader. A file without a recorded role predates it: only departments
// (with their department) and applicants (without) could upload, so the
// department tells the role.
func (e Evidence) UploadedByCaller(role, subject, dept string) bool {
	uploader := e.UploaderRole
	if uploader == "" {
		uploader = "applicant"
		if e.UploaderDept != "" {
			uploader = "department"
		}
	}
	return uploader == role && e.UploadedBy == subject && e.UploaderDept == dept
}

// ItemAvailability is the availability of a catalog item; an item without a
// row is open. Holds counts the objections holding it suspended
// (ItemHold rows), kept in the same transaction as State.
type ItemAvailability struct {
	ItemID    string    `gorm:"primaryKey" json:"item_id"`
	State     string    `gorm:"not null" json:"state"`
	Holds     int       `json:"holds"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ItemHold is one objection holding an item suspended.
type ItemHold struct {
	ItemID      string    `gorm:"primaryKey" json:"item_id"`
	ObjectionID string    `gorm:"primaryKey" json:"objection_id"`
	At          time.Time `json:"at"`
}

// AvailabilityChange is one change of an item's availability, on the item's
// history.
type AvailabilityChange struct {
	ID          string    `gorm:"primaryKey" json:"id"`
	ItemID      string    `gorm:"index;not null" json:"item_id"`
	From        string    `gorm:"column:from_state" json:"from"`
	To          string    `gorm:"column:to_state" json:"to"`
	ObjectionID string    `json:"objection_id,omitempty"`
	Actor       string    `json:"actor,omitempty"`
	Note        string    `json:"note,omitempty"`
	At          time.Time `gorm:"index" json:"at"`
}

// Availability returns an item's availability: open unless an objection
// suspended it or it was withdrawn.
func Availability(db *gorm.DB, itemID string) (ItemAvailability, error) {
	var a ItemAvailability
	res := db.Limit(1).Find(&a, "item_id = ?", itemID)
	if res.Error != nil {
		return a, fmt.Errorf("availability of %s: %w", itemID, res.Error)
	}
	if res.RowsAffected == 0 {
		return ItemAvailability{ItemID: itemID, State: AvailabilityOpen}, nil
	}
	return a, nil
}

// Unavailable says why an item may not be used now (a share request, an
// open-data application), or "" when it is open.
func Unavailable(db *gorm.DB, itemID string) (string, error) {
	a, err := Availability(db, itemID)
	if err != nil {
		return "", err
	}
	switch a.State {
	case AvailabilitySuspended:
		return fmt.Sprintf("item %s is suspended (中止开放) while %d objection(s) are verified; it reopens when they are handled", itemID, a.Holds), nil
	case AvailabilityWithdrawn:
		return fmt.Sprintf("item %s was withdrawn (撤回) after an objection", itemID), nil
	}
	return "", nil
}

// HoldChange is a change of an objection's hold on an item.
type HoldChange struct {
	ItemID      string
	ObjectionID string
	Hold        bool // true: the objection suspends the item; false: it releases it
	Withdraw    bool // the item is withdrawn for good (release implied)
	Actor       string
	Note        string
	At          time.Time
}

// ChangeHold adds or releases an objection's hold on an item in tx and
// recomputes the item's availability under a row lock, recording a change of
// state on the item's history. It returns the availability before and after.
// Running it twice has no further effect.
func ChangeHold(tx *gorm.DB, c HoldChange) (from, to string, err error) {
	at := c.At.UTC()
	// Take the row lock first (an UPDATE), so that concurrent holds and
	// releases of one item are serialised and the count is exact.
	if err := tx.Exec("INSERT INTO item_availabilities (item_id, state, holds, updated_at) VALUES (?, ?, 0, ?) ON CONFLICT (item_id) DO NOTHING",
		c.ItemID, AvailabilityOpen, at).Error; err != nil {
		return "", "", fmt.Errorf("availability row of %s: %w", c.ItemID, err)
	}
	if err := tx.Exec("UPDATE item_availabilities SET holds = holds WHERE item_id = ?", c.ItemID).Error; err != nil {
		return "", "", fmt.Errorf("lock availability of %s: %w", c.ItemID, err)
	}
	var a ItemAvailability
	if err := tx.First(&a, "item_id = ?", c.ItemID).Error; err != nil {
		return "", "", fmt.Errorf("load availability of %s: %w", c.ItemID, err)
	}
	if c.Hold && !c.Withdraw {
		err = tx.Exec("INSERT INTO item_holds (item_id, objection_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", c.ItemID, c.ObjectionID, at).Error
	} else {
		err = tx.Where("item_id = ? AND objection_id = ?", c.ItemID, c.ObjectionID).Delete(&ItemHold{}).Error
	}
	if err != nil {
		return "", "", fmt.Errorf("hold of %s on %s: %w", c.ObjectionID, c.ItemID, err)
	}
	var holds int64
	if err := tx.Model(&ItemHold{}).Where("item_id = ?", c.ItemID).Count(&holds).Error; err != nil {
		return "", "", fmt.Errorf("count holds on %s: %w", c.ItemID, err)
	}
	to = AvailabilityOpen
	switch {
	case a.State == AvailabilityWithdrawn || c.Withdraw:
		to = AvailabilityWithdrawn
	case holds > 0:
		to = AvailabilitySuspended
	}
	if err := tx.Model(&ItemAvailability{}).Where("item_id = ?", c.ItemID).
		Updates(map[string]any{"state": to, "holds": holds, "updated_at": at}).Error; err != nil {
		return "", "", fmt.Errorf("set availability of %s: %w", c.ItemID, err)
	}
	if a.State != to {
		rec := AvailabilityChange{ID: fmt.Sprintf("%s/%s/%s", c.ItemID, c.ObjectionID, to), ItemID: c.ItemID, From: a.State, To: to,
			ObjectionID: c.ObjectionID, Actor: c.Actor, Note: c.Note, At: at}
		if err := tx.Exec("INSERT INTO availability_changes (id, item_id, from_state, to_state, objection_id, actor, note, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
			rec.ID, rec.ItemID, rec.From, rec.To, rec.ObjectionID, rec.Actor, rec.Note, rec.At).Error; err != nil {
			return "", "", fmt.Errorf("record availability change of %s: %w", c.ItemID, err)
		}
	}
	return a.State, to, nil
}

// ReclassifiedField names the field of a corrected item (an objection's
// fix_and_reopen) that would change the item's classification, share type or
// open type, with why it may not, or "" when there is none: a correction
// fixes data; classifying goes through the classification procedure (5).
func ReclassifiedField(cur, fixed CatalogItem) (field, message string) {
	switch {
	case fixed.ShareType != cur.ShareType:
		return "item.share_type", fmt.Sprintf("is %q; a correction keeps the item's share type %q (a change of share type goes through classification, POST /api/v1/classifications)", fixed.ShareType, cur.ShareType)
	case fixed.OpenType != cur.OpenType:
		return "item.open_type", fmt.Sprintf("is %q; a correction keeps the item's open type %q", fixed.OpenType, cur.OpenType)
	}
	return "", ""
}
