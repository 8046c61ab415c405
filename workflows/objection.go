package workflows

import (
	"errors"
	"fmt"
	"slices"
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

// DecisionRefer is the provider's referral of an open-data user's doubt it
// cannot settle to the authority's coordination (weifang 第十八条: 必要时由
// 大数据主管部门协调解决); it needs a reason.
const DecisionRefer = "refer"

// ObjectionInput starts an objection. Item is the catalog item as it was
// when the objection was filed; Profile the city's rules at filing.
type ObjectionInput struct {
	Objection models.Objection
	Item      models.CatalogItem
	Profile   regulations.Profile
}

// ObjectionResult is an objection as its workflow sees it.
type ObjectionResult struct {
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
func Objection(ctx workflow.Context, in ObjectionInput) (ObjectionResult, error) {
	route, ok := in.Profile.Objection.Route(in.Objection.Kind)
	if !ok {
		return ObjectionResult{}, fmt.Errorf("%s does not handle %s objections", in.Profile.City, in.Objection.Kind)
	}
	w := &objection{o: in.Objection, item: in.Item, p: in.Profile, route: route}
	w.st = ObjectionResult{Header: Header{ID: w.o.ID, Status: models.ObjectionPending}}
	return launch(ctx, &w.st, w.start, w.run)
}

// objection is one run of the Objection workflow: the objection, the item
// objected to, the city's route for its kind and the state the API sees.
type objection struct {
	o       models.Objection
	item    models.CatalogItem
	p       regulations.Profile
	route   regulations.ObjectionPath
	st      ObjectionResult
	box     *inbox
	overdue bool // a step of the objection went overdue
}

// start publishes the state, opens the inbox and records the objection,
// suspending the item at filing where the city says so.
func (w *objection) start(ctx workflow.Context) error {
	var err error
	if w.box, err = begin(ctx, ProcedureObjection, w.o.Jurisdiction, w.p, &w.st, &w.st.Header, nil); err != nil {
		return err
	}
	w.o.Status = models.ObjectionPending
	w.o.Handler = w.route.Handler
	w.o.Step = "filed"
	w.o.Article = w.route.Handling.Article
	w.o.Statutory = w.route.Handling.Statutory
	if err := record(ctx, acts.RecordObjection, w.o.ID, w.o); err != nil {
		return err
	}
	if w.route.SuspendAtFiling {
		if err := w.suspend(ctx, "authority:"+w.o.Jurisdiction+" (at filing)"); err != nil {
			return fmt.Errorf("suspend at filing %s: %w", w.o.ID, err)
		}
	}
	return nil
}

// run takes the objection along its route: forwarded by the authority
// (where the city routes through it), verified by the handler, reviewed by
// an objecting department whose objection is dismissed (where the authority
// coordinates), and concluded with the outcome.
func (w *objection) run(ctx workflow.Context) (ObjectionResult, error) {
	from := w.o.FiledAt
	if w.route.RoutesThroughAuthority {
		fw, err := w.step(ctx, "forward", Assignee{Role: regulations.RoleAuthority}, *w.route.Forward, from, StepSpec{Decisions: []string{DecisionForward}})
		if err != nil {
			return w.st, err
		}
		from = fw.At
	}
	handler := department(w.o.ProviderDept)
	if w.route.Handler == regulations.RoleAuthority {
		handler = Assignee{Role: regulations.RoleAuthority}
	}
	out, err := w.handle(ctx, "verify", handler, w.route.Handling, from, w.referable()...)
	if err != nil {
		return w.st, err
	}
	if out.Decision == DecisionRefer {
		if out, err = w.handle(ctx, "coordination", Assignee{Role: regulations.RoleAuthority}, *w.route.Coordination, out.At); err != nil {
			return w.st, err
		}
	}
	if w.route.Coordination != nil && out.Decision == models.OutcomeDismiss && w.o.ObjectorDept != "" {
		if out, err = w.review(ctx, out); err != nil {
			return w.st, err
		}
	}
	if err := execute(ctx, acts.ConcludeObjection, activities.ConcludeObjectionInput{
		ObjectionID: w.o.ID, ItemID: w.o.CatalogItemID, Outcome: out.Decision, Reason: out.Reasons, Item: out.Item,
		DecidedBy: out.DecidedBy, Overdue: w.overdue, Article: w.st.Article, At: workflow.Now(ctx),
	}).Get(ctx, nil); err != nil {
		return w.st, fmt.Errorf("conclude %s: %w", w.o.ID, err)
	}
	w.st.Status = models.ObjectionHandled
	w.st.Step = "done"
	w.st.Outcome = out.Decision
	w.st.Suspended = false
	return w.st, conclude(ctx, w.box, w.st.Status)
}

// review lets the objecting department disagree with the dismissal out;
// silence accepts it. No text says so (第十八条 names only the authority's
// coordination): a platform rule, with no article. A disagreement goes to
// the authority's coordination, whose outcome it returns.
func (w *objection) review(ctx workflow.Context, out StepOutcome) (StepOutcome, error) {
	rv, err := w.step(ctx, "objector_review", department(w.o.ObjectorDept), objectorReview(*w.route.Coordination), out.At, StepSpec{
		Decisions:      []string{DecisionAccept, DecisionDisagree},
		ReasonRequired: []string{DecisionDisagree},
		Silence:        regulations.Silence{Rule: regulations.SilenceDeemedConsent, Article: "", Supervision: w.p.Supervision()},
	})
	if err != nil || rv.Decision != DecisionDisagree {
		return out, err
	}
	return w.handle(ctx, "coordination", Assignee{Role: regulations.RoleAuthority}, *w.route.Coordination, rv.At)
}

// suspend suspends the item once; it runs in the context it is given: the
// workflow's, or the decide Update handler's for a suspend decision.
func (w *objection) suspend(ctx workflow.Context, actor string) error {
	if w.st.Suspended {
		return nil
	}
	err := execute(ctx, acts.SuspendItem, activities.SuspendInput{
		ObjectionID: w.o.ID, ItemID: w.o.CatalogItemID, Actor: actor, Article: w.route.Handling.Article, At: workflow.Now(ctx),
	}).Get(ctx, nil)
	if err == nil {
		w.st.Suspended = true
	}
	return err
}

// step runs one human step of the objection, recording the step it moves to.
func (w *objection) step(ctx workflow.Context, name string, who Assignee, per regulations.Period, from time.Time, spec StepSpec) (StepOutcome, error) {
	due, err := w.box.Deadline(ctx, name, per.WorkingDays, from)
	if err != nil {
		return StepOutcome{}, err
	}
	if err := execute(ctx, acts.ObjectionStep, activities.ObjectionStepInput{
		ID: w.o.ID, Step: name, Due: due, Article: per.Article, Statutory: per.Statutory,
	}).Get(ctx, nil); err != nil {
		return StepOutcome{}, fmt.Errorf("record %s of %s: %w", name, w.o.ID, err)
	}
	spec.Name = name
	spec.Assignees = []Assignee{who}
	spec.Period = per
	spec.From = from
	spec.Due = due
	spec.Act = regulations.ActProcess
	out, err := w.box.Run(ctx, spec)
	w.overdue = w.overdue || out.Overdue
	return out, err
}

// referable are the decisions besides the outcomes the verifying provider
// may take: an open-data user's doubt (an applicant's; a department has its
// own review of a dismissal) is referred to the authority's coordination
// where the city coordinates (weifang 第十八条).
func (w *objection) referable() []string {
	if w.route.Coordination != nil && w.o.ObjectorDept == "" && w.o.Kind == regulations.ObjectionOpenDataDoubt {
		return []string{DecisionRefer}
	}
	return nil
}

// handle is a step whose assignee ends the objection with an outcome, and
// may suspend the item meanwhile; more are further decisions that end the
// step without an outcome (a referral).
func (w *objection) handle(ctx workflow.Context, name string, who Assignee, per regulations.Period, from time.Time, more ...string) (StepOutcome, error) {
	return w.step(ctx, name, who, per, from, StepSpec{
		Decisions:      append(slices.Clone(objectionOutcomes), more...),
		Interim:        []string{DecisionSuspend},
		ReasonRequired: append([]string{models.OutcomeDismiss}, more...),
		OnInterim:      func(ctx workflow.Context, d Decision) error { return w.suspend(ctx, d.Actor.String()) },
		Check:          func(d Decision) error { return checkOutcome(d, w.item, w.st.Suspended) },
	})
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
	// A correction may not reclassify the item. Validators do not
	// run on replay, so histories that accepted such a fix still replay.
	if field, msg := models.ReclassifiedField(cur, it); field != "" {
		return fmt.Errorf("%s %s", field, msg)
	}
	if errs := it.Validate(); len(errs) > 0 {
		return fmt.Errorf("item.%s %s", errs[0].Field, errs[0].Message)
	}
	return nil
}
