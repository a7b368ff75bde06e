// Package statepg stores a workspace's state in PostgreSQL: it implements
// statestore.Backend for mesh { state { backend = "postgres" } }.
//
// Two tables, created on first use when missing (default names; the state
// table is configurable and the lock table is named after it):
//
//	meshctl_state        (workspace PK, serial, lineage, document bytea,
//	                      updated_at, previous, previous_serial,
//	                      previous_updated_at)
//	meshctl_state_locks  (workspace PK, id, info jsonb, backend_pid,
//	                      created)
//
// The document is stored as bytes, exactly as written; serial and lineage
// are copied from its JSON head (NULL when it has none), so that a Write
// that would go backwards is refused by the database itself: Write
// replaces the row in one statement, moving the old document to previous,
// unless the stored document has another lineage or a serial at least as
// high. That guards, atomically, what planner/state.Store checks by
// reading first, even for a writer that does not hold the lock.
//
// The lock is a session-level advisory lock, pg_try_advisory_lock(key1,
// key2), with key1 from the state table's name and key2 from the
// workspace's, held on a connection of its own for the lock's life, plus
// a row in the lock table naming the holder (statestore.LockInfo) so that
// a waiter can say who it waits for. A holder that dies loses its session
// and, with it, the lock: its row is then stale and the next Lock
// replaces it. (A host that vanishes without closing its connections
// keeps its session until the server's TCP keepalive notices, by default
// after hours: that is what ForceUnlock is for.) While this Backend holds
// the lock, Read and Write go through the lock's connection, and Write
// checks in its transaction that the row still names the lock: a holder
// whose lock was broken cannot write state any more.
//
// ForceUnlock with the holder's lock ID terminates the holder's lock
// session (pg_terminate_backend: the DSN's role must be a superuser, the
// holder's role, or a member of pg_signal_backend; otherwise it fails,
// naming the backend's pid, and changes nothing) and removes the row. If
// the holder's process is alive, it keeps running, but its next Read,
// Write or Unlock fails because its lock connection is gone; what it
// published in the meantime stays published, and the next plan reports
// any difference with state as drift.
//
// The DSN is never printed: Describe and errors name the table, the
// workspace and, when given, where the DSN came from (env("NAME")).
//
// It imports planner/statestore and pgx only: it must not import other
// providers, the rest of the planner, the executor or cmd.
package statepg
