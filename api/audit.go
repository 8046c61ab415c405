package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cityapprovals/approvals/bounds"
	"github.com/cityapprovals/approvals/codec"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
	historypb "go.temporal.io/api/history/v1"
)

// replayResult is the answer of POST /audit/replay.
type replayResult struct {
	Result  string `json:"result"` // consistent or divergent
	Events  int    `json:"events"`
	Error   string `json:"error,omitempty"`
	EventID int64  `json:"event_id,omitempty"` // the first diverging event, when known
	// Source is where the history was read: temporal, archive, or upload.
	Source string `json:"source"`
}

// auditReplay replays a procedure's history, or an uploaded one, on the
// current workflow code. The body is {"procedure_id": ID} or a Temporal JSON
// history {"events": [...]}; bodies above the API's limit (1 MiB) are refused
// with 413. Replaying writes nothing.
func (s *Server) auditReplay(c echo.Context) error {
	if _, err := allow(c, RoleAuditor, RoleAdmin); err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(c.Request().Body); err != nil {
		return fmt.Errorf("read body: %w", err) // the body limit answers 413 itself
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &body); err != nil {
		return problem(http.StatusBadRequest, "malformed JSON body: "+err.Error())
	}
	var h *historypb.History
	source := "upload"
	_, hasID := body["procedure_id"]
	_, hasEvents := body["events"]
	switch {
	case hasID && !hasEvents && len(body) == 1:
		var id string
		if err := json.Unmarshal(body["procedure_id"], &id); err != nil || strings.TrimSpace(id) == "" || bounds.PathID(id) != "" {
			return invalid(FieldError{"procedure_id", "must be a procedure ID"})
		}
		sh, err := s.loadHistory(c, id)
		if err != nil {
			return s.historyError(c, err)
		}
		h, source = sh.h, sh.source
	case hasEvents && !hasID:
		var err error
		if h, err = workflows.ReadHistoryJSON(bytes.NewReader(buf.Bytes())); err != nil {
			return invalid(FieldError{"events", err.Error()})
		}
		if err := codec.DecodeHistory(c.Request().Context(), s.Codec, h); err != nil {
			return invalid(FieldError{"events", err.Error()})
		}
	default:
		return invalid(FieldError{"body", `send {"procedure_id": ID} or a Temporal JSON history {"events": [...]}`})
	}
	out := replayResult{Result: "consistent", Events: len(h.GetEvents()), Source: source}
	if err := workflows.Replay(h); err != nil {
		out.Result, out.Error = "divergent", err.Error()
		var d *workflows.Divergence
		if errors.As(err, &d) {
			out.EventID = d.EventID
		}
	}
	return c.JSON(http.StatusOK, out)
}
