package regulations

import (
	"fmt"
	"slices"
)

// The reviews the authority may order before data is opened (leshan
// 第二十三条: 合法性审查, 专家委员会论证, 保密审查, 商业秘密和个人隐私审查).
const (
	ReviewLegality = "legality_review"
	ReviewExpert   = "expert_panel"
	ReviewSecrecy  = "secrecy_review"
	ReviewPrivacy  = "privacy_review"
)

// Reviews lists every review an opening review may order.
var Reviews = []string{ReviewLegality, ReviewExpert, ReviewSecrecy, ReviewPrivacy}

// OpeningReviewRule is the review before data is opened (leshan 第二十二条:
// the department assesses its data, the authority reviews it before it is
// listed in the open catalog; 第二十三条: the reviews as needed; 第二十一条:
// not-open data cites its basis and is filed with the authority, which sets
// the conditions of conditional opening; 第二十四条第三款: opening in the
// public interest after the authority's review). Exclusive: an item's open
// type changes only through this procedure, never by a catalog change.
type OpeningReviewRule struct {
	Article string `json:"article"`
	Text    string `json:"text,omitempty"`
	// Exclusive refuses an open-type change in a catalog change, citing
	// ExclusiveArticle.
	Exclusive        bool   `json:"exclusive"`
	ExclusiveArticle string `json:"exclusive_article,omitempty"`
	// Review is the authority's review (第二十二条第二款); the text names no
	// period: a platform rule.
	Review Period `json:"review"`
	// Reviews are the reviews the authority may order, each with its own
	// reviewer and period.
	Reviews []ReviewStep `json:"reviews"`
	// NotOpenArticle is the basis-and-filing rule of not-open data and
	// ConditionsArticle the authority's conditions of conditional opening
	// (both 第二十一条); PublicInterestArticle is 第二十四条第三款.
	NotOpenArticle        string `json:"not_open_article"`
	ConditionsArticle     string `json:"conditions_article"`
	PublicInterestArticle string `json:"public_interest_article"`
}

// ReviewStep is one review the authority may order before opening: who
// carries it out (Reviewer, a role; the text names none, Note says so), under
// Article, within Period.
type ReviewStep struct {
	Name     string `json:"name"`
	Article  string `json:"article"`
	Text     string `json:"text,omitempty"`
	Reviewer string `json:"reviewer"`
	Period   Period `json:"period"`
	Note     string `json:"note,omitempty"`
}

// ReviewStep returns the review named name, if the rule has it.
func (r OpeningReviewRule) ReviewStep(name string) (ReviewStep, bool) {
	i := slices.IndexFunc(r.Reviews, func(s ReviewStep) bool { return s.Name == name })
	if i < 0 {
		return ReviewStep{}, false
	}
	return r.Reviews[i], true
}

// ReviewNames lists the names of the rule's reviews, in order.
func (r OpeningReviewRule) ReviewNames() []string {
	out := make([]string, len(r.Reviews))
	for i, s := range r.Reviews {
		out[i] = s.Name
	}
	return out
}

func (p Profile) validateOpening() error {
	if err := p.validateConversion(); err != nil {
		return err
	}
	r := p.OpeningReview
	if r == nil {
		return nil
	}
	if r.Article == "" || r.NotOpenArticle == "" || r.ConditionsArticle == "" {
		return fmt.Errorf("opening_review: article, not_open_article and conditions_article are required")
	}
	if r.Exclusive && r.ExclusiveArticle == "" {
		return fmt.Errorf("opening_review.exclusive_article is required with exclusive")
	}
	if r.Review.WorkingDays <= 0 {
		return fmt.Errorf("opening_review.review.working_days must be positive")
	}
	for _, s := range r.Reviews {
		if !slices.Contains(Reviews, s.Name) {
			return fmt.Errorf("opening_review.reviews: unknown review %q", s.Name)
		}
		if s.Article == "" || s.Reviewer == "" || s.Period.WorkingDays <= 0 {
			return fmt.Errorf("opening_review.reviews %s: article, reviewer and period are required", s.Name)
		}
	}
	return nil
}

// OpenConversionRule is the conversion of an item's open type once the data
// qualifies (weifang 第二十四条第二款: 有条件开放、不予开放类公共数据具备或数据脱敏后
// 具备无条件开放属性的,应及时转为无条件开放类), decided by the authority (the
// text names no one: a platform rule, said in Note) and applied at once.
type OpenConversionRule struct {
	Article string `json:"article"`
	Text    string `json:"text,omitempty"`
	// Conversions are the open-type changes the text orders.
	Conversions []Conversion `json:"conversions"`
	Note        string       `json:"note,omitempty"`
}

// Conversion is one open-type change a conversion may make.
type Conversion struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Allows reports whether the rule converts data of open type from to to.
func (r OpenConversionRule) Allows(from, to string) bool {
	return slices.Contains(r.Conversions, Conversion{From: from, To: to})
}

func (p Profile) validateConversion() error {
	r := p.OpenConversion
	if r == nil {
		return nil
	}
	if r.Article == "" || len(r.Conversions) == 0 {
		return fmt.Errorf("open_conversion: article and conversions are required")
	}
	return nil
}
