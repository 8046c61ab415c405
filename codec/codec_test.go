package codec

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
)

// Payloads are encrypted whole (no clear text left) and decrypted with the
// key that encrypted them, also after the current key rotated; unencrypted
// payloads pass; an unknown key is named.
func TestEncryptRotateDecrypt(t *testing.T) {
	k1, k2 := NewKey(), NewKey()
	old, err := Parse(k1, "")
	if err != nil {
		t.Fatal(err)
	}
	id1, _, _ := strings.Cut(k1, ":")
	id2, _, _ := strings.Cut(k2, ":")
	dc := DataConverter(old)
	p, err := dc.ToPayload(map[string]string{"name": "张三", "id_number": "110101199003071234"})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(p.GetData(), []byte("110101199003071234")) || keyOf(p) != id1 || len(p.GetMetadata()) != 1 {
		t.Fatalf("payload not encrypted: %v", p)
	}
	rotated, err := Parse(k1+","+k2, id2)
	if err != nil || rotated.Current() != id2 {
		t.Fatal(err)
	}
	var got map[string]string
	if err := DataConverter(rotated).FromPayload(p, &got); err != nil || got["name"] != "张三" {
		t.Fatalf("decode after rotation: %v %v", got, err)
	}
	q, _ := DataConverter(rotated).ToPayload("x")
	if keyOf(q) != id2 {
		t.Fatalf("new payloads use %s", q.GetMetadata()[MetaEncoding])
	}
	plain, _ := converter.GetDefaultDataConverter().ToPayload("clear")
	var s string
	if err := DataConverter(rotated).FromPayload(plain, &s); err != nil || s != "clear" {
		t.Fatalf("unencrypted payload: %v %v", s, err)
	}
	only2, _ := Parse(k2, "")
	if _, err := only2.Decode([]*commonpb.Payload{p}); err == nil || !strings.Contains(err.Error(), id1) {
		t.Fatalf("unknown key: %v", err)
	}
	p.Data[len(p.Data)-1] ^= 1
	if _, err := old.Decode([]*commonpb.Payload{p}); err == nil {
		t.Fatal("a changed ciphertext decrypted")
	}
}

func TestParseRefusesBadKeys(t *testing.T) {
	for _, c := range []struct{ keys, current, want string }{
		{"nocolon", "", "id:base64key"},
		{"a:!!!", "", "not base64"},
		{"a:c2hvcnQ=", "", "32"},
		{NewKey() + "," + NewKey(), "", "name the current one"},
		{NewKey(), "zzz", "not among"},
	} {
		if _, err := Parse(c.keys, c.current); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q/%q: %v, want %q", c.keys, c.current, err, c.want)
		}
	}
}

// A history's payloads are encrypted and decrypted in place, search
// attributes left alone.
func TestHistoryRoundTrip(t *testing.T) {
	c, _ := Parse(NewKey(), "")
	in, _ := converter.GetDefaultDataConverter().ToPayloads("secret-name")
	sa, _ := converter.GetDefaultDataConverter().ToPayload("wuhan")
	h := &historypb.History{Events: []*historypb.HistoryEvent{{EventId: 1,
		Attributes: &historypb.HistoryEvent_WorkflowExecutionStartedEventAttributes{WorkflowExecutionStartedEventAttributes: &historypb.WorkflowExecutionStartedEventAttributes{
			Input: in, SearchAttributes: &commonpb.SearchAttributes{IndexedFields: map[string]*commonpb.Payload{"Jurisdiction": sa}}}}}}}
	if err := EncodeHistory(context.Background(), c, h); err != nil {
		t.Fatal(err)
	}
	attrs := h.Events[0].GetWorkflowExecutionStartedEventAttributes()
	if bytes.Contains(attrs.GetInput().GetPayloads()[0].GetData(), []byte("secret-name")) {
		t.Fatal("input not encrypted")
	}
	if string(attrs.GetSearchAttributes().GetIndexedFields()["Jurisdiction"].GetData()) != `"wuhan"` {
		t.Fatal("search attribute encrypted")
	}
	if err := DecodeHistory(context.Background(), c, h); err != nil {
		t.Fatal(err)
	}
	var s string
	if err := converter.GetDefaultDataConverter().FromPayloads(attrs.GetInput(), &s); err != nil || s != "secret-name" {
		t.Fatalf("decoded input %q %v", s, err)
	}
}

// Failure messages are encrypted too, and read back by the same converter.
func TestFailureMessagesEncrypted(t *testing.T) {
	c, _ := Parse(NewKey(), "")
	f := FailureConverter(c).ErrorToFailure(errors.New("applicant 张三 not found"))
	if strings.Contains(f.GetMessage(), "张三") || bytes.Contains(f.GetEncodedAttributes().GetData(), []byte("张三")) ||
		!strings.HasPrefix(string(f.GetEncodedAttributes().GetMetadata()[MetaEncoding]), Compact+";") {
		t.Fatalf("failure in clear: %v", f)
	}
	if err := FailureConverter(c).FailureToError(f); err == nil || !strings.Contains(err.Error(), "张三") {
		t.Fatalf("failure not read back: %v", err)
	}
}

// keyOf is the key ID in a payload's compact envelope.
func keyOf(p *commonpb.Payload) string {
	enc, ok := strings.CutPrefix(string(p.GetMetadata()[MetaEncoding]), Compact+";")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(enc, ";")
	return id
}

// A payload that compresses is deflated before it is sealed (flag z), one
// that does not is sealed as it is; a JSON payload is sealed without its
// metadata (flag j), another whole; all decode to what was encoded, as do
// payloads in the first envelope (three metadata entries).
func TestCompactEnvelope(t *testing.T) {
	k := NewKey()
	c, err := Parse(k, "")
	if err != nil {
		t.Fatal(err)
	}
	dc := DataConverter(c)
	long := strings.Repeat("武汉市公共数据资源管理办法 第十九条；", 100)
	p, err := dc.ToPayload(long)
	if err != nil {
		t.Fatal(err)
	}
	if enc := string(p.GetMetadata()[MetaEncoding]); enc != Compact+";"+c.Current()+";jd" || len(p.GetData()) > len(long)/4 {
		t.Fatalf("a repetitive payload of %d bytes sealed as %d bytes, %s", len(long), len(p.GetData()), enc)
	}
	short, err := dc.ToPayload("x")
	if err != nil {
		t.Fatal(err)
	}
	if enc := string(short.GetMetadata()[MetaEncoding]); enc != Compact+";"+c.Current()+";j" {
		t.Fatalf("a one-byte payload: %s", enc)
	}
	raw, err := DataConverter(c).ToPayload([]byte{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	if enc := string(raw.GetMetadata()[MetaEncoding]); enc != Compact+";"+c.Current()+";" {
		t.Fatalf("a binary payload: %s", enc)
	}
	var b []byte
	if err := dc.FromPayload(raw, &b); err != nil || !bytes.Equal(b, []byte{1, 2, 3}) {
		t.Fatalf("decode binary: %v %v", b, err)
	}
	for _, q := range []*commonpb.Payload{p, short, sealFirstEnvelope(t, c, long), sealWithoutDictionary(t, c, long)} {
		var got string
		if err := dc.FromPayload(q, &got); err != nil || (got != long && got != "x") {
			t.Fatalf("decode %s: %q %v", q.GetMetadata()[MetaEncoding], got, err)
		}
	}
	// The flags are authenticated: a payload whose flags were changed does
	// not decrypt.
	p.Metadata[MetaEncoding] = []byte(Compact + ";" + c.Current() + ";z")
	if _, err := c.Decode([]*commonpb.Payload{p}); err == nil {
		t.Fatal("a payload with changed flags decrypted")
	}
}

// sealFirstEnvelope seals s as the codec did before the compact envelope.
func sealFirstEnvelope(t *testing.T, c *Codec, s string) *commonpb.Payload {
	t.Helper()
	inner, err := converter.GetDefaultDataConverter().ToPayload(s)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := proto.Marshal(inner)
	if err != nil {
		t.Fatal(err)
	}
	aead := c.keys[c.current]
	nonce := make([]byte, aead.NonceSize())
	return &commonpb.Payload{
		Metadata: map[string][]byte{MetaEncoding: []byte(Encoding), MetaKeyID: []byte(c.current), MetaCipher: []byte(CipherAES256GCM)},
		Data:     aead.Seal(nonce, nonce, plain, []byte(c.current)),
	}
}

// sealWithoutDictionary seals s as the second envelope did, before the
// preset dictionary ("binary/encrypted;…", flag z: DEFLATE without one).
func sealWithoutDictionary(t *testing.T, c *Codec, s string) *commonpb.Payload {
	t.Helper()
	plain, err := deflate([]byte(`"`+s+`"`), nil)
	if err != nil {
		t.Fatal(err)
	}
	enc := []byte(Encoding + ";" + c.current + ";jz")
	aead := c.keys[c.current]
	nonce := make([]byte, aead.NonceSize())
	return &commonpb.Payload{Metadata: map[string][]byte{MetaEncoding: enc}, Data: aead.Seal(nonce, nonce, plain, enc)}
}

// The preset dictionary never changes: payloads sealed with it (flag d)
// inflate only with it, byte for byte. A better dictionary is a new file
// with a flag of its own.
func TestDictionaryFrozen(t *testing.T) {
	const want = "40624a6d11f596e8dbd14f478d396b653dd23efa2f03dbd00e30ccb0bf143349"
	sum := sha256.Sum256(dictionary1)
	if got := hex.EncodeToString(sum[:]); got != want {
		t.Fatalf("dictionary-1.txt changed (SHA-256 %s, was %s): payloads sealed with flag d would no longer decode", got, want)
	}
}

// The dictionary pays for itself on what a lifecycle carries: the SDK's
// local-activity marker and a deadline seal to fewer bytes with it.
func TestDictionaryShrinksMarkers(t *testing.T) {
	for _, s := range []string{
		`{"ActivityID":"4","ActivityType":"OpenTask","ReplayTime":"2026-12-01T15:49:20.763259485Z","Attempt":1,"Backoff":0}`,
		`{"due_date":"2026-12-14","due_at":"2026-12-15T00:00:00+08:00","provisional":false,"working_days":9,"CalendarVersion":"3f70f4001e66"}`,
	} {
		plain, err := deflate([]byte(s), nil)
		if err != nil {
			t.Fatal(err)
		}
		dict, err := deflate([]byte(s), dictionary1)
		if err != nil {
			t.Fatal(err)
		}
		if len(dict) >= len(plain)*2/3 {
			t.Errorf("%s: %d bytes with the dictionary, %d without", s, len(dict), len(plain))
		}
		back, err := inflate(dict, dictionary1)
		if err != nil || string(back) != s {
			t.Errorf("inflate: %q %v", back, err)
		}
	}
}
