package bench

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// historySize counts a workflow's history events and the bytes of every
// payload in them (data and metadata, as stored: encrypted when the codec
// encrypts), and breaks both down by part: the event's type, with the
// activity's or the Update's name for the events of one, the marker's
// (LocalActivity, Version) for a marker.
func historySize(ctx context.Context, tc client.Client, id string) (events, bytes int, parts map[string]*part, err error) {
	parts = map[string]*part{}
	names := map[int64]string{} // scheduled or accepted event ID → activity or Update name
	it := tc.GetWorkflowHistory(ctx, id, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return 0, 0, nil, fmt.Errorf("history of %s: %w", id, err)
		}
		n := payloadBytes(ev.ProtoReflect())
		events++
		bytes += n
		name := ev.GetEventType().String()
		switch {
		case ev.GetActivityTaskScheduledEventAttributes() != nil:
			names[ev.GetEventId()] = ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName()
			name += " " + names[ev.GetEventId()]
		case ev.GetActivityTaskStartedEventAttributes() != nil:
			name += " " + names[ev.GetActivityTaskStartedEventAttributes().GetScheduledEventId()]
		case ev.GetActivityTaskCompletedEventAttributes() != nil:
			name += " " + names[ev.GetActivityTaskCompletedEventAttributes().GetScheduledEventId()]
		case ev.GetMarkerRecordedEventAttributes() != nil: // a local activity's result, a version
			name += " " + ev.GetMarkerRecordedEventAttributes().GetMarkerName()
		case ev.GetWorkflowExecutionUpdateAcceptedEventAttributes() != nil:
			names[ev.GetEventId()] = ev.GetWorkflowExecutionUpdateAcceptedEventAttributes().GetAcceptedRequest().GetInput().GetName()
			name += " " + names[ev.GetEventId()]
		case ev.GetWorkflowExecutionUpdateCompletedEventAttributes() != nil:
			name += " " + names[ev.GetWorkflowExecutionUpdateCompletedEventAttributes().GetAcceptedEventId()]
		}
		name = strings.TrimPrefix(name, "EVENT_TYPE_")
		if parts[name] == nil {
			parts[name] = &part{}
		}
		parts[name].events++
		parts[name].bytes += n
	}
	return events, bytes, parts, nil
}

// part is what one kind of event adds to a history.
type part struct{ events, bytes int }

// printParts lists a history's parts, the largest payloads first.
func printParts(w io.Writer, title string, parts map[string]*part) {
	names := make([]string, 0, len(parts))
	for n := range parts {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := parts[names[i]], parts[names[j]]
		if a.bytes != b.bytes {
			return a.bytes > b.bytes
		}
		return names[i] < names[j]
	})
	fmt.Fprintf(w, "  %s history by event (events, payload bytes):\n", title)
	for _, n := range names {
		fmt.Fprintf(w, "    %-62s %3d %6d\n", n, parts[n].events, parts[n].bytes)
	}
}

var payloadName = (&commonpb.Payload{}).ProtoReflect().Descriptor().FullName()

// payloadBytes sums the sizes of the Payload messages within m.
func payloadBytes(m protoreflect.Message) int {
	if m.Descriptor().FullName() == payloadName {
		return proto.Size(m.Interface())
	}
	n := 0
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			l := v.List()
			for i := range l.Len() {
				n += payloadBytes(l.Get(i).Message())
			}
		case fd.IsMap() && fd.MapValue().Message() != nil:
			v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
				n += payloadBytes(mv.Message())
				return true
			})
		case fd.Message() != nil && !fd.IsList() && !fd.IsMap():
			n += payloadBytes(v.Message())
		}
		return true
	})
	return n
}
