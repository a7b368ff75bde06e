// Package odcs writes a product's contract as an Open Data Contract
// Standard (ODCS) v3.0.2 document, the YAML that contract tools and
// catalogs (datacontract-cli, DataHub, OpenMetadata) read: fundamentals
// (id, name, version, status, domain, data product, description), the
// published output as one schema object with a property per column
// (logical and physical type, required, description, tags,
// classification, partitioning, the source objects a column is computed
// from, its mask as a custom property), the checks as custom quality rules
// holding their assertion, the SLA's freshness as a latency property, the
// team, the readers as roles, and where the output is served.
//
// The YAML is written by hand, without a YAML library: a small emitter of
// block maps, block lists and scalars that writes a string plain only
// when no YAML reader could take it for anything else, and double-quoted
// otherwise.
//
// odcs imports lang/configs and lang/ir: not the executor, providers or
// cmd.
package odcs
