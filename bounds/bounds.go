// Package bounds is the one place where every input field's bound is set:
// the charset and length of codes and IDs, the length of names and free
// text, the number of items in a list and the range of dates. The API checks
// every decoded body against it (Check, driven by `bound` struct tags), every
// query parameter and path ID (Param, ID), and the models check imported
// records with the same functions, so that nothing outside the bounds is
// stored or reaches a workflow.
//
// Free text keeps Chinese and any other Unicode; it refuses NUL and other
// control characters (tab, newline and carriage return excepted), invalid
// UTF-8 and U+FFFD (what a JSON decoder makes of invalid UTF-8 or a lone
// surrogate escape).
package bounds

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The bounds, documented in README.md ("Limits") and api/openapi.yaml.
const (
	// MaxBody is the largest request body, in bytes (1 MiB).
	MaxBody = 1 << 20
	// MaxID is the longest code or ID (department codes, catalog item IDs,
	// jurisdictions, enumerated values such as share_type): characters of
	// [A-Za-z0-9._-] only.
	MaxID = 64
	// MaxPathID is the longest ID in a path (procedure and task IDs are
	// derived from other IDs and may be longer than MaxID).
	MaxPathID = 200
	// MaxName is the longest name or title (one line, no control characters).
	MaxName = 200
	// MaxText is the longest free text (reasons, purposes, descriptions).
	MaxText = 4000
	// MaxURL is the longest URL.
	MaxURL = 2000
	// MaxParam is the longest query parameter value.
	MaxParam = 200
	// MaxPageToken is the longest page_token (it carries Temporal's token).
	MaxPageToken = 2000
	// MaxOAuthParam is the longest code or state an identity provider
	// sends back to the console's /auth/callback (issue 15; codes are often
	// encrypted JWTs).
	MaxOAuthParam = 4096
	// MaxList is the longest list unless its field says otherwise.
	MaxList = 100
	// MaxDataItems is the most data items (数据项) of a catalog item or request.
	MaxDataItems = 500
	// MaxOperations is the most operations of one catalog change.
	MaxOperations = 100
)

// MinDate and MaxDate bound every date and time the API accepts (inclusive,
// Beijing dates): 2000-01-01 to 2100-12-31.
var (
	MinDate = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxDate = time.Date(2100, 12, 31, 0, 0, 0, 0, time.UTC)
)

// MinYear and MaxYear are the years of MinDate and MaxDate.
const (
	MinYear = 2000
	MaxYear = 2100
)

var idChars = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// IDPattern is the pattern of codes and IDs, as api/openapi.yaml states it.
const IDPattern = `^[A-Za-z0-9._-]{1,64}$`

// Error names a field by its JSON path (operations[2].item.title) and what is
// wrong with it.
type Error struct {
	Field   string
	Message string
}

func (e Error) Error() string { return e.Field + ": " + e.Message }

// ID checks a code or ID: at most MaxID characters of [A-Za-z0-9._-].
// The empty string passes (whether a field is required is the handler's rule).
func ID(s string) string { return id(s, MaxID) }

// PathID checks an ID taken from a path: the charset of ID, at most MaxPathID.
func PathID(s string) string { return id(s, MaxPathID) }

func id(s string, max int) string {
	if s == "" {
		return ""
	}
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	if len(s) > max {
		return fmt.Sprintf("is longer than %d characters", max)
	}
	if !idChars.MatchString(s) {
		return "may contain only letters A-Z and a-z, digits and . _ -"
	}
	return ""
}

// Name checks a name or title: one line of at most MaxName characters.
func Name(s string) string { return text(s, MaxName, false) }

// Text checks free text: at most MaxText characters; tab, newline and
// carriage return are the only control characters allowed.
func Text(s string) string { return text(s, MaxText, true) }

// Param checks a query parameter value: one line of at most MaxParam
// characters (MaxPageToken for page_token).
func Param(name, s string) string {
	switch name {
	case "page_token":
		return text(s, MaxPageToken, false)
	case "code", "state", "error_description":
		return text(s, MaxOAuthParam, false)
	}
	return text(s, MaxParam, false)
}

// URL checks a URL (or several separated by spaces, as a notice and its
// correction): one line of at most MaxURL characters starting http(s)://.
func URL(s string) string {
	if msg := text(s, MaxURL, false); msg != "" || s == "" {
		return msg
	}
	if !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") {
		return "must be an http or https URL"
	}
	return ""
}

func text(s string, max int, multiline bool) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Sprintf("is longer than %d characters (%d)", max, n)
	}
	for i, r := range s {
		switch {
		case r == 0:
			return fmt.Sprintf("contains a NUL character at byte %d", i)
		case r == utf8.RuneError:
			return fmt.Sprintf("contains U+FFFD at byte %d (invalid UTF-8 or a lone surrogate)", i)
		case multiline && (r == '\t' || r == '\n' || r == '\r'):
		case unicode.IsControl(r):
			return fmt.Sprintf("contains the control character %U at byte %d", r, i)
		}
	}
	return ""
}

// Date checks a date YYYY-MM-DD within MinDate and MaxDate; "" passes.
func Date(s string) string {
	if s == "" {
		return ""
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return "must be a date YYYY-MM-DD"
	}
	return dateRange(d)
}

// Time checks an instant: its Beijing date is within MinDate and MaxDate.
// The zero time passes (an absent field).
func Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	b := t.In(time.FixedZone("CST", 8*3600))
	return dateRange(time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC))
}

func dateRange(d time.Time) string {
	if d.Before(MinDate) || d.After(MaxDate) {
		return fmt.Sprintf("must be from %s to %s", MinDate.Format(time.DateOnly), MaxDate.Format(time.DateOnly))
	}
	return ""
}

// Count checks the length of a list against max.
func Count(n, max int) string {
	if n > max {
		return fmt.Sprintf("has %d entries; at most %d are allowed", n, max)
	}
	return ""
}

// Field checks a value of the named kind (id, name, text, url, date) and
// returns the Error naming field, or nil.
func Field(field, kind, value string) *Error {
	msg := ""
	switch kind {
	case KindID:
		msg = ID(value)
	case KindName:
		msg = Name(value)
	case KindURL:
		msg = URL(value)
	case KindDate:
		msg = Date(value)
	case KindEmail:
		msg = Email(value)
	default:
		msg = Text(value)
	}
	if msg == "" {
		return nil
	}
	return &Error{field, msg}
}

// Kinds of string field, as named in `bound` struct tags.
const (
	KindID   = "id"
	KindName = "name"
	KindText = "text"
	KindURL  = "url"
	KindDate = "date"
)
