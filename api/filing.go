package api

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/procedure"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"
)

// filing is one POST that files a procedure, as the generic path (file)
// runs it: what the procedure's handler loaded (its record is shown by the
// procedure's view, viewRecord).
type filing struct {
	d  *procedure.Descriptor
	in any // the decoded body, fingerprinted with the Idempotency-Key
	// key is whose Idempotency-Key it is (the procedure ID is derived from
	// it and the key); id, when set, is the procedure's one possible ID
	// instead (one dispute per share request), claimed with who.
	key, id string
	who     any
	// same compares a record filed before fingerprints with the body.
	same func(prior any) bool
	// differ answers a retry with another body (reusedKey when nil).
	differ func() error
	// start checks the filing by its descriptor's rule and builds what it
	// starts, once no earlier filing answers the POST.
	start func(id string) (procedure.Start, error)
}

// fileWith checks facts against a procedure's rule in the profile of its
// city in force at the given time (a refusal is a 422 naming every field at
// fault) and builds what the filing starts.
func fileWith[In, F any](s *Server, p procedure.Filing[In, F], facts F, city string, at time.Time, id string) (procedure.Start, error) {
	profile, err := s.inForce(city, at)
	if err != nil {
		return procedure.Start{}, err
	}
	if errs := p.Check(facts, profile); len(errs) > 0 {
		return procedure.Start{}, invalid(fields(errs)...)
	}
	return p.Start(id, facts, profile.ForProcedures()), nil
}

// inForce is a city's profile in force at a time; an unknown city or a
// regulation not in force is a 422 naming the jurisdiction (and the
// document and its dates).
func (s *Server) inForce(city string, at time.Time) (regulations.Profile, error) {
	p, err := s.Regulations.InForce(city, at, holidays.Shanghai)
	if err != nil {
		return p, invalid(FieldError{"jurisdiction", err.Error()})
	}
	return p, nil
}

// fileInput admits a caller who may file the procedure and decodes and
// checks the form of its body.
func fileInput[In, F any](c echo.Context, p procedure.Filing[In, F]) (*Claims, In, error) {
	var in In
	cl, err := allow(c, p.File...)
	if err != nil {
		return nil, in, err
	}
	if err := bind(c, &in); err != nil {
		return nil, in, err
	}
	if errs := p.Form(in); len(errs) > 0 {
		return nil, in, invalid(fields(errs)...)
	}
	return cl, in, nil
}

// deptInput is fileInput for a filing a department makes as itself, with
// the caller's registered department (callerDept: a token's department not
// registered is a 403).
func deptInput[In, F any](s *Server, c echo.Context, p procedure.Filing[In, F]) (*Claims, In, models.Department, error) {
	cl, in, err := fileInput(c, p)
	if err != nil {
		return nil, in, models.Department{}, err
	}
	dept, err := s.callerDept(c, cl)
	return cl, in, dept, err
}

// registeredInput is fileInput for a filing open to departments and to
// others, refusing a department whose department is not registered
// (registeredCaller).
func registeredInput[In, F any](s *Server, c echo.Context, p procedure.Filing[In, F]) (*Claims, In, error) {
	cl, in, err := fileInput(c, p)
	if err == nil {
		err = s.registeredCaller(c, cl)
	}
	return cl, in, err
}

// itemInput is registeredInput for a filing about the catalog item its
// body names in catalog_item_id (item reads it): an unknown item is a 422
// naming catalog_item_id.
func itemInput[In, F any](s *Server, c echo.Context, p procedure.Filing[In, F], item func(In) string) (*Claims, In, models.CatalogItem, error) {
	cl, in, err := registeredInput(s, c, p)
	if err != nil {
		return nil, in, models.CatalogItem{}, err
	}
	it, err := catalogItem(s.DB.WithContext(c.Request().Context()), item(in))
	return cl, in, it, err
}

// filerKey is whose Idempotency-Key a filing open to departments and to
// others is: a department's (any of its people) or else the caller's own,
// with the role.
func filerKey(cl *Claims) string {
	if cl.Role == RoleDepartment {
		return cl.Role + ":" + cl.Dept
	}
	return cl.Role + ":" + cl.Subject
}

// filed is the body of a filing, its caller and now.
func filed[In any](s *Server, cl *Claims, in In) procedure.Filed[In] {
	return procedure.Filed[In]{In: in, Caller: caller(cl), Now: s.now()}
}

// caller is the claims as procedures see them.
func caller(cl *Claims) procedure.Caller {
	return procedure.Caller{Role: cl.Role, Subject: cl.Subject, Dept: cl.Dept, Jurisdiction: cl.Jurisdiction}
}

// file is the one path of every filing POST: the procedure ID (from the
// Idempotency-Key), the answer to a retry (200 with Idempotent-Replayed and
// Location, the record as it is now; a different body refused), the
// procedure's rule, the claim of the ID, the workflow's start and the
// answer (201 with Location).
func (s *Server) file(c echo.Context, f filing) error {
	db := s.DB.WithContext(c.Request().Context())
	id, keyed := f.id, f.id != ""
	if !keyed {
		var err error
		if id, keyed, err = procedureID(c, f.d.Prefix, f.key); err != nil {
			return err
		}
	}
	if keyed {
		rec := f.d.Record()
		switch err := db.First(rec, "id = ?", id).Error; {
		case err == nil:
			claim, err := s.claimFiling(c, f, id, true)
			if err != nil {
				return err
			}
			if claim == models.ClaimLegacy && !f.same(rec) {
				return f.refuseDifferent()
			}
			return s.replayed(c, f, rec, id)
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return fmt.Errorf("look up idempotency key: %w", err)
		}
	}
	st, err := f.start(id)
	if err != nil {
		return err
	}
	claim := models.ClaimNew
	if keyed {
		if claim, err = s.claimFiling(c, f, id, false); err != nil {
			return err
		}
	}
	attrs := procedureAttrs(st.Jurisdiction, f.d.Name, st.Owner)
	if st.Requester != "" {
		attrs = procedureAttrs(st.Jurisdiction, f.d.Name, st.Owner, workflows.AttrRequesterDept.ValueSet(st.Requester))
	}
	finished, err := s.startFiled(c.Request().Context(), id, attrs, f.d.Workflow, st.Input)
	if err != nil {
		return err
	}
	rec := f.d.Record()
	if err := db.First(rec, "id = ?", id).Error; err != nil {
		return fmt.Errorf("load filed %s %s: %w", f.d.Title, id, err)
	}
	if finished || claim == models.ClaimSame { // the same filing, made before or concurrently
		return s.replayed(c, f, rec, id)
	}
	s.log(c).Info().Str("workflow_id", id).Str("procedure", f.d.Name).Str("owner", st.Owner).Msg(f.d.Title + " filed")
	return s.answer(c, f, rec, id, http.StatusCreated)
}

// claimFiling claims the procedure ID for the POST's fingerprint
// (claimFor); an ID claimed for another body is refused.
func (s *Server) claimFiling(c echo.Context, f filing, id string, exists bool) (string, error) {
	return s.claimFor(c, id, f.who, f.in, exists, f.refuseDifferent)
}

// refuseDifferent answers a retry with another body.
func (f filing) refuseDifferent() error {
	if f.differ != nil {
		return f.differ()
	}
	return reusedKey(f.d.Noun)
}

// replayed answers a retried POST with the procedure it filed, as it is now.
func (s *Server) replayed(c echo.Context, f filing, rec any, id string) error {
	c.Response().Header().Set("Idempotent-Replayed", "true")
	return s.answer(c, f, rec, id, http.StatusOK)
}

func (s *Server) answer(c echo.Context, f filing, rec any, id string, status int) error {
	v, err := s.viewRecord(c, f.d, rec)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1"+f.d.Route+"/"+id)
	return c.JSON(status, v)
}

// scoped limits a query on a procedure's records to those the caller may
// see, by the descriptor's Read: a role it does not list may read none.
func (s *Server) scoped(c echo.Context, d *procedure.Descriptor) (*gorm.DB, error) {
	cl := claims(c)
	where, ok := d.Read[cl.Role]
	if !ok {
		return nil, problem(http.StatusForbidden, "role "+cl.Role+" may not read "+d.Plural)
	}
	q := s.DB.WithContext(c.Request().Context())
	if where != "" {
		q = q.Where(where, map[string]any{"role": cl.Role, "subject": cl.Subject, "dept": cl.Dept, "jurisdiction": cl.Jurisdiction})
	}
	return q, nil
}

// load loads a procedure's record the caller may see (R is its model),
// from the route's :id: one the caller may not see is a 404.
func load[R any](s *Server, c echo.Context, d *procedure.Descriptor) (R, error) {
	var rec R
	q, err := s.scoped(c, d)
	if err != nil {
		return rec, err
	}
	return findScoped[R](q, c.Param("id"), d.Title)
}

// updated sends the Update name with arg to a procedure's workflow and
// answers with its record (shown by its view, viewRecord) once the workflow
// has acted on it; a refusal by the workflow's validator is a problem
// naming field.
func updated(s *Server, c echo.Context, d *procedure.Descriptor, id, workflowID, name, field string, arg any) error {
	ctx := c.Request().Context()
	h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateName: name, WaitForStage: client.WorkflowUpdateStageCompleted, Args: []any{arg},
	})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	if err != nil {
		return updateProblemOn(field, err)
	}
	s.log(c).Info().Str("workflow_id", workflowID).Str("update", name).Msg(d.Title + " updated")
	rec := d.Record()
	if err := s.DB.WithContext(ctx).First(rec, "id = ?", id).Error; err != nil {
		return fmt.Errorf("reload %s %s: %w", d.Title, id, err)
	}
	v, err := s.viewRecord(c, d, rec)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// served is one procedure's routes: the generic GET of one and of a list,
// and its filing POST.
type served struct {
	d    *procedure.Descriptor
	file echo.HandlerFunc
	get  echo.HandlerFunc
	list echo.HandlerFunc
	// updates are the POSTs that send an Update to one procedure, by the
	// path under Route ("/:id/resubmit").
	updates map[string]echo.HandlerFunc
	// more are further filing POSTs, by their own path (a dispute is filed
	// under a share request or under a catalog item).
	more map[string]echo.HandlerFunc
}

// filedAlsoAt adds a further filing POST at its own path.
func (p served) filedAlsoAt(path string, h echo.HandlerFunc) served {
	if p.more == nil {
		p.more = map[string]echo.HandlerFunc{}
	}
	p.more[path] = h
	return p
}

// with adds an Update's POST at path under the procedure's Route.
func (p served) with(path string, h echo.HandlerFunc) served {
	if p.updates == nil {
		p.updates = map[string]echo.HandlerFunc{}
	}
	p.updates[path] = h
	return p
}

// routesOf builds the generic GET routes of a procedure whose record is R,
// shown by its view (viewRecord), and its filing handler.
func routesOf[R any](s *Server, d *procedure.Descriptor, file echo.HandlerFunc) served {
	// A list takes its filters, its flags and a page, nothing else.
	known := append(append([]string{"page_size", "page_token"}, d.Filters...), d.Flags...)
	return served{d: d, file: file,
		get: func(c echo.Context) error {
			rec, err := load[R](s, c, d)
			if err != nil {
				return err
			}
			v, err := s.viewRecord(c, d, &rec)
			if err != nil {
				return err
			}
			return c.JSON(http.StatusOK, v)
		},
		list: func(c echo.Context) error {
			if err := onlyParams(c, known...); err != nil {
				return err
			}
			q, err := s.scoped(c, d)
			if err != nil {
				return err
			}
			q = eqFilters(c, q, d.Filters...)
			for _, flag := range d.Flags {
				if q, err = boolFilter(c, q, flag); err != nil {
					return err
				}
			}
			return paginate[R](c, q.Order(d.Order))
		},
	}
}

// views are each procedure's view by its name, declared with its routes
// (serveProcedure): a record, as its descriptor's Record makes it, as the
// API shows it.
var views = map[string]func(s *Server, c echo.Context, rec any) (any, error){}

// viewRecord shows a record of procedure d (a pointer, as d.Record makes it)
// by the procedure's view: the answer of its filing, of its Updates and of
// its GET.
func (s *Server) viewRecord(c echo.Context, d *procedure.Descriptor, rec any) (any, error) {
	return views[d.Name](s, c, rec)
}

// route adds a procedure's routes to the API.
func (p served) route(g *echo.Group) {
	g.POST(p.d.FilePath(), p.file)
	g.GET(p.d.Route, p.list)
	g.GET(p.d.Route+"/:id", p.get)
	for path, h := range p.updates {
		g.POST(p.d.Route+path, h)
	}
	for path, h := range p.more {
		g.POST(path, h)
	}
}

// routes are each procedure's routes by its name, declared beside its view
// (api/<procedure>.go) through serveProcedure.
var routes = map[string]func(*Server) served{}

// update is one of a procedure's further POSTs: an Update at its path under
// the procedure's Route ("/:id/resubmit"), or, with filing set, a second
// filing route at its own path (a dispute under a catalog item).
type update struct {
	path   string
	h      func(*Server, echo.Context) error
	filing bool
}

// serveProcedure declares procedure d's routes, beside its view: file loads
// a filing's facts and files it, view shows a record R, updates are its
// Update POSTs. It returns true, for a package-level declaration.
func serveProcedure[R, V any](d *procedure.Descriptor, file func(*Server, echo.Context) error,
	view func(*Server, echo.Context, R) (V, error), updates ...update) bool {
	views[d.Name] = func(s *Server, c echo.Context, rec any) (any, error) { return view(s, c, *rec.(*R)) }
	routes[d.Name] = func(s *Server) served {
		p := routesOf[R](s, d, func(c echo.Context) error { return file(s, c) })
		for _, u := range updates {
			h := func(c echo.Context) error { return u.h(s, c) }
			if u.filing {
				p = p.filedAlsoAt(u.path, h)
				continue
			}
			p = p.with(u.path, h)
		}
		return p
	}
	return true
}

// procedures are the routes of every procedure of workflows.Procedures, in
// its order. A procedure without routes is a wiring error the server cannot
// start with (TestEveryProcedureServed names it).
func (s *Server) procedures() []served {
	out := make([]served, 0, len(workflows.Procedures))
	for _, d := range workflows.Procedures {
		r, ok := routes[d.Name]
		if !ok {
			panic("api: procedure " + d.Name + " has no routes: declare them with serveProcedure beside its view")
		}
		out = append(out, r(s))
	}
	return out
}
