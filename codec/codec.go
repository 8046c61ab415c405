// Package codec encrypts the payloads that Temporal stores (workflow and
// activity inputs and results, signals, updates, memos) with AES-256-GCM, so
// that the Temporal server and its database never hold applicants' personal
// data in clear. Keys are named by an ID that travels with each
// payload: payloads are encrypted with the current key and decrypted with
// whichever configured key encrypted them, so keys rotate by adding a new
// current key and keeping the old ones until no history needs them.
// Search attributes are not payloads the codec touches: visibility needs them.
package codec

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	commonpb "go.temporal.io/api/common/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/proxy"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"
)

// Metadata of an encrypted payload. New payloads carry one entry, MetaEncoding
// "binary/encrypted;<key ID>;<flags>" (see Encode); those of the first
// envelope, still decoded, carry Encoding, MetaKeyID and MetaCipher.
const (
	Encoding        = "binary/encrypted"
	MetaEncoding    = "encoding"
	MetaKeyID       = "encryption-key-id"
	MetaCipher      = "encryption-cipher"
	CipherAES256GCM = "AES256-GCM"
)

// Codec is a converter.PayloadCodec that encrypts with its current key and
// decrypts with any of its keys.
type Codec struct {
	current string
	keys    map[string]cipher.AEAD
}

// Parse reads keys as "id:base64key[,id:base64key…]" (each key 32 bytes, for
// AES-256) and the ID of the current one; current may be empty when there is
// one key.
func Parse(keys, current string) (*Codec, error) {
	c := &Codec{current: strings.TrimSpace(current), keys: map[string]cipher.AEAD{}}
	for i, kv := range strings.Split(keys, ",") {
		kv = strings.TrimSpace(kv)
		id, b64, ok := strings.Cut(kv, ":")
		if !ok || id == "" {
			return nil, fmt.Errorf("key %d: want id:base64key", i+1)
		}
		if _, dup := c.keys[id]; dup {
			return nil, fmt.Errorf("key %s given twice", id)
		}
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
		if err != nil {
			return nil, fmt.Errorf("key %s: not base64: %w", id, err)
		}
		if len(raw) != 32 {
			return nil, fmt.Errorf("key %s: %d bytes; AES-256 needs 32", id, len(raw))
		}
		block, _ := aes.NewCipher(raw) // 32 bytes: cannot fail
		aead, _ := cipher.NewGCM(block)
		c.keys[id] = aead
	}
	if c.current == "" {
		if len(c.keys) != 1 {
			return nil, fmt.Errorf("%d keys: name the current one", len(c.keys))
		}
		for id := range c.keys {
			c.current = id
		}
	}
	if _, ok := c.keys[c.current]; !ok {
		return nil, fmt.Errorf("current key %q is not among the keys (%s)", c.current, strings.Join(c.IDs(), ", "))
	}
	return c, nil
}

// NewKey returns a fresh key line "id:base64key", as Parse reads it; the ID
// is random (k + 8 hex digits).
func NewKey() string {
	id, key := make([]byte, 4), make([]byte, 32)
	_, _ = rand.Read(id) // crypto/rand does not fail
	_, _ = rand.Read(key)
	return "k" + hex.EncodeToString(id) + ":" + base64.StdEncoding.EncodeToString(key)
}

// IDs lists the key IDs, sorted.
func (c *Codec) IDs() []string {
	ids := make([]string, 0, len(c.keys))
	for id := range c.keys {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Current is the ID of the key new payloads are encrypted with.
func (c *Codec) Current() string { return c.current }

// Encode encrypts each payload, whole (data and metadata), with the current
// key, in the compact envelope: one metadata entry, the encoding
// "binary/encrypted;<key ID>;<flags>", which is also the ciphertext's
// associated data. Flag j: the sealed plaintext is the data of a json/plain
// payload (its metadata is implied); otherwise it is the payload marshalled
// whole. Flag z: the plaintext was compressed (DEFLATE, RFC 1951) before it
// was sealed, done whenever that makes it smaller. The envelope costs about
// 60 bytes a payload, against 150 for the three entries of the first one
// (issue 17: a history's payloads), which Decode still reads.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	aead := c.keys[c.current]
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, flags, err := pack(p)
		if err != nil {
			return nil, fmt.Errorf("encode payload: %w", err)
		}
		enc := []byte(Encoding + ";" + c.current + ";" + flags)
		nonce := make([]byte, aead.NonceSize())
		if _, err := rand.Read(nonce); err != nil {
			return nil, fmt.Errorf("encode payload: nonce: %w", err)
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{MetaEncoding: enc},
			Data:     aead.Seal(nonce, nonce, plain, enc),
		}
	}
	return out, nil
}

// pack is the plaintext Encode seals for p and its flags.
func pack(p *commonpb.Payload) ([]byte, string, error) {
	var plain []byte
	flags := ""
	if md := p.GetMetadata(); len(md) == 1 && string(md[converter.MetadataEncoding]) == converter.MetadataEncodingJSON {
		plain, flags = p.GetData(), "j"
	} else {
		var err error
		if plain, err = proto.Marshal(p); err != nil {
			return nil, "", err
		}
	}
	packed, err := deflate(plain)
	if err != nil {
		return nil, "", err
	}
	if len(packed) < len(plain) {
		plain, flags = packed, flags+"z"
	}
	return plain, flags, nil
}

// Decode decrypts the payloads this codec encrypted (in either envelope) and
// passes the others (written before the codec, or by another codec)
// through unchanged.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		enc := string(p.GetMetadata()[MetaEncoding])
		var id, flags string
		var aad []byte
		switch {
		case enc == Encoding: // the first envelope: key ID and cipher in entries of their own
			id = string(p.GetMetadata()[MetaKeyID])
			aad = []byte(id)
		case strings.HasPrefix(enc, Encoding+";") && strings.Count(enc, ";") >= 2:
			rest := enc[len(Encoding)+1:]
			cut := strings.LastIndex(rest, ";")
			id, flags = rest[:cut], rest[cut+1:]
			aad = []byte(enc)
		default:
			out[i] = p
			continue
		}
		aead, ok := c.keys[id]
		if !ok {
			return nil, fmt.Errorf("decode payload: encrypted with key %q, which is not configured (APPROVALS_CODEC_KEYS)", id)
		}
		data := p.GetData()
		if len(data) < aead.NonceSize() {
			return nil, fmt.Errorf("decode payload: encrypted data too short")
		}
		plain, err := aead.Open(nil, data[:aead.NonceSize()], data[aead.NonceSize():], aad)
		if err != nil {
			return nil, fmt.Errorf("decode payload with key %q: %w", id, err)
		}
		if strings.Contains(flags, "z") {
			if plain, err = inflate(plain); err != nil {
				return nil, fmt.Errorf("decode payload with key %q: %w", id, err)
			}
		}
		if strings.Contains(flags, "j") {
			out[i] = &commonpb.Payload{Metadata: map[string][]byte{converter.MetadataEncoding: []byte(converter.MetadataEncodingJSON)}, Data: plain}
			continue
		}
		var q commonpb.Payload
		if err := proto.Unmarshal(plain, &q); err != nil {
			return nil, fmt.Errorf("decode payload: %w", err)
		}
		out[i] = &q
	}
	return out, nil
}

// DataConverter is the SDK's default data converter with the codec on top;
// with no codec, the default one.
func DataConverter(c *Codec) converter.DataConverter {
	if c == nil {
		return converter.GetDefaultDataConverter()
	}
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
}

// DecodeHistory decrypts every payload of a history in place (search
// attributes are never encrypted), for auditors and the replayer. With no
// codec, a history without encrypted payloads passes and an encrypted one is
// an error naming the key it needs.
func DecodeHistory(ctx context.Context, c *Codec, h *historypb.History) error {
	if c == nil {
		c = &Codec{keys: map[string]cipher.AEAD{}}
	}
	err := proxy.VisitPayloads(ctx, h, proxy.VisitPayloadsOptions{
		SkipSearchAttributes: true,
		Visitor: func(_ *proxy.VisitPayloadsContext, p []*commonpb.Payload) ([]*commonpb.Payload, error) {
			return c.Decode(p)
		},
	})
	if err != nil {
		return fmt.Errorf("decode history: %w", err)
	}
	return nil
}

// EncodeHistory encrypts every payload of a history in place, as a history
// recorded with the codec holds them (for tests).
func EncodeHistory(ctx context.Context, c *Codec, h *historypb.History) error {
	err := proxy.VisitPayloads(ctx, h, proxy.VisitPayloadsOptions{
		SkipSearchAttributes: true,
		Visitor: func(_ *proxy.VisitPayloadsContext, p []*commonpb.Payload) ([]*commonpb.Payload, error) {
			return c.Encode(p)
		},
	})
	if err != nil {
		return fmt.Errorf("encode history: %w", err)
	}
	return nil
}

// FailureConverter encrypts failures' messages and stack traces too (they
// are kept in Failure.encoded_attributes, a payload), when there is a codec.
func FailureConverter(c *Codec) converter.FailureConverter {
	return temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
		DataConverter: DataConverter(c), EncodeCommonAttributes: c != nil})
}

// writers and readers are the flate compressors and decompressors reused
// across payloads: a compressor at the best compression allocates about
// 1 MiB of tables, which per payload was a sixth of the worker's CPU in a
// storm of expired deadlines (allocation and garbage collection; README,
// Issue 17). A reset compressor writes the same bytes as a new one.
var (
	writers = sync.Pool{New: func() any {
		w, _ := flate.NewWriter(nil, flate.BestCompression) // the level is valid: no error
		return w
	}}
	readers = sync.Pool{New: func() any { return flate.NewReader(bytes.NewReader(nil)) }}
)

// deflate compresses b at the best compression: payloads are small and
// written once.
func deflate(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w := writers.Get().(*flate.Writer)
	defer writers.Put(w)
	w.Reset(&buf)
	if _, err := w.Write(b); err != nil {
		return nil, fmt.Errorf("deflate: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("deflate: %w", err)
	}
	return buf.Bytes(), nil
}

// maxPayload bounds an inflated payload: Temporal refuses payloads above
// 2 MiB by default, so nothing larger was ever sealed.
const maxPayload = 4 << 20

// inflate reverses deflate.
func inflate(b []byte) ([]byte, error) {
	r := readers.Get().(io.ReadCloser)
	defer readers.Put(r)
	if err := r.(flate.Resetter).Reset(bytes.NewReader(b), nil); err != nil {
		return nil, fmt.Errorf("inflate: %w", err)
	}
	out, err := io.ReadAll(io.LimitReader(r, maxPayload+1))
	if err != nil {
		return nil, fmt.Errorf("inflate: %w", err)
	}
	if len(out) > maxPayload {
		return nil, fmt.Errorf("inflate: payload larger than %d bytes", maxPayload)
	}
	return out, nil
}
