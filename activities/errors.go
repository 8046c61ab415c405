package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/cityapprovals/approvals/models"
	"github.com/jackc/pgx/v5/pgconn"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"
)

// ErrPermanent is the type of the non-retryable application error an
// activity returns for an error that retrying cannot cure: a value the
// database refuses (bad encoding, out of range, a constraint violated that is
// not an expected conflict) or a result that cannot be encoded. The workflow
// that receives one ends the step visibly (see workflows.Options).
const ErrPermanent = "permanent"

// Permanent classifies an activity's error: one that retrying cannot cure
// becomes a non-retryable application error of type ErrPermanent; any other
// (a lost connection, a restarting database, a serialization failure, a
// unique key raced by a concurrent attempt) is returned as it is and retried.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if !incurable(err) {
		return err
	}
	return temporal.NewNonRetryableApplicationError(clean(err.Error()), ErrPermanent, err)
}

// IsPermanent reports whether an error, or any error in its chain (as a
// workflow or Update failure carries it to a client), is a permanent
// activity error, and returns that error's message.
func IsPermanent(err error) (string, bool) {
	for e := err; e != nil; e = errors.Unwrap(e) {
		var app *temporal.ApplicationError
		if errors.As(e, &app) && app.Type() == ErrPermanent {
			return app.Message(), true
		}
		if errors.As(e, &app) {
			e = app // continue below the first application error
		}
	}
	return "", false
}

// incurable tells whether err is one that the same input would meet again.
func incurable(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch {
		case pg.Code == "23505": // unique_violation: a concurrent attempt; the retry sees its row
			return false
		case strings.HasPrefix(pg.Code, "22"), // data exception: encoding, NUL, value out of range
			strings.HasPrefix(pg.Code, "23"), // integrity constraint violation
			strings.HasPrefix(pg.Code, "54"): // program limit exceeded: e.g. an index row too large
			return true
		}
		return false
	}
	var lite interface{ Code() int }
	if errors.As(err, &lite) {
		switch c := lite.Code(); {
		case c == 2067 || c == 1555: // SQLITE_CONSTRAINT_UNIQUE, _PRIMARYKEY: as unique_violation
			return false
		case c&0xff == 18, c&0xff == 19, c&0xff == 20, c&0xff == 25: // TOOBIG, CONSTRAINT, MISMATCH, RANGE
			return true
		}
		return false
	}
	var unsupported *json.UnsupportedValueError
	var marshal *json.MarshalerError
	var unsupportedType *json.UnsupportedTypeError
	return errors.As(err, &unsupported) || errors.As(err, &marshal) || errors.As(err, &unsupportedType) ||
		errors.Is(err, gorm.ErrForeignKeyViolated) || errors.Is(err, gorm.ErrCheckConstraintViolated) ||
		errors.Is(err, gorm.ErrInvalidValue) || errors.Is(err, gorm.ErrInvalidData)
}

// clean makes an error message safe to record and show: no NUL or other
// control characters, valid UTF-8, at most 1000 characters.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return -1
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 1000 {
		s = string(r[:1000]) + "…"
	}
	return s
}

// Interceptor applies Permanent to the error of every activity the worker
// runs, and refuses a result that cannot be encoded (a time outside years
// 0-9999, for example) as permanent too, instead of letting the worker fail
// to report it on every attempt. Register it with the worker (see
// workflows.Options).
type Interceptor struct {
	interceptor.WorkerInterceptorBase
}

// InterceptActivity wraps each activity.
func (*Interceptor) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &classify{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}}
}

type classify struct {
	interceptor.ActivityInboundInterceptorBase
}

func (c *classify) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	out, err := c.Next.ExecuteActivity(ctx, in)
	if err != nil {
		return out, Permanent(err)
	}
	if out != nil {
		if _, jerr := json.Marshal(out); jerr != nil {
			return nil, Permanent(fmt.Errorf("encode the result: %w", jerr))
		}
	}
	return out, nil
}

// FailureInput records that a procedure ended on an error retrying cannot cure.
type FailureInput struct {
	Procedure   string // its name (share_request ...); "" when unknown: every record kind is tried
	ProcedureID string
	Message     string
	At          time.Time
}

// RecordFailure marks a procedure failed: its record's status (when it has
// one), its open tasks cancelled, and a "failed" event with the message, so
// that the operator and the filer see why it ended.
func (a *Activities) RecordFailure(ctx context.Context, in FailureInput) error {
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for proc, record := range a.Records {
			if in.Procedure != "" && proc != in.Procedure {
				continue // known: only its own record
			}
			if err := tx.Model(record()).Where("id = ?", in.ProcedureID).Update("status", models.StatusFailed).Error; err != nil {
				return fmt.Errorf("mark %s failed: %w", in.ProcedureID, err)
			}
		}
		if err := tx.Model(&models.Task{}).Where("procedure_id = ? AND status = ?", in.ProcedureID, models.TaskOpen).Updates(map[string]any{
			"status": models.TaskCancelled, "decision": "not needed: " + models.StatusFailed, "decided_by": "system", "decided_at": in.At.UTC(),
		}).Error; err != nil {
			return fmt.Errorf("cancel the tasks of %s: %w", in.ProcedureID, err)
		}
		ev := event(in.ProcedureID, "procedure", models.StatusFailed, in.At)
		ev.Actor, ev.Detail = "system", clean(in.Message)
		if err := insertOnce(tx, &ev); err != nil {
			return fmt.Errorf("record the failure of %s: %w", in.ProcedureID, err)
		}
		return nil
	})
}
