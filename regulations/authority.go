package regulations

import (
	"fmt"
	"slices"
)

// How the authority takes a department's purchase of data (PurchaseRule.Decision).
const (
	// PurchaseApproval: the purchase needs the authority's approval (weifang
	// 第十三条 应当报本级大数据主管部门批准).
	PurchaseApproval = "approval"
	// PurchaseNotice: the department tells the authority in advance, which
	// may object to a duplicate purchase (wuhan 第三十四条 应当提前告知).
	PurchaseNotice = "notice"
)

// PurchaseRule is a department buying data (weifang 第十三条, wuhan
// 第三十四条): the authority's step (approval or advance notice), the rule
// against buying what the platform already shares (the overlaps are shown to
// the authority), the filing (报备) of external data services, and the
// department's obligation to catalog what it bought. nil where the city's
// text has no such procedure, and a filing there is refused.
type PurchaseRule struct {
	Article  string `json:"article"`
	Text     string `json:"text"`
	Decision string `json:"decision"` // PurchaseApproval or PurchaseNotice
	// Review is the authority's step: no text names its period, so it is
	// a platform rule (statutory false, with a note).
	Review Period `json:"review"`
	// DuplicatesArticle, where set, forbids buying data the platform
	// shares: the authority may refuse a duplicate purchase.
	DuplicatesArticle string `json:"duplicates_article,omitempty"`
	// ServicesArticle, where set, has the external data services a
	// department provides filed (报备) with the authority.
	ServicesArticle string `json:"services_article,omitempty"`
	// Catalog is the department's obligation to catalog the bought data
	// (纳入目录 / 编制公共数据资源目录), a platform period.
	Catalog Period `json:"catalog"`
}

func (p Profile) validateAuthority() error {
	if err := p.validateApprovals(); err != nil {
		return err
	}
	if r := p.Purchase; r != nil {
		if r.Article == "" || r.Review.Article == "" || r.Catalog.Article == "" {
			return fmt.Errorf("purchase: article, review.article and catalog.article are required")
		}
		if r.Decision != PurchaseApproval && r.Decision != PurchaseNotice {
			return fmt.Errorf("purchase.decision: want approval or notice, not %q", r.Decision)
		}
		for name, per := range map[string]Period{"review": r.Review, "catalog": r.Catalog} {
			if per.WorkingDays < 1 {
				return fmt.Errorf("purchase.%s.working_days must be at least 1", name)
			}
			if !per.Statutory && per.Note == "" {
				return fmt.Errorf("purchase.%s: a platform period needs a note", name)
			}
		}
	}
	return nil
}

// Kinds of authority approval (Profile.Approvals): a department files, the
// steps of the city's text decide in order.
const (
	// ApprovalOffPlatform is sharing outside the platform, and passing
	// data obtained by sharing to citizens or companies (changsha 第二十二条).
	ApprovalOffPlatform = "off_platform_sharing"
	// ApprovalAuthorisedOperation is authorised operation of data
	// (授权运营, leshan 第三十条).
	ApprovalAuthorisedOperation = "authorised_operation"
	// ApprovalNonAggregable is data that by law cannot be aggregated on
	// the platform, confirmed by the authority (xiamen 第七条).
	ApprovalNonAggregable = "non_aggregable"
)

// ApprovalKinds lists every kind of authority approval.
var ApprovalKinds = []string{ApprovalOffPlatform, ApprovalAuthorisedOperation, ApprovalNonAggregable}

// ApprovalRule is one kind of authority approval in a city's text: its
// article, the steps that decide it in order (each approves or rejects), the
// fields a filing must carry, the entry conditions it must declare it meets
// (checked at filing) and the conditions recorded on the approval. A kind
// the city's text does not provide is absent, and a filing of it is refused.
type ApprovalRule struct {
	Article string         `json:"article"`
	Text    string         `json:"text"`
	Steps   []ApprovalStep `json:"steps"`
	// Required names the filing's fields this kind requires besides the
	// title and description (recipient, plan, legal_basis).
	Required []string `json:"required,omitempty"`
	// EntryConditions are the conditions a filing must declare it meets,
	// each by key (leshan 第三十条: 被授权使用组织的准入条件), under
	// EntryArticle; a platform rule where the text names none (Note).
	EntryConditions []Clause `json:"entry_conditions,omitempty"`
	EntryArticle    string   `json:"entry_article,omitempty"`
	// GrantConditions are recorded on an approval: what the approved party
	// may not do (leshan 第三十条: 不得将数据以任何形式泄露给第三方).
	GrantConditions []Clause `json:"grant_conditions,omitempty"`
	Note            string   `json:"note,omitempty"`
}

// ApprovalStep is one step of an authority approval: its name (part of the
// task IDs), who decides and in what period.
type ApprovalStep struct {
	Name   string `json:"name"`
	Actor  string `json:"actor"` // RoleAuthority or RoleGovernment
	Period Period `json:"period"`
}

// ApprovalFields are the fields an ApprovalRule may require.
var ApprovalFields = []string{"recipient", "plan", "legal_basis"}

func (p Profile) validateApprovals() error {
	for kind, r := range p.Approvals {
		if !slices.Contains(ApprovalKinds, kind) {
			return fmt.Errorf("approvals: unknown kind %q", kind)
		}
		if r.Article == "" || len(r.Steps) == 0 {
			return fmt.Errorf("approvals.%s: article and steps are required", kind)
		}
		for _, s := range r.Steps {
			if s.Name == "" || (s.Actor != RoleAuthority && s.Actor != RoleGovernment) {
				return fmt.Errorf("approvals.%s: step %q: a name and an actor (authority or government) are required", kind, s.Name)
			}
			if s.Period.WorkingDays < 1 || s.Period.Article == "" || (!s.Period.Statutory && s.Period.Note == "") {
				return fmt.Errorf("approvals.%s: step %s: a period with working days and article, and a note where it is a platform rule", kind, s.Name)
			}
		}
		for _, f := range r.Required {
			if !slices.Contains(ApprovalFields, f) {
				return fmt.Errorf("approvals.%s.required: unknown field %q", kind, f)
			}
		}
		if len(r.EntryConditions) > 0 && r.EntryArticle == "" {
			return fmt.Errorf("approvals.%s: entry_conditions need entry_article", kind)
		}
	}
	return nil
}
