package regulations

import (
	"slices"
	"strings"
	"testing"
)

// row is one city's line of the tables in ../shared/REGULATIONS.md: every
// number the profile uses and the article it cites.
type row struct {
	validFrom, validTo string
	// procedure 2
	shareDays    int
	shareArticle string
	deciders     []string
	onSilence    string
	refusal      string
	// procedure 1
	updateDays      int
	updateStatutory bool
	updateArticle   string
	reviewDays      int
	reviewStatutory bool
	triggerKinds    []string
	// procedure 3
	preliminaryDays int
	openDays        int
	openStatutory   bool
	openArticle     string
	// procedure 4: the general path
	objectionDays      int
	objectionStatutory bool
	objectionArticle   string // "" for a platform rule
	// procedure 5
	classificationArticle string // "" for a platform rule
	approvalFor           []string
	routeAdded            bool
	// accountability
	overdueArticle, supervisor string
}

var table = map[string]row{
	"wuhan": {validFrom: "2021-11-15",
		shareDays: 10, shareArticle: "第十七条", deciders: []string{RoleProvider}, onSilence: SilenceDeemedConsent, refusal: RefusalReason,
		updateDays: 5, updateStatutory: false, updateArticle: "第十一条", reviewDays: 3, reviewStatutory: true,
		triggerKinds: []string{"law_revision", "duty_change"},
		openDays:     5, openStatutory: false, openArticle: "第二十三条",
		objectionDays: 5, objectionStatutory: false, objectionArticle: "第二十四条",
		classificationArticle: "第十六条", approvalFor: []string{"not_shared"}, routeAdded: true,
		overdueArticle: "第三十六条", supervisor: RoleAuthority},
	"weifang": {validFrom: "2022-02-01", validTo: "2027-01-31",
		shareDays: 10, shareArticle: "第二十条", deciders: []string{RoleProvider}, onSilence: SilenceSupervise, refusal: RefusalReasonAndLegalGround,
		updateDays: 15, updateStatutory: true, updateArticle: "第十一条", reviewDays: 5, reviewStatutory: false,
		triggerKinds: []string{"law_revision", "duty_change"},
		openDays:     5, openStatutory: false, openArticle: "第二十五条",
		objectionDays: 5, objectionStatutory: false, objectionArticle: "第十八条",
		classificationArticle: "第十九条",
		overdueArticle:        "第三十五条", supervisor: RoleAuthority},
	"changsha": {validFrom: "2022-02-01", validTo: "2027-01-31",
		shareDays: 10, shareArticle: "第二十二条", deciders: []string{RoleProvider}, onSilence: SilenceSupervise, refusal: RefusalReasonAndBasis,
		updateDays: 15, updateStatutory: true, updateArticle: "第十六条", reviewDays: 5, reviewStatutory: false,
		triggerKinds: []string{"law_revision", "duty_change"},
		openDays:     10, openStatutory: true, openArticle: "第二十四条",
		objectionDays: 5, objectionStatutory: false, objectionArticle: "",
		classificationArticle: "",
		overdueArticle:        "第三十八条", supervisor: RoleGovernment},
	"xiamen": {validFrom: "2023-12-28", validTo: "2025-12-27",
		shareDays: 5, shareArticle: "第十七条", deciders: []string{RoleAuthority, RoleProvider}, onSilence: SilenceSupervise, refusal: RefusalReason,
		updateDays: 7, updateStatutory: true, updateArticle: "第九条", reviewDays: 5, reviewStatutory: false,
		triggerKinds:    []string{"duty_change", "system_change"},
		preliminaryDays: 3, openDays: 7, openStatutory: true, openArticle: "第二十三条",
		objectionDays: 5, objectionStatutory: true, objectionArticle: "第十四条",
		classificationArticle: "第十五条", routeAdded: true,
		overdueArticle: "第二十八条", supervisor: RoleAuthority},
	"leshan": {
		shareDays: 10, shareArticle: "第十七条", deciders: []string{RoleAuthority, RoleProvider}, onSilence: SilenceSupervise, refusal: RefusalReason,
		updateDays: 15, updateStatutory: true, updateArticle: "第七条", reviewDays: 5, reviewStatutory: false,
		triggerKinds: []string{"law_revision", "duty_change"},
		openDays:     5, openStatutory: false, openArticle: "第二十五条",
		objectionDays: 15, objectionStatutory: true, objectionArticle: "第三十一条",
		classificationArticle: "第十四条",
		overdueArticle:        "第三十九条", supervisor: RoleAuthority},
}

// TestProfilesMatchRegulationsTable checks every number and article of the
// shipped profiles against the tables of REGULATIONS.md (procedures 1–5,
// validity, accountability). A platform rule (no basis in the text) must say
// so: statutory false, article "" and a note.
func TestProfilesMatchRegulationsTable(t *testing.T) {
	r, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	for city, w := range table {
		p, ok := r.Get(city)
		if !ok {
			t.Fatalf("no profile %s", city)
		}
		check := func(what string, got, want any) {
			t.Helper()
			if !equal(got, want) {
				t.Errorf("%s: %s = %v, REGULATIONS.md says %v", city, what, got, want)
			}
		}
		cites := func(what, got, want string) {
			t.Helper()
			if want == "" {
				if got != "" {
					t.Errorf("%s: %s cites %q: a platform rule cites no article", city, what, got)
				}
				return
			}
			if !strings.Contains(got, want) || !strings.HasPrefix(got, strings.SplitN(p.Document, "（", 2)[0]) {
				t.Errorf("%s: %s cites %q, REGULATIONS.md says %s of %s", city, what, got, want, p.Document)
			}
		}
		check("valid_from", p.ValidFrom, w.validFrom)
		check("valid_to", p.ValidTo, w.validTo)
		s := p.ShareRequest
		check("share_request.decision.working_days", s.Decision.WorkingDays, w.shareDays)
		check("share_request.decision.statutory", s.Decision.Statutory, true)
		cites("share_request.decision", s.Decision.Article, w.shareArticle)
		check("share_request.deciders", s.Deciders, w.deciders)
		check("share_request.on_silence", s.OnSilence, w.onSilence)
		check("share_request.refusal_requires", s.RefusalRequires, w.refusal)
		if s.OnSilence == SilenceSupervise {
			cites("share_request.silence_article", s.SilenceArticle, w.overdueArticle)
		}
		cc := p.CatalogChange
		check("catalog_change.update.working_days", cc.Update.WorkingDays, w.updateDays)
		check("catalog_change.update.statutory", cc.Update.Statutory, w.updateStatutory)
		cites("catalog_change.update", cc.Update.Article, w.updateArticle)
		check("catalog_change.review.working_days", cc.Review.WorkingDays, w.reviewDays)
		check("catalog_change.review.statutory", cc.Review.Statutory, w.reviewStatutory)
		if cc.Review.Article == "" && !cc.Review.PlatformRule() {
			t.Errorf("%s: catalog_change.review has no article and is not marked a platform rule", city)
		}
		check("catalog_change.trigger_kinds", cc.TriggerKinds, w.triggerKinds)
		o := p.OpenApplication
		if w.preliminaryDays > 0 {
			if o.Preliminary == nil {
				t.Errorf("%s: no preliminary review", city)
			} else {
				check("open_application.preliminary.working_days", o.Preliminary.WorkingDays, w.preliminaryDays)
				cites("open_application.preliminary", o.Preliminary.Article, w.openArticle)
			}
		}
		check("open_application.decision.working_days", o.Decision.WorkingDays, w.openDays)
		check("open_application.decision.statutory", o.Decision.Statutory, w.openStatutory)
		cites("open_application.decision", o.Decision.Article, w.openArticle)
		h := p.Objection.Handling
		check("objection.handling.working_days", h.WorkingDays, w.objectionDays)
		check("objection.handling.statutory", h.Statutory, w.objectionStatutory)
		cites("objection.handling", h.Article, w.objectionArticle)
		if w.objectionArticle == "" && !h.PlatformRule() {
			t.Errorf("%s: objection.handling must be marked a platform rule", city)
		}
		cl := p.Classification
		cites("classification.article", cl.Article, w.classificationArticle)
		if w.classificationArticle == "" && cl.Note == "" {
			t.Errorf("%s: a classification with no article needs a note", city)
		}
		check("classification.approval_for", cl.ApprovalFor, w.approvalFor)
		check("classification.route_added", cl.RouteAdded, w.routeAdded)
		a := p.Accountability
		cites("accountability.article", a.Article, w.overdueArticle)
		cites("accountability.referral_article", a.ReferralArticle, w.overdueArticle)
		check("accountability.supervisor", a.Supervisor, w.supervisor)
		for i, st := range p.Dispute {
			if st.Period.Article == "" && !st.Period.PlatformRule() {
				t.Errorf("%s: dispute[%d] has no article and is not marked a platform rule", city, i)
			}
			if st.Period.Statutory {
				t.Errorf("%s: dispute[%d] is statutory, but no text names a period for it", city, i)
			}
		}
	}
}

func equal(a, b any) bool {
	as, aok := a.([]string)
	bs, bok := b.([]string)
	if aok || bok {
		return slices.Equal(as, bs)
	}
	return a == b
}

// The profiles quote the texts as they are: wuhan 第二十四条 says the
// authority notifies the provider 及时 (not 立即), and 第十九条 that it
// studies the matter 立即 and gives feedback 及时.
func TestWuhanQuotes(t *testing.T) {
	r, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := r.Get("wuhan")
	if f := p.Objection.Forward; f == nil || !strings.Contains(f.Text, "及时通知") || strings.Contains(f.Text, "立即通知") {
		t.Errorf("wuhan 第二十四条 forward text %+v: the text says 及时通知", f)
	}
	if d := p.Dispute[0].Period.Text; !strings.Contains(d, "立即") || !strings.Contains(d, "及时反馈") {
		t.Errorf("wuhan 第十九条 dispute text %q: the text says 立即…研究处理，并及时反馈", d)
	}
}
