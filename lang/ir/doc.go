// Package ir is the typed intermediate representation that the compiler
// (lang/compile) emits and the executor runs: expression trees whose every
// node has a type and nullability known at plan time, and logical plan
// nodes (scan, filter, project, join, aggregate, sort, limit, distinct,
// union) whose every column has a type.
//
// The IR is plain data. Column references are resolved to indexes into the
// input schema, implicit widenings are explicit Cast nodes, so operands of a
// binary operator always have the same type: a kernel is chosen by type
// signature once, never per row.
//
// ir imports only lang/types and lang/diag (for source ranges): never HCL.
// It is all the executor sees of lang.
package ir
