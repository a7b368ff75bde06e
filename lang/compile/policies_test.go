package compile_test

import (
	"context"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/policymodel"
)

const polPreamble = `mesh {
  name = "m"
}
`

func TestPolicyTypeCheck(t *testing.T) {
	tests := []struct {
		name, policy string
		// summary and line:col of the one expected error; "" for none.
		summary, detail string
		line, col       int
	}{
		{name: "valid product policy", policy: `policy "p" {
  applies_to = "product"
  condition  = product.owner != "" && length(product.tags) > 0
  message    = "product ${product.name} has no owner"
}`},
		{name: "valid column policy", policy: `policy "p" {
  applies_to = "column"
  when       = contains(column.tags, "pii")
  condition  = column.mask != null || startswith(product.name, "internal_")
}`},
		{name: "valid change policy", policy: `policy "p" {
  applies_to = "change"
  condition  = !change.breaking || change.major_version_bumped
}`},
		{name: "valid output policy", policy: `policy "p" {
  applies_to = "output"
  condition  = matches(output.path, "^lake/") && output.format == "parquet"
}`},
		{name: "misspelled attribute", policy: `policy "p" {
  applies_to = "product"
  condition  = product.ownr != ""
}`, summary: `product has no attribute "ownr"`, detail: `Did you mean "owner"?`, line: 7, col: 23},
		{name: "nested attribute", policy: `policy "p" {
  applies_to = "output"
  condition  = length(output.colums) > 0
}`, summary: `output has no attribute "colums"`, detail: `Did you mean "columns"?`, line: 7, col: 29},
		{name: "object out of scope", policy: `policy "p" {
  applies_to = "product"
  condition  = contains(column.tags, "pii")
}`, summary: `Unknown name "column" in policy "p"`, detail: `applies_to = "column"`, line: 7, col: 25},
		{name: "unknown root", policy: `policy "p" {
  applies_to = "column"
  condition  = colum.nullable
}`, summary: `Unknown name "colum" in policy "p"`, detail: `Did you mean "column"?`, line: 7, col: 16},
		{name: "condition not bool", policy: `policy "p" {
  applies_to = "column"
  condition  = column.name
}`, summary: "Policy condition must be true or false", line: 7, col: 16},
		{name: "when not bool", policy: `policy "p" {
  applies_to = "product"
  when       = product.tags
  condition  = true
}`, summary: "Policy when must be true or false", line: 7, col: 16},
		{name: "message not a string", policy: `policy "p" {
  applies_to = "product"
  condition  = true
  message    = product.tags
}`, summary: "Policy message must be a string", line: 8, col: 16},
		{name: "unknown function", policy: `policy "p" {
  applies_to = "product"
  condition  = has_prefix(product.name, "x")
}`, summary: "Call to unknown function", line: 7, col: 16},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws, ds := configs.LoadFiles([]configs.File{{Name: "main.mesh.hcl", Src: []byte(polPreamble + "\n" + tt.policy + "\n")}}, configs.Options{})
			if ds.HasErrors() {
				t.Fatalf("load: %v", ds.Err())
			}
			_, ds = compile.Compile(context.Background(), ws, compile.Options{})
			if tt.summary == "" {
				if len(ds) != 0 {
					t.Fatalf("diagnostics for a valid policy: %v", ds.Err())
				}
				return
			}
			if len(ds) != 1 {
				t.Fatalf("want exactly one diagnostic, got %d: %v", len(ds), ds.Err())
			}
			d := ds[0]
			if d.Summary != tt.summary || d.Subject == nil || d.Subject.Start.Line != tt.line || d.Subject.Start.Column != tt.col {
				t.Errorf("got %q at %v, want %q at %d:%d", d.Summary, d.Subject, tt.summary, tt.line, tt.col)
			}
			if !strings.Contains(d.Detail, tt.detail) {
				t.Errorf("detail %q lacks %q", d.Detail, tt.detail)
			}
		})
	}
}

func TestPolicyFunctions(t *testing.T) {
	fns := policymodel.Functions()
	call := func(name string, args ...cty.Value) (cty.Value, error) {
		return fns[name].Call(args)
	}
	for _, tt := range []struct {
		fn   string
		args []cty.Value
		want bool
	}{
		{"startswith", []cty.Value{cty.StringVal("internal_x"), cty.StringVal("internal_")}, true},
		{"endswith", []cty.Value{cty.StringVal("orders.parquet"), cty.StringVal(".csv")}, false},
		{"matches", []cty.Value{cty.StringVal("lake/sales/x"), cty.StringVal(`^lake/[a-z]+/`)}, true},
		{"contains", []cty.Value{cty.ListVal([]cty.Value{cty.StringVal("pii")}), cty.StringVal("pii")}, true},
	} {
		got, err := call(tt.fn, tt.args...)
		if err != nil || got.True() != tt.want {
			t.Errorf("%s%v = %v, %v; want %v", tt.fn, tt.args, got, err, tt.want)
		}
	}
	if _, err := call("matches", cty.StringVal("x"), cty.StringVal("(")); err == nil || !strings.Contains(err.Error(), "invalid regular expression") {
		t.Errorf("matches with a bad pattern: %v", err)
	}
}
