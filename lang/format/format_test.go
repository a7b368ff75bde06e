package format

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/meshctl/meshctl/lang/diag"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/fmt from the formatter's output")

// fixtures is where the golden cases live: NAME.in.hcl is the input and
// NAME.golden.hcl the expected output. The names deliberately do not end in
// .mesh.hcl, so that nothing loading testdata as a workspace picks them up.
const fixtures = "../../testdata/fmt"

func TestSourceGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join(fixtures, "*.in.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) < 8 {
		t.Fatalf("found %d cases in %s, want at least 8", len(inputs), fixtures)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".in.hcl")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got, diags := Source(name+".mesh.hcl", src)
			if len(diags) > 0 {
				t.Fatalf("unexpected diagnostics: %v", diags.Err())
			}
			assertEquivalent(t, src, got)
			assertCanonical(t, got)

			golden := filepath.Join(fixtures, name+".golden.hcl")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("output differs from %s (-want +got):\n%s", golden, diff)
			}
			if name == "formatted" && !bytes.Equal(src, got) {
				t.Errorf("an already formatted file changed:\n%s", cmp.Diff(string(src), string(got)))
			}
		})
	}
}

// TestSourceIdempotent formats every golden output again: canonical text
// is a fixed point.
func TestSourceIdempotent(t *testing.T) {
	goldens, err := filepath.Glob(filepath.Join(fixtures, "*.golden.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(goldens) == 0 {
		t.Fatal("no golden files; run go test -update")
	}
	for _, g := range goldens {
		t.Run(filepath.Base(g), func(t *testing.T) {
			src, err := os.ReadFile(g)
			if err != nil {
				t.Fatal(err)
			}
			got, diags := Source(g, src)
			if len(diags) > 0 {
				t.Fatalf("unexpected diagnostics: %v", diags.Err())
			}
			if diff := cmp.Diff(string(src), string(got)); diff != "" {
				t.Errorf("formatting the golden output changed it (-golden +again):\n%s", diff)
			}
		})
	}
}

func TestSourceRules(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"only blank lines", "\n \n\t\n", ""},
		{"adds final newline", `a = 1`, "a = 1\n"},
		{"one final newline", "a = 1\n\n\n", "a = 1\n"},
		{"comment at end without newline", "a = 1\n# end   ", "a = 1\n# end\n"},
		{"crlf", "a = 1\r\nbb = 2\r\n", "a  = 1\nbb = 2\n"},
		{"crlf in heredoc", "a = <<EOT\r\nx  \r\nEOT\r\n", "a = <<EOT\nx  \nEOT\n"},
		{"brace at end without newline", "x {\n  a = <<EOT\nx\nEOT\n}", "x {\n  a = <<EOT\nx\nEOT\n}\n"},
		{"blank run collapsed", "a = 1\n\n\n\nb = 2\n", "a = 1\n\nb = 2\n"},
		{"blank after brace", "x {\n\n\n  a = 1\n}\n", "x {\n  a = 1\n}\n"},
		{"blank before brace", "x {\n  a = 1\n\n}\n", "x {\n  a = 1\n}\n"},
		{"blank after brace with comment", "x { # c\n\n  a = 1\n}\n", "x { # c\n  a = 1\n}\n"},
		{"blank after comment line kept", "x {\n  # c\n\n  a = 1\n}\n", "x {\n  # c\n\n  a = 1\n}\n"},
		{"blank inside list", "a = [\n\n  1,\n\n]\n", "a = [\n  1,\n]\n"},
		{"blank inside object", "a = {\n\n  b = 1\n\n  c = 2\n\n}\n", "a = {\n  b = 1\n\n  c = 2\n}\n"},
		{"trailing whitespace", "a = 1 \t\nb = 2  # c \t\n", "a = 1\nb = 2 # c\n"},
		{"carriage return ending a comment", "x { # c\r \n}", "x { # c\n}\n"},
		{"block comment lines", "/* a   \n\n   b  */\nx = 1\n", "/* a\n\n   b  */\nx = 1\n"},
		{"single-line block", `check "has_rows"    {   assert = row_count() >0 }`, "check \"has_rows\" { assert = row_count() > 0 }\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, diags := Source("test.mesh.hcl", []byte(tt.in))
			if len(diags) > 0 {
				t.Fatalf("unexpected diagnostics: %v", diags.Err())
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("Source(%q) (-want +got):\n%s", tt.in, diff)
			}
			assertEquivalent(t, []byte(tt.in), got)
		})
	}
}

func TestSourceSyntaxError(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want diag.Pos // start of the first error
	}{
		{
			name: "unclosed block",
			in:   "product \"x\" {\n  owner = \"a\"\n",
			want: diag.Pos{Line: 1, Column: 13, Byte: 12},
		},
		{
			name: "two attributes in a single-line block",
			in:   "contract {\n  column \"country\" { type = \"string\"  nullable = false }\n}\n",
			want: diag.Pos{Line: 2, Column: 39, Byte: 49},
		},
		{
			name: "missing value",
			in:   "domain \"sales\" {\n  owner =\n}\n",
			want: diag.Pos{Line: 2, Column: 10, Byte: 26},
		},
		{
			// Columns count characters, not bytes: "é" is two bytes.
			name: "after multibyte text",
			in:   "# é\nproduct \"x\" {\n  owner = \"é\" ]\n}\n",
			want: diag.Pos{Line: 3, Column: 15, Byte: 34},
		},
		{
			// Valid syntax that hclwrite would turn into the literal 0.5:
			// refused, pointing at the expression (see Source).
			name: "layout would change meaning",
			in:   "product \"x\" {\n  version = 0 .5\n}\n",
			want: diag.Pos{Line: 2, Column: 13, Byte: 26},
		},
		{
			name: "layout would change meaning, crlf",
			in:   "product \"x\" {\r\n  version = 0 .5\r\n}\r\n",
			want: diag.Pos{Line: 2, Column: 13, Byte: 27},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, diags := Source("sales/main.mesh.hcl", []byte(tt.in))
			if got != nil {
				t.Errorf("got output %q for invalid input, want none", got)
			}
			if !diags.HasErrors() {
				t.Fatalf("no error diagnostics")
			}
			first := diags[0]
			if first.Subject == nil {
				t.Fatalf("first diagnostic %q has no subject", first.Summary)
			}
			if first.Subject.Filename != "sales/main.mesh.hcl" {
				t.Errorf("filename = %q", first.Subject.Filename)
			}
			if diff := cmp.Diff(tt.want, first.Subject.Start); diff != "" {
				t.Errorf("position of %q (-want +got):\n%s", first.Error(), diff)
			}
		})
	}
}

// assertCanonical checks the line rules on out directly, independently of
// how tidyLines implements them, skipping heredoc bodies (whose every byte
// is part of a value).
func assertCanonical(t *testing.T, out []byte) {
	t.Helper()
	if len(out) == 0 {
		return
	}
	if bytes.Contains(out, []byte("\r")) {
		t.Errorf("output contains a carriage return")
	}
	if !bytes.HasSuffix(out, []byte("\n")) || bytes.HasSuffix(out, []byte("\n\n")) {
		t.Errorf("output does not end in exactly one newline")
	}
	if bytes.HasPrefix(out, []byte("\n")) {
		t.Errorf("output starts with a blank line")
	}
	inHeredoc := heredocLines(t, out)
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	for i, l := range lines {
		if inHeredoc[i+1] {
			continue
		}
		if strings.TrimRight(l, " \t") != l {
			t.Errorf("line %d has trailing whitespace: %q", i+1, l)
		}
		if l != "" || i == 0 {
			continue
		}
		prev := strings.TrimSpace(lines[i-1])
		next := ""
		if i+1 < len(lines) {
			next = strings.TrimSpace(lines[i+1])
		}
		switch {
		case prev == "":
			t.Errorf("line %d: two blank lines in a row", i+1)
		case strings.HasSuffix(prev, "{"):
			t.Errorf("line %d: blank line after an opening brace", i+1)
		case strings.HasPrefix(next, "}"):
			t.Errorf("line %d: blank line before a closing brace", i+1)
		}
	}
}

// heredocLines returns the 1-based numbers of the lines that lie inside a
// heredoc body or close one.
func heredocLines(t *testing.T, src []byte) map[int]bool {
	t.Helper()
	tokens, diags := hclsyntax.LexConfig(src, "", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("output does not lex: %v", diags)
	}
	in := make(map[int]bool)
	depth := 0
	for _, tok := range tokens {
		switch tok.Type {
		case hclsyntax.TokenOHeredoc:
			depth++
			continue
		case hclsyntax.TokenCHeredoc:
			in[tok.Range.Start.Line] = true
			depth--
		}
		if depth > 0 {
			for l := tok.Range.Start.Line; l <= tok.Range.End.Line; l++ {
				in[l] = true
			}
		}
	}
	return in
}

// assertEquivalent fails unless in and out parse to the same configuration:
// the same attributes, blocks, labels and expression trees, compared node by
// node with every source range ignored. in is compared with its \r\n line
// endings made \n, the one change of value formatting makes on purpose
// (inside heredocs).
func assertEquivalent(t *testing.T, in, out []byte) {
	t.Helper()
	if diff := equivalenceDiff(t, in, out); diff != "" {
		t.Errorf("formatting changed the meaning (-in +out):\n%s\ninput:\n%s\noutput:\n%s", diff, in, out)
	}
}

// equivalenceDiff returns "" when in and out parse to equivalent bodies,
// and a description of the difference otherwise.
func equivalenceDiff(t testing.TB, in, out []byte) string {
	t.Helper()
	in = bytes.ReplaceAll(in, []byte("\r\n"), []byte("\n"))
	a, diags := hclsyntax.ParseConfig(in, "in.mesh.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("input does not parse: %v", diags)
	}
	b, diags := hclsyntax.ParseConfig(out, "out.mesh.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		return "output does not parse: " + diags.Error()
	}
	return cmp.Diff(a.Body, b.Body, astOptions...)
}

// astOptions make go-cmp walk hclsyntax trees structurally: all fields,
// exported or not, except source ranges; literal values compared as values;
// operators compared by identity (hclsyntax uses one shared *Operation per
// operator, and its function value holds funcs that cannot be compared).
var astOptions = cmp.Options{
	cmp.Exporter(func(reflect.Type) bool { return true }),
	cmpopts.IgnoreTypes(hcl.Range{}, []hcl.Range{}, hcl.Pos{}),
	cmp.Comparer(func(x, y cty.Value) bool { return x.RawEquals(y) }),
	cmp.Comparer(func(x, y *hclsyntax.Operation) bool { return x == y }),
}
