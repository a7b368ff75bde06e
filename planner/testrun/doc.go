// Package testrun runs meshctl's tests (decoded by lang/meshtest) against a
// compiled workspace.
//
// A product test runs through the same compiler output and the same
// columnar executor as apply: the product's inputs are replaced by the
// given rows — typed with each input's schema — through an in-memory
// dataio.Scanner, and the rows of the output (or of one transform) are
// compared with the expected ones, in order when the product sorts, as a
// multiset otherwise. A policy test loads a copy of the workspace (with
// the test's product snippet added when it has one), plans it against an
// empty state and evaluates the one policy through planner/policy.
//
// It sits beside the planner (it imports the planner and the executor) and
// never prints or exits: cmd/meshctl renders its Results.
package testrun
