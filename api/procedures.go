package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/cityapprovals/approvals/archive"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
)

// loadHistory reads a workflow's whole history from Temporal; an unknown
// workflow is a 404.
func (s *Server) loadHistory(ctx context.Context, id string) (*historypb.History, error) {
	h, err := workflows.FetchHistory(ctx, s.Temporal, id)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return nil, problem(http.StatusNotFound, fmt.Sprintf("procedure %s not found", id))
	}
	return h, err
}

// historyJSON encodes a history as Temporal's JSON history ({"events":[...]}),
// the format `temporal workflow show -o json` writes and the SDK's
// client.HistoryFromJSON (and so the replayer) reads.
func historyJSON(h *historypb.History) ([]byte, error) { return archive.HistoryJSON(h) }

// procedureHistory answers with the Temporal history of a procedure as JSON,
// for auditors and admins. format=json is the only format, and the default.
func (s *Server) procedureHistory(c echo.Context) error {
	if _, err := allow(c, RoleAuditor, RoleAdmin); err != nil {
		return err
	}
	if f := c.QueryParam("format"); f != "" && f != "json" {
		return problem(http.StatusBadRequest, "format must be json", FieldError{"format", "must be json"})
	}
	id := c.Param("id")
	h, err := s.loadHistory(c.Request().Context(), id)
	if err != nil {
		return err
	}
	b, err := historyJSON(h)
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, b)
}
