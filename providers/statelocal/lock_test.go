package statelocal

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/meshctl/meshctl/planner/statestore"
)

// fastBackend returns a backend on a fresh folder that polls a held lock
// every few milliseconds, to keep tests short.
func fastBackend(t *testing.T, path string) *Backend {
	t.Helper()
	b := New(path)
	b.pollMin, b.pollJitter = 2*time.Millisecond, 3*time.Millisecond
	return b
}

// asLocked returns the *LockedError in err's chain, failing the test if
// there is none.
func asLocked(t *testing.T, err error) *statestore.LockedError {
	t.Helper()
	var le *statestore.LockedError
	if !errors.As(err, &le) {
		t.Fatalf("err = %v, want a *statestore.LockedError", err)
	}
	return le
}

func TestLockFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), ".meshctl", "state.json")
	b := New(path)
	before := time.Now()
	if err := b.Lock(ctx, statestore.LockInfo{ID: "L1", Operation: "plan", Version: "1.2.3"}, 0); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path + ".lock")
	if err != nil {
		t.Fatal(err)
	}
	var got statestore.LockInfo
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("lock file is not a LockInfo: %v\n%s", err, raw)
	}
	want := statestore.LockInfo{ID: "L1", Operation: "plan", Who: statestore.WhoAmI(), PID: os.Getpid(), Version: "1.2.3"}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(statestore.LockInfo{}, "Created")); diff != "" {
		t.Errorf("lock file (-want +got):\n%s", diff)
	}
	if !strings.Contains(got.Who, "@") {
		t.Errorf("Who = %q, want user@host", got.Who)
	}
	if got.Created.Before(before.Add(-time.Second)) || got.Created.After(time.Now().Add(time.Second)) {
		t.Errorf("Created = %v, want about now", got.Created)
	}
	if err := b.Unlock(ctx, "L1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".lock"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock file after Unlock: %v, want it gone", err)
	}
	if err := b.Lock(ctx, statestore.LockInfo{}, 0); err == nil || !strings.Contains(err.Error(), "lock ID is empty") {
		t.Errorf("Lock without an ID: %v, want an error", err)
	}
}

// TestLockHeld: a second locker waits, gets the lock after Unlock, and
// with a short timeout fails naming the holder.
func TestLockHeld(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.json")
	holder := statestore.LockInfo{ID: "A", Operation: "apply", Who: "alice@ci", PID: 4242, Version: "0.1.0", Created: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)}
	a, b := fastBackend(t, path), fastBackend(t, path)
	if err := a.Lock(ctx, holder, 0); err != nil {
		t.Fatal(err)
	}

	t.Run("times out naming the holder", func(t *testing.T) {
		for _, timeout := range []time.Duration{0, 50 * time.Millisecond} {
			start := time.Now()
			err := b.Lock(ctx, statestore.LockInfo{ID: "B", Operation: "plan"}, timeout)
			le := asLocked(t, err)
			if diff := cmp.Diff(holder, le.Holder); diff != "" {
				t.Errorf("timeout %v: holder (-want +got):\n%s", timeout, diff)
			}
			if le.Where != path+".lock" {
				t.Errorf("Where = %q, want %q", le.Where, path+".lock")
			}
			for _, s := range []string{"alice@ci", "pid 4242", "apply", "lock ID A", "meshctl force-unlock A"} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("message %q lacks %q", err, s)
				}
			}
			if waited := time.Since(start); waited < timeout {
				t.Errorf("gave up after %v, before the timeout %v", waited, timeout)
			}
		}
	})

	t.Run("waits and gets it after Unlock", func(t *testing.T) {
		got := make(chan error, 1)
		go func() { got <- b.Lock(ctx, statestore.LockInfo{ID: "B", Operation: "plan"}, 10*time.Second) }()
		select {
		case err := <-got:
			t.Fatalf("Lock returned %v while the lock was held", err)
		case <-time.After(100 * time.Millisecond):
		}
		if err := a.Unlock(ctx, "A"); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-got:
			if err != nil {
				t.Fatalf("Lock after Unlock: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Lock did not return after Unlock")
		}
		if err := b.Unlock(ctx, "B"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestLockCanceledWhileWaiting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	b := fastBackend(t, path)
	if err := b.Lock(context.Background(), statestore.LockInfo{ID: "A"}, 0); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := b.Lock(ctx, statestore.LockInfo{ID: "B"}, time.Minute)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want context.DeadlineExceeded", err)
	}
	if waited := time.Since(start); waited > 10*time.Second {
		t.Errorf("waited %v after the context ended", waited)
	}
}

// TestLockExclusion: of many goroutines (each with its own Backend on the
// same file) only one is ever inside the lock.
func TestLockExclusion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	var inside, entered atomic.Int32
	var wg sync.WaitGroup
	for i := range 8 {
		b := fastBackend(t, path)
		id := "G" + strconv.Itoa(i)
		wg.Go(func() {
			ctx := context.Background()
			for range 5 {
				if err := b.Lock(ctx, statestore.LockInfo{ID: id, Operation: "apply"}, time.Minute); err != nil {
					t.Error(err)
					return
				}
				if n := inside.Add(1); n != 1 {
					t.Errorf("%d holders inside the lock at once", n)
				}
				entered.Add(1)
				time.Sleep(time.Millisecond)
				inside.Add(-1)
				if err := b.Unlock(ctx, id); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if got := entered.Load(); got != 40 {
		t.Errorf("%d entries, want 40", got)
	}
}

// TestLockAcrossProcesses: a lock held by another process excludes this
// one (and the other way round), names that process, and is taken over
// once released.
func TestLockAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), ".meshctl", "state.json")
	b := fastBackend(t, path)

	h, line := startHelper(t, path, "hold", "child-lock")
	if line != "locked" {
		t.Fatalf("helper said %q, want locked", line)
	}
	le := asLocked(t, b.Lock(ctx, statestore.LockInfo{ID: "parent", Operation: "plan"}, 50*time.Millisecond))
	want := statestore.LockInfo{ID: "child-lock", Operation: "apply", Who: statestore.WhoAmI(), PID: h.cmd.Process.Pid, Version: "test"}
	if diff := cmp.Diff(want, le.Holder, cmpopts.IgnoreFields(statestore.LockInfo{}, "Created")); diff != "" {
		t.Errorf("holder (-want +got):\n%s", diff)
	}

	got := make(chan error, 1)
	go func() { got <- b.Lock(ctx, statestore.LockInfo{ID: "parent", Operation: "plan"}, 20*time.Second) }()
	select {
	case err := <-got:
		t.Fatalf("Lock returned %v while the helper held the lock", err)
	case <-time.After(100 * time.Millisecond):
	}
	h.wait(t) // the helper unlocks and exits
	if err := <-got; err != nil {
		t.Fatalf("Lock after the helper released it: %v", err)
	}

	// Now this process holds it: another process cannot take it.
	if _, line := startHelper(t, path, "try", "child-2"); line != "busy parent" {
		t.Errorf("helper trying a held lock said %q, want busy parent", line)
	}
	if err := b.Unlock(ctx, "parent"); err != nil {
		t.Fatal(err)
	}
	if _, line := startHelper(t, path, "try", "child-3"); line != "locked" {
		t.Errorf("helper trying a free lock said %q, want locked", line)
	}
}

// TestStaleLock: the lock of a process that died is not broken, but the
// message says its process is gone; ForceUnlock then breaks it.
func TestStaleLock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.json")
	b := fastBackend(t, path)
	h, line := startHelper(t, path, "crash", "crashed")
	if line != "locked" {
		t.Fatalf("helper said %q, want locked", line)
	}
	h.wait(t)
	pid := h.cmd.Process.Pid

	err := b.Lock(ctx, statestore.LockInfo{ID: "next"}, 20*time.Millisecond)
	le := asLocked(t, err)
	if le.Holder.ID != "crashed" || le.Holder.PID != pid {
		t.Errorf("holder = %+v, want the crashed helper's", le.Holder)
	}
	if !strings.Contains(err.Error(), "pid "+strconv.Itoa(pid)+" is not running on this host") {
		t.Errorf("message %q does not say the holder's process is gone", err)
	}
	if err := b.ForceUnlock(ctx, "crashed"); err != nil {
		t.Fatal(err)
	}
	if err := b.Lock(ctx, statestore.LockInfo{ID: "next"}, 0); err != nil {
		t.Fatalf("Lock after ForceUnlock: %v", err)
	}
}

func TestStaleHint(t *testing.T) {
	dead := exec.Command(os.Args[0], "-test.run=^$")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	deadPID := dead.Process.Pid
	tests := []struct {
		name   string
		holder statestore.LockInfo
		stale  bool
	}{
		{"dead pid on this host", statestore.LockInfo{Who: statestore.WhoAmI(), PID: deadPID}, true},
		{"live pid on this host", statestore.LockInfo{Who: statestore.WhoAmI(), PID: os.Getpid()}, false},
		{"pid on another host", statestore.LockInfo{Who: "bob@elsewhere.invalid", PID: deadPID}, false},
		{"no host", statestore.LockInfo{Who: "unknown", PID: deadPID}, false},
		{"no pid", statestore.LockInfo{Who: statestore.WhoAmI()}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := staleHint(tt.holder) != ""; got != tt.stale {
				t.Errorf("staleHint(%+v) = %q, want stale %v", tt.holder, staleHint(tt.holder), tt.stale)
			}
		})
	}
}

// TestUnreadableLock: a lock file that does not parse is held by
// "unknown" since its modification time, and can be force-unlocked by the
// ID the error gives.
func TestUnreadableLock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.json")
	b := fastBackend(t, path)
	for _, content := range []string{"", "{not json", `{"operation":"apply"}`} {
		if err := os.WriteFile(path+".lock", []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		mtime := time.Date(2024, 12, 24, 18, 0, 0, 0, time.UTC)
		if err := os.Chtimes(path+".lock", mtime, mtime); err != nil {
			t.Fatal(err)
		}
		err := b.Lock(ctx, statestore.LockInfo{ID: "B"}, 0)
		le := asLocked(t, err)
		if le.Holder.Who != "unknown" || !le.Holder.Created.Equal(mtime) || !strings.HasPrefix(le.Holder.ID, "unreadable-") {
			t.Errorf("content %q: holder = %+v, want unknown since %v", content, le.Holder, mtime)
		}
		if err := b.Unlock(ctx, "B"); err == nil || !strings.Contains(err.Error(), "held by unknown") {
			t.Errorf("content %q: Unlock of another's lock: %v", content, err)
		}
		if err := b.ForceUnlock(ctx, le.Holder.ID); err != nil {
			t.Errorf("content %q: ForceUnlock(%s): %v", content, le.Holder.ID, err)
		}
	}
}

func TestUnlockAndForceUnlock(t *testing.T) {
	tests := []struct {
		name     string
		force    bool
		lockedBy string // "" for no lock
		id       string
		wantErr  string // "" for success
	}{
		{"unlock own", false, "A", "A", ""},
		{"unlock another's", false, "A", "B", "held by me@here (pid 7, apply since 2025-03-01T10:00:00Z, lock ID A), not by lock ID B"},
		{"unlock none", false, "", "A", "not locked"},
		{"force right id", true, "A", "A", ""},
		{"force wrong id", true, "A", "B", "the lock is now held by me@here (pid 7, apply since 2025-03-01T10:00:00Z, lock ID A)"},
		{"force none", true, "", "A", "no lock to break"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "state.json")
			b := New(path)
			if tt.lockedBy != "" {
				info := statestore.LockInfo{ID: tt.lockedBy, Operation: "apply", Who: "me@here", PID: 7, Created: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)}
				if err := b.Lock(ctx, info, 0); err != nil {
					t.Fatal(err)
				}
			}
			var err error
			if tt.force {
				err = b.ForceUnlock(ctx, tt.id)
			} else {
				err = b.Unlock(ctx, tt.id)
			}
			_, statErr := os.Stat(path + ".lock")
			stillLocked := statErr == nil
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
				if stillLocked {
					t.Error("the lock file is still there")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), path) {
				t.Fatalf("err = %v, want one containing %q and naming %s", err, tt.wantErr, path)
			}
			if stillLocked != (tt.lockedBy != "") {
				t.Errorf("lock file present = %v after a refused unlock, want %v", stillLocked, tt.lockedBy != "")
			}
		})
	}
}
