package compile_test

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// allTypesPreamble declares the mesh, a domain and the source "t", whose declared
// schema has a non-null and a nullable column of every type, plus a few
// realistically named ones (id, age, country, email, amount).
const allTypesPreamble = `
mesh {
  name = "test"
}

domain "d" {
  owner = "d@example.com"
}

source "t" {
  type = "parquet"
  path = "data/t.parquet"
  schema {
    infer = false
    column "b" {
      type     = "bool"
      nullable = false
    }
    column "b_n" { type = "bool" }
    column "i32" {
      type     = "int32"
      nullable = false
    }
    column "i32_n" { type = "int32" }
    column "i64" {
      type     = "int64"
      nullable = false
    }
    column "i64_n" { type = "int64" }
    column "f64" {
      type     = "float64"
      nullable = false
    }
    column "f64_n" { type = "float64" }
    column "dec" {
      type     = "decimal(18,2)"
      nullable = false
    }
    column "dec_n" { type = "decimal(18,2)" }
    column "dec4" {
      type     = "decimal(18,4)"
      nullable = false
    }
    column "s" {
      type     = "string"
      nullable = false
    }
    column "s_n" { type = "string" }
    column "d" {
      type     = "date"
      nullable = false
    }
    column "d_n" { type = "date" }
    column "ts" {
      type     = "timestamp"
      nullable = false
    }
    column "ts_n" { type = "timestamp" }
    column "id" {
      type        = "int64"
      nullable    = false
      description = "Customer id"
    }
    column "age" { type = "int32" }
    column "country" { type = "string" }
    column "email" {
      type = "string"
      tags = ["pii"]
    }
    column "amount" {
      type     = "decimal(18,2)"
      nullable = false
    }
  }
}
`

// loadAndCompile loads files (name → source) and compiles them.
func loadAndCompile(t testing.TB, files map[string]string) (*configs.Workspace, *compile.Result, diag.Diagnostics) {
	t.Helper()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var in []configs.File
	for _, n := range names {
		in = append(in, configs.File{Name: n, Src: []byte(files[n])})
	}
	ws, diags := configs.LoadFiles(in, configs.Options{})
	if diags.HasErrors() {
		return ws, nil, diags
	}
	res, more := compile.Compile(context.Background(), ws, compile.Options{})
	return ws, res, append(diags, more...)
}

// mustCompileAllTypes compiles the allTypesPreamble plus src and fails the test on any
// error diagnostic.
func mustCompileAllTypes(t testing.TB, src string) *compile.Result {
	t.Helper()
	ws, res, diags := loadAndCompile(t, map[string]string{"main.mesh.hcl": allTypesPreamble + src})
	if diags.HasErrors() {
		t.Fatalf("unexpected errors:\n%s", renderDiagnostics(ws, diags))
	}
	return res
}

func renderDiagnostics(ws *configs.Workspace, diags diag.Diagnostics) string {
	var b strings.Builder
	var srcs diag.Sources
	if ws != nil {
		srcs = ws.Files
	}
	(&diag.TextWriter{W: &b, Sources: srcs}).WriteDiagnostics(diags)
	return b.String()
}

// product returns the compiled product p, failing when it did not compile.
func compiledProduct(t testing.TB, res *compile.Result, name string) *ir.Product {
	t.Helper()
	p := res.Products[name]
	if p == nil {
		t.Fatalf("product %q did not compile", name)
	}
	return p
}

// transformRootNode returns the root of a product's transform.
func transformRootNode(t testing.TB, p *ir.Product, name string) ir.Node {
	t.Helper()
	for _, tr := range p.Transforms {
		if tr.Name == name {
			return tr.Root
		}
	}
	t.Fatalf("product %q has no transform %q", p.Name, name)
	return nil
}

// productOverT wraps operator blocks into a product "p" reading source t
// through the single transform "x".
func productOverT(ops string) string {
	return `
product "p" {
  domain = domain.d
  input "t" { from = source.t }
  transform "x" {
    from = input.t
` + ops + `
  }
  output { path = "lake/p/" }
}
`
}

// compileSelectColumn compiles select { columns = { out = expr } } over t (after the
// operators in before, if any) and returns the compiled expression and the
// output column.
func compileSelectColumn(t testing.TB, before, expr string) (ir.Expr, types.Column, *ir.Project) {
	t.Helper()
	res := mustCompileAllTypes(t, productOverT(before+`
    select {
      columns = {
        out = `+expr+`
      }
    }`))
	proj, ok := transformRootNode(t, compiledProduct(t, res, "p"), "x").(*ir.Project)
	if !ok {
		t.Fatalf("transform x's root is not a Project")
	}
	return proj.Exprs[0], proj.Out[0], proj
}

// compileErrorSummaries compiles the allTypesPreamble plus src and returns the error
// diagnostics' summaries.
func compileErrorSummaries(t testing.TB, src string) []string {
	t.Helper()
	_, _, diags := loadAndCompile(t, map[string]string{"main.mesh.hcl": allTypesPreamble + src})
	var out []string
	for _, d := range diags {
		if d.Severity == diag.Error {
			out = append(out, d.Summary)
		}
	}
	return out
}

// columnSig prints a column as "name type[ null][ [tags]]" for compact
// comparisons.
func columnSig(c types.Column) string {
	s := c.String()
	if len(c.Tags) > 0 {
		s += " [" + strings.Join(c.Tags, " ") + "]"
	}
	return s
}

func schemaSigs(s types.Schema) []string {
	out := make([]string, len(s))
	for i, c := range s {
		out[i] = columnSig(c)
	}
	return out
}
