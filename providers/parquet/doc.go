// Package parquet reads what meshctl needs to know about Parquet sources
// on the local file system. For now that is their schema: SchemaReader
// implements sourceschema.Reader from the files' footers alone, without
// reading any row data.
//
// It owns the mapping from Parquet's physical and logical types to
// meshctl's column types (lang/types), and the rules by which a source path
// names its files (a file, a directory searched recursively, or a glob
// pattern).
//
// It imports lang/ir, lang/types and lang/sourceschema, and must not import
// other providers, the planner, the executor or cmd.
package parquet
