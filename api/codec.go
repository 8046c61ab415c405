package api

import (
	"bytes"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// DefaultCodecOrigins are the Temporal Web UI's origins on this machine
// (`approvals dev` and docker-compose serve it on port 8233).
var DefaultCodecOrigins = []string{"http://127.0.0.1:8233", "http://localhost:8233"}

// routeCodec serves the remote codec the Temporal Web UI and CLI call to show
// decrypted payloads (POST {endpoint}/decode, /encode with {"payloads":[…]}
// in protobuf JSON), to auditors and admins with a valid token, with CORS for
// the UI's origins (its preflight carries no token).
func (s *Server) routeCodec(e *echo.Echo) {
	origins := s.CodecOrigins
	if origins == nil {
		origins = DefaultCodecOrigins
	}
	g := e.Group("/codec", middleware.CORSWithConfig(middleware.CORSConfig{
		AllowOrigins:     origins,
		AllowMethods:     []string{http.MethodPost, http.MethodOptions},
		AllowHeaders:     []string{echo.HeaderAuthorization, echo.HeaderContentType, "X-Namespace"},
		AllowCredentials: true,
		MaxAge:           600,
	}))
	for _, op := range []string{"decode", "encode"} {
		g.OPTIONS("/"+op, func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })
		g.POST("/"+op, s.codecOp(op == "encode"), codecCookie, s.authenticate)
	}
	g.GET("/session", func(c echo.Context) error { return c.HTML(http.StatusOK, sessionForm) })
	g.POST("/session", s.codecSession, tokenFromForm, s.authenticate)
}

// CodecCookie holds an auditor's token for the Temporal Web UI, which can
// send cookies ("Include cross-origin credentials") but no header of ours.
const CodecCookie = "approvals_codec"

// codecCookie lets a codec call authenticate with the session cookie when it
// carries no Authorization header.
func codecCookie(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if ck, err := c.Cookie(CodecCookie); err == nil && c.Request().Header.Get(echo.HeaderAuthorization) == "" {
			c.Request().Header.Set(echo.HeaderAuthorization, "Bearer "+ck.Value)
		}
		return next(c)
	}
}

// tokenFromForm takes the token of the session form (field token) when
// there is no Authorization header.
func tokenFromForm(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if t := c.FormValue("token"); t != "" && c.Request().Header.Get(echo.HeaderAuthorization) == "" {
			c.Request().Header.Set(echo.HeaderAuthorization, "Bearer "+t)
		}
		return next(c)
	}
}

// codecSession opens a codec session in the browser: it sets the cookie
// (HttpOnly, SameSite=Lax, path /codec, until the token expires) that the
// Temporal UI's codec calls then carry. Auditors and admins only.
func (s *Server) codecSession(c echo.Context) error {
	cl, err := allow(c, RoleAuditor, RoleAdmin)
	if err != nil {
		return err
	}
	raw := strings.TrimPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
	exp := cl.ExpiresAt.Time
	c.SetCookie(&http.Cookie{Name: CodecCookie, Value: raw, Path: "/codec", Expires: exp, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: c.Request().TLS != nil})
	return c.JSON(http.StatusOK, map[string]string{"subject": cl.Subject, "role": cl.Role, "expires_at": exp.UTC().Format(time.RFC3339)})
}

// sessionForm is GET /codec/session: where an auditor pastes a token once,
// so that no token travels in a URL.
const sessionForm = `<!doctype html><meta charset="utf-8"><title>approvals: codec session</title>
<h1>Decode payloads in the Temporal Web UI</h1>
<p>Paste an auditor's or admin's token (<code>approvals token --role auditor …</code>). The browser keeps it in a cookie
for <code>/codec</code> until it expires; then set the UI's Codec Server endpoint to this server's <code>/codec</code>
and tick "Include cross-origin credentials".</p>
<form method="post" action="session"><input name="token" size="60" autocomplete="off"> <button>Open session</button></form>`

// codecOp decodes or encodes the posted payloads with the server's codec.
func (s *Server) codecOp(encode bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, err := allow(c, RoleAuditor, RoleAdmin); err != nil {
			return err
		}
		if s.Codec == nil {
			return problem(http.StatusServiceUnavailable, "this server has no payload codec (APPROVALS_CODEC_KEYS)")
		}
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(c.Request().Body); err != nil {
			return err // the body limit answers 413 itself
		}
		var in commonpb.Payloads
		if err := protojson.Unmarshal(buf.Bytes(), &in); err != nil {
			return invalid(FieldError{"payloads", "want {\"payloads\": [...]} in protobuf JSON: " + err.Error()})
		}
		op := s.Codec.Decode
		if encode {
			op = s.Codec.Encode
		}
		out, err := op(in.GetPayloads())
		if err != nil {
			return invalid(FieldError{"payloads", err.Error()})
		}
		b, err := protojson.Marshal(&commonpb.Payloads{Payloads: out})
		if err != nil {
			return err
		}
		return c.JSONBlob(http.StatusOK, b)
	}
}
