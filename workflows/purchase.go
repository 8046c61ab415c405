package workflows

import (
	"fmt"

	"github.com/cityapprovals/approvals/activities"
	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// ProcedurePurchase names a department's purchase of data.
const ProcedurePurchase = models.ProcedurePurchase

// PurchaseInput starts a purchase; Profile is the city's rules at filing.
type PurchaseInput struct {
	Purchase models.Purchase
	Profile  regulations.Profile
}

// PurchaseResult is a purchase as its workflow sees it.
type PurchaseResult struct {
	Header
	TriggerID string `json:"trigger_id,omitempty"`
}

// NoOverlap is the fact shown to the authority when the platform found
// nothing of the data in the catalog or in earlier purchases.
const NoOverlap = "no catalog item or earlier purchase of these data items was found"

// Purchase runs a department's purchase of data (weifang 第十三条: the
// authority approves; wuhan 第三十四条: the authority is told in advance and
// may refuse a duplicate of data the platform shares, the overlaps the API
// found being shown on its task) and then the department's obligation to
// catalog the bought data, a catalog update obligation (CatalogUpdate) as a
// child workflow that the department's catalog change fulfils. An external
// data service is filed (报备, wuhan 第三十四条第三款) and acknowledged.
func Purchase(ctx workflow.Context, in PurchaseInput) (PurchaseResult, error) {
	if in.Profile.Purchase == nil {
		return PurchaseResult{}, temporal.NewNonRetryableApplicationError(in.Profile.Document+" provides no purchase procedure", "bad_profile", nil)
	}
	w := &purchase{c: in.Purchase, rule: *in.Profile.Purchase}
	w.c.Status, w.c.Article = models.PurchasePending, w.rule.Article
	w.init(in.Profile, &w.st.Header, acts.UpdatePurchase, w.c.ID, models.PurchasePending, w.rule.Article)
	return w.launch(ctx, ProcedurePurchase, w.c.Jurisdiction, acts.RecordPurchase, w.c, w.run)
}

// purchase is one run of the Purchase workflow.
type purchase struct {
	c    models.Purchase
	rule regulations.PurchaseRule
	stepRun[PurchaseResult, activities.UpdatePurchaseInput, *activities.UpdatePurchaseInput]
}

// review is the authority's step: its name, article and decisions by the
// city's rule and what is filed.
func (w *purchase) review() (name, article string, decisions []string) {
	switch {
	case w.c.Kind == models.PurchaseService:
		return "service-filing", w.rule.ServicesArticle, []string{DecisionAcknowledge}
	case w.rule.Decision == regulations.PurchaseApproval:
		return "authority-approval", w.rule.Article, []string{DecisionApprove, DecisionReject}
	case w.rule.DuplicatesArticle != "":
		return "advance-notice", w.rule.Article, []string{DecisionAcknowledge, DecisionReject}
	default:
		return "advance-notice", w.rule.Article, []string{DecisionAcknowledge}
	}
}

// run takes the authority's step, then has the bought data catalogued.
func (w *purchase) run(ctx workflow.Context) (PurchaseResult, error) {
	name, article, decisions := w.review()
	period := w.rule.Review
	period.Article = article
	overlaps := w.c.Overlaps
	if len(overlaps) == 0 {
		overlaps = []string{NoOverlap}
	}
	facts := make([]models.TaskFact, len(overlaps))
	for i, o := range overlaps {
		facts[i] = models.TaskFact{Name: "overlap", Value: o}
	}
	u := w.rec.last
	u.Step = name
	if err := w.rec.update(ctx, u); err != nil {
		return w.st, err
	}
	out, err := w.box.Run(ctx, StepSpec{
		Name:      name,
		Assignees: []Assignee{{Role: regulations.RoleAuthority}},
		Period:    period,
		From:      workflow.Now(ctx),
		Decisions: decisions,
		Facts:     facts,
	})
	if err != nil {
		return w.st, err
	}
	if out.Decision == DecisionReject {
		return w.st, w.end(ctx, models.PurchaseRefused, out.Reason, "refused", out.DecidedBy)
	}
	if w.c.Kind == models.PurchaseService {
		return w.st, w.end(ctx, models.PurchaseFiled, out.Reason, "filed_with_authority", out.DecidedBy)
	}
	return w.catalog(ctx, out)
}

// catalog is the department's obligation to catalog the bought data: a
// catalog update obligation on the purchase's period, fulfilled by the
// department's catalog change naming it.
func (w *purchase) catalog(ctx workflow.Context, out StepOutcome) (PurchaseResult, error) {
	id := "ct-" + w.c.ID
	u := w.rec.last
	u.Status = models.PurchaseCataloging
	u.Step = "catalog"
	u.TriggerID = id
	u.Event = out.Decision
	u.Key = "authority"
	u.Actor = out.DecidedBy
	u.Note = out.Reason
	u.Final = true
	if err := w.rec.update(ctx, u); err != nil {
		return w.st, err
	}
	w.rec.last.Final = false
	w.st.Status = models.PurchaseCataloging
	w.st.TriggerID = id
	// The obligation counts from the day of the authority's answer (not
	// counted), as a trigger counts from its effective date.
	today := workflow.Now(ctx).In(holidays.Shanghai).Format("2006-01-02")
	from, err := holidays.ParseDate(today)
	if err != nil {
		return w.st, fmt.Errorf("date of %s: %w", w.c.ID, err)
	}
	p := w.p
	p.CatalogChange.Update = w.rule.Catalog
	t := models.CatalogTrigger{Dept: w.c.Dept, Kind: models.TriggerPurchase, EffectiveDate: today,
		Description: fmt.Sprintf("catalog the data bought by purchase %s: %s (%s)", w.c.ID, w.c.Title, w.rule.Catalog.Article),
		RecordedBy:  "purchase " + w.c.ID, CreatedAt: workflow.Now(ctx)}
	t.ID, t.WorkflowID, t.Jurisdiction = id, id, w.c.Jurisdiction
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID: id, TaskQueue: TaskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			AttrJurisdiction.ValueSet(w.c.Jurisdiction), AttrProcedure.ValueSet(ProcedureCatalogUpdate),
			AttrStatus.ValueSet(models.TriggerOpen), AttrProviderDept.ValueSet(w.c.Dept)),
	})
	var res CatalogUpdateResult
	child := workflow.ExecuteChildWorkflow(cctx, CatalogUpdate, CatalogUpdateInput{Trigger: t, From: from, Profile: p})
	if err := w.box.Get(ctx, child, &res); err != nil {
		return w.st, fmt.Errorf("catalog obligation of %s: %w", w.c.ID, err)
	}
	return w.st, w.end(ctx, models.PurchaseCatalogued, "catalogued by change "+res.ChangeID, "catalogued", w.c.Dept)
}

// end records the purchase's final status and concludes.
func (w *purchase) end(ctx workflow.Context, status, note, kind, by string) error {
	return w.stepRun.end(ctx, status, note, kind, by, func(u *activities.UpdatePurchaseInput) {
		u.Final = status != models.PurchaseCatalogued // decided when the authority answered
	})
}
