package statelocal

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/meshctl/meshctl/planner/statestore"
)

// Backend is the local-file state backend. It is safe for concurrent use;
// across processes, Lock serialises writers.
type Backend struct {
	path string
	// mu serialises this process's writes, so that two writes cannot
	// interleave their backup and rename steps.
	mu sync.Mutex
	// pollMin and pollJitter set how often Lock retries a held lock: every
	// pollMin plus up to pollJitter, so that waiters do not retry in step.
	pollMin, pollJitter time.Duration
}

var _ statestore.Backend = (*Backend)(nil)

// New returns a backend storing state in the file at path (for example
// /ws/.meshctl/state.json). Nothing is touched until the first call;
// missing folders are created (0700) by Write and Lock.
func New(path string) *Backend {
	return &Backend{path: path, pollMin: 100 * time.Millisecond, pollJitter: 150 * time.Millisecond}
}

// Path returns the state file's path, as given to New.
func (b *Backend) Path() string { return b.path }

// Describe names the backend for messages: "local state <path>".
func (b *Backend) Describe() string { return "local state " + b.path }

func (b *Backend) backupPath() string { return b.path + ".backup" }
func (b *Backend) lockPath() string   { return b.path + ".lock" }

// Read returns the state file's bytes, or statestore.ErrNotFound when
// there is no state file.
func (b *Backend) Read(ctx context.Context) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	doc, err := os.ReadFile(b.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, statestore.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", b.Describe(), err)
	}
	return doc, nil
}

// Write replaces the state file with doc atomically and keeps the previous
// document as <path>.backup. The caller holds the lock.
//
// The order of the steps is what makes a crash harmless: the state file
// keeps the old document until the rename; the backup is replaced by a
// rename too, so there is always a complete backup; temp files a crash
// leaves behind are never read.
func (b *Backend) Write(ctx context.Context, doc []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.write(doc); err != nil {
		return fmt.Errorf("write %s: %w", b.Describe(), err)
	}
	return nil
}

func (b *Backend) write(doc []byte) error {
	dir := filepath.Dir(b.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := writeTemp(dir, filepath.Base(b.path)+".tmp-", doc)
	if err != nil {
		return err
	}
	if err := b.keepBackup(dir); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("keep the previous state as %s: %w", b.backupPath(), err)
	}
	if err := os.Rename(tmp, b.path); err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(dir)
}

// keepBackup makes <path>.backup a copy of the current state file, if there
// is one. The new backup is built under a temp name and renamed over the
// old one, so that a crash leaves either backup complete.
func (b *Backend) keepBackup(dir string) error {
	tmp := filepath.Join(dir, filepath.Base(b.path)+".backup.tmp-"+randomHex(8))
	err := link(b.path, tmp)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // the first write: nothing to keep
	}
	if err != nil {
		// No hard links here (some network and FAT file systems): copy.
		prev, rerr := os.ReadFile(b.path)
		if errors.Is(rerr, fs.ErrNotExist) {
			return nil
		}
		if rerr != nil {
			return rerr
		}
		if tmp, err = writeTemp(dir, filepath.Base(b.path)+".backup.tmp-", prev); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, b.backupPath()); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// writeTemp writes data to a new file in dir whose name starts with prefix,
// fsyncs and closes it, and returns its path. The file is removed on error.
func writeTemp(dir, prefix string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, prefix+"*")
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// syncDir fsyncs a folder so that the renames in it survive a power loss.
// Windows cannot fsync a folder (and its renames are durable without), so
// there it is a no-op.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// link is os.Link, replaced in tests to cover file systems without hard
// links.
var link = os.Link

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
