package ir

import (
	"fmt"
	"strings"
)

// PostgresScheme starts the location of a PostgreSQL table output.
const PostgresScheme = "postgres://"

// DefaultPostgresSchema is the schema of a table named without one.
const DefaultPostgresSchema = "public"

// maxIdentifier is PostgreSQL's longest identifier in bytes (NAMEDATALEN
// - 1); the server silently truncates longer ones, which would make two
// names one.
const maxIdentifier = 63

// PostgresLocation returns the location of a PostgreSQL table output,
// postgres://<env>/<schema>.<table>, where env names the environment
// variable holding the DSN and a table written without a schema is in
// "public". The location is what lakes, state and plans know the output
// by: it names the DSN's variable, never the DSN, so that no secret is
// stored or printed. The table is kept as written (it is not checked
// here; ParsePostgresLocation does).
func PostgresLocation(env, table string) string {
	if !strings.Contains(table, ".") {
		table = DefaultPostgresSchema + "." + table
	}
	return PostgresScheme + env + "/" + table
}

// ParsePostgresLocation splits a location made by PostgresLocation into
// the DSN's environment variable, the schema and the table. Names are
// taken as written (case kept) and must be 1 to 63 bytes without dots,
// slashes or NUL.
func ParsePostgresLocation(loc string) (env, schema, table string, err error) {
	rest, ok := strings.CutPrefix(loc, PostgresScheme)
	if !ok {
		return "", "", "", fmt.Errorf("%q is not a PostgreSQL location: it must start with %s", loc, PostgresScheme)
	}
	env, qualified, ok := strings.Cut(rest, "/")
	if !ok || env == "" {
		return "", "", "", fmt.Errorf("%q is not a PostgreSQL location: want %s<DSN variable>/<schema>.<table>", loc, PostgresScheme)
	}
	schema, table, ok = strings.Cut(qualified, ".")
	if !ok {
		schema, table = DefaultPostgresSchema, qualified
	}
	for _, name := range []string{schema, table} {
		if err := checkIdentifier(name); err != nil {
			return "", "", "", fmt.Errorf("%q is not a PostgreSQL location: %w", loc, err)
		}
	}
	return env, schema, table, nil
}

// checkIdentifier checks a schema or table name of a location.
func checkIdentifier(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("a schema or table name is empty")
	case len(name) > maxIdentifier:
		return fmt.Errorf("%q is longer than PostgreSQL's %d bytes", name, maxIdentifier)
	case strings.ContainsAny(name, "./\x00"):
		return fmt.Errorf("%q holds a dot, a slash or NUL: write schema.table", name)
	}
	return nil
}
