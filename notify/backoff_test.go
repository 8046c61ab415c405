package notify

import (
	"testing"
	"time"
)

func TestBackoffDoublesToItsCap(t *testing.T) {
	d := &Dispatcher{Backoff: time.Second, MaxBackoff: 4 * time.Second}
	for attempt, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 9: 4 * time.Second} {
		if got := d.backoff(attempt); got != want {
			t.Errorf("backoff(%d) = %s, want %s", attempt, got, want)
		}
	}
}
