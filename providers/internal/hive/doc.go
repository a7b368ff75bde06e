// Package hive is meshctl's one implementation of Hive-style partition
// folders (country=DE/year=2024/part-00000.parquet), as Hive, Spark,
// DuckDB and pyarrow write and read them:
//
//   - the escaping of column names and values in folder names (%XX for the
//     bytes Hive and Spark escape) and its inverse, and the folder that
//     stands for a null (NullMarker);
//   - Parse, which reads the col=value folders of a file's path;
//   - Constant, a partition value converted to its column's type and
//     filled into vectors, and the test of a scan predicate against it, so
//     that a predicate on a partition column skips whole files;
//   - Columns, the partition columns a set of files' folders show, with
//     types inferred from the values as CSV inference infers them.
//
// The file sinks (providers/parquet, providers/csv) write their folders
// with it and the scanners and schema readers read them back with it, so
// that what one writes the other reads.
//
// It imports lang/ir, lang/types, executor/vector, executor/decimal,
// executor/dataio and the shared providers/internal packages (localfiles,
// textvalue); it must not import any provider, the planner, the rest of
// the executor or cmd.
package hive
