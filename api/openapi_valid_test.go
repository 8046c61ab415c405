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
