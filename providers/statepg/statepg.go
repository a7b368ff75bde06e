package statepg

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/meshctl/meshctl/planner/statestore"
)

// DefaultTable is the state table when Options.Table is empty.
const DefaultTable = "meshctl_state"

// LocksSuffix ends the lock table's name: <table>_locks.
const LocksSuffix = "_locks"

// Options configures a Backend.
type Options struct {
	// DSN connects to the database. It is never printed.
	DSN string
	// DSNSource says where the DSN came from, for messages only
	// (`env("STATE_DSN")`); it may be empty.
	DSNSource string
	// Table is the state table, "table" (in the DSN's current schema) or
	// "schema.table"; DefaultTable when empty.
	Table string
	// Workspace keys the workspace's row (the mesh's name).
	Workspace string
}

// Backend is the PostgreSQL state backend. It is safe for concurrent use;
// across processes, Lock serialises writers.
type Backend struct {
	o      Options
	schema string // as configured; resolved to the current schema on first use when empty
	table  string

	// mu guards what follows, and serialises the use of held.conn.
	mu       sync.Mutex
	resolved string // the schema in use, once known
	ready    bool   // the tables exist
	held     *held

	// pollMin and pollJitter set how often Lock retries a held lock.
	pollMin, pollJitter time.Duration
}

// held is the lock this Backend holds.
type held struct {
	id   string
	conn *pgx.Conn
}

var _ statestore.Backend = (*Backend)(nil)

// New returns a backend for o. It checks o but does not connect: the first
// call does.
func New(o Options) (*Backend, error) {
	if strings.TrimSpace(o.DSN) == "" {
		src := o.DSNSource
		if src == "" {
			src = "the DSN"
		}
		return nil, fmt.Errorf("postgres state: %s is empty", src)
	}
	if o.Workspace == "" {
		return nil, errors.New("postgres state: the workspace name is empty")
	}
	if o.Table == "" {
		o.Table = DefaultTable
	}
	schema, table, qualified := strings.Cut(o.Table, ".")
	if !qualified {
		schema, table = "", o.Table
	}
	for _, n := range []string{schema, table + LocksSuffix} {
		if len(n) > 63 {
			return nil, fmt.Errorf("postgres state: table %q: %q is longer than PostgreSQL's 63 bytes", o.Table, n)
		}
	}
	if (qualified && schema == "") || table == "" || strings.ContainsAny(table, ".\x00") || strings.ContainsRune(schema, 0) {
		return nil, fmt.Errorf("postgres state: table %q is not valid: write \"table\" or \"schema.table\"", o.Table)
	}
	return &Backend{o: o, schema: schema, table: table, pollMin: 200 * time.Millisecond, pollJitter: 300 * time.Millisecond}, nil
}

// Describe names the backend for messages, never the DSN: `postgres
// state meshctl_state, workspace "sales" (dsn env("STATE_DSN"))`.
func (b *Backend) Describe() string {
	s := fmt.Sprintf("postgres state %s, workspace %q", b.o.Table, b.o.Workspace)
	if b.o.DSNSource != "" {
		s += " (dsn " + b.o.DSNSource + ")"
	}
	return s
}

// connect opens a connection. Errors do not quote the DSN.
func (b *Backend) connect(ctx context.Context) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(b.o.DSN)
	if err != nil {
		return nil, fmt.Errorf("the DSN of %s does not parse as a PostgreSQL connection string", b.Describe())
	}
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "meshctl"
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", b.Describe(), err)
	}
	return conn, nil
}

func closeConn(ctx context.Context, c *pgx.Conn) { _ = c.Close(context.WithoutCancel(ctx)) }

// names is where this backend's tables are, once the schema is resolved.
type names struct {
	schema, table string
}

func (n names) state() string { return pgx.Identifier{n.schema, n.table}.Sanitize() }
func (n names) locks() string { return pgx.Identifier{n.schema, n.table + LocksSuffix}.Sanitize() }

// lockKey names the advisory lock (with the workspace): the state
// table, schema-qualified.
func (n names) lockKey() string { return "meshctl_state " + n.schema + "." + n.table }

// ensure resolves the schema and, with create, creates the tables when
// missing (reading needs no privilege to create them); b.mu must be held.
func (b *Backend) ensure(ctx context.Context, conn *pgx.Conn, create bool) (names, error) {
	if b.resolved == "" {
		schema := b.schema
		if schema == "" {
			var cur *string
			if err := conn.QueryRow(ctx, "SELECT current_schema()").Scan(&cur); err != nil {
				return names{}, err
			}
			if cur == nil {
				return names{}, fmt.Errorf("no schema of the DSN's search_path exists: write table = \"schema.%s\"", b.table)
			}
			schema = *cur
		}
		b.resolved = schema
	}
	n := names{schema: b.resolved, table: b.table}
	if b.ready || !create {
		return n, nil
	}
	var haveState, haveLocks bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL, to_regclass($2) IS NOT NULL", n.state(), n.locks()).Scan(&haveState, &haveLocks); err != nil {
		return names{}, err
	}
	if !haveState || !haveLocks {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			// Two first uses at once must not both create.
			if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext($1))", "create "+n.lockKey()); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+n.state()+` (
				workspace           text PRIMARY KEY,
				serial              bigint,
				lineage             text,
				document            bytea NOT NULL,
				updated_at          timestamptz NOT NULL,
				previous            bytea,
				previous_serial     bigint,
				previous_updated_at timestamptz
			)`); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+n.locks()+` (
				workspace   text PRIMARY KEY,
				id          text NOT NULL,
				info        jsonb NOT NULL,
				backend_pid integer NOT NULL,
				created     timestamptz NOT NULL
			)`)
			return err
		})
		if err != nil {
			return names{}, fmt.Errorf("create the tables: %w", err)
		}
	}
	b.ready = true
	return n, nil
}

// withConn runs fn on the lock's connection when this Backend holds the
// lock (lockID is then its ID), or on a connection of its own; with
// create, the tables are created first when missing.
func (b *Backend) withConn(ctx context.Context, create bool, fn func(conn *pgx.Conn, n names, lockID string) error) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if h := b.held; h != nil {
		n, err := b.ensure(ctx, h.conn, create)
		if err != nil {
			return brokenOr(h, err)
		}
		return brokenOr(h, fn(h.conn, n, h.id))
	}
	conn, err := b.connect(ctx)
	if err != nil {
		return err
	}
	defer closeConn(ctx, conn)
	n, err := b.ensure(ctx, conn, create)
	if err != nil {
		return err
	}
	return fn(conn, n, "")
}

// errBroken says that the lock this Backend held was broken.
var errBroken = errors.New("the state lock was broken (meshctl force-unlock, or its connection ended) while this command held it: nothing was written")

// brokenOr reports a failure on the lock's connection as a broken lock
// when the connection is gone.
func brokenOr(h *held, err error) error {
	if err != nil && h.conn.IsClosed() {
		return fmt.Errorf("lock ID %s: %w (%v)", h.id, errBroken, err)
	}
	return err
}

// Read returns the workspace's document, or statestore.ErrNotFound.
func (b *Backend) Read(ctx context.Context) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var doc []byte
	err := b.withConn(ctx, false, func(conn *pgx.Conn, n names, _ string) error {
		return conn.QueryRow(ctx, "SELECT document FROM "+n.state()+" WHERE workspace = $1", b.o.Workspace).Scan(&doc)
	})
	if errors.Is(err, pgx.ErrNoRows) || isUndefinedTable(err) {
		return nil, statestore.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", b.Describe(), err)
	}
	return doc, nil
}

// Previous returns the document that the last Write replaced, or
// statestore.ErrNotFound when there is none (the backup statelocal keeps
// as <path>.backup).
func (b *Backend) Previous(ctx context.Context) ([]byte, error) {
	var doc []byte
	err := b.withConn(ctx, false, func(conn *pgx.Conn, n names, _ string) error {
		return conn.QueryRow(ctx, "SELECT previous FROM "+n.state()+" WHERE workspace = $1", b.o.Workspace).Scan(&doc)
	})
	if errors.Is(err, pgx.ErrNoRows) || isUndefinedTable(err) || (err == nil && doc == nil) {
		return nil, statestore.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read the previous state of %s: %w", b.Describe(), err)
	}
	return doc, nil
}

// head is what Write reads of a document.
type head struct {
	Lineage *string `json:"lineage"`
	Serial  *int64  `json:"serial"`
}

// Write replaces the workspace's document with doc in one statement,
// keeping the replaced one as previous. A document whose JSON head has a
// lineage and a serial is refused when the stored one has another
// lineage or a serial at least as high (see the package comment). While
// this Backend holds the lock, Write also checks, in the same
// transaction, that the lock is still its own.
func (b *Backend) Write(ctx context.Context, doc []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var h head
	_ = json.Unmarshal(doc, &h) // not JSON: no guard
	if doc == nil {
		doc = []byte{}
	}
	err := b.withConn(ctx, true, func(conn *pgx.Conn, n names, lockID string) error {
		return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if lockID != "" {
				var id string
				err := tx.QueryRow(ctx, "SELECT id FROM "+n.locks()+" WHERE workspace = $1 FOR SHARE", b.o.Workspace).Scan(&id)
				if errors.Is(err, pgx.ErrNoRows) || (err == nil && id != lockID) {
					return fmt.Errorf("lock ID %s: %w", lockID, errBroken)
				}
				if err != nil {
					return err
				}
			}
			tag, err := tx.Exec(ctx, `INSERT INTO `+n.state()+` AS s (workspace, serial, lineage, document, updated_at)
				VALUES ($1, $2, $3, $4, now())
				ON CONFLICT (workspace) DO UPDATE SET
					previous = s.document, previous_serial = s.serial, previous_updated_at = s.updated_at,
					serial = EXCLUDED.serial, lineage = EXCLUDED.lineage, document = EXCLUDED.document, updated_at = EXCLUDED.updated_at
				WHERE s.lineage IS NULL OR EXCLUDED.lineage IS NULL
					OR (s.lineage = EXCLUDED.lineage AND (s.serial IS NULL OR EXCLUDED.serial IS NULL OR EXCLUDED.serial > s.serial))`,
				b.o.Workspace, h.Serial, h.Lineage, doc)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 1 {
				return nil
			}
			var lineage string
			var serial int64
			if err := tx.QueryRow(ctx, "SELECT lineage, serial FROM "+n.state()+" WHERE workspace = $1", b.o.Workspace).Scan(&lineage, &serial); err != nil {
				return err
			}
			if lineage != *h.Lineage {
				return fmt.Errorf("refusing to write: the stored state has lineage %s, this document %s (another workspace's state?); nothing was written", lineage, *h.Lineage)
			}
			return fmt.Errorf("refusing to write: the stored state has serial %d, this document %d (it was written since this one was read); nothing was written", serial, *h.Serial)
		})
	})
	if err != nil {
		return fmt.Errorf("write %s: %w", b.Describe(), err)
	}
	return nil
}

// isUndefinedTable reports a missing table.
func isUndefinedTable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "42P01"
}
