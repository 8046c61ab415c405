package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/cityapprovals/approvals/audit"
	"github.com/labstack/echo/v4"
)

// procedureExport answers with a zip archive of a procedure for archiving:
// history.json (Temporal's JSON history, from Temporal or, after its
// retention, the archive: the manifest's source says which), timeline.json,
// profile.json (the regulation profile the procedure ran under, from its
// start input) and manifest.json with the SHA-256 of each. Auditors and
// admins only.
func (s *Server) procedureExport(c echo.Context) error {
	if _, err := allow(c, RoleAuditor, RoleAdmin); err != nil {
		return err
	}
	p, err := s.procedureFor(c, c.Param("id"))
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	sh, err := s.loadHistory(c, p.WorkflowID)
	if err != nil {
		return s.historyError(c, err)
	}
	h, hb := sh.h, sh.json
	profile, err := audit.ProfileOf(h)
	if err != nil && !errors.Is(err, audit.ErrNoProfile) {
		return fmt.Errorf("profile of %s: %w", p.ID, err)
	}
	if profile == nil {
		profile = json.RawMessage("null")
	}
	pb, err := json.MarshalIndent(profile, "", "  ")
	if err != nil {
		return fmt.Errorf("encode profile of %s: %w", p.ID, err)
	}
	tl, err := s.buildTimeline(ctx, p)
	if err != nil {
		return err
	}
	tl.Source = sh.source
	tb, err := json.MarshalIndent(tl, "", "  ")
	if err != nil {
		return fmt.Errorf("encode timeline of %s: %w", p.ID, err)
	}
	m := audit.Manifest{ProcedureID: p.ID, WorkflowID: p.WorkflowID, Source: sh.source}
	zip, err := audit.ArchiveWith(m, []audit.File{
		{Name: "history.json", Data: hb}, {Name: "timeline.json", Data: tb}, {Name: "profile.json", Data: pb},
	}, s.now())
	if err != nil {
		return fmt.Errorf("export %s: %w", p.ID, err)
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="procedure-export.zip"`)
	return c.Blob(http.StatusOK, "application/zip", zip)
}
