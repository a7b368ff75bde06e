// Package objects is how the file readers (providers/parquet,
// providers/csv) reach their data wherever it is stored: a Store lists the
// files a source path names and opens them for ranged and streamed reads.
//
// Local (the workspace's file system, through providers/internal/localfiles)
// is the store of plain paths; the store of s3:// paths lives in
// providers/s3, which implements the S3 interface, and cmd/meshctl hands
// it to the readers (only cmd knows every provider). For picks one by the
// path's scheme.
//
// Both stores name the same files for the same layout: MatchBucket applies
// localfiles' rules (a file, a folder searched recursively, a glob;
// hidden and "_" entries skipped; a published output read through its
// manifest, at its current version) to a store that lists keys rather than
// folders. Coalesce turns the ranges a reader will need (Parquet column
// chunks) into few requests for a remote store.
//
// It imports planner/lakeio and providers/internal/localfiles only; it must
// not import any provider, the rest of the planner, the executor or cmd.
package objects
