package regulations

import (
	"reflect"
	"strings"
	"testing"
)

// The governance rules as the texts give them: use logs only where the text
// requires them (leshan 第三十三条, weifang 第三十一条), the evaluation of
// departments everywhere but xiamen, and an open list with its article in
// every city.
func TestGovernanceRules(t *testing.T) {
	r, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct{ useLog, evaluation, openList, evaluator string }{
		"wuhan":    {"", "第三十五条", "第二十条、第二十三条", RoleAuthority},
		"weifang":  {"第三十一条", "第三十二条", "第二十四条", RoleGovernment},
		"changsha": {"", "第三十七条", "第二十四条", RoleAuthority},
		"xiamen":   {"", "", "第二十二条", ""},
		"leshan":   {"第三十三条", "第三十八条", "第二十一条、第二十二条", RoleAuthority},
	}
	for city, w := range want {
		p, _ := r.Get(city)
		if (p.UseLog == nil) != (w.useLog == "") || (p.UseLog != nil && !strings.HasSuffix(p.UseLog.Article, " "+w.useLog)) {
			t.Errorf("%s use_log %+v, want %q", city, p.UseLog, w.useLog)
		}
		if p.UseLog != nil && len(p.UseLog.Fields) != len(UseFields) {
			t.Errorf("%s use_log fields %v", city, p.UseLog.Fields)
		}
		if (p.Evaluation == nil) != (w.evaluation == "") ||
			(p.Evaluation != nil && (!strings.HasSuffix(p.Evaluation.Article, " "+w.evaluation) || p.Evaluation.Evaluator != w.evaluator)) {
			t.Errorf("%s evaluation %+v, want %q by %s", city, p.Evaluation, w.evaluation, w.evaluator)
		}
		if p.OpenList == nil || !strings.HasSuffix(p.OpenList.Article, " "+w.openList) || !strings.HasPrefix(p.OpenList.Article, strings.Split(p.Document, "（")[0]) {
			t.Errorf("%s open_list %+v, want %q", city, p.OpenList, w.openList)
		}
	}
	if p, _ := r.Get("leshan"); !p.Evaluation.Yearly { // 每年
		t.Errorf("leshan's evaluation is yearly")
	}
	if p, _ := r.Get("weifang"); p.Evaluation.Yearly || p.Evaluation.Note == "" { // 定期
		t.Errorf("weifang's evaluation is periodic, with a note")
	}
}

func TestGovernanceRulesValidated(t *testing.T) {
	base, _ := Load("")
	p, _ := base.Get("leshan")
	for name, edit := range map[string]func(*Profile){
		"unknown particular": func(p *Profile) { p.UseLog = &UseLogRule{Article: "x", Fields: []string{"purpose", "used_at", "mood"}} },
		"no purpose":         func(p *Profile) { p.UseLog = &UseLogRule{Article: "x", Fields: []string{"used_at"}} },
		"no article":         func(p *Profile) { p.UseLog = &UseLogRule{Fields: []string{"purpose", "used_at"}} },
		"evaluator":          func(p *Profile) { p.Evaluation = &EvaluationRule{Article: "x", Evaluator: "provider"} },
		"open list article":  func(p *Profile) { p.OpenList = &OpenListRule{} },
	} {
		q := p
		edit(&q)
		if err := q.validateGovernance(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := p.validateGovernance(); err != nil {
		t.Fatal(err)
	}
}

// A procedure's input carries every rule of the profile but the governance
// sections, which only the API reads.
func TestForProcedures(t *testing.T) {
	r, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	for _, city := range r.Cities() {
		p, _ := r.Get(city)
		q := p.ForProcedures()
		if q.UseLog != nil || q.Evaluation != nil || q.OpenList != nil {
			t.Fatalf("%s: governance rules in a procedure's profile", city)
		}
		q.UseLog, q.Evaluation, q.OpenList = p.UseLog, p.Evaluation, p.OpenList
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("%s: ForProcedures changed more than the governance rules", city)
		}
	}
}
