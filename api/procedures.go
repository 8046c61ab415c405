package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cityapprovals/approvals/archive"
	"github.com/cityapprovals/approvals/audit"
	"github.com/cityapprovals/approvals/codec"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
)

// Where a procedure's history was read: from Temporal while it
// keeps the execution, from the archive after its retention; "expired" when
// it left Temporal before it was archived.
const (
	SourceTemporal = "temporal"
	SourceArchive  = "archive"
	SourceExpired  = "expired"
)

// HeaderHistorySource names the source of a history answer.
const HeaderHistorySource = "X-History-Source"

// storedHistory is a procedure's history and where it was read.
type storedHistory struct {
	h      *historypb.History
	json   []byte // as archived, or as encoded now from Temporal
	source string
}

// expiredHistory is a procedure the database knows whose history Temporal
// no longer has and the archive never got.
type expiredHistory struct {
	p         audit.Procedure
	retention time.Duration
}

func (e *expiredHistory) Error() string { return e.message() }

func (e *expiredHistory) message() string {
	after := "Temporal's retention"
	if e.retention > 0 {
		after = fmt.Sprintf("%d days (Temporal's retention)", int(e.retention.Hours()/24))
	}
	return fmt.Sprintf("the history of procedure %s expired after %s before it was archived; its database timeline is what is known", e.p.ID, after)
}

// expiredProblem is the 410 answer for an expired history: a problem with
// the retention and the procedure's database timeline.
type expiredProblem struct {
	Problem
	Source        string         `json:"source"`
	RetentionDays int            `json:"retention_days,omitempty"`
	Timeline      audit.Timeline `json:"timeline"`
}

// loadHistory reads a workflow's whole history from Temporal, else from the
// archive. A workflow in neither is an *expiredHistory when the database
// knows the procedure, else a 404.
func (s *Server) loadHistory(c echo.Context, id string) (storedHistory, error) {
	ctx := c.Request().Context()
	h, err := workflows.FetchHistory(ctx, s.Temporal, id)
	var nf *serviceerror.NotFound
	switch {
	case err == nil:
		return s.decoded(ctx, id, h, SourceTemporal)
	case !errors.As(err, &nf):
		return storedHistory{}, err
	}
	if s.Archive != nil {
		_, b, err := s.Archive.Get(ctx, id)
		switch {
		case err == nil:
			h, err := workflows.ReadHistoryJSON(bytes.NewReader(b))
			if err != nil {
				return storedHistory{}, fmt.Errorf("archived history of %s: %w", id, err)
			}
			return s.decoded(ctx, id, h, SourceArchive)
		case !errors.Is(err, models.ErrNotArchived):
			return storedHistory{}, err
		}
	}
	p, err := s.procedureFor(c, id)
	if err != nil {
		return storedHistory{}, err // 404 when the database does not know it either
	}
	return storedHistory{}, &expiredHistory{p: p, retention: s.Retention}
}

// decoded decrypts a history's payloads for its reader (Temporal and the
// archive both hold them encrypted) and encodes it as Temporal's JSON history.
func (s *Server) decoded(ctx context.Context, id string, h *historypb.History, source string) (storedHistory, error) {
	if err := codec.DecodeHistory(ctx, s.Codec, h); err != nil {
		return storedHistory{}, fmt.Errorf("history of %s: %w", id, err)
	}
	b, err := archive.HistoryJSON(h)
	return storedHistory{h: h, json: b, source: source}, err
}

// historySource says where a procedure's history is now, without reading it.
func (s *Server) historySource(ctx context.Context, workflowID string) (string, error) {
	_, err := s.Temporal.DescribeWorkflow(ctx, workflowID, "")
	var nf *serviceerror.NotFound
	switch {
	case err == nil:
		return SourceTemporal, nil
	case !errors.As(err, &nf):
		return "", fmt.Errorf("describe %s: %w", workflowID, err)
	}
	if s.Archive != nil {
		if _, _, err := s.Archive.Get(ctx, workflowID); err == nil {
			return SourceArchive, nil
		} else if !errors.Is(err, models.ErrNotArchived) {
			return "", err
		}
	}
	return SourceExpired, nil
}

// historyError answers an expired history with 410 and the database
// timeline; other errors go to the error handler.
func (s *Server) historyError(c echo.Context, err error) error {
	var ex *expiredHistory
	if !errors.As(err, &ex) {
		return err
	}
	tl, terr := s.buildTimeline(c.Request().Context(), ex.p)
	if terr != nil {
		return terr
	}
	tl.Source, tl.Note = SourceExpired, ex.message()
	p := expiredProblem{Problem: *problem(http.StatusGone, ex.message()), Source: SourceExpired,
		RetentionDays: int(ex.retention.Hours() / 24), Timeline: tl}
	p.Instance = c.Request().URL.Path
	c.Response().Header().Set(HeaderHistorySource, SourceExpired)
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	return c.JSON(http.StatusGone, p)
}

// withSource adds "source" to a JSON history: the history stays loadable
// by the SDK (it ignores unknown fields) and says where it was read.
func withSource(b []byte, source string) []byte {
	i := bytes.IndexByte(b, '{')
	if i < 0 {
		return b
	}
	out := make([]byte, 0, len(b)+32)
	out = append(out, b[:i+1]...)
	out = append(out, fmt.Sprintf("\n  \"source\": %q,", source)...)
	return append(out, b[i+1:]...)
}

// procedureHistory answers with the history of a procedure as JSON, for
// auditors and admins, from Temporal or the archive ("source"; also the
// X-History-Source header). format=json is the only format, and the default.
func (s *Server) procedureHistory(c echo.Context) error {
	if _, err := allow(c, RoleAuditor, RoleAdmin); err != nil {
		return err
	}
	if f := c.QueryParam("format"); f != "" && f != "json" {
		return problem(http.StatusBadRequest, "format must be json", FieldError{"format", "must be json"})
	}
	sh, err := s.loadHistory(c, c.Param("id"))
	if err != nil {
		return s.historyError(c, err)
	}
	c.Response().Header().Set(HeaderHistorySource, sh.source)
	return c.JSONBlob(http.StatusOK, withSource(sh.json, sh.source))
}
