package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/cityapprovals/approvals/codec"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"google.golang.org/protobuf/encoding/protojson"
)

// loadHistory reads a workflow's whole history from Temporal, its payloads
// decrypted; an unknown workflow is a 404.
func (s *Server) loadHistory(ctx context.Context, id string) (*historypb.History, error) {
	h, err := workflows.FetchHistory(ctx, s.Temporal, id)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return nil, problem(http.StatusNotFound, fmt.Sprintf("procedure %s not found", id))
	}
	if err != nil {
		return nil, err
	}
	if err := codec.DecodeHistory(ctx, s.Codec, h); err != nil {
		return nil, fmt.Errorf("history of %s: %w", id, err)
	}
	return h, nil
}

// historyJSON encodes a history as Temporal's JSON history ({"events":[...]}),
// the format `temporal workflow show -o json` writes and the SDK's
// client.HistoryFromJSON (and so the replayer) reads.
func historyJSON(h *historypb.History) ([]byte, error) {
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("encode history: %w", err)
	}
	return b, nil
}

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
