// Package hashjoin holds the building blocks of meshctl's parallel
// equi-join: a Builder that collects the build (right) side, the immutable
// hash Table it produces, per-goroutine Probers that match probe (left)
// batches against it, and the pass that emits the build rows no probe
// matched (right and full joins).
//
// It sees vectors only: the executor evaluates the join's key expressions
// and hands over key vectors whose types are identical pairwise on both
// sides (the compiler casts them). It never sees IR expressions.
//
// # Layout
//
// The build payload is stored column-wise: every batch is copied into
// chunks that Finish flattens into one exact-size vector per column, so
// that output is a bulk gather by row id (vector.Gather). A string column
// that arrives dictionary-encoded keeps one merged dictionary while that
// stays small (output then gathers codes), and is decoded otherwise. Rows are int32 ids
// in build order; a table holds at most MaxRows rows.
//
// Every key has a reference: the row id itself when the key occurs once,
// or the head of a chain (an int32 next array, allocated only when some
// key repeats) that lists the key's rows in build order. Where references
// live depends on the key:
//
//   - dense: a single integer-like key (int32, int64, date, timestamp,
//     decimal of up to 18 digits, bool) whose range is at most three times
//     the row count — ids 1..N, as in ANCHORS q3 — indexes an array of
//     references directly: 4 bytes per key value, one load per probe row.
//   - direct: any other single key that fits 64 bits (float64 included)
//     is its own tag in an open-addressing table with linear probing, one
//     16-byte slot per distinct key at a load of at most 0.7 (about 23
//     bytes per row), so that probing compares one word and keeps no key
//     column.
//   - hashed: other keys (strings, wide decimals, several columns) use the
//     same table with the key's 64-bit hash as the tag; the stored key
//     columns confirm a tag match, a column at a time.
//
// The open-addressing table is split into power-of-two many partitions by
// the top bits of the hash, so that Finish fills partitions concurrently
// and each partition's slots fit a core's cache while it is filled.
//
// # Equality
//
// Null keys never match (a row with any null key column is never inserted
// nor matched; build rows with null keys are still emitted as unmatched by
// right and full joins). Float keys match by value after normalisation:
// -0.0 matches 0.0, and NaN matches NaN, as in PostgreSQL and DuckDB and as
// grouping and distinct treat them, so that a join agrees with an aggregate
// over the same column (IEEE 754 comparison would say NaN != NaN).
// Decimals compare by unscaled value (both sides have one scale), strings
// by bytes whether dictionary-encoded or not.
//
// hashjoin imports executor/vector, executor/decimal, lang/types and
// lang/ir (for JoinKind) only; it must not import the executor, providers,
// the planner or anything of HCL.
package hashjoin
