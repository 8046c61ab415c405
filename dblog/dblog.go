// Package dblog is GORM's logger on zerolog (issue 16, point 3): a query
// slower than a threshold is logged as a warning with its SQL, rows and
// duration; nothing else is logged, as GORM's errors reach their callers.
package dblog

import (
	"context"
	"time"

	"github.com/rs/zerolog"
	"gorm.io/gorm/logger"
)

// DefaultThreshold is APPROVALS_SLOW_QUERY's default.
const DefaultThreshold = 200 * time.Millisecond

// Slow logs the queries that take longer than Threshold.
type Slow struct {
	Log       zerolog.Logger
	Threshold time.Duration
}

// New returns a GORM logger that logs the queries slower than threshold to log.
func New(log zerolog.Logger, threshold time.Duration) logger.Interface {
	return Slow{Log: log, Threshold: threshold}
}

// LogMode keeps the logger as it is: only the threshold decides.
func (s Slow) LogMode(logger.LogLevel) logger.Interface { return s }

// Info logs nothing: GORM's informational messages are not needed.
func (s Slow) Info(context.Context, string, ...any) {}

// Warn logs nothing: GORM's warnings are about its configuration.
func (s Slow) Warn(context.Context, string, ...any) {}

// Error logs nothing: errors are returned to, and handled by, the caller.
func (s Slow) Error(context.Context, string, ...any) {}

// Trace logs the query when it took longer than the threshold.
func (s Slow) Trace(_ context.Context, begin time.Time, fc func() (string, int64), err error) {
	took := time.Since(begin)
	if s.Threshold <= 0 || took < s.Threshold {
		return
	}
	sql, rows := fc()
	ev := s.Log.Warn().Str("sql", sql).Int64("rows", rows).Dur("took", took).Dur("threshold", s.Threshold)
	if err != nil {
		ev = ev.Err(err)
	}
	ev.Msg("slow database query")
}
