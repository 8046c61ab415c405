package workflows

import (
	"fmt"

	"github.com/cityapprovals/approvals/activities"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"go.temporal.io/sdk/workflow"
)

// ProcedureOpenConversion names the conversion of qualifying data.
const ProcedureOpenConversion = models.ProcedureOpenConversion

// OpenConversionInput starts a conversion: the authority's decision (its
// BaseVersion the item's version when filed) and the city's rules then.
type OpenConversionInput struct {
	Conversion models.OpenConversion
	Profile    regulations.Profile
}

// OpenConversionResult is a conversion as its workflow sees it.
type OpenConversionResult struct {
	Header
}

// OpenConversion applies the authority's decision that an item qualifies for
// a wider open type (weifang 第二十四条第二款: 应及时转为无条件开放类): at once,
// as a new catalog version, the decision cited on the version's event; an
// item changed since the decision is a conflict and nothing changes.
func OpenConversion(ctx workflow.Context, in OpenConversionInput) (OpenConversionResult, error) {
	c := in.Conversion
	st := OpenConversionResult{Header: Header{ID: c.ID, Status: models.ConversionPending, Article: c.Article}}
	box, err := begin(ctx, ProcedureOpenConversion, c.Jurisdiction, in.Profile, &st, &st.Header, nil)
	if err != nil {
		return st, err
	}
	c.Status = models.ConversionPending
	if err := record(ctx, acts.RecordOpenConversion, c.ID, c); err != nil {
		return st, err
	}
	u := activities.Progress{ID: c.ID, Status: models.ConversionApplied, Event: "applied", Key: "outcome", Actor: c.SubmittedBy,
		Article: c.Article, Note: "decision " + c.Decision, At: workflow.Now(ctx)}
	var res activities.ItemEditResult
	if err := execute(ctx, acts.ApplyOpenConversion, activities.ApplyOpenConversionInput{
		Update: u, ItemID: c.CatalogItemID, BaseVersion: c.BaseVersion, OpenType: c.ToOpenType,
	}).Get(ctx, &res); err != nil {
		return st, fmt.Errorf("apply %s: %w", c.ID, err)
	}
	st.Status = models.ConversionApplied
	if !res.Applied {
		st.Status = models.ConversionConflict
	}
	st.Filed = true
	return st, conclude(ctx, box, st.Status)
}
