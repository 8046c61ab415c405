package api

import (
	"strings"
	"testing"
)

// Every route the API serves is described in openapi.yaml.
func TestEveryRouteIsDescribed(t *testing.T) {
	spec := string(OpenAPI)
	for _, r := range (&Server{}).Handler().Routes() {
		if r.Method == "echo_route_not_found" {
			continue
		}
		path := r.Path
		for _, seg := range strings.Split(path, "/") {
			if strings.HasPrefix(seg, ":") {
				path = strings.Replace(path, seg, "{"+seg[1:]+"}", 1)
			}
		}
		if !strings.Contains(spec, "\n  "+path+":\n") {
			t.Errorf("%s %s is not in openapi.yaml", r.Method, path)
			continue
		}
		block := spec[strings.Index(spec, "\n  "+path+":\n"):]
		if end := strings.Index(block[1:], "\n  /"); end > 0 {
			block = block[:end]
		}
		if !strings.Contains(block, "\n    "+strings.ToLower(r.Method)+":\n") {
			t.Errorf("%s %s: method not in openapi.yaml", r.Method, path)
		}
	}
}
