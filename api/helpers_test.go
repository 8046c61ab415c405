package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"
)

// A public list refuses a query parameter it does not know: a 400 naming
// the first unknown one by name and listing the known ones, the same on
// every route that checks them (onlyParams).
func TestOnlyParams(t *testing.T) {
	w := newFilingWorld(t)
	for _, path := range []string{"/api/v1/open-list", "/api/v1/open-plans"} {
		rec, p := w.do(t, "GET", path+"?jurisdiction=wuhan&zeta=1&alpha=2", "", RoleApplicant, "", "wuhan")
		if rec.Code != http.StatusBadRequest || !slices.Equal(fieldNames(p), []string{"alpha"}) {
			t.Fatalf("%s: got %d %s, want a 400 naming alpha", path, rec.Code, rec.Body)
		}
		if rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: answered as %s", path, rec.Header().Get("Content-Type"))
		}
	}
	rec, p := w.do(t, "GET", "/api/v1/reports/deadlines?jurisdiction=wuhan&page=1", "", RoleAuditor, "", "")
	if rec.Code != http.StatusBadRequest || !slices.Equal(fieldNames(p), []string{"page"}) ||
		p["errors"].([]any)[0].(map[string]any)["message"] != "unknown parameter (use jurisdiction, procedure, from, to, group, format)" {
		t.Fatalf("reports: got %d %s", rec.Code, rec.Body)
	}
}

// A record the path names that does not exist, or that the caller may not
// see, is a 404 naming what was looked for (findScoped): a catalog item, a
// share request another department disputes, a grant, evidence, a
// procedure's timeline.
func TestFindScoped(t *testing.T) {
	w := newFilingWorld(t)
	if err := w.s.DB.Create(&models.ShareRequest{Header: models.Header{ID: "sr-theirs", Jurisdiction: "wuhan", Status: models.StatusRejected},
		RequesterDept: "gongan", ProviderDept: "xm-gongan", CatalogItemID: "wh-hukou"}).Error; err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ method, path, body, role, dept, city, detail string }{
		{"GET", "/api/v1/catalog/items/nope", "", RoleDepartment, "minzheng", "wuhan", "catalog item nope not found"},
		{"GET", "/api/v1/catalog/items/nope/versions", "", RoleDepartment, "minzheng", "wuhan", "catalog item nope not found"},
		{"POST", "/api/v1/catalog/items/nope/disputes", `{"reason":"理由"}`, RoleDepartment, "minzheng", "wuhan", "catalog item nope not found"},
		{"POST", "/api/v1/share-requests/sr-theirs/disputes", `{"reason":"理由"}`, RoleDepartment, "minzheng", "wuhan", "share request sr-theirs not found"},
		{"GET", "/api/v1/grants/g-nope/uses", "", RoleDepartment, "minzheng", "wuhan", "grant g-nope not found"},
		{"GET", "/api/v1/evidence/ev-nope", "", RoleDepartment, "minzheng", "wuhan", "evidence ev-nope not found"},
		{"GET", "/api/v1/procedures/sr-theirs/timeline", "", RoleDepartment, "minzheng", "wuhan", "procedure sr-theirs not found"},
	} {
		rec, p := w.do(t, tc.method, tc.path, tc.body, tc.role, tc.dept, tc.city)
		if rec.Code != http.StatusNotFound || p["detail"] != tc.detail {
			t.Errorf("%s %s: got %d %s, want a 404 %q", tc.method, tc.path, rec.Code, rec.Body, tc.detail)
		}
	}
	// a record that is there is found
	if rec, _ := w.do(t, "GET", "/api/v1/catalog/items/wh-hukou", "", RoleDepartment, "minzheng", "wuhan"); rec.Code != http.StatusOK {
		t.Errorf("own item: %d %s", rec.Code, rec.Body)
	}
}

// A department token naming a department that is not registered lacks the
// right to act for it: a 403 naming dept on every route that needs the
// caller's department (callerDept), where it was a 403 on some and a 422 on
// others.
func TestCallerDeptUnregistered(t *testing.T) {
	w := newFilingWorld(t)
	for _, tc := range []struct{ path, body string }{
		{"/api/v1/share-requests", shareBody},
		{"/api/v1/objections", `{"catalog_item_id":"wh-hukou","kind":"error","description":"错了"}`},
		{"/api/v1/data-conflicts", `{"catalog_item_id":"wh-hukou","other_item_id":"wh-other","description":"不一致"}`},
		{"/api/v1/yearly-lists", `{"kind":"share","year":2026,"entries":["wh-hukou"]}`},
		{"/api/v1/catalog/items/wh-hukou/disputes", `{"reason":"理由"}`},
		{"/api/v1/evidence", ``},
		{"/api/v1/catalog/triggers", `{"dept":"ghost","jurisdiction":"wuhan","kind":"law_revision","effective_date":"2026-12-01","description":"修订"}`},
	} {
		rec, p := w.do(t, "POST", tc.path, tc.body, RoleDepartment, "ghost", "wuhan")
		if rec.Code != http.StatusForbidden || !slices.Equal(fieldNames(p), []string{"dept"}) ||
			p["detail"] != `department "ghost" of the token is not registered` {
			t.Errorf("%s: got %d %s, want a 403 naming dept", tc.path, rec.Code, rec.Body)
		}
	}
	// a registered department passes the check (and is refused, if at all, for something else)
	if rec, p := w.do(t, "POST", "/api/v1/objections", `{"catalog_item_id":"nope","kind":"error","description":"错了"}`, RoleDepartment, "minzheng", "wuhan"); rec.Code != http.StatusUnprocessableEntity || !slices.Equal(fieldNames(p), []string{"catalog_item_id"}) {
		t.Errorf("registered: got %d %s", rec.Code, rec.Body)
	}
}

// A procedure that shows only its record and its steps (plainView) shows
// them as one object, byte for byte as a struct embedding both would.
func TestRecordViewJSON(t *testing.T) {
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	h := models.Header{ID: "aa-1", WorkflowID: "aa-1", Jurisdiction: "wuhan", Status: models.StatusPending, DueAt: &at, Provisional: true}
	st := steps{Tasks: []models.Task{{ID: "aa-1.review.authority", ProcedureID: "aa-1"}}, Events: []models.Event{}, Deadline: &stepDeadline{Provisional: true}}
	same := func(name string, got recordView[models.AuthorityApproval], want any) {
		t.Helper()
		g, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		w, _ := json.Marshal(want)
		if string(g) != string(w) {
			t.Errorf("%s:\n got %s\nwant %s", name, g, w)
		}
	}
	a := models.AuthorityApproval{Header: h, Kind: "k", Title: "标题", EntryConditions: []string{"a"}}
	same("with steps", recordView[models.AuthorityApproval]{rec: a, steps: st}, struct {
		models.AuthorityApproval
		steps
	}{a, st})
	same("no steps", recordView[models.AuthorityApproval]{rec: a}, struct {
		models.AuthorityApproval
		steps
	}{a, steps{}})
}

// plainView loads the steps of the record it shows and marks its header
// provisional as the open step's deadline is.
func TestPlainView(t *testing.T) {
	w := newFilingWorld(t)
	due := w.now.Add(48 * time.Hour)
	if err := w.s.DB.Create(&models.Task{ID: "aa-1.review.authority", ProcedureID: "aa-1", WorkflowID: "aa-1", Status: models.TaskOpen,
		DueAt: due, Provisional: true}).Error; err != nil {
		t.Fatal(err)
	}
	a := models.AuthorityApproval{Header: models.Header{ID: "aa-1", WorkflowID: "aa-1", Jurisdiction: "wuhan", Status: models.StatusPending}}
	c := w.s.Handler().NewContext(httptest.NewRequest("GET", "/", nil), httptest.NewRecorder())
	v, err := plainView(w.s, c, a)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Tasks) != 1 || v.Deadline == nil || !v.rec.Provisional || a.Provisional {
		t.Errorf("view: %+v", v)
	}
}

// A filing open to departments and to others is keyed by the department
// for any of its people, by the person otherwise, and never the one for the
// other (filerKey).
func TestFilerKey(t *testing.T) {
	a := filerKey(&Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "li"}, Role: RoleDepartment, Dept: "minzheng"})
	b := filerKey(&Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "wang"}, Role: RoleDepartment, Dept: "minzheng"})
	p := filerKey(&Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "minzheng"}, Role: RoleApplicant})
	q := filerKey(&Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "zhang"}, Role: RoleApplicant})
	if a != b || a == p || p == q {
		t.Errorf("keys: %q %q %q %q", a, b, p, q)
	}
}

// A decision finds its task as the inbox's other routes do (inboxTask): a
// task outside the caller's inbox is a 403, an unknown one a 404; and its
// Idempotency-Key is bounded and derived as a filing's is (keyedID).
func TestDecisionTaskAndKey(t *testing.T) {
	w := newFilingWorld(t)
	due := w.now.Add(48 * time.Hour)
	if err := w.s.DB.Create(&models.Task{ID: "sr-1.review.gongan", ProcedureID: "sr-1", WorkflowID: "sr-1", Status: models.TaskOpen,
		AssigneeRole: RoleDepartment, AssigneeDept: "gongan", Jurisdiction: "wuhan", DueAt: due}).Error; err != nil {
		t.Fatal(err)
	}
	body := `{"decision":"approve"}`
	for _, tc := range []struct {
		path, dept string
		status     int
		detail     string
	}{
		{"/api/v1/tasks/sr-1.review.gongan/decision", "minzheng", http.StatusForbidden, "task sr-1.review.gongan is not in your inbox"},
		{"/api/v1/tasks/nope/decision", "gongan", http.StatusNotFound, "task nope not found"},
		{"/api/v1/tasks/sr-1.review.gongan/activity", "minzheng", http.StatusForbidden, "task sr-1.review.gongan is not in your inbox"},
	} {
		method := "POST"
		if strings.HasSuffix(tc.path, "/activity") {
			method = "GET"
		}
		rec, p := w.do(t, method, tc.path, body, RoleDepartment, tc.dept, "wuhan")
		if rec.Code != tc.status || p["detail"] != tc.detail {
			t.Errorf("%s as %s: got %d %s", tc.path, tc.dept, rec.Code, rec.Body)
		}
	}
	long := strings.Repeat("k", 201)
	for _, tc := range []struct{ path, body, dept string }{
		{"/api/v1/tasks/sr-1.review.gongan/decision", body, "gongan"},
		{"/api/v1/share-requests", shareBody, "minzheng"},
	} {
		rec, p := w.do(t, "POST", tc.path, tc.body, RoleDepartment, tc.dept, "wuhan", "Idempotency-Key", long)
		if rec.Code != http.StatusBadRequest || p["detail"] != "Idempotency-Key is longer than 200 characters" {
			t.Errorf("%s with a long key: got %d %s", tc.path, rec.Code, rec.Body)
		}
	}
	c := func(key string) echo.Context {
		req := httptest.NewRequest("POST", "/", nil)
		req.Header.Set("Idempotency-Key", key)
		return w.s.Handler().NewContext(req, httptest.NewRecorder())
	}
	a, _ := keyedID(c("k1"), "decision-", "task-a")
	b, _ := keyedID(c("k1"), "decision-", "task-a")
	o, _ := keyedID(c("k1"), "decision-", "task-b")
	n, _ := keyedID(c(""), "decision-", "task-a")
	if a != b || a == o || !strings.HasPrefix(a, "decision-") || n != "" {
		t.Errorf("keyed IDs: %q %q %q %q", a, b, o, n)
	}
}

// A filing about catalog items names the field of an item that is not in
// the catalog (itemInput, itemNamed): catalog_item_id or other_item_id.
func TestItemNamed(t *testing.T) {
	w := newFilingWorld(t)
	for _, tc := range []struct{ path, body, field string }{
		{"/api/v1/data-conflicts", `{"catalog_item_id":"wh-hukou","other_item_id":"nope","description":"不一致"}`, "other_item_id"},
		{"/api/v1/data-conflicts", `{"catalog_item_id":"nope","other_item_id":"wh-hukou","description":"不一致"}`, "catalog_item_id"},
		{"/api/v1/objections", `{"catalog_item_id":"nope","kind":"error","description":"错了"}`, "catalog_item_id"},
	} {
		rec, p := w.do(t, "POST", tc.path, tc.body, RoleDepartment, "minzheng", "wuhan")
		if rec.Code != http.StatusUnprocessableEntity || !slices.Equal(fieldNames(p), []string{tc.field}) || p["detail"] != tc.field+`: no catalog item "nope"` {
			t.Errorf("%s: got %d %s, want a 422 naming %s", tc.path, rec.Code, rec.Body, tc.field)
		}
	}
}

// A grant's uses are read by its grantee, its provider and the auditor and
// logged by the grantee alone: the provider is a 403, a department of
// another city (or no party) a 404, as for an unknown grant (grantFor).
func TestGrantFor(t *testing.T) {
	w := newFilingWorld(t)
	if err := w.s.DB.Create(&models.ShareRequest{Header: models.Header{ID: "sr-g", WorkflowID: "sr-g", Jurisdiction: "wuhan", Status: models.StatusGranted},
		RequesterDept: "minzheng", ProviderDept: "gongan", CatalogItemID: "wh-hukou"}).Error; err != nil {
		t.Fatal(err)
	}
	if err := w.s.DB.Create(&models.Grant{ID: "g-1", ShareRequestID: "sr-g", CatalogItemID: "wh-hukou", Dept: "minzheng", GrantedAt: w.now}).Error; err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method, role, dept, city string
		status                   int
	}{
		{"GET", RoleDepartment, "minzheng", "wuhan", http.StatusOK},
		{"GET", RoleDepartment, "gongan", "wuhan", http.StatusOK},
		{"GET", RoleAuditor, "", "", http.StatusOK},
		{"GET", RoleDepartment, "xm-gongan", "xiamen", http.StatusNotFound},
		{"GET", RoleDepartment, "minzheng", "xiamen", http.StatusNotFound},
		{"POST", RoleDepartment, "gongan", "wuhan", http.StatusForbidden},
		{"POST", RoleDepartment, "xm-gongan", "xiamen", http.StatusNotFound},
		{"POST", RoleAuditor, "", "", http.StatusForbidden},
		{"POST", RoleDepartment, "minzheng", "wuhan", http.StatusUnprocessableEntity}, // past the grant: the empty body
	} {
		rec, _ := w.do(t, tc.method, "/api/v1/grants/g-1/uses", "{}", tc.role, tc.dept, tc.city)
		if rec.Code != tc.status {
			t.Errorf("%s as %s %s of %s: got %d %s, want %d", tc.method, tc.role, tc.dept, tc.city, rec.Code, rec.Body, tc.status)
		}
	}
}

// The procedures the console knows are the server's descriptors, each
// once, in workflows.Procedures' order, with the route its GETs are served
// at (listProcedureKinds).
func TestProcedureKinds(t *testing.T) {
	w := newFilingWorld(t)
	req := httptest.NewRequest("GET", "/api/v1/procedure-kinds", nil) // no token: public
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	var out struct{ Items []procedureKind }
	if err := json.Unmarshal(rec.Body.Bytes(), &out); rec.Code != http.StatusOK || err != nil {
		t.Fatalf("got %d %s (%v)", rec.Code, rec.Body, err)
	}
	if len(out.Items) != len(workflows.Procedures) {
		t.Fatalf("%d kinds for %d procedures", len(out.Items), len(workflows.Procedures))
	}
	served := map[string]bool{}
	for _, r := range w.h.(*echo.Echo).Routes() {
		served[r.Method+" "+r.Path] = true
	}
	for i, k := range out.Items {
		d := workflows.Procedures[i]
		if k.Name != d.Name || k.Title != d.Title || k.Plural != d.Plural || !slices.Equal(k.File, d.File) || len(k.File) == 0 {
			t.Errorf("kind %d: %+v, want %s", i, k, d.Name)
		}
		if !served["GET "+k.Route] || !served["GET "+k.Route+"/:id"] {
			t.Errorf("%s: %s is not served", k.Name, k.Route)
		}
	}
}

// The public lists read their city the same way (cityParam): missing or
// unknown, a 400 naming jurisdiction.
func TestCityParam(t *testing.T) {
	w := newFilingWorld(t)
	for _, path := range []string{"/api/v1/open-applications/approved-applicants", "/api/v1/open-list", "/api/v1/open-plans"} {
		for _, q := range []string{"", "?jurisdiction=atlantis"} {
			rec, p := w.do(t, "GET", path+q, "", RoleApplicant, "", "")
			if rec.Code != http.StatusBadRequest || !slices.Equal(fieldNames(p), []string{"jurisdiction"}) {
				t.Errorf("%s%s: got %d %s", path, q, rec.Code, rec.Body)
			}
		}
	}
}
