package format

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	messy = "domain \"sales\" {\n  owner = \"sales-data@acme.example\"\n  description=\"Orders\"\n}\n"
	tidy  = "domain \"sales\" {\n  owner       = \"sales-data@acme.example\"\n  description = \"Orders\"\n}\n"
)

// writeFiles creates files (slash-separated path → contents) below dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPathsWrite(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"sales.mesh.hcl":       messy,
		"ok.mesh.hcl":          tidy,
		"products/a.mesh.hcl":  "product \"a\" {\n\n\n  owner = \"x\"\n}",
		"broken.mesh.hcl":      "product \"b\" {\n  owner = \n}\n",
		"products/notes.txt":   messy,
		"products/b.mesh.json": messy,
	})
	sales := filepath.Join(dir, "sales.mesh.hcl")
	// An unusual mode, to see that rewriting keeps it.
	if err := os.Chmod(sales, 0o600); err != nil {
		t.Fatal(err)
	}
	okBefore, err := os.Stat(filepath.Join(dir, "ok.mesh.hcl"))
	if err != nil {
		t.Fatal(err)
	}

	res, err := Paths(context.Background(), []string{dir}, Options{Write: true})
	if err != nil {
		t.Fatal(err)
	}

	type summary struct {
		Path             string
		Changed, Written bool
		Errors           int
	}
	var got []summary
	for _, f := range res.Files {
		errs, _ := f.Diags.Count()
		got = append(got, summary{f.Path, f.Changed, f.Written, errs})
	}
	want := []summary{
		{Path: filepath.Join(dir, "broken.mesh.hcl"), Errors: 1},
		{Path: filepath.Join(dir, "ok.mesh.hcl")},
		{Path: filepath.Join(dir, "products", "a.mesh.hcl"), Changed: true, Written: true},
		{Path: sales, Changed: true, Written: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{filepath.Join(dir, "products", "a.mesh.hcl"), sales}, res.Changed()); diff != "" {
		t.Errorf("Changed() (-want +got):\n%s", diff)
	}
	if errs, _ := res.Diagnostics().Count(); errs != 1 {
		t.Errorf("Diagnostics() has %d errors, want 1", errs)
	}

	if got := readFile(t, sales); got != tidy {
		t.Errorf("sales.mesh.hcl after Write:\n%s\nwant:\n%s", got, tidy)
	}
	if got := readFile(t, filepath.Join(dir, "products", "a.mesh.hcl")); got != "product \"a\" {\n  owner = \"x\"\n}\n" {
		t.Errorf("products/a.mesh.hcl after Write: %q", got)
	}
	info, err := os.Stat(sales)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode after Write = %v, want -rw-------", info.Mode().Perm())
	}
	// Files that need nothing, and files with errors, are not touched.
	if got := readFile(t, filepath.Join(dir, "broken.mesh.hcl")); got != "product \"b\" {\n  owner = \n}\n" {
		t.Errorf("broken file was rewritten: %q", got)
	}
	okAfter, err := os.Stat(filepath.Join(dir, "ok.mesh.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(okBefore, okAfter) || !okAfter.ModTime().Equal(okBefore.ModTime()) {
		t.Errorf("an already formatted file was rewritten")
	}
	if got := readFile(t, filepath.Join(dir, "products", "notes.txt")); got != messy {
		t.Errorf("a file that is not configuration was changed")
	}
	// No temporary files are left behind.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestPathsDiff(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"sales/main.mesh.hcl": messy, "sales/ok.mesh.hcl": tidy})
	t.Chdir(dir)

	res, err := Paths(context.Background(), []string{"sales"}, Options{Diff: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 2 {
		t.Fatalf("got %d files, want 2", len(res.Files))
	}
	f := res.Files[0]
	if f.Path != filepath.Join("sales", "main.mesh.hcl") || !f.Changed || f.Written {
		t.Errorf("got %+v", f)
	}
	want := `--- a/sales/main.mesh.hcl
+++ b/sales/main.mesh.hcl
@@ -1,4 +1,4 @@
 domain "sales" {
-  owner = "sales-data@acme.example"
-  description="Orders"
+  owner       = "sales-data@acme.example"
+  description = "Orders"
 }
`
	if diff := cmp.Diff(want, f.Diff); diff != "" {
		t.Errorf("diff (-want +got):\n%s", diff)
	}
	if res.Files[1].Diff != "" {
		t.Errorf("unchanged file has a diff: %q", res.Files[1].Diff)
	}
	// Without Write the file stays as it was.
	if got := readFile(t, filepath.Join("sales", "main.mesh.hcl")); got != messy {
		t.Errorf("file changed without Write")
	}
}

func TestDiffMissingFinalNewline(t *testing.T) {
	got := unifiedDiff("x.mesh.hcl", []byte("a = 1"), []byte("a = 1\n"))
	want := "--- a/x.mesh.hcl\n+++ b/x.mesh.hcl\n@@ -1 +1 @@\n-a = 1\n\\ No newline at end of file\n+a = 1\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestPathsSkipsHiddenFolders(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"main.mesh.hcl":                 messy,
		".meshctl/cache/x.mesh.hcl":     messy,
		".git/y.mesh.hcl":               messy,
		"sales/.drafts/z.mesh.hcl":      messy,
		"sales/orders.mesh.hcl":         messy,
		"node_modules/pkg/w.mesh.hcl":   messy,
		"sales/.hidden.mesh.hcl":        messy,
		"sales/orders.mesh.hcl.bak":     messy,
		"sales/nested/deep/d.mesh.hcl":  tidy,
		"sales/nested/deep/readme.hcl":  messy,
		"sales/nested/deep/e.mesh.hcl~": messy,
	})
	res, err := Paths(context.Background(), []string{dir}, Options{Write: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Files {
		rel, err := filepath.Rel(dir, f.Path)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, filepath.ToSlash(rel))
	}
	want := []string{"main.mesh.hcl", "sales/nested/deep/d.mesh.hcl", "sales/orders.mesh.hcl"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	for _, skipped := range []string{".meshctl/cache/x.mesh.hcl", ".git/y.mesh.hcl", "sales/.drafts/z.mesh.hcl"} {
		if got := readFile(t, filepath.Join(dir, filepath.FromSlash(skipped))); got != messy {
			t.Errorf("%s was rewritten", skipped)
		}
	}
}

func TestPathsTargets(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"a.mesh.hcl":           messy,
		"sub/b.mesh.hcl":       messy,
		"tests/c.meshtest.hcl": messy,
		"notes.hcl":            messy,
	})
	t.Chdir(dir)

	t.Run("files and directories, once each", func(t *testing.T) {
		res, err := Paths(context.Background(), []string{"a.mesh.hcl", ".", "./sub/b.mesh.hcl"}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range res.Files {
			got = append(got, f.Path)
		}
		// Test files are formatted like configuration files.
		want := []string{"a.mesh.hcl", filepath.Join("sub", "b.mesh.hcl"), filepath.Join("tests", "c.meshtest.hcl")}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("paths (-want +got):\n%s", diff)
		}
	})
	t.Run("not a configuration file", func(t *testing.T) {
		res, err := Paths(context.Background(), []string{"a.mesh.hcl", "notes.hcl"}, Options{Write: true})
		if err == nil || !strings.Contains(err.Error(), "notes.hcl") {
			t.Fatalf("got %v, %v; want an error naming notes.hcl", res, err)
		}
		// Targets are checked first: nothing was written.
		if got := readFile(t, "a.mesh.hcl"); got != messy {
			t.Errorf("a.mesh.hcl was rewritten before the bad target was reported")
		}
	})
	t.Run("missing", func(t *testing.T) {
		_, err := Paths(context.Background(), []string{"nope.mesh.hcl"}, Options{})
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("got %v, want an fs.ErrNotExist", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := Paths(ctx, []string{"."}, Options{})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
	})
}

func TestReader(t *testing.T) {
	f, err := Reader("<stdin>", strings.NewReader(messy), Options{Diff: true})
	if err != nil {
		t.Fatal(err)
	}
	if string(f.Formatted) != tidy || !f.Changed || !strings.Contains(f.Diff, "+++ b/<stdin>") {
		t.Errorf("got %+v", f)
	}

	f, err = Reader("<stdin>", strings.NewReader("product {"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Formatted != nil || !f.Diags.HasErrors() || f.Diags[0].Subject.Filename != "<stdin>" {
		t.Errorf("invalid input: got %+v", f)
	}

	if _, err := Reader("<stdin>", strings.NewReader(messy), Options{Write: true}); err == nil {
		t.Errorf("Write on a stream: no error")
	}
}
