package audit

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/models"
)

// A signed export verifies with its key; a changed event (stored, then
// exported), a wrong key or a missing event is named.
func TestVerifyExportNamesWhatBroke(t *testing.T) {
	db, err := models.Open("", filepath.Join(t.TempDir(), "db.sqlite"))
	if err == nil {
		err = models.Migrate(db)
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
		a, err := SignedArchive("SR", "SR", []File{{"history.json", []byte(`{"events":[]}`)}}, evs, key, time.Now())
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
