// Package openlineage emits OpenLineage (https://openlineage.io) run
// events for the products an apply computes: START when a product starts,
// then COMPLETE or FAIL, each with the product's input and output datasets
// and, on the output, the schema and columnLineage facets (from
// lang/ir's column lineage), so that lineage tools (Marquez, DataHub,
// OpenMetadata, a cloud catalog) see the mesh's jobs and datasets.
//
// Datasets are named by OpenLineage's naming conventions: a local file or
// folder is namespace "file" and its absolute path; s3://bucket/key is
// namespace "s3://bucket" and name "key"; a PostgreSQL table is namespace
// "postgres://host:port" and name "database.schema.table" (from the DSN
// in the environment; when it cannot be read, the namespace names the
// DSN's variable instead of its host, never the DSN itself).
//
// Events go to a Transport: a JSON-lines file (File) or an HTTP endpoint
// (HTTP). The Emitter queues them and sends them from one goroutine, in
// order, so that a slow endpoint never slows the apply down; Close waits
// for the queue and reports what could not be sent. Emission failures are
// the caller's warnings, never an apply's failure.
//
// openlineage imports lang/ir and the standard library only: it must not
// import other providers, the planner, the executor or cmd.
package openlineage
