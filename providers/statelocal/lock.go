package statelocal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/meshctl/meshctl/planner/statestore"
)

// Lock takes the lock by creating <path>.lock exclusively with info in it.
// info.ID is required; Who (user@host), PID and Created are filled in when
// left empty. While another holder has the lock, Lock retries every
// 100–250 ms until timeout has passed (0 tries once), then fails with an
// error for which errors.As finds a *statestore.LockedError naming the
// holder. When the holder's process is known to be gone (same host, no
// such pid) the error says so — but the lock is never broken here, since
// the holder's host cannot always be told apart: that takes ForceUnlock.
func (b *Backend) Lock(ctx context.Context, info statestore.LockInfo, timeout time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	info, err := info.Complete()
	if err != nil {
		return fmt.Errorf("lock %s: %w", b.Describe(), err)
	}
	content, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return fmt.Errorf("lock %s: %w", b.Describe(), err)
	}
	content = append(content, '\n')
	if err := os.MkdirAll(filepath.Dir(b.path), 0o700); err != nil {
		return fmt.Errorf("lock %s: %w", b.Describe(), err)
	}
	deadline := time.Now().Add(timeout)
	recheck := true
	for {
		err := b.tryLock(content)
		if err == nil {
			return nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("lock %s: %w", b.Describe(), err)
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			holder, held := readHolder(b.lockPath())
			if !held && recheck {
				recheck = false // released just now: one more try
				continue
			}
			if !held { // taken and released again while we looked
				holder = statestore.LockInfo{Who: "unknown", Operation: "unknown"}
			}
			return b.lockedError(holder)
		}
		wait = min(wait, b.pollMin+rand.N(b.pollJitter+1))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("lock %s: %w", b.Describe(), ctx.Err())
		case <-t.C:
		}
	}
}

// tryLock creates the lock file with content, or fails with fs.ErrExist
// when it exists.
func (b *Backend) tryLock(content []byte) error {
	f, err := os.OpenFile(b.lockPath(), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(content)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		// A lock file without its holder would read as "unknown": drop it.
		os.Remove(b.lockPath())
		return err
	}
	return nil
}

func (b *Backend) lockedError(holder statestore.LockInfo) error {
	le := &statestore.LockedError{Holder: holder, Where: b.lockPath()}
	if hint := staleHint(holder); hint != "" {
		return fmt.Errorf("%w (%s)", le, hint)
	}
	return le
}

// Unlock removes the lock file if it holds id; otherwise it leaves it in
// place and says who holds it.
func (b *Backend) Unlock(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	holder, held := readHolder(b.lockPath())
	switch {
	case !held:
		return fmt.Errorf("unlock %s: it is not locked (lock ID %s was already released or broken)", b.Describe(), id)
	case holder.ID != id:
		return fmt.Errorf("unlock %s: the lock is held by %s, not by lock ID %s; it was left in place", b.Describe(), holder.Holder(), id)
	}
	return b.removeLock("unlock")
}

// ForceUnlock breaks the lock with id, whoever holds it (meshctl
// force-unlock). Asking for the ID guards against breaking a lock that a
// new holder took since the user looked: if the lock now has another ID,
// or there is no lock, it fails and leaves things as they are.
func (b *Backend) ForceUnlock(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	holder, held := readHolder(b.lockPath())
	switch {
	case !held:
		return fmt.Errorf("force-unlock %s: there is no lock to break (%s does not exist)", b.Describe(), b.lockPath())
	case holder.ID != id:
		return fmt.Errorf("force-unlock %s: the lock is now held by %s, not lock ID %s; it was left in place", b.Describe(), holder.Holder(), id)
	}
	return b.removeLock("force-unlock")
}

func (b *Backend) removeLock(op string) error {
	if err := os.Remove(b.lockPath()); err != nil {
		return fmt.Errorf("%s %s: %w", op, b.Describe(), err)
	}
	return nil
}

// readHolder reads the lock file. held is false when there is none. A lock
// file that cannot be read or parsed counts as held by "unknown" since its
// modification time, with an ID derived from its content ("unreadable-…")
// so that ForceUnlock can still break exactly that file.
func readHolder(path string) (holder statestore.LockInfo, held bool) {
	var content []byte
	for attempt := 0; ; attempt++ {
		var err error
		content, err = os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return statestore.LockInfo{}, false
		}
		if err == nil {
			holder = statestore.LockInfo{}
			if json.Unmarshal(content, &holder) == nil && holder.ID != "" {
				return holder, true
			}
		}
		if attempt == 2 {
			break
		}
		// The holder may be between creating the file and writing it.
		time.Sleep(20 * time.Millisecond)
	}
	holder = statestore.LockInfo{Who: "unknown", Operation: "unknown"}
	sum := sha256.Sum256(content)
	holder.ID = "unreadable-" + hex.EncodeToString(sum[:6])
	if fi, err := os.Stat(path); err == nil {
		holder.Created = fi.ModTime().UTC()
	}
	return holder, true
}

// staleHint says when the holder ran on this host and its process is gone.
func staleHint(h statestore.LockInfo) string {
	at := strings.LastIndexByte(h.Who, '@')
	if at < 0 || h.PID <= 0 {
		return ""
	}
	host, err := os.Hostname()
	if err != nil || host != h.Who[at+1:] || !processGone(h.PID) {
		return ""
	}
	return fmt.Sprintf("pid %d is not running on this host %s: the lock looks stale", h.PID, host)
}
