package pgtable

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/meshctl/meshctl/planner/lakeio"
)

// Lake is the lakeio.Lake of postgres:// locations. It holds no
// connection between calls and is safe for concurrent use; calls that
// change one output are made by the apply that holds the workspace's
// lock, and Publish and Delete also take a transaction-level advisory
// lock on the table, so that two workspaces publishing one table do not
// interleave.
type Lake struct {
	getenv func(string) (string, bool)
	// beforeCommit, when set (tests), runs in Publish's transaction just
	// before the commit; an error aborts the publish.
	beforeCommit func(ctx context.Context, tx pgx.Tx) error
}

var _ lakeio.Lake = (*Lake)(nil)

// New returns the Lake of postgres:// locations.
func New(o Options) *Lake { return &Lake{getenv: o.getenv()} }

// open parses a location and connects to its database.
func (l *Lake) open(ctx context.Context, path string) (target, *pgx.Conn, error) {
	if err := ctx.Err(); err != nil {
		return target{}, nil, err
	}
	t, err := parseTarget(path)
	if err != nil {
		return target{}, nil, err
	}
	conn, err := connect(ctx, l.getenv, t)
	if err != nil {
		return target{}, nil, err
	}
	return t, conn, nil
}

// Fingerprint is "version:<id>" of the version published at path, as the
// planner fingerprints product inputs; nothing published is an error.
func (l *Lake) Fingerprint(ctx context.Context, path string) (string, error) {
	m, _, err := l.Current(ctx, path)
	if err != nil {
		return "", fmt.Errorf("fingerprint %s: %w", path, err)
	}
	return "version:" + m.VersionID, nil
}

// Current returns the manifest recorded for the table at path and the
// SHA-256 of the manifest's text as the server prints the stored jsonb
// (so that a row edited by hand changes it), or lakeio.ErrNotPublished
// when no manifest is recorded or the table is gone.
func (l *Lake) Current(ctx context.Context, path string) (*lakeio.Manifest, string, error) {
	t, conn, err := l.open(ctx, path)
	if err != nil {
		return nil, "", err
	}
	defer closeConn(ctx, conn)
	m, sum, err := current(ctx, conn, t)
	if err != nil {
		return nil, "", fmt.Errorf("read the manifest of %s: %w", path, explain(err, t))
	}
	if m == nil {
		return nil, "", fmt.Errorf("%s: %w", path, lakeio.ErrNotPublished)
	}
	return m, sum, nil
}

// current reads t's manifest row; nil without an error when there is none
// or the table is gone.
func current(ctx context.Context, q querier, t target) (*lakeio.Manifest, string, error) {
	m, sum, err := manifestRow(ctx, q, t, false)
	if err != nil || m == nil {
		return nil, "", err
	}
	if ok, err := exists(ctx, q, t.schema, t.table); err != nil || !ok {
		return nil, "", err
	}
	return m, sum, nil
}

// manifestRow reads t's manifest row (locking it, in a transaction, with
// forUpdate); nil when there is none.
func manifestRow(ctx context.Context, q querier, t target, forUpdate bool) (*lakeio.Manifest, string, error) {
	if ok, err := exists(ctx, q, t.schema, ManifestsTable); err != nil || !ok {
		return nil, "", err
	}
	sql := "SELECT manifest::text FROM " + t.manifests() + " WHERE table_name = $1"
	if forUpdate {
		sql += " FOR UPDATE"
	}
	var text string
	switch err := q.QueryRow(ctx, sql, t.table).Scan(&text); {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, "", nil
	case err != nil:
		return nil, "", err
	}
	var m lakeio.Manifest
	if err := json.Unmarshal([]byte(text), &m); err != nil {
		return nil, "", fmt.Errorf("the manifest recorded in %s.%s does not decode: %w", t.schema, ManifestsTable, err)
	}
	if m.FormatVersion > lakeio.ManifestFormatVersion {
		return nil, "", fmt.Errorf("the manifest recorded in %s.%s has format %d: a newer meshctl wrote it (this one reads up to %d)", t.schema, ManifestsTable, m.FormatVersion, lakeio.ManifestFormatVersion)
	}
	sum := sha256.Sum256([]byte(text))
	return &m, hex.EncodeToString(sum[:]), nil
}

// Verify checks the published table against m: it exists, is version
// m.VersionID (its comment), has m's columns in order with their types
// and nullability, its privileges are SELECT for m's readers and nothing
// else, and, when deep, it holds m.Rows rows (count(*), a full scan). It
// returns one line per problem, naming the table ("analytics.orders:
// column "id" is missing"); errors are for failures to look.
func (l *Lake) Verify(ctx context.Context, path string, m *lakeio.Manifest, deep bool) ([]string, error) {
	if m == nil {
		return nil, fmt.Errorf("verify %s: no manifest", path)
	}
	t, conn, err := l.open(ctx, path)
	if err != nil {
		return nil, err
	}
	defer closeConn(ctx, conn)
	problems, err := verify(ctx, conn, t, m, deep)
	if err != nil {
		return nil, fmt.Errorf("verify %s: %w", path, explain(err, t))
	}
	return problems, nil
}

func verify(ctx context.Context, q querier, t target, m *lakeio.Manifest, deep bool) ([]string, error) {
	var problems []string
	add := func(lines ...string) {
		for _, line := range lines {
			problems = append(problems, t.name()+": "+line)
		}
	}
	if ok, err := exists(ctx, q, t.schema, t.table); err != nil {
		return nil, err
	} else if !ok {
		add("the table is missing")
		return problems, nil
	}
	var comment *string
	if err := q.QueryRow(ctx, "SELECT obj_description(to_regclass($1), 'pg_class')", t.ident()).Scan(&comment); err != nil {
		return nil, err
	}
	if comment == nil || !strings.HasSuffix(*comment, ", "+versionMark(m.VersionID)) {
		add(fmt.Sprintf("the table is not the one meshctl published as version %s (its comment does not name it): it was replaced or its comment changed", m.VersionID))
	}
	cols, err := tableColumns(ctx, q, t.schema, t.table)
	if err != nil {
		return nil, err
	}
	add(columnProblems(cols, m.Schema)...)
	owner, grants, err := tableGrants(ctx, q, t.schema, t.table)
	if err != nil {
		return nil, err
	}
	add(grantProblems(owner, grants, m.Readers)...)
	if deep {
		var n int64
		if err := q.QueryRow(ctx, "SELECT count(*) FROM "+t.ident()).Scan(&n); err != nil {
			return nil, err
		}
		if n != m.Rows {
			add(fmt.Sprintf("the table holds %d rows, the manifest records %d", n, m.Rows))
		}
	}
	return problems, nil
}

// versionMark is how a table's comment names its version, at its end.
func versionMark(id string) string { return "version " + id }

// Stage creates the empty table (no columns: the Sinker adds the
// output's) that version id is written into, dropping one an interrupted
// apply may have left, and returns its name, "<schema>.<table>", as the
// staged version's "folder" (dataio.SinkRequest.Dir). It creates the
// schema's manifests table when missing, and refuses early, before
// anything is computed, a table of that name that meshctl did not
// publish and a version id already published.
func (l *Lake) Stage(ctx context.Context, path, id string) (string, error) {
	t, conn, err := l.open(ctx, path)
	if err != nil {
		return "", err
	}
	defer closeConn(ctx, conn)
	if err := checkID(id); err != nil {
		return "", fmt.Errorf("stage %s: %w", path, err)
	}
	if err := l.stage(ctx, conn, t, id); err != nil {
		return "", fmt.Errorf("stage %s: %w", path, explain(err, t))
	}
	return t.schema + "." + t.staged(id), nil
}

func (l *Lake) stage(ctx context.Context, conn *pgx.Conn, t target, id string) error {
	if err := ensureManifests(ctx, conn, t); err != nil {
		return err
	}
	m, _, err := manifestRow(ctx, conn, t, false)
	if err != nil {
		return err
	}
	if err := checkOwned(ctx, conn, t, m); err != nil {
		return err
	}
	if m != nil && m.VersionID == id {
		return fmt.Errorf("version %s is already published", id)
	}
	staged := quote(t.schema, t.staged(id))
	if _, err := conn.Exec(ctx, "DROP TABLE IF EXISTS "+staged); err != nil {
		return err
	}
	_, err = conn.Exec(ctx, "CREATE TABLE "+staged+" ()")
	return err
}

// checkOwned refuses a table at t that no manifest row records: it is
// not meshctl's to replace or drop.
func checkOwned(ctx context.Context, q querier, t target, m *lakeio.Manifest) error {
	if m != nil {
		return nil
	}
	ok, err := exists(ctx, q, t.schema, t.table)
	if err != nil || !ok {
		return err
	}
	return fmt.Errorf("table %s exists but meshctl did not publish it (%s.%s has no row for it): drop or rename it, or publish into another table", t.name(), t.schema, ManifestsTable)
}

// ensureManifests creates the schema's manifests table when missing.
// Creators are serialised by an advisory lock so that two first
// publishes into one schema do not collide.
func ensureManifests(ctx context.Context, conn *pgx.Conn, t target) error {
	if ok, err := exists(ctx, conn, t.schema, ManifestsTable); err != nil || ok {
		return err
	}
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext($1))", "meshctl manifests "+t.schema); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+t.manifests()+` (
			table_name   text PRIMARY KEY,
			location     text NOT NULL,
			manifest     jsonb NOT NULL,
			sha256       text NOT NULL,
			published_at timestamptz NOT NULL
		)`)
		return err
	})
}

// Publish makes the staged version m.VersionID the table at path, in one
// transaction (see the package comment): the staged table must exist
// with m's columns, every reader of m must be a role, and a table already
// at path must be one meshctl published. m is recorded as the table's
// manifest; a zero FormatVersion is written as
// lakeio.ManifestFormatVersion.
func (l *Lake) Publish(ctx context.Context, path string, m *lakeio.Manifest) error {
	if m == nil {
		return fmt.Errorf("publish %s: no manifest", path)
	}
	t, conn, err := l.open(ctx, path)
	if err != nil {
		return err
	}
	defer closeConn(ctx, conn)
	out := *m
	out.Files = slices.Clone(m.Files)
	out.Readers = slices.Clone(m.Readers)
	if out.FormatVersion == 0 {
		out.FormatVersion = lakeio.ManifestFormatVersion
	}
	if err := checkID(out.VersionID); err != nil {
		return fmt.Errorf("publish %s: %w", path, err)
	}
	if err := ensureManifests(ctx, conn, t); err != nil {
		return fmt.Errorf("publish %s: %w", path, explain(err, t))
	}
	if err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error { return l.publish(ctx, tx, t, &out) }); err != nil {
		return fmt.Errorf("publish %s: %w", path, explain(err, t))
	}
	return nil
}

func (l *Lake) publish(ctx context.Context, tx pgx.Tx, t target, m *lakeio.Manifest) error {
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext($1))", "meshctl table "+t.name()); err != nil {
		return err
	}
	staged := t.staged(m.VersionID)
	if ok, err := exists(ctx, tx, t.schema, staged); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("version %s was not staged (there is no table %s.%s)", m.VersionID, t.schema, staged)
	}
	cols, err := tableColumns(ctx, tx, t.schema, staged)
	if err != nil {
		return err
	}
	if problems := columnProblems(cols, m.Schema); len(problems) > 0 {
		return fmt.Errorf("the staged table %s.%s does not match the manifest: %s", t.schema, staged, strings.Join(problems, "; "))
	}
	missing, err := missingRoles(ctx, tx, m.Readers)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return fmt.Errorf("the readers %s are not roles of the database of %s: create them (CREATE ROLE), or change access { readers } (\"everyone\" grants to PUBLIC); nothing was published", strings.Join(missing, ", "), t.env)
	}
	old, _, err := manifestRow(ctx, tx, t, true)
	if err != nil {
		return err
	}
	if err := checkOwned(ctx, tx, t, old); err != nil {
		return err
	}
	if old != nil && old.VersionID == m.VersionID {
		return fmt.Errorf("version %s is already published", m.VersionID)
	}
	if ok, err := exists(ctx, tx, t.schema, t.table); err != nil {
		return err
	} else if ok {
		// One previous version is kept: the one kept so far goes.
		kept, err := tablesWithPrefix(ctx, tx, t.schema, t.base()+previousMarker)
		if err != nil {
			return err
		}
		if err := dropTables(ctx, tx, t.schema, kept); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "ALTER TABLE "+t.ident()+" RENAME TO "+quote(t.previous(old.VersionID))); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, "ALTER TABLE "+quote(t.schema, staged)+" RENAME TO "+quote(t.table)); err != nil {
		return err
	}
	if err := setGrants(ctx, tx, t.schema, t.table, m.Readers); err != nil {
		return err
	}
	comment := fmt.Sprintf("meshctl: product %s, %s", m.Product, versionMark(m.VersionID))
	// COMMENT takes no parameters: the server quotes the literal.
	var stmt string
	if err := tx.QueryRow(ctx, "SELECT format('COMMENT ON TABLE %s IS %L', $1::text, $2::text)", t.ident(), comment).Scan(&stmt); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, stmt); err != nil {
		return err
	}
	doc, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO `+t.manifests()+` (table_name, location, manifest, sha256, published_at)
		VALUES ($1, $2, $3::jsonb, encode(sha256(convert_to($3::jsonb::text, 'UTF8')), 'hex'), now())
		ON CONFLICT (table_name) DO UPDATE SET location = EXCLUDED.location, manifest = EXCLUDED.manifest,
			sha256 = EXCLUDED.sha256, published_at = EXCLUDED.published_at`, t.table, t.loc, string(doc)); err != nil {
		return err
	}
	if l.beforeCommit != nil {
		return l.beforeCommit(ctx, tx)
	}
	return nil
}

// Discard drops the staged table of version id, if any.
func (l *Lake) Discard(ctx context.Context, path, id string) error {
	t, conn, err := l.open(ctx, path)
	if err != nil {
		return err
	}
	defer closeConn(ctx, conn)
	if err := checkID(id); err != nil {
		return fmt.Errorf("discard %s: %w", path, err)
	}
	if err := dropTables(ctx, conn, t.schema, []string{t.staged(id)}); err != nil {
		return fmt.Errorf("discard %s: %w", path, explain(err, t))
	}
	return nil
}

// Prune drops the staged tables that interrupted applies left (Prune is
// called by the apply that holds the lock, so none is being written) and,
// when keep is below 2, the kept previous version: keep counts the
// current version, and at most one previous version is kept.
func (l *Lake) Prune(ctx context.Context, path string, keep int) error {
	if keep < 0 {
		return fmt.Errorf("prune %s: keep is %d, want 0 or more", path, keep)
	}
	t, conn, err := l.open(ctx, path)
	if err != nil {
		return err
	}
	defer closeConn(ctx, conn)
	prefixes := []string{t.base() + stagedMarker}
	if keep < 2 {
		prefixes = append(prefixes, t.base()+previousMarker)
	}
	for _, p := range prefixes {
		names, err := tablesWithPrefix(ctx, conn, t.schema, p)
		if err == nil {
			err = dropTables(ctx, conn, t.schema, names)
		}
		if err != nil {
			return fmt.Errorf("prune %s: %w", path, explain(err, t))
		}
	}
	return nil
}

// Delete drops what is published at path, in one transaction: the table
// (only when a manifest row says meshctl published it), the kept and
// staged versions, and the manifest row. A path with nothing published is
// not an error; a table meshctl did not publish is left.
func (l *Lake) Delete(ctx context.Context, path string) error {
	t, conn, err := l.open(ctx, path)
	if err != nil {
		return err
	}
	defer closeConn(ctx, conn)
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext($1))", "meshctl table "+t.name()); err != nil {
			return err
		}
		m, _, err := manifestRow(ctx, tx, t, true)
		if err != nil {
			return err
		}
		if m != nil {
			if err := dropTables(ctx, tx, t.schema, []string{t.table}); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "DELETE FROM "+t.manifests()+" WHERE table_name = $1", t.table); err != nil {
				return err
			}
		}
		for _, p := range []string{t.base() + stagedMarker, t.base() + previousMarker} {
			names, err := tablesWithPrefix(ctx, tx, t.schema, p)
			if err == nil {
				err = dropTables(ctx, tx, t.schema, names)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete %s: %w", path, explain(err, t))
	}
	return nil
}
