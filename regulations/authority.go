package regulations

import "fmt"

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
