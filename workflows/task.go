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

// TaskView is what the decide Update returns.
type TaskView struct {
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

// Deadline is the due time of period counted from from on the calendar in
// force (an activity: the calendar is data). A procedure that records the
// deadline before the step opens asks for it here and passes it as the
// step's Due.
func (in *inbox) Deadline(ctx workflow.Context, name string, period regulations.Period, from time.Time) (activities.Deadline, error) {
	var due activities.Deadline
	if err := workflow.ExecuteActivity(actx(ctx), acts.Deadline, activities.DeadlineInput{From: from, WorkingDays: period.WorkingDays}).Get(ctx, &due); err != nil {
		return due, fmt.Errorf("deadline of %s %s: %w", in.id, name, err)
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
	// The procedure the inbox serves, and the city's rules for it.
	procedure, id, jurisdiction string
	profile                     regulations.Profile
	tasks                       []*task
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

// newInbox registers the decide Update on the workflow of procedure id in
// jurisdiction, whose steps follow the city's profile p.
func newInbox(ctx workflow.Context, procedure, id, jurisdiction string, p regulations.Profile) (*inbox, error) {
	in := &inbox{procedure: procedure, id: id, jurisdiction: jurisdiction, profile: p}
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

func (in *inbox) decide(ctx workflow.Context, d Decision) (TaskView, error) {
	t := in.find(d.TaskID)
	if err := in.validate(ctx, d); err != nil {
		return TaskView{}, err
	}
	t.status = "closing" // no second decision while this one is recorded
	if err := workflow.Await(ctx, func() bool { return t.opened }); err != nil {
		return TaskView{}, err
	}
	if slices.Contains(t.spec.Interim, d.Decision) {
		// Not final: act on it, and the task stays open.
		var err error
		if t.spec.OnInterim != nil {
			err = t.spec.OnInterim(ctx, d)
		}
		t.status = models.TaskOpen
		if err != nil {
			return TaskView{}, fmt.Errorf("act on %s of %s: %w", d.Decision, t.id, err)
		}
		return TaskView{TaskID: t.id, Status: t.status, Decision: d.Decision}, nil
	}
	err := workflow.ExecuteActivity(actx(ctx), acts.CloseTask, activities.CloseTaskInput{
		ProcedureID: in.id, TaskID: t.id, Status: models.TaskDone, Decision: d.Decision,
		Reason: d.Reason, LegalBasis: d.LegalBasis, Conditions: d.Conditions, DecidedBy: d.Actor.String(),
		At: workflow.Now(ctx), Article: t.spec.Period.Article,
	}).Get(ctx, nil)
	if err != nil {
		t.status = models.TaskOpen
		if msg, ok := activities.IsPermanent(err); ok {
			// A decision that cannot be stored is refused, and the task
			// stays open for another (ARCHITECTURE.md, "Errors in workers").
			return TaskView{}, temporal.NewApplicationError("the decision cannot be recorded: "+msg, ErrInvalid)
		}
		return TaskView{}, fmt.Errorf("record decision on %s: %w", t.id, err)
	}
	t.status, t.decision = models.TaskDone, &d
	in.decisions++
	seq := in.decisions
	if err := workflow.Await(ctx, func() bool { return in.observed >= seq }); err != nil {
		return TaskView{}, err
	}
	return TaskView{TaskID: t.id, Status: t.status, Decision: d.Decision}, nil
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

// open adds a task to the inbox and the database.
func (in *inbox) open(ctx workflow.Context, spec *StepSpec, id, kind string, a Assignee, due activities.Deadline, article, detail string) error {
	t := &task{id: id, kind: kind, assignee: a, spec: spec, status: models.TaskOpen}
	in.tasks = append(in.tasks, t)
	err := workflow.ExecuteActivity(actx(ctx), acts.OpenTask, activities.OpenTaskInput{Detail: detail, Task: models.Task{
		ID: id, Procedure: in.procedure, ProcedureID: in.id, WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID,
		Kind: kind, Jurisdiction: in.jurisdiction, AssigneeRole: a.Role, AssigneeDept: a.Dept,
		DueDate: due.DueDate, DueAt: due.DueAt, Provisional: due.Provisional, Article: article, CreatedAt: workflow.Now(ctx),
		Statutory:  (kind == models.TaskDecision || kind == models.TaskObligation) && spec.Period.Statutory,
		CountsFrom: countsFrom(ctx, spec, kind),
	}}).Get(ctx, nil)
	if err != nil {
		return fmt.Errorf("open task %s: %w", id, err)
	}
	t.opened = true
	return nil
}

// Run opens the step's tasks and waits until they are decided or the
// profile's rule on silence ends the step.
func (in *inbox) Run(ctx workflow.Context, spec StepSpec) (StepOutcome, error) {
	in.complete(&spec)
	if spec.Due.DueAt.IsZero() {
		from := spec.From
		if from.IsZero() {
			from = workflow.Now(ctx)
		}
		var err error
		if spec.Due, err = in.Deadline(ctx, spec.Name, spec.Period, from); err != nil {
			return StepOutcome{}, err
		}
	}
	var remind *activities.Deadline
	if spec.Period.WorkingDays > 1 {
		var r activities.Deadline
		err := workflow.ExecuteActivity(actx(ctx), acts.Deadline, activities.DeadlineInput{From: spec.From, WorkingDays: spec.Period.WorkingDays - 1}).Get(ctx, &r)
		if err != nil {
			return StepOutcome{}, fmt.Errorf("reminder time of %s: %w", spec.Name, err)
		}
		remind = &r
	}
	var mine []*task
	for _, a := range spec.Assignees {
		id := fmt.Sprintf("%s.%s.%s", in.id, spec.Name, a.Role)
		if err := in.open(ctx, &spec, id, spec.Kind, a, spec.Due, spec.Period.Article, ""); err != nil {
			return StepOutcome{}, err
		}
		mine = append(mine, in.tasks[len(in.tasks)-1])
	}
	if err := upsertDue(ctx, spec.Due.DueAt, false); err != nil {
		return StepOutcome{}, err
	}
	if spec.Shown != nil {
		spec.Shown(spec.Due)
	}

	timers, stop := workflow.WithCancel(ctx)
	defer stop()
	// gen holds the current deadline's timers: a calendar change cancels
	// them and sets new ones in a fresh gen (see retime).
	gen, cancelTimers := workflow.WithCancel(timers)
	changed := workflow.GetSignalChannel(ctx, SignalCalendarChanged)
	now := workflow.Now(ctx)
	var remindTimer workflow.Future
	if remind != nil && spec.Due.DueAt.After(now) {
		// A step that starts past its reminder time (a window counted from
		// an earlier date) is reminded at once; histories from before this
		// rule skipped the reminder.
		wait := remind.DueAt.Sub(now)
		if wait > 0 || workflow.GetVersion(ctx, "remind-late-start", workflow.DefaultVersion, 1) > workflow.DefaultVersion {
			remindTimer = workflow.NewTimer(gen, max(wait, 0))
		}
	}
	dueTimer := workflow.NewTimer(gen, max(spec.Due.DueAt.Sub(now), 0))
	reminded, overdue := remindTimer == nil, false
	// held: the due time passed on a provisional deadline and the step's
	// irreversible outcome waits for the year's schedule (notice is the
	// authority's notice task meanwhile).
	held := false
	var supervision, notice string
	// referral: the second stage of accountability, opened when the
	// supervision's time passes with the step still undone (逾期不改正).
	var referTimer workflow.Future
	referred := false

	decided := func() (StepOutcome, bool) {
		if spec.Fulfilled != nil && spec.Fulfilled() {
			return StepOutcome{Decision: OutcomeFulfilled}, true
		}
		for _, t := range mine {
			if d := t.decision; d != nil && d.Decision == DecisionReject {
				return StepOutcome{Decision: DecisionReject, Reason: d.Reason, LegalBasis: d.LegalBasis, DecidedBy: d.Actor.String()}, true
			}
		}
		// No refusal: the step ends when every task is decided, with the
		// decision they agree on (approve, or acknowledge for a filing).
		var out StepOutcome
		var conds, by, reasons []string
		for _, t := range mine {
			if t.decision == nil {
				return out, false
			}
			out.Decision = t.decision.Decision
			if t.decision.Conditions != "" {
				conds = append(conds, t.decision.Conditions)
			}
			if t.decision.Reason != "" {
				reasons = append(reasons, t.decision.Reason)
			}
			if t.decision.Item != nil {
				out.Item = t.decision.Item
			}
			by = append(by, t.decision.Actor.String())
		}
		out.Conditions, out.DecidedBy = strings.Join(conds, "; "), strings.Join(by, ", ")
		out.Reasons = strings.Join(reasons, "; ")
		// Steps that ask reasons of other decisions carry them as the outcome's reason.
		if len(spec.ReasonRequired) > 0 {
			out.Reason = out.Reasons
		}
		return out, true
	}

	// A decision accepted before the due time is still being recorded:
	// silence must not overtake it.
	closing := func() bool {
		for _, t := range mine {
			if t.status == "closing" {
				return true
			}
		}
		return false
	}

	var out StepOutcome
	for {
		var done bool
		if out, done = decided(); done {
			break
		}
		if !reminded && remindTimer.IsReady() {
			reminded = true
			if err := workflow.ExecuteActivity(actx(ctx), acts.RemindTasks, activities.TaskNote{
				Procedure: in.procedure, ProcedureID: in.id, TaskIDs: openIDs(mine), At: workflow.Now(ctx), Article: spec.Period.Article,
			}).Get(ctx, nil); err != nil {
				return StepOutcome{}, fmt.Errorf("remind %s: %w", spec.Name, err)
			}
			continue
		}
		if !overdue && !held && dueTimer.IsReady() && !closing() {
			if spec.Silence.Rule == regulations.SilenceDeemedConsent {
				// An irreversible outcome never rests on a provisional
				// deadline (one counted through a year whose schedule is
				// not published): the step waits, the tasks stay open for
				// a decision, the authority is told, and the publication's
				// signal decides again on the final deadline. Histories
				// from before this rule granted at once (DefaultVersion).
				if spec.Due.Provisional && workflow.GetVersion(ctx, versionProvisionalHold, workflow.DefaultVersion, 1) > workflow.DefaultVersion {
					held = true
					var err error
					if notice, err = in.awaitCalendar(ctx, &spec, mine, notice); err != nil {
						return StepOutcome{}, err
					}
					continue
				}
				// Consent by law at the deadline: not an overdue request.
				out = StepOutcome{Decision: OutcomeDeemedConsent, DecidedBy: "deadline"}
				break
			}
			overdue = true
			var err error
			if supervision, referTimer, err = in.supervise(ctx, &spec, mine); err != nil {
				return StepOutcome{}, err
			}
			continue
		}
		if referTimer != nil && !referred && referTimer.IsReady() {
			referred = true
			if err := in.refer(ctx, &spec, mine, supervision); err != nil {
				return StepOutcome{}, err
			}
			continue
		}
		if changed.Len() > 0 {
			// Drain the signals. Only those naming another calendar than
			// the deadline's call for a recomputation (jobs of two
			// publications may interleave, and a resumed job may repeat
			// itself). A history recorded before this handling existed
			// ignored the signals, and replays so (DefaultVersion).
			other := false
			var c CalendarChanged
			for changed.ReceiveAsync(&c) {
				other = other || c.CalendarVersion != spec.Due.CalendarVersion
			}
			if workflow.GetVersion(ctx, versionRetime, workflow.DefaultVersion, 1) == workflow.DefaultVersion || !other {
				continue
			}
			if overdue || (dueTimer.IsReady() && !held) {
				continue // the deadline has passed: not reopened (a held one is decided again)
			}
			r, err := in.retime(ctx, &spec, reminded)
			if err != nil {
				return StepOutcome{}, err
			}
			if r == nil || (dueTimer.IsReady() && !held) {
				continue // unchanged, or the deadline passed while recomputing
			}
			if err := in.recordRetime(ctx, &spec, mine, r); err != nil {
				return StepOutcome{}, err
			}
			// Replace the timers: those of the old deadline are cancelled.
			cancelTimers()
			gen, cancelTimers = workflow.WithCancel(timers)
			now := workflow.Now(ctx)
			if !reminded && r.remind != nil {
				remindTimer = workflow.NewTimer(gen, max(r.remind.DueAt.Sub(now), 0))
			}
			dueTimer = workflow.NewTimer(gen, max(spec.Due.DueAt.Sub(now), 0))
			if held {
				// Decided again on the new deadline: at once if it has
				// passed (deemed consent if final, another wait if still
				// provisional), else at its due time.
				held = false
				if !spec.Due.Provisional && notice != "" {
					if err := in.close(ctx, in.find(notice), models.TaskDone, "calendar published: due "+spec.Due.DueDate, spec.Silence.Article); err != nil {
						return StepOutcome{}, err
					}
					notice = ""
				}
			}
			continue
		}
		err := in.Await(ctx, func() bool {
			_, d := decided()
			return d || in.observed < in.decisions || (!reminded && remindTimer.IsReady()) || (!overdue && !held && dueTimer.IsReady() && !closing()) ||
				changed.Len() > 0 || (referTimer != nil && !referred && referTimer.IsReady())
		})
		if err != nil {
			return StepOutcome{}, err
		}
	}
	out.At, out.Overdue = workflow.Now(ctx), overdue
	stop()
	return out, in.closeRest(ctx, &spec, mine, supervision, notice, out)
}

// SignalCalendarChanged tells a running procedure that a year's holiday
// schedule was published or corrected; its payload is a CalendarChanged.
const SignalCalendarChanged = activities.SignalCalendarChanged

// CalendarChanged is the payload of SignalCalendarChanged.
type CalendarChanged = activities.CalendarChanged

// versionRetime guards the handling of SignalCalendarChanged in the task
// step (GetVersion): version 1 recomputes the open deadline on the new
// calendar and replaces the timers.
const versionRetime = "calendar-retime"

// retiming is a step's deadline recomputed on a new calendar.
type retiming struct {
	old, due activities.Deadline
	remind   *activities.Deadline // nil when the reminder is past or there is none
}

// retime recomputes the step's deadline (and its reminder, unless already
// sent: a reminder is recorded once) from the original filing time on the
// calendar in force, whatever calendar the signal named. It returns nil when
// the deadline was already computed on that calendar.
func (in *inbox) retime(ctx workflow.Context, spec *StepSpec, reminded bool) (*retiming, error) {
	r := &retiming{old: spec.Due}
	n := spec.Period.WorkingDays
	if err := workflow.ExecuteActivity(actx(ctx), acts.Deadline, activities.DeadlineInput{From: spec.From, WorkingDays: n}).Get(ctx, &r.due); err != nil {
		return nil, fmt.Errorf("recompute deadline of %s: %w", spec.Name, err)
	}
	if r.due.CalendarVersion == spec.Due.CalendarVersion {
		return nil, nil
	}
	if n > 1 && !reminded {
		var rem activities.Deadline
		if err := workflow.ExecuteActivity(actx(ctx), acts.Deadline, activities.DeadlineInput{From: spec.From, WorkingDays: n - 1}).Get(ctx, &rem); err != nil {
			return nil, fmt.Errorf("recompute reminder time of %s: %w", spec.Name, err)
		}
		r.remind = &rem
	}
	return r, nil
}

// recordRetime makes a recomputed deadline the step's: the open tasks and the
// procedure's record in the database, an event, the DueAt search attribute.
func (in *inbox) recordRetime(ctx workflow.Context, spec *StepSpec, mine []*task, r *retiming) error {
	spec.Due = r.due
	if err := workflow.ExecuteActivity(actx(ctx), acts.RetimeTasks, activities.RetimeInput{
		Procedure: in.procedure, ProcedureID: in.id, Step: spec.Name, TaskIDs: openIDs(mine), Old: r.old, New: r.due,
		At: workflow.Now(ctx), Article: spec.Period.Article,
	}).Get(ctx, nil); err != nil {
		return fmt.Errorf("retime %s: %w", spec.Name, err)
	}
	if err := upsertDue(ctx, r.due.DueAt, false); err != nil {
		return err
	}
	if spec.Shown != nil {
		spec.Shown(r.due)
	}
	return nil
}

// versionProvisionalHold guards the rule that a deemed consent due on a
// provisional deadline waits for the year's schedule (GetVersion): version
// 1 holds the step; DefaultVersion (older histories) granted at once.
const versionProvisionalHold = "provisional-hold"

// awaitCalendar records that the step's outcome waits for the calendar
// (an awaiting_calendar event on each open task) and, the first time, tells
// the city's authority with a notice task. It returns the notice's ID.
func (in *inbox) awaitCalendar(ctx workflow.Context, spec *StepSpec, mine []*task, notice string) (string, error) {
	now := workflow.Now(ctx)
	if err := workflow.ExecuteActivity(actx(ctx), acts.AwaitCalendar, activities.AwaitCalendarInput{
		ProcedureID: in.id, TaskIDs: openIDs(mine), Due: spec.Due, Outcome: spec.Silence.Rule,
		At: now, Article: spec.Silence.Article,
	}).Get(ctx, nil); err != nil {
		return "", fmt.Errorf("hold %s for the calendar: %w", spec.Name, err)
	}
	if notice != "" {
		return notice, nil
	}
	var due activities.Deadline
	if err := workflow.ExecuteActivity(actx(ctx), acts.Deadline, activities.DeadlineInput{From: now, WorkingDays: spec.Silence.Supervision.WorkingDays}).Get(ctx, &due); err != nil {
		return "", fmt.Errorf("notice deadline: %w", err)
	}
	id := fmt.Sprintf("%s.%s.awaiting-calendar", in.id, spec.Name)
	detail := fmt.Sprintf("the deadline %s was counted through a year whose holiday schedule is not published; %s (%s) waits for it, and the %s may still decide",
		spec.Due.DueDate, spec.Silence.Rule, spec.Silence.Article, describe(spec.Assignees[0], in.jurisdiction))
	if err := in.open(ctx, spec, id, models.TaskNotice, Assignee{Role: regulations.RoleAuthority}, due, spec.Silence.Article, detail); err != nil {
		return "", err
	}
	return id, nil
}

// versionAccountability guards the accountability rules of supervise
// (GetVersion): version 1 cites the city's accountability article, never
// gives the supervision to the party that is late (an overdue authority is
// supervised by the government) and opens the second stage (refer) when the
// supervision's time passes; DefaultVersion (older histories) gave every
// supervision to the authority, citing the step's article, with no second stage.
const versionAccountability = "accountability"

// supervise flags the step's open tasks overdue and opens a supervision task
// (督办 / 责令改正) for the supervisor over the late party, due within the
// service level; it returns the task's ID ("" when no one is above the late
// party) and the timer of its due time, at which the second stage opens.
func (in *inbox) supervise(ctx workflow.Context, spec *StepSpec, mine []*task) (string, workflow.Future, error) {
	now := workflow.Now(ctx)
	ids := openIDs(mine)
	v := workflow.GetVersion(ctx, versionAccountability, workflow.DefaultVersion, 1)
	article, sup := spec.Silence.Article, regulations.RoleAuthority
	if v > workflow.DefaultVersion {
		sup = spec.Silence.Supervision.Over(lateRole(mine))
	}
	if err := workflow.ExecuteActivity(actx(ctx), acts.MarkOverdue, activities.TaskNote{
		Procedure: in.procedure, ProcedureID: in.id, TaskIDs: ids, At: now, Article: article,
	}).Get(ctx, nil); err != nil {
		return "", nil, fmt.Errorf("flag %s overdue: %w", spec.Name, err)
	}
	if err := upsertDue(ctx, spec.Due.DueAt, true); err != nil {
		return "", nil, err
	}
	if sup == "" {
		return "", nil, nil // the government is late: flagged, no one above it here
	}
	var due activities.Deadline
	if err := workflow.ExecuteActivity(actx(ctx), acts.Deadline, activities.DeadlineInput{From: now, WorkingDays: spec.Silence.Supervision.WorkingDays}).Get(ctx, &due); err != nil {
		return "", nil, fmt.Errorf("supervision deadline: %w", err)
	}
	id := fmt.Sprintf("%s.%s.supervision", in.id, spec.Name)
	detail := fmt.Sprintf("the decision due %s is overdue (%s)", spec.Due.DueDate, article)
	if err := in.open(ctx, spec, id, models.TaskSupervision, Assignee{Role: sup}, due, spec.Silence.Supervision.Article, detail); err != nil {
		return "", nil, err
	}
	if v == workflow.DefaultVersion || spec.Silence.Supervision.Referral == "" {
		return id, nil, nil
	}
	return id, workflow.NewTimer(ctx, max(due.DueAt.Sub(now), 0)), nil
}

// refer opens the second stage of accountability: the supervision's time
// passed with the step still undone (逾期不改正), so the supervisor refers it
// (提请处理 / 提请追责) under the referral article. The task closes with the step.
func (in *inbox) refer(ctx workflow.Context, spec *StepSpec, mine []*task, supervision string) error {
	s := in.find(supervision)
	if s == nil || len(openIDs(mine)) == 0 {
		return nil
	}
	var due activities.Deadline
	if err := workflow.ExecuteActivity(actx(ctx), acts.Deadline, activities.DeadlineInput{From: workflow.Now(ctx), WorkingDays: spec.Silence.Supervision.WorkingDays}).Get(ctx, &due); err != nil {
		return fmt.Errorf("referral deadline: %w", err)
	}
	id := fmt.Sprintf("%s.%s.referral", in.id, spec.Name)
	detail := fmt.Sprintf("not corrected within the supervision's time (due %s): %s", s.spec.Due.DueDate, spec.Silence.Supervision.Referral)
	return in.open(ctx, spec, id, models.TaskSupervision, s.assignee, due, spec.Silence.Supervision.ReferralArticle, detail)
}

// lateRole is the role of the step's open tasks that are late: the
// government or the authority when one of them is among them, else the
// role of the others (a department, 市信息中心).
func lateRole(mine []*task) string {
	late := ""
	for _, t := range mine {
		if t.status != models.TaskOpen {
			continue
		}
		switch r := t.assignee.Role; {
		case r == regulations.RoleGovernment:
			return r
		case r == regulations.RoleAuthority || late == "":
			late = r
		}
	}
	return late
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
			status, decision = models.TaskDone, out.Decision
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
	return workflow.ExecuteActivity(actx(ctx), acts.CloseTask, activities.CloseTaskInput{
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
