// Package tracingtest is an in-process OTLP/HTTP trace receiver for tests:
// it decodes each export request (protobuf, POST /v1/traces) with the
// OpenTelemetry collector's pdata, as a collector's otlp receiver does, and
// keeps the names of the spans received by service.
package tracingtest

import (
	"io"
	"net/http"
	"slices"
	"sync"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// Receiver is an http.Handler taking OTLP/HTTP trace exports.
type Receiver struct {
	mu    sync.Mutex
	spans map[string][]string // service.name → span names
}

// ServeHTTP decodes one export request and answers an export response.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost || req.URL.Path != "/v1/traces" || req.Header.Get("Content-Type") != "application/x-protobuf" {
		http.Error(w, "want POST /v1/traces in protobuf", http.StatusUnsupportedMediaType)
		return
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	er := ptraceotlp.NewExportRequest()
	if err := er.UnmarshalProto(body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.add(er.Traces())
	out, err := ptraceotlp.NewExportResponse().MarshalProto()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

func (r *Receiver) add(td ptrace.Traces) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.spans == nil {
		r.spans = map[string][]string{}
	}
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		rs := td.ResourceSpans().At(i)
		svc, _ := rs.Resource().Attributes().Get("service.name")
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			ss := rs.ScopeSpans().At(j).Spans()
			for k := 0; k < ss.Len(); k++ {
				r.spans[svc.Str()] = append(r.spans[svc.Str()], ss.At(k).Name())
			}
		}
	}
}

// Names lists the names of the spans received from a service, in order.
func (r *Receiver) Names(service string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.spans[service])
}
