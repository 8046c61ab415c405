package regulations

// Acts name what an overdue party failed to do, as the accountability text
// cites it (逾期未<act>, see Profile.Overdue).
const (
	ActHandle        = "办理"   // handle a matter (the default)
	ActPreliminary   = "初审"   // the preliminary review of an application
	ActReply         = "答复"   // the decision on an application
	ActProcess       = "处理"   // handle an objection
	ActEvaluate      = "评估"   // evaluate data after an emergency
	ActUpdateCatalog = "更新目录" // update the catalog after a change of duties
)

// Texts of the steps for which no article names a period: they run on the
// platform's service level (ServiceLevel).
const (
	TextServiceLevel        = "平台服务时限"
	TextEmergencyEvaluation = "应急状态结束后评估"
	TextNegotiation         = "协商"
	TextGovernmentRuling    = "市人民政府决定"
	TextObjectorReview      = "异议方复核驳回（平台服务时限）"
	// NoteObjectorReview says why the objector's review is a platform rule.
	NoteObjectorReview = "平台规则：文本未规定异议方对驳回的复核，也未规定逾期不表示不服视为接受"
	// TextEmergencyShutdown is the reason given when the grants on an
	// emergency's data close with it (关停相关数据应用, xiamen 第二十一条).
	TextEmergencyShutdown = "应急状态结束：关停相关数据应用"
)

// Silence is what a city's rules do with a step that no one decided by its
// due time: grant it (SilenceDeemedConsent) or flag it overdue and supervise
// it (SilenceSupervise), citing Article, with Supervision as the follow-up.
type Silence struct {
	Rule        string
	Article     string
	Supervision Supervision
}

// Supervised is the rule on silence of a step of the city whose article is
// article and whose assignee must act (an Act*): supervision under the
// city's accountability article.
func (p Profile) Supervised(article, act string) Silence {
	return Silence{Rule: SilenceSupervise, Article: p.Overdue(article, act), Supervision: p.Supervision()}
}

// ServiceLevel is the period of a step for which the text names none: the
// platform's service level, citing article, described by text.
func (p Profile) ServiceLevel(article, text string) Period {
	return Period{WorkingDays: p.ServiceLevelDays, Statutory: false, Article: article, Text: text}
}

// ShareSilence is the city's rule on silence for a share request's decision
// (share_request.on_silence, silence_article).
func (p Profile) ShareSilence() Silence {
	r := p.ShareRequest
	return Silence{Rule: r.OnSilence, Article: r.SilenceArticle, Supervision: p.Supervision()}
}

// CatalogUpdateSilence is the rule on silence for a department's catalog
// update: supervised, citing the catalog rule's own overdue article where
// the city has no accountability article (leshan 第三十九条).
func (p Profile) CatalogUpdateSilence() Silence {
	rule := p.CatalogChange
	s := p.Supervised(rule.Update.Article, ActUpdateCatalog)
	if rule.OverdueArticle != "" && p.Accountability.Article == "" {
		s.Article = rule.OverdueArticle
		s.Supervision.Article = rule.OverdueArticle + "；" + s.Supervision.Article
	}
	return s
}

// DefaultReevaluationMonths is the interval of a periodic re-evaluation for
// a profile recorded before ReevaluationMonths existed (a running
// procedure's input): one year, as those profiles were read.
const DefaultReevaluationMonths = 12

// ReevaluationInterval is how many months after a classification applies
// (or was last kept) it is re-evaluated; 0 when the city asks none.
func (c ClassificationRule) ReevaluationInterval() int {
	switch {
	case !c.Reevaluation:
		return 0
	case c.ReevaluationMonths > 0:
		return c.ReevaluationMonths
	default:
		return DefaultReevaluationMonths
	}
}
