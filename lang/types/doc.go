// Package types holds meshctl's column types (bool, int32, int64, float64,
// decimal(p,s), string, date, timestamp), nullability, schemas, and the rules
// that say which types widen implicitly into which.
//
// It is a leaf package shared by the compiler (lang/compile), the IR
// (lang/ir) and the executor; it must not import HCL or any other meshctl
// package.
package types
