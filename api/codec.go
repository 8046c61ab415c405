package api

import (
	"bytes"
	"net/http"

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
		g.POST("/"+op, s.codecOp(op == "encode"), s.authenticate)
	}
}

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
