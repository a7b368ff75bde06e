package pgtable

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/meshctl/meshctl/lang/ir"
)

// Options configures a Lake or a Sinker.
type Options struct {
	// Getenv looks up the environment variable a location names for its
	// DSN; nil means os.LookupEnv.
	Getenv func(string) (string, bool)
}

func (o Options) getenv() func(string) (string, bool) {
	if o.Getenv != nil {
		return o.Getenv
	}
	return os.LookupEnv
}

// ManifestsTable is the table, in each schema holding published tables,
// that records their manifests.
const ManifestsTable = "meshctl_manifests"

// The markers between a table's name and a version's tag.
const (
	stagedMarker   = "__meshctl_s_"
	previousMarker = "__meshctl_v_"
)

// tagLen is the length of a version's tag: 48 bits of the id's hash.
const tagLen = 12

// maxIdentifier is PostgreSQL's longest identifier in bytes.
const maxIdentifier = 63

// target is one output table.
type target struct {
	loc    string
	env    string
	schema string
	table  string
}

func parseTarget(loc string) (target, error) {
	env, schema, table, err := ir.ParsePostgresLocation(loc)
	if err != nil {
		return target{}, err
	}
	return target{loc: loc, env: env, schema: schema, table: table}, nil
}

// name is schema.table as users write it, for messages.
func (t target) name() string { return t.schema + "." + t.table }

// ident is the quoted table name for SQL.
func (t target) ident() string { return quote(t.schema, t.table) }

// manifests is the quoted name of the schema's manifests table.
func (t target) manifests() string { return quote(t.schema, ManifestsTable) }

// base is the table's name shortened, when needed, so that a marker and a
// tag fit after it within PostgreSQL's identifier length; a shortened
// name ends in a hash of the whole, so that two long names sharing a
// start do not share staged tables.
func (t target) base() string {
	limit := maxIdentifier - len(stagedMarker) - tagLen
	if len(t.table) <= limit {
		return t.table
	}
	sum := sha256.Sum256([]byte(t.table))
	keep := limit - 9
	for keep > 0 && !utf8.RuneStart(t.table[keep]) {
		keep--
	}
	return t.table[:keep] + "_" + hex.EncodeToString(sum[:4])
}

// tag is the short form of a version id in table names.
func tag(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])[:tagLen]
}

// staged is the name (in t's schema) of version id's staging table.
func (t target) staged(id string) string { return t.base() + stagedMarker + tag(id) }

// previous is the name (in t's schema) of version id kept after a newer
// one was published.
func (t target) previous(id string) string { return t.base() + previousMarker + tag(id) }

// quote returns the quoted, dot-separated identifier of names.
func quote(names ...string) string { return pgx.Identifier(names).Sanitize() }

// checkID checks a version id: it names tables through its hash, but is
// also written into comments and messages.
func checkID(id string) error {
	if id == "" || len(id) > 200 || strings.ContainsAny(id, "\x00\n\r") {
		return fmt.Errorf("version id %q is not valid", id)
	}
	return nil
}

// connect opens a connection to the database of t, the DSN read from the
// variable t names. Errors name the variable, never the DSN.
func connect(ctx context.Context, getenv func(string) (string, bool), t target) (*pgx.Conn, error) {
	dsn, ok := getenv(t.env)
	if !ok || strings.TrimSpace(dsn) == "" {
		return nil, fmt.Errorf("environment variable %s is not set: it holds the DSN of the database of %s", t.env, t.loc)
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message quotes the DSN (password redacted at best).
		return nil, fmt.Errorf("the DSN in environment variable %s does not parse as a PostgreSQL connection string", t.env)
	}
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "meshctl"
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to the database of %s (DSN from %s): %w", t.loc, t.env, err)
	}
	return conn, nil
}

// closeConn closes a connection even when the call's context ended.
func closeConn(ctx context.Context, c *pgx.Conn) {
	_ = c.Close(context.WithoutCancel(ctx))
}

// querier is a connection or a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// exists reports whether the table schema.name exists.
func exists(ctx context.Context, q querier, schema, name string) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", quote(schema, name)).Scan(&ok)
	return ok, err
}

// tablesWithPrefix lists the tables of schema whose names start with
// prefix, sorted.
func tablesWithPrefix(ctx context.Context, q querier, schema, prefix string) ([]string, error) {
	rows, err := q.Query(ctx, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND left(c.relname, length($2)) = $2 ORDER BY c.relname`, schema, prefix)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// dropTables drops tables of schema.
func dropTables(ctx context.Context, q querier, schema string, names []string) error {
	for _, n := range names {
		if _, err := q.Exec(ctx, "DROP TABLE IF EXISTS "+quote(schema, n)); err != nil {
			return fmt.Errorf("drop %s.%s: %w", schema, n, err)
		}
	}
	return nil
}

// explain rewords the server errors a user can fix.
func explain(err error, t target) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "3F000": // invalid_schema_name
			return fmt.Errorf("schema %s does not exist in the database of %s: create it (CREATE SCHEMA %s) or publish into another schema: %w", t.schema, t.env, quote(t.schema), err)
		case "42501": // insufficient_privilege
			return fmt.Errorf("the role of the DSN in %s lacks a privilege it needs on %s: %w", t.env, t.name(), err)
		}
	}
	return err
}
