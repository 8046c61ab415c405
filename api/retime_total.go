package api

import (
	"context"
	"fmt"

	"github.com/cityapprovals/approvals/activities"
	"github.com/cityapprovals/approvals/workflows"
	"go.temporal.io/api/workflowservice/v1"
)

// retimeProgress is a re-timing's progress with how far along it is, for a
// progress bar.
type retimeProgress struct {
	workflows.RetimeProgress
	// Total is what the job has to tell: while it runs, the procedures
	// its query finds now (those told are still found: they recomputed
	// their deadline but kept running) plus those found gone, an estimate
	// (procedures filed meanwhile count too), never below those dealt with;
	// once done, those told or found gone.
	Total int `json:"total"`
	// Percent is the share of Total dealt with, 100 only once done.
	Percent int `json:"percent"`
}

// withTotal counts, while a re-timing of its year runs, the procedures its
// query still finds.
func (s *Server) withTotal(ctx context.Context, p workflows.RetimeProgress) (retimeProgress, error) {
	out := retimeProgress{RetimeProgress: p}
	dealt := p.Signalled + p.Gone
	if p.Done {
		out.Total, out.Percent = dealt, 100
		return out, nil
	}
	resp, err := s.Temporal.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: activities.RetimeQuery(p.Year)})
	if err != nil {
		return out, fmt.Errorf("count the procedures re-timing %d: %w", p.Year, err)
	}
	out.Total = max(dealt, int(resp.GetCount())+p.Gone)
	if out.Total > 0 {
		out.Percent = min(99, dealt*100/out.Total)
	}
	return out, nil
}
