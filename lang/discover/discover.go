// Package discover finds a workspace's configuration files: every
// *.mesh.hcl below the root, skipping hidden folders (.git, .meshctl, …).
// Loading (lang/configs) and formatting (lang/format) share it so that
// both see the same files.
package discover

import (
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Suffix is the extension of meshctl configuration files.
const Suffix = ".mesh.hcl"

// IsConfigFile reports whether name (a base name or a path) is a meshctl
// configuration file.
func IsConfigFile(name string) bool {
	base := path.Base(name)
	return strings.HasSuffix(base, Suffix) && len(base) > len(Suffix) && !strings.HasPrefix(base, ".")
}

// skipDir reports whether a folder below the root is left out: hidden
// folders (which include .meshctl, where state lives) and vendored trees.
func skipDir(name string) bool {
	return strings.HasPrefix(name, ".") || name == "node_modules"
}

// Files returns the slash-separated paths, relative to fsys's root and
// sorted, of every configuration file in fsys.
func Files(fsys fs.FS) ([]string, error) {
	var out []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != "." && skipDir(d.Name()) {
				return fs.SkipDir
			}
			return nil
		}
		if IsConfigFile(d.Name()) && d.Type().IsRegular() {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}
