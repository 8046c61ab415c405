package regulations

import "fmt"

// DataConflictRule is how a city settles two departments' data on the same
// subject that disagree (leshan 第十一条: 不同部门提供同一类别的数据不一致时，
// 相关部门应当及时协商形成一致意见，不能形成一致意见的，由本级数据资源主管
// 部门会同相关部门协调处理): a negotiation between the two departments, then
// the authority's coordination. Nil where the text has no such procedure.
type DataConflictRule struct {
	Negotiation  Period `json:"negotiation"`
	Coordination Period `json:"coordination"`
}

func (p Profile) validateDataConflict() error {
	r := p.DataConflict
	if r == nil {
		return nil
	}
	for name, per := range map[string]Period{"negotiation": r.Negotiation, "coordination": r.Coordination} {
		if per.WorkingDays <= 0 {
			return fmt.Errorf("data_conflict.%s.working_days must be positive", name)
		}
		if per.Article == "" && per.Note == "" {
			return fmt.Errorf("data_conflict.%s needs its article, or a note saying it is a platform rule", name)
		}
	}
	return nil
}
