package api

import (
	"crypto/ed25519"
	"errors"
	"net/http"

	"github.com/cityapprovals/approvals/audit"
	"github.com/labstack/echo/v4"
)

// verifyResult is the answer of POST /audit/verify: what `approvals verify`
// prints, as JSON.
type verifyResult struct {
	Verified    bool          `json:"verified"`
	Checks      []audit.Check `json:"checks"`
	Failed      string        `json:"failed,omitempty"` // what broke first (a file's name, manifest.sig, "event N (ID)")
	Reason      string        `json:"reason,omitempty"`
	ProcedureID string        `json:"procedure_id,omitempty"`
	WorkflowID  string        `json:"workflow_id,omitempty"`
	ExportedAt  *audit.Stamp  `json:"exported_at,omitempty"`
	KeyID       string        `json:"key_id"`
}

// auditVerify checks an export archive (the body, application/zip) as
// `approvals verify` does, with this server's public key: the manifest's
// signature, every file's SHA-256 and the event chain (audit.VerifyExport).
// A body that is no zip archive is a 422 naming archive; an archive that
// does not verify answers 200 with verified false and the check that broke.
// Auditors and admins only; writes nothing.
func (s *Server) auditVerify(c echo.Context) error {
	if _, err := allow(c, RoleAuditor, RoleAdmin); err != nil {
		return err
	}
	if s.SigningKey == nil {
		return problem(http.StatusServiceUnavailable, "exports are verified with this server's key and it has none (APPROVALS_SIGNING_KEY)")
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	if len(body) == 0 {
		return invalid(FieldError{"archive", "is required: send the export (a zip archive) as the body"})
	}
	pub := s.SigningKey.Public().(ed25519.PublicKey)
	checks, m, err := audit.VerifyExport(body, pub)
	out := verifyResult{Verified: err == nil, Checks: checks, KeyID: audit.KeyInfo(pub).KeyID}
	if out.Checks == nil {
		out.Checks = []audit.Check{}
	}
	var ve *audit.VerifyError
	switch {
	case err == nil:
		out.ProcedureID, out.WorkflowID, out.ExportedAt = m.ProcedureID, m.WorkflowID, &m.ExportedAt
	case errors.As(err, &ve) && ve.What == "archive":
		return invalid(FieldError{"archive", "is not a zip archive: " + ve.Reason})
	case errors.As(err, &ve):
		out.Failed, out.Reason = ve.What, ve.Reason
	default:
		return err
	}
	return c.JSON(http.StatusOK, out)
}
