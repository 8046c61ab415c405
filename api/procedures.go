package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"google.golang.org/protobuf/encoding/protojson"
)

// procedureHistory answers with the Temporal history of a procedure as JSON,
// for auditors and admins.
func (s *Server) procedureHistory(c echo.Context) error {
	if _, err := allow(c, RoleAuditor, RoleAdmin); err != nil {
		return err
	}
	id := c.Param("id")
	it := s.Temporal.GetWorkflowHistory(c.Request().Context(), id, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	events := []json.RawMessage{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			var nf *serviceerror.NotFound
			if errors.As(err, &nf) {
				return problem(http.StatusNotFound, fmt.Sprintf("procedure %s not found", id))
			}
			return fmt.Errorf("read history of %s: %w", id, err)
		}
		b, err := protojson.Marshal(ev)
		if err != nil {
			return fmt.Errorf("encode history event: %w", err)
		}
		events = append(events, b)
	}
	return c.JSON(http.StatusOK, map[string]any{"events": events})
}
