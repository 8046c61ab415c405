package workflows

import (
	"slices"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
)

// allowed lists the decisions a task of the step takes, with the fields each
// requires, as the validator (inbox.validate) checks them: a refusal needs a
// reason, and its legal ground where the city's profile says so; a decision
// in ReasonRequired needs a reason. Tasks of other kinds than decision take
// none. It is recorded on the task for the console, which shows
// the decisions as buttons and marks the required fields.
func (s *StepSpec) allowed(kind string) []models.AllowedDecision {
	if kind != models.TaskDecision {
		return []models.AllowedDecision{}
	}
	var out []models.AllowedDecision
	for _, d := range append(slices.Clone(s.decisions()), s.Interim...) {
		req := []string{}
		if d == DecisionReject || slices.Contains(s.ReasonRequired, d) {
			req = append(req, "reason")
		}
		if d == DecisionReject && (s.Refusal == regulations.RefusalReasonAndLegalGround || s.Refusal == regulations.RefusalReasonAndBasis) {
			req = append(req, "legal_basis")
		}
		out = append(out, models.AllowedDecision{Decision: d, Requires: req})
	}
	return out
}
