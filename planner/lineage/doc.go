// Package lineage builds the lineage graph of a workspace — its sources
// and products as nodes, grouped by domain, and each product input as an
// edge — and, on request, its column-level lineage: every published column
// with the input columns it is computed from, through expressions,
// aggregates and joins (lang/ir's Lineage over the compiled plans).
//
// The graph is plain data with a deterministic order, rendered as
// Graphviz DOT, Mermaid or JSON (JSONFormatVersion). Renderers show what
// the graph holds; they choose nothing.
//
// lineage imports lang/configs (domains, owners, locations) and lang/ir
// (the compiled plans): not the executor, providers or cmd.
package lineage
