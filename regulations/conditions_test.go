package regulations

import (
	"strings"
	"testing"
)

// Xiamen 第十七条第二款 lists four kinds of share condition; every kind the
// shipped profile lists has words that name it, and a condition's text is
// matched against them.
func TestConditionKindXiamen17(t *testing.T) {
	r, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	x, _ := r.Get("xiamen")
	rule := x.ShareRequest
	if len(rule.Conditions) != 4 || !strings.Contains(rule.ConditionsArticle, "第十七条") {
		t.Fatalf("xiamen conditions %v cited as %q", rule.Conditions, rule.ConditionsArticle)
	}
	for _, k := range rule.Conditions {
		if len(rule.ConditionTerms[k]) == 0 {
			t.Errorf("kind %s has no words naming it", k)
		}
	}
	for text, want := range map[string]string{
		"仅限特定应用场景使用":         "specific_scenarios",
		"仅限特定政务部门、公共服务组织使用":  "specific_departments",
		"仅限市委、市政府重点工作使用":     "key_municipal_work",
		"仅限跨部门大系统、大平台使用":     "cross_department_systems",
		"key_municipal_work": "key_municipal_work",
		"履职需要":               "",
		"":                   "",
	} {
		got, ok := rule.ConditionKind(text)
		if got != want || ok != (want != "") {
			t.Errorf("ConditionKind(%q) = %q, %v; want %q", text, got, ok, want)
		}
	}
	w, _ := r.Get("wuhan")
	if _, ok := w.ShareRequest.ConditionKind("履职需要"); !ok {
		t.Error("wuhan lists no kinds, yet a stated condition was refused")
	}
}
