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

// OpenInput starts an open-data application. Profile is the city's rules as
// they were at filing.
type OpenInput struct {
	Application models.OpenApplication
	Profile     regulations.Profile
}

// Amendment is the argument of the resubmit Update of an open-data
// application: the amended fields, checked by the API.
type Amendment struct {
	Fields models.OpenFields
	Actor  Actor
}

// Agreement is the argument of the agree Update: the keys of the clauses the
// applicant accepts, which must be all the city's clauses.
type Agreement struct {
	Clauses []string
	Actor   Actor
}

// OpenState is an open-data application as its workflow sees it.
type OpenState struct {
	ID           string    `json:"id"`
	Status       string    `json:"status"`
	Round        int       `json:"round"`
	Step         string    `json:"step,omitempty"`
	DueDate      string    `json:"due_date,omitempty"`
	DueAt        time.Time `json:"due_at,omitzero"`
	Statutory    bool      `json:"statutory"`
	Article      string    `json:"article"`
	Overdue      bool      `json:"overdue"`
	ReturnReason string    `json:"return_reason,omitempty"`
	Grant        string    `json:"grant,omitempty"` // active or expired
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
func OpenApplication(ctx workflow.Context, in OpenInput) (OpenState, error) {
	a, p := in.Application, in.Profile
	rule := p.OpenApplication
	st := OpenState{ID: a.ID, Status: models.OpenUnderDecision, Round: 1}
	if rule.Preliminary != nil {
		st.Status = models.OpenPreliminary
	}
	if err := publish(ctx, &st, func() bool { return st.Opened >= 1 }); err != nil {
		return st, err
	}
	box, err := newInbox(ctx, ProcedureOpen, a.ID, a.Jurisdiction, p)
	if err != nil {
		return st, err
	}
	var next *Amendment
	var agreed *Agreement
	if err := registerOpenUpdates(ctx, a.ApplicantSubject, rule, &st, &next, &agreed); err != nil {
		return st, err
	}
	progress := func(in activities.OpenProgress) error {
		in.ID, in.Round, in.At = a.ID, st.Round, workflow.Now(ctx)
		if err := workflow.ExecuteActivity(actx(ctx), acts.ProgressOpenApplication, in).Get(ctx, nil); err != nil {
			return fmt.Errorf("record %s of %s: %w", in.Kind, a.ID, err)
		}
		return nil
	}
	setStatus := func(status string) error {
		st.Status = status
		if err := workflow.UpsertTypedSearchAttributes(ctx, AttrStatus.ValueSet(status)); err != nil {
			return fmt.Errorf("upsert status: %w", err)
		}
		return nil
	}

	a.Status, a.Round = st.Status, 1
	if err := workflow.ExecuteActivity(actx(ctx), acts.RecordOpenApplication, a).Get(ctx, nil); err != nil {
		return st, fmt.Errorf("record %s: %w", a.ID, err)
	}

	from := a.FiledAt
	if pre := rule.Preliminary; pre != nil {
		for {
			start := workflow.Now(ctx)
			// 自申请之日起 (第二十三条): the first round counts from the
			// filing instant the API recorded, not from when the workflow
			// ran (a filing at 23:59:59, or while the worker was down,
			// gets no extra day). Older histories counted from the start.
			if st.Round == 1 && workflow.GetVersion(ctx, versionClockFromFiling, workflow.DefaultVersion, 1) > workflow.DefaultVersion {
				start = a.FiledAt
			}
			name := fmt.Sprintf("preliminary-%d", st.Round)
			due, err := box.Deadline(ctx, name, *pre, start)
			if err != nil {
				return st, err
			}
			if err := progress(activities.OpenProgress{Status: models.OpenPreliminary, Step: "preliminary", Article: pre.Article,
				Statutory: pre.Statutory, DueDate: due.DueDate, DueAt: &due.DueAt, Kind: "preliminary_review_started",
				Detail: fmt.Sprintf("round %d: preliminary review of completeness and form due %s", st.Round, due.DueDate)}); err != nil {
				return st, err
			}
			out, err := box.Run(ctx, StepSpec{
				Name:      name,
				Assignees: []Assignee{{Role: regulations.RoleInfocenter}},
				Period:    *pre,
				From:      start,
				Due:       due,
				Act:       regulations.ActPreliminary,
				Shown: func(due activities.Deadline) {
					st.Step, st.DueDate, st.DueAt, st.Statutory, st.Article = name, due.DueDate, due.DueAt, pre.Statutory, pre.Article
					st.Opened = st.Round
				},
			})
			if err != nil {
				return st, err
			}
			st.Overdue = st.Overdue || out.Overdue
			if out.Decision != DecisionReject {
				if err := progress(activities.OpenProgress{Status: models.OpenUnderDecision, Step: "preliminary", Article: pre.Article,
					Statutory: pre.Statutory, RoundOutcome: "passed", Actor: out.DecidedBy, Kind: "preliminary_passed",
					Detail: fmt.Sprintf("round %d passed the preliminary review", st.Round)}); err != nil {
					return st, err
				}
				from = out.At // the decision is due counted from the pass
				if err := setStatus(models.OpenUnderDecision); err != nil {
					return st, err
				}
				break
			}
			if err := progress(activities.OpenProgress{Status: models.OpenReturned, Step: "", Article: pre.Article,
				Statutory: pre.Statutory, RoundOutcome: "returned", Reason: out.Reason, Actor: out.DecidedBy, Kind: "returned",
				Detail: "returned with reasons: " + out.Reason}); err != nil {
				return st, err
			}
			st.Step, st.DueDate, st.DueAt, st.ReturnReason = "", "", time.Time{}, out.Reason
			if err := setStatus(models.OpenReturned); err != nil {
				return st, err
			}
			if err := box.Await(ctx, func() bool { return next != nil }); err != nil {
				return st, err
			}
			a.OpenFields = next.Fields
			amend := activities.OpenAmendment{ID: a.ID, Round: st.Round + 1, Fields: next.Fields, Actor: next.Actor.String(), At: workflow.Now(ctx)}
			next = nil
			if err := workflow.ExecuteActivity(actx(ctx), acts.ResubmitOpenApplication, amend).Get(ctx, nil); err != nil {
				return st, fmt.Errorf("resubmit %s: %w", a.ID, err)
			}
			st.Round, st.ReturnReason = amend.Round, ""
			if err := setStatus(models.OpenPreliminary); err != nil {
				return st, err
			}
		}
	}

	// The decision.
	dec := rule.Decision
	due, err := box.Deadline(ctx, "decision", dec, from)
	if err != nil {
		return st, err
	}
	auth := Assignee{Role: regulations.RoleAuthority}
	var who []Assignee
	switch {
	case a.Kind == models.OpenKindDemand: // weifang: a data demand goes to the authority
		who = []Assignee{auth}
	case rule.Decider == regulations.RoleProvider:
		who = []Assignee{department(a.ProviderDept)}
	case rule.WithProvider:
		who = []Assignee{auth, department(a.ProviderDept)}
	default:
		who = []Assignee{auth}
	}
	if err := progress(activities.OpenProgress{Status: models.OpenUnderDecision, Step: "decision", Article: dec.Article,
		Statutory: dec.Statutory, DueDate: due.DueDate, DueAt: &due.DueAt, Kind: "decision_started",
		Detail: "decision due " + due.DueDate + statutoryNote(dec)}); err != nil {
		return st, err
	}
	out, err := box.Run(ctx, StepSpec{
		Name:      "decision",
		Assignees: who,
		Period:    dec,
		From:      from,
		Due:       due,
		Act:       regulations.ActReply,
		Refusal:   rule.RefusalRequires,
		Shown: func(due activities.Deadline) {
			st.Step, st.DueDate, st.DueAt, st.Statutory, st.Article = "decision", due.DueDate, due.DueAt, dec.Statutory, dec.Article
			st.Opened = st.Round
		},
	})
	if err != nil {
		return st, err
	}
	st.Overdue = st.Overdue || out.Overdue
	finish := func(o activities.OpenOutcome) error {
		o.ID, o.At = a.ID, workflow.Now(ctx)
		if err := workflow.ExecuteActivity(actx(ctx), acts.FinishOpenApplication, o).Get(ctx, nil); err != nil {
			return fmt.Errorf("finish %s: %w", a.ID, err)
		}
		st.Step, st.DueDate, st.DueAt = "", "", time.Time{}
		return nil
	}
	if out.Decision == DecisionReject {
		if err := finish(activities.OpenOutcome{Status: models.OpenRejected, Reason: out.Reason, LegalBasis: out.LegalBasis,
			DecidedBy: out.DecidedBy, Article: dec.Article, Published: rule.PublishRefusals}); err != nil {
			return st, err
		}
		st.Status = models.OpenRejected
		return st, conclude(ctx, box, st.Status)
	}

	if rule.AgreementArticle != "" {
		// Approved, but effective only once the applicant accepts the use
		// agreement with the city's clauses.
		if err := progress(activities.OpenProgress{Status: models.OpenAwaitingAgreement, Step: "agreement", Article: rule.AgreementArticle,
			Actor: out.DecidedBy, Kind: "approved_pending_agreement",
			Detail: "approved; effective once the applicant accepts the open-data use agreement (开放利用协议)"}); err != nil {
			return st, err
		}
		st.Step, st.DueDate, st.DueAt, st.Article = "agreement", "", time.Time{}, rule.AgreementArticle
		if err := setStatus(models.OpenAwaitingAgreement); err != nil {
			return st, err
		}
		if err := box.Await(ctx, func() bool { return agreed != nil }); err != nil {
			return st, err
		}
		if err := progress(activities.OpenProgress{Status: models.OpenAwaitingAgreement, Step: "agreement", Article: rule.AgreementArticle,
			Actor: agreed.Actor.String(), Kind: "agreement_accepted",
			Detail: "accepted the use agreement with clauses " + strings.Join(agreed.Clauses, ", ")}); err != nil {
			return st, err
		}
	}
	grant := a.Kind == models.OpenKindUse
	if err := finish(activities.OpenOutcome{Status: models.OpenApproved, Conditions: out.Conditions,
		DecidedBy: out.DecidedBy, Article: dec.Article, Grant: grant}); err != nil {
		return st, err
	}
	st.Article = dec.Article
	if err := setStatus(models.OpenApproved); err != nil {
		return st, err
	}
	if grant {
		st.Grant = models.GrantActive
		// The grant expires by itself at the end of the period of use.
		if err := box.Sleep(ctx, max(a.ExpiresAt.Sub(workflow.Now(ctx)), 0)); err != nil {
			return st, err
		}
		if err := workflow.ExecuteActivity(actx(ctx), acts.ExpireOpenGrant, a.ID, workflow.Now(ctx)).Get(ctx, nil); err != nil {
			return st, fmt.Errorf("expire grant of %s: %w", a.ID, err)
		}
		st.Grant = models.GrantExpired
	}
	return st, conclude(ctx, box, st.Status)
}

func statutoryNote(p regulations.Period) string {
	if p.Statutory {
		return ""
	}
	return " (service level of the platform, no statutory number)"
}

// registerOpenUpdates lets the applicant resubmit a returned application and
// accept the use agreement; the validators refuse both from anyone else and
// at any other moment.
func registerOpenUpdates(ctx workflow.Context, applicant string, rule regulations.OpenRule, st *OpenState, next **Amendment, agreed **Agreement) error {
	mine := func(a Actor) error {
		if a.Role != "applicant" || a.Subject != applicant {
			return temporal.NewApplicationError(fmt.Sprintf("application %s belongs to another applicant, not to %s", st.ID, a), ErrForbidden)
		}
		return nil
	}
	err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateResubmit, func(ctx workflow.Context, am Amendment) (OpenState, error) {
		round := st.Round + 1
		*next = &am
		err := workflow.Await(ctx, func() bool { return st.Opened >= round })
		return *st, err
	}, workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, am Amendment) error {
		if err := mine(am.Actor); err != nil {
			return err
		}
		if st.Status != models.OpenReturned || *next != nil {
			return temporal.NewApplicationError(fmt.Sprintf("application %s is %s; only a returned application can be resubmitted", st.ID, st.Status), ErrInvalid)
		}
		return nil
	}})
	if err != nil {
		return fmt.Errorf("register %s: %w", UpdateResubmit, err)
	}
	err = workflow.SetUpdateHandlerWithOptions(ctx, UpdateAgree, func(ctx workflow.Context, g Agreement) (OpenState, error) {
		*agreed = &g
		err := workflow.Await(ctx, func() bool { return st.Status == models.OpenApproved })
		return *st, err
	}, workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, g Agreement) error {
		if err := mine(g.Actor); err != nil {
			return err
		}
		if rule.AgreementArticle == "" {
			return temporal.NewApplicationError("no use agreement is required in this city", ErrInvalid)
		}
		if st.Status != models.OpenAwaitingAgreement || *agreed != nil {
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
