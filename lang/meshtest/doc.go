// Package meshtest decodes meshctl's test files (*.meshtest.hcl, found by
// lang/discover): product tests — rows given for a product's inputs, inline
// or in a small CSV file, and the rows expected of its output or of one
// transform — and policy tests — a product (a reference, or a snippet of
// HCL) and whether a named policy passes or fails for it.
//
// It decodes structure only and reports what a test file gets wrong as
// diagnostics with file:line:col. Resolving references against a
// workspace and running the tests is planner/testrun's job: like the rest
// of lang, this package imports neither the planner nor the executor.
package meshtest
