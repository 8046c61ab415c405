package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/api"
)

// user is someone calling the API with a token.
type user struct {
	t     *testing.T
	token string
	base  string // the API's base URL; sys.base when empty
	// client sends the requests; httpClient when nil.
	client *http.Client
}

func (s *stack) as(t *testing.T, subject, role, dept, jurisdiction string) user {
	t.Helper()
	tok, err := api.Sign(s.secret, subject, role, dept, jurisdiction, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return user{t: t, token: tok}
}

// reply is an HTTP answer with its decoded JSON body.
type reply struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    []byte
}

var httpClient = &http.Client{Timeout: 90 * time.Second}

func (u user) do(method, path string, body any, headers ...string) reply {
	u.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte: // sent as it is, malformed or not
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			u.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	base := u.base
	if base == "" {
		base = sys.base
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		u.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if u.token != "" {
		req.Header.Set("Authorization", "Bearer "+u.token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	hc := httpClient
	if u.client != nil {
		hc = u.client
	}
	resp, err := hc.Do(req)
	if err != nil {
		u.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	r := reply{Status: resp.StatusCode, Header: resp.Header}
	r.Raw, _ = io.ReadAll(resp.Body)
	if err := checkSpec(req, resp.StatusCode, resp.Header, r.Raw); err != nil {
		u.t.Errorf("%s %s: %v", method, path, err)
	}
	if len(r.Raw) > 0 && r.Raw[0] == '{' {
		if err := json.Unmarshal(r.Raw, &r.Body); err != nil {
			u.t.Fatalf("%s %s: bad JSON %s: %v", method, path, r.Raw, err)
		}
	}
	return r
}

// must fails the test unless the status is the one wanted.
func (r reply) must(t *testing.T, status int) reply {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Raw)
	}
	if status >= 400 && r.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("error answered as %q, want application/problem+json", r.Header.Get("Content-Type"))
	}
	return r
}

func (r reply) str(key string) string {
	v, _ := r.Body[key].(string)
	return v
}

func (r reply) items() []map[string]any {
	raw, _ := r.Body["items"].([]any)
	out := make([]map[string]any, len(raw))
	for i, v := range raw {
		out[i] = v.(map[string]any)
	}
	return out
}

var seq atomic.Int64

// uniq makes codes unique across tests sharing one database.
func uniq(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano()%1e6, seq.Add(1))
}

// world is a city with two departments and catalog items, set up by an admin.
type world struct {
	city                string
	requester, provider string
	items               map[string]string // share type → item ID
	req, prov           user
	authority, admin    user
}

func newWorld(t *testing.T, city string) world {
	t.Helper()
	w := world{city: city, requester: uniq("REQ"), provider: uniq("PRV"), items: map[string]string{}}
	w.admin = sys.as(t, "admin1", api.RoleAdmin, "", "")
	for _, d := range []string{w.requester, w.provider} {
		w.admin.do("POST", "/api/v1/departments", map[string]any{"code": d, "name": "部门 " + d, "jurisdiction": city, "kind": "bureau"}).must(t, 201)
	}
	for _, st := range []string{"unconditional", "conditional", "not_shared"} {
		id := uniq("ITEM")
		w.admin.do("POST", "/api/v1/catalog/items", map[string]any{
			"id": id, "jurisdiction": city, "provider_dept": w.provider, "title": "人口基础信息 " + st,
			"share_type": st, "share_conditions": "仅限特定应用场景使用（履职需要）", "legal_basis": "《中华人民共和国个人信息保护法》第三十四条",
			"open_type": "not_open", "data_items": []string{"name", "id_number", "address"},
		}).must(t, 201)
		w.items[st] = id
	}
	w.req = sys.as(t, "alice", api.RoleDepartment, w.requester, city)
	w.prov = sys.as(t, "bob", api.RoleDepartment, w.provider, city)
	w.authority = sys.as(t, "carol", api.RoleAuthority, "", city)
	return w
}

func (w world) file(t *testing.T, shareType string, headers ...string) reply {
	t.Helper()
	return w.req.do("POST", "/api/v1/share-requests", map[string]any{
		"catalog_item_id": w.items[shareType], "purpose": "核验申请人户籍", "scenario": "人才落户审批",
		"data_items": []string{"name", "address"},
	}, headers...)
}

// taskFor finds the open task of a share request in a user's inbox.
func taskFor(t *testing.T, u user, procID string) map[string]any {
	t.Helper()
	return openTask(t, u, "share_request", procID)
}

// openTask finds the open task of a procedure in a user's inbox.
func openTask(t *testing.T, u user, procedure, procID string) map[string]any {
	t.Helper()
	for _, it := range u.do("GET", "/api/v1/tasks?status=open&page_size=500&procedure="+procedure, nil).must(t, 200).items() {
		if it["procedure_id"] == procID {
			return it
		}
	}
	t.Fatalf("no open task of %s in the inbox", procID)
	return nil
}
