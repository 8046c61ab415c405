package workflows_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/activities"
	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"gorm.io/gorm"
)

const (
	reqID    = "SR-1"
	wfID     = "share-SR-1"
	provider = "PROV-1"
	reqDept  = "REQ-1"
)

// Task IDs of the request under test.
const (
	deptTask        = reqID + ".decision.department"
	authTask        = reqID + ".decision.authority"
	supervisionTask = reqID + ".decision.supervision"
)

// bj returns a Beijing wall-clock instant.
func bj(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, holidays.Shanghai)
}

// midnightAfter is 24:00 Beijing time of the date "YYYY-MM-DD".
func midnightAfter(t *testing.T, date string) time.Time {
	t.Helper()
	d, err := holidays.ParseDate(date)
	require.NoError(t, err)
	return d.AddDate(0, 0, 1)
}

// harness runs one ShareRequest workflow on the test environment with the
// real activities and a fresh SQLite database.
type harness struct {
	t     *testing.T
	suite testsuite.WorkflowTestSuite
	env   *testsuite.TestWorkflowEnvironment
	db    *gorm.DB
	start time.Time
	in    workflows.ShareInput
	seq   int
}

func profile(t *testing.T, city string) regulations.Profile {
	t.Helper()
	reg, err := regulations.Load("")
	require.NoError(t, err)
	p, ok := reg.Get(city)
	require.True(t, ok, "profile %s", city)
	return p
}

func newHarness(t *testing.T, city, shareType string, filed time.Time) *harness {
	t.Helper()
	h := newEnv(t, filed, wfID)
	h.in = workflows.ShareInput{
		Request: models.ShareRequest{
			Header:        models.Header{ID: reqID, WorkflowID: wfID, Jurisdiction: city},
			CatalogItemID: "ITEM-1",
			RequesterDept: reqDept,
			ProviderDept:  provider,
			RequestedBy:   "alice",
			Purpose:       "核验企业资质",
			Scenario:      "审批",
			DataItems:     []string{"name", "licence"},
			FiledAt:       filed,
		},
		Item: models.CatalogItem{
			ID: "ITEM-1", Jurisdiction: city, ProviderDept: provider, Title: "企业登记信息",
			ShareType: shareType, OpenType: models.OpenNotOpen,
		},
		Profile: profile(t, city),
	}
	return h
}

// newEnv is a test environment starting at start, running workflow ID id
// with every workflow and the real activities on a fresh SQLite database.
func newEnv(t *testing.T, start time.Time, id string) *harness {
	t.Helper()
	db, err := models.Open("", t.TempDir()+"/db.sqlite")
	require.NoError(t, err)
	require.NoError(t, models.Migrate(db, workflows.RecordModels()...))
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			_ = sqlDB.Close()
		}
	})
	h := &harness{t: t, db: db, start: start}
	h.suite.SetLogger(nopLogger{})
	h.env = h.suite.NewTestWorkflowEnvironment()
	h.env.SetTestTimeout(time.Minute)
	h.env.SetStartTime(start)
	h.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: id, TaskQueue: workflows.TaskQueue})
	h.env.RegisterWorkflow(workflows.ShareRequest)
	h.env.RegisterWorkflow(workflows.CatalogUpdate)
	h.env.RegisterWorkflow(workflows.CatalogChange)
	h.env.RegisterWorkflow(workflows.Objection) // procedure 4
	h.env.RegisterActivity(&activities.Activities{DB: db, Calendars: models.NewCalendarStore(db), Calendar: holidays.Default, Records: workflows.Records()})
	return h
}

// run executes the workflow to its end and returns its result.
func (h *harness) run() workflows.ShareResult {
	h.t.Helper()
	return complete[workflows.ShareResult](h.t, h.env, workflows.ShareRequest, h.in)
}

// at runs fn at the given Beijing instant of the mock clock.
func (h *harness) at(when time.Time, fn func()) {
	h.t.Helper()
	d := when.Sub(h.start)
	require.Positive(h.t, d, "callback at %s is not after the start %s", when, h.start)
	h.env.RegisterDelayedCallback(fn, d)
}

// upd records what happened to one decide Update.
type upd struct {
	accepted  bool
	rejected  error
	completed bool
	view      workflows.DecideResult
	err       error
}

// send sends the decide Update now (from inside a callback).
func (h *harness) send(d workflows.Decision) *upd {
	u := &upd{}
	h.sendTo(u, d)
	return u
}

func (h *harness) sendTo(u *upd, d workflows.Decision) { h.update(u, workflows.UpdateDecide, d) }

// update sends the named Update with its argument now; its answer, if a
// DecideResult, lands in u.view, and u.raw keeps it in any case.
func (h *harness) update(u *upd, name string, arg any) {
	h.seq++
	h.env.UpdateWorkflow(name, fmt.Sprintf("upd-%d", h.seq), &testsuite.TestUpdateCallback{
		OnAccept: func() { u.accepted = true },
		OnReject: func(err error) { u.rejected = err },
		OnComplete: func(v interface{}, err error) {
			u.completed, u.err = true, err
			switch x := v.(type) {
			case workflows.DecideResult:
				u.view = x
			case *workflows.DecideResult:
				u.view = *x
			case converter.EncodedValue:
				if x != nil && x.HasValue() {
					_ = x.Get(&u.view)
				}
			}
		},
	}, arg)
}

// decideAt sends the decide Update at the given instant.
func (h *harness) decideAt(when time.Time, d workflows.Decision) *upd {
	h.t.Helper()
	u := &upd{}
	h.at(when, func() { h.sendTo(u, d) })
	return u
}

// requireAccepted checks that an Update was accepted and completed.
func requireAccepted(t *testing.T, u *upd, taskID, decision string) {
	t.Helper()
	require.NoError(t, u.rejected, "update rejected")
	require.True(t, u.accepted, "update not accepted")
	require.True(t, u.completed, "update not completed")
	require.NoError(t, u.err)
	require.Equal(t, workflows.DecideResult{TaskID: taskID, Status: models.TaskDone, Decision: decision}, u.view)
}

// requireRejected checks that an Update was refused by the validator with
// the given application error type.
func requireRejected(t *testing.T, u *upd, errType string) {
	t.Helper()
	require.False(t, u.accepted, "update was accepted")
	require.False(t, u.completed, "update completed")
	require.Error(t, u.rejected, "update not rejected")
	var ae *temporal.ApplicationError
	require.True(t, errors.As(u.rejected, &ae), "rejection %v (%T) is not an ApplicationError", u.rejected, u.rejected)
	require.Equal(t, errType, ae.Type(), "rejection: %v", u.rejected)
}

func provAct() workflows.Actor {
	return workflows.Actor{Subject: "bob", Role: regulations.RoleDepartment, Dept: provider}
}

func authAct(city string) workflows.Actor {
	return workflows.Actor{Subject: "carol", Role: regulations.RoleAuthority, Jurisdiction: city}
}

func approve(task string, a workflows.Actor) workflows.Decision {
	return workflows.Decision{TaskID: task, Decision: workflows.DecisionApprove, Actor: a}
}

// --- database helpers ---

func (h *harness) request() models.ShareRequest {
	h.t.Helper()
	return stored[models.ShareRequest](h.t, h.db, reqID)
}

func (h *harness) task(id string) models.Task {
	h.t.Helper()
	var tk models.Task
	require.NoError(h.t, h.db.First(&tk, "id = ?", id).Error, "task %s", id)
	return tk
}

func (h *harness) tasks() []models.Task {
	h.t.Helper()
	var ts []models.Task
	require.NoError(h.t, h.db.Order("id").Find(&ts).Error)
	return ts
}

func (h *harness) taskIDs() []string {
	var ids []string
	for _, tk := range h.tasks() {
		ids = append(ids, tk.ID)
	}
	return ids
}

func (h *harness) grants() []models.Grant {
	h.t.Helper()
	var gs []models.Grant
	require.NoError(h.t, h.db.Order("id").Find(&gs).Error)
	return gs
}

func (h *harness) events() []models.Event {
	h.t.Helper()
	var es []models.Event
	require.NoError(h.t, h.db.Order("at, id").Find(&es).Error)
	return es
}

// event returns the event with the given kind (and task ID, if not empty).
func (h *harness) event(kind, taskID string) (models.Event, bool) {
	for _, e := range h.events() {
		if e.Kind == kind && (taskID == "" || e.TaskID == taskID) {
			return e, true
		}
	}
	return models.Event{}, false
}

func (h *harness) eventKinds() []string {
	var ks []string
	for _, e := range h.events() {
		ks = append(ks, e.Kind)
	}
	return ks
}

// snapshot serializes every table, to check that nothing changed.
func (h *harness) snapshot() string {
	h.t.Helper()
	var rs []models.ShareRequest
	require.NoError(h.t, h.db.Order("id").Find(&rs).Error)
	b, err := json.Marshal(map[string]any{"requests": rs, "tasks": h.tasks(), "grants": h.grants(), "events": h.events()})
	require.NoError(h.t, err)
	return string(b)
}

// state queries the running workflow.
func (h *harness) state() workflows.ShareResult {
	h.t.Helper()
	v, err := h.env.QueryWorkflow(workflows.QueryState)
	require.NoError(h.t, err)
	var st workflows.ShareResult
	require.NoError(h.t, v.Get(&st))
	return st
}

func sameInstant(t *testing.T, want time.Time, got *time.Time, msg string) {
	t.Helper()
	require.NotNil(t, got, msg)
	require.True(t, want.Equal(*got), "%s: want %s, got %s", msg, want.In(holidays.Shanghai), got.In(holidays.Shanghai))
}

// nopLogger keeps the test environment's debug output out of test logs.
type nopLogger struct{}

func (nopLogger) Debug(string, ...any) {}
func (nopLogger) Info(string, ...any)  {}
func (nopLogger) Warn(string, ...any)  {}
func (nopLogger) Error(string, ...any) {}

// complete runs workflow wf with in in env to its end and returns its result,
// failing the test if it did not complete or failed.
func complete[T any](t *testing.T, env *testsuite.TestWorkflowEnvironment, wf, in any) T {
	t.Helper()
	env.ExecuteWorkflow(wf, in)
	require.True(t, env.IsWorkflowCompleted(), "workflow did not complete")
	require.NoError(t, env.GetWorkflowError())
	var st T
	require.NoError(t, env.GetWorkflowResult(&st))
	return st
}

// stored is the record of type T with id as the activities wrote it.
func stored[T any](t *testing.T, db *gorm.DB, id string) T {
	t.Helper()
	var rec T
	require.NoError(t, db.First(&rec, "id = ?", id).Error)
	return rec
}
