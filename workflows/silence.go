package workflows

import (
	"fmt"

	"github.com/cityapprovals/approvals/activities"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"go.temporal.io/sdk/workflow"
)

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
	var err error
	if r.due, err = in.Deadline(ctx, spec.Name+" (recomputed)", n, spec.From); err != nil {
		return nil, err
	}
	if r.due.CalendarVersion == spec.Due.CalendarVersion {
		return nil, nil
	}
	if n > 1 && !reminded {
		rem, err := in.Deadline(ctx, spec.Name+" reminder (recomputed)", n-1, spec.From)
		if err != nil {
			return nil, err
		}
		r.remind = &rem
	}
	return r, nil
}

// recordRetime makes a recomputed deadline the step's: the open tasks and the
// procedure's record in the database, an event, the DueAt search attribute.
func (in *inbox) recordRetime(ctx workflow.Context, spec *StepSpec, mine []*task, r *retiming) error {
	spec.Due = r.due
	if err := execute(ctx, acts.RetimeTasks, activities.RetimeInput{
		Procedure: in.procedure, ProcedureID: in.id, Step: spec.Name, TaskIDs: openIDs(mine), Old: r.old, New: r.due,
		At: workflow.Now(ctx), Article: spec.Period.Article,
	}).Get(ctx, nil); err != nil {
		return fmt.Errorf("retime %s: %w", spec.Name, err)
	}
	if err := upsertDue(ctx, r.due.DueAt, false); err != nil {
		return err
	}
	in.view.due(r.due)
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
	if err := execute(ctx, acts.AwaitCalendar, activities.AwaitCalendarInput{
		ProcedureID: in.id, TaskIDs: openIDs(mine), Due: spec.Due, Outcome: spec.Silence.Rule,
		At: now, Article: spec.Silence.Article,
	}).Get(ctx, nil); err != nil {
		return "", fmt.Errorf("hold %s for the calendar: %w", spec.Name, err)
	}
	if notice != "" {
		return notice, nil
	}
	due, err := in.Deadline(ctx, spec.Name+" notice", spec.Silence.Supervision.WorkingDays, now)
	if err != nil {
		return "", err
	}
	id := fmt.Sprintf("%s.%s.awaiting-calendar", in.id, spec.Name)
	detail := fmt.Sprintf("the deadline %s was counted through a year whose holiday schedule is not published; %s (%s) waits for it, and the %s may still decide",
		spec.Due.DueDate, spec.Silence.Rule, spec.Silence.Article, describe(spec.Assignees[0], in.jurisdiction))
	if _, err := in.open(ctx, spec, id, models.TaskNotice, Assignee{Role: regulations.RoleAuthority}, due, spec.Silence.Article, detail); err != nil {
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
	if err := execute(ctx, acts.MarkOverdue, activities.TaskNoteInput{
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
	due, err := in.Deadline(ctx, spec.Name+" supervision", spec.Silence.Supervision.WorkingDays, now)
	if err != nil {
		return "", nil, err
	}
	id := fmt.Sprintf("%s.%s.supervision", in.id, spec.Name)
	detail := fmt.Sprintf("the decision due %s is overdue (%s)", spec.Due.DueDate, article)
	if _, err := in.open(ctx, spec, id, models.TaskSupervision, Assignee{Role: sup}, due, spec.Silence.Supervision.Article, detail); err != nil {
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
	due, err := in.Deadline(ctx, spec.Name+" referral", spec.Silence.Supervision.WorkingDays, workflow.Now(ctx))
	if err != nil {
		return err
	}
	id := fmt.Sprintf("%s.%s.referral", in.id, spec.Name)
	detail := fmt.Sprintf("not corrected within the supervision's time (due %s): %s", s.spec.Due.DueDate, spec.Silence.Supervision.Referral)
	_, err = in.open(ctx, spec, id, models.TaskSupervision, s.assignee, due, spec.Silence.Supervision.ReferralArticle, detail)
	return err
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
