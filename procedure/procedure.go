// Package procedure describes a procedure as data: its name, the IDs and
// route it is filed under, who may file and who may read it, and its filing
// rule (Check). Each procedure declares its Descriptor beside its workflow
// (workflows/<procedure>_filing.go); the API serves every descriptor through
// one generic path, and the registries are derived from one list of them
// (workflows.Procedures).
package procedure

import (
	"strings"
	"time"

	"github.com/cityapprovals/approvals/regulations"
)

// FieldError names one field of a filing and what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Caller is who files or reads a procedure, as their token says.
type Caller struct {
	Role, Subject, Dept, Jurisdiction string
}

// Filed is what every filing's facts start with: the body, who filed it
// and when the API recorded it (periods count from then).
type Filed[In any] struct {
	In     In
	Caller Caller
	Now    time.Time
}

// Descriptor is one procedure as data.
type Descriptor struct {
	// Name is the procedure's name, as tasks, events and the Procedure
	// search attribute name it.
	Name string
	// Prefix starts every ID of the procedure ("sr-").
	Prefix string
	// Route is the collection under /api/v1 ("/share-requests"): GET lists,
	// GET Route/:id reads one; FileRoute, when set, is where it is filed
	// (a dispute is filed under the share request it disputes), else Route.
	Route, FileRoute string
	// Title names one record in messages ("share request"), Plural many;
	// Noun is what a re-used Idempotency-Key names ("request").
	Title, Plural, Noun string
	// File lists the roles that may file it.
	File []string
	// Read gives, for each role that may read it, the SQL condition that
	// limits the records it sees ("" is all of them). Its named arguments
	// are the caller's: @role, @subject, @dept and @jurisdiction.
	Read map[string]string
	// Workflow is the workflow function that runs it.
	Workflow any
	// Record returns a new, empty record of the procedure (a pointer to
	// its model), for the schema, the API and the activities.
	Record func() any
	// Order is how a list is sorted; Filters are the columns a list may be
	// narrowed by (?column=value), Flags the true/false ones.
	Order   string
	Filters []string
	Flags   []string
	// Filer is the record's column naming the department that filed it, who
	// is told of the procedure's outcome; "" where no department files it.
	// Outcomes are the kinds of the events that end it, of which the filer
	// is told (a failure ends every procedure and is told too).
	Filer    string
	Outcomes []string
}

// Filing is a Descriptor with its filing rule and how a filing starts.
// In is the body of the filing POST, F the facts its rule needs.
type Filing[In, F any] struct {
	Descriptor
	// Form refuses a body by its form alone (required fields, allowed
	// values), before anything is looked up.
	Form func(in In) []FieldError
	// Check refuses a filing by the facts the API loaded for it (the
	// body, the caller, the catalog item, the department, earlier
	// records) and the city's profile in force, naming every field at
	// fault. It is pure: it reads nothing but its arguments.
	Check func(f F, p regulations.Profile) []FieldError
	// Start builds the procedure's record and its workflow's input, for
	// the procedure ID id, from facts that passed Check.
	Start func(id string, f F, p regulations.Profile) Start
}

// Start is what a filing starts: the workflow's input (holding the
// record), the city, the department that answers the procedure (its owner,
// the ProviderDept search attribute) and, where there is one, the
// department that asks (RequesterDept).
type Start struct {
	Input                          any
	Jurisdiction, Owner, Requester string
}

// FilePath is the route a procedure is filed at.
func (d *Descriptor) FilePath() string {
	if d.FileRoute != "" {
		return d.FileRoute
	}
	return d.Route
}

// Required names each field, given as name/value pairs, whose value is blank.
func Required(pairs ...string) []FieldError {
	var errs []FieldError
	for i := 0; i+1 < len(pairs); i += 2 {
		if strings.TrimSpace(pairs[i+1]) == "" {
			errs = append(errs, FieldError{pairs[i], "is required"})
		}
	}
	return errs
}

// OneOf names the field when its value is none of the allowed ones.
func OneOf(field, value string, allowed ...string) []FieldError {
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	return []FieldError{{field, "must be one of " + strings.Join(allowed, ", ")}}
}

// Errors collects the field errors of a check, in order; Refuse adds one.
// A []FieldError is an Errors, so a check returns it as it is.
type Errors []FieldError

// Refuse adds field's error with its message.
func (e *Errors) Refuse(field, msg string) {
	*e = append(*e, FieldError{Field: field, Message: msg})
}
