// Package apply carries a plan out: it walks the plan's products in
// dependency order, independent ones in parallel, computes the products to
// create or replace through the executor into a staged version of their
// output, runs their checks on that run, publishes the version atomically
// with its manifest, and saves state after every product.
//
// # Crash safety
//
// For every product that publishes, the order is: stage, compute, check,
// publish (lakeio.Lake.Publish swaps the manifest atomically), then save
// state. A reader of an output sees the old version or the new one, never
// a staged one. If the process dies:
//
//   - before Publish: the staged folder is left behind and never visible;
//     the next apply's Prune removes it; state still describes the
//     published (old) version, and the next plan plans the product again
//     for the reasons it had.
//   - between Publish and the state save: the lake's current version is not
//     the one state records. The planner reports this as drift and plans a
//     replace, which recomputes and publishes a fresh version: nothing is
//     lost, the orphan version is pruned later. (A create that dies there
//     is simply planned as a create again.)
//   - a delete between lakeio.Lake.Delete and the save: the product is
//     still in state and no longer in the code, so it is planned for
//     deletion again (Lake.Delete of a missing output must succeed).
//
// Once a version is published, apply finishes the bookkeeping (Current,
// the state save) even if ctx is cancelled meanwhile, so that an
// interruption at that point does not create drift.
//
// # Failed checks
//
// A product whose error-severity check fails is not published: its staged
// version is discarded, the previous version stays current and its state
// record keeps its Output. When a record exists (a replace), its Checks are
// replaced by the failed attempt's results, so that state says the last
// attempt failed (an error-severity check with Passed = false) while
// Output still names the version readers see. The planner replans such a
// product anyway: the reasons for the replace still hold. A failed
// contract check (contract_not_null_<column>) says in the product's error
// which column is null in how many rows.
//
// # Contract verification
//
// Before publishing, the schema the output was written with
// (executor.SinkSchema) is verified against the planned record's contract:
// the same columns, in order, of the same types, and a column promised
// non-null either non-null by construction or verified by its passed
// implicit check. The compiler guarantees this; the verification keeps a
// plan made by another build, or a bug, from publishing what the contract
// does not promise.
//
// # Quarantined rows
//
// Rows that CSV sources with on_error = "quarantine" set aside go to
// _quarantine/<source>.csv inside the staged version folder (created with
// Options.Quarantine). They are published with the version's folder but
// are not files of its manifest: readers of the output never see them
// (folders starting with "_" are skipped).
//
// apply imports lang/ir, the executor (with executor/dataio and
// executor/vector) and the planner's data packages (plans, state, lakeio);
// it must not import
// providers, planner (the diff) or cmd: the caller hands it concrete
// scanners, sinkers, the lake and a way to save state.
package apply
