// Package planner is meshctl's "Terraform for data products" core: it
// compares the definitions of a workspace with its deployed state, decides
// per product what to do (create, update, replace, delete, nothing) and
// why, classifies contract changes, and carries a plan out through the
// executor, publishing outputs atomically and saving state after every
// product.
//
// Subpackages hold one job each: state (the deployed state document),
// statestore (the interface state backends implement), plans (the plan
// model and plan files), render (text, Markdown and JSON views of plans),
// and apply (the apply walk). The planner imports lang and the executor;
// providers implement statestore and dataio; cmd wires them.
package planner
