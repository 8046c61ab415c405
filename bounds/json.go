package bounds

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
)

// Decode decodes a JSON request body strictly into v (a pointer to a
// struct) and checks it against its bounds (Check). It returns nil or the
// errors; malformed is true when the body could not be decoded at all
// (Unmarshal), false when values are outside their bounds.
func Decode(raw []byte, v any) (errs []Error, malformed bool) {
	if err := Unmarshal(raw, v); err != nil {
		return []Error{*err}, true
	}
	return Check(v), false
}

// Unmarshal decodes a JSON body strictly into v: unknown fields, trailing
// data and values of the wrong type are errors naming the field by its JSON
// path, never by Go type names.
func Unmarshal(raw []byte, v any) *Error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		e := decodeError(raw, err)
		return &e
	}
	if _, err := dec.Token(); err != io.EOF {
		return &Error{"body", "data after the JSON object"}
	}
	return nil
}

// decodeError names what a decoding error is about.
func decodeError(raw []byte, err error) Error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		path := PathAt(raw, te.Offset)
		if path == "" {
			path = "body"
		}
		return Error{path, "must be " + jsonKind(te.Type) + ", not " + te.Value}
	case errors.As(err, &se):
		return Error{"body", fmt.Sprintf("malformed JSON at byte %d: %s", se.Offset, se.Error())}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return Error{"body", "empty or truncated JSON body"}
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		if f = unquote(f); f != "" && Name(f) == "" {
			return Error{f, "is not a field of this request"}
		}
		return Error{"body", "has a field that is not one of this request: " + strconv.Quote(f)}
	}
	return Error{"body", "malformed JSON: " + strings.TrimPrefix(msg, "json: ")}
}

func unquote(s string) string {
	if u, err := strconv.Unquote(s); err == nil {
		return u
	}
	return s
}

// jsonKind names the JSON kind a Go type decodes from.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another kind of value"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer in range"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "another kind of value"
}

// frame is one open container while scanning a JSON document.
type frame struct {
	array     bool
	index     int
	key       string
	expectKey bool
}

// PathAt returns the JSON path (operations[2].item.title) of the value whose
// first token ends at or after offset in raw, or "" for the top level.
func PathAt(raw []byte, offset int64) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	var stack []*frame
	path := func() string {
		var b strings.Builder
		for _, f := range stack {
			if f.array {
				b.WriteString("[" + strconv.Itoa(f.index) + "]")
			} else {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			}
		}
		return b.String()
	}
	advance := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].array {
				stack[n-1].index++
			} else {
				stack[n-1].expectKey = true
			}
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return path()
		}
		top := (*frame)(nil)
		if n := len(stack); n > 0 {
			top = stack[n-1]
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			if dec.InputOffset() >= offset {
				return path()
			}
			advance()
			continue
		}
		if top != nil && !top.array && top.expectKey {
			top.key, _ = tok.(string)
			top.expectKey = false
			continue
		}
		if dec.InputOffset() >= offset {
			return path()
		}
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, &frame{array: d == '[', expectKey: d == '{'})
			continue
		}
		advance()
	}
}
