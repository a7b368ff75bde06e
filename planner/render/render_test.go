package render

import (
	"bytes"
	"encoding/json"
	"flag"
	"go/build"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/planner/plans"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden from the renderers' output")

// testMarker is the sticky-comment marker every golden Markdown view uses.
const testMarker = "<!-- meshctl-plan:acme-sales -->"

// views renders the four golden views of a scenario: file name → bytes.
func views(t *testing.T, sc scenario) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	var buf bytes.Buffer
	if err := Text(&buf, sc.plan(), sc.text); err != nil {
		t.Fatalf("Text: %v", err)
	}
	out["plan.txt"] = bytes.Clone(buf.Bytes())
	buf.Reset()
	colored := sc.text
	colored.Color = true
	if err := Text(&buf, sc.plan(), colored); err != nil {
		t.Fatalf("Text with colour: %v", err)
	}
	out["plan.color.txt"] = bytes.Clone(buf.Bytes())
	buf.Reset()
	md := sc.md
	md.Marker = testMarker
	md.Title = "meshctl plan — acme-sales"
	if err := Markdown(&buf, sc.plan(), md); err != nil {
		t.Fatalf("Markdown: %v", err)
	}
	out["plan.md"] = bytes.Clone(buf.Bytes())
	buf.Reset()
	if err := JSON(&buf, sc.plan()); err != nil {
		t.Fatalf("JSON: %v", err)
	}
	out["plan.json"] = bytes.Clone(buf.Bytes())
	return out
}

func TestGolden(t *testing.T) {
	if len(scenarios) < 20 {
		t.Fatalf("%d scenarios, want at least 20", len(scenarios))
	}
	seen := map[string]bool{}
	for _, sc := range scenarios {
		if seen[sc.name] {
			t.Fatalf("two scenarios named %s", sc.name)
		}
		seen[sc.name] = true
		t.Run(sc.name, func(t *testing.T) {
			got := views(t, sc)
			dir := filepath.Join("testdata", "golden", sc.name)
			if *update {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for _, file := range []string{"plan.txt", "plan.color.txt", "plan.md", "plan.json"} {
				path := filepath.Join(dir, file)
				if *update {
					if err := os.WriteFile(path, got[file], 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if diff := cmp.Diff(string(want), string(got[file])); diff != "" {
					t.Errorf("%s differs (-want +got):\n%s", path, diff)
				}
			}
			// Properties every scenario's views must have, whatever the
			// goldens say.
			if bytes.Contains(got["plan.txt"], []byte("\x1b")) {
				t.Error("text without colour holds an escape sequence")
			}
			if sc.plan().HasChanges() && !bytes.Contains(got["plan.color.txt"], []byte("\x1b[")) {
				t.Error("text with colour holds no colour")
			}
			if stripANSI(string(got["plan.color.txt"])) != string(got["plan.txt"]) {
				t.Error("text with colour, its colour removed, differs from text without")
			}
			checkMarkdown(t, string(got["plan.md"]), testMarker, limitOf(sc.md))
			checkJSON(t, got["plan.json"], sc.plan())
			again := views(t, sc)
			if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("rendering twice differs:\n%s", diff)
			}
		})
	}
}

func limitOf(o MarkdownOptions) int {
	if o.Limit <= 0 {
		return DefaultMarkdownLimit
	}
	return o.Limit
}

// stripANSI removes SGR escape sequences (ESC [ … m).
func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := strings.IndexByte(s[i:], 'm')
			if j > 0 {
				i += j
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// checkMarkdown asserts what a posted comment needs: the marker on the
// first line, the size within the limit, valid UTF-8, every code fence
// closed, every <details> closed and not nested, every table row with as
// many cells as its header.
func checkMarkdown(t *testing.T, md, marker string, limit int) {
	t.Helper()
	if len(md) > limit {
		t.Errorf("Markdown is %d bytes, over the limit of %d", len(md), limit)
	}
	if !utf8.ValidString(md) {
		t.Error("Markdown is not valid UTF-8")
	}
	if first, _, _ := strings.Cut(md, "\n"); first != marker {
		t.Errorf("first line %q, want the marker %q", first, marker)
	}
	fence := ""
	open := 0
	headerCells := -1
	for n, line := range strings.Split(md, "\n") {
		if fence != "" {
			if strings.HasPrefix(line, fence) && strings.TrimLeft(line, "`") == "" {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(line, "```") {
			fence = line[:len(line)-len(strings.TrimLeft(line, "`"))]
			continue
		}
		open += strings.Count(line, "<details>")
		if open > 1 {
			t.Errorf("line %d: nested <details>", n+1)
		}
		open -= strings.Count(line, "</details>")
		if open < 0 {
			t.Errorf("line %d: </details> without <details>", n+1)
			open = 0
		}
		if strings.HasPrefix(line, "|") {
			cells := tableCells(line)
			if headerCells < 0 {
				headerCells = cells
			} else if cells != headerCells {
				t.Errorf("line %d: %d table cells, the header has %d: %q", n+1, cells, headerCells, line)
			}
		} else {
			headerCells = -1
		}
	}
	if fence != "" {
		t.Error("a code fence is not closed")
	}
	if open != 0 {
		t.Errorf("%d <details> not closed", open)
	}
}

// tableCells counts the cells of a GFM table row: unescaped pipes, minus
// the outer ones.
func tableCells(line string) int {
	n := 0
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '\\':
			i++
		case '|':
			n++
		}
	}
	return n - 1
}

// checkJSON decodes the JSON view and checks the fields scripts rely on.
func checkJSON(t *testing.T, doc []byte, p *plans.Plan) {
	t.Helper()
	var got map[string]any
	if err := json.Unmarshal(doc, &got); err != nil {
		t.Fatalf("JSON view is not JSON: %v", err)
	}
	if got["format_version"] != JSONFormatVersion {
		t.Errorf("format_version %v", got["format_version"])
	}
	for _, k := range []string{"id", "created_at", "lineage", "serial", "workspace_hash", "targets", "summary", "changes", "warnings", "violations", "exemptions"} {
		if _, ok := got[k]; !ok {
			t.Errorf("no %q key", k)
		}
	}
	if n := len(got["violations"].([]any)); n != len(p.Violations) {
		t.Errorf("%d violations, the plan has %d", n, len(p.Violations))
	}
	if n := len(got["exemptions"].([]any)); n != len(p.Exemptions) {
		t.Errorf("%d exemptions, the plan has %d", n, len(p.Exemptions))
	}
	changes := got["changes"].([]any)
	if len(changes) != len(p.Changes) {
		t.Fatalf("%d changes, the plan has %d", len(changes), len(p.Changes))
	}
	for i, raw := range changes {
		c := raw.(map[string]any)
		for _, k := range []string{"product", "address", "action", "reasons", "breaking", "contract_changes", "required_bump", "declared_bump", "bump_below_required", "downstream", "refused", "before", "after"} {
			if _, ok := c[k]; !ok {
				t.Errorf("change %d: no %q key", i, k)
			}
		}
		if c["action"] != p.Changes[i].Action.Word() {
			t.Errorf("change %d: action %v, want %s", i, c["action"], p.Changes[i].Action.Word())
		}
		for _, cc := range c["contract_changes"].([]any) {
			m := cc.(map[string]any)
			if _, ok := m["breaking"].(bool); !ok {
				t.Errorf("change %d: a contract change without a boolean breaking: %v", i, m)
			}
			if _, ok := m["column"].(string); !ok {
				t.Errorf("change %d: a contract change without a column: %v", i, m)
			}
		}
	}
}

// TestImports keeps the package comment true: within meshctl, render
// imports the plan model and the state model only.
func TestImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	const mod = "github.com/meshctl/meshctl/"
	for _, imp := range pkg.Imports {
		if strings.HasPrefix(imp, mod) && imp != mod+"planner/plans" && imp != mod+"planner/state" {
			t.Errorf("render imports %s", imp)
		}
	}
}
