// Package lake publishes products' outputs on the local file system: Local
// implements planner/lakeio.Lake for paths relative to the workspace root
// or absolute (s3:// and other URLs are refused: they come in a later
// release).
//
// A published output at path P is laid out as lakeio describes:
//
//	P/_manifest.json              the current version, replaced atomically
//	P/_versions/<id>/…            each published version's files
//	P/_versions/<id>.staging/…    a version being written, not yet published
//
// Publishing renames the staged folder to its version's name and then
// replaces the manifest (temporary file, fsync, rename, fsync of the
// folder), so that a reader, which finds the files through the manifest
// (providers/internal/localfiles), sees the old version or the new one and
// never a mix; no file of the current version is removed before another
// manifest is in place.
//
// Version ids are chosen by the caller and must sort by creation time in
// byte order (as "20261125T161500Z-abcd" does): Prune keeps the newest by
// that order. A folder's modification time would not do: renaming a
// folder does not change it, and copying a lake does.
//
// It imports planner/lakeio and providers/internal/localfiles only; it
// must not import other providers, the rest of the planner, the executor
// or cmd.
package lake
