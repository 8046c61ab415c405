package e2e

import (
	"strings"
	"testing"
	"time"
)

// Records say whether their open deadline is statutory or a service level,
// with its article, as tasks do: xiamen's share decision is statutory (5
// working days, 第十七条); its dispute levels (协调, 报市政府决定, 第十七条)
// and the classification's review are service levels.
func TestRecordsSayStatutoryOrServiceLevel(t *testing.T) {
	w := newWorld(t, "xiamen")
	id := w.file(t, "conditional").must(t, 201).str("id")
	var r reply
	eventually(t, 30*time.Second, "the share request's decision step is open", func() bool {
		r = w.req.do("GET", "/api/v1/share-requests/"+id, nil).must(t, 200)
		return r.Body["deadline"] != nil
	})
	if dl := r.Body["deadline"].(map[string]any); dl["statutory"] != true || !strings.Contains(dl["article"].(string), "第十七条") || dl["provisional"] != false {
		t.Fatalf("share request deadline: %s, want statutory citing 第十七条", r.Raw)
	}
	w.prov.do("POST", "/api/v1/tasks/"+taskFor(t, w.prov, id)["id"].(string)+"/decision",
		map[string]any{"decision": "reject", "reason": "涉及商业秘密"}).must(t, 200)
	did := w.req.do("POST", "/api/v1/share-requests/"+id+"/disputes", map[string]any{"reason": "履职必需"}).must(t, 201).str("id")
	var d reply
	eventually(t, 30*time.Second, "the dispute's first level is open", func() bool {
		d = w.req.do("GET", "/api/v1/disputes/"+did, nil).must(t, 200)
		return d.Body["deadline"] != nil
	})
	levels, _ := d.Body["levels"].([]any)
	if len(levels) != 2 {
		t.Fatalf("dispute levels: %s", d.Raw)
	}
	for _, lv := range levels {
		if s, ok := lv.(map[string]any)["statutory"]; !ok || s != false {
			t.Fatalf("dispute level %v: want statutory false (a service level)", lv)
		}
	}
	if dl := d.Body["deadline"].(map[string]any); dl["statutory"] != false || !strings.Contains(dl["article"].(string), "第十七条") {
		t.Fatalf("dispute deadline: %s, want a service level citing 第十七条", d.Raw)
	}

	c := w.prov.do("POST", "/api/v1/classifications", map[string]any{"catalog_item_id": w.items["unconditional"], "proposed_share_type": "conditional",
		"legal_basis": "《个人信息保护法》第三十四条", "conditions": "仅限特定应用场景使用", "reason": "含个人信息"}).must(t, 201)
	var cl reply
	eventually(t, 30*time.Second, "the classification's review is open", func() bool {
		cl = w.prov.do("GET", "/api/v1/classifications/"+c.str("id"), nil).must(t, 200)
		return cl.Body["deadline"] != nil
	})
	if dl := cl.Body["deadline"].(map[string]any); dl["statutory"] != false || dl["article"] == "" || cl.Body["provisional"] != false {
		t.Fatalf("classification deadline: %s, want a service level with its article", cl.Raw)
	}
}
