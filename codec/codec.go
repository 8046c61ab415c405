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
	_ "embed"
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
// "e;<key ID>;<flags>" (Compact; see Encode); those of the second envelope,
// "binary/encrypted;<key ID>;<flags>", and of the first, which carry
// Encoding, MetaKeyID and MetaCipher, are still decoded.
const (
	Compact         = "e"
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
// "e;<key ID>;<flags>", which is also the ciphertext's associated data.
// Flag j: the sealed plaintext is the data of a json/plain payload (its
// metadata is implied); otherwise it is the payload marshalled whole. Flag d: the plaintext was compressed (DEFLATE, RFC 1951) with the
// preset dictionary 1 (dictionary-1.txt: the keys and recurring values of
// the procedures' payloads and of the SDK's local-activity markers), done
// whenever that makes it smaller; flag z, of payloads sealed before it, is
// DEFLATE without a dictionary. The envelope costs about 45 bytes a payload
// (the nonce, the tag, the entry), against 60 for the second one's
// "binary/encrypted;…" and 150 for the three entries of the first one
// (issue 17: a history's payloads), which Decode still reads.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	aead := c.keys[c.current]
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, flags, err := pack(p)
		if err != nil {
			return nil, fmt.Errorf("encode payload: %w", err)
		}
		enc := []byte(Compact + ";" + c.current + ";" + flags)
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
	packed, err := deflate(plain, dictionary1)
	if err != nil {
		return nil, "", err
	}
	if len(packed) < len(plain) {
		plain, flags = packed, flags+"d"
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
		case (strings.HasPrefix(enc, Compact+";") || strings.HasPrefix(enc, Encoding+";")) && strings.Count(enc, ";") >= 2:
			rest := enc[strings.Index(enc, ";")+1:]
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
		var dict []byte
		switch {
		case strings.Contains(flags, "d"):
			dict = dictionary1
			fallthrough
		case strings.Contains(flags, "z"):
			if plain, err = inflate(plain, dict); err != nil {
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

// dictionary1 is the preset DEFLATE dictionary of flag d. It is never
// changed: every payload sealed with it needs it, byte for byte, to inflate
// (TestDictionaryFrozen holds its SHA-256); a better one would be a new file
// and a new flag.
//
//go:embed dictionary-1.txt
var dictionary1 []byte

// deflate compresses b at the best compression (payloads are small and
// written once), with the preset dictionary dict when not nil. The
// compressors are pooled per dictionary (a reset writer keeps its
// dictionary): a new one allocates and clears about 800 KB of tables, which
// cost more than compressing a payload of a few hundred bytes (2 ms and
// 815 KB a payload, see BenchmarkEncode); a reset one compresses to the
// same bytes.
func deflate(b, dict []byte) ([]byte, error) {
	var buf bytes.Buffer
	pool := deflaters(dict)
	w, _ := pool.Get().(*flate.Writer)
	if w == nil {
		var err error
		if w, err = flate.NewWriterDict(&buf, flate.BestCompression, dict); err != nil {
			return nil, fmt.Errorf("deflate: %w", err)
		}
	} else {
		w.Reset(&buf)
	}
	defer pool.Put(w)
	if _, err := w.Write(b); err != nil {
		return nil, fmt.Errorf("deflate: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("deflate: %w", err)
	}
	return buf.Bytes(), nil
}

// plainDeflaters and dictDeflaters are the pooled compressors without a
// dictionary and with dictionary1; inflaters the pooled decompressors (a
// reader is reset with its dictionary).
var plainDeflaters, dictDeflaters, inflaters sync.Pool

// deflaters is the pool of compressors for dict: nil or dictionary1, the
// only dictionaries there are.
func deflaters(dict []byte) *sync.Pool {
	if dict == nil {
		return &plainDeflaters
	}
	if len(dict) != len(dictionary1) || &dict[0] != &dictionary1[0] { // the same slice, not merely equal bytes
		panic("codec: deflate with an unknown dictionary")
	}
	return &dictDeflaters
}

// maxPayload bounds an inflated payload: Temporal refuses payloads above
// 2 MiB by default, so nothing larger was ever sealed.
const maxPayload = 4 << 20

// inflate reverses deflate with the same dictionary.
func inflate(b, dict []byte) ([]byte, error) {
	var r io.ReadCloser
	if p, _ := inflaters.Get().(io.ReadCloser); p != nil {
		if err := p.(flate.Resetter).Reset(bytes.NewReader(b), dict); err != nil {
			return nil, fmt.Errorf("inflate: %w", err)
		}
		r = p
	} else {
		r = flate.NewReaderDict(bytes.NewReader(b), dict)
	}
	defer func() { _ = r.Close(); inflaters.Put(r) }()
	out, err := io.ReadAll(io.LimitReader(r, maxPayload+1))
	if err != nil {
		return nil, fmt.Errorf("inflate: %w", err)
	}
	if len(out) > maxPayload {
		return nil, fmt.Errorf("inflate: payload larger than %d bytes", maxPayload)
	}
	return out, nil
}
