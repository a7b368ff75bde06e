// Package csv reads what meshctl needs to know about CSV sources on the
// local file system. For now that is their schema: SchemaReader implements
// sourceschema.Reader from the header line and a sample of the rows.
//
// It owns the rules by which a column's type is inferred from its text
// (which spellings count as bool, int64, float64, date, timestamp and
// null), and the rules by which a source path names its files (a file, a
// directory searched recursively, or a glob pattern).
//
// It imports lang/ir, lang/types and lang/sourceschema, and must not import
// other providers, the planner, the executor or cmd.
package csv
