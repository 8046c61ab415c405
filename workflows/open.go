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

// ProcedureOpen names the open-data application (procedure 3).
const ProcedureOpen = models.ProcedureOpenApplication

// UpdateAgree is the Update through which an applicant accepts the open-data
// use agreement (leshan 第二十八条). A returned application is amended
// through UpdateResubmit.
const UpdateAgree = "agree"

// DecisionConclude is the providing department's conclusion of the use
// agreement an applicant accepted (leshan 第二十八条).
const DecisionConclude = "conclude"

// versionAgreementWithProvider: the use agreement is concluded with the
// providing department (leshan 第二十八条), a step after the applicant's
// acceptance.
const versionAgreementWithProvider = "agreement-with-provider"

// versionDemandToHolder: a data demand is handled by the department holding
// the data (weifang 第二十五条, changsha 第十二条), no longer by the authority.
const versionDemandToHolder = "demand-to-holder"

// OpenInput starts an open-data application. Profile is the city's rules as
// they were at filing.
type OpenInput struct {
	Application models.OpenApplication
	Profile     regulations.Profile
}

// OpenResubmitInput is the argument of the resubmit Update of an open-data
// application: the amended fields, checked by the API.
type OpenResubmitInput struct {
	Fields models.OpenFields
	Actor  Actor
}

// AgreeInput is the argument of the agree Update: the keys of the clauses the
// applicant accepts, which must be all the city's clauses.
type AgreeInput struct {
	Clauses []string
	Actor   Actor
}

// OpenResult is an open-data application as its workflow sees it.
type OpenResult struct {
	Header
	Round        int    `json:"round"`
	ReturnReason string `json:"return_reason,omitempty"`
	Grant        string `json:"grant,omitempty"` // active or expired
	// Opened is the last round whose first step has its tasks open.
	Opened int `json:"-"`
}

// OpenApplication runs an applicant's application for open data (procedure
// 3): in xiamen the information centre's preliminary review (3 working days;
// a failed review returns the application, which the applicant may amend and
// resubmit for a new round), then the decision (the authority with the
// provider in xiamen, due 7 working days from the pass; the provider in
// changsha, wuhan and weifang; the authority in leshan and for weifang's data
// demands). Silence flags the step overdue and opens a supervision task:
// nothing is granted by silence. In leshan an approval takes effect only once
// the applicant accepts the use agreement. An approval grants access for the
// period of use, which expires by itself at the period's end.
func OpenApplication(ctx workflow.Context, in OpenInput) (OpenResult, error) {
	w := newOpenApplication(in)
	return launch(ctx, &w.st, w.start, w.run)
}

// openApplication is one run of the OpenApplication workflow: the
// application, the city's rule, the state the API sees, and what the
// applicant's Updates sent (a resubmission, the agreement) until the
// workflow takes it.
type openApplication struct {
	a      models.OpenApplication
	p      regulations.Profile
	rule   regulations.OpenRule
	st     OpenResult
	box    *inbox
	next   *OpenResubmitInput
	agreed *AgreeInput
	// concluding is set once the providing department's task to conclude
	// the accepted agreement is open: the acceptance answers then.
	concluding bool
}

func newOpenApplication(in OpenInput) *openApplication {
	w := &openApplication{a: in.Application, p: in.Profile}
	w.rule = w.p.OpenApplication
	w.st = OpenResult{Header: Header{ID: w.a.ID, Status: models.OpenUnderDecision}, Round: 1}
	if w.rule.Preliminary != nil {
		w.st.Status = models.OpenPreliminary
	}
	return w
}

// start publishes the state, opens the inbox, registers the applicant's
// Updates and records the application.
func (w *openApplication) start(ctx workflow.Context) error {
	var err error
	if w.box, err = begin(ctx, ProcedureOpen, w.a.Jurisdiction, w.p, &w.st, &w.st.Header, func() bool { return w.st.Opened >= 1 }); err != nil {
		return err
	}
	if err := w.register(ctx); err != nil {
		return err
	}
	w.a.Status = w.st.Status
	w.a.Round = 1
	return record(ctx, acts.RecordOpenApplication, w.a.ID, w.a)
}

// run takes the application through the preliminary review (where the city
// has one), the decision, the agreement (where the city asks one) and the
// period of use.
func (w *openApplication) run(ctx workflow.Context) (OpenResult, error) {
	from := w.a.FiledAt
	if w.rule.Preliminary != nil {
		var err error
		if from, err = w.preliminary(ctx); err != nil {
			return w.st, err
		}
	}
	out, err := w.decision(ctx, from)
	if err != nil {
		return w.st, err
	}
	dec := w.decisionPeriod()
	if out.Decision == DecisionReject {
		if err := w.finish(ctx, activities.FinishOpenInput{Status: models.OpenRejected, Reason: out.Reason, LegalBasis: out.LegalBasis,
			DecidedBy: out.DecidedBy, Article: dec.Article, Published: w.rule.PublishRefusals}); err != nil {
			return w.st, err
		}
		w.st.Status = models.OpenRejected
		return w.st, conclude(ctx, w.box, w.st.Status)
	}
	if w.rule.AgreementArticle != "" {
		if err := w.agreement(ctx, out); err != nil {
			return w.st, err
		}
	}
	grant := w.a.Kind == models.OpenKindUse
	if err := w.finish(ctx, activities.FinishOpenInput{Status: models.OpenApproved, Conditions: out.Conditions,
		DecidedBy: out.DecidedBy, Article: dec.Article, Grant: grant}); err != nil {
		return w.st, err
	}
	w.st.Article = dec.Article
	if err := w.setStatus(ctx, models.OpenApproved); err != nil {
		return w.st, err
	}
	if grant {
		if err := w.use(ctx); err != nil {
			return w.st, err
		}
	}
	return w.st, conclude(ctx, w.box, w.st.Status)
}

// progress records a step of the application in round st.Round.
func (w *openApplication) progress(ctx workflow.Context, in activities.OpenProgressInput) error {
	in.ID = w.a.ID
	in.Round = w.st.Round
	in.At = workflow.Now(ctx)
	if err := execute(ctx, acts.ProgressOpenApplication, in).Get(ctx, nil); err != nil {
		return fmt.Errorf("record %s of %s: %w", in.Kind, w.a.ID, err)
	}
	return nil
}

// setStatus shows the application's status in its state and search
// attribute.
func (w *openApplication) setStatus(ctx workflow.Context, status string) error {
	w.st.Status = status
	if err := workflow.UpsertTypedSearchAttributes(ctx, AttrStatus.ValueSet(status)); err != nil {
		return fmt.Errorf("upsert status: %w", err)
	}
	return nil
}

// preliminary runs the information centre's preliminary review, round after
// round while it returns the application and the applicant resubmits; it
// returns the instant of the pass, from which the decision counts.
func (w *openApplication) preliminary(ctx workflow.Context) (time.Time, error) {
	pre := w.rule.Preliminary
	for {
		start := workflow.Now(ctx)
		// 自申请之日起 (第二十三条): the first round counts from the
		// filing instant the API recorded, not from when the workflow
		// ran (a filing at 23:59:59, or while the worker was down,
		// gets no extra day). Older histories counted from the start.
		if w.st.Round == 1 && workflow.GetVersion(ctx, versionClockFromFiling, workflow.DefaultVersion, 1) > workflow.DefaultVersion {
			start = w.a.FiledAt
		}
		name := fmt.Sprintf("preliminary-%d", w.st.Round)
		due, err := w.box.Deadline(ctx, name, pre.WorkingDays, start)
		if err != nil {
			return time.Time{}, err
		}
		if err := w.progress(ctx, activities.OpenProgressInput{Status: models.OpenPreliminary, Step: "preliminary", Article: pre.Article,
			Statutory: pre.Statutory, DueDate: due.DueDate, DueAt: &due.DueAt, Kind: "preliminary_review_started",
			Detail: fmt.Sprintf("round %d: preliminary review of completeness and form due %s", w.st.Round, due.DueDate)}); err != nil {
			return time.Time{}, err
		}
		out, err := w.box.Run(ctx, StepSpec{
			Name:      name,
			Assignees: []Assignee{{Role: regulations.RoleInfocenter}},
			Period:    *pre,
			From:      start,
			Due:       due,
			Act:       regulations.ActPreliminary,
			Shown:     w.opened,
		})
		if err != nil {
			return time.Time{}, err
		}
		if out.Decision != DecisionReject {
			if err := w.progress(ctx, activities.OpenProgressInput{Status: models.OpenUnderDecision, Step: "preliminary", Article: pre.Article,
				Statutory: pre.Statutory, RoundOutcome: "passed", Actor: out.DecidedBy, Kind: "preliminary_passed",
				Detail: fmt.Sprintf("round %d passed the preliminary review", w.st.Round)}); err != nil {
				return time.Time{}, err
			}
			// The decision is due counted from the pass.
			return out.At, w.setStatus(ctx, models.OpenUnderDecision)
		}
		if err := w.returned(ctx, out); err != nil {
			return time.Time{}, err
		}
	}
}

// returned records a failed preliminary review, waits for the applicant's
// amended application and opens the next round.
func (w *openApplication) returned(ctx workflow.Context, out StepOutcome) error {
	pre := w.rule.Preliminary
	if err := w.progress(ctx, activities.OpenProgressInput{Status: models.OpenReturned, Step: "", Article: pre.Article,
		Statutory: pre.Statutory, RoundOutcome: "returned", Reason: out.Reason, Actor: out.DecidedBy, Kind: "returned",
		Detail: "returned with reasons: " + out.Reason}); err != nil {
		return err
	}
	w.st.Step = ""
	w.st.DueDate = ""
	w.st.DueAt = time.Time{}
	w.st.ReturnReason = out.Reason
	if err := w.setStatus(ctx, models.OpenReturned); err != nil {
		return err
	}
	if err := w.box.Await(ctx, func() bool { return w.next != nil }); err != nil {
		return err
	}
	w.a.OpenFields = w.next.Fields
	amend := activities.ResubmitOpenInput{ID: w.a.ID, Round: w.st.Round + 1, Fields: w.next.Fields, Actor: w.next.Actor.String(), At: workflow.Now(ctx)}
	w.next = nil
	if err := execute(ctx, acts.ResubmitOpenApplication, amend).Get(ctx, nil); err != nil {
		return fmt.Errorf("resubmit %s: %w", w.a.ID, err)
	}
	w.st.Round = amend.Round
	w.st.ReturnReason = ""
	return w.setStatus(ctx, models.OpenPreliminary)
}

// opened marks the round whose step has its tasks open: the round's first
// step answers the filing or resubmission.
func (w *openApplication) opened(activities.Deadline) { w.st.Opened = w.st.Round }

// deciders are who decide the application in the city.
func (w *openApplication) deciders(ctx workflow.Context) []Assignee {
	auth := Assignee{Role: regulations.RoleAuthority}
	switch {
	case w.a.Kind == models.OpenKindDemand:
		// weifang 第二十五条, changsha 第十二条: the department holding the
		// data handles a demand. Demands filed before this reading went
		// to the authority.
		if d := w.p.OpenDemand; d != nil && d.Decider == regulations.RoleProvider && w.a.ProviderDept != "" &&
			workflow.GetVersion(ctx, versionDemandToHolder, workflow.DefaultVersion, 1) > workflow.DefaultVersion {
			return []Assignee{department(w.a.ProviderDept)}
		}
		return []Assignee{auth}
	case w.rule.Decider == regulations.RoleProvider:
		return []Assignee{department(w.a.ProviderDept)}
	case w.rule.WithProvider:
		return []Assignee{auth, department(w.a.ProviderDept)}
	default:
		return []Assignee{auth}
	}
}

// decisionPeriod is the period of the decision: a demand's own where the
// profile the application was filed under has one.
func (w *openApplication) decisionPeriod() regulations.Period {
	if w.a.Kind == models.OpenKindDemand && w.p.OpenDemand != nil {
		return w.p.OpenDemand.Decision
	}
	return w.rule.Decision
}

// decision runs the decision on the application, due counted from from.
func (w *openApplication) decision(ctx workflow.Context, from time.Time) (StepOutcome, error) {
	dec := w.decisionPeriod()
	due, err := w.box.Deadline(ctx, "decision", dec.WorkingDays, from)
	if err != nil {
		return StepOutcome{}, err
	}
	who := w.deciders(ctx)
	if err := w.progress(ctx, activities.OpenProgressInput{Status: models.OpenUnderDecision, Step: "decision", Article: dec.Article,
		Statutory: dec.Statutory, DueDate: due.DueDate, DueAt: &due.DueAt, Kind: "decision_started",
		Detail: "decision due " + due.DueDate + statutoryNote(dec)}); err != nil {
		return StepOutcome{}, err
	}
	out, err := w.box.Run(ctx, StepSpec{
		Name:      "decision",
		Assignees: who,
		Period:    dec,
		From:      from,
		Due:       due,
		Act:       regulations.ActReply,
		Refusal:   w.rule.RefusalRequires,
		Shown:     w.opened,
		Facts:     w.conditionFacts(),
	})
	if err != nil {
		return out, err
	}
	return out, nil
}

// conditionFacts show the deciders each condition of use the item sets and
// how the applicant states it meets it (leshan 第二十五条第二款, xiamen
// 第二十四条).
func (w *openApplication) conditionFacts() []models.TaskFact {
	var facts []models.TaskFact
	for _, c := range w.a.ConditionsMet {
		name := c.Kind
		if k, ok := w.p.OpenConditions.Kind(c.Kind); ok {
			name = k.Text
		}
		facts = append(facts, models.TaskFact{Name: name, Value: c.Requirement, Stated: c.Statement})
	}
	return facts
}

// finish records the application's outcome.
func (w *openApplication) finish(ctx workflow.Context, o activities.FinishOpenInput) error {
	o.ID = w.a.ID
	o.At = workflow.Now(ctx)
	if err := execute(ctx, acts.FinishOpenApplication, o).Get(ctx, nil); err != nil {
		return fmt.Errorf("finish %s: %w", w.a.ID, err)
	}
	w.st.Step = ""
	w.st.DueDate = ""
	w.st.DueAt = time.Time{}
	return nil
}

// agreement waits, once approved, until the applicant accepts the use
// agreement with the city's clauses: the approval takes effect only then.
func (w *openApplication) agreement(ctx workflow.Context, out StepOutcome) error {
	article := w.rule.AgreementArticle
	if err := w.progress(ctx, activities.OpenProgressInput{Status: models.OpenAwaitingAgreement, Step: "agreement", Article: article,
		Actor: out.DecidedBy, Kind: "approved_pending_agreement",
		Detail: "approved; effective once the applicant accepts the open-data use agreement (开放利用协议)"}); err != nil {
		return err
	}
	w.st.Step = "agreement"
	w.st.DueDate = ""
	w.st.DueAt = time.Time{}
	w.st.Article = article
	if err := w.setStatus(ctx, models.OpenAwaitingAgreement); err != nil {
		return err
	}
	if err := w.box.Await(ctx, func() bool { return w.agreed != nil }); err != nil {
		return err
	}
	if err := w.progress(ctx, activities.OpenProgressInput{Status: models.OpenAwaitingAgreement, Step: "agreement", Article: article,
		Actor: w.agreed.Actor.String(), Kind: "agreement_accepted",
		Detail: "accepted the use agreement with clauses " + strings.Join(w.agreed.Clauses, ", ")}); err != nil {
		return err
	}
	// 第二十八条: the user concludes the agreement with the 政务部门, the
	// providing department, not with the authority that approved.
	// Applications accepted before this reading ended at the acceptance.
	if workflow.GetVersion(ctx, versionAgreementWithProvider, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil
	}
	return w.conclusion(ctx)
}

// conclusion is the providing department's step concluding the use
// agreement the applicant accepted.
func (w *openApplication) conclusion(ctx workflow.Context) error {
	per := *w.rule.AgreementConclusion
	from := workflow.Now(ctx)
	due, err := w.box.Deadline(ctx, "agreement", per.WorkingDays, from)
	if err != nil {
		return err
	}
	if err := w.setStatus(ctx, models.OpenAwaitingConclusion); err != nil {
		return err
	}
	if err := w.progress(ctx, activities.OpenProgressInput{Status: models.OpenAwaitingConclusion, Step: "agreement", Article: per.Article,
		Statutory: per.Statutory, DueDate: due.DueDate, DueAt: &due.DueAt, Kind: "agreement_conclusion_started",
		Detail: fmt.Sprintf("the providing department %s concludes the use agreement, due %s%s", w.a.ProviderDept, due.DueDate, statutoryNote(per))}); err != nil {
		return err
	}
	out, err := w.box.Run(ctx, StepSpec{
		Name:      "agreement",
		Assignees: []Assignee{department(w.a.ProviderDept)},
		Period:    per,
		From:      from,
		Due:       due,
		Decisions: []string{DecisionConclude},
		Shown:     func(activities.Deadline) { w.concluding = true },
	})
	if err != nil {
		return err
	}
	return w.progress(ctx, activities.OpenProgressInput{Status: models.OpenAwaitingConclusion, Step: "agreement", Article: per.Article,
		Statutory: per.Statutory, Actor: out.DecidedBy, Kind: "agreement_concluded",
		Detail: "the use agreement is concluded between the applicant and the providing department " + w.a.ProviderDept})
}

// use runs the grant for the period of use: it expires by itself at the
// period's end.
func (w *openApplication) use(ctx workflow.Context) error {
	w.st.Grant = models.GrantActive
	if err := w.box.Sleep(ctx, max(w.a.ExpiresAt.Sub(workflow.Now(ctx)), 0)); err != nil {
		return err
	}
	if err := execute(ctx, acts.ExpireOpenGrant, w.a.ID, workflow.Now(ctx)).Get(ctx, nil); err != nil {
		return fmt.Errorf("expire grant of %s: %w", w.a.ID, err)
	}
	w.st.Grant = models.GrantExpired
	return nil
}

func statutoryNote(p regulations.Period) string {
	if p.Statutory {
		return ""
	}
	return " (service level of the platform, no statutory number)"
}

// register lets the applicant resubmit a returned application and accept
// the use agreement; the validators refuse both from anyone else and at any
// other moment.
func (w *openApplication) register(ctx workflow.Context) error {
	applicant, rule, st := w.a.ApplicantSubject, w.rule, &w.st
	mine := func(a Actor) error {
		if a.Role != "applicant" || a.Subject != applicant {
			return temporal.NewApplicationError(fmt.Sprintf("application %s belongs to another applicant, not to %s", st.ID, a), ErrForbidden)
		}
		return nil
	}
	err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateResubmit, func(ctx workflow.Context, am OpenResubmitInput) (OpenResult, error) {
		round := st.Round + 1
		w.next = &am
		err := workflow.Await(ctx, func() bool { return st.Opened >= round })
		return *st, err
	}, workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, am OpenResubmitInput) error {
		if err := mine(am.Actor); err != nil {
			return err
		}
		if st.Status != models.OpenReturned || w.next != nil {
			return temporal.NewApplicationError(fmt.Sprintf("application %s is %s; only a returned application can be resubmitted", st.ID, st.Status), ErrInvalid)
		}
		return nil
	}})
	if err != nil {
		return fmt.Errorf("register %s: %w", UpdateResubmit, err)
	}
	err = workflow.SetUpdateHandlerWithOptions(ctx, UpdateAgree, func(ctx workflow.Context, g AgreeInput) (OpenResult, error) {
		w.agreed = &g
		// Answered once the acceptance is taken: the application is
		// approved, or (since the department concludes the agreement)
		// the department's task to conclude it is open.
		err := workflow.Await(ctx, func() bool { return st.Status == models.OpenApproved || w.concluding })
		return *st, err
	}, workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, g AgreeInput) error {
		if err := mine(g.Actor); err != nil {
			return err
		}
		if rule.AgreementArticle == "" {
			return temporal.NewApplicationError("no use agreement is required in this city", ErrInvalid)
		}
		if st.Status != models.OpenAwaitingAgreement || w.agreed != nil {
			return temporal.NewApplicationError(fmt.Sprintf("application %s is %s; the agreement is accepted once the application is approved", st.ID, st.Status), ErrInvalid)
		}
		var missing []string
		for _, c := range rule.AgreementClauses {
			if !slices.Contains(g.Clauses, c.Key) {
				missing = append(missing, c.Key)
			}
		}
		for _, k := range g.Clauses {
			if !slices.ContainsFunc(rule.AgreementClauses, func(c regulations.Clause) bool { return c.Key == k }) {
				return temporal.NewApplicationError(fmt.Sprintf("unknown clause %q", k), ErrInvalid)
			}
		}
		if len(missing) > 0 {
			return temporal.NewApplicationError(fmt.Sprintf("the agreement must carry every clause of %s; missing: %s", rule.AgreementArticle, strings.Join(missing, ", ")), ErrInvalid)
		}
		return nil
	}})
	if err != nil {
		return fmt.Errorf("register %s: %w", UpdateAgree, err)
	}
	return nil
}
