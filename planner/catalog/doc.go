// Package catalog is the data-catalog side of the mesh (DESIGN.md §5,
// meshctl catalog): it builds, from a workspace's definitions, its
// compiled products and its deployed state, a model of every product as a
// consumer sees it — owner, domain, contract, checks and their last
// results, SLA and current freshness, access, product and column lineage —
// and writes it as a static site that works offline (index.html with
// client-side search, products/<name>.html with an inline SVG lineage
// graph) plus catalog.json, whose schema JSON.md documents.
//
// Build is a pure function of its Options (the build time included), so the
// same workspace and state give the same bytes. Text from definitions is
// treated as hostile: the site is rendered by html/template, which escapes
// it for the context it lands in, and nothing is loaded from the network.
//
// catalog imports lang (configs, ir), planner/state and planner/freshness
// (so that the site and meshctl status judge freshness alike): not the
// executor, providers or cmd.
package catalog
