package regulations

import "fmt"

// NotSharedDisputeRule opens the dispute chain to data the catalog lists as
// not shared, for a department that needs it for its duties (weifang
// 第二十条: 对不予共享类……的公共数据，数据使用单位因履行职责确需使用的，由数据
// 使用单位与数据提供单位协商，协商未果的由大数据主管部门协调解决……). The
// dispute climbs the city's dispute chain (Profile.Dispute). Nil where the
// text provides no such path: the filing is refused.
type NotSharedDisputeRule struct {
	Article string `json:"article"`
	Text    string `json:"text,omitempty"`
}

func (p Profile) validateNotSharedDispute() error {
	r := p.NotSharedDispute
	switch {
	case r == nil:
		return nil
	case r.Article == "":
		return fmt.Errorf("not_shared_dispute.article is required")
	case len(p.Dispute) == 0:
		return fmt.Errorf("not_shared_dispute needs a dispute chain")
	}
	return nil
}
