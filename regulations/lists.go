package regulations

import (
	"fmt"
	"slices"
)

// Kinds of yearly list a department compiles.
const (
	ListShare               = "share"                // 数据共享清单 (changsha 第二十五条)
	ListOpen                = "open"                 // 数据开放清单 (changsha 第二十五条)
	ListScenario            = "scenario"             // 数据应用场景清单 (changsha 第二十五条)
	ListShareResponsibility = "share_responsibility" // 部门数据共享责任清单 (leshan 第三十九条(六))
	ListOpenResponsibility  = "open_responsibility"  // 部门数据开放责任清单 (leshan 第三十九条(六))
	ListOpenPlan            = "open_plan"            // 公共数据开放计划 (xiamen 第二十五条)
)

// ListKinds lists every kind of yearly list.
var ListKinds = []string{ListShare, ListOpen, ListScenario, ListShareResponsibility, ListOpenResponsibility, ListOpenPlan}

// ListedItems reports whether a kind of list names catalog items (a
// scenario list names application scenarios instead).
func ListedItems(kind string) bool { return kind != ListScenario }

// YearlyListRule is the lists a department compiles and the authority
// confirms (changsha 第二十五条: 政务部门应每年更新本部门的数据共享清单、数据
// 开放清单、数据应用场景清单。市数据资源局应对政务部门提交的3张清单进行汇总、
// 确认; leshan 第三十九条(六) names the 部门数据共享责任清单 and 部门数据开放责任
// 清单 without saying who compiles or confirms them: a platform rule, in
// Note). Nil where the text has no such lists.
type YearlyListRule struct {
	Article string   `json:"article"`
	Kinds   []string `json:"kinds"`
	// Yearly is true where the text says every year (每年).
	Yearly bool `json:"yearly"`
	// Confirmation is the authority's confirmation step.
	Confirmation Period `json:"confirmation"`
	// Priority is the article by which some entries of a list go first
	// (xiamen 第二十五条第一款: 与民生紧密相关、社会迫切需要的公共数据，应当优先
	// 纳入公共数据开放计划); empty where a list's entries cannot be so marked.
	Priority string `json:"priority,omitempty"`
	Note     string `json:"note,omitempty"`
}

func (p Profile) validateYearlyLists() error {
	r := p.YearlyLists
	if r == nil {
		return nil
	}
	if r.Article == "" || len(r.Kinds) == 0 {
		return fmt.Errorf("yearly_lists.article and yearly_lists.kinds are required")
	}
	for _, k := range r.Kinds {
		if !slices.Contains(ListKinds, k) {
			return fmt.Errorf("yearly_lists.kinds: unknown kind %q", k)
		}
	}
	if c := r.Confirmation; c.WorkingDays <= 0 || (c.Article == "" && c.Note == "") {
		return fmt.Errorf("yearly_lists.confirmation needs working days and its article, or a note saying it is a platform rule")
	}
	return nil
}
