package configs_test

import (
	"context"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/ir"
)

// fzName is the file name FuzzLoad loads its input as.
const fzName = "fuzz.mesh.hcl"

// fzSeeds returns workspaces to start fuzzing from: the seed files under
// testdata/seeds (copies of the init workspace and a full example), every
// file of examples/ and each example folder as one file, and the bad
// workspaces of TestLoadDiagnostics.
func fzSeeds(f *testing.F) [][]byte {
	f.Helper()
	var out [][]byte
	seeds, err := filepath.Glob(filepath.Join("testdata", "seeds", "*.hcl"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range seeds {
		src, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, src)
	}
	perDir := map[string][]byte{}
	root := filepath.Join("..", "..", "examples")
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".mesh.hcl") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		out = append(out, src)
		rel, _ := filepath.Rel(root, p)
		top := strings.SplitN(filepath.ToSlash(rel), "/", 2)[0]
		perDir[top] = append(append(perDir[top], src...), '\n')
		return nil
	})
	for _, k := range slices.Sorted(maps.Keys(perDir)) {
		out = append(out, perDir[k])
	}
	for _, c := range dgLoadCases() {
		for _, name := range slices.Sorted(maps.Keys(c.files)) {
			out = append(out, []byte(strings.ReplaceAll(c.files[name], dgMarker, "")))
		}
	}
	for _, s := range []string{
		"",
		"mesh {}",
		"mesh {\n  name = \"t\"\n}\n",
		"mesh { name = env(\"X\") }\n",
		"product \"p\" {\n  input \"a\" { from = product.p }\n}\n",
		"\xef\xbb\xbfmesh {\n  name = \"bom\"\n}\n",
		"mesh {\r\n  name = \"crlf\"\r\n}\r\n",
	} {
		out = append(out, []byte(s))
	}
	return out
}

// FuzzLoad checks that loading any bytes as a workspace file never panics,
// that every diagnostic points inside the file, and that rendering the
// diagnostics never panics. When the file loads without error it is also
// compiled (without schema readers), which must not panic either.
func FuzzLoad(f *testing.F) {
	for _, src := range fzSeeds(f) {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		ws, ds := configs.LoadFiles([]configs.File{{Name: fzName, Src: src}}, configs.Options{
			Getenv: func(name string) (string, bool) {
				if name == "SET" {
					return "value", true
				}
				return "", false
			},
		})
		if ws == nil {
			t.Fatal("LoadFiles returned no workspace")
		}
		fzCheckDiags(t, src, ds)
		if ds.HasErrors() {
			return
		}
		res, cds := compile.Compile(context.Background(), ws, compile.Options{})
		fzCheckDiags(t, src, cds)
		if res == nil {
			t.Fatal("Compile returned no result")
		}
		for _, name := range res.Order {
			_ = ir.Explain(res.Products[name])
		}
	})
}

// fzCheckDiags checks that every subject lies within src, and renders ds.
func fzCheckDiags(t *testing.T, src []byte, ds diag.Diagnostics) {
	t.Helper()
	for _, d := range ds {
		if d.Summary == "" {
			t.Errorf("diagnostic without a summary: %+v", d)
		}
		for _, r := range []*diag.Range{d.Subject, d.Context} {
			if r == nil {
				continue
			}
			if r.Filename != fzName {
				t.Errorf("%q: range in file %q, want %q", d.Summary, r.Filename, fzName)
			}
			if r.Start.Byte < 0 || r.Start.Byte > r.End.Byte || r.End.Byte > len(src) {
				t.Errorf("%q: range bytes %d..%d outside the source (%d bytes)", d.Summary, r.Start.Byte, r.End.Byte, len(src))
			}
			if r.Start.Line < 1 || r.Start.Column < 1 {
				t.Errorf("%q: range starts at line %d, column %d", d.Summary, r.Start.Line, r.Start.Column)
			}
		}
	}
	srcs := diag.Sources{fzName: src}
	if err := (&diag.TextWriter{W: io.Discard, Sources: srcs, Color: true}).WriteDiagnostics(ds); err != nil {
		t.Errorf("rendering: %v", err)
	}
	_ = diag.ToJSON(ds, srcs)
}
