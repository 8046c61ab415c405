// Package archive keeps the durable copy of every closed workflow history
// . Temporal keeps a closed execution only for its namespace's
// retention; the archiver (workflows.HistoryArchiver) copies each one here
// first, and the audit reads fall back to the copy when Temporal has
// forgotten the execution.
//
// A history is stored as its JSON (protojson of the History, the format of
// `temporal workflow show -o json` and of the API's history endpoint)
// compressed with gzip, with the SHA-256 of the JSON. Store is the seam: the
// database (DB) is the default and the one tested; a deployment preferring an
// object store implements Store over it.
package archive

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"github.com/cityapprovals/approvals/models"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"
	"gorm.io/gorm"
)

// Store keeps archived histories.
type Store interface {
	// Put stores the history JSON of the execution rec describes (its
	// workflow and run ID, search attributes and times). Storing an
	// execution already stored changes nothing and returns false.
	Put(ctx context.Context, rec models.ArchivedHistory, history []byte) (bool, error)
	// Get returns the run of a workflow that closed last and its history
	// JSON, verified against its SHA-256; models.ErrNotArchived when no run
	// is stored.
	Get(ctx context.Context, workflowID string) (models.ArchivedHistory, []byte, error)
	// Archived returns which of the given run IDs are stored.
	Archived(ctx context.Context, runIDs []string) (map[string]bool, error)
}

// HistoryJSON encodes a history as Temporal's JSON history ({"events":[...]}),
// the format `temporal workflow show -o json` writes and the SDK's
// client.HistoryFromJSON (and so the replayer) reads.
func HistoryJSON(h *historypb.History) ([]byte, error) {
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("encode history: %w", err)
	}
	return b, nil
}

// DB is the Store in the project's database (table archived_histories).
type DB struct{ DB *gorm.DB }

// Put compresses the history, computes its SHA-256 and inserts the row once,
// through models.ArchiveHistory.
func (s DB) Put(ctx context.Context, rec models.ArchivedHistory, history []byte) (bool, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(history); err != nil {
		return false, fmt.Errorf("compress history of %s: %w", rec.WorkflowID, err)
	}
	if err := zw.Close(); err != nil {
		return false, fmt.Errorf("compress history of %s: %w", rec.WorkflowID, err)
	}
	sum := sha256.Sum256(history)
	rec.Size, rec.SHA256, rec.Gzip = len(history), hex.EncodeToString(sum[:]), buf.Bytes()
	if rec.ArchivedAt.IsZero() {
		rec.ArchivedAt = time.Now().UTC()
	}
	var created bool
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if created, err = models.ArchiveHistory(tx, &rec); err != nil || !created {
			return err
		}
		// The copy's digest enters the procedure's event chain (a procedure's
		// ID is its workflow's), so a changed archive row shows against it.
		_, err = models.ChainAppend(tx, rec.WorkflowID, models.EventHistoryArchived, rec.RunID, rec.SHA256, rec.ArchivedAt)
		return err
	})
	return created, err
}

// Get loads the latest run and decompresses its history.
func (s DB) Get(ctx context.Context, workflowID string) (models.ArchivedHistory, []byte, error) {
	rec, err := models.LatestArchived(s.DB.WithContext(ctx), workflowID)
	if err != nil {
		return rec, nil, err
	}
	b, err := Decompress(rec)
	return rec, b, err
}

// Archived looks the run IDs up.
func (s DB) Archived(ctx context.Context, runIDs []string) (map[string]bool, error) {
	return models.ArchivedRuns(s.DB.WithContext(ctx), runIDs)
}

// Decompress returns a row's history JSON and checks it against the row's
// SHA-256 and size.
func Decompress(rec models.ArchivedHistory) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(rec.Gzip))
	if err != nil {
		return nil, fmt.Errorf("archived history of %s run %s: %w", rec.WorkflowID, rec.RunID, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("archived history of %s run %s: %w", rec.WorkflowID, rec.RunID, err)
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != rec.SHA256 || len(b) != rec.Size {
		return nil, fmt.Errorf("archived history of %s run %s does not match its SHA-256", rec.WorkflowID, rec.RunID)
	}
	return b, nil
}

// Fetch reads the complete history of a workflow run (the latest run when
// runID is empty) from Temporal. An unknown execution is an error wrapping
// *serviceerror.NotFound.
func Fetch(ctx context.Context, c client.Client, workflowID, runID string) (*historypb.History, error) {
	h := &historypb.History{}
	it := c.GetWorkflowHistory(ctx, workflowID, runID, false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("read history of %s: %w", workflowID, err)
		}
		h.Events = append(h.Events, ev)
	}
	return h, nil
}

// RecordOf is an archive row for an execution as visibility lists it: its
// keys, type, times (ClosedAt zero while it runs), status and our search
// attributes. The archiver stores it; the procedure list shows visibility's
// executions through it too.
func RecordOf(e *workflowpb.WorkflowExecutionInfo) models.ArchivedHistory {
	attrs := e.GetSearchAttributes().GetIndexedFields()
	rec := models.ArchivedHistory{
		WorkflowID: e.GetExecution().GetWorkflowId(), RunID: e.GetExecution().GetRunId(),
		WorkflowType: e.GetType().GetName(), ExecutionStatus: e.GetStatus().String(),
		StartedAt: e.GetStartTime().AsTime().UTC(),
		Procedure: keyword(attrs, "Procedure"), Jurisdiction: keyword(attrs, "Jurisdiction"),
		ApprovalStatus: keyword(attrs, "ApprovalStatus"), RequesterDept: keyword(attrs, "RequesterDept"),
		ProviderDept: keyword(attrs, "ProviderDept"),
	}
	if e.GetCloseTime() != nil {
		rec.ClosedAt = e.GetCloseTime().AsTime().UTC()
	}
	if p, ok := attrs["DueAt"]; ok {
		var due time.Time
		if converter.GetDefaultDataConverter().FromPayload(p, &due) == nil && !due.IsZero() {
			due = due.UTC()
			rec.DueAt = &due
		}
	}
	if p, ok := attrs["Overdue"]; ok {
		var b bool
		if converter.GetDefaultDataConverter().FromPayload(p, &b) == nil {
			rec.Overdue = &b
		}
	}
	return rec
}

// keyword decodes a string search attribute, "" when absent.
func keyword(attrs map[string]*commonpb.Payload, name string) string {
	var v string
	if p, ok := attrs[name]; ok {
		_ = converter.GetDefaultDataConverter().FromPayload(p, &v)
	}
	return v
}
