package audit

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/cityapprovals/approvals/bounds"
	"github.com/cityapprovals/approvals/holidays"
)

// ParamError names a query parameter and what is wrong with it.
type ParamError struct {
	Param   string
	Message string
}

func (e *ParamError) Error() string { return e.Param + ": " + e.Message }

// ListFilter selects procedures from Temporal visibility. Every field is
// validated before it reaches a query.
type ListFilter struct {
	Jurisdiction string
	Procedure    string
	Status       string
	Overdue      *bool
	// Dept is a department code: procedures it filed or that are filed
	// with it (requester or provider).
	Dept     string
	From, To *time.Time // filing (workflow start) time, From inclusive, To exclusive
}

// Values a filter may hold: names made of lower-case letters and underscores,
// so that nothing a caller sends can end a quoted string in the query.
var (
	procedureName = regexp.MustCompile(`^[a-z][a-z_]{0,39}$`)
	statusName    = regexp.MustCompile(`^[a-z][a-z_]{0,31}$`)
	deptCode      = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
)

// ParseListFilter validates the query parameters jurisdiction (one of
// cities), procedure, status, overdue (true|false), dept (a department
// code), from and to (RFC 3339, or
// a Beijing date YYYY-MM-DD: from its start; to through its end).
func ParseListFilter(q url.Values, cities []string) (ListFilter, error) {
	var f ListFilter
	if v := q.Get("jurisdiction"); v != "" {
		if !slices.Contains(cities, v) {
			return f, &ParamError{"jurisdiction", fmt.Sprintf("must be one of %s", strings.Join(cities, ", "))}
		}
		f.Jurisdiction = v
	}
	if v := q.Get("procedure"); v != "" {
		if !procedureName.MatchString(v) {
			return f, &ParamError{"procedure", "must be a procedure name such as share_request"}
		}
		f.Procedure = v
	}
	if v := q.Get("status"); v != "" {
		if !statusName.MatchString(v) {
			return f, &ParamError{"status", "must be a status name such as pending, granted or rejected"}
		}
		f.Status = v
	}
	if v := q.Get("dept"); v != "" {
		if !deptCode.MatchString(v) {
			return f, &ParamError{"dept", "must be a department code (letters, digits, '.', '_', '-', at most 64)"}
		}
		f.Dept = v
	}
	switch v := q.Get("overdue"); v {
	case "":
	case "true", "false":
		b := v == "true"
		f.Overdue = &b
	default:
		return f, &ParamError{"overdue", "must be true or false"}
	}
	var err error
	if f.From, err = parseBound(q.Get("from"), "from", false); err != nil {
		return f, err
	}
	if f.To, err = parseBound(q.Get("to"), "to", true); err != nil {
		return f, err
	}
	if f.From != nil && f.To != nil && !f.From.Before(*f.To) {
		return f, &ParamError{"to", "must be after from"}
	}
	return f, nil
}

// parseBound reads an RFC 3339 instant or a Beijing date; a date as the upper
// bound means through the end of that day.
func parseBound(v, name string, upper bool) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		if msg := bounds.Time(t); msg != "" {
			return nil, &ParamError{name, msg}
		}
		return &t, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, v, holidays.Shanghai)
	if err != nil {
		return nil, &ParamError{name, "must be an RFC 3339 time or a date YYYY-MM-DD (Beijing)"}
	}
	if msg := bounds.Date(v); msg != "" {
		return nil, &ParamError{name, msg}
	}
	if upper {
		d = d.AddDate(0, 0, 1)
	}
	return &d, nil
}

// Query is the filter as a Temporal visibility query over our search
// attributes. Values are the validated fields only, so quoting is safe;
// attribute names are in backquotes because Procedure is an SQL keyword.
func (f ListFilter) Query() string {
	var cl []string
	add := func(attr, val string) {
		if val != "" {
			cl = append(cl, fmt.Sprintf("`%s` = '%s'", attr, val))
		}
	}
	add("Jurisdiction", f.Jurisdiction)
	add("Procedure", f.Procedure)
	add("ApprovalStatus", f.Status)
	if f.Dept != "" {
		cl = append(cl, fmt.Sprintf("(`RequesterDept` = '%s' OR `ProviderDept` = '%s')", f.Dept, f.Dept))
	}
	if f.Procedure == "" {
		// Only our procedures: every one carries its kind.
		cl = append(cl, "`Procedure` IS NOT NULL")
	}
	switch {
	case f.Overdue == nil:
	case *f.Overdue:
		cl = append(cl, "`Overdue` = true")
	default: // a procedure granted at once never had a deadline
		cl = append(cl, "(`Overdue` = false OR `Overdue` IS NULL)")
	}
	if f.From != nil {
		cl = append(cl, fmt.Sprintf("StartTime >= '%s'", f.From.UTC().Format(time.RFC3339Nano)))
	}
	if f.To != nil {
		cl = append(cl, fmt.Sprintf("StartTime < '%s'", f.To.UTC().Format(time.RFC3339Nano)))
	}
	return strings.Join(cl, " AND ")
}
