package api

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cityapprovals/approvals/bounds"
	"github.com/cityapprovals/approvals/workflows"
)

// decoders are the request bodies of every route, each decoded by bind.
var decoders = map[string]func() any{
	"departments": func() any { return &departmentInput{} }, "catalog/items": func() any { return &catalogInput{} },
	"catalog/triggers": func() any { return &workflows.TriggerFiling{} }, "catalog/changes": func() any { return &changeInput{} },
	"catalog/changes/resubmit": func() any { return &resubmitInput{} }, "share-requests": func() any { return &workflows.ShareFiling{} },
	"disputes": func() any { return &workflows.DisputeFiling{} }, "classifications": func() any { return &workflows.ClassificationFiling{} },
	"temporary-adjustments": func() any { return &workflows.AdjustmentFiling{} }, "temporary-adjustments/renew": func() any { return &renewInput{} },
	"objections": func() any { return &workflows.ObjectionFiling{} }, "open-applications": func() any { return &workflows.OpenFiling{} },
	"open-applications/resubmit": func() any { return &workflows.OpenFieldsFiling{} }, "open-applications/agreement": func() any { return &agreementInput{} },
	"tasks/decision": func() any { return &decisionInput{} }, "calendar/years": func() any { return &yearInput{} },
}

// Every bound tag of every request body names a known kind.
func TestBoundTags(t *testing.T) {
	for name, mk := range decoders {
		if bad := bounds.Tags(mk()); len(bad) > 0 {
			t.Errorf("%s: unknown bound tags %v", name, bad)
		}
	}
}

// FuzzDecoders sends the same body to every route's decoder: none panics,
// every refusal names a field, and what one accepts encodes without NUL or
// control characters and passes its bounds again.
func FuzzDecoders(f *testing.F) {
	// The seeds are in testdata/fuzz/FuzzDecoders.
	f.Fuzz(func(t *testing.T, raw []byte) {
		for name, mk := range decoders {
			v := mk()
			errs, _ := bounds.Decode(raw, v)
			for _, e := range errs {
				if e.Field == "" || strings.Contains(e.Message, "api.") || strings.Contains(e.Message, "struct {") {
					t.Fatalf("%s: refusal %+v names no field or shows Go types", name, e)
				}
			}
			if len(errs) > 0 {
				continue
			}
			out, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("%s: accepted a value that does not encode: %v", name, err)
			}
			if strings.Contains(string(out), `\u0000`) || strings.Contains(string(out), `\u001b`) {
				t.Fatalf("%s: accepted a control character: %s", name, out)
			}
			if again := bounds.Check(v); len(again) > 0 {
				t.Fatalf("%s: accepted what its bounds refuse: %v", name, again)
			}
		}
	})
}
