package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/api"
	"github.com/cityapprovals/approvals/holidays"
)

// party is who a caller is to the records a route names: the party that
// owns them, another party of the same city, or someone of another city.
type party int

const (
	own party = iota
	peer
	away
)

var parties = []party{own, peer, away}

func (p party) String() string { return [...]string{"own", "peer", "away"}[p] }

// statuses are the documented answers to a role, per party.
type statuses [3]int

func all(st int) statuses           { return statuses{st, st, st} }
func ownOnly(st, miss int) statuses { return statuses{st, miss, miss} }
func city(st, miss int) statuses    { return statuses{st, st, miss} }

// cell is one route's expected answers: per role, and def for the roles not listed.
type cell struct {
	def   int
	roles map[string]statuses
}

func (c cell) want(role string, p party) int {
	if st, ok := c.roles[role]; ok {
		return st[p]
	}
	return c.def
}

// everyone answers st to every caller.
func everyone(st int) cell { return cell{def: st} }

// only answers st to the listed roles (whatever the party) and 403 to the others.
func only(st int, roles ...string) cell {
	m := map[string]statuses{}
	for _, r := range roles {
		m[r] = all(st)
	}
	return cell{def: http.StatusForbidden, roles: m}
}

// scoped is a read of one record: auditors and admins see it, the listed
// city roles see their city's, the listed party roles their own (404
// otherwise, as unknown), other roles 403.
func scoped(cityRoles, partyRoles []string) cell {
	m := map[string]statuses{api.RoleAuditor: all(200), api.RoleAdmin: all(200)}
	for _, r := range cityRoles {
		m[r] = city(200, 404)
	}
	for _, r := range partyRoles {
		m[r] = ownOnly(200, 404)
	}
	return cell{def: http.StatusForbidden, roles: m}
}

// with returns c with a role's answers replaced.
func (c cell) with(role string, st statuses) cell {
	m := map[string]statuses{}
	for k, v := range c.roles {
		m[k] = v
	}
	m[role] = st
	return cell{def: c.def, roles: m}
}

// matrixRow is how a route is called (the path with IDs filled in, the body)
// and what each role and party gets.
type matrixRow struct {
	path string
	body any
	cell cell
}

// matrixWorld is the fixture: records of every kind owned by department A1
// (requester of a share request, provider of items) and applicant zhang, in
// wuhan; A3 is another wuhan department, B1 a changsha one.
type matrixWorld struct {
	w                      world
	a3, b1                 string
	zhang                  string
	sr, dp, ct, cc, cl, ta string
	oa, ev, ob, task       string
	gr                     string // the grant of an unconditional request by A1
	pu                     string // a purchase by A1 (issue 19)
	ccBody, openBody       map[string]any
}

func newMatrixWorld(t *testing.T) matrixWorld {
	t.Helper()
	w := newWorld(t, "wuhan")
	m := matrixWorld{w: w, a3: uniq("A3"), b1: uniq("B1"), zhang: uniq("zhang")}
	w.admin.do("POST", "/api/v1/departments", map[string]any{"code": m.a3, "name": "其他部门", "jurisdiction": "wuhan", "kind": "bureau"}).must(t, 201)
	w.admin.do("POST", "/api/v1/departments", map[string]any{"code": m.b1, "name": "长沙部门", "jurisdiction": "changsha", "kind": "bureau"}).must(t, 201)
	item := func(share, open string) string {
		id := uniq("MX")
		w.admin.do("POST", "/api/v1/catalog/items", map[string]any{"id": id, "jurisdiction": "wuhan", "provider_dept": w.requester,
			"title": "矩阵测试数据", "share_type": share, "share_conditions": "仅限特定应用场景使用（履职需要）", "legal_basis": "《数据安全法》第二十一条",
			"open_type": open, "data_items": []string{"name", "address"}}).must(t, 201)
		return id
	}
	x, x2, x3, x4 := item("unconditional", "conditional"), item("unconditional", "not_open"), item("unconditional", "not_open"), item("unconditional", "not_open")

	today := time.Now().In(holidays.Shanghai).Format(time.DateOnly)
	m.sr = w.file(t, "conditional").must(t, 201).str("id")
	m.gr = "grant-" + w.file(t, "unconditional").must(t, 201).str("id")
	decide(t, w.prov, taskFor(t, w.prov, m.sr), map[string]any{"decision": "reject", "reason": "涉及商业秘密"}, 200)
	m.dp = w.req.do("POST", "/api/v1/share-requests/"+m.sr+"/disputes", map[string]any{"reason": "履职必需"}).must(t, 201).str("id")
	m.ct = w.req.do("POST", "/api/v1/catalog/triggers", map[string]any{"dept": w.requester, "jurisdiction": "wuhan",
		"kind": "law_revision", "effective_date": today, "description": "修订"}).must(t, 201).str("id")
	change := func(id string) string {
		return w.req.do("POST", "/api/v1/catalog/changes", map[string]any{"jurisdiction": "wuhan", "reason": "调整",
			"operations": []any{map[string]any{"op": "modify", "item_id": id, "item": catalogItemBody(id, "改名", "unconditional")}}}).must(t, 201).str("id")
	}
	m.cc = change(x2)
	m.ccBody = map[string]any{"reason": "再次提交", "operations": []any{map[string]any{"op": "modify", "item_id": x2, "item": catalogItemBody(x2, "改名", "unconditional")}}}
	m.cl = w.req.do("POST", "/api/v1/classifications", map[string]any{"catalog_item_id": x3, "proposed_share_type": "not_shared",
		"legal_basis": "《个人信息保护法》第二十八条", "reason": "敏感"}).must(t, 201).str("id")
	m.ta = w.req.do("POST", "/api/v1/temporary-adjustments", map[string]any{"catalog_item_id": x4, "share_type": "not_shared",
		// Ending today: a running adjustment's DueAt is its end, and a far one
		// would be counted by the calendar tests' re-timing of December.
		"ground": "public_interest", "reason": "突发公共事件", "end_date": today}).must(t, 201).str("id")

	m.pu = w.req.do("POST", "/api/v1/purchases", map[string]any{"kind": "data", "title": "企业信用数据", "supplier": "某征信公司",
		"purpose": "信用监管", "data_items": []string{"企业信用评分"}}).must(t, 201).str("id")

	zhang := sys.as(t, m.zhang, api.RoleApplicant, "", "wuhan")
	m.openBody = map[string]any{"scenario": "便民查询", "data_scope": "全部", "delivery": "api",
		"period_of_use":   map[string]any{"from": today, "to": time.Now().In(holidays.Shanghai).AddDate(0, 6, 0).Format(time.DateOnly)},
		"safety_measures": "等保三级", "capabilities": "专职安全人员"}
	app := map[string]any{"jurisdiction": "wuhan", "catalog_item_id": x, "applicant": map[string]any{"name": "张三", "kind": "person"}}
	for k, v := range m.openBody {
		app[k] = v
	}
	m.oa = zhang.do("POST", "/api/v1/open-applications", app).must(t, 201).str("id")
	m.task = openTask(t, w.req, "open_application", m.oa)["id"].(string)
	m.ev = upload(t, zhang, "证明.txt", "text/plain", []byte("登记信息")).must(t, 201).str("id")
	m.ob = object(zhang, x, "error", []string{m.ev}).must(t, 201).str("id")
	return m
}

// caller is a token of a role for a party.
func (m matrixWorld) caller(t *testing.T, role string, p party) user {
	cityOf := [...]string{"wuhan", "wuhan", "changsha"}[p]
	switch role {
	case api.RoleDepartment:
		return sys.as(t, "dept-"+p.String(), role, [...]string{m.w.requester, m.a3, m.b1}[p], cityOf)
	case api.RoleApplicant:
		return sys.as(t, [...]string{m.zhang, m.zhang + "-peer", m.zhang + "-away"}[p], role, "", cityOf)
	}
	return sys.as(t, role+"-"+p.String(), role, "", cityOf)
}

// rows is the documented answer of every route (README's API table) to
// every role and party. Mutating routes get a body that an allowed caller
// is refused for on its content (422/400), so that the matrix changes
// nothing, except where noted.
func (m matrixWorld) rows() map[string]matrixRow {
	D, Au, I, G, Ap, Ad := api.RoleDepartment, api.RoleAuthority, api.RoleInfocenter, api.RoleGovernment, api.RoleApplicant, api.RoleAdmin
	empty := map[string]any{}
	return map[string]matrixRow{
		"GET /healthz": {"/healthz", nil, everyone(200)},
		"GET /readyz":  {"/readyz", nil, everyone(200)},
		// The web console: its files are public; the session is the caller's.
		"GET /":                                             {"/", nil, everyone(200)},
		"GET /console/:file":                                {"/console/app.js", nil, everyone(200)},
		"GET /console/pages/:file":                          {"/console/pages/inbox.js", nil, everyone(200)},
		"GET /console/i18n/:file":                           {"/console/i18n/zh-CN.json", nil, everyone(200)},
		"GET /api/v1/session":                               {"/api/v1/session", nil, everyone(200)},
		"POST /session/logout":                              {"/session/logout", nil, everyone(204)},
		"GET /api/openapi.yaml":                             {"/api/openapi.yaml", nil, everyone(200)},
		"GET /api/v1/calendar/deadline":                     {"/api/v1/calendar/deadline?from=2026-03-02T10:00:00%2B08:00&working_days=5", nil, everyone(200)},
		"GET /api/v1/calendar/days":                         {"/api/v1/calendar/days?from=2026-01-01&to=2026-01-31", nil, everyone(200)},
		"GET /api/v1/calendar/years":                        {"/api/v1/calendar/years", nil, everyone(200)},
		"GET /api/v1/regulations":                           {"/api/v1/regulations", nil, everyone(200)},
		"GET /api/v1/procedure-kinds":                       {"/api/v1/procedure-kinds", nil, everyone(200)},
		"GET /api/v1/open-applications/published-refusals":  {"/api/v1/open-applications/published-refusals?jurisdiction=wuhan", nil, everyone(200)},
		"GET /api/v1/open-applications/approved-applicants": {"/api/v1/open-applications/approved-applicants?jurisdiction=leshan", nil, everyone(200)},

		"POST /api/v1/departments":               {"/api/v1/departments", empty, only(422, Ad)},
		"GET /api/v1/departments":                {"/api/v1/departments", nil, everyone(200)},
		"POST /api/v1/catalog/items":             {"/api/v1/catalog/items", empty, only(422, Ad)},
		"POST /api/v1/catalog/import":            {"/api/v1/catalog/import", []any{}, only(422, Ad)},
		"GET /api/v1/catalog/items":              {"/api/v1/catalog/items", nil, everyone(200)},
		"GET /api/v1/catalog/items/:id":          {"/api/v1/catalog/items/" + m.w.items["conditional"], nil, everyone(200)},
		"GET /api/v1/catalog/items/:id/versions": {"/api/v1/catalog/items/" + m.w.items["conditional"] + "/versions", nil, everyone(200)},

		"POST /api/v1/catalog/triggers":    {"/api/v1/catalog/triggers", empty, only(422, D, Au)},
		"GET /api/v1/catalog/triggers":     {"/api/v1/catalog/triggers", nil, only(200, D, Au, api.RoleAuditor, Ad)},
		"GET /api/v1/catalog/triggers/:id": {"/api/v1/catalog/triggers/" + m.ct, nil, scoped([]string{Au}, []string{D})},
		"POST /api/v1/catalog/changes":     {"/api/v1/catalog/changes", empty, only(422, D)},
		"GET /api/v1/catalog/changes":      {"/api/v1/catalog/changes", nil, only(200, D, Au, api.RoleAuditor, Ad)},
		"GET /api/v1/catalog/changes/:id":  {"/api/v1/catalog/changes/" + m.cc, nil, scoped([]string{Au}, []string{D})},
		// A pending change cannot be resubmitted (422) by its department; others do not see it.
		"POST /api/v1/catalog/changes/:id/resubmit": {"/api/v1/catalog/changes/" + m.cc + "/resubmit", m.ccBody, only(0, D).with(D, ownOnly(422, 404))},
		// Only a returned change is withdrawn (422 for a pending one); others do not see it.
		"POST /api/v1/catalog/changes/:id/withdraw": {"/api/v1/catalog/changes/" + m.cc + "/withdraw", map[string]any{"reason": "撤回"}, only(0, D).with(D, ownOnly(422, 404))},

		"POST /api/v1/share-requests":    {"/api/v1/share-requests", empty, only(422, D)},
		"GET /api/v1/share-requests":     {"/api/v1/share-requests", nil, only(200, D, Au, api.RoleAuditor, Ad)},
		"GET /api/v1/share-requests/:id": {"/api/v1/share-requests/" + m.sr, nil, scoped([]string{Au}, []string{D})},

		"POST /api/v1/open-applications":               {"/api/v1/open-applications", empty, only(422, Ap)},
		"GET /api/v1/open-applications":                {"/api/v1/open-applications", nil, only(200, Ap, D, Au, I, api.RoleAuditor, Ad)},
		"GET /api/v1/open-applications/:id":            {"/api/v1/open-applications/" + m.oa, nil, scoped([]string{Au, I}, []string{D, Ap})},
		"POST /api/v1/open-applications/:id/resubmit":  {"/api/v1/open-applications/" + m.oa + "/resubmit", m.openBody, only(0, Ap).with(Ap, ownOnly(422, 404))},
		"POST /api/v1/open-applications/:id/agreement": {"/api/v1/open-applications/" + m.oa + "/agreement", map[string]any{"accept_clauses": []string{"x"}}, only(0, Ap).with(Ap, ownOnly(422, 404))},

		"POST /api/v1/evidence":      {"/api/v1/evidence", empty, only(400, Ap, D)},
		"GET /api/v1/evidence/:id":   {"/api/v1/evidence/" + m.ev, nil, scoped([]string{Au}, []string{D, Ap})},
		"POST /api/v1/objections":    {"/api/v1/objections", empty, only(422, Ap, D)},
		"GET /api/v1/objections":     {"/api/v1/objections", nil, only(200, Ap, D, Au, api.RoleAuditor, Ad)},
		"GET /api/v1/objections/:id": {"/api/v1/objections/" + m.ob, nil, scoped([]string{Au}, []string{D, Ap})},

		// The requester's retry answers its dispute (200); others do not see the request.
		"POST /api/v1/share-requests/:id/disputes": {"/api/v1/share-requests/" + m.sr + "/disputes", map[string]any{"reason": "履职必需"}, only(0, D).with(D, ownOnly(200, 404))},
		"POST /api/v1/catalog/items/:id/disputes":  {"/api/v1/catalog/items/" + m.w.items["not_shared"] + "/disputes", map[string]any{"reason": "履职必需"}, only(422, D)}, // wuhan: no such path (weifang 第二十条)
		// Data conflicts (leshan 第十一条): wuhan's text has none, so the fixture has none to read.
		"POST /api/v1/data-conflicts":    {"/api/v1/data-conflicts", empty, only(422, D, Au)},
		"GET /api/v1/data-conflicts":     {"/api/v1/data-conflicts", nil, only(200, D, Au, api.RoleAuditor, Ad)},
		"GET /api/v1/data-conflicts/:id": {"/api/v1/data-conflicts/dc-none", nil, only(404, D, Au, api.RoleAuditor, Ad)},
		// Yearly lists (changsha 第二十五条, leshan 第三十九条（六）): wuhan's text has none.
		"POST /api/v1/yearly-lists":    {"/api/v1/yearly-lists", empty, only(422, D)},
		"GET /api/v1/yearly-lists":     {"/api/v1/yearly-lists", nil, only(200, D, Au, api.RoleAuditor, Ad)},
		"GET /api/v1/yearly-lists/:id": {"/api/v1/yearly-lists/yl-none", nil, only(404, D, Au, api.RoleAuditor, Ad)},
		"GET /api/v1/disputes":         {"/api/v1/disputes", nil, only(200, D, Au, G, api.RoleAuditor, Ad)},
		"GET /api/v1/disputes/:id":     {"/api/v1/disputes/" + m.dp, nil, scoped([]string{Au, G}, []string{D})},

		"POST /api/v1/classifications":    {"/api/v1/classifications", empty, only(422, D)},
		"GET /api/v1/classifications":     {"/api/v1/classifications", nil, only(200, D, Au, G, api.RoleAuditor, Ad)},
		"GET /api/v1/classifications/:id": {"/api/v1/classifications/" + m.cl, nil, scoped([]string{Au, G}, []string{D})},

		"POST /api/v1/purchases":    {"/api/v1/purchases", empty, only(422, D)},
		"GET /api/v1/purchases":     {"/api/v1/purchases", nil, only(200, D, Au, api.RoleAuditor, Ad)},
		"GET /api/v1/purchases/:id": {"/api/v1/purchases/" + m.pu, nil, scoped([]string{Au}, []string{D})},

		// Only leshan's text provides authorised operation, and wuhan's no
		// authority approval: the filing is refused on its content, and no
		// record of the matrix's city can be read.
		"POST /api/v1/authority-approvals":    {"/api/v1/authority-approvals", map[string]any{"kind": "authorised_operation", "title": "t", "description": "d"}, only(422, D)},
		"GET /api/v1/authority-approvals":     {"/api/v1/authority-approvals", nil, only(200, D, Au, G, api.RoleAuditor, Ad)},
		"GET /api/v1/authority-approvals/:id": {"/api/v1/authority-approvals/aa-none", nil, only(404, D, Au, G, api.RoleAuditor, Ad)},

		// Issue 18: leshan's review before opening; the matrix's wuhan has none
		// (a department's filing is refused on its content), and no record to
		// read: the readers get 404, the others 403.
		"POST /api/v1/opening-reviews":    {"/api/v1/opening-reviews", empty, only(422, D)},
		"GET /api/v1/opening-reviews":     {"/api/v1/opening-reviews", nil, only(200, D, Au, api.RoleAuditor, Ad)},
		"GET /api/v1/opening-reviews/:id": {"/api/v1/opening-reviews/or-none", nil, only(404, D, Au, api.RoleAuditor, Ad)},
		// Weifang's conversions: wuhan's text has none (the authority's filing is
		// refused on its content).
		"POST /api/v1/open-conversions":    {"/api/v1/open-conversions", empty, only(422, Au)},
		"GET /api/v1/open-conversions":     {"/api/v1/open-conversions", nil, only(200, D, Au, api.RoleAuditor, Ad)},
		"GET /api/v1/open-conversions/:id": {"/api/v1/open-conversions/oc-none", nil, only(404, D, Au, api.RoleAuditor, Ad)},

		"POST /api/v1/temporary-adjustments":           {"/api/v1/temporary-adjustments", empty, only(422, D)},
		"GET /api/v1/temporary-adjustments":            {"/api/v1/temporary-adjustments", nil, only(200, D, Au, G, api.RoleAuditor, Ad)},
		"GET /api/v1/temporary-adjustments/:id":        {"/api/v1/temporary-adjustments/" + m.ta, nil, scoped([]string{Au, G}, []string{D})},
		"POST /api/v1/temporary-adjustments/:id/renew": {"/api/v1/temporary-adjustments/" + m.ta + "/renew", map[string]any{"end_date": "2000-01-01", "reason": "续期"}, only(0, D).with(D, ownOnly(422, 404))},

		"GET /api/v1/tasks": {"/api/v1/tasks", nil, everyone(200)},
		// Only the assignee's decision reaches the validator (422 for a decision that does not exist).
		// Claims and comments: the assignee department works on its task; auditors and admins read.
		"GET /api/v1/tasks/:id/activity":  {"/api/v1/tasks/" + m.task + "/activity", nil, cell{def: 403, roles: map[string]statuses{D: ownOnly(200, 403), api.RoleAuditor: all(200), Ad: all(200)}}},
		"POST /api/v1/tasks/:id/claim":    {"/api/v1/tasks/" + m.task + "/claim", nil, cell{def: 403, roles: map[string]statuses{D: ownOnly(200, 403)}}},
		"POST /api/v1/tasks/:id/comments": {"/api/v1/tasks/" + m.task + "/comments", empty, cell{def: 403, roles: map[string]statuses{D: ownOnly(422, 403)}}},
		"POST /api/v1/tasks/:id/handover": {"/api/v1/tasks/" + m.task + "/handover", map[string]any{"to": ""}, cell{def: 403, roles: map[string]statuses{D: ownOnly(422, 403)}}},
		"POST /api/v1/tasks/:id/release":  {"/api/v1/tasks/" + m.task + "/release", nil, cell{def: 403, roles: map[string]statuses{D: ownOnly(200, 403)}}},
		"POST /api/v1/tasks/:id/decision": {"/api/v1/tasks/" + m.task + "/decision", map[string]any{"decision": "nonsense"}, cell{def: 403, roles: map[string]statuses{D: ownOnly(422, 403)}}},

		"GET /api/v1/procedures/:id/history":  {"/api/v1/procedures/" + m.sr + "/history?format=json", nil, only(200, api.RoleAuditor, Ad)},
		"GET /api/v1/procedures":              {"/api/v1/procedures?jurisdiction=wuhan", nil, only(200, api.RoleAuditor, Ad)},
		"GET /api/v1/procedures/:id/timeline": {"/api/v1/procedures/" + m.sr + "/timeline", nil, scoped([]string{Au}, []string{D})},
		"GET /api/v1/procedures/:id/export":   {"/api/v1/procedures/" + m.sr + "/export", nil, only(200, api.RoleAuditor, Ad)},
		"POST /api/v1/audit/replay":           {"/api/v1/audit/replay", map[string]any{"procedure_id": m.sr}, only(200, api.RoleAuditor, Ad)},
		// A JSON body is no zip archive: 422 naming archive, for those who may verify.
		"POST /api/v1/audit/verify":        {"/api/v1/audit/verify", empty, only(422, api.RoleAuditor, Ad)},
		"GET /api/v1/procedures/:id/chain": {"/api/v1/procedures/" + m.sr + "/chain", nil, only(200, api.RoleAuditor, Ad)},
		"GET /api/v1/audit/signing-key":    {"/api/v1/audit/signing-key", nil, everyone(200)},

		// The Temporal UI's codec endpoint: auditors and admins (no payloads: nothing to do, 200).
		"POST /codec/decode":             {"/codec/decode", empty, only(200, api.RoleAuditor, Ad)},
		"POST /codec/encode":             {"/codec/encode", empty, only(200, api.RoleAuditor, Ad)},
		"OPTIONS /codec/decode":          {"/codec/decode", nil, everyone(204)},
		"OPTIONS /codec/encode":          {"/codec/encode", nil, everyone(204)},
		"GET /codec/session":             {"/codec/session", nil, everyone(200)},
		"POST /codec/session":            {"/codec/session", empty, only(200, api.RoleAuditor, Ad)},
		"GET /api/v1/reports/deadlines":  {"/api/v1/reports/deadlines?jurisdiction=wuhan", nil, only(200, api.RoleAuditor, Ad)},
		"GET /api/v1/reports/evaluation": {"/api/v1/reports/evaluation?jurisdiction=wuhan&year=2026", nil, only(200, api.RoleAuditor, Ad)},
		"GET /api/v1/open-list":          {"/api/v1/open-list?jurisdiction=wuhan", nil, everyone(200)},
		"GET /api/v1/open-plans":         {"/api/v1/open-plans?jurisdiction=xiamen&year=2026", nil, everyone(200)},
		// Use logs: the grantee logs (wuhan's text requires none: 422), the grantee, provider and auditor read.
		"POST /api/v1/grants/:id/uses":     {"/api/v1/grants/" + m.gr + "/uses", empty, only(0, D).with(D, ownOnly(422, 404))},
		"GET /api/v1/grants/:id/uses":      {"/api/v1/grants/" + m.gr + "/uses", nil, only(200, api.RoleAuditor).with(D, ownOnly(200, 404))},
		"GET /api/v1/uses":                 {"/api/v1/uses", nil, only(200, D, api.RoleAuditor)},
		"PUT /api/v1/calendar/years/:year": {"/api/v1/calendar/years/2099", empty, only(422, Ad)},
		"GET /api/v1/calendar/retimes/:id": {"/api/v1/calendar/retimes/no-such-retime", nil, only(404, Ad)},

		// Notifications: a department's channels (admin, or the department itself).
		"GET /api/v1/departments/:code/channels": {"/api/v1/departments/" + m.w.requester + "/channels", nil, only(200, Ad).with(D, ownOnly(200, 403))},
		"PUT /api/v1/departments/:code/channels": {"/api/v1/departments/" + m.w.requester + "/channels", map[string]any{"emails": []string{"not an address"}}, only(422, Ad).with(D, ownOnly(422, 403))},
		"GET /api/v1/notifications":              {"/api/v1/notifications", nil, only(200, Ad)},
		"POST /api/v1/notifications/:id/retry":   {"/api/v1/notifications/no-such-notification/retry", nil, only(404, Ad)},
		"GET /api/v1/messages":                   {"/api/v1/messages", nil, only(200, D, Au, I, G)},
		"POST /api/v1/messages/:id/read":         {"/api/v1/messages/no-such-message/read", nil, only(404, D, Au, I, G)},
	}
}

// The authorization matrix: every route the API serves × every
// role × (own party, another party of the same city, another city) gets its
// documented status, through the real authentication and scope code. A route
// without its row fails the test.
func TestAuthorizationMatrix(t *testing.T) {
	m := newMatrixWorld(t)
	rows := m.rows()
	var routes []string
	for _, r := range (&api.Server{}).Handler().Routes() {
		if r.Method == "echo_route_not_found" || strings.HasPrefix(r.Method, "echo_") {
			continue
		}
		routes = append(routes, r.Method+" "+r.Path)
	}
	slices.Sort(routes)
	routes = slices.Compact(routes)
	for _, route := range routes {
		if _, ok := rows[route]; !ok {
			t.Errorf("route %s has no row in the authorization matrix", route)
		}
	}
	var bad []string
	for _, route := range routes {
		row, ok := rows[route]
		if !ok {
			continue
		}
		method, _, _ := strings.Cut(route, " ")
		for _, role := range api.Roles {
			for _, p := range parties {
				want := row.cell.want(role, p)
				if want == 0 {
					want = http.StatusForbidden
				}
				r := m.caller(t, role, p).do(method, row.path, row.body)
				if r.Status != want {
					bad = append(bad, fmt.Sprintf("%s as %s (%s): %d, want %d: %.160s", route, role, p, r.Status, want, r.Raw))
				}
			}
		}
	}
	if len(bad) > 0 {
		t.Fatalf("%d cells differ from the documented matrix:\n%s", len(bad), strings.Join(bad, "\n"))
	}
	for route := range rows {
		if !slices.Contains(routes, route) {
			t.Errorf("the matrix has a row for %s, which the API does not serve", route)
		}
	}
}
