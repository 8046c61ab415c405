package bounds

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzDecode: whatever the body, Decode does not panic, names a field for
// every refusal, and what it accepts holds only bounded, clean text.
func FuzzDecode(f *testing.F) {
	// The seeds are in testdata/fuzz/FuzzDecode.
	f.Fuzz(func(t *testing.T, raw []byte) {
		var v body
		errs, _ := Decode(raw, &v)
		for _, e := range errs {
			if e.Field == "" || e.Message == "" {
				t.Fatalf("refusal without field or message: %+v", e)
			}
		}
		_ = PathAt(raw, int64(len(raw)/2))
		if len(errs) > 0 {
			return
		}
		if _, err := json.Marshal(v); err != nil {
			t.Fatalf("accepted a value that does not encode: %v", err)
		}
		strs(reflect.ValueOf(v), func(s string) {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) || strings.ContainsRune(s, utf8.RuneError) {
				t.Fatalf("accepted unclean text %q", s)
			}
			for _, r := range s {
				if unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' {
					t.Fatalf("accepted control character %U in %q", r, s)
				}
			}
			if utf8.RuneCountInString(s) > MaxText {
				t.Fatalf("accepted %d characters", utf8.RuneCountInString(s))
			}
		})
	})
}

// strs calls fn with every string inside v.
func strs(v reflect.Value, fn func(string)) {
	switch v.Kind() {
	case reflect.String:
		fn(v.String())
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			strs(v.Elem(), fn)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			strs(v.Index(i), fn)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			strs(v.Field(i), fn)
		}
	}
}
