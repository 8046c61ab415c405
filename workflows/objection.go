package workflows

import (
	"errors"
	"fmt"
	"time"

	"github.com/cityapprovals/approvals/activities"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"go.temporal.io/sdk/workflow"
)

// ProcedureObjection names the objection procedure (procedure 4).
const ProcedureObjection = models.ProcedureObjection

// Decisions on an objection's tasks.
const (
	DecisionForward  = "forward"  // the authority forwards the objection to the provider
	DecisionSuspend  = "suspend"  // not final: the item is suspended while verification goes on
	DecisionAccept   = "accept"   // the objector accepts a dismissal
	DecisionDisagree = "disagree" // the objector disagrees: the authority coordinates
)

// objectionOutcomes are the final decisions of whoever handles an objection.
var objectionOutcomes = []string{models.OutcomeWithdraw, models.OutcomeRestore, models.OutcomeFixAndReopen, models.OutcomeDismiss}

// ObjectionInput starts an objection. Item is the catalog item as it was
// when the objection was filed; Profile the city's rules at filing.
type ObjectionInput struct {
	Objection models.Objection
	Item      models.CatalogItem
	Profile   regulations.Profile
}

// ObjectionState is an objection as its workflow sees it.
type ObjectionState struct {
	Header
	Suspended bool   `json:"suspended"`
	Outcome   string `json:"outcome,omitempty"`
}

// Objection runs an objection to a catalog item (procedure 4) on the city's
// path for its kind: where the city routes through the authority (wuhan), the
// authority forwards it to the provider first; the handler (the provider, or
// the authority for a misuse report in leshan, which suspends the item at
// filing) verifies, may suspend the item at any time (a decision that leaves
// the task open), and ends with withdraw, restore, fix_and_reopen (with the
// corrected item) or dismiss (with reasons). Where the city has the authority
// coordinate (departments' doubts about shared data), a department whose
// objection is dismissed may disagree, and the authority decides. Missed
// periods are flagged overdue and supervised by the authority.
func Objection(ctx workflow.Context, in ObjectionInput) (ObjectionState, error) {
	o, p := in.Objection, in.Profile
	route, ok := p.Objection.Route(o.Kind)
	if !ok {
		return ObjectionState{}, fmt.Errorf("%s does not handle %s objections", p.City, o.Kind)
	}
	st := ObjectionState{Header: Header{ID: o.ID, Status: models.ObjectionPending}}
	if err := publish(ctx, &st, func() bool { return st.Filed }); err != nil {
		return st, err
	}
	box, err := newInbox(ctx, ProcedureObjection, o.Jurisdiction, &st.Header, p)
	if err != nil {
		return st, err
	}
	// moveTo records the objection's step and when it is due.
	moveTo := func(step string, due activities.Deadline, per regulations.Period) error {
		return workflow.ExecuteActivity(actx(ctx), acts.ObjectionStep, activities.ObjectionStepInput{
			ID: o.ID, Step: step, Due: due, Article: per.Article, Statutory: per.Statutory,
		}).Get(ctx, nil)
	}
	// suspend runs in the context it is given: the workflow's, or the
	// decide Update handler's for a suspend decision.
	suspend := func(ctx workflow.Context, actor string) error {
		if st.Suspended {
			return nil
		}
		err := workflow.ExecuteActivity(actx(ctx), acts.SuspendItem, activities.SuspendInput{
			ObjectionID: o.ID, ItemID: o.CatalogItemID, Actor: actor, Article: route.Handling.Article, At: workflow.Now(ctx),
		}).Get(ctx, nil)
		if err == nil {
			st.Suspended = true
		}
		return err
	}
	overdue := false
	// step runs one human step of the objection.
	step := func(name string, who Assignee, per regulations.Period, from time.Time, spec StepSpec) (StepOutcome, error) {
		due, err := box.Deadline(ctx, name, per, from)
		if err != nil {
			return StepOutcome{}, err
		}
		if err := moveTo(name, due, per); err != nil {
			return StepOutcome{}, fmt.Errorf("record %s of %s: %w", name, o.ID, err)
		}
		spec.Name = name
		spec.Assignees = []Assignee{who}
		spec.Period = per
		spec.From = from
		spec.Due = due
		spec.Act = regulations.ActProcess
		out, err := box.Run(ctx, spec)
		overdue = overdue || out.Overdue
		return out, err
	}
	// handle is a step whose assignee ends the objection with an outcome.
	handle := func(name string, who Assignee, per regulations.Period, from time.Time) (StepOutcome, error) {
		return step(name, who, per, from, StepSpec{
			Decisions: objectionOutcomes, Interim: []string{DecisionSuspend}, ReasonRequired: []string{models.OutcomeDismiss},
			OnInterim: func(ctx workflow.Context, d Decision) error { return suspend(ctx, d.Actor.String()) },
			Check:     func(d Decision) error { return checkOutcome(d, in.Item, st.Suspended) },
		})
	}

	o.Status = models.ObjectionPending
	o.Handler = route.Handler
	o.Step = "filed"
	o.Article = route.Handling.Article
	o.Statutory = route.Handling.Statutory
	if err := workflow.ExecuteActivity(actx(ctx), acts.RecordObjection, o).Get(ctx, nil); err != nil {
		return st, fmt.Errorf("record %s: %w", o.ID, err)
	}
	if route.SuspendAtFiling {
		if err := suspend(ctx, "authority:"+o.Jurisdiction+" (at filing)"); err != nil {
			return st, fmt.Errorf("suspend at filing %s: %w", o.ID, err)
		}
	}
	from := o.FiledAt
	if route.RoutesThroughAuthority {
		fw, err := step("forward", Assignee{Role: regulations.RoleAuthority}, *route.Forward, from, StepSpec{Decisions: []string{DecisionForward}})
		if err != nil {
			return st, err
		}
		from = fw.At
	}
	handler := department(o.ProviderDept)
	if route.Handler == regulations.RoleAuthority {
		handler = Assignee{Role: regulations.RoleAuthority}
	}
	out, err := handle("verify", handler, route.Handling, from)
	if err != nil {
		return st, err
	}
	if route.Coordination != nil && out.Decision == models.OutcomeDismiss && o.ObjectorDept != "" {
		// The objecting department reviews the dismissal; silence accepts
		// it. No text says so (第十八条 names only the authority's
		// coordination): a platform rule, with no article.
		review := objectorReview(*route.Coordination)
		rv, err := step("objector_review", department(o.ObjectorDept), review, out.At, StepSpec{
			Decisions: []string{DecisionAccept, DecisionDisagree}, ReasonRequired: []string{DecisionDisagree},
			Silence: regulations.Silence{Rule: regulations.SilenceDeemedConsent, Article: "", Supervision: p.Supervision()},
		})
		if err != nil {
			return st, err
		}
		if rv.Decision == DecisionDisagree {
			if out, err = handle("coordination", Assignee{Role: regulations.RoleAuthority}, *route.Coordination, rv.At); err != nil {
				return st, err
			}
		}
	}

	reason := out.Reasons
	if err := workflow.ExecuteActivity(actx(ctx), acts.ConcludeObjection, activities.ConcludeObjectionInput{
		ObjectionID: o.ID, ItemID: o.CatalogItemID, Outcome: out.Decision, Reason: reason, Item: out.Item,
		DecidedBy: out.DecidedBy, Overdue: overdue, Article: st.Article, At: workflow.Now(ctx),
	}).Get(ctx, nil); err != nil {
		return st, fmt.Errorf("conclude %s: %w", o.ID, err)
	}
	st.Status = models.ObjectionHandled
	st.Step = "done"
	st.Outcome = out.Decision
	st.Suspended = false
	return st, conclude(ctx, box, st.Status)
}

// objectorReview is the period an objecting department has to disagree
// with a dismissal: the coordination's service level, as a platform rule
// (no text gives the objector a period or makes silence an acceptance).
func objectorReview(coordination regulations.Period) regulations.Period {
	return regulations.Period{WorkingDays: coordination.WorkingDays, Statutory: false, Article: "", Text: regulations.TextObjectorReview,
		Note: regulations.NoteObjectorReview}
}

// checkOutcome refuses what an objection's handler may not decide: a fix
// without the corrected item (or one that is invalid or names another
// item), a corrected item sent with another outcome, a second suspension.
func checkOutcome(d Decision, cur models.CatalogItem, suspended bool) error {
	switch {
	case d.Decision == DecisionSuspend && suspended:
		return errors.New("the item is already suspended by this objection")
	case d.Decision != models.OutcomeFixAndReopen && d.Item != nil:
		return fmt.Errorf("only %s carries a corrected item", models.OutcomeFixAndReopen)
	case d.Decision != models.OutcomeFixAndReopen:
		return nil
	case d.Item == nil:
		return fmt.Errorf("%s needs the corrected item in item", models.OutcomeFixAndReopen)
	}
	it := *d.Item
	for _, f := range []struct{ name, got, want string }{{"id", it.ID, cur.ID}, {"provider_dept", it.ProviderDept, cur.ProviderDept}, {"jurisdiction", it.Jurisdiction, cur.Jurisdiction}} {
		if f.got != "" && f.got != f.want {
			return fmt.Errorf("item.%s is %q; the corrected item must be %q", f.name, f.got, f.want)
		}
	}
	it.ID = cur.ID
	it.ProviderDept = cur.ProviderDept
	it.Jurisdiction = cur.Jurisdiction
	// A correction may not reclassify the item (issue 11). Validators do not
	// run on replay, so histories that accepted such a fix still replay.
	if field, msg := models.ReclassifiedField(cur, it); field != "" {
		return fmt.Errorf("%s %s", field, msg)
	}
	if errs := it.Validate(); len(errs) > 0 {
		return fmt.Errorf("item.%s %s", errs[0].Field, errs[0].Message)
	}
	return nil
}
