// Package regulations holds one profile per city: for every procedure its
// deadlines in working days, who decides, what silence means, the escalation
// chain and the article each rule comes from. Profiles are data (profiles/*.json)
// and a workflow receives a snapshot of its city's profile when it starts, so a
// later edit never changes a running procedure.
package regulations

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/cityapprovals/approvals/roles"
)

//go:embed profiles/*.json
var files embed.FS

// Roles that act in procedures.
const (
	RoleProvider   = roles.Provider
	RoleAuthority  = roles.Authority
	RoleGovernment = roles.Government
	RoleDepartment = roles.Department
	RoleInfocenter = roles.Infocenter
)

// What silence means when a decision is not made in time.
const (
	// SilenceDeemedConsent grants the request when the deadline passes (视为同意).
	SilenceDeemedConsent = "deemed_consent"
	// SilenceSupervise flags the task overdue and opens a supervision task (督办)
	// for the authority; the request keeps waiting.
	SilenceSupervise = "supervise"
)

// What a refusal must carry.
const (
	RefusalReason               = "reason"
	RefusalReasonAndLegalGround = "reason_and_legal_ground"
	RefusalReasonAndBasis       = "reason_and_basis"
)

// Period is a deadline in working days with the article it comes from.
// Statutory is false where the text names no number and the platform's
// service level applies. A step with no basis in the text at all is a
// platform rule: Statutory false, Article "" and a Note saying so, never a
// borrowed article.
type Period struct {
	WorkingDays int    `json:"working_days"`
	Statutory   bool   `json:"statutory"`
	Article     string `json:"article"`
	Text        string `json:"text,omitempty"`
	Note        string `json:"note,omitempty"`
}

// PlatformRule reports whether the period is a platform rule with no basis
// in the text (no article, not statutory, explained by its note).
func (p Period) PlatformRule() bool { return p.Article == "" && !p.Statutory && p.Note != "" }

// ShareRule is the conditional data-sharing procedure (procedure 2).
type ShareRule struct {
	UnconditionalArticle string   `json:"unconditional_article"`
	Deciders             []string `json:"deciders"`
	Decision             Period   `json:"decision"`
	OnSilence            string   `json:"on_silence"`
	SilenceArticle       string   `json:"silence_article"`
	RefusalRequires      string   `json:"refusal_requires"`
	RefusalArticle       string   `json:"refusal_article"`
	// Conditions are the kinds of share condition a conditional catalog
	// item must name (xiamen 第十七条第二款); none: any stated condition.
	Conditions []string `json:"conditions,omitempty"`
	// ConditionTerms are the words that name each kind in a condition's
	// text; the kind's own code names it too.
	ConditionTerms map[string][]string `json:"condition_terms,omitempty"`
	// ConditionsArticle is the article that lists the kinds.
	ConditionsArticle string `json:"conditions_article,omitempty"`
	UseArticle        string `json:"use_article"`
}

// ConditionKind is the kind of share condition that text names; ok is false
// only where the rule lists kinds and the text names none of them.
func (r ShareRule) ConditionKind(text string) (kind string, ok bool) {
	if len(r.Conditions) == 0 {
		return "", true
	}
	for _, k := range r.Conditions {
		if strings.Contains(text, k) {
			return k, true
		}
		for _, term := range r.ConditionTerms[k] {
			if term != "" && strings.Contains(text, term) {
				return k, true
			}
		}
	}
	return "", false
}

// Step is one level of a dispute escalation chain.
type Step struct {
	Level  string `json:"level"`
	Actor  string `json:"actor"`
	Period Period `json:"period"`
}

// Paths a catalog change takes to the catalog (procedure 1).
const (
	// PathReview: the authority reviews (复核) and approves or refuses (wuhan).
	PathReview = "review"
	// PathConsentThenFiling: deletions and modifications need the authority's
	// consent (同意), then every change is filed (备案) (weifang).
	PathConsentThenFiling = "consent_then_filing"
	// PathFiling: the change is filed with the authority, who acknowledges it
	// (changsha, leshan).
	PathFiling = "filing"
	// PathJointSubmission: a change of duties is submitted together with the
	// department taking them over, which confirms before the authority
	// reviews the change (xiamen).
	PathJointSubmission = "joint_submission"
)

// CatalogRule is the catalog change procedure (procedure 1): Update is the
// department's obligation to update its catalog after a triggering change,
// Review the authority's handling of the submitted change. OverdueArticle,
// where the city has one, makes a missed update a breach the authority orders
// corrected (leshan 第三十九条).
type CatalogRule struct {
	Update Period `json:"update"`
	// TriggerKinds are the triggering changes the city's text starts the
	// update clock on (law_revision, duty_change, system_change); others are
	// refused, citing Update.Article.
	TriggerKinds   []string `json:"trigger_kinds"`
	Review         Period   `json:"review"`
	Path           string   `json:"path"`
	OverdueArticle string   `json:"overdue_article,omitempty"`
}

// OpenRule is the open-data application procedure (procedure 3).
type OpenRule struct {
	Preliminary        *Period `json:"preliminary,omitempty"`
	Decider            string  `json:"decider"`
	Decision           Period  `json:"decision"`
	DemandApplications bool    `json:"demand_applications,omitempty"`
	AgreementArticle   string  `json:"agreement_article,omitempty"`
	PublishRefusals    bool    `json:"publish_refusals,omitempty"`
	PublishApproved    bool    `json:"publish_approved,omitempty"`
	// Optional:
	// WithProvider: the deciding authority answers together with the
	// providing department, both deciding (xiamen 第二十三条).
	WithProvider bool `json:"with_provider,omitempty"`
	// RefusalRequires is what a refusal must carry (RefusalReason when empty).
	RefusalRequires string `json:"refusal_requires,omitempty"`
	// RequiredFields are application fields the city's text makes mandatory
	// beyond the common ones: "safety_measures", "capabilities".
	RequiredFields []string `json:"required_fields,omitempty"`
	// FieldsArticle cites the article listing what an application states.
	FieldsArticle string `json:"fields_article,omitempty"`
	// AgreementClauses are the clauses the use agreement must carry (leshan
	// 第二十八条), each accepted by the applicant before an approval takes effect.
	AgreementClauses []Clause `json:"agreement_clauses,omitempty"`
	// AgreementConclusion is the providing department's step concluding the
	// agreement the applicant accepted (leshan 第二十八条: 与政务部门签订
	// 数据资源开放利用协议); the text sets no period.
	AgreementConclusion *Period `json:"agreement_conclusion,omitempty"`
}

// Clause is one clause of an open-data use agreement.
type Clause struct {
	Key  string `json:"key"`
	Text string `json:"text"`
}

// OpenFieldSafetyMeasures and OpenFieldCapabilities name the application
// fields a city may require (OpenRule.RequiredFields).
const (
	OpenFieldSafetyMeasures = "safety_measures"
	OpenFieldCapabilities   = "capabilities"
)

// Kinds of objection (procedure 4).
const (
	ObjectionError             = "error"               // open data with errors
	ObjectionOmission          = "omission"            // open data with omissions
	ObjectionInfringement      = "infringement"        // data infringing trade secrets or privacy
	ObjectionOwnDataInaccurate = "own_data_inaccurate" // a person's or organisation's own data inaccurate or incomplete
	ObjectionMisuseReport      = "misuse_report"       // a report of unlawful use, with evidence
	ObjectionSharedDataDoubt   = "shared_data_doubt"   // a department doubting shared data
	ObjectionOpenDataDoubt     = "open_data_doubt"     // an applicant doubting open data it obtained (weifang 第十八条: 共享或者开放获取)
)

// ObjectionKinds lists every kind of objection.
var ObjectionKinds = []string{ObjectionError, ObjectionOmission, ObjectionInfringement,
	ObjectionOwnDataInaccurate, ObjectionMisuseReport, ObjectionSharedDataDoubt, ObjectionOpenDataDoubt}

// ObjectionRule is the objection procedure (procedure 4). The general path
// (Kinds, handled by the provider within Handling, forwarded by the authority
// within Forward where RoutesThroughAuthority) applies unless a kind has its
// own path in Paths.
type ObjectionRule struct {
	RoutesThroughAuthority bool            `json:"routes_through_authority,omitempty"`
	Forward                *Period         `json:"forward,omitempty"`
	Handling               Period          `json:"handling"`
	Kinds                  []string        `json:"kinds"`
	Paths                  []ObjectionPath `json:"paths,omitempty"`
}

// ObjectionPath is how one kind of objection is handled: who verifies and
// decides (the provider, or the authority for a misuse report in leshan),
// whether the authority forwards it first, whether the item is suspended at
// filing, whether evidence is required, the handling period, and, where the
// objector may disagree with a dismissal, the authority's coordination
// (leshan 第十八条, weifang 第十八条).
type ObjectionPath struct {
	Kinds                  []string `json:"kinds"`
	Handler                string   `json:"handler"`
	RoutesThroughAuthority bool     `json:"routes_through_authority,omitempty"`
	Forward                *Period  `json:"forward,omitempty"`
	SuspendAtFiling        bool     `json:"suspend_at_filing,omitempty"`
	EvidenceRequired       bool     `json:"evidence_required,omitempty"`
	Handling               Period   `json:"handling"`
	Coordination           *Period  `json:"coordination,omitempty"`
}

// Route returns the path a kind of objection takes in the city, and false
// where the city's regulation knows no such objection.
func (r ObjectionRule) Route(kind string) (ObjectionPath, bool) {
	for _, p := range r.Paths {
		for _, k := range p.Kinds {
			if k == kind {
				return p, true
			}
		}
	}
	for _, k := range r.Kinds {
		if k == kind {
			return ObjectionPath{Kinds: r.Kinds, Handler: RoleProvider, RoutesThroughAuthority: r.RoutesThroughAuthority,
				Forward: r.Forward, Handling: r.Handling}, true
		}
	}
	return ObjectionPath{}, false
}

// AcceptedKinds lists the kinds of objection the city handles.
func (r ObjectionRule) AcceptedKinds() []string {
	out := append([]string{}, r.Kinds...)
	for _, p := range r.Paths {
		out = append(out, p.Kinds...)
	}
	return out
}

func (r ObjectionRule) validate(periods map[string]Period) error {
	paths := append([]ObjectionPath{{Kinds: r.Kinds, Handler: RoleProvider, RoutesThroughAuthority: r.RoutesThroughAuthority,
		Forward: r.Forward, Handling: r.Handling}}, r.Paths...)
	if len(r.AcceptedKinds()) == 0 {
		return fmt.Errorf("objection: no kind of objection is accepted")
	}
	seen := map[string]bool{}
	for i, p := range paths {
		name := "objection"
		if i > 0 {
			name = fmt.Sprintf("objection.paths[%d]", i-1)
			if len(p.Kinds) == 0 {
				return fmt.Errorf("%s.kinds is empty", name)
			}
		}
		for _, k := range p.Kinds {
			known := false
			for _, kk := range ObjectionKinds {
				known = known || kk == k
			}
			if !known {
				return fmt.Errorf("%s.kinds: unknown kind %q", name, k)
			}
			if seen[k] {
				return fmt.Errorf("%s.kinds: kind %q has two paths", name, k)
			}
			seen[k] = true
		}
		if p.Handler != RoleProvider && p.Handler != RoleAuthority {
			return fmt.Errorf("%s.handler: unknown role %q", name, p.Handler)
		}
		if p.RoutesThroughAuthority != (p.Forward != nil) {
			return fmt.Errorf("%s: routes_through_authority and forward go together", name)
		}
		if p.RoutesThroughAuthority && p.Handler == RoleAuthority {
			return fmt.Errorf("%s: the authority does not forward to itself", name)
		}
		periods[name+".handling"] = p.Handling
		if p.Forward != nil {
			periods[name+".forward"] = *p.Forward
		}
		if p.Coordination != nil {
			periods[name+".coordination"] = *p.Coordination
		}
	}
	return nil
}

// Paths a classification takes to the catalog (procedure 5).
const (
	// ClassAuthorityThenGovernment: the authority reviews, the city
	// government approves (wuhan 第十六条).
	ClassAuthorityThenGovernment = "authority_then_government"
	// ClassFiling: filed (备案) with the authority, which acknowledges; with
	// Reevaluation the item is re-evaluated yearly (leshan 第十四条、第十五条).
	ClassFiling = "filing"
	// ClassLabelThenNegotiation: the department labels; if the authority
	// disagrees, negotiation, then the city government decides (xiamen 第十五条、第十八条).
	ClassLabelThenNegotiation = "label_then_negotiation"
	// ClassAcknowledgement: the legal basis is recorded and the authority
	// acknowledges under the service level (weifang 第十九条, changsha).
	ClassAcknowledgement = "acknowledgement"
)

// ClassificationRule is the share classification procedure (procedure 5).
type ClassificationRule struct {
	Path    string `json:"path"`
	Article string `json:"article"`
	// Note explains a path with no basis in the text (Article ""): a
	// platform rule.
	Note                string `json:"note,omitempty"`
	TemporaryAdjustment bool   `json:"temporary_adjustment,omitempty"`
	Reevaluation        bool   `json:"reevaluation,omitempty"`
	// ReevaluationMonths is the interval of the periodic re-evaluation
	// (Reevaluation) and ReevaluationArticle its basis; the text names no
	// interval (leshan 第十五条 定期评估), so the profile sets one as a
	// platform rule, said in ReevaluationNote.
	ReevaluationMonths  int    `json:"reevaluation_months,omitempty"`
	ReevaluationArticle string `json:"reevaluation_article,omitempty"`
	ReevaluationNote    string `json:"reevaluation_note,omitempty"`
	// TemporaryArticle is the article allowing a temporary adjustment of the
	// share type (wuhan 第十六条, xiamen 第二十一条); required with
	// TemporaryAdjustment. EmergencyEvaluation: an adjustment for an
	// emergency ends with an evaluation task (xiamen 第二十一条).
	TemporaryArticle    string `json:"temporary_article,omitempty"`
	EmergencyEvaluation bool   `json:"emergency_evaluation,omitempty"`
	// ApprovalFor lists the share types whose listing takes the path;
	// empty means both conditional and not shared. Another restricted type
	// is applied as proposed (wuhan 第十六条: only 不予共享 needs the
	// authority's review and the government's approval).
	ApprovalFor []string `json:"approval_for,omitempty"`
	// RouteAdded: an item added through a catalog change with a share type
	// that takes the path is routed to it too, as a modification is (wuhan
	// 第十六条 "new and changed items alike"; xiamen 第十五条).
	RouteAdded bool `json:"route_added,omitempty"`
}

// NeedsPath reports whether listing an item as shareType takes the city's
// classification path.
func (c ClassificationRule) NeedsPath(shareType string) bool {
	if shareType == "unconditional" {
		return false
	}
	if len(c.ApprovalFor) == 0 {
		return true
	}
	for _, t := range c.ApprovalFor {
		if t == shareType {
			return true
		}
	}
	return false
}

// Profile is one city's regulation as data.
type Profile struct {
	City             string             `json:"city"`
	Name             string             `json:"name"`
	Document         string             `json:"document"`
	Authority        string             `json:"authority"`
	ValidFrom        string             `json:"valid_from,omitempty"`
	ValidTo          string             `json:"valid_to,omitempty"`
	ValidityNote     string             `json:"validity_note,omitempty"`
	ServiceLevelDays int                `json:"service_level_days"`
	Accountability   Accountability     `json:"accountability"`
	ShareRequest     ShareRule          `json:"share_request"`
	Dispute          []Step             `json:"dispute"`
	CatalogChange    CatalogRule        `json:"catalog_change"`
	OpenApplication  OpenRule           `json:"open_application"`
	Objection        ObjectionRule      `json:"objection"`
	Classification   ClassificationRule `json:"classification"`
	// Governance rules (governance.go); nil where the city's text says
	// nothing, and the feature refuses for the city.
	UseLog     *UseLogRule     `json:"use_log,omitempty"`
	Evaluation *EvaluationRule `json:"evaluation,omitempty"`
	OpenList   *OpenListRule   `json:"open_list,omitempty"`
	// Purchase is a department buying data (authority.go); nil where the
	// city's text has no such procedure.
	Purchase *PurchaseRule `json:"purchase,omitempty"`
	// Approvals are the kinds of authority approval the city's text
	// provides (authority.go), by kind.
	Approvals map[string]ApprovalRule `json:"approvals,omitempty"`
	// OpenConditions are the conditions of use a department may set on a
	// conditionally open item; nil where the text lists none, and an item
	// of the city sets none.
	OpenConditions *OpenConditionsRule `json:"open_conditions,omitempty"`
	// OpenDemand is the data demand application (数据需求申请) for data not on
	// the open list; nil where the text has none (open_application's
	// demand_applications is set exactly where it is not nil).
	OpenDemand *DemandRule `json:"open_demand,omitempty"`
	// NotSharedDispute opens the dispute chain to not-shared data a
	// department needs for its duties (dispute.go); nil where the text
	// has no such path.
	NotSharedDispute *NotSharedDisputeRule `json:"not_shared_dispute,omitempty"`
	// DataConflict is the settling of disagreeing data of two departments
	// (conflict.go); nil where the text has no such procedure.
	DataConflict *DataConflictRule `json:"data_conflict,omitempty"`
	// YearlyLists are the lists departments compile and the authority
	// confirms (lists.go); nil where the text has none.
	YearlyLists *YearlyListRule `json:"yearly_lists,omitempty"`
	// OpeningReview is the review before data is opened (opening.go); nil
	// where the city's text has none.
	OpeningReview *OpeningReviewRule `json:"opening_review,omitempty"`
	// OpenConversion is the conversion of qualifying data to a wider open
	// type (opening.go); nil where the city's text has none.
	OpenConversion *OpenConversionRule `json:"open_conversion,omitempty"`
}

// DemandRule is who handles a data demand application and when: weifang
// 第二十五条 (各级公共管理和服务机构…及时予以办理), changsha 第十二条 (各级政务部门…
// 审批数据开放和需求申请): the department the applicant addresses, the one
// that holds the data, within the platform's service level (neither text
// sets a period).
type DemandRule struct {
	Decider  string `json:"decider"`
	Decision Period `json:"decision"`
}

// ForProcedures is the profile as a procedure's workflow input carries it:
// without the governance rules (use logs, the yearly evaluation, the open
// list), which are the API's features, read from the registry, and which no
// procedure reads. Every start input records the profile it ran on; these
// three sections were about a third of it (issue 17).
func (p Profile) ForProcedures() Profile {
	p.UseLog, p.Evaluation, p.OpenList = nil, nil, nil
	return p
}

// Accountability is what the city's text says happens to overdue work
// (REGULATIONS.md, "Accountability"): who orders it corrected (Supervisor,
// with Order, e.g. 督促整改 or 责令限期改正) under Article, and the second
// stage when it is still not done (Referral, e.g. 提请处理 / 提请追责, under
// ReferralArticle). No decision article says what silence means; these do.
type Accountability struct {
	Article         string `json:"article"`
	Supervisor      string `json:"supervisor"`
	Order           string `json:"order"`
	Referral        string `json:"referral"`
	ReferralArticle string `json:"referral_article"`
}

// Supervision is the follow-up of an overdue task: the supervisor's order
// (督办 / 责令改正) due within the platform's service level (not statutory),
// citing the accountability article, and the second stage when the order's
// time passes with the work still undone.
type Supervision struct {
	Period
	Supervisor      string // the role that supervises; never the late party (see Over)
	Referral        string
	ReferralArticle string
}

// Over returns the role that supervises a task late by the role late: the
// city's supervisor, or the government when the supervisor is the one late
// (an overdue authority is supervised by the government at the same level).
// It is "" when the government is late and supervises (no one above it in
// the system): the task is only flagged overdue.
func (s Supervision) Over(late string) string {
	sup := s.Supervisor
	if sup == "" {
		sup = RoleAuthority
	}
	if late != sup {
		return sup
	}
	if sup == RoleAuthority {
		return RoleGovernment
	}
	return ""
}

// Overdue is the article an overdue step cites: the city's accountability
// article with what was not done (逾期未<what>) and its order, e.g.
// 潍坊市公共数据管理办法 第三十五条（逾期未答复：督促整改）. The step's own article
// (decision) is cited only by a profile without accountability (older
// procedures' inputs), as before.
func (p Profile) Overdue(decision, what string) string {
	if a := p.Accountability; a.Article != "" {
		return a.Article + "（逾期未" + what + "：" + a.Order + "）"
	}
	return decision + "（逾期未" + what + "：督办）"
}

// Supervision is the follow-up of an overdue task in the city: its period
// is the platform's service level, not statutory; its article is the city's
// accountability article (a profile without one cites the platform's 督办).
func (p Profile) Supervision() Supervision {
	s := Supervision{Period: Period{WorkingDays: p.ServiceLevelDays, Statutory: false, Article: p.Document + " 督办（平台服务时限）"}, Supervisor: RoleAuthority}
	if a := p.Accountability; a.Article != "" {
		s.Article = a.Article + "（" + a.Order + "；时限为平台服务时限）"
		s.Text = a.Order
		s.Supervisor, s.Referral, s.ReferralArticle = a.Supervisor, a.Referral, a.ReferralArticle
	}
	return s
}

// Registry holds the profiles in force in one deployment, with any validity
// extensions applied.
type Registry struct {
	profiles map[string]Profile
}

// Load reads the shipped profiles and applies extensions of their validity,
// given as "city:TO" or "city:FROM..TO" (dates YYYY-MM-DD), comma-separated
// (APPROVALS_EXTEND_VALIDITY). A text with no start (leshan's draft, which
// takes effect on publication) needs FROM; an extension may not end before
// the shipped end.
func Load(extend string) (*Registry, error) {
	entries, err := files.ReadDir("profiles")
	if err != nil {
		return nil, fmt.Errorf("read profiles: %w", err)
	}
	r := &Registry{profiles: map[string]Profile{}}
	for _, e := range entries {
		data, err := files.ReadFile(path.Join("profiles", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read profile %s: %w", e.Name(), err)
		}
		p, err := Parse(data)
		if err != nil {
			return nil, fmt.Errorf("profile %s: %w", e.Name(), err)
		}
		r.profiles[p.City] = p
	}
	if err := r.extend(extend); err != nil {
		return nil, fmt.Errorf("APPROVALS_EXTEND_VALIDITY: %w", err)
	}
	return r, nil
}

// Parse reads one profile strictly (unknown fields are errors) and
// validates it.
func Parse(data []byte) (Profile, error) {
	var p Profile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Profile{}, fmt.Errorf("parse: %w", err)
	}
	if dec.More() {
		return Profile{}, fmt.Errorf("parse: data after the profile")
	}
	if err := p.validate(); err != nil {
		return Profile{}, err
	}
	return p, nil
}

func (r *Registry) extend(spec string) error {
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		city, span, ok := strings.Cut(part, ":")
		if !ok {
			return fmt.Errorf("%q: want city:TO or city:FROM..TO", part)
		}
		p, ok := r.profiles[city]
		if !ok {
			return fmt.Errorf("%q: unknown city %q", part, city)
		}
		from, date, hasFrom := strings.Cut(span, "..")
		if !hasFrom {
			from, date = p.ValidFrom, span
		}
		for _, d := range []string{from, date} {
			if _, err := time.Parse(time.DateOnly, d); err != nil && (d != "" || hasFrom) {
				return fmt.Errorf("%q: bad date %q: %w", part, d, err)
			}
		}
		switch {
		case from == "":
			return fmt.Errorf("%q: %s has no start date (%s): give %s:FROM..TO", part, p.Document, p.ValidityNote, city)
		case date < from:
			return fmt.Errorf("%q: ends %s before it starts %s", part, date, from)
		case p.ValidTo != "" && date < p.ValidTo:
			return fmt.Errorf("%q: ends %s, before the text's own end %s: not an extension", part, date, p.ValidTo)
		}
		p.ValidFrom, p.ValidTo = from, date
		p.ValidityNote = strings.TrimSpace(p.ValidityNote + " 有效期经部署配置定为 " + from + " 至 " + date)
		r.profiles[city] = p
	}
	return nil
}

// Cities lists the known city codes, sorted.
func (r *Registry) Cities() []string {
	out := make([]string, 0, len(r.profiles))
	for c := range r.profiles {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// Get returns the profile of a city.
func (r *Registry) Get(city string) (Profile, bool) {
	p, ok := r.profiles[city]
	return p, ok
}

// LapseWarningDays is how long before a regulation's end administrators are
// warned that it lapses.
const LapseWarningDays = 60

// Lapse is a regulation that ends within LapseWarningDays of a date, or has
// ended.
type Lapse struct {
	City     string `json:"city"`
	Document string `json:"document"`
	ValidTo  string `json:"valid_to"`
	DaysLeft int    `json:"days_left"` // negative once lapsed
	Message  string `json:"message"`
}

// Lapsing lists, sorted by city, the regulations whose validity ends within
// LapseWarningDays of the Beijing date of now, or has ended (a deployment
// still runs their procedures: those running finish under their rules, and
// disputes over their decisions continue).
func (r *Registry) Lapsing(now time.Time, loc *time.Location) []Lapse {
	today, _ := time.Parse(time.DateOnly, now.In(loc).Format(time.DateOnly))
	var out []Lapse
	for _, city := range r.Cities() {
		p := r.profiles[city]
		if p.ValidTo == "" {
			continue
		}
		end, err := time.Parse(time.DateOnly, p.ValidTo)
		if err != nil {
			continue
		}
		left := int(end.Sub(today).Hours() / 24)
		if left > LapseWarningDays {
			continue
		}
		msg := fmt.Sprintf("%s lapses on %s, in %d days: new filings will be refused unless APPROVALS_EXTEND_VALIDITY extends it", p.Document, p.ValidTo, left)
		if left < 0 {
			msg = fmt.Sprintf("%s lapsed on %s (%d days ago): new filings are refused; running procedures and disputes over its decisions continue under it", p.Document, p.ValidTo, -left)
		}
		out = append(out, Lapse{City: city, Document: p.Document, ValidTo: p.ValidTo, DaysLeft: left, Message: msg})
	}
	return out
}

// ValidityError says that a city's regulation is not in force on a date.
type ValidityError struct {
	Profile Profile
	Date    string
}

func (e *ValidityError) Error() string {
	p := e.Profile
	if p.ValidFrom == "" {
		return fmt.Sprintf("%s is not in force: %s", p.Document, p.ValidityNote)
	}
	to := p.ValidTo
	if to == "" {
		to = "no end"
	}
	return fmt.Sprintf("%s is in force from %s to %s, not on %s", p.Document, p.ValidFrom, to, e.Date)
}

// InForce returns the city's profile if its regulation is in force on the
// Beijing date of t, a *ValidityError if it is not, and an error for an
// unknown city.
func (r *Registry) InForce(city string, t time.Time, loc *time.Location) (Profile, error) {
	p, ok := r.profiles[city]
	if !ok {
		return Profile{}, fmt.Errorf("unknown jurisdiction %q (known: %s)", city, strings.Join(r.Cities(), ", "))
	}
	day := t.In(loc).Format(time.DateOnly)
	if p.ValidFrom == "" || day < p.ValidFrom || (p.ValidTo != "" && day > p.ValidTo) {
		return p, &ValidityError{Profile: p, Date: day}
	}
	return p, nil
}

func (p Profile) validate() error {
	if p.City == "" || p.Document == "" || p.Authority == "" {
		return fmt.Errorf("city, document and authority are required")
	}
	if p.ValidFrom == "" && p.ValidityNote == "" {
		return fmt.Errorf("a profile without valid_from must explain its validity in validity_note")
	}
	if p.ServiceLevelDays < 1 {
		return fmt.Errorf("service_level_days must be at least 1")
	}
	if a := p.Accountability; a.Article == "" || a.Order == "" || a.Referral == "" || a.ReferralArticle == "" {
		return fmt.Errorf("accountability: article, order, referral and referral_article are required")
	} else if a.Supervisor != RoleAuthority && a.Supervisor != RoleGovernment {
		return fmt.Errorf("accountability.supervisor: want authority or government, not %q", a.Supervisor)
	}
	s := p.ShareRequest
	if len(s.Deciders) == 0 {
		return fmt.Errorf("share_request.deciders is empty")
	}
	for _, d := range s.Deciders {
		if d != RoleProvider && d != RoleAuthority {
			return fmt.Errorf("share_request.deciders: unknown role %q", d)
		}
	}
	if s.OnSilence != SilenceDeemedConsent && s.OnSilence != SilenceSupervise {
		return fmt.Errorf("share_request.on_silence: unknown rule %q", s.OnSilence)
	}
	switch s.RefusalRequires {
	case RefusalReason, RefusalReasonAndLegalGround, RefusalReasonAndBasis:
	default:
		return fmt.Errorf("share_request.refusal_requires: unknown rule %q", s.RefusalRequires)
	}
	if len(p.CatalogChange.TriggerKinds) == 0 {
		return fmt.Errorf("catalog_change.trigger_kinds is empty")
	}
	for _, k := range p.CatalogChange.TriggerKinds {
		if k != "law_revision" && k != "duty_change" && k != "system_change" {
			return fmt.Errorf("catalog_change.trigger_kinds: unknown kind %q", k)
		}
	}
	switch p.CatalogChange.Path {
	case PathReview, PathConsentThenFiling, PathFiling, PathJointSubmission:
	default:
		return fmt.Errorf("catalog_change.path: unknown path %q", p.CatalogChange.Path)
	}
	if err := p.OpenConditions.validate(); err != nil {
		return err
	}
	if d := p.OpenDemand; d != nil || p.OpenApplication.DemandApplications {
		switch {
		case d == nil || !p.OpenApplication.DemandApplications:
			return fmt.Errorf("open_demand and open_application.demand_applications go together")
		case d.Decider != RoleProvider && d.Decider != RoleAuthority:
			return fmt.Errorf("open_demand.decider: unknown role %q", d.Decider)
		case d.Decision.WorkingDays < 1 || (d.Decision.Article == "" && !d.Decision.PlatformRule()):
			return fmt.Errorf("open_demand.decision: working_days and article are required")
		}
	}
	if err := p.OpenApplication.validate(); err != nil {
		return err
	}
	switch p.Classification.Path {
	case ClassAuthorityThenGovernment, ClassFiling, ClassLabelThenNegotiation, ClassAcknowledgement:
	default:
		return fmt.Errorf("classification.path: unknown path %q", p.Classification.Path)
	}
	if p.Classification.Article == "" && p.Classification.Note == "" {
		return fmt.Errorf("classification.article is required (or, for a platform rule, a note)")
	}
	if p.Classification.TemporaryAdjustment != (p.Classification.TemporaryArticle != "") {
		return fmt.Errorf("classification.temporary_adjustment and temporary_article go together")
	}
	if p.Classification.EmergencyEvaluation && !p.Classification.TemporaryAdjustment {
		return fmt.Errorf("classification.emergency_evaluation needs temporary_adjustment")
	}
	if p.Classification.Reevaluation && p.Classification.Path != ClassFiling {
		return fmt.Errorf("classification.reevaluation applies to the filing path only")
	}
	if m := p.Classification.ReevaluationMonths; m < 0 || (m > 0 && !p.Classification.Reevaluation) {
		return fmt.Errorf("classification.reevaluation_months: %d months needs reevaluation and a positive number", m)
	}
	periods := map[string]Period{
		"share_request.decision": s.Decision, "catalog_change.update": p.CatalogChange.Update,
		"catalog_change.review": p.CatalogChange.Review, "open_application.decision": p.OpenApplication.Decision,
	}
	if err := p.Objection.validate(periods); err != nil {
		return err
	}
	if err := p.validateAuthority(); err != nil {
		return err
	}
	if err := p.validateNotSharedDispute(); err != nil {
		return err
	}
	if err := p.validateDataConflict(); err != nil {
		return err
	}
	if err := p.validateYearlyLists(); err != nil {
		return err
	}
	if err := p.validateOpening(); err != nil {
		return err
	}
	if err := p.validateGovernance(); err != nil {
		return err
	}
	for i, st := range p.Dispute {
		periods[fmt.Sprintf("dispute[%d]", i)] = st.Period
		if st.Level == "" {
			return fmt.Errorf("dispute[%d].level is required", i)
		}
		switch st.Actor {
		case RoleDepartment, RoleAuthority, RoleGovernment:
		default:
			return fmt.Errorf("dispute[%d].actor: unknown actor %q", i, st.Actor)
		}
	}
	for name, per := range periods {
		if per.WorkingDays < 1 || (per.Article == "" && !per.PlatformRule()) {
			return fmt.Errorf("%s: working_days and article are required (a platform rule: statutory false, article \"\" and a note)", name)
		}
	}
	return nil
}

func (o OpenRule) validate() error {
	switch o.Decider {
	case RoleProvider, RoleAuthority:
	default:
		return fmt.Errorf("open_application.decider: unknown role %q", o.Decider)
	}
	switch o.RefusalRequires {
	case "", RefusalReason, RefusalReasonAndLegalGround, RefusalReasonAndBasis:
	default:
		return fmt.Errorf("open_application.refusal_requires: unknown rule %q", o.RefusalRequires)
	}
	for _, f := range o.RequiredFields {
		if f != OpenFieldSafetyMeasures && f != OpenFieldCapabilities {
			return fmt.Errorf("open_application.required_fields: unknown field %q", f)
		}
	}
	if o.Preliminary != nil && (o.Preliminary.WorkingDays < 1 || o.Preliminary.Article == "") {
		return fmt.Errorf("open_application.preliminary: working_days and article are required")
	}
	if (o.AgreementArticle == "") != (len(o.AgreementClauses) == 0) || (o.AgreementArticle == "") != (o.AgreementConclusion == nil) {
		return fmt.Errorf("open_application: agreement_article, agreement_clauses and agreement_conclusion go together")
	}
	if c := o.AgreementConclusion; c != nil && (c.WorkingDays < 1 || (c.Article == "" && !c.PlatformRule())) {
		return fmt.Errorf("open_application.agreement_conclusion: working_days and article are required")
	}
	seen := map[string]bool{}
	for _, c := range o.AgreementClauses {
		if c.Key == "" || c.Text == "" || seen[c.Key] {
			return fmt.Errorf("open_application.agreement_clauses: each needs a unique key and a text")
		}
		seen[c.Key] = true
	}
	return nil
}

// OpenConditionsRule is what conditions of use a department may set on a
// conditionally open item (leshan 第二十五条第二款 and 第二十六条: storage,
// processing and security capabilities and a credit level, no discriminatory
// conditions; xiamen 第二十四条: the five kinds of reasonable open
// condition). An item setting a kind not listed is refused; an application
// for the item states how it meets each condition the item sets.
type OpenConditionsRule struct {
	Article string   `json:"article"`
	Kinds   []Clause `json:"kinds"`
	Note    string   `json:"note,omitempty"`
}

// Kind is the condition kind of key and whether the city lists it.
func (o *OpenConditionsRule) Kind(key string) (Clause, bool) {
	if o == nil {
		return Clause{}, false
	}
	for _, c := range o.Kinds {
		if c.Key == key {
			return c, true
		}
	}
	return Clause{}, false
}

func (o *OpenConditionsRule) validate() error {
	if o == nil {
		return nil
	}
	if o.Article == "" || len(o.Kinds) == 0 {
		return fmt.Errorf("open_conditions: article and kinds are required")
	}
	seen := map[string]bool{}
	for _, c := range o.Kinds {
		if c.Key == "" || c.Text == "" || seen[c.Key] {
			return fmt.Errorf("open_conditions.kinds: each needs a unique key and a text")
		}
		seen[c.Key] = true
	}
	return nil
}
