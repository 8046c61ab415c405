package codec

import (
	"fmt"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
)

// A payload the size of a share request's decision or task input (about
// 700 B of JSON): what a workflow task encodes and decodes several times.
func benchPayload(b *testing.B) (*Codec, []*commonpb.Payload) {
	c, err := Parse(NewKey(), "")
	if err != nil {
		b.Fatal(err)
	}
	var s strings.Builder
	for i := range 12 {
		fmt.Fprintf(&s, `"field_%d":"武汉市公共数据资源管理办法 第十七条 %d",`, i, i)
	}
	p, err := DataConverter(nil).ToPayload(map[string]string{"body": "{" + s.String() + "}"})
	if err != nil {
		b.Fatal(err)
	}
	return c, []*commonpb.Payload{p}
}

func BenchmarkEncode(b *testing.B) {
	c, ps := benchPayload(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Encode(ps); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	c, ps := benchPayload(b)
	enc, err := c.Encode(ps)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Decode(enc); err != nil {
			b.Fatal(err)
		}
	}
}
