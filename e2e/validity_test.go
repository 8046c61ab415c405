package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// A refusal decided while weifang's text was in force is disputed after the
// text lapsed (2027-01-31): the dispute runs under that text (procedures
// finish under the rules they started with); a new filing is refused; the
// readiness detail warns of the lapse.
func TestDisputeAfterLapseContinuesUnderText(t *testing.T) {
	w := newWorld(t, "weifang")
	id := w.file(t, "conditional").must(t, 201).str("id")
	w.prov.do("POST", "/api/v1/tasks/"+taskFor(t, w.prov, id)["id"].(string)+"/decision",
		map[string]any{"decision": "reject", "reason": "涉及商业秘密", "legal_basis": "《数据安全法》"}).must(t, 200)

	lapsed := startAPI(t, "APPROVALS_TEST_NOW=2027-03-01T10:00:00+08:00")
	req := w.req
	req.base = lapsed
	d := req.do("POST", "/api/v1/share-requests/"+id+"/disputes", map[string]any{"reason": "履职必需"}).must(t, 201)
	if d.str("status") != "pending" || !strings.Contains(d.str("article"), "潍坊") {
		t.Fatalf("a dispute over a refusal decided in force continues under the text after it lapses: %s", d.Raw)
	}
	late := req.do("POST", "/api/v1/share-requests", map[string]any{
		"catalog_item_id": w.items["conditional"], "purpose": "核验", "scenario": "审批", "data_items": []string{"name"},
	}).must(t, 422)
	if !strings.Contains(string(late.Raw), "2027-01-31") {
		t.Fatalf("a new filing after the lapse: %s, want the validity named", late.Raw)
	}

	resp, err := http.Get(lapsed + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ready struct {
		Warnings []struct {
			City     string `json:"city"`
			DaysLeft int    `json:"days_left"`
		} `json:"validity_warnings"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&ready); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range ready.Warnings {
		found = found || (l.City == "weifang" && l.DaysLeft < 0)
	}
	if !found {
		t.Fatalf("readiness detail does not warn that weifang lapsed: %+v", ready)
	}
}
