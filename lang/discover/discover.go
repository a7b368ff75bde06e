// Package discover finds a workspace's files: the configuration files
// (*.mesh.hcl) and the test files (*.meshtest.hcl) below the root,
// skipping hidden folders (.git, .meshctl, …). Loading (lang/configs) and
// formatting (lang/format) share it so that both see the same
// configuration files; meshctl test (lang/meshtest) finds its files here
// too, so that a test file is never loaded as configuration.
package discover

import (
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Suffix is the extension of meshctl configuration files.
const Suffix = ".mesh.hcl"

// TestSuffix is the extension of meshctl test files. It does not end in
// Suffix, so configuration loading never sees a test file.
const TestSuffix = ".meshtest.hcl"

// IsConfigFile reports whether name (a base name or a path) is a meshctl
// configuration file.
func IsConfigFile(name string) bool { return hasSuffix(name, Suffix) }

// IsTestFile reports whether name (a base name or a path) is a meshctl
// test file.
func IsTestFile(name string) bool { return hasSuffix(name, TestSuffix) }

func hasSuffix(name, suffix string) bool {
	base := path.Base(name)
	return strings.HasSuffix(base, suffix) && len(base) > len(suffix) && !strings.HasPrefix(base, ".")
}

// skipDir reports whether a folder below the root is left out: hidden
// folders (which include .meshctl, where state lives) and vendored trees.
func skipDir(name string) bool {
	return strings.HasPrefix(name, ".") || name == "node_modules"
}

// Files returns the slash-separated paths, relative to fsys's root and
// sorted, of every configuration file in fsys.
func Files(fsys fs.FS) ([]string, error) { return find(fsys, IsConfigFile) }

// TestFiles returns the slash-separated paths, relative to fsys's root and
// sorted, of every test file in fsys.
func TestFiles(fsys fs.FS) ([]string, error) { return find(fsys, IsTestFile) }

func find(fsys fs.FS, match func(string) bool) ([]string, error) {
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
		if match(d.Name()) && d.Type().IsRegular() {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}
