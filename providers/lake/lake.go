package lake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/meshctl/meshctl/planner/lakeio"
	"github.com/meshctl/meshctl/providers/internal/localfiles"
)

// StagingSuffix ends the name of a staged version's folder inside
// _versions/: "<id>.staging".
const StagingSuffix = ".staging"

// Local is the Lake of local paths. It holds only its root and is safe
// for concurrent use; calls that change one output (Stage, Publish,
// Discard, Prune, Delete) are made by the apply that holds the
// workspace's lock, one at a time per output.
type Local struct {
	root string
}

var _ lakeio.Lake = (*Local)(nil)

// New returns the Lake of local paths; relative paths are resolved
// against root, the workspace root.
func New(root string) *Local { return &Local{root: root} }

// resolve returns the local folder of an output or source path.
func (l *Local) resolve(path string) (string, error) {
	return localfiles.Resolve(l.root, path)
}

// Fingerprint summarises the data at path. A folder holding a manifest is
// "manifest:<version id>:<SHA-256 of the manifest file>": a new version
// changes it, nothing else does; only the manifest's head is decoded (see
// localfiles.ReadManifestVersion), so that it costs one file read however
// many files the output has. Any other path names files as a file
// source does (a file, a folder — every file below it, hidden and "_"
// names skipped, published folders below it read through their manifests
// — or a glob; see localfiles.Match), and is "files:<SHA-256>" of their
// paths, sizes and modification times, so that a file touched, resized,
// added or removed changes it. Contents are not read. A path that names
// no file is an error naming it.
func (l *Local) Fingerprint(ctx context.Context, path string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	dir, err := l.resolve(path)
	if err != nil {
		return "", err
	}
	id, sum, err := localfiles.ReadManifestVersion(dir)
	switch {
	case err == nil:
		return "manifest:" + id + ":" + sum, nil
	case !errors.Is(err, fs.ErrNotExist) && !isNotDir(err):
		return "", fmt.Errorf("fingerprint %s: %w", path, err)
	}
	files, err := localfiles.Match(l.root, path, "")
	if err != nil {
		return "", fmt.Errorf("fingerprint %s: %w", path, err)
	}
	// Rel, not Path: the fingerprint does not change when the workspace
	// is checked out elsewhere with the files' times kept.
	slices.SortFunc(files, func(a, b localfiles.File) int { return strings.Compare(a.Rel, b.Rel) })
	h := sha256.New()
	var line []byte
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		info, err := os.Stat(f.Path)
		if err != nil {
			return "", fmt.Errorf("fingerprint %s: %w", path, err)
		}
		// Fields are separated by NUL, which no name holds.
		line = append(line[:0], f.Rel...)
		line = append(line, 0)
		line = strconv.AppendInt(line, info.Size(), 10)
		line = append(line, 0)
		line = strconv.AppendInt(line, info.ModTime().UnixNano(), 10)
		line = append(line, '\n')
		h.Write(line)
	}
	return "files:" + hex.EncodeToString(h.Sum(nil)), nil
}

// isNotDir reports an error from a path whose parent is a file (a
// fingerprinted source that is one file).
func isNotDir(err error) bool { return errors.Is(err, syscall.ENOTDIR) }

// Current returns the manifest published at path and the SHA-256 of its
// file, or lakeio.ErrNotPublished when path holds no manifest (or does
// not exist). A manifest that does not read, or that a newer meshctl
// wrote, is an error.
func (l *Local) Current(ctx context.Context, path string) (*lakeio.Manifest, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	dir, err := l.resolve(path)
	if err != nil {
		return nil, "", err
	}
	m, sum, err := localfiles.ReadManifest(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || isNotDir(err) {
			return nil, "", fmt.Errorf("%s: %w", path, lakeio.ErrNotPublished)
		}
		return nil, "", err
	}
	return m, sum, nil
}

// Verify checks that every file of m lies in its version's folder with
// the recorded size and, when deep, the recorded SHA-256 (reading every
// byte). It returns one line per problem, naming the file relative to
// path ("_versions/<id>/part-00000.parquet: missing"); errors are for
// failures to look (a folder that cannot be read, a cancelled context).
func (l *Local) Verify(ctx context.Context, path string, m *lakeio.Manifest, deep bool) ([]string, error) {
	dir, err := l.resolve(path)
	if err != nil {
		return nil, err
	}
	if err := localfiles.CheckVerifiable(path, m); err != nil {
		return nil, err
	}
	version := filepath.Join(dir, filepath.FromSlash(lakeio.VersionDir(m.VersionID)))
	var problems []string
	for _, f := range m.Files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		name := lakeio.VersionDir(m.VersionID) + "/" + f.Path
		p := filepath.Join(version, filepath.FromSlash(f.Path))
		info, err := os.Stat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist) || isNotDir(err):
			problems = append(problems, name+": missing")
			continue
		case err != nil:
			return nil, fmt.Errorf("verify %s: %w", path, err)
		case !info.Mode().IsRegular():
			problems = append(problems, name+": not a regular file")
			continue
		case info.Size() != f.Bytes:
			problems = append(problems, fmt.Sprintf("%s: size %d, recorded %d", name, info.Size(), f.Bytes))
			continue
		}
		if !deep {
			continue
		}
		sum, err := fileSHA256(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("verify %s: %w", path, err)
		}
		if !strings.EqualFold(sum, f.SHA256) {
			problems = append(problems, name+": checksum differs")
		}
	}
	return problems, nil
}

// fileSHA256 returns the SHA-256 of a file's contents, in hexadecimal.
func fileSHA256(ctx context.Context, p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, ctxReader{ctx, f}); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ctxReader stops a long read when its context is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

// Stage creates the empty folder path/_versions/<id>.staging, removing
// what an interrupted apply may have left there, and returns its absolute
// path. A version id already published at path is an error: ids name one
// version forever.
func (l *Local) Stage(ctx context.Context, path, id string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	dir, err := l.resolve(path)
	if err != nil {
		return "", err
	}
	if err := checkID(id); err != nil {
		return "", fmt.Errorf("stage %s: %w", path, err)
	}
	versions := filepath.Join(dir, lakeio.VersionsDir)
	if _, err := os.Lstat(filepath.Join(versions, id)); err == nil {
		return "", fmt.Errorf("stage %s: version %s already exists", path, id)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("stage %s: %w", path, err)
	}
	staging := filepath.Join(versions, id+StagingSuffix)
	if err := os.RemoveAll(staging); err != nil {
		return "", fmt.Errorf("stage %s: %w", path, err)
	}
	if err := os.MkdirAll(versions, 0o755); err != nil {
		return "", fmt.Errorf("stage %s: %w", path, err)
	}
	if err := os.Mkdir(staging, 0o755); err != nil {
		return "", fmt.Errorf("stage %s: %w", path, err)
	}
	abs, err := filepath.Abs(staging)
	if err != nil {
		return "", fmt.Errorf("stage %s: %w", path, err)
	}
	return abs, nil
}

// checkID checks that a version id names one folder and cannot be taken
// for a staged version's.
func checkID(id string) error {
	if err := localfiles.CheckVersionID(id); err != nil {
		return err
	}
	if strings.HasSuffix(id, StagingSuffix) {
		return fmt.Errorf("version id %q is not valid: it must not end in %q", id, StagingSuffix)
	}
	return nil
}

// Publish makes the staged version m.VersionID current. It checks that
// every file m lists was staged with its recorded size, flushes the
// staged files and folders to disk, renames the staged folder to
// _versions/<id>, and replaces the manifest atomically. A reader sees the
// previous manifest until the rename of the new one, and the files of
// both exist throughout. m is not modified; a zero FormatVersion is
// written as lakeio.ManifestFormatVersion.
//
// Should writing the manifest fail after the rename, the version stays in
// _versions unpublished (Prune removes it in time) and the previous one
// stays current; a later apply publishes under a new id.
func (l *Local) Publish(ctx context.Context, path string, m *lakeio.Manifest) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	dir, err := l.resolve(path)
	if err != nil {
		return err
	}
	if m == nil {
		return fmt.Errorf("publish %s: no manifest", path)
	}
	out := *m
	out.Files = slices.Clone(m.Files)
	slices.SortFunc(out.Files, func(a, b lakeio.File) int { return strings.Compare(a.Path, b.Path) })
	if out.FormatVersion == 0 {
		out.FormatVersion = lakeio.ManifestFormatVersion
	}
	if err := localfiles.CheckManifest(&out); err != nil {
		return fmt.Errorf("publish %s: %w", path, err)
	}
	if err := checkID(out.VersionID); err != nil {
		return fmt.Errorf("publish %s: %w", path, err)
	}
	versions := filepath.Join(dir, lakeio.VersionsDir)
	staging := filepath.Join(versions, out.VersionID+StagingSuffix)
	final := filepath.Join(versions, out.VersionID)
	if info, err := os.Stat(staging); err != nil || !info.IsDir() {
		return fmt.Errorf("publish %s: version %s was not staged (%s)", path, out.VersionID, staging)
	}
	if _, err := os.Lstat(final); err == nil {
		return fmt.Errorf("publish %s: version %s already exists", path, out.VersionID)
	}
	for _, f := range out.Files {
		if err := ctx.Err(); err != nil {
			return err
		}
		info, err := os.Stat(filepath.Join(staging, filepath.FromSlash(f.Path)))
		switch {
		case err != nil:
			return fmt.Errorf("publish %s: the manifest lists %s, which was not staged: %w", path, f.Path, err)
		case !info.Mode().IsRegular() || info.Size() != f.Bytes:
			return fmt.Errorf("publish %s: the manifest lists %s of %d bytes, the staged file has %d", path, f.Path, f.Bytes, info.Size())
		}
	}
	// The files must be on disk before a manifest names them, lest a
	// crash leave a current version with empty files.
	if err := syncTree(staging); err != nil {
		return fmt.Errorf("publish %s: %w", path, err)
	}
	if err := os.Rename(staging, final); err != nil {
		return fmt.Errorf("publish %s: %w", path, err)
	}
	if err := syncDir(versions); err != nil {
		return fmt.Errorf("publish %s: %w", path, err)
	}
	data, err := json.MarshalIndent(&out, "", "  ")
	if err != nil {
		return fmt.Errorf("publish %s: %w", path, err)
	}
	if err := writeAtomic(dir, lakeio.ManifestName, append(data, '\n')); err != nil {
		return fmt.Errorf("publish %s: %w", path, err)
	}
	return nil
}

// writeAtomic replaces dir/name with data: a reader sees the old file or
// the new one, and after a crash one of them is on disk whole.
func writeAtomic(dir, name string, data []byte) (err error) {
	// The leading dot keeps the temporary file out of every listing of
	// the folder's data.
	tmp, err := os.CreateTemp(dir, tempPrefix(name)+"*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return err
	}
	return syncDir(dir)
}

// tempPrefix starts the names of the temporary files that writeAtomic
// creates for dir/name.
func tempPrefix(name string) string { return "." + name + ".tmp-" }

// removeTemps removes the temporary manifests that writes interrupted by
// a crash left in dir.
func removeTemps(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	for _, e := range entries {
		if !e.IsDir() && strings.HasPrefix(e.Name(), tempPrefix(lakeio.ManifestName)) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}

// syncTree flushes every file and folder below dir (dir included) to
// disk.
func syncTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && !d.Type().IsRegular() {
			return nil
		}
		return syncPath(p)
	})
}

// syncDir flushes a folder's entries to disk.
func syncDir(dir string) error { return syncPath(dir) }

// syncPath fsyncs one file or folder.
func syncPath(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Discard removes the staged folder of version id, if any.
func (l *Local) Discard(ctx context.Context, path, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	dir, err := l.resolve(path)
	if err != nil {
		return err
	}
	if err := checkID(id); err != nil {
		return fmt.Errorf("discard %s: %w", path, err)
	}
	if err := os.RemoveAll(filepath.Join(dir, lakeio.VersionsDir, id+StagingSuffix)); err != nil {
		return fmt.Errorf("discard %s: %w", path, err)
	}
	return nil
}

// Prune deletes every staged folder and temporary manifest (Prune is
// called by the apply that holds the lock, so none is being written) and the published versions
// beyond the keep newest, by version id (see the package comment), except
// the current one, which is kept whatever its age: keep counts the current
// version when it is among the newest, so keep 1 after a publish leaves
// only the current version. Entries of _versions that are not folders are
// left alone. A manifest that does not read is an error and nothing is
// deleted, since which version is current is then unknown.
func (l *Local) Prune(ctx context.Context, path string, keep int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if keep < 0 {
		return fmt.Errorf("prune %s: keep is %d, want 0 or more", path, keep)
	}
	dir, err := l.resolve(path)
	if err != nil {
		return err
	}
	current := ""
	switch m, _, err := localfiles.ReadManifest(dir); {
	case err == nil:
		current = m.VersionID
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("prune %s (nothing deleted): %w", path, err)
	}
	if err := removeTemps(dir); err != nil {
		return fmt.Errorf("prune %s: %w", path, err)
	}
	versions := filepath.Join(dir, lakeio.VersionsDir)
	entries, err := os.ReadDir(versions)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("prune %s: %w", path, err)
	}
	var ids []string
	var remove []string
	for _, e := range entries {
		name := e.Name()
		switch {
		case !e.IsDir():
		case strings.HasSuffix(name, StagingSuffix):
			remove = append(remove, name)
		default:
			ids = append(ids, name)
		}
	}
	// Newest first.
	slices.Sort(ids)
	slices.Reverse(ids)
	for i, id := range ids {
		if i >= keep && id != current {
			remove = append(remove, id)
		}
	}
	for _, name := range remove {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := os.RemoveAll(filepath.Join(versions, name)); err != nil {
			return fmt.Errorf("prune %s: %w", path, err)
		}
	}
	return nil
}

// Delete removes what is published at path: the manifest first, so that
// readers stop finding the output before its files go, then every version
// (staged ones included) and temporary manifests, then the folder itself when nothing else is in
// it. Files that meshctl did not write are left. A path with nothing
// published is not an error.
func (l *Local) Delete(ctx context.Context, path string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	dir, err := l.resolve(path)
	if err != nil {
		return err
	}
	switch err := os.Remove(filepath.Join(dir, lakeio.ManifestName)); {
	case err == nil:
		if err := syncDir(dir); err != nil {
			return fmt.Errorf("delete %s: %w", path, err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("delete %s: %w", path, err)
	}
	if err := os.RemoveAll(filepath.Join(dir, lakeio.VersionsDir)); err != nil {
		return fmt.Errorf("delete %s: %w", path, err)
	}
	if err := removeTemps(dir); err != nil {
		return fmt.Errorf("delete %s: %w", path, err)
	}
	// Only an empty folder goes: anything else in it is not meshctl's.
	if entries, err := os.ReadDir(dir); err == nil && len(entries) == 0 {
		if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("delete %s: %w", path, err)
		}
	}
	return nil
}
