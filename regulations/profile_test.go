package regulations

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

var shanghai = time.FixedZone("CST", 8*3600)

func TestShippedProfilesLoad(t *testing.T) {
	r, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.Cities(), ","); got != "changsha,leshan,weifang,wuhan,xiamen" {
		t.Fatalf("cities %s", got)
	}
	wuhan, _ := r.Get("wuhan")
	if wuhan.ShareRequest.OnSilence != SilenceDeemedConsent || wuhan.ShareRequest.Decision.WorkingDays != 10 {
		t.Fatalf("wuhan share rule %+v", wuhan.ShareRequest)
	}
	xiamen, _ := r.Get("xiamen")
	if xiamen.ShareRequest.Decision.WorkingDays != 5 || len(xiamen.ShareRequest.Deciders) != 2 {
		t.Fatalf("xiamen share rule %+v", xiamen.ShareRequest)
	}
}

func TestValidity(t *testing.T) {
	r, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	day := func(s string) time.Time {
		d, err := time.ParseInLocation(time.DateOnly, s, shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	cases := []struct {
		city, date string
		ok         bool
	}{
		{"wuhan", "2021-11-14", false}, {"wuhan", "2021-11-15", true}, {"wuhan", "2040-01-01", true},
		{"weifang", "2027-01-31", true}, {"weifang", "2027-02-01", false},
		{"xiamen", "2025-12-27", true}, {"xiamen", "2026-11-23", false},
		{"leshan", "2026-11-23", false},
	}
	for _, c := range cases {
		_, err := r.InForce(c.city, day(c.date), shanghai)
		var ve *ValidityError
		if c.ok != (err == nil) || (!c.ok && !errors.As(err, &ve)) {
			t.Errorf("%s on %s: err = %v, want in force %v", c.city, c.date, err, c.ok)
		}
		if !c.ok && !strings.Contains(err.Error(), "办法") {
			t.Errorf("%s: the error does not name the document: %v", c.city, err)
		}
	}
	if _, err := r.InForce("atlantis", day("2026-01-01"), shanghai); err == nil {
		t.Error("an unknown city is in force")
	}
}

func TestExtendValidity(t *testing.T) {
	r, err := Load("xiamen:2027-12-31, leshan:2026-06-01..2027-06-30")
	if err != nil {
		t.Fatal(err)
	}
	for _, city := range []string{"xiamen", "leshan"} {
		if _, err := r.InForce(city, time.Date(2026, 11, 23, 12, 0, 0, 0, shanghai), shanghai); err != nil {
			t.Errorf("%s extended: %v", city, err)
		}
	}
	if _, err := r.InForce("leshan", time.Date(2027, 7, 1, 12, 0, 0, 0, shanghai), shanghai); err == nil {
		t.Error("leshan in force after its extension")
	}
	// Leshan's draft takes effect on publication: an extension names its
	// start, and nothing before it is in force.
	if _, err := r.InForce("leshan", time.Date(2026, 5, 31, 12, 0, 0, 0, shanghai), shanghai); err == nil {
		t.Error("leshan in force before the start of its extension")
	}
	for _, bad := range []string{"xiamen", "atlantis:2027-01-01", "xiamen:2027-13-01",
		"leshan:2027-12-31",             // no start: any earlier date would count as in force
		"weifang:2026-12-31",            // ends before the shipped 2027-01-31: not an extension
		"leshan:2027-06-30..2027-01-01", // ends before it starts
	} {
		if _, err := Load(bad); err == nil {
			t.Errorf("Load(%q) accepted", bad)
		}
	}
}

// Every shipped profile names a known catalog change path, and leshan's
// missed update cites 第三十九条; an unknown path is refused.
func TestCatalogChangeRule(t *testing.T) {
	r, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"wuhan": PathReview, "weifang": PathConsentThenFiling, "changsha": PathFiling, "xiamen": PathJointSubmission, "leshan": PathFiling}
	for city, path := range want {
		p, _ := r.Get(city)
		if p.CatalogChange.Path != path {
			t.Errorf("%s: path %q, want %q", city, p.CatalogChange.Path, path)
		}
	}
	if p, _ := r.Get("leshan"); !strings.Contains(p.CatalogChange.OverdueArticle, "第三十九条") {
		t.Errorf("leshan overdue_article = %q", p.CatalogChange.OverdueArticle)
	}
	if p, _ := r.Get("wuhan"); p.CatalogChange.Review.WorkingDays != 3 || !p.CatalogChange.Review.Statutory || p.CatalogChange.Update.Statutory {
		t.Errorf("wuhan: review 3 statutory, update not statutory; got %+v", p.CatalogChange)
	}
	p, _ := r.Get("wuhan")
	p.CatalogChange.Path = "approve_by_mail"
	if err := p.validate(); err == nil || !strings.Contains(err.Error(), "catalog_change.path") {
		t.Fatalf("unknown path: err = %v", err)
	}
}

// The open-data application rules of the shipped profiles, and the strict
// checks of the rule's schema.
func TestOpenApplicationRule(t *testing.T) {
	r, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	x, _ := r.Get("xiamen")
	if o := x.OpenApplication; o.Preliminary == nil || o.Preliminary.WorkingDays != 3 || o.Decision.WorkingDays != 7 ||
		!o.WithProvider || !o.PublishRefusals || !slices.Contains(o.RequiredFields, OpenFieldSafetyMeasures) {
		t.Errorf("xiamen open_application = %+v", o)
	}
	if c, _ := r.Get("changsha"); c.OpenApplication.Decision.WorkingDays != 10 || c.OpenApplication.RefusalRequires != RefusalReasonAndBasis {
		t.Errorf("changsha open_application = %+v", c.OpenApplication)
	}
	l, _ := r.Get("leshan")
	if o := l.OpenApplication; len(o.AgreementClauses) != 6 || !strings.Contains(o.AgreementArticle, "第二十八条") || !o.PublishApproved {
		t.Errorf("leshan open_application = %+v", o)
	}
	for _, city := range []string{"wuhan", "weifang"} {
		if p, _ := r.Get(city); p.OpenApplication.Decision.Statutory || p.OpenApplication.Decider != RoleProvider {
			t.Errorf("%s: the provider decides under the service level, got %+v", city, p.OpenApplication)
		}
	}
	if w, _ := r.Get("weifang"); !w.OpenApplication.DemandApplications {
		t.Error("weifang takes data demand applications")
	}

	ok := OpenRule{Decider: RoleAuthority, Decision: Period{WorkingDays: 5, Article: "a"}}
	bad := map[string]func(*OpenRule){
		"decider":          func(o *OpenRule) { o.Decider = "mayor" },
		"refusal_requires": func(o *OpenRule) { o.RefusalRequires = "nothing" },
		"required_fields":  func(o *OpenRule) { o.RequiredFields = []string{"shoe_size"} },
		"preliminary":      func(o *OpenRule) { o.Preliminary = &Period{} },
		"agreement":        func(o *OpenRule) { o.AgreementArticle = "第二十八条" },
		"clauses":          func(o *OpenRule) { o.AgreementArticle, o.AgreementClauses = "x", []Clause{{"a", "t"}, {"a", "t"}} },
	}
	if err := ok.validate(); err != nil {
		t.Fatalf("valid rule refused: %v", err)
	}
	for name, edit := range bad {
		o := ok
		edit(&o)
		if err := o.validate(); err == nil {
			t.Errorf("%s: invalid rule accepted", name)
		}
	}
}

// Each city routes each kind of objection as its article says; a profile
// giving a kind two paths, an unknown kind or a forward without routing is
// refused.
func TestObjectionRoutes(t *testing.T) {
	r, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		city, kind, handler string
		days                int
		statutory, forward  bool
		suspend, coordinate bool
	}{
		{"wuhan", ObjectionError, RoleProvider, 5, false, true, false, false},
		{"wuhan", ObjectionInfringement, RoleProvider, 5, false, true, false, false},
		{"xiamen", ObjectionOwnDataInaccurate, RoleProvider, 5, true, false, false, false},
		{"leshan", ObjectionMisuseReport, RoleAuthority, 5, false, false, false, false}, // 第三十一条: suspended only where the authority judges it necessary
		{"leshan", ObjectionError, RoleProvider, 15, true, false, false, false},
		{"leshan", ObjectionSharedDataDoubt, RoleProvider, 5, false, false, false, true},
		{"weifang", ObjectionSharedDataDoubt, RoleProvider, 5, false, false, false, true},
		{"wuhan", ObjectionSharedDataDoubt, RoleAuthority, 5, false, false, false, false}, // 第十九条: the authority coordinates
		{"changsha", ObjectionOmission, RoleProvider, 5, false, false, false, false},
	}
	for _, c := range cases {
		p, _ := r.Get(c.city)
		route, ok := p.Objection.Route(c.kind)
		if !ok {
			t.Errorf("%s does not route %s", c.city, c.kind)
			continue
		}
		if route.Handler != c.handler || route.Handling.WorkingDays != c.days || route.Handling.Statutory != c.statutory ||
			route.RoutesThroughAuthority != c.forward || route.SuspendAtFiling != c.suspend || (route.Coordination != nil) != c.coordinate {
			t.Errorf("%s %s: route %+v", c.city, c.kind, route)
		}
	}
	for city, kind := range map[string]string{"xiamen": ObjectionError, "wuhan": ObjectionMisuseReport, "changsha": ObjectionSharedDataDoubt} {
		p, _ := r.Get(city)
		if _, ok := p.Objection.Route(kind); ok {
			t.Errorf("%s routes %s", city, kind)
		}
	}
	p, _ := r.Get("leshan")
	bad := p
	bad.Objection.Paths = append([]ObjectionPath{}, p.Objection.Paths...)
	bad.Objection.Paths[0].Kinds = []string{ObjectionError}
	if err := bad.validate(); err == nil || !strings.Contains(err.Error(), "two paths") {
		t.Errorf("a kind with two paths: err = %v", err)
	}
	bad = p
	bad.Objection.Kinds = []string{"gossip"}
	if err := bad.validate(); err == nil || !strings.Contains(err.Error(), "unknown kind") {
		t.Errorf("unknown kind: err = %v", err)
	}
	bad = p
	bad.Objection.RoutesThroughAuthority = true
	if err := bad.validate(); err == nil || !strings.Contains(err.Error(), "forward") {
		t.Errorf("routing without forward period: err = %v", err)
	}
}

// each city's classification path and dispute chain, and validate
// refusing what the workflows could not run.
func TestClassificationAndDisputeRules(t *testing.T) {
	r, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string]string{"wuhan": ClassAuthorityThenGovernment, "weifang": ClassAcknowledgement, "changsha": ClassAcknowledgement,
		"xiamen": ClassLabelThenNegotiation, "leshan": ClassFiling}
	chains := map[string]string{
		"wuhan":    "authority_coordination/authority",
		"weifang":  "negotiation/department authority_coordination/authority joint_deliberation/authority government_ruling/government",
		"changsha": "authority_coordination/authority",
		"xiamen":   "authority_coordination/authority government_ruling/government",
		"leshan":   "authority_coordination/authority government_ruling/government",
	}
	articles := map[string]string{"wuhan": "第十九条", "weifang": "第二十条", "xiamen": "第十七条", "leshan": "第十八条"}
	for city, path := range paths {
		p, _ := r.Get(city)
		if p.Classification.Path != path {
			t.Errorf("%s: classification path %q, want %q", city, p.Classification.Path, path)
		}
		var got []string
		for _, st := range p.Dispute {
			got = append(got, st.Level+"/"+st.Actor)
			if city == "changsha" {
				// 第二十二条 has no dispute path: a platform rule, no borrowed article.
				if !st.Period.PlatformRule() {
					t.Errorf("changsha: dispute level %s must be a platform rule (statutory false, article \"\", a note): %+v", st.Level, st.Period)
				}
				continue
			}
			if !strings.Contains(st.Period.Article, articles[city]) {
				t.Errorf("%s: dispute level %s cites %q, want %s", city, st.Level, st.Period.Article, articles[city])
			}
		}
		if strings.Join(got, " ") != chains[city] {
			t.Errorf("%s: dispute chain %v, want %s", city, got, chains[city])
		}
	}
	if p, _ := r.Get("leshan"); !p.Classification.Reevaluation {
		t.Error("leshan: no re-evaluation")
	}
	for _, city := range []string{"wuhan", "xiamen"} {
		if p, _ := r.Get(city); !p.Classification.TemporaryAdjustment || p.Classification.TemporaryArticle == "" {
			t.Errorf("%s: no temporary adjustment", city)
		}
	}
	for name, breakIt := range map[string]func(*Profile){
		"classification.path":    func(p *Profile) { p.Classification.Path = "ask_nicely" },
		"classification.article": func(p *Profile) { p.Classification.Article = "" },
		"reevaluation":           func(p *Profile) { p.Classification.Reevaluation = true },
		"temporary_article":      func(p *Profile) { p.Classification.TemporaryArticle = "" },
		"dispute[0].actor":       func(p *Profile) { p.Dispute[0].Actor = "mayor" },
		"dispute[0].level":       func(p *Profile) { p.Dispute[0].Level = "" },
	} {
		p, _ := r.Get("wuhan")
		p.Dispute = append([]Step(nil), p.Dispute...)
		breakIt(&p)
		if err := p.validate(); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

// Administrators are warned from 60 days before a text lapses: weifang's and
// changsha's (2027-01-31) are 61 days away on 2026-12-01 and 60 on
// 2026-12-02; xiamen's 暂行办法 lapsed on 2025-12-27, unless extended.
func TestLapsingWarnsSixtyDaysAhead(t *testing.T) {
	r, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	cities := func(ls []Lapse) string {
		var out []string
		for _, l := range ls {
			out = append(out, l.City)
		}
		return strings.Join(out, ",")
	}
	if got := cities(r.Lapsing(time.Date(2026, 12, 1, 12, 0, 0, 0, shanghai), shanghai)); got != "xiamen" {
		t.Errorf("on 2026-12-01: warned %q, want xiamen only (61 days to weifang's and changsha's end)", got)
	}
	ls := r.Lapsing(time.Date(2026, 12, 2, 12, 0, 0, 0, shanghai), shanghai)
	if got := cities(ls); got != "changsha,weifang,xiamen" {
		t.Errorf("on 2026-12-02: warned %q, want changsha,weifang,xiamen", got)
	}
	for _, l := range ls {
		if l.City == "weifang" && (l.DaysLeft != 60 || !strings.Contains(l.Message, "2027-01-31")) {
			t.Errorf("weifang: %+v", l)
		}
		if l.City == "xiamen" && (l.DaysLeft >= 0 || !strings.Contains(l.Message, "lapsed")) {
			t.Errorf("xiamen: %+v", l)
		}
	}
	ext, _ := Load("xiamen:2027-12-31")
	if got := cities(ext.Lapsing(time.Date(2026, 12, 1, 12, 0, 0, 0, shanghai), shanghai)); got != "" {
		t.Errorf("xiamen extended: warned %q", got)
	}
}

func TestReevaluationIntervalFromTheProfile(t *testing.T) {
	r, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := r.Get("leshan")
	if got := p.Classification.ReevaluationInterval(); got != 12 || p.Classification.ReevaluationArticle == "" {
		t.Fatalf("leshan re-evaluates every %d months under %q, want 12 under 第十五条", got, p.Classification.ReevaluationArticle)
	}
	old := ClassificationRule{Path: ClassFiling, Reevaluation: true} // a profile recorded before the interval existed
	if got := old.ReevaluationInterval(); got != DefaultReevaluationMonths {
		t.Fatalf("an older profile re-evaluates every %d months, want %d", got, DefaultReevaluationMonths)
	}
	if got := (ClassificationRule{Path: ClassFiling}).ReevaluationInterval(); got != 0 {
		t.Fatalf("no re-evaluation asked, got every %d months", got)
	}
}
