// Package statelocal stores a workspace's state in a local file (by default
// .meshctl/state.json): it implements statestore.Backend.
//
// It owns the file's crash safety and its lock:
//
//   - Write never changes the state file in place: the new document goes to
//     a temp file in the same folder, is fsynced and renamed over the file,
//     and the folder is fsynced. The previous document is first kept as
//     <path>.backup (a hard link, or a copy where links are not supported),
//     so that a crash at any point leaves at least one complete copy.
//   - The lock is a file <path>.lock created exclusively (O_CREATE|O_EXCL)
//     holding the holder's statestore.LockInfo as JSON. A lock is never
//     broken automatically — the holder may be on another host sharing the
//     folder — only by ForceUnlock with the lock's ID.
//
// It imports planner/statestore and the standard library only: it must not
// import other providers, the rest of the planner, the executor or cmd.
package statelocal
