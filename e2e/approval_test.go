package e2e

import (
	"strings"
	"testing"

	"github.com/cityapprovals/approvals/api"
)

// Leshan 第三十条: a proposal for authorised operation with its plan, the
// entry conditions checked at filing, the authority's expert risk
// assessment, then the city government's approval; the grant records that
// the operator may not pass data to third parties. Leshan's draft is in
// force once the deployment extends it.
func TestAuthorisedOperationLeshanApproved(t *testing.T) {
	w := newWorld(t, "leshan")
	base := startAPI(t, "APPROVALS_EXTEND_VALIDITY=xiamen:2099-12-31,leshan:2020-01-01..2099-12-31")
	w.prov.base, w.req.base, w.authority.base = base, base, base
	body := map[string]any{"kind": "authorised_operation", "title": "交通出行数据授权运营", "description": "项目建议",
		"recipient": "某数据运营公司", "plan": "实施方案：脱敏后按接口提供", "entry_conditions": []string{"legal_entity", "no_harm"}}
	p := w.prov.do("POST", "/api/v1/authority-approvals", body).must(t, 422)
	if fieldOf(p) != "entry_conditions" || !strings.Contains(string(p.Raw), "第三十条第三款") {
		t.Fatalf("an unmet entry condition: %s", p.Raw)
	}
	body["entry_conditions"] = []string{"legal_entity", "security_systems", "no_harm"}
	r := w.prov.do("POST", "/api/v1/authority-approvals", body).must(t, 201)
	id := r.str("id")
	if r.str("status") != "pending" || r.str("step") != "expert-risk-assessment" {
		t.Fatalf("filed: %s", r.Raw)
	}
	risk := openTask(t, w.authority, "authority_approval", id)
	if facts, _ := risk["facts"].([]any); len(facts) != 4 {
		t.Fatalf("the assessment task shows %v, want the three entry conditions and the grant's condition", risk["facts"])
	}
	decide(t, w.authority, risk, map[string]any{"decision": "approve"}, 200)
	gov := sys.as(t, "mayor", api.RoleGovernment, "", "leshan")
	gov.base = base
	decide(t, gov, openTask(t, gov, "authority_approval", id), map[string]any{"decision": "approve"}, 200)
	got := w.prov.do("GET", "/api/v1/authority-approvals/"+id, nil).must(t, 200)
	grant, _ := got.Body["grant_conditions"].([]any)
	if got.str("status") != "approved" || len(grant) != 1 || !strings.Contains(grant[0].(string), "第三方") {
		t.Fatalf("after the government's approval: %s", got.Raw)
	}
	w.req.do("GET", "/api/v1/authority-approvals/"+id, nil).must(t, 404) // another department's
	checkHistory(t, id, "leshan-authorised-operation-approved")
}

// Changsha 第二十二条: sharing off the platform needs the authority's
// approval; a refusal ends it. Elsewhere the kind is refused naming
// jurisdiction.
func TestOffPlatformSharingChangshaRefused(t *testing.T) {
	w := newWorld(t, "changsha")
	body := map[string]any{"kind": "off_platform_sharing", "title": "向银行提供企业登记信息", "description": "专线", "recipient": "某银行"}
	r := w.prov.do("POST", "/api/v1/authority-approvals", body).must(t, 201)
	id := r.str("id")
	decide(t, w.authority, openTask(t, w.authority, "authority_approval", id), map[string]any{"decision": "reject", "reason": "应通过平台共享"}, 200)
	got := w.prov.do("GET", "/api/v1/authority-approvals/"+id, nil).must(t, 200)
	if got.str("status") != "refused" || got.str("note") != "应通过平台共享" {
		t.Fatalf("after the refusal: %s", got.Raw)
	}
	checkHistory(t, id, "changsha-off-platform-refused")
	x := newWorld(t, "weifang")
	p := x.prov.do("POST", "/api/v1/authority-approvals", body).must(t, 422)
	if fieldOf(p) != "jurisdiction" || !strings.Contains(string(p.Raw), "第二十二条") {
		t.Fatalf("off-platform sharing in weifang: %s", p.Raw)
	}
}

// Xiamen 第七条 (valid while APPROVALS_EXTEND_VALIDITY extends the text): the
// authority confirms data that cannot be aggregated; it is then shared
// through service interfaces.
func TestNonAggregableXiamenConfirmed(t *testing.T) {
	w := newWorld(t, "xiamen")
	w.prov.do("POST", "/api/v1/authority-approvals", map[string]any{"kind": "non_aggregable", "title": "涉密地理信息", "description": "接口共享"}).must(t, 422)
	r := w.prov.do("POST", "/api/v1/authority-approvals", map[string]any{"kind": "non_aggregable", "title": "涉密地理信息",
		"description": "接口共享", "legal_basis": "《中华人民共和国测绘法》第三十四条"}).must(t, 201)
	id := r.str("id")
	decide(t, w.authority, openTask(t, w.authority, "authority_approval", id), map[string]any{"decision": "approve"}, 200)
	got := w.prov.do("GET", "/api/v1/authority-approvals/"+id, nil).must(t, 200)
	if grant, _ := got.Body["grant_conditions"].([]any); got.str("status") != "approved" || len(grant) != 1 {
		t.Fatalf("after the confirmation: %s", got.Raw)
	}
}
