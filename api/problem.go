package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/cityapprovals/approvals/procedure"
	"github.com/labstack/echo/v4"
)

// FieldError names one field of the input and what is wrong with it.
type FieldError procedure.FieldError

// fields are a procedure's field errors as the API answers them.
func fields(errs []procedure.FieldError) []FieldError {
	out := make([]FieldError, len(errs))
	for i, e := range errs {
		out[i] = FieldError(e)
	}
	return out
}

// Problem is an RFC 9457 problem detail, the body of every error.
type Problem struct {
	Type     string       `json:"type"`
	Title    string       `json:"title"`
	Status   int          `json:"status"`
	Detail   string       `json:"detail,omitempty"`
	Instance string       `json:"instance,omitempty"`
	Errors   []FieldError `json:"errors,omitempty"`
	// retryAfter is the Retry-After header of a 429, in seconds.
	retryAfter string
}

func (p *Problem) Error() string { return fmt.Sprintf("%d %s: %s", p.Status, p.Title, p.Detail) }

// problem builds an error answered as application/problem+json.
func problem(status int, detail string, fields ...FieldError) *Problem {
	return &Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Errors: fields}
}

// invalid is a 422 naming the fields at fault.
func invalid(fields ...FieldError) *Problem {
	detail := "the request is invalid"
	if len(fields) > 0 {
		detail = fields[0].Field + ": " + fields[0].Message
	}
	return problem(http.StatusUnprocessableEntity, detail, fields...)
}

// errorHandler writes every error as application/problem+json.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var p *Problem
	var he *echo.HTTPError
	switch {
	case errors.As(err, &p):
	case tooLarge(err) != nil: // a multipart form read over the body limit
		p = tooLarge(err)
	case errors.As(err, &he):
		p = problem(he.Code, fmt.Sprint(he.Message))
		if he.Code == http.StatusNotFound {
			p.Detail = "no route " + c.Request().Method + " " + c.Request().URL.Path
		}
	default:
		s.log(c).Error().Err(err).Msg("internal error")
		p = problem(http.StatusInternalServerError, "internal error; the request ID in X-Request-Id identifies it in the logs")
	}
	p.Instance = c.Request().URL.Path
	if p.retryAfter != "" {
		c.Response().Header().Set("Retry-After", p.retryAfter)
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(p.Status)
	if c.Request().Method != http.MethodHead {
		_ = json.NewEncoder(c.Response()).Encode(p)
	}
}

// fieldErrors are a procedure's field errors as the API's.
func fieldErrors(errs []procedure.FieldError) []FieldError {
	out := make([]FieldError, len(errs))
	for i, e := range errs {
		out[i] = FieldError(e)
	}
	return out
}
