// Package localfiles resolves the path of a file source (a file, a folder
// or a glob, relative to the workspace root) to the data files it names,
// with one set of rules for every format. It is shared by the providers
// that read files and imports nothing from meshctl.
package localfiles

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
// resolved against root unless it is absolute; it may name a file (taken
// whatever its extension), a directory (every file with extension ext below
// it, recursively), or a glob pattern (filepath.Match syntax; matched
// directories are expanded as above). Hidden files and directories, and
// those whose names start with "_" (_SUCCESS, _temporary, _delta_log), are
// skipped inside directories and glob matches.
func Match(root, path, ext string) ([]File, error) {
	if path == "" {
		return nil, errors.New("the source has no path")
	}
	if scheme, _, ok := strings.Cut(path, "://"); ok && !strings.ContainsAny(scheme, `/\`) {
		if scheme == "s3" {
			return nil, errors.New("reading s3:// sources is not supported yet")
		}
		return nil, fmt.Errorf("reading %s:// sources is not supported", scheme)
	}
	resolved := path
	if !filepath.IsAbs(path) {
		resolved = filepath.Join(root, path)
	}

	var paths []string
	// base is the source's root folder, against which Rel is taken.
	base := resolved
	info, err := os.Stat(resolved)
	switch {
	case err == nil && info.IsDir():
		if paths, err = walkDir(resolved, ext); err != nil {
			return nil, err
		}
		if len(paths) == 0 {
			return nil, fmt.Errorf("no %s files in %q (%s); hidden files and files starting with _ are skipped", ext, path, resolved)
		}
	case err == nil:
		paths = []string{resolved}
		base = filepath.Dir(resolved)
	case errors.Is(err, fs.ErrNotExist) && strings.ContainsAny(path, "*?["):
		base = globBase(resolved)
		matches, err := filepath.Glob(resolved)
		if err != nil {
			return nil, fmt.Errorf("%q is not a valid glob pattern: %w", path, err)
		}
		for _, m := range matches {
			if skipName(filepath.Base(m)) {
				continue
			}
			info, err := os.Stat(m)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", displayName(root, m), err)
			}
			if !info.IsDir() {
				paths = append(paths, m)
				continue
			}
			found, err := walkDir(m, ext)
			if err != nil {
				return nil, err
			}
			paths = append(paths, found...)
		}
		if len(paths) == 0 {
			return nil, fmt.Errorf("no files match %q (%s)", path, resolved)
		}
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("no file or directory matches %q (%s)", path, resolved)
	default:
		return nil, fmt.Errorf("%s: %w", path, err)
	}

	slices.Sort(paths)
	paths = slices.Compact(paths)
	files := make([]File, len(paths))
	for i, p := range paths {
		files[i] = File{Path: p, Name: displayName(root, p), Rel: relativeTo(base, p)}
	}
	return files, nil
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

// walkDir returns the files below dir whose extension is ext (in any case),
// skipping what skipName says. Symbolic links to files are followed; links
// to directories are not, so that a cycle cannot loop.
func walkDir(dir, ext string) ([]string, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == dir {
			return nil
		}
		if skipName(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !strings.EqualFold(filepath.Ext(p), ext) {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			info, err := os.Stat(p)
			if err != nil || !info.Mode().IsRegular() {
				return nil
			}
		}
		paths = append(paths, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	return paths, nil
}

// skipName reports whether a file or directory is left out of a directory
// source: hidden entries and those that data tools use for bookkeeping.
func skipName(name string) bool {
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
