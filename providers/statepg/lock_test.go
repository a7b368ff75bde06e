package statepg

import (
	"context"
	"errors"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/planner/statestore"
	"github.com/meshctl/meshctl/providers/internal/pgtest"
)

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

func TestLockRow(t *testing.T) {
	s := pgtest.New(t)
	ctx := context.Background()
	b := newBackend(t, s, "w")
	before := time.Now()
	if err := b.Lock(ctx, statestore.LockInfo{ID: "L1", Operation: "plan", Version: "1.2.3"}, 0); err != nil {
		t.Fatal(err)
	}
	row := cells(t, s, "SELECT id, info->>'operation', info->>'who', (info->>'pid'), backend_pid::text FROM meshctl_state_locks WHERE workspace = 'w'")
	want := []string{"L1", "plan", statestore.WhoAmI(), strconv.Itoa(os.Getpid()), strconv.Itoa(int(b.held.conn.PgConn().PID()))}
	if got := advisoryHolders(t, s, b); got != want[4] {
		t.Errorf("the advisory lock is held by %s, want %s", got, want[4])
	}
	if diff := cmp.Diff(want, row); diff != "" {
		t.Errorf("lock row (-want +got):\n%s", diff)
	}
	created := cells(t, s, "SELECT (created > $1::timestamptz - interval '1 second')::text FROM meshctl_state_locks", before)
	if created[0] != "true" {
		t.Error("created is not about now")
	}
	if err := b.Unlock(ctx, "L1"); err != nil {
		t.Fatal(err)
	}
	if got := cells(t, s, "SELECT count(*)::text FROM meshctl_state_locks"); got[0] != "0" {
		t.Errorf("%s lock rows after Unlock", got[0])
	}
	if got := advisoryHolders(t, s, b); got != "" {
		t.Errorf("the advisory lock is held by %s after Unlock", got)
	}
	for id, want := range map[string]string{"": "lock ID is empty", "pg-backend-7": "must not start with"} {
		if err := b.Lock(ctx, statestore.LockInfo{ID: id}, 0); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Lock(%q): %v, want an error containing %q", id, err, want)
		}
	}
}

// TestLockHeld: two Backends (two connections, as two processes would
// have): the second waits, fails naming the holder, and gets the lock
// after the first unlocks.
func TestLockHeld(t *testing.T) {
	s := pgtest.New(t)
	ctx := context.Background()
	holder := statestore.LockInfo{ID: "A", Operation: "apply", Who: "alice@ci", PID: 4242, Version: "0.1.0", Created: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)}
	a, b := newBackend(t, s, "w"), newBackend(t, s, "w")
	if err := a.Lock(ctx, holder, 0); err != nil {
		t.Fatal(err)
	}

	t.Run("times out naming the holder", func(t *testing.T) {
		for _, timeout := range []time.Duration{0, 100 * time.Millisecond} {
			start := time.Now()
			err := b.Lock(ctx, statestore.LockInfo{ID: "B", Operation: "plan"}, timeout)
			le := asLocked(t, err)
			if diff := cmp.Diff(holder, le.Holder); diff != "" {
				t.Errorf("timeout %v: holder (-want +got):\n%s", timeout, diff)
			}
			if want := "PostgreSQL table " + s.Name + ".meshctl_state_locks, workspace \"w\""; le.Where != want {
				t.Errorf("Where = %q, want %q", le.Where, want)
			}
			for _, want := range []string{"alice@ci", "pid 4242", "apply", "lock ID A", "meshctl force-unlock A"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("message %q lacks %q", err, want)
				}
			}
			if waited := time.Since(start); waited < timeout {
				t.Errorf("gave up after %v, before the timeout %v", waited, timeout)
			}
		}
	})

	t.Run("another workspace is not locked", func(t *testing.T) {
		c := newBackend(t, s, "other")
		if err := c.Lock(ctx, statestore.LockInfo{ID: "C"}, 0); err != nil {
			t.Fatal(err)
		}
		if err := c.Unlock(ctx, "C"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("unlock by another backend is refused", func(t *testing.T) {
		err := b.Unlock(ctx, "A")
		if err == nil || !strings.Contains(err.Error(), "lock ID A is held by another connection") {
			t.Errorf("Unlock of another's lock: %v", err)
		}
		err = b.Unlock(ctx, "B")
		if err == nil || !strings.Contains(err.Error(), "the lock is held by alice@ci (pid 4242, apply since 2025-03-01T10:00:00Z, lock ID A), not by lock ID B; it was left in place") {
			t.Errorf("Unlock with the wrong ID: %v", err)
		}
	})

	t.Run("waits and gets it after Unlock", func(t *testing.T) {
		got := make(chan error, 1)
		go func() { got <- b.Lock(ctx, statestore.LockInfo{ID: "B", Operation: "plan"}, 20*time.Second) }()
		select {
		case err := <-got:
			t.Fatalf("Lock returned %v while the lock was held", err)
		case <-time.After(200 * time.Millisecond):
		}
		if err := a.Unlock(ctx, "A"); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-got:
			if err != nil {
				t.Fatalf("Lock after Unlock: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("Lock did not return after Unlock")
		}
		le := asLocked(t, a.Lock(ctx, statestore.LockInfo{ID: "A2"}, 0))
		if le.Holder.ID != "B" || le.Holder.Operation != "plan" {
			t.Errorf("holder = %+v, want B", le.Holder)
		}
		if err := b.Unlock(ctx, "B"); err != nil {
			t.Fatal(err)
		}
		if err := a.Unlock(ctx, "B"); err == nil || !strings.Contains(err.Error(), "it is not locked") {
			t.Errorf("Unlock of a free lock: %v", err)
		}
	})
}

func TestLockCanceledWhileWaiting(t *testing.T) {
	s := pgtest.New(t)
	a, b := newBackend(t, s, "w"), newBackend(t, s, "w")
	if err := a.Lock(context.Background(), statestore.LockInfo{ID: "A"}, 0); err != nil {
		t.Fatal(err)
	}
	defer a.Unlock(context.Background(), "A")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := b.Lock(ctx, statestore.LockInfo{ID: "B"}, time.Minute); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want context.DeadlineExceeded", err)
	}
}

// TestLockExclusion: of several Backends locking in a loop, only one is
// ever inside the lock.
func TestLockExclusion(t *testing.T) {
	s := pgtest.New(t)
	var inside, entered atomic.Int32
	var wg sync.WaitGroup
	for i := range 4 {
		b := newBackend(t, s, "w")
		id := "G" + strconv.Itoa(i)
		wg.Go(func() {
			ctx := context.Background()
			for range 3 {
				if err := b.Lock(ctx, statestore.LockInfo{ID: id, Operation: "apply"}, time.Minute); err != nil {
					t.Error(err)
					return
				}
				if n := inside.Add(1); n != 1 {
					t.Errorf("%d holders inside the lock at once", n)
				}
				entered.Add(1)
				time.Sleep(2 * time.Millisecond)
				inside.Add(-1)
				if err := b.Unlock(ctx, id); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if got := entered.Load(); got != 12 {
		t.Errorf("%d entries, want 12", got)
	}
}

// TestHolderDied: a holder whose connection ends (its process died)
// loses the lock; its row is replaced by the next holder's.
func TestHolderDied(t *testing.T) {
	s := pgtest.New(t)
	ctx := context.Background()
	a, b := newBackend(t, s, "w"), newBackend(t, s, "w")
	if err := a.Lock(ctx, statestore.LockInfo{ID: "dead"}, 0); err != nil {
		t.Fatal(err)
	}
	a.held.conn.PgConn().Conn().Close() // as a crash: no goodbye
	if err := b.Lock(ctx, statestore.LockInfo{ID: "next", Operation: "apply"}, 10*time.Second); err != nil {
		t.Fatalf("Lock after the holder died: %v", err)
	}
	if got := cells(t, s, "SELECT id FROM meshctl_state_locks WHERE workspace = 'w'"); got[0] != "next" {
		t.Errorf("lock row = %s, want next", got[0])
	}
	if err := a.Write(ctx, []byte("late")); err == nil || !strings.Contains(err.Error(), "the state lock was broken") {
		t.Errorf("Write by the dead holder: %v", err)
	}
	if err := b.Unlock(ctx, "next"); err != nil {
		t.Fatal(err)
	}
}

// TestForceUnlock: the lock of a live holder is broken by its ID: the
// holder's session ends, its writes then fail, and another can lock.
func TestForceUnlock(t *testing.T) {
	s := pgtest.New(t)
	ctx := context.Background()
	a, b := newBackend(t, s, "w"), newBackend(t, s, "w")
	if err := a.Write(ctx, []byte("v1")); err != nil {
		t.Fatal(err)
	}
	if err := a.Lock(ctx, statestore.LockInfo{ID: "A", Operation: "apply", Who: "me@here", PID: 7, Created: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)}, 0); err != nil {
		t.Fatal(err)
	}
	if err := b.ForceUnlock(ctx, "B"); err == nil || !strings.Contains(err.Error(), "the lock is now held by me@here (pid 7, apply since 2025-03-01T10:00:00Z, lock ID A), not lock ID B; it was left in place") {
		t.Fatalf("ForceUnlock with the wrong ID: %v", err)
	}
	if err := a.Write(ctx, []byte("v2")); err != nil {
		t.Fatalf("Write by the holder: %v", err)
	}
	if err := b.ForceUnlock(ctx, "A"); err != nil {
		t.Fatal(err)
	}
	if err := a.Write(ctx, []byte("v3 after the lock was broken")); err == nil || !strings.Contains(err.Error(), "lock ID A: the state lock was broken") {
		t.Errorf("Write by the broken holder: %v", err)
	}
	if got, err := b.Read(ctx); err != nil || string(got) != "v2" {
		t.Errorf("state = %q, %v; want v2", got, err)
	}
	if err := b.Lock(ctx, statestore.LockInfo{ID: "B"}, 0); err != nil {
		t.Fatalf("Lock after ForceUnlock: %v", err)
	}
	if err := a.Unlock(ctx, "A"); err == nil || !strings.Contains(err.Error(), "it is not locked (lock ID A was broken") {
		t.Errorf("Unlock by the broken holder: %v", err)
	}
	if err := b.Unlock(ctx, "B"); err != nil {
		t.Fatal(err)
	}
	if err := b.ForceUnlock(ctx, "B"); err == nil || !strings.Contains(err.Error(), "there is no lock to break") {
		t.Errorf("ForceUnlock without a lock: %v", err)
	}
}

// TestForceUnlockStaleAndRowless: a row whose holder died is removed by
// ForceUnlock with its ID; a session holding the lock without a row is
// named by its backend pid, by which ForceUnlock ends it.
func TestForceUnlockStaleAndRowless(t *testing.T) {
	s := pgtest.New(t)
	ctx := context.Background()
	a, b := newBackend(t, s, "w"), newBackend(t, s, "w")
	if err := a.Lock(ctx, statestore.LockInfo{ID: "dead"}, 0); err != nil {
		t.Fatal(err)
	}
	a.held.conn.PgConn().Conn().Close()
	deadline := time.Now().Add(10 * time.Second)
	for advisoryHolders(t, s, b) != "" {
		if time.Now().After(deadline) {
			t.Fatal("the dead holder's session did not end")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := b.ForceUnlock(ctx, "dead"); err != nil {
		t.Fatalf("ForceUnlock of a stale row: %v", err)
	}
	if got := cells(t, s, "SELECT count(*)::text FROM meshctl_state_locks"); got[0] != "0" {
		t.Errorf("%s rows left", got[0])
	}

	// A session that holds the advisory lock but wrote no row.
	c := newBackend(t, s, "w")
	if err := c.Lock(ctx, statestore.LockInfo{ID: "rowless"}, 0); err != nil {
		t.Fatal(err)
	}
	s.Exec(t, "DELETE FROM meshctl_state_locks")
	le := asLocked(t, b.Lock(ctx, statestore.LockInfo{ID: "B"}, 0))
	if !strings.HasPrefix(le.Holder.ID, sessionIDPrefix) || !strings.Contains(le.Holder.Who, "PostgreSQL backend") {
		t.Fatalf("holder = %+v, want the session named", le.Holder)
	}
	if err := b.ForceUnlock(ctx, le.Holder.ID); err != nil {
		t.Fatalf("ForceUnlock(%s): %v", le.Holder.ID, err)
	}
	if err := b.Lock(ctx, statestore.LockInfo{ID: "B"}, 0); err != nil {
		t.Fatalf("Lock after ForceUnlock: %v", err)
	}
	b.Unlock(ctx, "B")
}

// TestForceUnlockNotPermitted: a role that may not end the holder's
// session fails, naming the session, and leaves the lock.
func TestForceUnlockNotPermitted(t *testing.T) {
	s := pgtest.New(t)
	ctx := context.Background()
	role := s.Name + "_breaker"
	s.Exec(t, "CREATE ROLE "+role+" LOGIN")
	t.Cleanup(func() {
		_, _ = s.Conn.Exec(context.Background(), "DROP OWNED BY "+role)
		_, _ = s.Conn.Exec(context.Background(), "DROP ROLE "+role)
	})
	a := newBackend(t, s, "w") // a superuser's session on these machines
	if err := a.Lock(ctx, statestore.LockInfo{ID: "A"}, 0); err != nil {
		t.Fatal(err)
	}
	defer a.Unlock(ctx, "A")
	var super bool
	if err := s.Conn.QueryRow(ctx, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&super); err != nil || !super {
		t.Skip("the test server's user is not a superuser")
	}
	s.Exec(t, "GRANT USAGE ON SCHEMA "+s.Name+" TO "+role)
	s.Exec(t, "GRANT SELECT, DELETE ON ALL TABLES IN SCHEMA "+s.Name+" TO "+role)
	u, err := url.Parse(s.DSN)
	if err != nil {
		t.Skipf("the test DSN is not a URL: %v", err)
	}
	u.User = url.User(role)
	weak, err := New(Options{DSN: u.String(), Workspace: "w"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := weak.Read(ctx); err != nil && !errors.Is(err, statestore.ErrNotFound) {
		t.Skipf("cannot connect as %s: %v", role, err)
	}
	err = weak.ForceUnlock(ctx, "A")
	if err == nil || !strings.Contains(err.Error(), "which the DSN's role may not terminate") || !strings.Contains(err.Error(), "it was left in place") {
		t.Fatalf("ForceUnlock without the privilege: %v", err)
	}
	le := asLocked(t, newBackend(t, s, "w").Lock(ctx, statestore.LockInfo{ID: "C"}, 0))
	if le.Holder.ID != "A" {
		t.Errorf("holder after a refused ForceUnlock = %+v, want A", le.Holder)
	}
	if err := a.Write(ctx, []byte("still mine")); err != nil {
		t.Errorf("the holder cannot write after a refused ForceUnlock: %v", err)
	}
}

// TestReadWriteThroughTheLock: while locked, reads and writes use the
// lock's connection (no other connection is opened).
func TestReadWriteThroughTheLock(t *testing.T) {
	s := pgtest.New(t)
	ctx := context.Background()
	b := newBackend(t, s, "w")
	b.o.DSN = withAppName(t, s.DSN, s.Name) // to tell its connections from others' tests
	if err := b.Lock(ctx, statestore.LockInfo{ID: "L"}, 0); err != nil {
		t.Fatal(err)
	}
	pid := cells(t, s, "SELECT backend_pid::text FROM meshctl_state_locks")[0]
	if err := b.Write(ctx, []byte("doc")); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Read(ctx); err != nil || string(got) != "doc" {
		t.Fatalf("Read = %q, %v", got, err)
	}
	conns := cells(t, s, "SELECT count(*)::text, min(pid)::text FROM pg_stat_activity WHERE application_name = $1", s.Name)
	if diff := cmp.Diff([]string{"1", pid}, conns); diff != "" {
		t.Errorf("meshctl's connections (-want +got):\n%s", diff)
	}
	if err := b.Unlock(ctx, "L"); err != nil {
		t.Fatal(err)
	}
}

// advisoryHolders returns the pids (comma-separated) of the sessions
// holding b's advisory lock.
func advisoryHolders(t *testing.T, s *pgtest.Schema, b *Backend) string {
	t.Helper()
	n := names{schema: s.Name, table: b.table}
	return cells(t, s, `SELECT coalesce(string_agg(pid::text, ','), '') FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2
		AND classid = hashtext($1)::oid AND objid = hashtext($2)::oid`, n.lockKey(), b.o.Workspace)[0]
}

// withAppName sets application_name in a URL DSN.
func withAppName(t *testing.T, dsn, name string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Skipf("the test DSN is not a URL")
	}
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	return u.String()
}
