// Package executor runs one product's compiled IR (lang/ir) over columnar
// batches (executor/vector): it plans physical operators (column pruning,
// predicates pushed into scans), runs them morsel by morsel on all cores,
// and delivers the output, in order, to a dataio.Writer while evaluating the
// product's checks on the same pass.
//
// Execution is morsel-driven: every operator exposes its work as numbered
// morsels (a scan's row groups or file chunks; a pipeline breaker's result
// chunks). Streaming operators (filter, project, join probe, union) map a
// morsel of their input to a morsel of output; pipeline breakers
// (aggregate, distinct, join build, sort) consume all their input in
// parallel when the plan opens and then serve their result as morsels.
// Results are identical whatever the number of workers: morsel outputs are
// delivered in morsel order, aggregates emit groups in order of first
// appearance, sorts are stable.
//
// The executor imports lang/ir, lang/types, executor/* building blocks and
// executor/dataio; it never imports HCL, the planner, providers or cmd.
// Concrete scanners and sinks are given to it through Options.
package executor
