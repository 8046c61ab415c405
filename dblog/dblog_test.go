package dblog_test

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/dblog"
	"github.com/cityapprovals/approvals/models"
	"github.com/rs/zerolog"
)

// TestSlowQueryLogged: on a real (SQLite) database a query over the
// threshold is logged with its SQL and duration, and a fast one is not.
func TestSlowQueryLogged(t *testing.T) {
	db, err := models.Open("", filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	db.Logger = dblog.New(zerolog.New(&buf), 50*time.Millisecond)
	var n int64
	if err := db.Raw("SELECT 1").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 0 {
		t.Fatalf("a fast query was logged: %s", buf.String())
	}
	// A recursive count to some millions takes well over 50 ms.
	slow := "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 3000000) SELECT count(*) FROM c"
	if err := db.Raw(slow).Scan(&n).Error; err != nil || n != 3000000 {
		t.Fatalf("slow query: %d %v", n, err)
	}
	var line struct {
		Level, Message, SQL string
		Took                float64
	}
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("log %q: %v", buf.String(), err)
	}
	if line.Level != "warn" || line.Message != "slow database query" || !strings.Contains(line.SQL, "WITH RECURSIVE") || line.Took < 50 {
		t.Fatalf("log line: %+v", line)
	}
}
