package api

import (
	"fmt"
	"strings"

	"github.com/cityapprovals/approvals/models"
)

// checkRequires refuses a decision lacking a field that the task says the
// decision requires (models.Task.Decisions, recorded by the workflow from the
// same rules its validator applies), naming that field, so that the console
// shows the message beside it. The validator still has the last
// word; a task recorded without Decisions is checked by it alone.
// needs says what each field of a decision holds.
var needs = map[string]string{"reason": "a reason", "legal_basis": "its legal ground in legal_basis", "conditions": "its conditions", "item": "the corrected item"}

func checkRequires(t models.Task, in decisionInput) error {
	given := map[string]bool{
		"reason": strings.TrimSpace(in.Reason) != "", "legal_basis": strings.TrimSpace(in.LegalBasis) != "",
		"conditions": strings.TrimSpace(in.Conditions) != "", "item": in.Item != nil,
	}
	for _, d := range t.Decisions {
		if d.Decision != in.Decision {
			continue
		}
		var errs []FieldError
		for _, f := range d.Requires {
			if !given[f] {
				what := in.Decision
				if what == "reject" {
					what = "a refusal"
				}
				errs = append(errs, FieldError{f, fmt.Sprintf("%s needs %s (%s)", what, needs[f], t.Article)})
			}
		}
		if len(errs) > 0 {
			return invalid(errs...)
		}
	}
	return nil
}
