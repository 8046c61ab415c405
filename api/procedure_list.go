package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cityapprovals/approvals/audit"
	"github.com/labstack/echo/v4"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"
)

// procedureSummary is one procedure as Temporal visibility knows it.
type procedureSummary struct {
	ID              string `json:"id"`
	WorkflowType    string `json:"workflow_type"`
	Procedure       string `json:"procedure"`
	Jurisdiction    string `json:"jurisdiction"`
	ApprovalStatus  string `json:"approval_status"`
	RequesterDept   string `json:"requester_dept,omitempty"`
	ProviderDept    string `json:"provider_dept,omitempty"`
	DueAt           string `json:"due_at,omitempty"`
	Overdue         bool   `json:"overdue"`
	ExecutionStatus string `json:"execution_status"`
	StartedAt       string `json:"started_at"`
	ClosedAt        string `json:"closed_at,omitempty"`
}

// listProcedures lists procedures of every kind from Temporal visibility,
// filtered by jurisdiction, procedure, status, overdue and filing time
// (from, to), newest first, paginated with Temporal's page token.
func (s *Server) listProcedures(c echo.Context) error {
	if _, err := allow(c, RoleAuditor, RoleAdmin); err != nil {
		return err
	}
	f, err := audit.ParseListFilter(c.QueryParams(), s.Regulations.Cities())
	if err != nil {
		return paramProblem(err)
	}
	size, err := pageSize(c)
	if err != nil {
		return err
	}
	var token []byte
	if v := c.QueryParam("page_token"); v != "" {
		if token = s.openToken(v); token == nil {
			return problem(http.StatusBadRequest, "page_token is not one this API issued", FieldError{"page_token", "invalid"})
		}
	}
	resp, err := s.Temporal.ListWorkflow(c.Request().Context(), &workflowservice.ListWorkflowExecutionsRequest{
		PageSize: int32(size), NextPageToken: token, Query: f.Query(),
	})
	if err != nil {
		if token != nil {
			return problem(http.StatusBadRequest, "page_token is not one this API issued: "+err.Error(), FieldError{"page_token", "invalid"})
		}
		return fmt.Errorf("list procedures: %w", err)
	}
	out := list[procedureSummary]{Items: []procedureSummary{}, NextPageToken: s.sealToken(resp.GetNextPageToken())}
	for _, w := range resp.GetExecutions() {
		attrs := w.GetSearchAttributes().GetIndexedFields()
		p := procedureSummary{
			ID: w.GetExecution().GetWorkflowId(), WorkflowType: w.GetType().GetName(),
			Procedure: keyword(attrs, "Procedure"), Jurisdiction: keyword(attrs, "Jurisdiction"),
			ApprovalStatus: keyword(attrs, "ApprovalStatus"), RequesterDept: keyword(attrs, "RequesterDept"),
			ProviderDept: keyword(attrs, "ProviderDept"), ExecutionStatus: w.GetStatus().String(),
			StartedAt: beijing(w.GetStartTime().AsTime()),
		}
		if due := keyword(attrs, "DueAt"); due != "" {
			if t, err := time.Parse(time.RFC3339Nano, due); err == nil {
				p.DueAt = beijing(t)
			}
		}
		if v, ok := attrs["Overdue"]; ok {
			_ = converter.GetDefaultDataConverter().FromPayload(v, &p.Overdue)
		}
		if w.GetCloseTime() != nil {
			p.ClosedAt = beijing(w.GetCloseTime().AsTime())
		}
		out.Items = append(out.Items, p)
	}
	return c.JSON(http.StatusOK, out)
}

// keyword decodes a string search attribute, "" when absent.
func keyword(attrs map[string]*commonpb.Payload, name string) string {
	var v string
	if p, ok := attrs[name]; ok {
		_ = converter.GetDefaultDataConverter().FromPayload(p, &v)
	}
	return v
}

// paramProblem maps an invalid query parameter to a 400 naming it.
func paramProblem(err error) error {
	var pe *audit.ParamError
	if errors.As(err, &pe) {
		return problem(http.StatusBadRequest, pe.Error(), FieldError{pe.Param, pe.Message})
	}
	return err
}

// sealToken wraps Temporal's page token with a MAC under the API's secret, so
// that a token this API did not issue is refused at once (400) instead of
// being sent to Temporal; "" for the last page.
func (s *Server) sealToken(t []byte) string {
	if len(t) == 0 {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(append(s.tokenMAC(t), t...))
}

// openToken returns the Temporal page token inside a sealed one, or nil.
func (s *Server) openToken(v string) []byte {
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(b) <= tokenMACSize {
		return nil
	}
	mac, t := b[:tokenMACSize], b[tokenMACSize:]
	if !hmac.Equal(mac, s.tokenMAC(t)) {
		return nil
	}
	return t
}

const tokenMACSize = 16

func (s *Server) tokenMAC(t []byte) []byte {
	h := hmac.New(sha256.New, append([]byte("page-token\n"), s.Secret...))
	h.Write(t)
	return h.Sum(nil)[:tokenMACSize]
}
