package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/cityapprovals/approvals/api"
)

var httpClient = &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

// caller calls the API with one identity's token.
type caller struct {
	token string
}

func (s *stack) caller(subject, role, dept, city string) (caller, error) {
	tok, err := api.Sign(s.secret, subject, role, dept, city, 12*time.Hour, time.Now())
	if err != nil {
		return caller{}, fmt.Errorf("token: %w", err)
	}
	return caller{token: tok}, nil
}

// do sends a request to base+path and decodes a JSON answer into out (when
// not nil); an answer other than 2xx is an error naming its status and body.
func (c caller) do(ctx context.Context, base, method, path string, body, out any, headers ...string) (int, error) {
	var rd io.Reader
	if body != nil {
		j, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, bytes.TrimSpace(b))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}

// world is one city's departments and a conditional catalog item, with the
// requester, the provider and an admin.
type world struct {
	city, item, provDept, reqDept string
	admin, req, prov              caller
}

var worlds atomic.Int64

// newWorld creates a requesting and a providing department of Wuhan (the
// provider decides alone; silence is deemed consent) and a conditional item.
func (s *stack) newWorld(ctx context.Context) (world, error) {
	n := worlds.Add(1)
	w := world{city: "wuhan", item: fmt.Sprintf("BENCH-%d-%d", time.Now().Unix()%100000, n)}
	reqDept, provDept := fmt.Sprintf("BREQ-%d", n), fmt.Sprintf("BPRV-%d", n)
	w.provDept, w.reqDept = provDept, reqDept
	var err error
	if w.admin, err = s.caller("bench-admin", api.RoleAdmin, "", ""); err != nil {
		return w, err
	}
	if w.req, err = s.caller("bench-req", api.RoleDepartment, reqDept, w.city); err != nil {
		return w, err
	}
	if w.prov, err = s.caller("bench-prv", api.RoleDepartment, provDept, w.city); err != nil {
		return w, err
	}
	for _, d := range []string{reqDept, provDept} {
		if _, err := w.admin.do(ctx, s.base(), "POST", "/api/v1/departments",
			map[string]any{"code": d, "name": "部门 " + d, "jurisdiction": w.city, "kind": "bureau"}, nil); err != nil {
			return w, err
		}
	}
	_, err = w.admin.do(ctx, s.base(), "POST", "/api/v1/catalog/items", map[string]any{
		"id": w.item, "jurisdiction": w.city, "provider_dept": provDept, "title": "基准测试数据",
		"share_type": "conditional", "share_conditions": "履职需要", "legal_basis": "《中华人民共和国个人信息保护法》第三十四条",
		"open_type": "not_open", "data_items": []string{"name", "address"},
	}, nil)
	return w, err
}

// filing is the answer to a filed share request.
type filing struct {
	ID         string `json:"id"`
	WorkflowID string `json:"workflow_id"`
	Status     string `json:"status"`
	Tasks      []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"tasks"`
}

// openTask is the ID of the filing's open task, or "".
func (f filing) openTask() string {
	for _, t := range f.Tasks {
		if t.Status == "open" {
			return t.ID
		}
	}
	return ""
}

// file files a share request with an Idempotency-Key through base.
func (w world) file(ctx context.Context, base, key string) (filing, error) {
	var f filing
	_, err := w.req.do(ctx, base, "POST", "/api/v1/share-requests", map[string]any{
		"catalog_item_id": w.item, "purpose": "基准测试", "scenario": "人才落户审批", "data_items": []string{"name"},
	}, &f, "Idempotency-Key", key)
	return f, err
}

// decide approves a task as the provider.
func (w world) decide(ctx context.Context, base, task string) error {
	_, err := w.prov.do(ctx, base, "POST", "/api/v1/tasks/"+task+"/decision",
		map[string]any{"decision": "approve", "conditions": "仅限人才落户审批"}, nil)
	return err
}
