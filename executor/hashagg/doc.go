// Package hashagg is the executor's hash aggregation: it groups rows by key
// columns and computes count(), count(x), count_distinct(x), sum, min, max
// and avg per group, in parallel. Distinct is the same machinery with every
// column a key and no aggregate.
//
// Each worker owns one Table and feeds it batches of already evaluated key
// and argument vectors (Add). Finish merges the workers' tables,
// partitioned by key hash so that the merge itself runs in parallel, and
// returns the groups in the order of their first row in the sequential
// input order. The output is therefore identical whatever the number of
// workers and however morsels were handed out, which keeps plans, checks
// and golden files reproducible.
//
// # Semantics
//
// SQL's: null keys form one group; null arguments are ignored; sum, min,
// max and avg of no value are null; with no key columns there is exactly
// one group, even over no rows. Floating-point keys and count_distinct
// values group NaN with NaN and -0.0 with 0.0 (the output key is then NaN
// or 0.0). min and max order floats totally: -0.0 < 0.0 and NaN above
// every number, so max is NaN as soon as one NaN is seen; strings compare
// bytewise, false < true.
//
// Integer and decimal sums are exact: they accumulate in 128 bits (plus a
// carry word for 38-digit inputs), so the result and the decision to fail
// with an overflow depend only on the exact total, never on the order of
// the additions. Float sums accumulate in double-double (about 106
// significant bits) and are rounded once at the end: whenever the exact
// total spans no more than about 106 bits (currency amounts, counts,
// measurements of similar magnitudes), the result is the correctly rounded
// exact sum and hence independent of the order; otherwise (values of
// wildly different magnitudes, or an intermediate overflow to ±Inf) it may
// differ in the last bits between runs with different worker counts. avg
// divides that sum (or the exact decimal sum converted to float64) by the
// count.
//
// # Performance shape
//
// No allocation, interface call or type switch happens per row: kernels
// are picked per batch and column, and hot loops (keys already in the
// index) are separate from the rare paths (new groups, growth, nulls).
//
//   - A single fixed-width key (bool, int32, int64, date, timestamp,
//     decimal of at most 18 digits, float64) probes an open-addressing
//     index that stores the key in the slot.
//   - A single string key stores its bytes once in an arena; the slot
//     holds the first 8 bytes, the length and hash bits, so keys of up to 8
//     bytes (codes, countries, statuses) are matched without leaving the
//     slot. A dictionary-encoded key is looked up once per distinct code
//     per batch, and rows are then mapped through a per-code array.
//   - Several keys are hashed column at a time into a vector of hashes,
//     probe together, and are compared column at a time; string columns
//     there are interned (one id per distinct string), so keys are stored
//     column-wise as fixed-width values.
//   - Aggregate states live in one array of small structs per aggregate,
//     indexed by group id; counts and float sums over few groups spread
//     skewed rows over interleaved partial states so that consecutive rows
//     of one group do not wait on each other.
//   - count_distinct keeps a set of (group id, value) pairs (just values
//     without keys), in one slot per pair for fixed-width values.
//   - A table with many groups loads the slots and states of a chunk of
//     rows before using them, so that cache misses overlap; past
//     spillGroups groups it partitions itself by key hash and buffers rows
//     per partition, aggregating each partition with a cache-sized table
//     (at Finish, on all workers).
//
// hashagg imports only executor/vector, executor/decimal, lang/ir (for
// AggFunc) and lang/types. It must not import operators, providers or
// anything that knows about expressions.
package hashagg
