package workflows

import (
	"strings"
	"testing"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/regulations"
)

func TestApprovalCheck(t *testing.T) {
	filed := func(in ApprovalFiling) ApprovalFacts {
		return ApprovalFacts{Filed: procedure.Filed[ApprovalFiling]{In: in, Now: now}, Dept: models.Department{Code: "d1"}}
	}
	off := ApprovalFiling{Kind: regulations.ApprovalOffPlatform, Title: "向银行提供企业登记信息", Description: "专线传输", Recipient: "某银行"}
	op := ApprovalFiling{Kind: regulations.ApprovalAuthorisedOperation, Title: "交通数据授权运营", Description: "项目建议", Recipient: "某公司",
		Plan: "实施方案", EntryConditions: []string{"legal_entity", "security_systems", "no_harm"}}
	na := ApprovalFiling{Kind: regulations.ApprovalNonAggregable, Title: "涉密地理信息", Description: "接口共享", LegalBasis: "《测绘法》第三十四条"}
	with := func(in ApprovalFiling, edit func(*ApprovalFiling)) ApprovalFacts { edit(&in); return filed(in) }
	runChecks(t, ApprovalProcedure, []filingCase[ApprovalFacts]{
		{"changsha 第二十二条", "changsha", filed(off), nil},
		{"changsha: to whom", "changsha", with(off, func(f *ApprovalFiling) { f.Recipient = "" }), []string{"recipient"}},
		{"off the platform elsewhere", "wuhan", filed(off), []string{"jurisdiction"}},
		{"leshan 第三十条", "leshan", filed(op), nil},
		{"leshan: plan and operator", "leshan", with(op, func(f *ApprovalFiling) { f.Plan, f.Recipient = "", "" }), []string{"recipient", "plan"}},
		{"leshan: an entry condition unmet", "leshan", with(op, func(f *ApprovalFiling) { f.EntryConditions = []string{"legal_entity", "no_harm"} }), []string{"entry_conditions"}},
		{"leshan: an unknown entry condition", "leshan", with(op, func(f *ApprovalFiling) { f.EntryConditions = append(f.EntryConditions, "rich") }), []string{"entry_conditions"}},
		{"authorised operation elsewhere", "changsha", filed(op), []string{"jurisdiction"}},
		{"xiamen 第七条", "xiamen", filed(na), nil},
		{"xiamen: the law", "xiamen", with(na, func(f *ApprovalFiling) { f.LegalBasis = "" }), []string{"legal_basis"}},
		{"non-aggregable elsewhere", "weifang", filed(na), []string{"jurisdiction"}},
	})
	if msg := ApprovalProcedure.Check(filed(op), profileOf(t, "weifang"))[0].Message; !strings.Contains(msg, "第三十条") {
		t.Errorf("the refusal cites no article: %s", msg)
	}
	if msg := ApprovalProcedure.Check(with(op, func(f *ApprovalFiling) { f.EntryConditions = nil }), profileOf(t, "leshan"))[0].Message; !strings.Contains(msg, "第三十条第三款") {
		t.Errorf("the entry conditions' refusal cites no article: %s", msg)
	}
	if got := fieldsOf(ApprovalProcedure.Form(ApprovalFiling{Kind: "x"})); strings.Join(got, ",") != "kind,title,description" {
		t.Errorf("form refuses %v", got)
	}
}
