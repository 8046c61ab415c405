package models

import (
	"testing"
	"time"
)

// Two objections hold one item suspended: it reopens only when both have
// released it, every change of state is on the item's history once, and a
// withdrawal stays.
func TestHoldsCountedPerItem(t *testing.T) {
	db := testDB(t)
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	step := func(c HoldChange, wantFrom, wantTo string) {
		t.Helper()
		c.ItemID, c.At = "I", at
		from, to, err := ChangeHold(db, c)
		if err != nil {
			t.Fatal(err)
		}
		if from != wantFrom || to != wantTo {
			t.Fatalf("%+v: %s → %s, want %s → %s", c, from, to, wantFrom, wantTo)
		}
		if why, _ := Unavailable(db, "I"); (why == "") != (to == AvailabilityOpen) {
			t.Fatalf("Unavailable = %q in state %s", why, to)
		}
	}
	if a, _ := Availability(db, "I"); a.State != AvailabilityOpen {
		t.Fatalf("a fresh item is %s", a.State)
	}
	step(HoldChange{ObjectionID: "A", Hold: true}, AvailabilityOpen, AvailabilitySuspended)
	step(HoldChange{ObjectionID: "A", Hold: true}, AvailabilitySuspended, AvailabilitySuspended) // twice: no effect
	step(HoldChange{ObjectionID: "B", Hold: true}, AvailabilitySuspended, AvailabilitySuspended)
	step(HoldChange{ObjectionID: "A"}, AvailabilitySuspended, AvailabilitySuspended)
	if a, _ := Availability(db, "I"); a.Holds != 1 {
		t.Fatalf("holds %d, want 1", a.Holds)
	}
	step(HoldChange{ObjectionID: "B"}, AvailabilitySuspended, AvailabilityOpen)
	step(HoldChange{ObjectionID: "C", Withdraw: true}, AvailabilityOpen, AvailabilityWithdrawn)
	step(HoldChange{ObjectionID: "D"}, AvailabilityWithdrawn, AvailabilityWithdrawn)
	var hist []AvailabilityChange
	if err := db.Order("at, id").Find(&hist, "item_id = ?", "I").Error; err != nil {
		t.Fatal(err)
	}
	if len(hist) != 3 || hist[0].To != AvailabilitySuspended || hist[1].To != AvailabilityOpen || hist[2].To != AvailabilityWithdrawn {
		t.Fatalf("history %+v", hist)
	}
}
