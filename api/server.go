// Package api is the HTTP API: authentication, validation, problem+json
// errors, and handlers that start workflows, send Updates and read the
// database projections. api/openapi.yaml describes every endpoint.
package api

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cityapprovals/approvals/archive"
	"github.com/cityapprovals/approvals/bounds"
	"github.com/cityapprovals/approvals/codec"
	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/metrics"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/cityapprovals/approvals/tracing"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"
)

// Server holds the API's dependencies.
type Server struct {
	DB          *gorm.DB
	Temporal    client.Client
	Regulations *regulations.Registry
	Calendar    func() *holidays.Calendar
	// Calendars, when set, gives the calendar in force from the database
	// (published years over the shipped ones) instead of Calendar.
	Calendars *models.CalendarStore
	Secret    []byte
	Log       zerolog.Logger
	// Now is the clock used for filing times; time.Now when nil.
	Now func() time.Time

	// Issuer and Audience are the iss and aud a token must carry
	// (DefaultIssuer and DefaultAudience when empty); MaxTokenTTL caps its
	// lifetime, exp − iat (DefaultMaxTokenTTL when zero).
	Issuer, Audience string
	MaxTokenTTL      time.Duration
	// OIDC, when set, verifies tokens from the city's OpenID Connect
	// provider, and the HS256 secret is not used.
	OIDC *OIDC
	// RateLimit is the requests a second allowed to each caller (its
	// identity, or its IP without a token), in bursts of RateBurst (twice
	// the rate when zero); 0 is no limit.
	RateLimit float64
	RateBurst int
	// HSTS sends Strict-Transport-Security on every answer (behind a
	// TLS-terminating proxy); it is sent anyway on requests over TLS.
	HSTS bool
	// ReadTimeout bounds the reading of a whole request (api.ReadTimeout
	// when zero).
	ReadTimeout time.Duration

	rates interface{ Allow(string) (bool, error) }
	// SigningKey signs exports' manifests; without one, exports
	// answer 503.
	SigningKey ed25519.PrivateKey
	// Codec encrypts Temporal payloads: histories are decoded
	// with it for auditors, and /codec serves it to the Temporal UI.
	// CodecOrigins are the origins allowed to call /codec (CORS);
	// DefaultCodecOrigins when nil.
	Codec        *codec.Codec
	CodecOrigins []string
	// Archive holds the histories of closed procedures after Temporal's
	// retention; the audit reads fall back to it. Retention is
	// the namespace's, for saying when a history expired unarchived.
	Archive   archive.Store
	Retention time.Duration
	// Metrics, when set, counts requests and serves GET /metrics in
	// Prometheus format.
	Metrics *prometheus.Registry
	// Login, when set, signs people in to the console through the city's
	// OpenID Connect provider (authorization code flow with PKCE).
	Login *OIDCLogin
	// DevLogin serves the console's development sign-in (`approvals dev`
	// only).
	DevLogin bool
	// Tracing, when set, traces each request (OTEL_EXPORTER_OTLP_ENDPOINT):
	// a server span named by its route.
	Tracing *tracing.Tracing
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Handler builds the Echo router.
func (s *Server) Handler() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.errorHandler
	if l := s.limiter(); l != nil {
		s.rates = l
	}
	if s.Tracing != nil {
		e.Use(tracing.Route)
	}
	e.Use(requestID)
	e.Use(s.logRequests)
	if s.Metrics != nil {
		e.Use(metrics.HTTP(s.Metrics))
		e.GET("/metrics", echo.WrapHandler(metrics.Handler(s.Metrics)))
	}
	e.Use(s.securityHeaders)
	e.Use(s.limitAnonymous)
	e.Use(limitBody)
	e.Use(middleware.Recover())
	e.Use(checkParams)

	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.GET("/readyz", s.ready)
	s.routeCodec(e) // the Temporal UI's remote codec
	e.GET("/api/openapi.yaml", func(c echo.Context) error { return c.Blob(http.StatusOK, "application/yaml", OpenAPI) })

	v1 := e.Group("/api/v1")
	v1.GET("/calendar/deadline", s.calendarDeadline)
	v1.GET("/calendar/days", s.calendarDays)
	v1.GET("/calendar/years", s.listCalendarYears)
	v1.GET("/regulations", s.listRegulations)
	v1.GET("/procedure-kinds", s.listProcedureKinds) // what the console knows of each procedure
	v1.GET("/audit/signing-key", s.signingKey)       // verifies exports
	// what the platform publishes about open-data applications (public)
	v1.GET("/open-applications/published-refusals", s.publishedRefusals)
	v1.GET("/open-applications/approved-applicants", s.approvedApplicants)
	v1.GET("/open-list", s.listOpen)      // the published open list of a city (public)
	v1.GET("/open-plans", s.listOpenPlan) // a city's yearly open plan and how far it has come (public)

	a := v1.Group("", s.authenticate)
	s.routeConsole(e, a) // the web console and its session
	s.routeTaskClaims(a) // claims and comments on tasks
	a.POST("/departments", s.createDepartment)
	a.GET("/departments", s.listDepartments)
	a.POST("/catalog/items", s.createCatalogItem)
	a.GET("/catalog/items", s.listCatalogItems)
	a.GET("/catalog/items/:id", s.getCatalogItem)
	a.GET("/catalog/items/:id/versions", s.itemVersions)
	for _, p := range s.procedures() { // every procedure of workflows.Procedures
		p.route(a)
	}
	a.POST("/catalog/import", s.importCatalog) // the console's catalog import
	a.POST("/evidence", s.uploadEvidence)      // evidence of objections
	a.GET("/evidence/:id", s.getEvidence)
	a.GET("/tasks", s.listTasks)
	a.POST("/tasks/:id/decision", s.decideTask)
	a.GET("/procedures/:id/history", s.procedureHistory)
	a.GET("/procedures", s.listProcedures)
	a.GET("/procedures/:id/timeline", s.procedureTimeline)
	a.GET("/procedures/:id/export", s.procedureExport)
	a.GET("/procedures/:id/chain", s.procedureChain)
	a.POST("/audit/replay", s.auditReplay)
	a.POST("/audit/verify", s.auditVerify) // verify an export in the browser
	a.GET("/reports/deadlines", s.reportDeadlines)
	a.GET("/reports/evaluation", s.reportEvaluation) // yearly evaluation of departments
	a.POST("/grants/:id/uses", s.createUse)          // use logs of shared data
	a.GET("/grants/:id/uses", s.listUses)
	a.GET("/uses", s.listAllUses)
	a.PUT("/calendar/years/:year", s.putCalendarYear)
	a.GET("/calendar/retimes/:id", s.getRetime)
	// Notifications: channels, the outbox, in-app messages.
	a.GET("/departments/:code/channels", s.getChannels)
	a.PUT("/departments/:code/channels", s.putChannels)
	a.GET("/notifications", s.listNotifications)
	a.POST("/notifications/:id/retry", s.retryNotification)
	a.GET("/messages", s.listMessages)
	a.POST("/messages/:id/read", s.readMessage)
	return e
}

// logRequests logs each request with its request ID.
func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		ev := s.Log.Info()
		if st := c.Response().Status; st >= 500 {
			ev = s.Log.Error()
		}
		if cl, ok := c.Get(claimsKey).(*Claims); ok { // the caller, once authenticated
			ev = ev.Str("subject", cl.Subject).Str("role", cl.Role)
		}
		ev.Str("request_id", c.Response().Header().Get(echo.HeaderXRequestID)).
			Str("method", c.Request().Method).Str("path", c.Request().URL.Path).
			Int("status", c.Response().Status).Dur("took", time.Since(start)).Msg("request")
		return nil
	}
}

// log is the logger of one request.
func (s *Server) log(c echo.Context) *zerolog.Logger {
	l := s.Log.With().Str("request_id", c.Response().Header().Get(echo.HeaderXRequestID)).Logger()
	return &l
}

func (s *Server) ready(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	sqlDB, err := s.DB.DB()
	if err == nil {
		err = sqlDB.PingContext(ctx)
	}
	if err != nil {
		return problem(http.StatusServiceUnavailable, "database unreachable: "+err.Error())
	}
	if _, err := s.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return problem(http.StatusServiceUnavailable, "Temporal unreachable: "+err.Error())
	}
	out := map[string]any{"status": "ready"}
	if l := s.Regulations.Lapsing(s.now(), holidays.Shanghai); len(l) > 0 {
		out["validity_warnings"] = l // regulations ending within 60 days, or ended
	}
	return c.JSON(http.StatusOK, out)
}

// bind decodes a JSON body strictly (unknown fields, trailing data and
// values of the wrong type are a 400 naming the field) and checks every
// field against its bound (bounds.Check; a 422 naming each field at fault).
func bind(c echo.Context, v any) error {
	raw, err := readBody(c)
	if err != nil {
		return err
	}
	errs, malformed := bounds.Decode(raw, v)
	if len(errs) == 0 {
		return nil
	}
	fields := make([]FieldError, len(errs))
	for i, e := range errs {
		fields[i] = FieldError(e)
	}
	if malformed {
		return problem(http.StatusBadRequest, "malformed JSON body: "+errs[0].Error(), fields...)
	}
	return invalid(fields...)
}

// readBody reads the request body; one over the limit is a 413.
func readBody(c echo.Context) ([]byte, error) {
	raw, err := io.ReadAll(c.Request().Body)
	if err != nil {
		if p := tooLarge(err); p != nil {
			return nil, p
		}
		return nil, problem(http.StatusBadRequest, "read body: "+err.Error())
	}
	return raw, nil
}

// limitBody refuses a body over bounds.MaxBody (1 MiB) with a 413, whether
// its length is declared or it is sent in chunks.
func limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.ContentLength > bounds.MaxBody {
			return tooLarge(&http.MaxBytesError{Limit: bounds.MaxBody})
		}
		r.Body = http.MaxBytesReader(c.Response(), r.Body, bounds.MaxBody)
		return next(c)
	}
}

// tooLarge is the 413 for a body over the limit, or nil for another error.
func tooLarge(err error) *Problem {
	var mb *http.MaxBytesError
	if !errors.As(err, &mb) {
		return nil
	}
	return problem(http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than %d bytes (1 MiB)", bounds.MaxBody),
		FieldError{"body", fmt.Sprintf("at most %d bytes", bounds.MaxBody)})
}

// checkParams refuses a path ID or query parameter outside its bound before
// any handler sees it: a path ID that no record can have (bad charset,
// invalid UTF-8, too long) is a 404, a query parameter with control
// characters, invalid UTF-8 or over bounds.MaxParam is a 400 naming it.
func checkParams(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		for _, name := range c.ParamNames() {
			if v := c.Param(name); bounds.PathID(v) != "" {
				return problem(http.StatusNotFound, fmt.Sprintf("no %s %q: %s", name, v, bounds.PathID(v)),
					FieldError{name, bounds.PathID(v)})
			}
		}
		for name, vs := range c.QueryParams() {
			if msg := bounds.Param("", name); msg != "" {
				return problem(http.StatusBadRequest, "query parameter name "+msg, FieldError{"query", msg})
			}
			for _, v := range vs {
				if msg := bounds.Param(name, v); msg != "" {
					return problem(http.StatusBadRequest, name+" "+msg, FieldError{name, msg})
				}
			}
		}
		return next(c)
	}
}

// pageSize reads page_size: 1 to 500, 50 when absent.
func pageSize(c echo.Context) (int, error) {
	v := c.QueryParam("page_size")
	if v == "" {
		return 50, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 500 {
		return 0, problem(http.StatusBadRequest, "page_size must be an integer from 1 to 500", FieldError{"page_size", "out of range"})
	}
	return n, nil
}

// page reads page_size and page_token; the token is an opaque offset.
func page(c echo.Context) (limit, offset int, err error) {
	if limit, err = pageSize(c); err != nil {
		return 0, 0, err
	}
	if t := c.QueryParam("page_token"); t != "" {
		b, err := base64.RawURLEncoding.DecodeString(t)
		if err == nil {
			offset, err = strconv.Atoi(string(b))
		}
		if err != nil || offset < 0 {
			return 0, 0, problem(http.StatusBadRequest, "page_token is not one this API issued", FieldError{"page_token", "invalid"})
		}
	}
	return limit, offset, nil
}

// list is a page of items; NextPageToken is empty on the last page.
type list[T any] struct {
	Items         []T    `json:"items"`
	NextPageToken string `json:"next_page_token"`
}

// paginate runs q for one page and answers with it.
func paginate[T any](c echo.Context, q *gorm.DB) error {
	limit, offset, err := page(c)
	if err != nil {
		return err
	}
	items := []T{}
	if err := q.Limit(limit + 1).Offset(offset).Find(&items).Error; err != nil {
		return fmt.Errorf("list: %w", err)
	}
	out := list[T]{Items: items}
	if len(items) > limit {
		out.Items = items[:limit]
		out.NextPageToken = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(offset + limit)))
	}
	return c.JSON(http.StatusOK, out)
}

// boolFilter narrows q by a true/false query parameter of the same name as
// the column; any other value is a 400.
func boolFilter(c echo.Context, q *gorm.DB, name string) (*gorm.DB, error) {
	switch v := c.QueryParam(name); v {
	case "":
		return q, nil
	case "true", "false":
		return q.Where(name+" = ?", v == "true"), nil
	default:
		return nil, problem(http.StatusBadRequest, name+" must be true or false", FieldError{name, "must be true or false"})
	}
}

// findScoped loads the record with the given ID from a query already limited
// to what the caller may see (or from the table, where every caller may see
// every row): one the caller may not see is as unknown (404), as is one that
// does not exist. Every GET of one record and every look-up by a path's ID
// goes through it.
func findScoped[T any](q *gorm.DB, id, what string) (T, error) {
	var rec T
	if err := q.First(&rec, "id = ?", id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return rec, problem(http.StatusNotFound, fmt.Sprintf("%s %s not found", what, id))
		}
		return rec, fmt.Errorf("load %s %s: %w", what, id, err)
	}
	return rec, nil
}

// onlyParams refuses a query parameter other than the known ones: a 400
// naming the first unknown one (by name) and listing the known.
func onlyParams(c echo.Context, known ...string) error {
	for _, name := range slices.Sorted(maps.Keys(c.QueryParams())) {
		if !slices.Contains(known, name) {
			return problem(http.StatusBadRequest, "unknown parameter "+name,
				FieldError{name, "unknown parameter (use " + strings.Join(known, ", ") + ")"})
		}
	}
	return nil
}

// eqFilters narrows q by each named query parameter that is set, matched
// against the column of the same name.
func eqFilters(c echo.Context, q *gorm.DB, cols ...string) *gorm.DB {
	for _, col := range cols {
		if v := c.QueryParam(col); v != "" {
			q = q.Where(col+" = ?", v)
		}
	}
	return q
}
