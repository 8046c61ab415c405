package workflows

import (
	"fmt"

	"github.com/cityapprovals/approvals/activities"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// ProcedureDispute names the dispute escalation procedure.
const ProcedureDispute = models.ProcedureDispute

// Decisions a level of a dispute chain takes.
const (
	DecisionOverturn = "overturn" // the refusal is overturned: access is granted
	DecisionUphold   = "uphold"   // the refusal stands
	DecisionEscalate = "escalate" // refer the dispute to the next level (协调不成)
)

// DisputeInput starts a dispute. Levels is the escalation chain, the city
// profile's dispute chain when empty (a classification disagreement passes
// its own). Profile is the city's rules as they were at filing.
type DisputeInput struct {
	Dispute models.Dispute
	Levels  []regulations.Step
	Profile regulations.Profile
}

// DisputeState is a dispute as its workflow sees it.
type DisputeState struct {
	Header
	Level string `json:"level"`
}

// outcomes maps a level's decision to its outcome.
var outcomes = map[string]string{
	DecisionOverturn: models.DisputeOverturned,
	DecisionUphold:   models.DisputeUpheld,
	DecisionEscalate: models.DisputeEscalated,
}

// levelDecisions is what a level may decide: the last level rules finally
// (overturn or uphold); a negotiation between departments either settles
// (overturn) or fails (escalate); a coordinating level may do all three.
func levelDecisions(lv regulations.Step, last bool) []string {
	switch {
	case last:
		return []string{DecisionOverturn, DecisionUphold}
	case lv.Actor == regulations.RoleDepartment:
		return []string{DecisionOverturn, DecisionEscalate}
	}
	return []string{DecisionOverturn, DecisionUphold, DecisionEscalate}
}

// levelAssignee is who handles a level: the provider department for a
// negotiation, else the authority or the government of the city.
func levelAssignee(lv regulations.Step, d models.Dispute) Assignee {
	if lv.Actor == regulations.RoleDepartment || lv.Actor == regulations.RoleProvider {
		return department(d.ProviderDept)
	}
	return Assignee{Role: lv.Actor}
}

// Dispute runs a dispute over a refusal up the city's escalation chain (wuhan
// 第十九条, weifang 第二十条, xiamen 第十七条, leshan 第十八条): each level is a
// task with the level's period; it overturns the refusal, upholds it, or
// escalates to the next level, and the last level's ruling is final. An
// overturned refusal of a share request opens access to the requester.
func Dispute(ctx workflow.Context, in DisputeInput) (DisputeState, error) {
	d, p := in.Dispute, in.Profile
	levels := in.Levels
	if len(levels) == 0 {
		levels = p.Dispute
	}
	st := DisputeState{Header: Header{ID: d.ID, Status: models.DisputePending}}
	if err := publish(ctx, &st, func() bool { return st.Filed }); err != nil {
		return st, err
	}
	box, err := newInbox(ctx, ProcedureDispute, d.Jurisdiction, &st.Header, p)
	if err != nil {
		return st, err
	}
	if len(levels) == 0 {
		return st, temporal.NewNonRetryableApplicationError("no dispute chain in the profile of "+p.City, "no_chain", nil)
	}
	d.Status = models.DisputePending
	d.Level = levels[0].Level
	d.Article = levels[0].Period.Article
	d.Levels = make([]models.DisputeLevel, len(levels))
	for i, lv := range levels {
		// Statutory is only recorded data (the activity's input), no new
		// command: old histories replay unchanged.
		d.Levels[i] = models.DisputeLevel{Level: lv.Level, Actor: lv.Actor, Article: lv.Period.Article, Statutory: lv.Period.Statutory}
	}
	if err := workflow.ExecuteActivity(actx(ctx), acts.RecordDispute, d).Get(ctx, nil); err != nil {
		return st, fmt.Errorf("record %s: %w", d.ID, err)
	}

	for i, lv := range levels {
		last := i == len(levels)-1
		from := workflow.Now(ctx)
		name := fmt.Sprintf("level-%d-%s", i+1, lv.Level)
		due, err := box.Deadline(ctx, name, lv.Period, from)
		if err != nil {
			return st, err
		}
		rec := d.Levels[i]
		rec.DueDate = due.DueDate
		if err := recordLevel(ctx, d.ID, i, rec, models.DisputePending); err != nil {
			return st, err
		}
		out, err := box.Run(ctx, StepSpec{
			Name:           name,
			Assignees:      []Assignee{levelAssignee(lv, d)},
			Period:         lv.Period,
			From:           from,
			Due:            due,
			Decisions:      levelDecisions(lv, last),
			ReasonRequired: []string{DecisionUphold, DecisionEscalate},
			Shown:          func(activities.Deadline) { st.Level = lv.Level },
		})
		if err != nil {
			return st, err
		}
		outcome := outcomes[out.Decision]
		at := out.At
		rec.Outcome = outcome
		rec.Reason = out.Reason
		rec.DecidedBy = out.DecidedBy
		rec.DecidedAt = &at
		rec.Overdue = out.Overdue
		status := outcome
		if outcome == models.DisputeEscalated {
			status = models.DisputePending
		}
		if err := recordLevel(ctx, d.ID, i, rec, status); err != nil {
			return st, err
		}
		if outcome == models.DisputeEscalated {
			continue
		}
		if outcome == models.DisputeOverturned && d.Subject == models.DisputeOfShareRequest {
			err := workflow.ExecuteActivity(actx(ctx), acts.FinishShareRequest, activities.FinishShareInput{
				ID: d.SubjectID, Status: models.StatusGranted, Basis: models.BasisDisputeRuling,
				Reason: out.Reason, Conditions: out.Conditions, Article: lv.Period.Article, At: at,
			}).Get(ctx, nil)
			if err != nil {
				return st, fmt.Errorf("grant %s after dispute %s: %w", d.SubjectID, d.ID, err)
			}
		}
		st.Status = status
		return st, conclude(ctx, box, status)
	}
	return st, temporal.NewNonRetryableApplicationError("the last level escalated", "chain_exhausted", nil) // unreachable: the last level cannot escalate
}

func recordLevel(ctx workflow.Context, id string, i int, lv models.DisputeLevel, status string) error {
	err := workflow.ExecuteActivity(actx(ctx), acts.RecordDisputeLevel, activities.DisputeLevelInput{
		ID: id, Index: i, Level: lv, Status: status, At: workflow.Now(ctx),
	}).Get(ctx, nil)
	if err != nil {
		return fmt.Errorf("record level %d of %s: %w", i+1, id, err)
	}
	return nil
}
