package workflows_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/stretchr/testify/require"
)

// TestEveryProcedureOutcomeIsNotified files a record of every procedure a
// department files and writes each event kind that ends it (its
// Outcomes, and a failure): the filer gets one outcome message each, and an
// event of a step that does not end it (filed) tells nobody.
func TestEveryProcedureOutcomeIsNotified(t *testing.T) {
	db, err := models.Open("", t.TempDir()+"/db.sqlite")
	require.NoError(t, err)
	require.NoError(t, models.Migrate(db, workflows.RecordModels()...))
	at := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	filed := 0
	for _, d := range workflows.Procedures {
		if d.Filer == "" {
			continue
		}
		filed++
		require.NotEmpty(t, d.Outcomes, "%s names its filer but no event kind that ends it", d.Name)
		id, dept := d.Prefix+"1", "DEPT-"+d.Name
		rec := d.Record()
		require.NoError(t, db.Statement.Parse(rec))
		v := reflect.ValueOf(rec)
		for col, val := range map[string]string{"id": id, "workflow_id": id, "jurisdiction": "wuhan", "status": "pending", d.Filer: dept} {
			f := db.Statement.Schema.LookUpField(col)
			require.NotNil(t, f, "%s has no column %s", d.Name, col)
			require.NoError(t, f.Set(context.Background(), v, val))
		}
		require.NoError(t, db.Create(rec).Error, d.Name)
		for i, kind := range append([]string{"filed", models.StatusFailed}, d.Outcomes...) {
			ev := models.Event{ID: id + "/outcome/" + kind, ProcedureID: id, Kind: kind, Detail: "the " + kind, At: at.Add(time.Duration(i) * time.Minute)}
			require.NoError(t, db.Create(&ev).Error)
			var msgs []models.Message
			require.NoError(t, db.Find(&msgs, "event_id = ?", ev.ID).Error)
			if kind == "filed" {
				require.Empty(t, msgs, "%s: a filing ends nothing", d.Name)
				continue
			}
			require.Len(t, msgs, 1, "%s: the outcome %s is told", d.Name, kind)
			require.Equal(t, dept, msgs[0].Recipient, d.Name)
			require.Equal(t, models.NoticeOutcome, msgs[0].Kind, d.Name)
		}
	}
	require.GreaterOrEqual(t, filed, 11, "the procedures a department files")
}
