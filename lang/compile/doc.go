// Package compile is meshctl's expression and plan compiler: it types every
// product of a workspace (lang/configs) against the schemas of its inputs
// and emits the typed IR (lang/ir) that the executor runs.
//
// For each operator it infers the output schema; for each expression it
// resolves column references (bare and join-qualified) to indexes, checks
// types with implicit widening (int32 → int64 → decimal/float64), inserts
// the casts, and reports every type error as a diagnostic pointing at the
// exact sub-expression. Source schemas come from declarations or, through
// lang/sourceschema readers that the caller provides, from the data; the
// package itself does no I/O.
//
// compile imports lang/configs, lang/ir, lang/types, lang/diag and HCL; it
// must not import the planner, the executor, providers or cmd.
package compile
