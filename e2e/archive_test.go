package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/api"
	"github.com/cityapprovals/approvals/archive"
	"github.com/cityapprovals/approvals/audit"
	"github.com/cityapprovals/approvals/codec"
	"github.com/cityapprovals/approvals/devserver"
	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"
	"gorm.io/gorm"
)

// stackDB opens the stack's database (PostgreSQL, or dev's SQLite), to look
// at the archive's rows.
func stackDB(t *testing.T) *gorm.DB {
	t.Helper()
	db, err := models.Open(sys.dbURL, filepath.Join(sys.dir, "data", "approvals.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	return db
}

// archivedCount counts the archived runs of each workflow.
func archivedCount(t *testing.T, db *gorm.DB, ids []string) map[string]int {
	t.Helper()
	var rows []struct {
		WorkflowID string
		N          int
	}
	if err := db.Model(&models.ArchivedHistory{}).Select("workflow_id, count(*) AS n").
		Where("workflow_id IN ?", ids).Group("workflow_id").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.WorkflowID] = r.N
	}
	return out
}

// waitArchived polls until every workflow has an archived run.
func waitArchived(t *testing.T, db *gorm.DB, ids ...string) {
	t.Helper()
	eventually(t, 60*time.Second, "the archiver has copied "+strings.Join(ids, ", "), func() bool {
		return len(archivedCount(t, db, ids)) == len(ids)
	})
}

func temporalClient(t *testing.T) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: sys.temporal.Address, Namespace: namespace, Logger: quiet{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// deleteExecutions deletes workflows' executions from Temporal with the
// temporal CLI, as retention would, and waits until Temporal and its
// visibility no longer have them (the dev server deletes a closed execution
// some 20 s after it is asked to).
func deleteExecutions(t *testing.T, c client.Client, ids ...string) {
	t.Helper()
	cli, err := devserver.FindBinary()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		out, err := exec.Command(cli, "workflow", "delete", "--address", sys.temporal.Address, "--namespace", namespace, "--workflow-id", id).CombinedOutput()
		if err != nil {
			t.Fatalf("temporal workflow delete %s: %v\n%s", id, err, out)
		}
	}
	for _, id := range ids {
		eventually(t, 90*time.Second, id+" is gone from Temporal", func() bool {
			_, err := c.DescribeWorkflow(context.Background(), id, "")
			var nf *serviceerror.NotFound
			if !errors.As(err, &nf) {
				return false
			}
			resp, err := c.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: "WorkflowId = '" + id + "'"})
			return err == nil && len(resp.GetExecutions()) == 0
		})
	}
}

// Procedures of three kinds are archived once closed; after Temporal has
// deleted their executions (as retention does) every audit read still works
// from the archive and says so. A procedure whose execution went before it
// was archived answers with its database timeline and "expired", not 404.
func TestAuditReadsAfterRetention(t *testing.T) {
	db := stackDB(t)
	tc := temporalClient(t)
	auditor := sys.as(t, "audrey", api.RoleAuditor, "", "")
	// The day (Beijing time) before anything is filed: the searches below
	// find every procedure of this test from it, even across midnight.
	today := time.Now().In(holidays.Shanghai).Format(time.DateOnly)

	xm := newWorld(t, "xiamen")
	share, pending := decided(t, xm) // a share request granted by both deciders
	wh := newWorld(t, "wuhan")
	change := wh.prov.do("POST", "/api/v1/catalog/changes", map[string]any{"jurisdiction": "wuhan", "reason": "职能调整",
		"operations": []any{map[string]any{"op": "delete", "item_id": wh.items["conditional"]}}}).must(t, 201).str("id")
	decide(t, wh.authority, openTask(t, wh.authority, "catalog_change", change), map[string]any{"decision": "approve"}, 200)
	cs := newOpenWorld(t, "changsha")
	app := cs.app.do("POST", "/api/v1/open-applications", cs.application(cs.items["conditional"]), "Idempotency-Key", uniq("key")).must(t, 201).str("id")
	decide(t, cs.prov, openTask(t, cs.prov, "open_application", app),
		map[string]any{"decision": "reject", "reason": "数据质量待核", "legal_basis": "《长沙市政务数据资源管理办法》第二十四条"}, 200)
	procs := []string{share, change, app}
	before := map[string][]byte{}
	for _, id := range procs {
		waitClosed(t, id)
		r := auditor.do("GET", "/api/v1/procedures/"+id+"/history", nil).must(t, 200)
		if r.str("source") != "temporal" {
			t.Fatalf("%s before deletion: source %q", id, r.str("source"))
		}
		before[id] = r.Raw
	}
	waitArchived(t, db, procs...)
	deleteExecutions(t, tc, procs...)

	for _, id := range procs {
		// The history is the same, from the archive.
		h := auditor.do("GET", "/api/v1/procedures/"+id+"/history", nil).must(t, 200)
		if h.str("source") != "archive" || h.Header.Get("X-History-Source") != "archive" {
			t.Fatalf("%s history after deletion: source %q, header %q", id, h.str("source"), h.Header.Get("X-History-Source"))
		}
		was, err := workflows.ReadHistoryJSON(bytes.NewReader(before[id]))
		if err != nil {
			t.Fatal(err)
		}
		now, err := workflows.ReadHistoryJSON(bytes.NewReader(h.Raw))
		if err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(was, now) {
			t.Fatalf("%s: the archived history differs from Temporal's", id)
		}
		// Replay from the archive.
		rp := auditor.do("POST", "/api/v1/audit/replay", map[string]any{"procedure_id": id}).must(t, 200)
		if rp.str("result") != "consistent" || rp.str("source") != "archive" {
			t.Fatalf("%s replay after deletion: %s", id, rp.Raw)
		}
		// The export: its history is the archived copy (intact: its SHA-256 is
		// the one archived), its payloads decrypted.
		ex := auditor.do("GET", "/api/v1/procedures/"+id+"/export", nil).must(t, 200)
		files, m, err := audit.Verify(ex.Raw)
		if err != nil {
			t.Fatal(err)
		}
		var row models.ArchivedHistory
		if err := db.First(&row, "workflow_id = ?", id).Error; err != nil {
			t.Fatal(err)
		}
		stored, err := archive.Decompress(row)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(stored)
		sh, err := workflows.ReadHistoryJSON(bytes.NewReader(stored))
		if err != nil {
			t.Fatal(err)
		}
		if err := codec.DecodeHistory(context.Background(), sys.codec, sh); err != nil {
			t.Fatal(err)
		}
		// protojson's spacing differs between binaries: compare the histories, not their bytes.
		got, err := workflows.ReadHistoryJSON(bytes.NewReader(files["history.json"]))
		if err != nil {
			t.Fatal(err)
		}
		same := proto.Equal(got, sh)
		if m.Source != "archive" || hex.EncodeToString(sum[:]) != row.SHA256 || !same {
			t.Fatalf("%s export: manifest source %q, stored SHA-256 %x (archived %s), history as archived and decrypted: %v",
				id, m.Source, sum, row.SHA256, same)
		}
		if err := workflows.ReplayJSON(bytes.NewReader(files["history.json"])); err != nil {
			t.Fatalf("%s: exported archived history does not replay: %v", id, err)
		}
		// The timeline is the database's, and says where the history is.
		tl := auditor.do("GET", "/api/v1/procedures/"+id+"/timeline", nil).must(t, 200)
		if tl.str("source") != "archive" || len(tl.Body["entries"].([]any)) == 0 {
			t.Fatalf("%s timeline after deletion: %.400s", id, tl.Raw)
		}
	}
	// approvals replay --workflow-id reads the archive too.
	cmd := exec.Command(sys.bin, "replay", "--workflow-id", share, "--data-dir", filepath.Join(sys.dir, "data"))
	cmd.Env = sys.env
	if out, err := cmd.CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "consistent") || !strings.Contains(string(out), "(archive)") {
		t.Fatalf("approvals replay --workflow-id after deletion: %v: %s", err, out)
	}
	// The list still lists them, from the archive, with their attributes.
	for _, c := range []struct{ id, city, procedure, status string }{
		{share, "xiamen", "share_request", "granted"}, {change, "wuhan", "catalog_change", ""}, {app, "changsha", "open_application", "rejected"},
	} {
		q := url.Values{"jurisdiction": {c.city}, "procedure": {c.procedure}, "from": {today}, "page_size": {"500"}}
		got := ids(eventuallyListed(t, auditor, "/api/v1/procedures?"+q.Encode(), func(r reply) bool {
			return ids(r)[c.id]["source"] == "archive"
		}))[c.id]
		if got["execution_status"] != "Completed" || got["closed_at"] == "" || (c.status != "" && got["approval_status"] != c.status) {
			t.Fatalf("%s listed from the archive as %v", c.id, got)
		}
		// A filter the archived one does not match leaves it out.
		q.Set("status", "pending")
		if ids(auditor.do("GET", "/api/v1/procedures?"+q.Encode(), nil).must(t, 200))[c.id] != nil {
			t.Fatalf("status=pending lists archived %s", c.id)
		}
	}
	// Paging walks Temporal's procedures, then the archive's, each once.
	q := url.Values{"from": {today}, "page_size": {"3"}}
	seen := map[string]int{}
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("paging does not end")
		}
		r := auditor.do("GET", "/api/v1/procedures?"+q.Encode(), nil).must(t, 200)
		if len(r.items()) > 3 {
			t.Fatalf("a page of %d, page_size 3", len(r.items()))
		}
		for _, it := range r.items() {
			seen[it["id"].(string)]++
		}
		if r.str("next_page_token") == "" {
			break
		}
		q.Set("page_token", r.str("next_page_token"))
	}
	for _, id := range append(procs, pending) {
		if seen[id] != 1 {
			t.Fatalf("%s listed %d times across the pages", id, seen[id])
		}
	}

	// The pending request's execution goes while no worker (and so no
	// archiver) runs: its history is lost to Temporal and not archived.
	sys.worker.kill()
	deleteExecutions(t, tc, pending)
	if err := sys.startWorker(); err != nil {
		t.Fatal(err)
	}
	if err := sys.waitReady(); err != nil {
		t.Fatal(err)
	}
	if n := archivedCount(t, db, []string{pending}); n[pending] != 0 {
		t.Fatalf("the deleted running request was archived: %v", n)
	}
	for _, r := range []reply{
		auditor.do("GET", "/api/v1/procedures/"+pending+"/history", nil),
		auditor.do("GET", "/api/v1/procedures/"+pending+"/export", nil),
		auditor.do("POST", "/api/v1/audit/replay", map[string]any{"procedure_id": pending}),
	} {
		r.must(t, 410)
		tl, _ := r.Body["timeline"].(map[string]any)
		if r.Header.Get("Content-Type") != "application/problem+json" || r.str("source") != "expired" ||
			!strings.Contains(r.str("detail"), "expired after 30 days") || r.Body["retention_days"] != 30.0 ||
			tl == nil || tl["id"] != pending || len(tl["entries"].([]any)) == 0 {
			t.Fatalf("expired history answered %s", r.Raw)
		}
	}
	tl := auditor.do("GET", "/api/v1/procedures/"+pending+"/timeline", nil).must(t, 200)
	if tl.str("source") != "expired" || !strings.Contains(tl.str("note"), "expired after 30 days") {
		t.Fatalf("timeline of the expired one: %.400s", tl.Raw)
	}
	auditor.do("GET", "/api/v1/procedures/nope/history", nil).must(t, 404)
	auditor.do("POST", "/api/v1/audit/replay", map[string]any{"procedure_id": "nope"}).must(t, 404)
}

// The worker is killed while the archiver archives a page of many closed
// executions; the restarted worker resumes the pass from its heartbeat and
// every execution ends up archived exactly once.
func TestArchiverKilledMidPageResumes(t *testing.T) {
	db := stackDB(t)
	tc := temporalClient(t)
	ctx := context.Background()
	// A slow archiver: four histories a second, in pages of 100.
	sys.worker.stop()
	if err := sys.startWorker("APPROVALS_ARCHIVE_RATE=4", "APPROVALS_ARCHIVE_PAGE_SIZE=100"); err != nil {
		t.Fatal(err)
	}
	if err := sys.waitReady(); err != nil {
		t.Fatal(err)
	}
	// 30 executions closed at once: started on a queue no worker polls, then
	// terminated.
	var fillers []string
	for range 30 {
		id := uniq("filler")
		if _, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: "e2e-nobody-polls"}, "E2EFiller"); err != nil {
			t.Fatal(err)
		}
		if err := tc.TerminateWorkflow(ctx, id, "", "closed for the archiver test"); err != nil {
			t.Fatal(err)
		}
		fillers = append(fillers, id)
	}
	eventually(t, 60*time.Second, "the archiver is inside the page", func() bool { return len(archivedCount(t, db, fillers)) >= 3 })
	desc, err := tc.DescribeWorkflow(ctx, workflows.ArchiverID, "")
	if err != nil {
		t.Fatal(err)
	}
	sys.worker.kill()
	if n := len(archivedCount(t, db, fillers)); n == len(fillers) {
		t.Fatal("the archiver finished the page before the worker was killed")
	}
	if err := sys.startWorker(); err != nil {
		t.Fatal(err)
	}
	if err := sys.waitReady(); err != nil {
		t.Fatal(err)
	}
	waitArchived(t, db, fillers...)
	for id, n := range archivedCount(t, db, fillers) {
		if n != 1 {
			t.Fatalf("%s archived %d times", id, n)
		}
	}
	var rows int64
	if err := db.Model(&models.ArchivedHistory{}).Where("workflow_id IN ?", fillers).Count(&rows).Error; err != nil || rows != int64(len(fillers)) {
		t.Fatalf("%d archive rows for %d executions (%v)", rows, len(fillers), err)
	}
	// The killed pass was retried (not started over by a new pass) and
	// resumed from its heartbeat.
	run := desc.RawResponse.GetWorkflowExecutionInfo().GetExecution().GetRunId()
	eventually(t, 60*time.Second, "the archiver's history shows the pass retried", func() bool {
		it := tc.GetWorkflowHistory(ctx, workflows.ArchiverID, run, false, 0)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				return false
			}
			if a := ev.GetActivityTaskStartedEventAttributes(); a != nil && a.GetAttempt() > 1 {
				return true
			}
		}
		return false
	})
	if !strings.Contains(tail(sys.worker.log), "archiver resumes its pass") {
		t.Fatal("the restarted worker did not resume the pass from its heartbeat")
	}
	// The archiver's run so far, with its retried pass, replays on the
	// current code (and is one of the recorded histories).
	hist, err := archive.Fetch(ctx, tc, workflows.ArchiverID, run)
	if err != nil {
		t.Fatal(err)
	}
	if err := codec.DecodeHistory(ctx, sys.codec, hist); err != nil {
		t.Fatal(err)
	}
	if err := workflows.Replay(hist); err != nil {
		t.Fatalf("the archiver's history does not replay: %v", err)
	}
	raw, err := archive.HistoryJSON(hist)
	if err != nil {
		t.Fatal(err)
	}
	recordHistory(t, "history-archiver-resumed", func() []byte { return raw })
	// The archived copy of a terminated execution is its whole history:
	// started, its first workflow task scheduled, terminated.
	var row models.ArchivedHistory
	if err := db.First(&row, "workflow_id = ?", fillers[0]).Error; err != nil || row.ExecutionStatus != "Terminated" || row.Events != 3 || row.WorkflowType != "E2EFiller" {
		t.Fatalf("archived filler: %s %d events, type %s (%v)", row.ExecutionStatus, row.Events, row.WorkflowType, err)
	}
}
