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

// DisputeResult is a dispute as its workflow sees it.
type DisputeResult struct {
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
// overturned refusal of a share request opens access to the requester. A
// dispute over not-shared data a department needs for its duties (weifang
// 第二十条, subject catalog_item) climbs the same chain; its ruling is
// recorded on the dispute (the data is outside the share platform's
// grants), and it runs no other command: old histories replay unchanged.
func Dispute(ctx workflow.Context, in DisputeInput) (DisputeResult, error) {
	w := &dispute{d: in.Dispute, p: in.Profile, levels: in.Levels}
	if len(w.levels) == 0 {
		w.levels = w.p.Dispute
	}
	w.st = DisputeResult{Header: Header{ID: w.d.ID, Status: models.DisputePending}}
	if err := w.start(ctx); err != nil {
		return w.st, err
	}
	for i := range w.levels {
		done, err := w.level(ctx, i)
		if err != nil || done {
			return w.st, err
		}
	}
	return w.st, temporal.NewNonRetryableApplicationError("the last level escalated", "chain_exhausted", nil) // unreachable: the last level cannot escalate
}

// dispute is one run of the Dispute workflow: the dispute, its chain of
// levels and the state the API sees.
type dispute struct {
	d      models.Dispute
	p      regulations.Profile
	levels []regulations.Step
	st     DisputeResult
	box    *inbox
}

// start publishes the state, opens the inbox and records the dispute with
// its chain.
func (w *dispute) start(ctx workflow.Context) error {
	var err error
	if w.box, err = begin(ctx, ProcedureDispute, w.d.Jurisdiction, w.p, &w.st, &w.st.Header, nil); err != nil {
		return err
	}
	if len(w.levels) == 0 {
		return temporal.NewNonRetryableApplicationError("no dispute chain in the profile of "+w.p.City, "no_chain", nil)
	}
	w.d.Status = models.DisputePending
	w.d.Level = w.levels[0].Level
	w.d.Article = w.levels[0].Period.Article
	w.d.Levels = make([]models.DisputeLevel, len(w.levels))
	for i, lv := range w.levels {
		// Statutory is only recorded data (the activity's input), no new
		// command: old histories replay unchanged.
		w.d.Levels[i] = models.DisputeLevel{Level: lv.Level, Actor: lv.Actor, Article: lv.Period.Article, Statutory: lv.Period.Statutory}
	}
	return record(ctx, acts.RecordDispute, w.d.ID, w.d)
}

// level runs level i of the chain; it reports done when the level's ruling
// ends the dispute (an overturned share refusal grants the request).
func (w *dispute) level(ctx workflow.Context, i int) (bool, error) {
	lv := w.levels[i]
	from := workflow.Now(ctx)
	name := fmt.Sprintf("level-%d-%s", i+1, lv.Level)
	due, err := w.box.Deadline(ctx, name, lv.Period.WorkingDays, from)
	if err != nil {
		return false, err
	}
	rec := w.d.Levels[i]
	rec.DueDate = due.DueDate
	if err := recordLevel(ctx, w.d.ID, i, rec, models.DisputePending); err != nil {
		return false, err
	}
	out, err := w.box.Run(ctx, StepSpec{
		Name:           name,
		Assignees:      []Assignee{levelAssignee(lv, w.d)},
		Period:         lv.Period,
		From:           from,
		Due:            due,
		Decisions:      levelDecisions(lv, i == len(w.levels)-1),
		ReasonRequired: []string{DecisionUphold, DecisionEscalate},
		Shown:          func(activities.Deadline) { w.st.Level = lv.Level },
	})
	if err != nil {
		return false, err
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
	if err := recordLevel(ctx, w.d.ID, i, rec, status); err != nil {
		return false, err
	}
	if outcome == models.DisputeEscalated {
		return false, nil
	}
	if outcome == models.DisputeOverturned && w.d.Subject == models.DisputeOfShareRequest {
		err := execute(ctx, acts.FinishShareRequest, activities.FinishShareInput{
			ID: w.d.SubjectID, Status: models.StatusGranted, Basis: models.BasisDisputeRuling,
			Reason: out.Reason, Conditions: out.Conditions, Article: lv.Period.Article, At: at,
		}).Get(ctx, nil)
		if err != nil {
			return false, fmt.Errorf("grant %s after dispute %s: %w", w.d.SubjectID, w.d.ID, err)
		}
	}
	w.st.Status = status
	return true, conclude(ctx, w.box, status)
}

func recordLevel(ctx workflow.Context, id string, i int, lv models.DisputeLevel, status string) error {
	err := execute(ctx, acts.RecordDisputeLevel, activities.DisputeLevelInput{
		ID: id, Index: i, Level: lv, Status: status, At: workflow.Now(ctx),
	}).Get(ctx, nil)
	if err != nil {
		return fmt.Errorf("record level %d of %s: %w", i+1, id, err)
	}
	return nil
}
