package format

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/discover"
)

// Options say what Paths and Reader do besides formatting.
type Options struct {
	// Write rewrites every file whose layout changed, in place and
	// atomically (a temporary file in the same folder renamed over the
	// original), keeping its permissions. Reader refuses it.
	Write bool
	// Diff fills File.Diff with a unified diff of each change.
	Diff bool
}

// File is the outcome of formatting one file.
type File struct {
	// Path names the file as the user sees it: a file target as given, or
	// a directory target joined with the file's path below it.
	Path string
	// Changed reports whether the canonical layout differs from the file's
	// contents. It stays false for a file with syntax errors.
	Changed bool
	// Written reports whether the file was rewritten (Options.Write and
	// Changed).
	Written bool
	// Formatted is the canonical text of the file, nil when it has syntax
	// errors. `meshctl fmt -` prints it.
	Formatted []byte
	// Diff is a unified diff from the original to Formatted, with a/ and b/
	// names, set when Options.Diff is on and the file changed.
	Diff string
	// Diags holds the file's syntax errors; such a file is skipped.
	Diags diag.Diagnostics
}

// Result is the outcome of Paths: one File per configuration file, in the
// order of the targets and, below a directory, sorted by path.
type Result struct {
	Files []File
}

// Diagnostics returns the diagnostics of every file, in file order.
func (r *Result) Diagnostics() diag.Diagnostics {
	var out diag.Diagnostics
	for _, f := range r.Files {
		out = append(out, f.Diags...)
	}
	return out
}

// Changed returns the paths of the files whose layout changed, the list
// `meshctl fmt` prints and `meshctl fmt -check` fails on.
func (r *Result) Changed() []string {
	var out []string
	for _, f := range r.Files {
		if f.Changed {
			out = append(out, f.Path)
		}
	}
	return out
}

// Paths formats the configuration files named by targets. A target is
// either a configuration or test file (*.mesh.hcl, *.meshtest.hcl;
// anything else is an error) or a directory, searched with discover: every
// such file below it, leaving out hidden folders such as .git and .meshctl. A file reached
// twice is formatted once. Reading standard input ("-") is the caller's
// business: see Reader.
//
// All targets are checked before any file is formatted, so a bad target
// changes nothing. A file with syntax errors is reported in its File and
// skipped; the others are still formatted. The returned error is for what
// the user cannot fix in HCL (a missing target, an unreadable file, a
// failed write) and stops the run; files already rewritten stay rewritten.
// Paths checks ctx between files.
func Paths(ctx context.Context, targets []string, opts Options) (*Result, error) {
	paths, err := expandTargets(targets)
	if err != nil {
		return nil, err
	}
	res := &Result{Files: make([]File, 0, len(paths))}
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		f, err := formatFile(p, opts)
		if err != nil {
			return res, err
		}
		res.Files = append(res.Files, f)
	}
	return res, nil
}

// Reader formats the configuration read from r, such as standard input for
// `meshctl fmt -`. name stands for the source in diagnostics and diff
// headers. The returned error is for a failed read, or for Options.Write,
// which has nowhere to write to.
func Reader(name string, r io.Reader, opts Options) (*File, error) {
	if opts.Write {
		return nil, fmt.Errorf("format %s: cannot write the result back to a stream", name)
	}
	src, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	f := formatBytes(name, src, opts)
	return &f, nil
}

// expandTargets turns the targets into the list of files to format, with
// user-facing paths, without duplicates.
func expandTargets(targets []string) ([]string, error) {
	var out []string
	seen := make(map[string]bool)
	add := func(p string) {
		key := filepath.Clean(p)
		if abs, err := filepath.Abs(p); err == nil {
			key = abs
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, p)
		}
	}
	for _, t := range targets {
		info, err := os.Stat(t)
		if err != nil {
			return nil, fmt.Errorf("format: %w", err)
		}
		if !info.IsDir() {
			if !discover.IsConfigFile(t) && !discover.IsTestFile(t) {
				return nil, fmt.Errorf("format %s: not a meshctl configuration file (want a *%s or *%s file, or a directory)", t, discover.Suffix, discover.TestSuffix)
			}
			if !info.Mode().IsRegular() {
				return nil, fmt.Errorf("format %s: not a regular file", t)
			}
			add(t)
			continue
		}
		rels, err := discover.Files(os.DirFS(t))
		if err != nil {
			return nil, fmt.Errorf("format: search %s: %w", t, err)
		}
		tests, err := discover.TestFiles(os.DirFS(t))
		if err != nil {
			return nil, fmt.Errorf("format: search %s: %w", t, err)
		}
		rels = append(rels, tests...)
		for _, rel := range rels {
			add(filepath.Join(t, filepath.FromSlash(rel)))
		}
	}
	return out, nil
}

// formatFile formats the file at path and, if asked, rewrites it.
func formatFile(path string, opts Options) (File, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return File{}, fmt.Errorf("format: %w", err)
	}
	f := formatBytes(path, src, opts)
	if opts.Write && f.Changed {
		if err := writeAtomic(path, f.Formatted); err != nil {
			return File{}, fmt.Errorf("format: rewrite %s: %w", path, err)
		}
		f.Written = true
	}
	return f, nil
}

// formatBytes formats src, the contents of the file the user calls name.
func formatBytes(name string, src []byte, opts Options) File {
	f := File{Path: name}
	f.Formatted, f.Diags = Source(name, src)
	if f.Diags.HasErrors() {
		return f
	}
	f.Changed = !bytes.Equal(src, f.Formatted)
	if opts.Diff && f.Changed {
		f.Diff = unifiedDiff(name, src, f.Formatted)
	}
	return f
}

// unifiedDiff returns the diff from before to after in the form git and
// patch read, with a/ and b/ prefixed to the slash-separated name.
func unifiedDiff(name string, before, after []byte) string {
	n := strings.TrimPrefix(filepath.ToSlash(name), "/")
	d, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A:        diffLines(before),
		B:        diffLines(after),
		FromFile: "a/" + n,
		ToFile:   "b/" + n,
		Context:  3,
	})
	if err != nil {
		// difflib only fails when writing to its buffer fails, which a
		// strings.Builder never does.
		panic(fmt.Sprintf("format: unified diff: %v", err))
	}
	return d
}

// diffLines splits b into lines that keep their newline. A last line
// without one gets the marker diff and patch use for it, so that adding the
// final newline shows as a change instead of garbling the diff.
// (difflib.SplitLines would instead invent an empty last line.)
func diffLines(b []byte) []string {
	lines := strings.SplitAfter(string(b), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	} else {
		lines[len(lines)-1] += "\n\\ No newline at end of file\n"
	}
	return lines
}

// writeAtomic replaces the file at path with data: it writes a temporary
// file in the same folder, with the original's permissions, and renames it
// over the original, so that a reader sees the old file or the new one and
// never half of one. A symbolic link is followed and its target rewritten.
func writeAtomic(path string, data []byte) (err error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	info, err := os.Stat(real)
	if err != nil {
		return err
	}
	dir, base := filepath.Split(real)
	if dir == "" {
		dir = "."
	}
	// The leading dot keeps the temporary file out of discover's sight.
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
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
	if err = tmp.Chmod(info.Mode().Perm()); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), real)
}
