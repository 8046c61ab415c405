package api

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/cityapprovals/approvals/audit"
	"github.com/cityapprovals/approvals/models"
	"github.com/labstack/echo/v4"
)

// procedureExport answers with a zip archive of a procedure for archiving:
// history.json (Temporal's JSON history, its payloads decrypted, from Temporal
// or, after its retention, the archive: the manifest's source says which),
// timeline.json, profile.json (the regulation profile the procedure ran
// under, from its start input; for a share request filed with its rules cut
// from the profile, those rules and the profile version's hash),
// events.json (the chained event log),
// manifest.json with the SHA-256 of each and the chain head, and
// manifest.sig, the manifest's Ed25519 signature (`approvals verify` checks
// it all offline). Auditors and admins only.
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
	if s.SigningKey == nil {
		return problem(http.StatusServiceUnavailable, "exports are signed and this server has no signing key (APPROVALS_SIGNING_KEY)")
	}
	events, err := models.ChainEvents(s.DB.WithContext(ctx), p.ID)
	if err != nil {
		return err
	}
	m := audit.Manifest{ProcedureID: p.ID, WorkflowID: p.WorkflowID, Source: sh.source}
	zip, err := audit.SignedArchive(m, []audit.File{
		{Name: "history.json", Data: hb}, {Name: "timeline.json", Data: tb}, {Name: "profile.json", Data: pb},
	}, events, s.SigningKey, s.now())
	if err != nil {
		return fmt.Errorf("export %s: %w", p.ID, err)
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="procedure-export.zip"`)
	return c.Blob(http.StatusOK, "application/zip", zip)
}

// signingKey answers with the public key that verifies exports (public: a
// verifier needs no account).
func (s *Server) signingKey(c echo.Context) error {
	if s.SigningKey == nil {
		return problem(http.StatusServiceUnavailable, "this server has no signing key (APPROVALS_SIGNING_KEY)")
	}
	return c.JSON(http.StatusOK, audit.KeyInfo(s.SigningKey.Public().(ed25519.PublicKey)))
}

// chainReport is the answer of GET /procedures/{id}/chain.
type chainReport struct {
	ProcedureID string             `json:"procedure_id"`
	Events      int                `json:"events"` // chained events
	Head        *audit.ChainRef    `json:"head"`
	Intact      bool               `json:"intact"`
	Broken      *models.ChainBreak `json:"broken,omitempty"`
}

// procedureChain verifies a procedure's event chain in the database and
// names the first broken event. Auditors and admins only.
func (s *Server) procedureChain(c echo.Context) error {
	if _, err := allow(c, RoleAuditor, RoleAdmin); err != nil {
		return err
	}
	p, err := s.procedureFor(c, c.Param("id"))
	if err != nil {
		return err
	}
	db := s.DB.WithContext(c.Request().Context())
	broken, err := models.VerifyChain(db, p.ID)
	if err != nil {
		return err
	}
	evs, err := models.ChainEvents(db, p.ID)
	if err != nil {
		return err
	}
	out := chainReport{ProcedureID: p.ID, Head: &audit.ChainRef{}, Intact: broken == nil, Broken: broken}
	for _, e := range evs {
		if e.Seq > 0 {
			out.Events++
			out.Head.Events, out.Head.Seq, out.Head.Hash = out.Events, e.Seq, e.Hash
		}
	}
	return c.JSON(http.StatusOK, out)
}
