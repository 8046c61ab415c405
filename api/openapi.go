package api

import _ "embed"

// OpenAPI is the API's description, served at /api/openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte
