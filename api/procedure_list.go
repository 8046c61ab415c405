package api

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/cityapprovals/approvals/archive"
	"github.com/cityapprovals/approvals/audit"
	"github.com/cityapprovals/approvals/models"
	"github.com/labstack/echo/v4"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// procedureSummary is one procedure as Temporal visibility knows it, or as
// the archive kept it after Temporal's retention (source).
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
	Source          string `json:"source"` // temporal or archive
}

// The page token of the procedure list is one of two phases: "t" and
// Temporal's page token while visibility lists, then "a" and a cursor over
// the archive's rows of the procedures Temporal no longer has.
const (
	phaseTemporal = 't'
	phaseArchive  = 'a'
)

// archiveCursor is the last archive row a page listed.
type archiveCursor struct {
	StartedAt  time.Time `json:"s"`
	WorkflowID string    `json:"w"`
	RunID      string    `json:"r"`
}

// listProcedures lists procedures of every kind, filtered by jurisdiction,
// procedure, status, department (dept: requester or provider), overdue and filing time (from, to): first those Temporal
// visibility has (newest first, with Temporal's paging), then those only the
// archive still holds (Temporal's retention is over; newest first). Each
// says its source.
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
	badToken := func(why string) error {
		return problem(http.StatusBadRequest, "page_token is not one this API issued"+why, FieldError{"page_token", "invalid"})
	}
	phase, rest := byte(phaseTemporal), []byte(nil)
	if v := c.QueryParam("page_token"); v != "" {
		tok := s.openToken(v)
		if len(tok) == 0 || (tok[0] != phaseTemporal && tok[0] != phaseArchive) {
			return badToken("")
		}
		phase, rest = tok[0], tok[1:]
	}
	ctx := c.Request().Context()
	out := list[procedureSummary]{Items: []procedureSummary{}}
	var cur *archiveCursor
	if phase == phaseTemporal {
		resp, err := s.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			PageSize: int32(size), NextPageToken: rest, Query: f.Query(),
		})
		if err != nil {
			if len(rest) > 0 {
				return badToken(": " + err.Error())
			}
			return fmt.Errorf("list procedures: %w", err)
		}
		for _, w := range resp.GetExecutions() {
			out.Items = append(out.Items, summaryOf(w))
		}
		if next := resp.GetNextPageToken(); len(next) > 0 {
			out.NextPageToken = s.sealToken(append([]byte{phaseTemporal}, next...))
			return c.JSON(http.StatusOK, out)
		}
		cur = &archiveCursor{}
	} else {
		cur = &archiveCursor{}
		if err := json.Unmarshal(rest, cur); err != nil {
			return badToken("")
		}
	}
	if s.Archive == nil {
		return c.JSON(http.StatusOK, out)
	}
	items, next, err := s.archivedOnly(ctx, f, cur, size-len(out.Items))
	if err != nil {
		return err
	}
	out.Items = append(out.Items, items...)
	if next != nil {
		b, err := json.Marshal(next)
		if err != nil {
			return fmt.Errorf("encode page token: %w", err)
		}
		out.NextPageToken = s.sealToken(append([]byte{phaseArchive}, b...))
	}
	return c.JSON(http.StatusOK, out)
}

// summaryOf is a procedure as visibility lists it.
func summaryOf(w *workflowpb.WorkflowExecutionInfo) procedureSummary {
	return summary(archive.RecordOf(w), SourceTemporal)
}

// runID is what a Temporal run ID looks like (a UUID), checked before it
// goes into a visibility query.
var runID = regexp.MustCompile(`^[0-9A-Fa-f-]{1,64}$`)

// archivedOnly lists up to n archived procedures matching the filter after
// the cursor that Temporal no longer has, and the cursor to go on from (nil
// when the archive has no more).
func (s *Server) archivedOnly(ctx context.Context, f audit.ListFilter, cur *archiveCursor, n int) ([]procedureSummary, *archiveCursor, error) {
	out := []procedureSummary{}
	if n <= 0 {
		return out, cur, nil
	}
	// Rows Temporal still has are skipped; they come in batches of at least
	// archiveBatch, each looked up in visibility.
	batch := max(n, archiveBatch)
	for {
		q := archiveFilter(s.DB.WithContext(ctx).Model(&models.ArchivedHistory{}), f)
		if !cur.StartedAt.IsZero() {
			q = q.Where("started_at < ? OR (started_at = ? AND (workflow_id < ? OR (workflow_id = ? AND run_id < ?)))",
				cur.StartedAt, cur.StartedAt, cur.WorkflowID, cur.WorkflowID, cur.RunID)
		}
		var rows []models.ArchivedHistory
		if err := q.Omit("gzip").Order("started_at DESC, workflow_id DESC, run_id DESC").Limit(batch).Find(&rows).Error; err != nil {
			return nil, nil, fmt.Errorf("list archived procedures: %w", err)
		}
		inTemporal, err := s.stillInTemporal(ctx, rows)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range rows {
			cur = &archiveCursor{StartedAt: r.StartedAt, WorkflowID: r.WorkflowID, RunID: r.RunID}
			if inTemporal[r.RunID] {
				continue // listed from visibility
			}
			out = append(out, summary(r, SourceArchive))
			if len(out) == n {
				return out, cur, nil
			}
		}
		if len(rows) < batch {
			return out, nil, nil
		}
	}
}

// archiveFilter applies a list filter to archived rows, as ListFilter.Query
// does to visibility.
func archiveFilter(q *gorm.DB, f audit.ListFilter) *gorm.DB {
	col := func(name string) clause.Column { return clause.Column{Name: name} }
	if f.Jurisdiction != "" {
		q = q.Where(clause.Eq{Column: col("jurisdiction"), Value: f.Jurisdiction})
	}
	if f.Procedure != "" {
		q = q.Where(clause.Eq{Column: col("procedure"), Value: f.Procedure})
	} else {
		q = q.Where(clause.Neq{Column: col("procedure"), Value: ""})
	}
	if f.Status != "" {
		q = q.Where(clause.Eq{Column: col("approval_status"), Value: f.Status})
	}
	if f.Dept != "" {
		q = q.Where(clause.Or(clause.Eq{Column: col("requester_dept"), Value: f.Dept}, clause.Eq{Column: col("provider_dept"), Value: f.Dept}))
	}
	switch {
	case f.Overdue == nil:
	case *f.Overdue:
		q = q.Where("overdue = ?", true)
	default:
		q = q.Where("(overdue = ? OR overdue IS NULL)", false)
	}
	if f.From != nil {
		q = q.Where("started_at >= ?", f.From.UTC())
	}
	if f.To != nil {
		q = q.Where("started_at < ?", f.To.UTC())
	}
	return q
}

// archiveBatch is how many archived rows the list reads at a time, and
// how many run IDs one visibility query looks up.
const archiveBatch = 100

// stillInTemporal says which archived runs visibility still lists.
func (s *Server) stillInTemporal(ctx context.Context, rows []models.ArchivedHistory) (map[string]bool, error) {
	have := map[string]bool{}
	var ids []string
	for _, r := range rows {
		if runID.MatchString(r.RunID) {
			ids = append(ids, "'"+r.RunID+"'")
		}
	}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), archiveBatch)]
		ids = ids[len(chunk):]
		req := &workflowservice.ListWorkflowExecutionsRequest{PageSize: int32(len(chunk)), Query: "RunId IN (" + strings.Join(chunk, ", ") + ")"}
		for {
			resp, err := s.Temporal.ListWorkflow(ctx, req)
			if err != nil {
				return nil, fmt.Errorf("look archived runs up in visibility: %w", err)
			}
			for _, w := range resp.GetExecutions() {
				have[w.GetExecution().GetRunId()] = true
			}
			if req.NextPageToken = resp.GetNextPageToken(); len(req.NextPageToken) == 0 {
				break
			}
		}
	}
	return have, nil
}

// summary is a procedure as the list shows it, from visibility's record of
// it or the archive's.
func summary(r models.ArchivedHistory, source string) procedureSummary {
	p := procedureSummary{
		ID: r.WorkflowID, WorkflowType: r.WorkflowType, Procedure: r.Procedure, Jurisdiction: r.Jurisdiction,
		ApprovalStatus: r.ApprovalStatus, RequesterDept: r.RequesterDept, ProviderDept: r.ProviderDept,
		ExecutionStatus: r.ExecutionStatus, StartedAt: beijing(r.StartedAt), Source: source,
	}
	if !r.ClosedAt.IsZero() {
		p.ClosedAt = beijing(r.ClosedAt)
	}
	if r.DueAt != nil {
		p.DueAt = beijing(*r.DueAt)
	}
	if r.Overdue != nil {
		p.Overdue = *r.Overdue
	}
	return p
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
