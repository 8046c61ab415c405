package archive

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/models"
)

// A history is stored once, compressed, with its SHA-256; the copy that
// closed last is the one read back, and a damaged copy is refused.
func TestDBStore(t *testing.T) {
	db, err := models.Open("", t.TempDir()+"/db.sqlite")
	if err != nil {
		t.Fatal(err)
	}
	if err := models.Migrate(db); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s := DB{DB: db}
	if _, _, err := s.Get(ctx, "sr-1"); !errors.Is(err, models.ErrNotArchived) {
		t.Fatalf("get before archiving: %v", err)
	}
	closed := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	first := bytes.Repeat([]byte(`{"events":[{"eventId":"1"}]}`), 100)
	rec := models.ArchivedHistory{WorkflowID: "sr-1", RunID: "run-a", WorkflowType: "ShareRequest",
		ExecutionStatus: "Completed", StartedAt: closed.Add(-time.Hour), ClosedAt: closed, Events: 1}
	for i, want := range []bool{true, false} {
		created, err := s.Put(ctx, rec, first)
		if err != nil || created != want {
			t.Fatalf("put #%d: created %v, %v; want %v", i+1, created, err, want)
		}
	}
	later := rec
	later.RunID, later.ClosedAt = "run-b", closed.Add(time.Hour)
	second := []byte(`{"events":[{"eventId":"2"}]}`)
	if _, err := s.Put(ctx, later, second); err != nil {
		t.Fatal(err)
	}
	var n int64
	db.Model(&models.ArchivedHistory{}).Count(&n)
	if n != 2 {
		t.Fatalf("%d rows, want 2", n)
	}
	got, b, err := s.Get(ctx, "sr-1")
	if err != nil || got.RunID != "run-b" || !bytes.Equal(b, second) {
		t.Fatalf("latest run: %s %q, %v", got.RunID, b, err)
	}
	var row models.ArchivedHistory
	db.First(&row, "run_id = ?", "run-a")
	if row.Size != len(first) || len(row.Gzip) >= len(first) || len(row.SHA256) != 64 {
		t.Fatalf("stored %d bytes of %d, sha %q", len(row.Gzip), row.Size, row.SHA256)
	}
	have, err := s.Archived(ctx, []string{"run-a", "run-x"})
	if err != nil || !have["run-a"] || have["run-x"] {
		t.Fatalf("archived runs %v, %v", have, err)
	}
	row.SHA256 = "00" + row.SHA256[2:]
	if _, err := Decompress(row); err == nil {
		t.Fatal("a copy not matching its SHA-256 was read")
	}
}
