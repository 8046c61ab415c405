package workflows

import (
	"context"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/proxy"
	"google.golang.org/protobuf/proto"
)

// Issue 17's target for a share request's lifecycle (filed, decided by the
// provider, granted): at most 40 history events and 2 KB of payloads, as
// Temporal holds them (encrypted by the codec; search attributes, which it
// leaves in clear, counted too). Histories recorded from the e2e suite
// (RECORD_HISTORIES=1): the one filed with the share rules (-compact) meets
// it; the one recorded before them does not, so the count can fail. Xiamen's
// request has two deciders (two tasks, two decisions, two closings): its
// events are held to 40, its bytes only logged (2,393 when recorded).
func TestShareLifecycleHistorySize(t *testing.T) {
	for _, c := range []struct {
		file       string
		fits, size bool
	}{
		{"wuhan-approved-compact.json", true, true},
		{"wuhan-approved-local-activities.json", false, true},
		{"xiamen-both-approve-encrypted-compact.json", true, false},
	} {
		events, bytes := historySize(t, "testdata/histories/"+c.file)
		t.Logf("%s: %d events, %d bytes of payloads", c.file, events, bytes)
		fits := events <= 40 && (bytes <= 2048 || !c.size)
		if fits != c.fits {
			t.Errorf("%s: %d events, %d bytes of payloads: within 40 events and 2,048 bytes is %v, want %v", c.file, events, bytes, fits, c.fits)
		}
	}
}

// historySize counts a recorded history's events and the bytes of every
// payload in them, as stored.
func historySize(t *testing.T, file string) (events, bytes int) {
	t.Helper()
	h := readHistoryFile(t, file)
	err := proxy.VisitPayloads(context.Background(), h, proxy.VisitPayloadsOptions{
		Visitor: func(_ *proxy.VisitPayloadsContext, ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
			for _, p := range ps {
				bytes += proto.Size(p)
			}
			return ps, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return len(h.GetEvents()), bytes
}
