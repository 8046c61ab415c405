package audit

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
)

// A signed export verifies with its key; a changed event (stored, then
// exported), a wrong key or a missing event is named.
func TestVerifyExportNamesWhatBroke(t *testing.T) {
	db, err := models.Open("", filepath.Join(t.TempDir(), "db.sqlite"))
	if err == nil {
		err = models.Migrate(db, workflows.RecordModels()...)
	}
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		ev := models.Event{ID: fmt.Sprintf("SR/%d", i), ProcedureID: "SR", Kind: "k", At: time.Now(), Actor: "a"}
		if err := db.Create(&ev).Error; err != nil {
			t.Fatal(err)
		}
	}
	key, _ := ParseSigningKey(NewSigningKey())
	pub := key.Public().(ed25519.PublicKey)
	export := func() []byte {
		evs, err := models.ChainEvents(db, "SR")
		if err != nil {
			t.Fatal(err)
		}
		a, err := SignedArchive(Manifest{ProcedureID: "SR", WorkflowID: "SR"}, []File{{"history.json", []byte(`{"events":[]}`)}}, evs, key, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	broke := func(a []byte, k ed25519.PublicKey) string {
		_, _, err := VerifyExport(a, k)
		var ve *VerifyError
		if !errors.As(err, &ve) {
			t.Fatalf("verified or not a VerifyError: %v", err)
		}
		return ve.What
	}
	checks, m, err := VerifyExport(export(), pub)
	if err != nil || m.Chain.Events != 3 || len(checks) != 4 { // signature, history.json, events.json, chain
		t.Fatalf("fresh export: %v %+v %+v", err, m.Chain, checks)
	}
	other, _ := ParseSigningKey(NewSigningKey())
	if w := broke(export(), other.Public().(ed25519.PublicKey)); w != SignatureName {
		t.Errorf("wrong key: named %q", w)
	}
	db.Model(&models.Event{}).Where("id = ?", "SR/1").Update("actor", "b")
	if w := broke(export(), pub); w != "event 2 (SR/1)" {
		t.Errorf("changed event: named %q", w)
	}
	db.Model(&models.Event{}).Where("id = ?", "SR/1").Update("actor", "a")
	db.Delete(&models.Event{}, "id = ?", "SR/0")
	if w := broke(export(), pub); w != "event 2 (SR/1)" {
		t.Errorf("removed first event: named %q", w)
	}
}

// A chain rewritten in the database with every hash recomputed verifies on
// its own, but not against the head an earlier export recorded.
func TestRewrittenChainCaughtAgainstEarlierExport(t *testing.T) {
	db, err := models.Open("", filepath.Join(t.TempDir(), "db.sqlite"))
	if err == nil {
		err = models.Migrate(db, workflows.RecordModels()...)
	}
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := db.Create(&models.Event{ID: fmt.Sprintf("SR/%d", i), ProcedureID: "SR", Kind: "k", At: time.Now()}).Error; err != nil {
			t.Fatal(err)
		}
	}
	key, _ := ParseSigningKey(NewSigningKey())
	pub := key.Public().(ed25519.PublicKey)
	export := func() []byte {
		evs, _ := models.ChainEvents(db, "SR")
		a, err := SignedArchive(Manifest{ProcedureID: "SR", WorkflowID: "SR"}, nil, evs, key, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	earlier := export()
	_, em, err := VerifyExport(earlier, pub)
	if err != nil {
		t.Fatal(err)
	}
	// Rewrite event 2 and recompute every hash from there, as an attacker could.
	evs, _ := models.ChainEvents(db, "SR")
	evs[1].Actor = "someone-else"
	for i := 1; i < len(evs); i++ {
		evs[i].PrevHash = evs[i-1].Hash
		evs[i].Hash = models.EventHash(evs[i])
		db.Model(&models.Event{}).Where("id = ?", evs[i].ID).Updates(map[string]any{"actor": evs[i].Actor, "prev_hash": evs[i].PrevHash, "hash": evs[i].Hash})
	}
	db.Model(&models.ChainHead{}).Where("procedure_id = ?", "SR").Update("hash", evs[2].Hash)
	db.Create(&models.Event{ID: "SR/3", ProcedureID: "SR", Kind: "k", At: time.Now()})
	later := export()
	if _, _, err := VerifyExport(later, pub); err != nil {
		t.Fatalf("the rewritten chain should verify on its own: %v", err)
	}
	got, _ := EventsOf(later)
	var ve *VerifyError
	if err := ContinuesFrom(got, em); !errors.As(err, &ve) || ve.What != "event 3 (SR/2)" {
		t.Fatalf("rewritten chain against the earlier head: %v", err)
	}
	fresh, _ := EventsOf(export())
	if err := ContinuesFrom(fresh[:2], em); err == nil {
		t.Fatal("a chain shorter than the earlier head passed")
	}
}
