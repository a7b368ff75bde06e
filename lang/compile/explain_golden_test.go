package compile_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/ir"
)

var updateExplainGolden = flag.Bool("update", false, "rewrite testdata/explain/*.golden from the compiler's output")

// archiveFile is one file of a txtar-style archive.
type archiveFile struct {
	Name string
	Data []byte
}

// splitArchive reads the txtar format (golang.org/x/tools/txtar, which this
// module does not require directly): a comment, then files each introduced
// by a line "-- name --".
func splitArchive(data []byte) (comment []byte, files []archiveFile) {
	var cur *archiveFile
	for len(data) > 0 {
		line, rest, _ := bytes.Cut(data, []byte("\n"))
		data = rest
		if name, ok := markerName(line); ok {
			files = append(files, archiveFile{Name: name})
			cur = &files[len(files)-1]
			continue
		}
		if cur == nil {
			comment = append(append(comment, line...), '\n')
		} else {
			cur.Data = append(append(cur.Data, line...), '\n')
		}
	}
	return comment, files
}

func markerName(line []byte) (string, bool) {
	s := strings.TrimRight(string(line), "\r")
	if !strings.HasPrefix(s, "-- ") || !strings.HasSuffix(s, " --") || len(s) < 7 {
		return "", false
	}
	return strings.TrimSpace(s[3 : len(s)-3]), true
}

// TestExplainGolden loads and compiles each workspace archived in
// testdata/explain/*.txtar and compares ir.Explain of every product,
// upstream first, with the archive's .golden file. Run
// go test ./lang/compile -run ExplainGolden -update to refresh them.
func TestExplainGolden(t *testing.T) {
	archives, err := filepath.Glob(filepath.Join("testdata", "explain", "*.txtar"))
	if err != nil || len(archives) == 0 {
		t.Fatalf("no archives in testdata/explain: %v", err)
	}
	for _, path := range archives {
		name := strings.TrimSuffix(filepath.Base(path), ".txtar")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			_, files := splitArchive(data)
			var in []configs.File
			for _, f := range files {
				in = append(in, configs.File{Name: f.Name, Src: f.Data})
			}
			got := explainWorkspace(t, in)
			golden := strings.TrimSuffix(path, ".txtar") + ".golden"
			if *updateExplainGolden {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				diff, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
					A: difflib.SplitLines(string(want)), B: difflib.SplitLines(got),
					FromFile: golden, ToFile: "explain", Context: 3,
				})
				t.Errorf("explain differs from %s (run with -update if the change is intended):\n%s", golden, diff)
			}
		})
	}
}

// explainWorkspace compiles files and prints every product's plan, then
// the warnings; errors fail the test.
func explainWorkspace(t *testing.T, files []configs.File) string {
	t.Helper()
	m := map[string]string{}
	for _, f := range files {
		m[f.Name] = string(f.Src)
	}
	ws, res, diags := loadAndCompile(t, m)
	if diags.HasErrors() {
		t.Fatalf("the workspace does not compile:\n%s", renderDiagnostics(ws, diags))
	}
	var b strings.Builder
	for i, name := range res.Order {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(ir.Explain(res.Products[name]))
	}
	if len(res.Order) != len(ws.ProductOrder) {
		fmt.Fprintf(&b, "\n%d of %d products compiled\n", len(res.Order), len(ws.ProductOrder))
	}
	if len(diags) > 0 {
		b.WriteString("\nDiagnostics\n")
		for _, d := range diags {
			where := ""
			if d.Subject != nil {
				where = d.Subject.String() + ": "
			}
			fmt.Fprintf(&b, "  %s %s%s\n", severityWord(d.Severity), where, d.Summary)
		}
	}
	return b.String()
}

func severityWord(s diag.Severity) string { return s.String() }

func TestSplitArchive(t *testing.T) {
	comment, files := splitArchive([]byte("about\n\n-- a.hcl --\nx = 1\n-- dir/b.hcl --\n-- not a marker\ny\n-- c --"))
	if string(comment) != "about\n\n" {
		t.Errorf("comment = %q", comment)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.Name+"="+string(f.Data))
	}
	want := []string{"a.hcl=x = 1\n", "dir/b.hcl=-- not a marker\ny\n", "c="}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("files = %q, want %q", got, want)
	}
}
