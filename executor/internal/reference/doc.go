// Package reference is a plain, row-at-a-time interpreter of the IR
// (lang/ir): the oracle that differential tests compare the columnar
// executor with. It owns nothing the product runs on; it exists so that
// about fifty queries can be run through two independent implementations
// and their results compared.
//
// Its one design goal is to be obviously correct, not fast: rows are
// []any, every expression is evaluated by a recursive switch, decimals are
// computed with math/big, aggregates keep every input value of a group and
// are computed at the end, joins build a map from key to right rows. The
// semantics follow the doc comments of lang/ir and README.md's "Rules
// worth knowing"; where those are silent, the choice made is written next
// to the code (search for "Choice:") and has a test case.
//
// A value is one cell: nil for null, or
//
//	bool              bool
//	int32             int32, date (days since 1970-01-01)
//	int64             int64, timestamp (µs since 1970-01-01 UTC),
//	                  decimal unscaled when precision ≤ 18
//	float64           float64
//	decimal.Int128    decimal unscaled when precision > 18
//	string            string
//
// Float sums (sum and avg of float64) add in input order; callers that
// compare them with the columnar executor's must allow a tolerance.
//
// The package must not import the columnar executor (executor/vector,
// kernels, operators, physical planning) nor share code with it: an oracle
// that shares a bug with what it checks proves nothing. It imports lang/ir
// and lang/types for the plan, and executor/decimal only for the Int128
// type that carries wide decimals (its arithmetic is redone here with
// math/big).
package reference
