// Package csv reads and writes CSV on the local file system:
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
// It owns the rules by which a column's type is inferred from its text
// (which spellings count as bool, int64, float64, date, timestamp and
// null) and the typed parsing of those spellings, which accepts exactly
// what inference infers; the rules by which a source path names its files
// come from providers/internal/localfiles.
//
// It imports lang/ir, lang/types, lang/sourceschema, and of the executor
// only executor/vector, executor/decimal and executor/dataio; it must not
// import other providers, the planner, the rest of the executor or cmd.
package csv
