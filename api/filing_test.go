package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/mocks"
)

// filingWorld is a Server on a fresh SQLite database with the SDK's client
// mock: a department "minzheng" asks for data of "gongan" in wuhan, and a
// department of xiamen and an applicant look on.
type filingWorld struct {
	s        *Server
	temporal *mocks.Client
	h        http.Handler
	now      time.Time
}

func newFilingWorld(t *testing.T) *filingWorld {
	t.Helper()
	db, err := models.Open("", filepath.Join(t.TempDir(), "api.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := models.Migrate(db, workflows.RecordModels()...); err != nil {
		t.Fatal(err)
	}
	for _, d := range []models.Department{{Code: "minzheng", Jurisdiction: "wuhan"}, {Code: "gongan", Jurisdiction: "wuhan"}, {Code: "xm-gongan", Jurisdiction: "xiamen"}} {
		d.Name = d.Code
		if err := db.Create(&d).Error; err != nil {
			t.Fatal(err)
		}
	}
	item := models.CatalogItem{ID: "wh-hukou", Jurisdiction: "wuhan", ProviderDept: "gongan", Title: "户籍", ShareType: models.ShareConditional,
		ShareConditions: "履职需要", OpenType: models.OpenNotOpen, DataItems: []string{"name", "id"}, Version: 1}
	if err := db.Create(&item).Error; err != nil {
		t.Fatal(err)
	}
	s := testServer(t)
	s.DB = db
	tc := mocks.NewClient(t) // fails the test on any call not expected
	s.Temporal = tc
	w := &filingWorld{s: s, temporal: tc, now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	s.Now = func() time.Time { return w.now }
	w.h = s.Handler()
	return w
}

// do sends a request as role/dept/jurisdiction and decodes the answer.
func (w *filingWorld) do(t *testing.T, method, path, body, role, dept, city string, header ...string) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	tok, err := Sign(w.s.Secret, "zhang", role, dept, city, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec, out
}

// expectFiling makes the mock's Update-with-start record the share request
// as the workflow would, and counts the starts.
func (w *filingWorld) expectFiling(t *testing.T, starts *int) {
	t.Helper()
	w.temporal.On("NewWithStartWorkflowOperation", mock.Anything, mock.Anything, mock.Anything).
		Return(nil).Run(func(args mock.Arguments) {
		opts := args.Get(0).(client.StartWorkflowOptions)
		in := args.Get(2).(workflows.ShareInput)
		if opts.ID != in.Request.ID || !strings.HasPrefix(opts.ID, workflows.ShareProcedure.Prefix) {
			t.Errorf("started %s for request %s", opts.ID, in.Request.ID)
		}
		r := in.Request
		r.Status = models.StatusPending
		if err := w.s.DB.Create(&r).Error; err != nil {
			t.Error(err)
		}
		*starts++
	}).Maybe()
	h := mocks.NewWorkflowUpdateHandle(t)
	h.On("Get", mock.Anything, mock.Anything).Return(nil).Maybe()
	w.temporal.On("UpdateWithStartWorkflow", mock.Anything, mock.Anything).Return(h, nil).Maybe()
}

const shareBody = `{"catalog_item_id":"wh-hukou","purpose":"低保核对","scenario":"核对户籍","data_items":["name"]}`

// fieldNames are the fields a problem names.
func fieldNames(p map[string]any) []string {
	var out []string
	errs, _ := p["errors"].([]any)
	for _, e := range errs {
		out = append(out, e.(map[string]any)["field"].(string))
	}
	return out
}

// A filing refused by its form or by its rule is a 422 naming each field,
// and nothing is started or claimed.
func TestFilingValidation(t *testing.T) {
	w := newFilingWorld(t)
	for _, tc := range []struct {
		name, body string
		fields     []string
	}{
		{"form", `{"catalog_item_id":"wh-hukou"}`, []string{"purpose", "scenario", "data_items"}},
		{"unknown data item", `{"catalog_item_id":"wh-hukou","purpose":"p","scenario":"s","data_items":["salary"]}`, []string{"data_items"}},
		{"no such item", `{"catalog_item_id":"wh-none","purpose":"p","scenario":"s","data_items":["name"]}`, []string{"catalog_item_id"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, p := w.do(t, "POST", "/api/v1/share-requests", tc.body, RoleDepartment, "minzheng", "wuhan", "Idempotency-Key", "k-"+tc.name)
			if rec.Code != http.StatusUnprocessableEntity || rec.Header().Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%d %s: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
			}
			if got := strings.Join(fieldNames(p), ","); got != strings.Join(tc.fields, ",") {
				t.Fatalf("names %s, want %s", got, strings.Join(tc.fields, ","))
			}
		})
	}
	// The provider asking for its own data: the rule in workflows.ShareProcedure.
	rec, p := w.do(t, "POST", "/api/v1/share-requests", shareBody, RoleDepartment, "gongan", "wuhan")
	if rec.Code != http.StatusUnprocessableEntity || fieldNames(p)[0] != "catalog_item_id" {
		t.Fatalf("own data: %d %s", rec.Code, rec.Body)
	}
	var n int64
	w.s.DB.Model(&models.IdempotencyKey{}).Count(&n)
	if n != 0 {
		t.Fatalf("%d keys claimed by refused filings", n)
	}
	// Only the roles of the descriptor's File may file.
	if rec, _ := w.do(t, "POST", "/api/v1/share-requests", shareBody, RoleApplicant, "", "wuhan"); rec.Code != http.StatusForbidden {
		t.Fatalf("an applicant files a share request: %d %s", rec.Code, rec.Body)
	}
}

// A keyed filing is started once: its retry answers 200 with
// Idempotent-Replayed and Location and starts nothing; the key with another
// body is a 422 naming the Idempotency-Key.
func TestFilingIdempotency(t *testing.T) {
	w := newFilingWorld(t)
	starts := 0
	w.expectFiling(t, &starts)
	first, body := w.do(t, "POST", "/api/v1/share-requests", shareBody, RoleDepartment, "minzheng", "wuhan", "Idempotency-Key", "k1")
	if first.Code != http.StatusCreated {
		t.Fatalf("first: %d %s", first.Code, first.Body)
	}
	id, _ := body["id"].(string)
	if loc := first.Header().Get("Location"); loc != "/api/v1/share-requests/"+id || first.Header().Get("Idempotent-Replayed") != "" {
		t.Fatalf("first: Location %q, Idempotent-Replayed %q", loc, first.Header().Get("Idempotent-Replayed"))
	}
	again, body := w.do(t, "POST", "/api/v1/share-requests", shareBody, RoleDepartment, "minzheng", "wuhan", "Idempotency-Key", "k1")
	if again.Code != http.StatusOK || again.Header().Get("Idempotent-Replayed") != "true" ||
		again.Header().Get("Location") != "/api/v1/share-requests/"+id || body["id"] != id {
		t.Fatalf("retry: %d %v %s", again.Code, again.Header(), again.Body)
	}
	other := strings.Replace(shareBody, "低保核对", "另一用途", 1)
	rec, p := w.do(t, "POST", "/api/v1/share-requests", other, RoleDepartment, "minzheng", "wuhan", "Idempotency-Key", "k1")
	if rec.Code != http.StatusUnprocessableEntity || strings.Join(fieldNames(p), ",") != "Idempotency-Key" {
		t.Fatalf("another body: %d %s", rec.Code, rec.Body)
	}
	if starts != 1 {
		t.Fatalf("%d starts, want 1", starts)
	}
	// Without a key every POST is a new procedure.
	if rec, _ := w.do(t, "POST", "/api/v1/share-requests", shareBody, RoleDepartment, "minzheng", "wuhan"); rec.Code != http.StatusCreated || starts != 2 {
		t.Fatalf("unkeyed: %d, %d starts", rec.Code, starts)
	}
}

// A procedure's record is read and listed by the descriptor's Read: one a
// caller may not see is a 404, a role not listed is a 403.
func TestFilingScope(t *testing.T) {
	w := newFilingWorld(t)
	r := models.ShareRequest{CatalogItemID: "wh-hukou", RequesterDept: "minzheng", ProviderDept: "gongan", Purpose: "p", Scenario: "s",
		DataItems: []string{"name"}, FiledAt: w.now}
	r.ID, r.WorkflowID, r.Jurisdiction, r.Status = "sr-1", "sr-1", "wuhan", models.StatusPending
	if err := w.s.DB.Create(&r).Error; err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		role, dept, city string
		get, list        int // status of the GET, and items listed
	}{
		{RoleDepartment, "minzheng", "wuhan", 200, 1},
		{RoleDepartment, "gongan", "wuhan", 200, 1},
		{RoleDepartment, "xm-gongan", "xiamen", 404, 0},
		{RoleAuthority, "", "wuhan", 200, 1},
		{RoleAuthority, "", "xiamen", 404, 0},
		{RoleAuditor, "", "", 200, 1},
		{RoleApplicant, "", "wuhan", 403, -1},
	} {
		rec, _ := w.do(t, "GET", "/api/v1/share-requests/sr-1", "", tc.role, tc.dept, tc.city)
		if rec.Code != tc.get {
			t.Errorf("%s %s%s reads: %d, want %d: %s", tc.role, tc.dept, tc.city, rec.Code, tc.get, rec.Body)
		}
		rec, page := w.do(t, "GET", "/api/v1/share-requests?status=pending", "", tc.role, tc.dept, tc.city)
		if tc.list < 0 {
			if rec.Code != http.StatusForbidden {
				t.Errorf("%s lists: %d, want 403", tc.role, rec.Code)
			}
			continue
		}
		if items, _ := page["items"].([]any); rec.Code != 200 || len(items) != tc.list {
			t.Errorf("%s %s%s lists %d: %s", tc.role, tc.dept, tc.city, rec.Code, rec.Body)
		}
	}
	// A flag filter takes true or false only.
	if rec, _ := w.do(t, "GET", "/api/v1/share-requests?overdue=maybe", "", RoleAuditor, "", ""); rec.Code != http.StatusBadRequest {
		t.Fatalf("overdue=maybe: %d", rec.Code)
	}
}

// Every procedure of workflows.Procedures is fully wired: its routes are
// declared (serveProcedure, beside its view) for its own descriptor, and
// nothing else is; its record is a model with the header, created by
// Migrate; its workflow is registered.
func TestEveryProcedureServed(t *testing.T) {
	s := newFilingWorld(t).s
	declared := map[string]bool{}
	for name := range routes {
		declared[name] = true
	}
	for _, d := range workflows.Procedures {
		if !declared[d.Name] {
			t.Errorf("procedure %s has no routes: declare them with serveProcedure in its api/ file", d.Name)
			continue
		}
		delete(declared, d.Name)
		if p := routes[d.Name](s); p.d != d || p.file == nil || p.get == nil || p.list == nil {
			t.Errorf("procedure %s: its routes are not its own descriptor's or lack a handler", d.Name)
		}
		rec := d.Record()
		if f, ok := reflect.TypeOf(rec).Elem().FieldByName("Header"); !ok || !f.Anonymous || f.Type != reflect.TypeOf(models.Header{}) {
			t.Errorf("procedure %s: its record %T does not embed models.Header", d.Name, rec)
		}
		if !s.DB.Migrator().HasTable(rec) {
			t.Errorf("procedure %s: its record %T has no table after Migrate", d.Name, rec)
		}
		if d.Workflow == nil {
			t.Errorf("procedure %s has no workflow", d.Name)
		}
	}
	for name := range declared {
		t.Errorf("routes are declared for %s, which is not in workflows.Procedures", name)
	}
	if got := len(s.procedures()); got != len(workflows.Procedures) {
		t.Errorf("served %d procedures, want %d", got, len(workflows.Procedures))
	}
}

// Every descriptor's routes refuse through the generic path: a role not
// among File may not file (403, nothing started), a role not among Read may
// not list (403), an unknown or unseen ID is a 404, a bad page size a 400.
func TestGenericPathRefusals(t *testing.T) {
	w := newFilingWorld(t) // the client mock fails the test on any call
	for _, d := range workflows.Procedures {
		t.Run(d.Name, func(t *testing.T) {
			notIn := func(allowed []string) string {
				for _, r := range Roles {
					if !slices.Contains(allowed, r) {
						return r
					}
				}
				return ""
			}
			cityOf := map[string]string{RoleDepartment: "wuhan", RoleApplicant: "wuhan", RoleAuthority: "wuhan", RoleGovernment: "wuhan", RoleInfocenter: "wuhan"}
			deptOf := map[string]string{RoleDepartment: "minzheng"}
			if r := notIn(d.File); r != "" {
				path := "/api/v1" + strings.Replace(d.FilePath(), ":id", "sr-1", 1)
				if rec, _ := w.do(t, "POST", path, `{}`, r, deptOf[r], cityOf[r]); rec.Code != http.StatusForbidden {
					t.Errorf("%s files at %s: %d %s", r, path, rec.Code, rec.Body)
				}
			}
			readers := []string{}
			for r := range d.Read {
				readers = append(readers, r)
			}
			if r := notIn(readers); r != "" {
				if rec, _ := w.do(t, "GET", "/api/v1"+d.Route, "", r, deptOf[r], cityOf[r]); rec.Code != http.StatusForbidden {
					t.Errorf("%s lists %s: %d %s", r, d.Route, rec.Code, rec.Body)
				}
			}
			if rec, _ := w.do(t, "GET", "/api/v1"+d.Route+"/"+d.Prefix+"none", "", RoleAuditor, "", ""); rec.Code != http.StatusNotFound {
				t.Errorf("GET of an unknown %s: %d %s", d.Title, rec.Code, rec.Body)
			}
			if rec, _ := w.do(t, "GET", "/api/v1"+d.Route+"?page_size=0", "", RoleAuditor, "", ""); rec.Code != http.StatusBadRequest {
				t.Errorf("page_size=0: %d %s", rec.Code, rec.Body)
			}
			if rec, page := w.do(t, "GET", "/api/v1"+d.Route, "", RoleAuditor, "", ""); rec.Code != http.StatusOK || page["items"] == nil {
				t.Errorf("auditor lists %s: %d %s", d.Route, rec.Code, rec.Body)
			}
			// Every record's header says whether it is overdue, and every
			// list filters by it (a filter it ignored would list them all).
			if rec, _ := w.do(t, "GET", "/api/v1"+d.Route+"?overdue=true", "", RoleAuditor, "", ""); rec.Code != http.StatusOK {
				t.Errorf("overdue=true on %s: %d %s", d.Route, rec.Code, rec.Body)
			}
			if rec, _ := w.do(t, "GET", "/api/v1"+d.Route+"?overdue=maybe", "", RoleAuditor, "", ""); rec.Code != http.StatusBadRequest {
				t.Errorf("overdue=maybe on %s is not read as the overdue filter: %d %s", d.Route, rec.Code, rec.Body)
			}
			// A parameter the list does not know is refused, not ignored.
			if rec, _ := w.do(t, "GET", "/api/v1"+d.Route+"?statuss=pending", "", RoleAuditor, "", ""); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "statuss") {
				t.Errorf("an unknown parameter on %s: %d %s", d.Route, rec.Code, rec.Body)
			}
		})
	}
}
