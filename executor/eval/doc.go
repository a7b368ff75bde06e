// Package eval compiles the typed scalar expressions of lang/ir into
// kernels over whole vectors (executor/vector) and runs them: Compile turns
// an ir.Expr into an immutable Program once per plan; each goroutine makes
// its own Evaluator, which computes the expression for every row of a batch
// (Eval) or selects the rows a predicate keeps (Select).
//
// Every node picks its kernel by type signature at compile time; kernels
// loop over the typed slices of a vector with no per-row allocation,
// interface call or type switch. Constant operands are special-cased
// (column op constant never broadcasts the constant), validity bitmaps are
// combined word by word and skipped entirely when no input has one, and
// dictionary-encoded strings are evaluated once per dictionary entry and
// mapped through the codes. Constant sub-expressions are folded at compile
// time.
//
// Floats compare under a total order, the one executor/sorter,
// executor/hashagg and executor/hashjoin use (as PostgreSQL and DuckDB
// do): -0 equals 0, NaN equals NaN and is greater than every number, +Inf
// included. It decides ==, !=, <, <=, >, >= and contains (a NaN in the
// list matches a NaN value). IEEE comparison agrees with it whenever no
// operand is NaN, so the kernels compare by IEEE and correct for NaN only
// where it changes the result: against a constant the operator is chosen
// once per batch, and between two columns a second pass runs only when
// the batch may hold a NaN (floatcmp.go).
//
// Rows a result does not depend on never raise errors: the branch of ? :
// not taken, the right operand of && after false (and of || after true),
// the arguments of coalesce after a non-null one, and the operands of a
// null row are computed (or skipped) without checks. An error of the data
// is an *Error naming the expression, the value and the row.
//
// eval owns expression semantics only. It imports lang/ir, lang/types,
// lang/diag (for source ranges), executor/vector and executor/decimal; it
// must not import HCL, the compiler (lang/compile), operators, providers or
// the planner. (Its tests do compile HCL with lang/compile, to test what
// the compiler really emits, and check comparisons against the reference
// interpreter, executor/internal/reference.)
package eval
