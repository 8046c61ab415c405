package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// refusedOn checks a 422 that names field and cites article.
func refusedOn(t *testing.T, r reply, field, article string) {
	t.Helper()
	errs, _ := r.Body["errors"].([]any)
	if r.Status != 422 || len(errs) == 0 || errs[0].(map[string]any)["field"] != field || !strings.Contains(string(r.Raw), article) {
		t.Fatalf("got %d %s, want a 422 on %s citing %s", r.Status, r.Raw, field, article)
	}
}

// Xiamen 第十七条第二款: the share conditions a provider states in the catalog
// for conditional data are one of four kinds (specific scenarios, specific
// departments, key municipal work, cross-department systems). Conditional
// data whose conditions name none of them is refused wherever the catalog
// takes it (a new item, a catalog change, a classification), and nothing
// changes; a city that lists no kinds takes any stated condition.
func TestXiamenShareConditionKinds17(t *testing.T) {
	w := newWorld(t, "xiamen")
	const article = "第十七条第二款"
	id := uniq("ITEM")
	item := map[string]any{"id": id, "jurisdiction": "xiamen", "provider_dept": w.provider, "title": "社保缴纳信息",
		"share_type": "conditional", "share_conditions": "履职需要", "legal_basis": "《社会保险法》",
		"open_type": "not_open", "data_items": []string{"name"}}
	refusedOn(t, w.admin.do("POST", "/api/v1/catalog/items", item), "share_conditions", article)
	w.admin.do("GET", "/api/v1/catalog/items/"+id, nil).must(t, 404)
	item["share_conditions"] = "仅限市委、市政府重点工作使用"
	if got := w.admin.do("POST", "/api/v1/catalog/items", item).must(t, 201); got.str("share_conditions") != "仅限市委、市政府重点工作使用" {
		t.Fatalf("created: %s", got.Raw)
	}

	cond := w.items["conditional"]
	body := catalogItemBody(cond, "人口基础信息（修订）", "conditional")
	body["share_conditions"] = "按需共享"
	refusedOn(t, w.prov.do("POST", "/api/v1/catalog/changes", map[string]any{"jurisdiction": "xiamen", "reason": "修订",
		"operations": []any{map[string]any{"op": "modify", "item_id": cond, "item": body}}}), "operations[0].item.share_conditions", article)
	if got := w.admin.do("GET", "/api/v1/catalog/items/"+cond, nil).must(t, 200); got.str("title") == "人口基础信息（修订）" {
		t.Fatalf("the refused change was applied: %s", got.Raw)
	}

	cl := map[string]any{"catalog_item_id": w.items["unconditional"], "proposed_share_type": "conditional",
		"legal_basis": "《个人信息保护法》第三十四条", "conditions": "按需", "reason": "含个人信息"}
	refusedOn(t, w.prov.do("POST", "/api/v1/classifications", cl), "conditions", article)
	if n := len(w.prov.do("GET", "/api/v1/classifications?catalog_item_id="+w.items["unconditional"], nil).must(t, 200).items()); n != 0 {
		t.Fatalf("the refused classification was recorded (%d)", n)
	}
	cl["conditions"] = "仅限跨部门大系统使用"
	w.prov.do("POST", "/api/v1/classifications", cl).must(t, 201)

	// `approvals catalog import` applies the same rule, importing nothing.
	if sys.postgres {
		bad := map[string]any{"id": uniq("IMP"), "jurisdiction": "xiamen", "provider_dept": w.provider, "title": "导入数据",
			"share_type": "conditional", "share_conditions": "履职需要", "legal_basis": "《社会保险法》", "open_type": "not_open", "data_items": []string{"name"}}
		raw, _ := json.Marshal([]any{bad})
		f := filepath.Join(t.TempDir(), "catalog.json")
		if err := os.WriteFile(f, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(sys.bin, "catalog", "import", f)
		cmd.Env = sys.env
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "items[0].share_conditions") || !strings.Contains(string(out), article) {
			t.Fatalf("import of conditional data naming no kind: err %v, output %s", err, out)
		}
		w.admin.do("GET", "/api/v1/catalog/items/"+bad["id"].(string), nil).must(t, 404)
	}

	// Wuhan lists no kinds: any stated condition will do.
	wu := newWorld(t, "wuhan")
	item["id"], item["jurisdiction"], item["provider_dept"], item["share_conditions"] = uniq("ITEM"), "wuhan", wu.provider, "履职需要"
	wu.admin.do("POST", "/api/v1/catalog/items", item).must(t, 201)
}
