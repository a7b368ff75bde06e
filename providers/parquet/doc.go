// Package parquet reads Parquet files on the local file system or on S3,
// and writes them locally, for meshctl:
//
//   - SchemaReader implements sourceschema.Reader from the files' footers
//     alone, without reading any row data, plus the columns of Hive-style
//     partition folders;
//   - Scanner implements dataio.Scanner: one morsel per row group, decoded
//     column by column through parquet-go's page API (never its row API),
//     with row groups skipped by their statistics, whole files by their
//     partition folders' values;
//   - Sinker implements dataio.Sinker: files written through parquet-go's
//     column writers, row groups encoded in parallel, optionally
//     partitioned into Hive-style folders.
//
// It owns the mapping between Parquet's physical and logical types and
// meshctl's column types (lang/types). Which files a source path names (a
// file, a directory searched recursively, or a glob pattern; a published
// output through its manifest) and how they are read come from
// providers/internal/objects: local paths through
// providers/internal/localfiles, s3:// paths through the objects.S3 that
// cmd hands the Scanner and the SchemaReader (providers/s3.Stores). Only
// footers and the requested columns' chunks are read. Partition folders are
// written and read through providers/internal/hive, shared with the CSV
// provider.
//
// It imports lang/ir, lang/types, lang/sourceschema, executor/dataio,
// executor/vector, executor/decimal and providers/internal/..., and must
// not import other providers, the planner, the rest of the executor or
// cmd.
package parquet
