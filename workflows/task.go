package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cityapprovals/approvals/activities"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// UpdateDecide is the Workflow Update through which a reviewer decides a task.
const UpdateDecide = "decide"

// Decisions a reviewer can send.
const (
	DecisionApprove     = "approve"
	DecisionReject      = "reject"
	DecisionAcknowledge = "acknowledge" // a filing (备案) received
)

// Outcomes of a step besides the decisions.
const (
	OutcomeDeemedConsent = "deemed_consent"
	OutcomeFulfilled     = "fulfilled" // an obligation step: the assignee acted
)

// Error types carried by rejected Updates, so the API can map them to HTTP.
const (
	ErrForbidden = "forbidden" // the caller may not make this decision (403)
	ErrInvalid   = "invalid"   // the decision is malformed or the task closed (422)
	ErrNotFound  = "not_found" // no such task in this procedure (404)
)

// Actor is the authenticated person acting through the API.
type Actor struct {
	Subject      string
	Role         string
	Dept         string
	Jurisdiction string
}

func (a Actor) String() string {
	if a.Dept != "" {
		return a.Subject + "@" + a.Dept
	}
	return a.Subject + "(" + a.Role + ")"
}

// Assignee names who must act on a task: a role, and for departments the
// department code.
type Assignee struct {
	Role string
	Dept string
}

// Decision is the argument of the decide Update.
type Decision struct {
	TaskID     string
	Decision   string
	Reason     string
	LegalBasis string
	Conditions string
	Actor      Actor
	// Item is a corrected catalog item, for decisions that publish one
	// (an objection's fix_and_reopen).
	Item *models.CatalogItem `json:",omitempty"`
}

// DecideResult is what the decide Update returns.
type DecideResult struct {
	TaskID   string `json:"task_id"`
	Status   string `json:"status"`
	Decision string `json:"decision,omitempty"`
}

// StepSpec declares one human step by what it means: who decides, the
// period of the profile, from when it counts, which decisions it takes.
// Everything else — the deadline, the reminder, the rule on silence and the
// supervision of an overdue step — the inbox takes from the city's profile.
// Every assignee must approve; one refusal refuses.
type StepSpec struct {
	Name      string // unique within the procedure, part of the task IDs
	Assignees []Assignee
	Period    regulations.Period
	// From is when the period counts (the filing, the decision before);
	// Due is its deadline, computed by the inbox when zero (see Deadline).
	From time.Time
	Due  activities.Deadline
	// Act is what an overdue assignee failed to do (a regulations.Act*,
	// ActHandle when empty), for the supervision the profile orders.
	Act string
	// Silence overrides that rule on silence (a share request's deemed
	// consent, an objector's silent acceptance) when its Rule is set.
	Silence regulations.Silence
	// Refusal is what a refusal must carry: RefusalReason when empty.
	Refusal string
	// Decisions the step accepts; approve and reject when empty. A reject
	// always needs a reason; the other decisions do not.
	Decisions []string
	// Interim decisions are taken without closing the task (an objection's
	// suspend): OnInterim acts on each (it may run activities) before the
	// decision answers, and the task stays open for a final decision.
	Interim   []string
	OnInterim func(ctx workflow.Context, d Decision) error
	// ReasonRequired lists decisions besides reject that need a reason (an
	// objection's dismiss, a dispute level that upholds or escalates); the
	// outcome of such a step carries the reasons given as its Reason.
	ReasonRequired []string
	// Check, when set, refuses a decision the procedure cannot take (e.g. a
	// fix without its corrected item); its error message is shown as it is.
	Check func(d Decision) error
	// Shown, when set, is called with the step's deadline once its tasks are
	// in the inbox, and again whenever a calendar change moves the deadline
	// (see SignalCalendarChanged): the procedure shows it in its state.
	Shown func(due activities.Deadline)
	// Kind is the kind of the step's tasks: decision when empty. An
	// obligation (models.TaskObligation) takes no decision: it ends when
	// Fulfilled reports true, with the outcome fulfilled.
	Kind      string
	Fulfilled func() bool
	// Facts are shown to the step's reviewers on their tasks (an open
	// application's conditions of use and how the applicant meets them).
	Facts []models.TaskFact
}

// complete fills what the step leaves to the profile: the rule on silence
// and its supervision, what a refusal carries, the task kind.
func (in *inbox) complete(spec *StepSpec) {
	if spec.Silence.Rule == "" {
		act := spec.Act
		if act == "" {
			act = regulations.ActHandle
		}
		spec.Silence = in.profile.Supervised(spec.Period.Article, act)
	}
	if spec.Refusal == "" {
		spec.Refusal = regulations.RefusalReason
	}
	if spec.Kind == "" {
		spec.Kind = models.TaskDecision
	}
}

// Deadline is the due time of what (a step, its reminder, a supervision),
// days working days counted from from on the calendar in force (an
// activity: the calendar is data): the one way a deadline is computed. A
// procedure that records the deadline before the step opens asks for it
// here and passes it as the step's Due.
func (in *inbox) Deadline(ctx workflow.Context, what string, days int, from time.Time) (activities.Deadline, error) {
	return in.deadline(ctx, what, days, from, false)
}

// DeadlineAndReminder is Deadline with the step's reminder time counted in
// the same call (RemindAt), which the step then takes instead of asking
// again (a share request filed with Rules).
func (in *inbox) DeadlineAndReminder(ctx workflow.Context, what string, days int, from time.Time) (activities.Deadline, error) {
	return in.deadline(ctx, what, days, from, true)
}

func (in *inbox) deadline(ctx workflow.Context, what string, days int, from time.Time, remind bool) (activities.Deadline, error) {
	var due activities.Deadline
	if err := execute(ctx, acts.Deadline, activities.DeadlineInput{From: from, WorkingDays: days, Remind: remind}).Get(ctx, &due); err != nil {
		return due, fmt.Errorf("deadline of %s %s: %w", in.id, what, err)
	}
	return due, nil
}

func (s *StepSpec) decisions() []string {
	if len(s.Decisions) == 0 {
		return []string{DecisionApprove, DecisionReject}
	}
	return s.Decisions
}

// StepOutcome is how a step ended.
type StepOutcome struct {
	Decision   string // approve, reject or deemed_consent
	Reason     string
	LegalBasis string
	Conditions string
	DecidedBy  string
	At         time.Time
	Overdue    bool
	// Reasons joins the reasons given with the final decisions (a refusal's
	// is in Reason); Item is a corrected item sent with one of them.
	Reasons string
	Item    *models.CatalogItem
}

type task struct {
	id       string
	kind     string
	assignee Assignee
	spec     *StepSpec
	status   string // open, closing, done, cancelled
	decision *Decision
	// opened is set once the task's row is written. The task is known to the
	// validator from the moment it is being opened, so that a decision sent
	// as soon as the row appears is never refused as "unknown task".
	opened bool
}

// inbox is the one human-task mechanism of every procedure: it opens tasks,
// reminds before the due time, applies the profile's rule on silence, and
// takes decisions through the decide Update, whose validator refuses what may
// not be decided. Told that the calendar changed (SignalCalendarChanged), it
// recomputes an open deadline that has not passed and replaces its timers.
//
// A decision's Update answers only once the workflow has acted on it (the
// procedure finished, or it waits for more), so that a reviewer who reads the
// procedure after deciding sees the consequence.
type inbox struct {
	// The procedure the inbox serves, the city's rules for it, and the
	// header of its state, which the inbox keeps showing the open step.
	procedure, id, jurisdiction string
	profile                     regulations.Profile
	view                        *Header
	tasks                       []*task
	// compact: decisions answer without the task ID (a share request
	// filed with Rules; issue 17: a lifecycle's history ≤ 2 KB).
	compact bool
	// decisions counts the decisions recorded; observed is how many of them
	// the workflow had acted on when it last went idle (see settle).
	decisions, observed int
}

// settle marks every recorded decision as acted on. It is called only by the
// inbox's own waits (Await, Sleep, Get, and Run between decisions) and by
// conclude: whenever the procedure waits, the decisions that led it there
// answer, so no decision is left hanging while the procedure waits.
func (in *inbox) settle() { in.observed = in.decisions }

// Await is workflow.Await for a procedure: the decisions it has acted on
// answer before it waits for cond.
func (in *inbox) Await(ctx workflow.Context, cond func() bool) error {
	in.settle()
	return workflow.Await(ctx, cond)
}

// Sleep is workflow.Sleep for a procedure: the decisions it has acted on
// answer before it sleeps.
func (in *inbox) Sleep(ctx workflow.Context, d time.Duration) error {
	in.settle()
	return workflow.Sleep(ctx, d)
}

// Get waits for f (a child workflow, say) as Await does: the decisions the
// procedure has acted on answer first.
func (in *inbox) Get(ctx workflow.Context, f workflow.Future, v any) error {
	in.settle()
	return f.Get(ctx, v)
}

// newInbox registers the decide Update on the workflow of procedure
// view.ID in jurisdiction, whose steps follow the city's profile p and show
// in view.
func newInbox(ctx workflow.Context, procedure, jurisdiction string, view *Header, p regulations.Profile) (*inbox, error) {
	in := &inbox{procedure: procedure, id: view.ID, jurisdiction: jurisdiction, profile: p, view: view}
	err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateDecide, in.decide, workflow.UpdateHandlerOptions{Validator: in.validate})
	if err != nil {
		return nil, fmt.Errorf("register %s: %w", UpdateDecide, err)
	}
	return in, nil
}

func (in *inbox) find(id string) *task {
	for _, t := range in.tasks {
		if t.id == id {
			return t
		}
	}
	return nil
}

func (in *inbox) validate(ctx workflow.Context, d Decision) error {
	t := in.find(d.TaskID)
	if t == nil {
		return temporal.NewApplicationError(fmt.Sprintf("task %s is not part of this procedure", d.TaskID), ErrNotFound)
	}
	if t.status != models.TaskOpen {
		return temporal.NewApplicationError(fmt.Sprintf("task %s is closed (%s)", t.id, t.status), ErrInvalid)
	}
	if t.kind != models.TaskDecision {
		closes := "closes with the decision it follows up"
		switch t.kind {
		case models.TaskObligation:
			closes = "is fulfilled by acting (e.g. submitting the catalog change), not by a decision"
		case models.TaskNotice:
			closes = "closes when the step ends or the year's holiday schedule is published"
		}
		return temporal.NewApplicationError(fmt.Sprintf("task %s is a %s task and %s", t.id, t.kind, closes), ErrInvalid)
	}
	a := d.Actor
	if a.Role != t.assignee.Role || (t.assignee.Dept != "" && a.Dept != t.assignee.Dept) ||
		(t.assignee.Dept == "" && a.Jurisdiction != in.jurisdiction) {
		return temporal.NewApplicationError(fmt.Sprintf("task %s is assigned to %s, not to %s", t.id, describe(t.assignee, in.jurisdiction), a), ErrForbidden)
	}
	allowed := append(slices.Clone(t.spec.decisions()), t.spec.Interim...)
	if !slices.Contains(allowed, d.Decision) {
		return temporal.NewApplicationError(fmt.Sprintf("decision must be one of %s, not %q", strings.Join(allowed, ", "), d.Decision), ErrInvalid)
	}
	if d.Decision == DecisionReject {
		if strings.TrimSpace(d.Reason) == "" {
			return temporal.NewApplicationError("a refusal needs a reason ("+t.spec.Period.Article+")", ErrInvalid)
		}
		needBasis := t.spec.Refusal == regulations.RefusalReasonAndLegalGround || t.spec.Refusal == regulations.RefusalReasonAndBasis
		if needBasis && strings.TrimSpace(d.LegalBasis) == "" {
			return temporal.NewApplicationError("a refusal in "+in.jurisdiction+" needs its legal ground in legal_basis ("+t.spec.Period.Article+")", ErrInvalid)
		}
	}
	if slices.Contains(t.spec.ReasonRequired, d.Decision) && strings.TrimSpace(d.Reason) == "" {
		return temporal.NewApplicationError(fmt.Sprintf("%s needs a reason (%s)", d.Decision, t.spec.Period.Article), ErrInvalid)
	}
	if t.spec.Check != nil {
		if err := t.spec.Check(d); err != nil {
			return temporal.NewApplicationError(err.Error(), ErrInvalid)
		}
	}
	return nil
}

func describe(a Assignee, jurisdiction string) string {
	if a.Dept != "" {
		return a.Role + " " + a.Dept
	}
	return a.Role + " of " + jurisdiction
}

func (in *inbox) decide(ctx workflow.Context, d Decision) (DecideResult, error) {
	t := in.find(d.TaskID)
	if err := in.validate(ctx, d); err != nil {
		return DecideResult{}, err
	}
	t.status = "closing" // no second decision while this one is recorded
	if err := workflow.Await(ctx, func() bool { return t.opened }); err != nil {
		return DecideResult{}, err
	}
	if slices.Contains(t.spec.Interim, d.Decision) {
		// Not final: act on it, and the task stays open.
		var err error
		if t.spec.OnInterim != nil {
			err = t.spec.OnInterim(ctx, d)
		}
		t.status = models.TaskOpen
		if err != nil {
			return DecideResult{}, fmt.Errorf("act on %s of %s: %w", d.Decision, t.id, err)
		}
		return in.result(t, d), nil
	}
	err := execute(ctx, acts.CloseTask, activities.CloseTaskInput{
		ProcedureID: in.id, TaskID: t.id, Status: models.TaskDone, Decision: d.Decision,
		Reason: d.Reason, LegalBasis: d.LegalBasis, Conditions: d.Conditions, DecidedBy: d.Actor.String(),
		At: workflow.Now(ctx), Article: t.spec.Period.Article,
	}).Get(ctx, nil)
	if err != nil {
		t.status = models.TaskOpen
		if msg, ok := activities.IsPermanent(err); ok {
			// A decision that cannot be stored is refused, and the task
			// stays open for another (ARCHITECTURE.md, "Errors in workers").
			return DecideResult{}, temporal.NewApplicationError("the decision cannot be recorded: "+msg, ErrInvalid)
		}
		return DecideResult{}, fmt.Errorf("record decision on %s: %w", t.id, err)
	}
	t.status = models.TaskDone
	t.decision = &d
	in.decisions++
	seq := in.decisions
	if err := workflow.Await(ctx, func() bool { return in.observed >= seq }); err != nil {
		return DecideResult{}, err
	}
	return in.result(t, d), nil
}

// result is a decision's answer: the task, its status and the decision; a
// compact inbox leaves the task out (the API answers from the database).
func (in *inbox) result(t *task, d Decision) DecideResult {
	if in.compact {
		return DecideResult{Status: t.status, Decision: d.Decision}
	}
	return DecideResult{TaskID: t.id, Status: t.status, Decision: d.Decision}
}

// countsFrom is the instant a task's period counts from: the step's (the
// filing, the submission, the decision before it) for its own tasks, now
// for the follow-ups it opens.
func countsFrom(ctx workflow.Context, spec *StepSpec, kind string) time.Time {
	if (kind == models.TaskDecision || kind == models.TaskObligation) && !spec.From.IsZero() {
		return spec.From.UTC()
	}
	return workflow.Now(ctx).UTC()
}

// facts are what a task of the step shows its reviewer: the step's facts on
// its own tasks, none on the follow-ups it opens.
func facts(spec *StepSpec, kind string) []models.TaskFact {
	if kind != models.TaskDecision {
		return nil
	}
	return spec.Facts
}

// open adds a task to the inbox and the database and returns it.
func (in *inbox) open(ctx workflow.Context, spec *StepSpec, id, kind string, a Assignee, due activities.Deadline, article, detail string) (*task, error) {
	t := &task{id: id, kind: kind, assignee: a, spec: spec, status: models.TaskOpen}
	in.tasks = append(in.tasks, t)
	err := execute(ctx, acts.OpenTask, activities.OpenTaskInput{Detail: detail, CalendarVersion: due.CalendarVersion, Task: models.Task{
		ID: id, Procedure: in.procedure, ProcedureID: in.id, WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID,
		Kind: kind, Jurisdiction: in.jurisdiction, AssigneeRole: a.Role, AssigneeDept: a.Dept,
		DueDate: due.DueDate, DueAt: due.DueAt, Provisional: due.Provisional, Article: article, CreatedAt: workflow.Now(ctx),
		Title: spec.Name, Decisions: spec.allowed(kind), // for the console (task_decisions.go)
		Statutory:  (kind == models.TaskDecision || kind == models.TaskObligation) && spec.Period.Statutory,
		CountsFrom: countsFrom(ctx, spec, kind),
		Facts:      facts(spec, kind),
	}}).Get(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("open task %s: %w", id, err)
	}
	t.opened = true
	return t, nil
}

// closeRest closes what the outcome leaves open: tasks that no longer need a
// decision are cancelled, and a supervision task is done.
func (in *inbox) closeRest(ctx workflow.Context, spec *StepSpec, mine []*task, supervision, notice string, out StepOutcome) error {
	for _, t := range mine {
		if t.status != models.TaskOpen {
			continue
		}
		status, decision := models.TaskCancelled, "not needed: "+out.Decision
		if out.Decision == OutcomeDeemedConsent || out.Decision == OutcomeFulfilled {
			status = models.TaskDone
			decision = out.Decision
		}
		if err := in.close(ctx, t, status, decision, spec.Silence.Article); err != nil {
			return err
		}
	}
	if t := in.find(supervision); t != nil && t.status == models.TaskOpen {
		if err := in.close(ctx, t, models.TaskDone, "resolved: "+out.Decision, t.spec.Silence.Supervision.Article); err != nil {
			return err
		}
	}
	if t := in.find(in.id + "." + spec.Name + ".referral"); t != nil && t.status == models.TaskOpen {
		if err := in.close(ctx, t, models.TaskDone, "resolved: "+out.Decision, spec.Silence.Supervision.ReferralArticle); err != nil {
			return err
		}
	}
	if t := in.find(notice); t != nil && t.status == models.TaskOpen {
		if err := in.close(ctx, t, models.TaskDone, "resolved: "+out.Decision, spec.Silence.Article); err != nil {
			return err
		}
	}
	return nil
}

func (in *inbox) close(ctx workflow.Context, t *task, status, decision, article string) error {
	t.status = status
	return execute(ctx, acts.CloseTask, activities.CloseTaskInput{
		ProcedureID: in.id, TaskID: t.id, Status: status, Decision: decision,
		DecidedBy: "system", At: workflow.Now(ctx), Article: article,
	}).Get(ctx, nil)
}

func openIDs(ts []*task) []string {
	var ids []string
	for _, t := range ts {
		if t.status == models.TaskOpen {
			ids = append(ids, t.id)
		}
	}
	return ids
}
