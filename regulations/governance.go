package regulations

import (
	"fmt"
	"slices"
)

// The particulars of one use of shared data (leshan 第三十三条: 具体用途、
// 使用人员、批准人员、数据内容、获取时间、获取方式和介质类型).
const (
	UseFieldPurpose  = "purpose"
	UseFieldUsers    = "users"
	UseFieldApprover = "approver"
	UseFieldContent  = "content"
	UseFieldUsedAt   = "used_at"
	UseFieldMeans    = "means"
	UseFieldMedium   = "medium"
)

// UseFields lists every particular a use log may require.
var UseFields = []string{UseFieldPurpose, UseFieldUsers, UseFieldApprover, UseFieldContent, UseFieldUsedAt, UseFieldMeans, UseFieldMedium}

// UseLogRule is the logging of every use of shared data against its grant,
// by the department that received it (leshan 第三十三条, weifang 第三十一条).
// Each use is checked against the grant's purpose limit, the profile's
// ShareRequest.UseArticle (wuhan 第十八条, weifang 第二十一条, xiamen 第二十六条,
// leshan 第十九条): it must name the grant's declared purpose and stay within
// its data items, and a use after the grant was closed is flagged to the
// providing department.
type UseLogRule struct {
	Article string `json:"article"`
	Text    string `json:"text,omitempty"`
	// Fields are the particulars every use must state (UseFields).
	Fields []string `json:"fields"`
	// Note explains what the platform adds where the text names no
	// particulars (a platform rule).
	Note string `json:"note,omitempty"`
}

// Requires reports whether the rule makes a particular mandatory.
func (r UseLogRule) Requires(field string) bool { return slices.Contains(r.Fields, field) }

// EvaluationRule is the periodic evaluation of departments' data work
// (wuhan 第三十五条, weifang 第三十二条, changsha 第三十七条, leshan 第三十八条):
// who evaluates, how often the text says, and the article.
type EvaluationRule struct {
	Article   string `json:"article"`
	Evaluator string `json:"evaluator"` // RoleAuthority or RoleGovernment
	Text      string `json:"text,omitempty"`
	// Yearly is true where the text says every year (每年); false where it
	// says periodically (定期), and the platform reports per year.
	Yearly bool   `json:"yearly"`
	Note   string `json:"note,omitempty"`
}

// OpenListRule is the published list of what a city opens to the public
// (weifang 第二十四条 公共数据开放清单; each other city's article on its open
// types and catalog).
type OpenListRule struct {
	Article string `json:"article"`
	Text    string `json:"text,omitempty"`
	Note    string `json:"note,omitempty"`
}

func (p Profile) validateGovernance() error {
	if u := p.UseLog; u != nil {
		if u.Article == "" || p.ShareRequest.UseArticle == "" {
			return fmt.Errorf("use_log.article and share_request.use_article are required with use_log")
		}
		if len(u.Fields) == 0 {
			return fmt.Errorf("use_log.fields is empty")
		}
		for _, f := range u.Fields {
			if !slices.Contains(UseFields, f) {
				return fmt.Errorf("use_log.fields: unknown particular %q", f)
			}
		}
		if !u.Requires(UseFieldPurpose) || !u.Requires(UseFieldUsedAt) {
			return fmt.Errorf("use_log.fields must include purpose and used_at (the purpose limit is checked on them)")
		}
	}
	if e := p.Evaluation; e != nil {
		if e.Article == "" {
			return fmt.Errorf("evaluation.article is required")
		}
		if e.Evaluator != RoleAuthority && e.Evaluator != RoleGovernment {
			return fmt.Errorf("evaluation.evaluator: want authority or government, not %q", e.Evaluator)
		}
	}
	if o := p.OpenList; o != nil && o.Article == "" {
		return fmt.Errorf("open_list.article is required")
	}
	return nil
}
