package workflows

import (
	"fmt"
	"strings"
	"time"

	"github.com/cityapprovals/approvals/activities"
	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"go.temporal.io/sdk/workflow"
)

// step is one run of a StepSpec in the inbox: its tasks, its timers and how
// far the profile's rule on silence has gone.
type step struct {
	in      *inbox
	spec    StepSpec
	mine    []*task
	clock   *clock
	changed workflow.ReceiveChannel
	// reminded: the reminder is sent (or there is none); overdue: the due
	// time passed and the step is supervised.
	reminded bool
	overdue  bool
	// held: the due time passed on a provisional deadline and the step's
	// irreversible outcome waits for the year's schedule; notice is the
	// authority's notice task meanwhile.
	held   bool
	notice string
	// supervision is the overdue step's supervision task; referTimer the
	// time at which, the step still undone (逾期不改正), the second stage
	// of accountability opens (referred).
	supervision string
	referTimer  workflow.Future
	referred    bool
}

// clock holds a step's timers: the reminder (nil when there is none) and the
// due time of the deadline in force, in one generation that a calendar
// change replaces (see step.recalendar).
type clock struct {
	timers    workflow.Context // parent of every generation
	stop      workflow.CancelFunc
	gen       workflow.Context
	cancelGen workflow.CancelFunc
	remind    workflow.Future
	due       workflow.Future
}

func newClock(ctx workflow.Context) *clock {
	c := &clock{}
	c.timers, c.stop = workflow.WithCancel(ctx)
	c.gen, c.cancelGen = workflow.WithCancel(c.timers)
	return c
}

// replace cancels the timers of the old deadline and starts a generation
// for the new one's.
func (c *clock) replace() {
	c.cancelGen()
	c.gen, c.cancelGen = workflow.WithCancel(c.timers)
}

// after is a timer of the current generation.
func (c *clock) after(d time.Duration) workflow.Future {
	return workflow.NewTimer(c.gen, max(d, 0))
}

// Run opens the step's tasks and waits until they are decided or the
// profile's rule on silence ends the step.
func (in *inbox) Run(ctx workflow.Context, spec StepSpec) (StepOutcome, error) {
	s, err := in.begin(ctx, spec)
	if err != nil {
		return StepOutcome{}, err
	}
	defer s.clock.stop()
	for {
		if out, done := s.outcome(); done {
			return s.finish(ctx, out)
		}
		acted, final, err := s.act(ctx)
		if err != nil {
			return StepOutcome{}, err
		}
		if final != nil {
			return s.finish(ctx, *final)
		}
		if acted {
			continue
		}
		if err := in.Await(ctx, s.ready); err != nil {
			return StepOutcome{}, err
		}
	}
}

// begin completes the spec from the profile, computes its deadline and
// reminder, opens its tasks and sets its timers.
func (in *inbox) begin(ctx workflow.Context, spec StepSpec) (*step, error) {
	in.complete(&spec)
	if spec.Due.DueAt.IsZero() {
		from := spec.From
		if from.IsZero() {
			from = workflow.Now(ctx)
		}
		var err error
		if spec.Due, err = in.Deadline(ctx, spec.Name, spec.Period.WorkingDays, from); err != nil {
			return nil, err
		}
	}
	var remind *activities.Deadline
	switch {
	case spec.Period.WorkingDays > 1 && !spec.Due.RemindAt.IsZero(): // counted with the deadline
		remind = &activities.Deadline{Deadline: holidays.Deadline{DueAt: spec.Due.RemindAt}}
	case spec.Period.WorkingDays > 1:
		r, err := in.Deadline(ctx, spec.Name+" reminder", spec.Period.WorkingDays-1, spec.From)
		if err != nil {
			return nil, err
		}
		remind = &r
	}
	s := &step{in: in, spec: spec}
	roles := map[string]int{}
	for _, a := range s.spec.Assignees {
		roles[a.Role]++
	}
	for _, a := range s.spec.Assignees {
		id := fmt.Sprintf("%s.%s.%s", in.id, s.spec.Name, a.Role)
		if roles[a.Role] > 1 {
			// Two departments in one step (a negotiation between them,
			// leshan 第十一条): each its own task. No earlier step had a
			// role twice, so earlier task IDs are unchanged.
			id += "." + a.Dept
		}
		t, err := in.open(ctx, &s.spec, id, s.spec.Kind, a, s.spec.Due, s.spec.Period.Article, "")
		if err != nil {
			return nil, err
		}
		s.mine = append(s.mine, t)
	}
	if err := upsertDue(ctx, s.spec.Due.DueAt, false); err != nil {
		return nil, err
	}
	in.view.open(&s.spec)
	if s.spec.Shown != nil {
		s.spec.Shown(s.spec.Due)
	}
	s.clock = newClock(ctx)
	s.changed = workflow.GetSignalChannel(ctx, SignalCalendarChanged)
	now := workflow.Now(ctx)
	if remind != nil && s.spec.Due.DueAt.After(now) {
		// A step that starts past its reminder time (a window counted from
		// an earlier date) is reminded at once; histories from before this
		// rule skipped the reminder.
		wait := remind.DueAt.Sub(now)
		if wait > 0 || workflow.GetVersion(ctx, "remind-late-start", workflow.DefaultVersion, 1) > workflow.DefaultVersion {
			s.clock.remind = s.clock.after(wait)
		}
	}
	s.clock.due = s.clock.after(s.spec.Due.DueAt.Sub(now))
	s.reminded = s.clock.remind == nil
	return s, nil
}

// finish stops the step's timers and closes what its outcome leaves open.
func (s *step) finish(ctx workflow.Context, out StepOutcome) (StepOutcome, error) {
	out.At = workflow.Now(ctx)
	out.Overdue = s.overdue
	s.clock.stop()
	return out, s.in.closeRest(ctx, &s.spec, s.mine, s.supervision, s.notice, out)
}

// outcome aggregates the decisions: one refusal refuses; otherwise the step
// ends when every task is decided, with the decision they agree on (approve,
// or acknowledge for a filing). An obligation ends when it is fulfilled.
func (s *step) outcome() (StepOutcome, bool) {
	if s.spec.Fulfilled != nil && s.spec.Fulfilled() {
		return StepOutcome{Decision: OutcomeFulfilled}, true
	}
	for _, t := range s.mine {
		if d := t.decision; d != nil && d.Decision == DecisionReject {
			return StepOutcome{Decision: DecisionReject, Reason: d.Reason, LegalBasis: d.LegalBasis, DecidedBy: d.Actor.String()}, true
		}
	}
	var out StepOutcome
	var conds, by, reasons []string
	for _, t := range s.mine {
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
	out.Conditions = strings.Join(conds, "; ")
	out.DecidedBy = strings.Join(by, ", ")
	out.Reasons = strings.Join(reasons, "; ")
	// Steps that ask reasons of other decisions carry them as the outcome's reason.
	if len(s.spec.ReasonRequired) > 0 {
		out.Reason = out.Reasons
	}
	return out, true
}

// closing reports a decision accepted before the due time that is still
// being recorded: silence must not overtake it.
func (s *step) closing() bool {
	for _, t := range s.mine {
		if t.status == "closing" {
			return true
		}
	}
	return false
}

func (s *step) remindNow() bool { return !s.reminded && s.clock.remind.IsReady() }

func (s *step) dueNow() bool {
	return !s.overdue && !s.held && s.clock.due.IsReady() && !s.closing()
}

func (s *step) referNow() bool {
	return s.referTimer != nil && !s.referred && s.referTimer.IsReady()
}

// ready reports whether the step has something to act on.
func (s *step) ready() bool {
	_, done := s.outcome()
	return done || s.in.observed < s.in.decisions || s.remindNow() || s.dueNow() || s.changed.Len() > 0 || s.referNow()
}

// act does the first thing the step's timers or signals ask: it reports
// whether it acted and, when the rule on silence ends the step, its outcome.
func (s *step) act(ctx workflow.Context) (bool, *StepOutcome, error) {
	switch {
	case s.remindNow():
		return true, nil, s.remind(ctx)
	case s.dueNow():
		out, err := s.silence(ctx)
		return true, out, err
	case s.referNow():
		s.referred = true
		return true, nil, s.in.refer(ctx, &s.spec, s.mine, s.supervision)
	case s.changed.Len() > 0:
		return true, nil, s.recalendar(ctx)
	}
	return false, nil, nil
}

// remind sends the reminder one working day before the due time.
func (s *step) remind(ctx workflow.Context) error {
	s.reminded = true
	if err := execute(ctx, acts.RemindTasks, activities.TaskNoteInput{
		Procedure: s.in.procedure, ProcedureID: s.in.id, TaskIDs: openIDs(s.mine), At: workflow.Now(ctx), Article: s.spec.Period.Article,
	}).Get(ctx, nil); err != nil {
		return fmt.Errorf("remind %s: %w", s.spec.Name, err)
	}
	return nil
}

// silence applies the profile's rule on silence at the due time: deemed
// consent, or the step is flagged overdue and supervised.
func (s *step) silence(ctx workflow.Context) (*StepOutcome, error) {
	if s.spec.Silence.Rule != regulations.SilenceDeemedConsent {
		s.overdue = true
		s.in.view.Overdue = true
		var err error
		s.supervision, s.referTimer, err = s.in.supervise(ctx, &s.spec, s.mine)
		return nil, err
	}
	// An irreversible outcome never rests on a provisional deadline (one
	// counted through a year whose schedule is not published): the step
	// waits, the tasks stay open for a decision, the authority is told, and
	// the publication's signal decides again on the final deadline.
	// Histories from before this rule granted at once (DefaultVersion).
	if s.spec.Due.Provisional && workflow.GetVersion(ctx, versionProvisionalHold, workflow.DefaultVersion, 1) > workflow.DefaultVersion {
		s.held = true
		notice, err := s.in.awaitCalendar(ctx, &s.spec, s.mine, s.notice)
		s.notice = notice
		return nil, err
	}
	// Consent by law at the deadline: not an overdue request.
	return &StepOutcome{Decision: OutcomeDeemedConsent, DecidedBy: "deadline"}, nil
}

// recalendar handles SignalCalendarChanged: the signals are drained, and
// only those naming another calendar than the deadline's call for a
// recomputation (jobs of two publications may interleave, and a resumed job
// may repeat itself). A history recorded before this handling existed
// ignored the signals, and replays so (DefaultVersion).
func (s *step) recalendar(ctx workflow.Context) error {
	other := false
	var c CalendarChanged
	for s.changed.ReceiveAsync(&c) {
		other = other || c.CalendarVersion != s.spec.Due.CalendarVersion
	}
	if workflow.GetVersion(ctx, versionRetime, workflow.DefaultVersion, 1) == workflow.DefaultVersion || !other {
		return nil
	}
	if s.passed() {
		return nil // the deadline has passed: not reopened (a held one is decided again)
	}
	r, err := s.in.retime(ctx, &s.spec, s.reminded)
	if err != nil {
		return err
	}
	if r == nil || s.passed() {
		return nil // unchanged, or the deadline passed while recomputing
	}
	if err := s.in.recordRetime(ctx, &s.spec, s.mine, r); err != nil {
		return err
	}
	// Replace the timers: those of the old deadline are cancelled.
	s.clock.replace()
	now := workflow.Now(ctx)
	if !s.reminded && r.remind != nil {
		s.clock.remind = s.clock.after(r.remind.DueAt.Sub(now))
	}
	s.clock.due = s.clock.after(s.spec.Due.DueAt.Sub(now))
	if !s.held {
		return nil
	}
	// Decided again on the new deadline: at once if it has passed (deemed
	// consent if final, another wait if still provisional), else at its due
	// time.
	s.held = false
	if !s.spec.Due.Provisional && s.notice != "" {
		if err := s.in.close(ctx, s.in.find(s.notice), models.TaskDone, "calendar published: due "+s.spec.Due.DueDate, s.spec.Silence.Article); err != nil {
			return err
		}
		s.notice = ""
	}
	return nil
}

// passed reports a deadline that has passed and is not held for the calendar.
func (s *step) passed() bool {
	return s.overdue || (s.clock.due.IsReady() && !s.held)
}
