package regulations

import (
	"encoding/json"
	"testing"
)

// The share rules carry everything a share request's workflow reads of the
// profile: the share rule (without the condition kinds, which only the
// filing's check reads), the rule on silence, the supervision of an overdue
// decision; and the content hash of the profile they were cut from.
func TestShareRules(t *testing.T) {
	reg, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	versions := map[string]string{}
	for _, city := range reg.Cities() {
		p, _ := reg.Get(city)
		r := p.ShareRules()
		q := r.Profile()
		same := func(what string, a, b any) {
			t.Helper()
			x, _ := json.Marshal(a)
			y, _ := json.Marshal(b)
			if string(x) != string(y) {
				t.Errorf("%s %s: cut %s, whole %s", city, what, y, x)
			}
		}
		same("silence", p.ShareSilence(), q.ShareSilence())
		same("supervised", p.Supervised(p.ShareRequest.Decision.Article, ActReply), q.Supervised(q.ShareRequest.Decision.Article, ActReply))
		want := p.ShareRequest
		want.Conditions, want.ConditionTerms, want.ConditionsArticle = nil, nil, ""
		same("share rule", want, q.ShareRequest)
		if len(r.Version) != 16 || r.Version != p.Version() {
			t.Errorf("%s: version %q, profile's %q", city, r.Version, p.Version())
		}
		if other, ok := versions[r.Version]; ok {
			t.Errorf("%s and %s have one version %s", city, other, r.Version)
		}
		versions[r.Version] = city
		b, _ := json.Marshal(r)
		whole, _ := json.Marshal(p.ForProcedures())
		t.Logf("%s: rules %d bytes of JSON, the profile %d", city, len(b), len(whole))
		if len(b)*2 > len(whole) {
			t.Errorf("%s: rules of %d bytes, not half the profile's %d", city, len(b), len(whole))
		}
	}
	p, _ := reg.Get("wuhan")
	v := p.Version()
	p.ShareRequest.Decision.WorkingDays++
	if p.Version() == v {
		t.Error("a changed profile kept its version")
	}
}
