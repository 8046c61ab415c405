package workflows

import (
	"fmt"

	"github.com/cityapprovals/approvals/activities"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"go.temporal.io/sdk/workflow"
)

// ProcedureDataConflict names the procedure for disagreeing data.
const ProcedureDataConflict = models.ProcedureDataConflict

// Decisions of a data conflict's steps.
const (
	DecisionAgree   = "agree"   // a department agrees to the opinion it gives (its reason)
	DecisionResolve = "resolve" // the authority's coordination settles the conflict
)

// DataConflictInput starts a data conflict; Profile is the city's rules at
// filing.
type DataConflictInput struct {
	Conflict models.DataConflict
	Profile  regulations.Profile
}

// DataConflictResult is a data conflict as its workflow sees it.
type DataConflictResult struct {
	Header
}

// DataConflict settles two departments' disagreeing data on the same
// subject (leshan 第十一条): both departments negotiate, each in its own task
// — both agree (each stating the agreed opinion) and the conflict is agreed,
// or one refuses (with its reason) and the negotiation has failed; then the
// authority coordinates with the departments and records its handling.
// Missed periods are flagged overdue and supervised like every task.
func DataConflict(ctx workflow.Context, in DataConflictInput) (DataConflictResult, error) {
	w := &dataConflict{c: in.Conflict, p: in.Profile}
	w.st = DataConflictResult{Header: Header{ID: w.c.ID, Status: models.ConflictPending}}
	return launch(ctx, &w.st, w.start, w.run)
}

// dataConflict is one run of the DataConflict workflow.
type dataConflict struct {
	c   models.DataConflict
	p   regulations.Profile
	st  DataConflictResult
	box *inbox
}

// start publishes the state, opens the inbox and records the conflict.
func (w *dataConflict) start(ctx workflow.Context) error {
	var err error
	if w.box, err = begin(ctx, ProcedureDataConflict, w.c.Jurisdiction, w.p, &w.st, &w.st.Header, nil); err != nil {
		return err
	}
	if w.p.DataConflict == nil {
		return fmt.Errorf("%s has no procedure for disagreeing data", w.p.Document)
	}
	w.c.Status = models.ConflictPending
	w.c.Step = "negotiation"
	w.c.Article = w.p.DataConflict.Negotiation.Article
	return record(ctx, acts.RecordDataConflict, w.c.ID, w.c)
}

// run takes the conflict through the negotiation and, when it fails, the
// authority's coordination.
func (w *dataConflict) run(ctx workflow.Context) (DataConflictResult, error) {
	rule := *w.p.DataConflict
	neg, err := w.box.Run(ctx, StepSpec{
		Name:           "negotiation",
		Assignees:      []Assignee{department(w.c.ProviderDept), department(w.c.OtherDept)},
		Period:         rule.Negotiation,
		From:           w.c.FiledAt,
		Decisions:      []string{DecisionAgree, DecisionReject},
		ReasonRequired: []string{DecisionAgree},
	})
	if err != nil {
		return w.st, err
	}
	if neg.Decision == DecisionAgree {
		return w.st, w.end(ctx, "negotiation", models.ConflictAgreed, neg, rule.Negotiation.Article)
	}
	if err := w.record(ctx, activities.ConflictProgressInput{ID: w.c.ID, Step: "negotiation", Status: models.ConflictPending,
		Failure: neg.Reason, DecidedBy: neg.DecidedBy, Article: rule.Negotiation.Article, At: neg.At}); err != nil {
		return w.st, err
	}
	co, err := w.box.Run(ctx, StepSpec{
		Name:           "coordination",
		Assignees:      []Assignee{{Role: regulations.RoleAuthority}},
		Period:         rule.Coordination,
		From:           neg.At,
		Decisions:      []string{DecisionResolve},
		ReasonRequired: []string{DecisionResolve},
	})
	if err != nil {
		return w.st, err
	}
	return w.st, w.end(ctx, "coordination", models.ConflictCoordinated, co, rule.Coordination.Article)
}

// end records the conflict's outcome and concludes the workflow.
func (w *dataConflict) end(ctx workflow.Context, step, status string, out StepOutcome, article string) error {
	if err := w.record(ctx, activities.ConflictProgressInput{ID: w.c.ID, Step: step, Status: status,
		Resolution: out.Reasons, DecidedBy: out.DecidedBy, Article: article, At: out.At}); err != nil {
		return err
	}
	w.st.Status = status
	w.st.Step = "done"
	return conclude(ctx, w.box, status)
}

func (w *dataConflict) record(ctx workflow.Context, in activities.ConflictProgressInput) error {
	if err := execute(ctx, acts.ConflictProgress, in).Get(ctx, nil); err != nil {
		return fmt.Errorf("record %s of %s: %w", in.Step, in.ID, err)
	}
	return nil
}
