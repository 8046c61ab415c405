// Package tracing exports OpenTelemetry traces (issue 16, point 3) when
// OTEL_EXPORTER_OTLP_ENDPOINT is set: spans of the API's HTTP requests
// (otelhttp, named by Echo route) and of the Temporal client and worker
// (the SDK's contrib/opentelemetry interceptor: starting workflows, running
// workflows and activities), exported over OTLP/HTTP in batches. The
// exporter reads the other standard variables itself (OTEL_EXPORTER_OTLP_HEADERS,
// _TIMEOUT, _CERTIFICATE, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES).
// Without the endpoint nothing is traced and nothing is exported.
package tracing

import (
	"context"
	"fmt"
	"net/http"
	"os"

	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
)

// EndpointVar turns tracing on: the OTLP/HTTP endpoint, such as
// http://otel-collector:4318 (traces go to its /v1/traces).
const EndpointVar = "OTEL_EXPORTER_OTLP_ENDPOINT"

// Tracing is the process's tracer provider, or nil when tracing is off; the
// methods of a nil *Tracing do nothing.
type Tracing struct {
	provider *sdktrace.TracerProvider
}

// Enabled reports whether OTEL_EXPORTER_OTLP_ENDPOINT is set.
func Enabled() bool { return os.Getenv(EndpointVar) != "" }

// Start builds the OTLP/HTTP exporter and the tracer provider when tracing
// is enabled, for the service (approvals-api, approvals-worker; a set
// OTEL_SERVICE_NAME wins), and makes them and the W3C trace context the
// process's defaults. It returns nil when tracing is off.
func Start(ctx context.Context, service string) (*Tracing, error) {
	if !Enabled() {
		return nil, nil
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("OTLP trace exporter (%s): %w", EndpointVar, err)
	}
	res, err := resource.Merge(resource.Default(),
		resource.NewSchemaless(semconv.ServiceName(service)))
	if err != nil {
		return nil, fmt.Errorf("trace resource: %w", err)
	}
	if os.Getenv("OTEL_SERVICE_NAME") != "" { // the environment's name wins
		if res, err = resource.Merge(res, resource.Environment()); err != nil {
			return nil, fmt.Errorf("trace resource: %w", err)
		}
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	return &Tracing{provider: tp}, nil
}

// Shutdown exports the spans still buffered and stops the exporter.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	if err := t.provider.Shutdown(ctx); err != nil {
		return fmt.Errorf("shut down tracing: %w", err)
	}
	return nil
}

// Temporal is the interceptor that traces the Temporal client and the
// workers built from it (nil when tracing is off).
func (t *Tracing) Temporal() (interceptor.ClientInterceptor, error) {
	if t == nil {
		return nil, nil
	}
	i, err := temporalotel.NewTracingInterceptor(temporalotel.TracerOptions{Tracer: t.provider.Tracer("go.temporal.io/sdk")})
	if err != nil {
		return nil, fmt.Errorf("Temporal tracing interceptor: %w", err)
	}
	return i, nil
}

// HTTP wraps the API's handler: a server span per request, continuing the
// caller's trace context (h unchanged when tracing is off).
func (t *Tracing) HTTP(h http.Handler) http.Handler {
	if t == nil {
		return h
	}
	return otelhttp.NewHandler(h, "http", otelhttp.WithTracerProvider(t.provider),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method }))
}

// Route names the request's span by its Echo route, once routed
// ("GET /api/v1/share-requests/:id"), and records the route.
func Route(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if span := trace.SpanFromContext(c.Request().Context()); span.IsRecording() {
			span.SetName(c.Request().Method + " " + c.Path())
			span.SetAttributes(semconv.HTTPRoute(c.Path()))
		}
		return next(c)
	}
}
