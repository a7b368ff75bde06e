// Package localfiles resolves the path of a file source (a file, a folder
// or a glob, relative to the workspace root) to the data files it names,
// with one set of rules for every format, and reads the manifests of
// published outputs, so that a scan of a published folder reads its
// current version. It is shared by the providers that read files and by
// the local lake (providers/lake); of meshctl it imports only
// planner/lakeio, the published-output layout.
package localfiles

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	pathpkg "path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/meshctl/meshctl/planner/lakeio"
)

// File is one data file a source path names.
type File struct {
	// Path is the path to open.
	Path string
	// Name is how messages name the file: relative to the workspace root
	// when it lies below it, the path as resolved otherwise.
	Name string
	// Rel is the file's path relative to the source's root folder,
	// slash-separated: below the folder a directory source names, or the
	// folder of a glob pattern before its first wildcard; a source that
	// names one file is its own root (Rel is its base name). Hive-style
	// partition folders (country=DE/) are read from Rel, so that only the
	// folders inside the source count.
	Rel string
}

// Match returns the files that path names, sorted by path. A path is
// resolved against root unless it is absolute (see Resolve); it may name a
// file (taken whatever its extension), a directory (every file with
// extension ext below it, recursively), or a glob pattern (filepath.Match
// syntax; matched directories are expanded as above). An empty ext takes
// every file. Hidden files and directories, and those whose names start
// with "_" (_SUCCESS, _temporary, _delta_log), are skipped inside
// directories and glob matches.
//
// A directory holding a manifest (lakeio.ManifestName) is a published
// output: whether it is the directory path names, one a glob matches or
// one below them, it stands for exactly the files its manifest lists (with
// extension ext), in the folder of the current version
// (_versions/<id>/), and is not walked. Their Rel is taken as if the
// version's folder were the published folder, so that the partition
// folders inside the version read as they were written. A reader thus sees
// one whole version, whatever an apply is publishing meanwhile. A manifest
// that does not read is an error naming it; a published output that lists
// no file (an empty, partitioned output) yields no file and no error.
func Match(root, path, ext string) ([]File, error) {
	if path == "" {
		return nil, errors.New("the source has no path")
	}
	if scheme, ok := urlScheme(path); ok {
		if scheme == "s3" {
			return nil, errors.New("reading s3:// sources is not supported yet")
		}
		return nil, fmt.Errorf("reading %s:// sources is not supported", scheme)
	}
	resolved, err := Resolve(root, path)
	if err != nil {
		return nil, err
	}
	l := lister{root: root, ext: ext}
	info, err := os.Stat(resolved)
	switch {
	case err == nil && info.IsDir():
		if err := l.dir(resolved, resolved); err != nil {
			return nil, err
		}
		if len(l.files) == 0 {
			if err := l.noFiles(); err != nil {
				return nil, err
			}
			if !l.published {
				return nil, fmt.Errorf("no %sfiles in %q (%s); hidden files and files starting with _ are skipped", extWord(ext), path, resolved)
			}
		}
	case err == nil:
		l.files = []File{{Path: resolved, Rel: filepath.Base(resolved)}}
	case errors.Is(err, fs.ErrNotExist) && strings.ContainsAny(path, "*?["):
		base := globBase(resolved)
		matches, err := filepath.Glob(resolved)
		if err != nil {
			return nil, fmt.Errorf("%q is not a valid glob pattern: %w", path, err)
		}
		for _, m := range matches {
			if SkipName(filepath.Base(m)) {
				continue
			}
			info, err := os.Stat(m)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", displayName(root, m), err)
			}
			if !info.IsDir() {
				l.files = append(l.files, File{Path: m, Rel: relativeTo(base, m)})
				continue
			}
			if err := l.dir(m, base); err != nil {
				return nil, err
			}
		}
		if len(l.files) == 0 {
			if err := l.noFiles(); err != nil {
				return nil, err
			}
			if !l.published {
				return nil, fmt.Errorf("no files match %q (%s)", path, resolved)
			}
		}
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("no file or directory matches %q (%s)", path, resolved)
	default:
		return nil, fmt.Errorf("%s: %w", path, err)
	}

	slices.SortFunc(l.files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	l.files = slices.CompactFunc(l.files, func(a, b File) bool { return a.Path == b.Path })
	for i := range l.files {
		l.files[i].Name = displayName(root, l.files[i].Path)
	}
	return l.files, nil
}

// Resolve returns the local path that a source or output path stands for:
// path itself when absolute, joined to root otherwise. URLs (s3://…) are
// errors: they are not local.
func Resolve(root, path string) (string, error) {
	if path == "" {
		return "", errors.New("the path is empty")
	}
	if scheme, ok := urlScheme(path); ok {
		if scheme == "s3" {
			return "", fmt.Errorf("%s: s3:// locations are not supported yet", path)
		}
		return "", fmt.Errorf("%s: %s:// locations are not supported", path, scheme)
	}
	if filepath.IsAbs(path) {
		return path, nil
	}
	return filepath.Join(root, path), nil
}

// urlScheme returns the scheme of a path that is a URL (s3://bucket/x).
func urlScheme(path string) (string, bool) {
	scheme, _, ok := strings.Cut(path, "://")
	return scheme, ok && !strings.ContainsAny(scheme, `/\`)
}

// lister collects the files of the directories a source names.
type lister struct {
	root, ext string
	files     []File
	// published is set when a manifest was read.
	published bool
	// otherFormat holds, for messages, the first file a manifest lists
	// that ext filters out, and the manifest.
	otherFormat, otherManifest string
	otherFormatName            string
}

// noFiles returns the error for a source that yields no file when a
// manifest listed files of another format; nil otherwise.
func (l *lister) noFiles() error {
	if l.otherFormat == "" {
		return nil
	}
	format := ""
	if l.otherFormatName != "" {
		format = fmt.Sprintf(" (it is published as %s)", l.otherFormatName)
	}
	return fmt.Errorf("%s lists %s, no %sfile%s", l.otherManifest, l.otherFormat, extWord(l.ext), format)
}

// dir adds the files of the directory dir, whose Rel is taken against
// base: through its manifest when it holds one, else those below it,
// recursively. Hidden and "_" entries are skipped; symbolic links to files
// are followed, links to directories are not, so that a cycle cannot
// loop. One listing per directory tells both whether it holds a manifest
// and what it holds.
func (l *lister) dir(dir, base string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("list %s: %w", dir, err)
	}
	if _, ok := slices.BinarySearchFunc(entries, lakeio.ManifestName, func(e fs.DirEntry, name string) int {
		return strings.Compare(e.Name(), name)
	}); ok {
		return l.manifest(dir, base)
	}
	for _, e := range entries {
		name := e.Name()
		if SkipName(name) {
			continue
		}
		p := filepath.Join(dir, name)
		if e.IsDir() {
			if err := l.dir(p, base); err != nil {
				return err
			}
			continue
		}
		if !l.wants(name) {
			continue
		}
		if e.Type()&fs.ModeSymlink != 0 {
			info, err := os.Stat(p)
			if err != nil || !info.Mode().IsRegular() {
				continue
			}
		}
		l.files = append(l.files, File{Path: p, Rel: relativeTo(base, p)})
	}
	return nil
}

// manifest adds the files that the manifest of dir lists.
func (l *lister) manifest(dir, base string) error {
	file := filepath.Join(dir, lakeio.ManifestName)
	m, _, err := readManifest(file, displayName(l.root, file))
	if err != nil {
		return err
	}
	l.published = true
	version := filepath.Join(dir, filepath.FromSlash(lakeio.VersionDir(m.VersionID)))
	// prefix places the version's files where the published folder lies
	// below base.
	prefix := ""
	if dir != base {
		prefix = relativeTo(base, dir) + "/"
	}
	for _, f := range m.Files {
		if !l.wants(f.Path) {
			if l.otherFormat == "" {
				l.otherFormat = lakeio.VersionDir(m.VersionID) + "/" + f.Path
				l.otherManifest = displayName(l.root, file)
				l.otherFormatName = m.Format
			}
			continue
		}
		l.files = append(l.files, File{Path: filepath.Join(version, filepath.FromSlash(f.Path)), Rel: prefix + f.Path})
	}
	return nil
}

// wants reports whether a file (a local or a slash-separated path) has
// the extension the source reads.
func (l *lister) wants(p string) bool {
	return l.ext == "" || strings.EqualFold(pathpkg.Ext(filepath.ToSlash(p)), l.ext)
}

// extWord names the files an extension selects, for messages: ".csv "
// for ".csv", nothing when every file counts.
func extWord(ext string) string {
	if ext == "" {
		return ""
	}
	return ext + " "
}

// globBase returns the folder of a glob pattern before its first
// wildcard: every file the pattern matches lies below it.
func globBase(pattern string) string {
	i := strings.IndexAny(pattern, "*?[")
	if i < 0 {
		return filepath.Dir(pattern)
	}
	// The folder holding the segment with the wildcard: for
	// "lake/country=*/x" it is "lake", for "lake/*" too.
	return filepath.Dir(pattern[:i])
}

// relativeTo returns path relative to base, slash-separated; the base
// name when path does not lie below base (it always should).
func relativeTo(base, path string) string {
	rel, err := filepath.Rel(base, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.Base(path)
	}
	return filepath.ToSlash(rel)
}

// skipName reports whether a file or directory is left out of a directory
// source: hidden entries and those that data tools use for bookkeeping.
func SkipName(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

// displayName is how messages name path: relative to root when it lies
// below it, as is otherwise.
func displayName(root, path string) string {
	if root == "" {
		return path
	}
	rel, err := filepath.Rel(root, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return path
	}
	return rel
}
