package workflows

import (
	"reflect"
	"testing"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
)

// A task records the decisions its step takes and what each requires, as
// the validator checks them.
func TestAllowedDecisions(t *testing.T) {
	d := func(name string, req ...string) models.AllowedDecision {
		if req == nil {
			req = []string{}
		}
		return models.AllowedDecision{Decision: name, Requires: req}
	}
	cases := []struct {
		name string
		spec StepSpec
		kind string
		want []models.AllowedDecision
	}{
		{"default", StepSpec{}, models.TaskDecision, []models.AllowedDecision{d("approve"), d("reject", "reason")}},
		{"refusal with its ground", StepSpec{Refusal: regulations.RefusalReasonAndLegalGround}, models.TaskDecision,
			[]models.AllowedDecision{d("approve"), d("reject", "reason", "legal_basis")}},
		{"reasons of other decisions, interim", StepSpec{Decisions: []string{DecisionOverturn, DecisionUphold}, ReasonRequired: []string{DecisionUphold}, Interim: []string{DecisionSuspend}},
			models.TaskDecision, []models.AllowedDecision{d("overturn"), d("uphold", "reason"), d("suspend")}},
		{"no decision on a notice", StepSpec{}, models.TaskNotice, []models.AllowedDecision{}},
	}
	for _, c := range cases {
		if got := c.spec.allowed(c.kind); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}
