package bounds

import (
	"strings"
	"testing"
	"time"
)

type item struct {
	Title     string   `json:"title" bound:"name"`
	DataItems []string `json:"data_items" bound:"name,max=500"`
}

type op struct {
	Op   string `json:"op" bound:"id"`
	Item *item  `json:"item"`
	N    int    `json:"n"`
}

type embedded struct {
	Period struct {
		From string `json:"from" bound:"date"`
	} `json:"period"`
}

type body struct {
	embedded
	Reason     string `json:"reason"`
	Operations []op   `json:"operations" bound:"max=3"`
	Applicant  struct {
		Name string `json:"name" bound:"name"`
	} `json:"applicant"`
	When time.Time `json:"when"`
	Date string    `json:"date" bound:"date"`
}

func TestDecodeNamesTheField(t *testing.T) {
	cases := []struct{ in, field, msg string }{
		{`{"operations":[{},{},{"item":{"title":5}}]}`, "operations[2].item.title", "must be a string"},
		{`{"applicant":{"name":[1]}}`, "applicant.name", "must be a string"},
		{`{"operations":[{"n":1e400}]}`, "operations[0].n", "must be an integer"},
		{`{"operations":"x"}`, "operations", "must be an array"},
		{`{"reason":"a\u0000b"}`, "reason", "NUL"},
		{`{"reason":"a\u001b[31m"}`, "reason", "control character"},
		{"{\"reason\":\"a\xffb\"}", "reason", "U+FFFD"},
		{`{"applicant":{"name":"a\nb"}}`, "applicant.name", "control character"},
		{`{"operations":[{"op":"a/b"}]}`, "operations[0].op", "may contain only"},
		{`{"operations":[{},{},{},{}]}`, "operations", "at most 3"},
		{`{"operations":[{"item":{"title":"` + strings.Repeat("长", 201) + `"}}]}`, "operations[0].item.title", "longer than 200"},
		{`{"when":"9999-12-31T00:00:00Z"}`, "when", "2100-12-31"},
		{`{"date":"0000-01-01"}`, "date", "2000-01-01"},
		{`{"period":{"from":"9999-12-31"}}`, "period.from", "2100-12-31"},
		{`{"date":"2026-02-30"}`, "date", "YYYY-MM-DD"},
		{`{"nope":1}`, "nope", "not a field"},
		{`{} {}`, "body", "after"},
		{`{"reason":`, "body", "truncated"},
	}
	for _, c := range cases {
		var v body
		errs, _ := Decode([]byte(c.in), &v)
		if len(errs) == 0 {
			t.Errorf("%s: accepted", c.in)
			continue
		}
		if errs[0].Field != c.field || !strings.Contains(errs[0].Message, c.msg) {
			t.Errorf("%s: got %v, want %s: …%s…", c.in, errs, c.field, c.msg)
		}
		if strings.Contains(errs[0].Message, "main.") || strings.Contains(errs[0].Message, "bounds.") {
			t.Errorf("%s: Go type in message %q", c.in, errs[0].Message)
		}
	}
}

func TestDecodeKeepsUnicode(t *testing.T) {
	var v body
	in := `{"reason":"核验申请人户籍\n第二行\t😀","applicant":{"name":"张三（个体）"},"date":"2026-10-01","operations":[{"op":"add","item":{"title":"人口基础信息","data_items":["姓名"]}}]}`
	if errs, _ := Decode([]byte(in), &v); len(errs) > 0 {
		t.Fatal(errs)
	}
	if v.Applicant.Name != "张三（个体）" {
		t.Fatal(v.Applicant.Name)
	}
}

func TestTags(t *testing.T) {
	if bad := Tags(&body{}); len(bad) > 0 {
		t.Fatal(bad)
	}
	type typo struct {
		A string `bound:"nmae"`
		B []int  `bound:"max=x"`
	}
	if bad := Tags(typo{}); len(bad) != 2 {
		t.Fatalf("misspelt tags not found: %v", bad)
	}
}
