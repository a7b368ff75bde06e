// Package sorter orders materialised rows: given the key columns of a sort
// (already evaluated into vectors by the executor), it returns the
// permutation of the rows that orders them, stably, and the first rows of
// that order for a sort followed by a limit (TopN).
//
// # Ordering
//
// Every key sorts ascending or descending; nulls come last unless the key
// says NullsFirst, whatever the direction. Within a key:
//
//   - bool: false < true;
//   - int32, int64, dates, timestamps and decimals (int64 or Int128
//     storage): numerically, as the stored integer (a decimal column has one
//     scale, so its unscaled values order like its values);
//   - float64: numerically, with −0.0 equal to 0.0, −Inf before every
//     number and +Inf after, and NaN after +Inf (every NaN equal to every
//     other), so that descending puts NaN first — as PostgreSQL and DuckDB
//     do;
//   - strings: bytewise (UTF-8 sorts by code point), a proper prefix
//     before the longer string. A dictionary-encoded key compares the ranks
//     of its dictionary entries, computed once per call.
//
// Rows whose keys all tie keep their input order.
//
// # How
//
// Comparisons are not made through a generic comparator. Each key is turned,
// level by level, into uint64 sort keys whose unsigned order is the key's
// order (sign bit flipped for integers, IEEE bits folded for floats,
// complemented for descending keys; strings 7 bytes at a time plus a length
// byte, Int128 as its high then low word). The (key, row) pairs of a group
// are sorted by a stable MSD radix sort (a merge sort for small groups);
// runs of equal keys are then sorted by the next level or the next key, so
// every pass is one typed loop over a slice. Within a group rows are always
// in input order, which is what makes the result stable.
//
// With several workers, each encodes the first key of a contiguous chunk
// of rows and counts the first byte in which those uint64 keys differ; the
// rows are scattered stably into the 256 buckets of that byte, and each
// worker sorts a contiguous range of buckets: concatenated, they are the
// result, and no row is ever compared across workers. When one byte value
// holds too many rows for the workers to share (skewed or constant first
// keys), chunks of rows are sorted in parallel instead and merged pairwise,
// each merge split among the workers by merge-path partitioning; merges
// compare the first key's uint64 and only on ties read the rows' values,
// once per run of equal rows.
//
// TopN keeps the best rows of each chunk in a bounded max-heap (uint64 key
// first, typed comparators per key on ties) and sorts the candidates.
//
// The caller passes one vector per key holding all n rows: Concat joins the
// batches of a materialised input into one batch, keeping dictionaries that
// every batch shares.
//
// sorter imports executor/vector, executor/decimal and lang/types only: it
// knows nothing of plans, operators or expressions.
package sorter
