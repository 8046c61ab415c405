package api

import (
	"context"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// openapi.yaml loads and passes kin-openapi's validator.
func TestOpenAPIValidates(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPI)
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
}

// Every POST and PUT describes the refusals every route can answer: 400 (a
// query parameter out of bounds, checkParams, or a malformed body), 413 (a
// body over 1 MiB, limitBody, whether the route reads one or not) and 500.
func TestOpenAPIWritesDescribeCommonErrors(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPI)
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range map[string]*openapi3.Operation{"POST": item.Post, "PUT": item.Put} {
			if op == nil {
				continue
			}
			for _, code := range []int{400, 413, 500} {
				if op.Responses.Status(code) == nil {
					t.Errorf("%s %s: no %d response", method, path, code)
				}
			}
		}
	}
}
