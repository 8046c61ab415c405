package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"

	"github.com/cityapprovals/approvals/api"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// unspecified are the path prefixes outside /api/v1 whose responses the spec
// does not describe and checkSpec skips. None today: /healthz, /readyz,
// /api/openapi.yaml and /codec/* are all in the spec (the codec's CORS
// preflights are sent with a plain http.Client, not through user.do).
var unspecified = []string{}

var spec struct {
	once    sync.Once
	doc     *openapi3.T
	router  routers.Router
	problem *openapi3.Schema
	err     error
}

// loadSpec parses api/openapi.yaml once for the whole suite.
func loadSpec() error {
	spec.once.Do(func() {
		doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
		if err != nil {
			spec.err = fmt.Errorf("load openapi.yaml: %w", err)
			return
		}
		doc.Servers = nil // the spec's server is "/": route on the path alone
		r, err := legacy.NewRouter(doc)
		if err != nil {
			spec.err = fmt.Errorf("route openapi.yaml: %w", err)
			return
		}
		spec.doc, spec.router = doc, r
		spec.problem = doc.Components.Schemas["Problem"].Value
	})
	return spec.err
}

// checkSpec validates a response against api/openapi.yaml: its status must
// be one the operation declares, its content type one declared for that
// status, and a JSON body must match the schema. A response to a request the
// spec has no route for (an unknown path or method) must be a Problem. It
// returns nil for the short list of paths the spec does not describe.
func checkSpec(req *http.Request, status int, header http.Header, body []byte) error {
	if err := loadSpec(); err != nil {
		return err
	}
	for _, p := range unspecified {
		if strings.HasPrefix(req.URL.Path, p) {
			return nil
		}
	}
	ct := header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	route, params, err := spec.router.FindRoute(req)
	var re *routers.RouteError
	if errors.As(err, &re) && (re.Reason == routers.ErrPathNotFound.Error() || re.Reason == routers.ErrMethodNotAllowed.Error()) {
		if status < 400 {
			return fmt.Errorf("%s %s answered %d but the spec has no such operation", req.Method, req.URL.Path, status)
		}
		return checkProblem(mt, body)
	}
	if err != nil {
		return fmt.Errorf("find the route of %s %s: %w", req.Method, req.URL.Path, err)
	}
	where := req.Method + " " + route.Path
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if mt != "application/json" && mt != "application/problem+json" {
		// Files, CSV, YAML, ZIP: the content type must be declared; the
		// body is not JSON to check against a schema.
		in.Options.ExcludeResponseBody = true
		if r := route.Operation.Responses.Status(status); r != nil && r.Value != nil && len(r.Value.Content) > 0 && r.Value.Content.Get(ct) == nil {
			return fmt.Errorf("%s: %d answered as %q, which the spec does not declare", where, status, ct)
		}
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return fmt.Errorf("%s: %d response does not match the spec: %w", where, status, err)
	}
	if status >= 400 {
		if err := checkProblem(mt, body); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
	}
	return nil
}

// checkProblem checks an error body against the Problem schema.
func checkProblem(mt string, body []byte) error {
	if mt != "application/problem+json" {
		return fmt.Errorf("error answered as %q, want application/problem+json", mt)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("problem body %q: %w", body, err)
	}
	if err := spec.problem.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
		return fmt.Errorf("problem body does not match the Problem schema: %w", err)
	}
	return nil
}
