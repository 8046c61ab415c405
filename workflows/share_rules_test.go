package workflows_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/stretchr/testify/require"
)

// A share request filed with the share rules cut from the profile (issue
// 17: what the API starts since) does in the database what one filed with
// the whole profile does: the same deadline, reminder, deemed consent or
// decisions, tasks, events and outcome; only its answers are compact (the
// status and basis; a decision's without the task ID).
func TestShareWithRulesAsWithProfile(t *testing.T) {
	for _, c := range []struct {
		name, city string
		decide     bool
	}{
		{"wuhan deemed consent after the reminder", "wuhan", false},
		{"wuhan decided after the reminder", "wuhan", true},
		{"xiamen both decide", "xiamen", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			whole, st := shareRun(t, c.city, c.decide, false)
			cut, compact := shareRun(t, c.city, c.decide, true)
			require.Equal(t, whole, cut)
			require.Equal(t, workflows.ShareResult{Header: workflows.Header{Status: st.Status}, Basis: st.Basis}, compact)
			require.NotEmpty(t, st.ID, "the whole profile's request answers with its state")
		})
	}
}

// shareRun runs one conditional request in city, decided by every decider
// after the reminder or left to silence, and
// returns what it wrote (times, statuses, articles) and its result.
func shareRun(t *testing.T, city string, decide, rules bool) (string, workflows.ShareResult) {
	t.Helper()
	h := newHarness(t, city, models.ShareConditional, filedOct)
	if rules {
		r := h.in.Profile.ShareRules()
		h.in.Rules, h.in.Profile = &r, regulations.Profile{} // the workflow reads the rules alone
	}
	var us []*upd
	if decide {
		at := midnightAfter(t, oct9th).Add(time.Hour) // wuhan reminds on the 9th of 10 working days
		if city == "xiamen" {
			at = midnightAfter(t, oct4th).Add(time.Hour) // xiamen on the 4th of 5
		}
		if city == "xiamen" {
			us = append(us, h.decideAt(at, approve(authTask, authAct("xiamen"))))
		}
		us = append(us, h.decideAt(at.Add(time.Minute), approve(deptTask, provAct())))
	}
	st := h.run()
	for _, u := range us {
		require.NoError(t, u.err)
		require.True(t, u.completed)
		require.Equal(t, models.TaskDone, u.view.Status)
		require.Equal(t, !rules, u.view.TaskID != "", "task ID in the answer: %+v", u.view)
	}
	r := h.request()
	out := fmt.Sprintf("request %s %s %s %s %v %v %v\n", r.Status, r.Basis, r.Article, r.DueDate, r.DueAt, r.DecidedAt, r.Overdue)
	for _, tk := range h.tasks() {
		out += fmt.Sprintf("task %s %s %s %v %v %v\n", tk.ID, tk.Status, tk.Decision, tk.DueAt, tk.RemindedAt, tk.Overdue)
	}
	for _, e := range h.events() {
		out += fmt.Sprintf("event %s %s %s %s %v\n", e.Kind, e.TaskID, e.Article, e.Detail, e.At)
	}
	require.Contains(t, out, "event reminder", "the reminder was sent")
	return out, st
}
