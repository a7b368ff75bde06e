package statestore

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestComplete(t *testing.T) {
	if _, err := (LockInfo{}).Complete(); err == nil || err.Error() != "the lock ID is empty" {
		t.Errorf("no ID: %v", err)
	}
	got, err := LockInfo{ID: "x", Operation: "apply"}.Complete()
	if err != nil {
		t.Fatal(err)
	}
	if got.PID != os.Getpid() || !strings.Contains(got.Who, "@") || time.Since(got.Created) > time.Minute || got.Created.Location() != time.UTC {
		t.Errorf("completed %+v", got)
	}
	kept := LockInfo{ID: "x", Who: "ana@ci", PID: 7, Created: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	if got, _ := kept.Complete(); got != kept {
		t.Errorf("set fields changed: %+v", got)
	}
	kept.Operation = "apply"
	if h := kept.Holder(); h != "ana@ci (pid 7, apply since 2026-11-25T10:00:00Z, lock ID x)" {
		t.Errorf("Holder = %q", h)
	}
}
