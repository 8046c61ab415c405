package models

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// pgDB opens PostgreSQL at DATABASE_URL (default the local test database) on
// a fresh schema dropped afterwards. Without a reachable server it skips,
// unless REQUIRE_POSTGRES=1 (CI) makes that a failure.
func pgDB(t *testing.T) *gorm.DB {
	t.Helper()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	admin, err := Open(url, "")
	if err == nil {
		err = admin.Exec("SELECT 1").Error
	}
	if err != nil {
		if os.Getenv("REQUIRE_POSTGRES") == "1" {
			t.Fatalf("PostgreSQL required: %v", err)
		}
		t.Skipf("no PostgreSQL at %s: %v", url, err)
	}
	schema := fmt.Sprintf("models_%d_%d", os.Getpid(), time.Now().UnixNano())
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP SCHEMA " + schema + " CASCADE") })
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	db, err := Open(url+sep+"search_path="+schema, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := Migrate(db); err != nil {
		t.Fatal(err)
	}
	return db
}

func chainDBs(t *testing.T) map[string]func(*testing.T) *gorm.DB {
	return map[string]func(*testing.T) *gorm.DB{"sqlite": testDB, "postgres": pgDB}
}

// Concurrent appends to one procedure, each event also written a second time
// as a retried activity would, give one linear chain: 1..N, each linked to
// the one before, no event chained twice.
func TestChainStaysLinearUnderConcurrentWrites(t *testing.T) {
	for name, open := range chainDBs(t) {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			const writers, each = 8, 6
			var wg sync.WaitGroup
			errs := make(chan error, writers*each*2)
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range each {
						ev := Event{ID: fmt.Sprintf("p1/w%d/%d", w, i), ProcedureID: "p1", Kind: "k", At: time.Now(), Detail: "d"}
						for range 2 { // the retry finds the event and must not chain it again
							e := ev
							err := db.Transaction(func(tx *gorm.DB) error {
								return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&e).Error
							})
							if err != nil {
								errs <- err
							}
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			evs, err := ChainEvents(db, "p1")
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != writers*each {
				t.Fatalf("%d events stored, want %d", len(evs), writers*each)
			}
			for i, e := range evs {
				if e.Seq != int64(i+1) {
					t.Fatalf("event %d has seq %d", i, e.Seq)
				}
			}
			if b, err := VerifyChain(db, "p1"); err != nil || b != nil {
				t.Fatalf("chain broken: %v %v", b, err)
			}
		})
	}
}

// A changed field, a removed last event or a reordering is found and named.
func TestChainNamesTheFirstBrokenEvent(t *testing.T) {
	db := testDB(t)
	at := time.Date(2026, 3, 2, 9, 0, 0, 123456789, time.UTC)
	for i := range 4 {
		ev := Event{ID: fmt.Sprintf("p/%d", i), ProcedureID: "p", Kind: "k", At: at.Add(time.Duration(i) * time.Minute), Detail: "ok"}
		if err := db.Create(&ev).Error; err != nil {
			t.Fatal(err)
		}
	}
	if b, err := VerifyChain(db, "p"); err != nil || b != nil {
		t.Fatalf("fresh chain: %v %v", b, err)
	}
	if err := db.Model(&Event{}).Where("id = ?", "p/1").Update("detail", "changed").Error; err != nil {
		t.Fatal(err)
	}
	b, err := VerifyChain(db, "p")
	if err != nil || b == nil || b.EventID != "p/1" || b.Seq != 2 || !strings.Contains(b.Reason, "changed") {
		t.Fatalf("changed detail: got %v %v, want event p/1 (seq 2)", b, err)
	}
	db.Model(&Event{}).Where("id = ?", "p/1").Update("detail", "ok")
	if err := db.Delete(&Event{}, "id = ?", "p/3").Error; err != nil {
		t.Fatal(err)
	}
	if b, _ := VerifyChain(db, "p"); b == nil || !strings.Contains(b.Reason, "removed") {
		t.Fatalf("removed last event: got %v", b)
	}
	evs, _ := ChainEvents(db, "p")
	evs[0], evs[1] = evs[1], evs[0]
	if b := CheckChain(evs); b == nil || b.EventID != "p/1" {
		t.Fatalf("reordered: got %v", b)
	}
}

// Events stored before the chain existed are chained by Migrate in time
// order, and later events continue that chain.
func TestMigrateBackfillsTheChain(t *testing.T) {
	for name, open := range chainDBs(t) {
		t.Run(name, func(t *testing.T) { testBackfill(t, open(t)) })
	}
}

func testBackfill(t *testing.T, db *gorm.DB) {
	raw := db.Session(&gorm.Session{SkipHooks: true})
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for i, id := range []string{"old/b", "old/a", "old/c"} {
		if err := raw.Create(&Event{ID: id, ProcedureID: "old", Kind: "k", At: at.Add(time.Duration(-i) * time.Hour)}).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := Migrate(db); err != nil {
		t.Fatal(err)
	}
	if err := db.Create(&Event{ID: "old/d", ProcedureID: "old", Kind: "k", At: at.Add(time.Hour)}).Error; err != nil {
		t.Fatal(err)
	}
	evs, _ := ChainEvents(db, "old")
	var order []string
	for _, e := range evs {
		order = append(order, e.ID)
	}
	if got := strings.Join(order, ","); got != "old/c,old/a,old/b,old/d" {
		t.Fatalf("chain order %s", got)
	}
	if b, err := VerifyChain(db, "old"); err != nil || b != nil {
		t.Fatalf("backfilled chain: %v %v", b, err)
	}
}
