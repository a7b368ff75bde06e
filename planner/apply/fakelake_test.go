package apply_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/meshctl/meshctl/planner/lakeio"
)

// dirLake is a lakeio.Lake over a local folder, laid out as lakeio
// describes, with staged versions in P/_staging/<id>/. It records what it
// was asked to do, and can be told to fail.
type dirLake struct {
	root string

	mu        sync.Mutex
	published []string // path@id
	discarded []string // path@id
	deleted   []string
	// failPublish makes Publish of a path fail.
	failPublish map[string]error
	// afterPublish, when set, is called after a publish took effect; its
	// error is Publish's.
	afterPublish func(path string) error
}

var _ lakeio.Lake = (*dirLake)(nil)

func newDirLake(root string) *dirLake { return &dirLake{root: root, failPublish: map[string]error{}} }

func (l *dirLake) abs(path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(l.root, filepath.FromSlash(path))
}

func (l *dirLake) Fingerprint(ctx context.Context, path string) (string, error) {
	dir := l.abs(path)
	if b, err := os.ReadFile(filepath.Join(dir, lakeio.ManifestName)); err == nil {
		var m lakeio.Manifest
		if err := json.Unmarshal(b, &m); err != nil {
			return "", err
		}
		return "version:" + m.VersionID, nil
	}
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(h, "%s %d %d\n", rel, info.Size(), info.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func (l *dirLake) Current(ctx context.Context, path string) (*lakeio.Manifest, string, error) {
	b, err := os.ReadFile(filepath.Join(l.abs(path), lakeio.ManifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", lakeio.ErrNotPublished
	}
	if err != nil {
		return nil, "", err
	}
	var m lakeio.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(b)
	return &m, hex.EncodeToString(sum[:]), nil
}

func (l *dirLake) Verify(ctx context.Context, path string, m *lakeio.Manifest, deep bool) ([]string, error) {
	var out []string
	for _, f := range m.Files {
		info, err := os.Stat(filepath.Join(l.abs(path), lakeio.VersionDir(m.VersionID), filepath.FromSlash(f.Path)))
		switch {
		case err != nil:
			out = append(out, f.Path+" is missing")
		case info.Size() != f.Bytes:
			out = append(out, f.Path+" changed size")
		}
	}
	return out, nil
}

func (l *dirLake) staging(path, id string) string {
	return filepath.Join(l.abs(path), "_staging", id)
}

func (l *dirLake) Stage(ctx context.Context, path, id string) (string, error) {
	dir := l.staging(path, id)
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", err
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", err
	}
	return dir, nil
}

func (l *dirLake) Publish(ctx context.Context, path string, m *lakeio.Manifest) error {
	l.mu.Lock()
	ferr := l.failPublish[path]
	l.mu.Unlock()
	if ferr != nil {
		return ferr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	out := l.abs(path)
	if err := os.MkdirAll(filepath.Join(out, lakeio.VersionsDir), 0o755); err != nil {
		return err
	}
	if err := os.Rename(l.staging(path, m.VersionID), filepath.Join(out, lakeio.VersionDir(m.VersionID))); err != nil {
		return err
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(out, ".manifest.tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(out, lakeio.ManifestName)); err != nil {
		return err
	}
	l.mu.Lock()
	l.published = append(l.published, path+"@"+m.VersionID)
	after := l.afterPublish
	l.mu.Unlock()
	if after != nil {
		return after(path)
	}
	return nil
}

func (l *dirLake) Discard(ctx context.Context, path, id string) error {
	l.mu.Lock()
	l.discarded = append(l.discarded, path+"@"+id)
	l.mu.Unlock()
	return os.RemoveAll(l.staging(path, id))
}

func (l *dirLake) Prune(ctx context.Context, path string, keep int) error {
	out := l.abs(path)
	if err := os.RemoveAll(filepath.Join(out, "_staging")); err != nil {
		return err
	}
	cur, _, err := l.Current(ctx, path)
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(filepath.Join(out, lakeio.VersionsDir))
	if err != nil {
		return err
	}
	var ids []string
	for _, e := range entries {
		ids = append(ids, e.Name())
	}
	sort.Sort(sort.Reverse(sort.StringSlice(ids)))
	kept := 1 // the current one
	for _, id := range ids {
		if id == cur.VersionID {
			continue
		}
		if kept < keep {
			kept++
			continue
		}
		if err := os.RemoveAll(filepath.Join(out, lakeio.VersionDir(id))); err != nil {
			return err
		}
	}
	return nil
}

func (l *dirLake) Delete(ctx context.Context, path string) error {
	l.mu.Lock()
	l.deleted = append(l.deleted, path)
	l.mu.Unlock()
	return os.RemoveAll(l.abs(path))
}

// versions lists the version folders of an output.
func (l *dirLake) versions(path string) []string {
	entries, _ := os.ReadDir(filepath.Join(l.abs(path), lakeio.VersionsDir))
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// staged lists the staged folders left under every output.
func (l *dirLake) staged() []string {
	var out []string
	_ = filepath.WalkDir(l.root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && filepath.Base(filepath.Dir(p)) == "_staging" {
			rel, _ := filepath.Rel(l.root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out
}

func hasPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}
