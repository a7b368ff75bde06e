// Package csv reads CSV on the local file system or on S3, and writes it
// locally:
//
//   - SchemaReader implements sourceschema.Reader: a source's columns from
//     the header line and their types inferred from a sample of the rows.
//   - Scanner implements dataio.Scanner: it parses the files straight into
//     typed vectors, in morsels that parse in parallel.
//   - Sinker implements dataio.Sinker: an output as CSV files, partitioned
//     into Hive-style folders when asked.
//   - QuarantineSink implements dataio.RejectSink: the rows a scan sets
//     aside, in a CSV file.
//
// It owns CSV's syntax and what counts as a null field. Which spellings
// count as bool, int64, float64, date and timestamp — for inference and
// for the typed parsing, which accepts exactly what inference infers —
// come from providers/internal/textvalue, shared with Hive partition
// folders; the rules by which a source path names its files, and how they
// are read (local paths, or s3:// paths through the objects.S3 that cmd
// hands the Scanner and the SchemaReader), from providers/internal/objects;
// Hive-style partition folders (col=value/, written by the Sinker, read by
// the Scanner and the SchemaReader) from providers/internal/hive.
//
// It imports lang/ir, lang/types, lang/sourceschema, the shared
// providers/internal packages, and of the executor only executor/vector,
// executor/decimal and executor/dataio; it must not import other
// providers, the planner, the rest of the executor or cmd.
package csv
