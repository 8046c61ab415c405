package workflows_test

import (
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/stretchr/testify/require"
)

const (
	changeID   = "CC-1"
	changeWF   = "change-CC-1"
	owner      = "OWN-1" // the department changing its catalog
	receiving  = "RCV-1" // xiamen: the department taking over the duties
	itemA      = "ITEM-A"
	itemB      = "ITEM-B"
	triggerID  = "CT-1"
	triggerWF  = "trigger-CT-1"
	updateTask = triggerID + ".update.department"
	updateSup  = triggerID + ".update.supervision"
)

// seedCatalog registers the departments and two items of the owner, each at
// version 1.
func (h *harness) seedCatalog(city string) {
	h.t.Helper()
	for _, d := range []string{owner, receiving} {
		require.NoError(h.t, h.db.Create(&models.Department{Code: d, Name: d, Jurisdiction: city}).Error)
	}
	require.NoError(h.t, models.ImportCatalog(h.db, []models.CatalogItem{catalogItem(city, itemA, "人口信息"), catalogItem(city, itemB, "法人信息")}))
}

func catalogItem(city, id, title string) models.CatalogItem {
	return models.CatalogItem{ID: id, Jurisdiction: city, ProviderDept: owner, Title: title,
		ShareType: models.ShareUnconditional, OpenType: models.OpenNotOpen, DataItems: []string{"name"}}
}

// modified is item id with a new title, as a department would send it.
func modified(city, id, title string) *models.CatalogItem {
	it := catalogItem(city, id, title)
	return &it
}

// changeInput is a change of the owner's catalog submitted at h.start: item A
// renamed, item C added.
func (h *harness) changeInput(city, receivingDept string) workflows.CatalogChangeInput {
	return workflows.CatalogChangeInput{
		Change: models.CatalogChange{
			Header:        models.Header{ID: changeID, WorkflowID: changeWF, Jurisdiction: city},
			Dept:          owner,
			SubmittedBy:   "alice@" + owner,
			Reason:        "职能调整",
			ReceivingDept: receivingDept,
			SubmittedAt:   h.start,
			Operations: []models.ChangeOperation{
				{Op: models.OpModify, ItemID: itemA, BaseVersion: 1, Item: modified(city, itemA, "人口基础信息")},
				{Op: models.OpAdd, ItemID: "ITEM-C", Item: modified(city, "ITEM-C", "社保信息")},
			},
			Classification: []string{},
		},
		Profile: profile(h.t, city),
	}
}

// runChange executes a change workflow to its end.
func (h *harness) runChange(in workflows.CatalogChangeInput) workflows.CatalogChangeResult {
	h.t.Helper()
	return complete[workflows.CatalogChangeResult](h.t, h.env, workflows.CatalogChange, in)
}

func (h *harness) item(id string) (models.CatalogItem, bool) {
	var it models.CatalogItem
	err := h.db.First(&it, "id = ?", id).Error
	return it, err == nil
}

func (h *harness) versions(id string) []models.CatalogItemVersion {
	h.t.Helper()
	var vs []models.CatalogItemVersion
	require.NoError(h.t, h.db.Order("version").Find(&vs, "item_id = ?", id).Error)
	return vs
}

func (h *harness) change() models.CatalogChange {
	h.t.Helper()
	return stored[models.CatalogChange](h.t, h.db, changeID)
}

func (h *harness) rounds() []models.ChangeRound {
	h.t.Helper()
	var rs []models.ChangeRound
	require.NoError(h.t, h.db.Order("round").Find(&rs, "change_id = ?", changeID).Error)
	return rs
}

func (h *harness) trigger() models.CatalogTrigger {
	h.t.Helper()
	return stored[models.CatalogTrigger](h.t, h.db, triggerID)
}

func ownerAct() workflows.Actor {
	return workflows.Actor{Subject: "alice", Role: regulations.RoleDepartment, Dept: owner}
}

func decision(task, d string, a workflows.Actor) workflows.Decision {
	return workflows.Decision{TaskID: task, Decision: d, Actor: a}
}

// sendAt sends any Update at the given instant.
func (h *harness) sendAt(when time.Time, name string, arg any) *upd {
	h.t.Helper()
	u := &upd{}
	h.at(when, func() { h.update(u, name, arg) })
	return u
}
