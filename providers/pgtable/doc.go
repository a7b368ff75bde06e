// Package pgtable publishes products' outputs as PostgreSQL tables: Lake
// implements planner/lakeio.Lake for postgres:// locations, and Sinker
// implements executor/dataio.Sinker for the "postgres" output format.
//
// A location is postgres://<ENV>/<schema>.<table> (lang/ir.PostgresLocation):
// ENV names the environment variable holding the DSN, so that neither
// state nor plans nor messages ever carry the DSN. Names are used as
// written, quoted (case kept). For an output table T of schema S:
//
//	S.T                          the published table readers query
//	S.T__meshctl_s_<tag>         a version being written (staged)
//	S.T__meshctl_v_<tag>         the previous version, kept for rollback
//	S.meshctl_manifests          one row per published table: its manifest
//
// where <tag> is 12 hex digits of the SHA-256 of the version id (T is
// shortened with a hash of its name when the whole would pass
// PostgreSQL's 63 bytes). The current version's id is in the manifest row
// and in the table's comment.
//
// Publishing is one transaction: the table of the old version is renamed
// to its kept name (the one kept before is dropped), the staged table is
// renamed to T, T's grants are set to SELECT for the product's readers
// ("everyone" is PUBLIC; a reader that is not a role fails the publish),
// and the manifest row is replaced. Renames take an ACCESS EXCLUSIVE lock:
// a query of T waits for the commit and then reads the new table, so that
// readers see the old version or the new one, never a partial one. A
// failure before the commit leaves everything as it was. The other side
// of that lock: a publish waits for the queries running on T to end, and
// queries arriving meanwhile wait for the publish. Readers also need
// USAGE on the schema, which is the schema owner's to grant: meshctl
// grants on its tables only. Views over T
// follow the table they were created on (the kept previous version after
// a publish), as views over a renamed table do; such a dependency also
// keeps Prune from dropping that version.
//
// At most one previous version is kept: Prune with keep of 2 or more
// keeps it, with keep 1 or 0 drops it; staged tables of interrupted
// applies are dropped by Prune and Delete.
//
// Connections are opened per call (and held by a Writer for its COPY):
// a publish is a handful of calls per product, and pooling would need a
// module the project does not depend on.
//
// It imports planner/lakeio, executor/dataio and executor/vector (the
// data format), lang/ir and lang/types, and pgx; it must not import other
// providers, the rest of the planner, the executor or cmd.
package pgtable
