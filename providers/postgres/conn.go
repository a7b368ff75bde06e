package postgres

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/meshctl/meshctl/lang/ir"
)

// defaultConnectTimeout bounds connecting when the DSN sets no
// connect_timeout: an unreachable host would otherwise hang for minutes.
const defaultConnectTimeout = 30 * time.Second

// lookupEnv returns getenv, or os.LookupEnv when it is nil.
func lookupEnv(getenv func(string) (string, bool)) func(string) (string, bool) {
	if getenv == nil {
		return os.LookupEnv
	}
	return getenv
}

// rewordedError replaces an error's text (scrubbed of secrets, or made
// readable) while keeping the original reachable for errors.Is and
// errors.As (a cancelled context, a *pgconn.PgError).
type rewordedError struct {
	msg string
	err error
}

func (e *rewordedError) Error() string { return e.msg }
func (e *rewordedError) Unwrap() error { return e.err }

// connect opens a connection for src with the DSN its variable (or its
// literal dsn) holds. Errors name the source and the variable, never the
// DSN.
func connect(ctx context.Context, src *ir.Source, getenv func(string) (string, bool)) (*pgx.Conn, error) {
	if src.Kind != ir.SourcePostgres {
		return nil, fmt.Errorf("source %q is a %s source, not a postgres one", src.Name, src.Kind)
	}
	var dsn, from string
	switch {
	case src.DSNEnv != "":
		v, ok := lookupEnv(getenv)(src.DSNEnv)
		if !ok || strings.TrimSpace(v) == "" {
			return nil, fmt.Errorf("source %q: $%s is not set; it must hold the PostgreSQL connection string (postgres://user:password@host:5432/db)", src.Name, src.DSNEnv)
		}
		dsn, from = v, "the DSN in $"+src.DSNEnv
	case src.DSN != "":
		dsn, from = src.DSN, "its dsn"
	default:
		return nil, fmt.Errorf("source %q has no dsn", src.Name)
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message quotes the DSN, redacted only on a best-effort
		// basis, and the error it wraps may quote it whole.
		return nil, &rewordedError{
			msg: fmt.Sprintf("source %q: %s is not a valid connection string: write a URL (postgres://user:password@host:5432/db) or key=value pairs (host=... dbname=...)", src.Name, from),
			err: errors.Unwrap(err),
		}
	}
	cfg.RuntimeParams["TimeZone"] = "UTC"
	cfg.RuntimeParams["DateStyle"] = "ISO, YMD"
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "meshctl"
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = defaultConnectTimeout
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, &rewordedError{
			msg: fmt.Sprintf("source %q: cannot connect with %s: %s", src.Name, from, scrub(err.Error(), dsn, cfg.Password)),
			err: err,
		}
	}
	return conn, nil
}

// scrub removes secrets from a message: pgconn's errors do not quote the
// password or the DSN, but a message that did must not reach a log.
func scrub(msg string, secrets ...string) string {
	for _, s := range secrets {
		// A one- or two-letter password would mangle every word holding
		// its letters, and is no secret worth the mangling.
		if len(s) >= 3 {
			msg = strings.ReplaceAll(msg, s, "xxxxx")
		}
	}
	return msg
}

// beginSnapshot starts the read-only REPEATABLE READ transaction in which
// every statement of a read sees the same snapshot of the database.
func beginSnapshot(ctx context.Context, conn *pgx.Conn) error {
	_, err := conn.Exec(ctx, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
	return err
}

// relation is what a source reads, as SQL.
type relation struct {
	// from follows FROM: a quoted, qualified table name, or the query in
	// parentheses. It needs an alias when it is a query.
	from string
	// label names it in messages: `table "public.customers"` or "the query".
	label string
	// oid is the table's, 0 for a query.
	oid uint32
	// query is the user's query, trimmed; empty for a table.
	query string
}

// selectAll is the statement describing a relation's columns.
func (r relation) selectAll() string { return "SELECT * FROM " + r.from + " AS " + alias }

// alias names the relation in the statements the package sends (a
// subquery needs a name); an unusual one, so as not to meet the user's.
const alias = "meshctl_t"

// resolve finds the relation src reads: for a table, by PostgreSQL's own
// rules for a name written in SQL (unquoted parts fold to lower case, an
// unqualified name is looked up in the search_path).
func resolve(ctx context.Context, conn *pgx.Conn, src *ir.Source) (relation, error) {
	if src.Query != "" {
		q := trimQuery(src.Query)
		if q == "" {
			return relation{}, errors.New("the query is empty")
		}
		// The query goes on lines of its own, so that a trailing -- comment
		// cannot swallow the closing parenthesis.
		return relation{from: "(\n" + q + "\n)", label: "the query", query: q}, nil
	}
	if strings.TrimSpace(src.Table) == "" {
		return relation{}, errors.New("the source names no table")
	}
	var (
		oid      uint32
		nsp, rel string
	)
	err := conn.QueryRow(ctx, `SELECT c.oid, n.nspname, c.relname
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid = pg_catalog.to_regclass($1)`, src.Table).Scan(&oid, &nsp, &rel)
	if errors.Is(err, pgx.ErrNoRows) {
		where := ""
		if !strings.Contains(src.Table, ".") {
			where = " in the search_path; qualify it as schema.table"
		}
		return relation{}, fmt.Errorf("table %q does not exist%s (or the role cannot see it)", src.Table, where)
	}
	if err != nil {
		return relation{}, fmt.Errorf("table %q: %w", src.Table, sqlError(err, "", ""))
	}
	return relation{from: pgx.Identifier{nsp, rel}.Sanitize(), label: fmt.Sprintf("table %q", nsp+"."+rel), oid: oid}, nil
}

// trimQuery removes surrounding space and trailing semicolons, which would
// end the statement the query is wrapped in.
func trimQuery(q string) string {
	for {
		t := strings.TrimRight(strings.TrimSpace(q), ";")
		if t == q {
			return t
		}
		q = t
	}
}

// sqlError makes a server error readable: the message, its detail and
// hint, and, for an error in the user's query (inside stmt), the position
// in it. Positions in statements of the package's own mean nothing to the
// user and are dropped.
func sqlError(err error, stmt, query string) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	msg := pe.Message
	if i := strings.Index(stmt, query); query != "" && i >= 0 && pe.Position > 0 {
		// Position counts characters from 1 in the statement.
		at := int(pe.Position) - utf8.RuneCountInString(stmt[:i])
		if at >= 1 && at <= utf8.RuneCountInString(query) {
			line, col := 1, 1
			for _, r := range []rune(query)[:at-1] {
				if r == '\n' {
					line, col = line+1, 1
				} else {
					col++
				}
			}
			msg += fmt.Sprintf(" (line %d, column %d of the query)", line, col)
		}
	}
	if pe.Detail != "" {
		msg += ": " + pe.Detail
	}
	if pe.Hint != "" {
		msg += " (" + pe.Hint + ")"
	}
	return &rewordedError{msg: msg, err: err}
}
