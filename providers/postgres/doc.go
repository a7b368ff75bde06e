// Package postgres reads PostgreSQL sources for meshctl: a table (or view)
// named by a source's table, or the result of its query.
//
//   - SchemaReader implements sourceschema.Reader from the catalog: the
//     columns a SELECT * would return, with their types mapped to meshctl's
//     (see SchemaReader.ReadSchema) and, for tables, NOT NULL constraints.
//   - Scanner implements dataio.Scanner: one streaming SELECT of the needed
//     columns, with the simple predicates of the filter above pushed into
//     its WHERE clause as bind parameters, in pgx's binary protocol,
//     decoded straight into column vectors, inside one read-only
//     REPEATABLE READ transaction.
//   - Fingerprint summarises a source's data so that the planner sees when
//     it changed.
//
// A DSN is a secret: it comes from the environment variable the source
// names, and it never appears in an error. Connections set TimeZone to
// UTC, so that timestamps without a time zone are read as UTC.
//
// It owns the mapping between PostgreSQL's types and meshctl's column types
// (lang/types) and PostgreSQL's binary formats. It imports lang/ir,
// lang/types, lang/sourceschema, executor/dataio, executor/vector and
// executor/decimal, and must not import other providers, the planner, the
// rest of the executor or cmd.
package postgres
