package statepg

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/meshctl/meshctl/planner/statestore"
)

// sessionIDPrefix starts the lock ID reported for a lock whose holder
// left no row: ForceUnlock accepts it to end that session.
const sessionIDPrefix = "pg-backend-"

// Lock takes the workspace's lock: the advisory lock on a connection of
// its own, kept until Unlock, and the lock row with info. info.ID is
// required; Who (user@host), PID and Created are filled in when left
// empty. While another session holds the lock, Lock retries every
// 200–500 ms until timeout has passed (0 tries once), then fails with an
// error for which errors.As finds a *statestore.LockedError naming the
// holder, as its row says.
func (b *Backend) Lock(ctx context.Context, info statestore.LockInfo, timeout time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if info.ID == "" {
		return fmt.Errorf("lock %s: the lock ID is empty", b.Describe())
	}
	if strings.HasPrefix(info.ID, sessionIDPrefix) {
		return fmt.Errorf("lock %s: lock IDs must not start with %q", b.Describe(), sessionIDPrefix)
	}
	info, err := info.Complete()
	if err != nil {
		return fmt.Errorf("lock %s: %w", b.Describe(), err)
	}
	content, err := json.Marshal(info)
	if err != nil {
		return fmt.Errorf("lock %s: %w", b.Describe(), err)
	}
	conn, err := b.connect(ctx)
	if err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	if err := b.lock(ctx, conn, info, content, timeout); err != nil {
		closeConn(ctx, conn)
		var le *statestore.LockedError
		if errors.As(err, &le) {
			return err
		}
		return fmt.Errorf("lock %s: %w", b.Describe(), err)
	}
	return nil
}

func (b *Backend) lock(ctx context.Context, conn *pgx.Conn, info statestore.LockInfo, content []byte, timeout time.Duration) error {
	b.mu.Lock()
	n, err := b.ensure(ctx, conn, true)
	b.mu.Unlock()
	if err != nil {
		return err
	}
	deadline := time.Now().Add(timeout)
	recheck := true
	for {
		var got bool
		if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock(hashtext($1), hashtext($2))", n.lockKey(), b.o.Workspace).Scan(&got); err != nil {
			return err
		}
		if got {
			// A row left by a holder that died is replaced.
			_, err := conn.Exec(ctx, `INSERT INTO `+n.locks()+` (workspace, id, info, backend_pid, created) VALUES ($1, $2, $3, pg_backend_pid(), $4)
				ON CONFLICT (workspace) DO UPDATE SET id = EXCLUDED.id, info = EXCLUDED.info, backend_pid = EXCLUDED.backend_pid, created = EXCLUDED.created`,
				b.o.Workspace, info.ID, string(content), info.Created)
			if err != nil {
				return err
			}
			b.mu.Lock()
			b.held = &held{id: info.ID, conn: conn}
			b.mu.Unlock()
			return nil
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			holder, held, err := b.holder(ctx, conn, n)
			if err != nil {
				return err
			}
			if !held && recheck {
				recheck = false // released just now: one more try
				continue
			}
			if !held {
				holder = statestore.LockInfo{Who: "unknown", Operation: "unknown"}
			}
			return &statestore.LockedError{Holder: holder, Where: b.where(n)}
		}
		wait = min(wait, b.pollMin+rand.N(b.pollJitter+1))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// where names the lock for LockedError.
func (b *Backend) where(n names) string {
	return fmt.Sprintf("PostgreSQL table %s.%s%s, workspace %q", n.schema, n.table, LocksSuffix, b.o.Workspace)
}

// holder says who holds the lock: the session holding the advisory lock
// (held is false when none does) and, when its row is that session's,
// the row's LockInfo; otherwise an unknown holder whose ID names the
// session (sessionIDPrefix).
func (b *Backend) holder(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, n names) (info statestore.LockInfo, held bool, err error) {
	var pid *int32
	var rowPID *int32
	var raw *string
	var started *time.Time
	err = q.QueryRow(ctx, `SELECT
			(SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2
				AND classid = hashtext($1)::oid AND objid = hashtext($2)::oid
				AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1),
			(SELECT backend_pid FROM `+n.locks()+` WHERE workspace = $2),
			(SELECT info::text FROM `+n.locks()+` WHERE workspace = $2)`,
		n.lockKey(), b.o.Workspace).Scan(&pid, &rowPID, &raw)
	if err != nil || pid == nil {
		return statestore.LockInfo{}, false, err
	}
	if rowPID != nil && *rowPID == *pid && raw != nil {
		if json.Unmarshal([]byte(*raw), &info) == nil && info.ID != "" {
			return info, true, nil
		}
	}
	// The holder is between taking the lock and writing its row, or its
	// row was removed: name the session.
	_ = q.QueryRow(ctx, "SELECT backend_start FROM pg_stat_activity WHERE pid = $1", *pid).Scan(&started)
	info = statestore.LockInfo{ID: sessionIDPrefix + strconv.Itoa(int(*pid)), Operation: "unknown", Who: "unknown (PostgreSQL backend " + strconv.Itoa(int(*pid)) + ")"}
	if started != nil {
		info.Created = started.UTC()
	}
	return info, true, nil
}

// Unlock releases the lock taken with id through this Backend. A lock
// held by another session is left as it is, and the error says who holds
// it.
func (b *Backend) Unlock(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	h := b.held
	if h != nil && h.id == id {
		b.held = nil
		b.mu.Unlock()
		return b.release(ctx, h, "unlock")
	}
	b.mu.Unlock()
	conn, err := b.connect(ctx)
	if err != nil {
		return fmt.Errorf("unlock: %w", err)
	}
	defer closeConn(ctx, conn)
	b.mu.Lock()
	n, err := b.ensure(ctx, conn, false)
	b.mu.Unlock()
	if err != nil {
		return fmt.Errorf("unlock %s: %w", b.Describe(), err)
	}
	holder, held, err := b.holder(ctx, conn, n)
	switch {
	case isUndefinedTable(err) || err == nil && !held:
		return fmt.Errorf("unlock %s: it is not locked (lock ID %s was already released or broken)", b.Describe(), id)
	case err != nil:
		return fmt.Errorf("unlock %s: %w", b.Describe(), err)
	case holder.ID != id:
		return fmt.Errorf("unlock %s: the lock is held by %s, not by lock ID %s; it was left in place", b.Describe(), holder.Holder(), id)
	}
	return fmt.Errorf("unlock %s: lock ID %s is held by another connection, which only its process can release; if that process is gone, run: meshctl force-unlock %s", b.Describe(), id, id)
}

// release removes the row and the advisory lock of a lock this Backend
// held, and closes its connection. A connection that ended meanwhile
// means that the lock was broken.
func (b *Backend) release(ctx context.Context, h *held, op string) error {
	defer closeConn(ctx, h.conn)
	b.mu.Lock()
	n, err := b.ensure(ctx, h.conn, false)
	b.mu.Unlock()
	if err == nil {
		_, err = h.conn.Exec(ctx, "DELETE FROM "+n.locks()+" WHERE workspace = $1 AND id = $2", b.o.Workspace, h.id)
	}
	if err == nil {
		_, err = h.conn.Exec(ctx, "SELECT pg_advisory_unlock(hashtext($1), hashtext($2))", n.lockKey(), b.o.Workspace)
	}
	if err != nil {
		if h.conn.IsClosed() {
			return fmt.Errorf("%s %s: it is not locked (lock ID %s was broken: its connection ended)", op, b.Describe(), h.id)
		}
		return fmt.Errorf("%s %s: %w", op, b.Describe(), err)
	}
	return nil
}

// ForceUnlock breaks the lock with id, whoever holds it (meshctl
// force-unlock): it terminates the session holding the advisory lock and
// removes the row (see the package comment for a holder still running).
// Asking for the ID guards against breaking a lock that a new holder took
// since the user looked: if the lock now has another ID, or there is no
// lock, it fails and leaves things as they are. A row that no session
// backs (its holder died) is removed when its ID is id.
func (b *Backend) ForceUnlock(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	if h := b.held; h != nil && h.id == id {
		b.held = nil
		b.mu.Unlock()
		return b.release(ctx, h, "force-unlock")
	}
	b.mu.Unlock()
	conn, err := b.connect(ctx)
	if err != nil {
		return fmt.Errorf("force-unlock: %w", err)
	}
	defer closeConn(ctx, conn)
	if err := b.forceUnlock(ctx, conn, id); err != nil {
		return fmt.Errorf("force-unlock %s: %w", b.Describe(), err)
	}
	return nil
}

func (b *Backend) forceUnlock(ctx context.Context, conn *pgx.Conn, id string) error {
	b.mu.Lock()
	n, err := b.ensure(ctx, conn, false)
	b.mu.Unlock()
	if err != nil {
		return err
	}
	holder, held, err := b.holder(ctx, conn, n)
	if isUndefinedTable(err) {
		return errors.New("there is no lock to break")
	}
	if err != nil {
		return err
	}
	if !held {
		tag, err := conn.Exec(ctx, "DELETE FROM "+n.locks()+" WHERE workspace = $1 AND id = $2", b.o.Workspace, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return errors.New("there is no lock to break")
		}
		return nil // the record of a holder that died
	}
	if holder.ID != id {
		return fmt.Errorf("the lock is now held by %s, not lock ID %s; it was left in place", holder.Holder(), id)
	}
	pid, err := b.holderPID(ctx, conn, n)
	if err != nil || pid == 0 {
		return err // released meanwhile: nothing to end
	}
	if _, err := conn.Exec(ctx, "SELECT pg_terminate_backend($1)", pid); err != nil {
		return fmt.Errorf("lock ID %s is held by PostgreSQL backend %d, which the DSN's role may not terminate (%v); it was left in place: a superuser can run SELECT pg_terminate_backend(%d), then force-unlock again", id, pid, err, pid)
	}
	// The session's locks go when its process has exited.
	for deadline := time.Now().Add(10 * time.Second); ; {
		p, err := b.holderPID(ctx, conn, n)
		if err != nil {
			return err
		}
		if p != pid {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("PostgreSQL backend %d was asked to end but still holds the lock after 10s; try again", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
	_, err = conn.Exec(ctx, "DELETE FROM "+n.locks()+" WHERE workspace = $1 AND id = $2", b.o.Workspace, id)
	return err
}

// holderPID is the pid of the session holding the advisory lock, 0 when
// none does.
func (b *Backend) holderPID(ctx context.Context, conn *pgx.Conn, n names) (int32, error) {
	var pid *int32
	err := conn.QueryRow(ctx, `SELECT (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2
		AND classid = hashtext($1)::oid AND objid = hashtext($2)::oid
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1)`, n.lockKey(), b.o.Workspace).Scan(&pid)
	if err != nil || pid == nil {
		return 0, err
	}
	return *pid, nil
}
