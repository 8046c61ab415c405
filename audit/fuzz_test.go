package audit

import (
	"net/url"
	"testing"
	"time"
)

// FuzzParseListFilter: any query either is refused naming a parameter or
// gives a filter whose times lie within the bounds and whose query can be sent.
func FuzzParseListFilter(f *testing.F) {
	// The seeds are in testdata/fuzz/FuzzParseListFilter.
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		lf, err := ParseListFilter(q, []string{"wuhan", "xiamen"})
		if err != nil {
			if pe, ok := err.(*ParamError); !ok || pe.Param == "" {
				t.Fatalf("refusal %v names no parameter", err)
			}
			return
		}
		for _, b := range []*time.Time{lf.From, lf.To} {
			if b != nil && (b.Year() < 1999 || b.Year() > 2101) {
				t.Fatalf("accepted %s", b)
			}
		}
		_ = lf.Query()
	})
}
