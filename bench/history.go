package bench

import (
	"context"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// historySize counts a workflow's history events and the bytes of every
// payload in them (data and metadata, as stored: encrypted when the codec
// encrypts).
func historySize(ctx context.Context, tc client.Client, id string) (events, bytes int, err error) {
	it := tc.GetWorkflowHistory(ctx, id, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return 0, 0, fmt.Errorf("history of %s: %w", id, err)
		}
		events++
		bytes += payloadBytes(ev.ProtoReflect())
	}
	return events, bytes, nil
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
