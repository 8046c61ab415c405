package bounds

import (
	"net/mail"
	"unicode/utf8"
)

// Bounds of a department's notification channels.
const (
	// MaxEmail is the longest e-mail address (RFC 5321's path limit).
	MaxEmail = 254
	// MaxEmails is the most e-mail addresses of one department.
	MaxEmails = 10
	// MinSecret and MaxSecret bound a webhook's signing secret.
	MinSecret = 16
	MaxSecret = 200
)

// KindEmail is the kind of an e-mail address field in `bound` tags.
const KindEmail = "email"

// Email checks a bare e-mail address (local@domain, no display name) of at
// most MaxEmail characters.
func Email(s string) string {
	if msg := text(s, MaxEmail, false); msg != "" {
		return msg
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "must be a bare e-mail address such as office@example.org"
	}
	return ""
}

// Secret checks a signing secret: one line of MinSecret to MaxSecret characters.
func Secret(s string) string {
	if msg := text(s, MaxSecret, false); msg != "" {
		return msg
	}
	if utf8.RuneCountInString(s) < MinSecret {
		return "must be at least 16 characters"
	}
	return ""
}
