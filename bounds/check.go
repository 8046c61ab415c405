package bounds

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Check walks a decoded request body (a pointer to a struct) and returns an
// Error for every value outside its bound, each named by its JSON path.
//
// A field's bound comes from its `bound` tag: a kind (id, name, text, url,
// date) for a string or the strings of a list, and max=N for a list's
// length, e.g. `bound:"name,max=500"`. Without a tag a string is free text
// and a list holds at most MaxList entries, so that no field is unbounded.
// Times (time.Time) lie within MinDate and MaxDate.
func Check(v any) []Error {
	var errs []Error
	walk(reflect.ValueOf(v), "", KindText, MaxList, &errs)
	return errs
}

var timeType = reflect.TypeOf(time.Time{})

func walk(v reflect.Value, path, kind string, max int, errs *[]Error) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walk(v.Elem(), path, kind, max, errs)
		}
	case reflect.String:
		if e := Field(path, kind, v.String()); e != nil {
			*errs = append(*errs, *e)
		}
	case reflect.Slice, reflect.Array:
		if msg := Count(v.Len(), max); msg != "" {
			*errs = append(*errs, Error{path, msg})
			return // do not report each of 100,000 entries
		}
		for i := range v.Len() {
			walk(v.Index(i), path+"["+strconv.Itoa(i)+"]", kind, MaxList, errs)
		}
	case reflect.Map:
		if msg := Count(v.Len(), max); msg != "" {
			*errs = append(*errs, Error{path, msg})
			return
		}
		for _, k := range v.MapKeys() {
			p := join(path, fmt.Sprint(k.Interface()))
			if e := Field(p, KindName, fmt.Sprint(k.Interface())); e != nil {
				*errs = append(*errs, *e)
			}
			walk(v.MapIndex(k), p, KindText, MaxList, errs)
		}
	case reflect.Struct:
		if v.Type() == timeType {
			if msg := Time(v.Interface().(time.Time)); msg != "" {
				*errs = append(*errs, Error{path, msg})
			}
			return
		}
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() && !(f.Anonymous && f.Type.Kind() == reflect.Struct) {
				continue // an embedded struct of unexported type still has its fields decoded
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			k, m := tag(f.Tag.Get("bound"))
			if f.Anonymous && name == "" {
				walk(v.Field(i), path, k, m, errs) // embedded: its fields are ours
				continue
			}
			if name == "" {
				name = f.Name
			}
			walk(v.Field(i), join(path, name), k, m, errs)
		}
	}
}

// tag reads a `bound` tag: the kind and the list maximum.
func tag(s string) (kind string, max int) {
	kind, max = KindText, MaxList
	for _, part := range strings.Split(s, ",") {
		if n, ok := strings.CutPrefix(part, "max="); ok {
			if v, err := strconv.Atoi(n); err == nil {
				max = v
			}
		} else if part != "" {
			kind = part
		}
	}
	return kind, max
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// Tags reports every `bound` tag inside the type of v that names no known
// kind, so that a misspelt tag fails a test instead of silently meaning
// free text.
func Tags(v any) []string {
	var bad []string
	seen := map[reflect.Type]bool{}
	var visit func(t reflect.Type)
	visit = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for i := range t.NumField() {
			f := t.Field(i)
			for _, part := range strings.Split(f.Tag.Get("bound"), ",") {
				switch {
				case part == "", part == KindID, part == KindName, part == KindText, part == KindURL, part == KindDate:
				case strings.HasPrefix(part, "max="):
					if _, err := strconv.Atoi(part[4:]); err != nil {
						bad = append(bad, t.Name()+"."+f.Name+": "+part)
					}
				default:
					bad = append(bad, t.Name()+"."+f.Name+": "+part)
				}
			}
			visit(f.Type)
		}
	}
	visit(reflect.TypeOf(v))
	return bad
}
