package eval

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// These tests compile HCL with the real compiler, so that what is tested
// is what lang/compile emits (implicit casts, constant typing, decimal
// scales), then evaluate it.

const hclPreamble = `
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
    column "age" { type = "int32" }
    column "id" {
      type     = "int64"
      nullable = false
    }
    column "country" { type = "string" }
    column "email" { type = "string" }
    column "first" { type = "string" }
    column "last" { type = "string" }
    column "income" { type = "float64" }
    column "amount" { type = "decimal(18,2)" }
    column "signup" { type = "date" }
    column "seen" { type = "timestamp" }
    column "raw" { type = "string" }
  }
}
`

// hclRows are the rows of source t, by column (nil is null).
var hclRows = map[string][]any{
	"age":     rows(17, 19, nil, 40),
	"id":      rows(1, 2, 3, 4),
	"country": rows("DE", "US", "FR", nil),
	"email":   rows("Ann.Lee1@Example.COM", "bob@x.io", nil, "Çelik@Örnek.TR"),
	"first":   rows("Ann", "Bob", "Cy", nil),
	"last":    rows("Lee", "Ray", nil, "Doe"),
	"income":  rows(1000.0, nil, 2500.5, 0.1),
	"amount":  rows("12.34", "-0.05", nil, "9999999999999999.99"),
	"signup":  rows("2019-06-30", "2020-01-01", "2024-02-29", nil),
	"seen":    rows("2024-01-02T03:04:05Z", nil, "2024-12-31T23:59:59.5Z", "1970-01-01T00:00:00Z"),
	"raw":     rows("42", "-7", nil, "0"),
}

// compileColumns compiles select { columns = { c0 = …, c1 = … } } over t
// and returns the expressions and their input schema.
func compileColumns(t *testing.T, exprs []string) ([]ir.Expr, types.Schema) {
	t.Helper()
	var b strings.Builder
	for i, e := range exprs {
		fmt.Fprintf(&b, "        c%02d = %s\n", i, e)
	}
	src := hclPreamble + `
product "p" {
  domain = domain.d
  input "t" { from = source.t }
  transform "x" {
    from = input.t
    select {
      columns = {
` + b.String() + `      }
    }
  }
  output { path = "lake/p/" }
}
`
	ws, diags := configs.LoadFiles([]configs.File{{Name: "main.mesh.hcl", Src: []byte(src)}}, configs.Options{})
	if diags.HasErrors() {
		t.Fatalf("load: %v", diags)
	}
	res, diags := compile.Compile(context.Background(), ws, compile.Options{})
	if diags.HasErrors() {
		t.Fatalf("compile: %v", diags)
	}
	p := res.Products["p"]
	for _, tr := range p.Transforms {
		if proj, ok := tr.Root.(*ir.Project); ok {
			// The select's columns come out in name order: c00, c01, …
			idx := make([]int, len(proj.Out))
			for i := range idx {
				idx[i] = i
			}
			sort.Slice(idx, func(a, b int) bool { return proj.Out[idx[a]].Name < proj.Out[idx[b]].Name })
			out := make([]ir.Expr, len(idx))
			for i, j := range idx {
				out[i] = proj.Exprs[j]
			}
			return out, proj.Input.Schema()
		}
	}
	t.Fatalf("no project")
	return nil, nil
}

func TestCompiledHCL(t *testing.T) {
	cases := []struct {
		expr string
		want string
	}{
		{`age > 18`, "false|true|NULL|true"},
		{`age > 18 && country != null`, "false|true|NULL|false"},
		{`contains(["DE", "FR"], country)`, "true|false|true|NULL"},
		{`lower(email)`, "ann.lee1@example.com|bob@x.io|NULL|çelik@örnek.tr"},
		{`upper(country)`, "DE|US|FR|NULL"},
		{`income * 1.1`, "1100|NULL|2750.55|0.11000000000000001"},
		{`amount + amount`, "24.68|-0.10|NULL|19999999999999999.98"},
		{`amount * 2`, "24.68|-0.10|NULL|19999999999999999.98"},
		{`amount * 1.5`, "18.510|-0.075|NULL|14999999999999999.985"},
		{`amount > 10`, "true|false|NULL|true"},
		{`cast(raw, "int64")`, "42|-7|NULL|0"},
		{`cast(raw, "int32") + 1`, "43|-6|NULL|1"},
		{`"${first} ${last}"`, "Ann Lee|Bob Ray|NULL|NULL"},
		{`"${id}: ${amount}"`, "1: 12.34|2: -0.05|NULL|4: 9999999999999999.99"},
		{`concat(first, "-", last)`, "Ann-Lee|Bob-Ray|Cy-|-Doe"},
		{`coalesce(country, "??")`, "DE|US|FR|??"},
		{`age > 18 ? "adult" : "minor"`, "minor|adult|minor|adult"},
		{`age + 1`, "18|20|NULL|41"},
		{`id + age`, "18|21|NULL|44"},
		{`age / 2`, "8.5|9.5|NULL|20"},
		{`id % 3`, "1|2|0|1"},
		{`round(amount, 1)`, "12.3|-0.1|NULL|10000000000000000.0"},
		{`floor(amount)`, "12|-1|NULL|9999999999999999"},
		{`ceil(income)`, "1000|NULL|2501|1"},
		{`abs(amount)`, "12.34|0.05|NULL|9999999999999999.99"},
		{`date_trunc("month", signup)`, "2019-06-01|2020-01-01|2024-02-01|NULL"},
		{`date_trunc("hour", seen)`, "2024-01-02T03:00:00Z|NULL|2024-12-31T23:00:00Z|1970-01-01T00:00:00Z"},
		{`year(signup) * 100 + month(signup)`, "201906|202001|202402|NULL"},
		{`signup >= "2020-01-01"`, "false|true|true|NULL"},
		{`seen < "2024-06-01"`, "true|NULL|false|true"},
		{`signup < seen`, "true|NULL|true|NULL"},
		{`substr(email, 1, 3)`, "Ann|bob|NULL|Çel"},
		{`length(email)`, "20|8|NULL|14"},
		{`like(email, "%@%.io")`, "false|true|NULL|false"},
		{`income == null`, "false|true|false|false"},
		{`is_null(age)`, "false|false|true|false"},
		{`!(age > 18)`, "true|false|NULL|false"},
		{`-amount`, "-12.34|0.05|NULL|-9999999999999999.99"},
		{`trim("  ${first}  ")`, "Ann|Bob|Cy|NULL"},
		{`cast(amount, "string")`, "12.34|-0.05|NULL|9999999999999999.99"},
		{`cast(income, "decimal(10,2)")`, "1000.00|NULL|2500.50|0.10"},
		{`amount > income`, "false|NULL|NULL|true"},
		{`coalesce(age, id)`, "17|19|3|40"},
	}
	exprs := make([]string, len(cases))
	for i, c := range cases {
		exprs[i] = c.expr
	}
	compiled, schema := compileColumns(t, exprs)
	n := len(hclRows["id"])
	b := &vector.Batch{Len: n, Cols: make([]*vector.Vector, len(schema))}
	for i, col := range schema {
		b.Cols[i] = makeVec(col.Type, hclRows[col.Name])
	}
	dicts := &vector.Batch{Len: n, Cols: make([]*vector.Vector, len(schema))}
	for i, v := range b.Cols {
		dicts.Cols[i] = v
		if v.Phys == vector.PhysString {
			dicts.Cols[i] = dictEncode(v, true)
		}
	}
	for i, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			e := compiled[i]
			p, err := Compile(e, schema, Env{})
			if err != nil {
				t.Fatalf("Compile(%s): %v", ir.FormatExpr(e, schema), err)
			}
			for _, batch := range []*vector.Batch{b, dicts} {
				out := vector.New(e.Type(), 0)
				if err := p.NewEvaluator().Eval(batch, out); err != nil {
					t.Fatalf("Eval(%s): %v", ir.FormatExpr(e, schema), err)
				}
				if diff := cmp.Diff(strs(c.want), texts(out)); diff != "" {
					t.Fatalf("%s (-want +got):\n%s", ir.FormatExpr(e, schema), diff)
				}
			}
		})
	}
}

func TestCompiledHCLError(t *testing.T) {
	compiled, schema := compileColumns(t, []string{`cast(country, "int32")`})
	b := &vector.Batch{Len: 4, Cols: make([]*vector.Vector, len(schema))}
	for i, col := range schema {
		b.Cols[i] = makeVec(col.Type, hclRows[col.Name])
	}
	p, err := Compile(compiled[0], schema, Env{})
	if err != nil {
		t.Fatal(err)
	}
	err = p.NewEvaluator().Eval(b, vector.New(types.Int32Type, 0))
	want := `main.mesh.hcl:39:15: cast(country, "int32"): "DE" is not an int32 (row 0 of the batch)`
	if err == nil || err.Error() != want {
		t.Fatalf("Eval error\n got %v\nwant %s", err, want)
	}
}
