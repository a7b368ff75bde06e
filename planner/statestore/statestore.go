// Package statestore defines how state backends (local file, S3 object,
// PostgreSQL table) store the state document and its lock. Backends deal in
// bytes: the planner's state package encodes and validates the document.
//
// It imports only the standard library, so that providers implement it
// without importing the planner.
package statestore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"time"
)

// Backend stores one workspace's state. Implementations are safe for
// concurrent use by one process; across processes, Lock serialises writers.
type Backend interface {
	// Read returns the current state document, or ErrNotFound when no
	// state was ever written.
	Read(ctx context.Context) ([]byte, error)
	// Write replaces the state document atomically (a reader sees the old
	// or the new document, never a mix) and keeps the previous one as a
	// backup. The caller holds the lock.
	Write(ctx context.Context, doc []byte) error
	// Lock takes the workspace's lock for info.Operation, waiting up to
	// timeout for a holder to release it; it fails with a *LockedError
	// naming the holder when the lock stays taken.
	Lock(ctx context.Context, info LockInfo, timeout time.Duration) error
	// Unlock releases the lock taken with id.
	Unlock(ctx context.Context, id string) error
	// ForceUnlock breaks the lock with id whoever holds it (meshctl
	// force-unlock), for a holder that died.
	ForceUnlock(ctx context.Context, id string) error
	// Describe names the backend and where it stores state, for messages
	// ("local state .meshctl/state.json").
	Describe() string
}

// LockInfo says who holds a lock.
type LockInfo struct {
	ID        string    `json:"id"`
	Operation string    `json:"operation"` // "plan", "apply", "state rm", …
	Who       string    `json:"who"`       // user@host
	PID       int       `json:"pid"`
	Version   string    `json:"version"` // meshctl's
	Created   time.Time `json:"created"`
}

// ErrNotFound is returned by Read when there is no state yet.
var ErrNotFound = errors.New("no state")

// LockedError is returned when the lock is held by someone else.
type LockedError struct {
	Holder LockInfo
	// Where names the lock (a file, an object, a row).
	Where string
}

func (e *LockedError) Error() string {
	h := e.Holder
	return fmt.Sprintf("the state is locked by %s (pid %d, %s since %s, lock ID %s, at %s); wait for it to finish, or if that process is gone run: meshctl force-unlock %s",
		h.Who, h.PID, h.Operation, h.Created.Format(time.RFC3339), h.ID, e.Where, h.ID)
}

// Complete returns info with the holder fields a caller left empty filled
// in — who (user@host), process and time — or an error when it has no ID.
// Every backend records the same holder, so a lock message reads alike
// whatever the backend.
func (info LockInfo) Complete() (LockInfo, error) {
	if info.ID == "" {
		return info, errors.New("the lock ID is empty")
	}
	if info.Who == "" {
		info.Who = WhoAmI()
	}
	if info.PID == 0 {
		info.PID = os.Getpid()
	}
	if info.Created.IsZero() {
		info.Created = time.Now().UTC()
	}
	return info, nil
}

// Holder describes a lock's holder for messages: "ana@ci-7 (pid 42,
// apply since 2026-11-25T10:00:00Z, lock ID 3f2a)".
func (info LockInfo) Holder() string {
	return fmt.Sprintf("%s (pid %d, %s since %s, lock ID %s)", info.Who, info.PID, info.Operation, info.Created.Format(time.RFC3339), info.ID)
}

// WhoAmI returns user@host for LockInfo.Who.
func WhoAmI() string {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if name == "" {
		name = "unknown"
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	return name + "@" + host
}
