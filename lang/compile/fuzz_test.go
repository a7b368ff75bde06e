package compile_test

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// fzPlaces are the places FuzzCompile puts its expression in: %s is
// replaced by the expression. Each is a transform (or check) of product
// "p" over dgSources, whose people source has a column of every type.
var fzPlaces = []string{
	// 0: a filter.
	`  transform "t" {
    from = input.people
    filter {
      where = %s
    }
  }`,
	// 1: a select.
	`  transform "t" {
    from = input.people
    select {
      columns = {
        id = id
        x  = %s
      }
    }
  }`,
	// 2: an aggregate grouped by country.
	`  transform "t" {
    from = input.people
    aggregate {
      group_by = [country]
      columns = {
        x = %s
      }
    }
  }`,
	// 3: an aggregate without groups.
	`  transform "t" {
    from = input.people
    aggregate {
      columns = {
        x = %s
      }
    }
  }`,
	// 4: a check.
	`  transform "t" {
    from = input.people
  }
  check "c" {
    assert = %s
  }`,
	// 5: a sort key.
	`  transform "t" {
    from = input.people
    sort {
      by = [%s]
    }
  }`,
	// 6: a select after a join, where columns are qualified.
	`  transform "t" {
    from = input.people
    join {
      with = input.orders
      type = "left"
      on   = people.id == orders.customer_id
    }
    select {
      columns = {
        id = people.id
        x  = %s
      }
    }
  }`,
	// 7: a join condition.
	`  transform "t" {
    from = input.people
    join {
      with = input.orders
      on   = %s
    }
    select {
      columns = {
        id = people.id
      }
    }
  }`,
}

// fzExprs seed FuzzCompile: valid expressions over every type and
// operator, and a few mistakes.
var fzExprs = []string{
	`age > 18 && country != null`,
	`id`,
	`age + 1`,
	`amount * 2`,
	`amount / 3`,
	`score - amount`,
	`age % 7`,
	`-amount`,
	`!active`,
	`active || age < 3`,
	`name == "x"`,
	`signup_date > "2024-01-31"`,
	`updated_at <= "2024-01-31T12:00:00Z"`,
	`signup_date == updated_at`,
	`active ? name : country`,
	`active ? age : amount`,
	`active ? null : 1`,
	`"${name} ${age}"`,
	`"${null}"`,
	`"a%{if active}b%{endif}"`,
	`lower(name)`,
	`upper(trim(name))`,
	`length(name)`,
	`substr(name, 1, 3)`,
	`concat(name, age, null, signup_date)`,
	`coalesce(age, id, 0)`,
	`coalesce(null, amount)`,
	`abs(amount)`,
	`round(amount, 1)`,
	`floor(score)`,
	`ceil(amount)`,
	`cast(age, "string")`,
	`cast(name, "decimal(10,2)")`,
	`cast(null, "date")`,
	`cast(signup_date, "timestamp")`,
	`is_null(name)`,
	`is_null(null)`,
	`contains(["DE", "FR"], country)`,
	`contains([1, 2, null], age)`,
	`contains([1.5, 2], amount)`,
	`like(name, "A%")`,
	`year(signup_date) + month(updated_at) + day(signup_date)`,
	`date_trunc("month", updated_at)`,
	`now()`,
	`count()`,
	`count(age)`,
	`count_distinct(name)`,
	`sum(amount)`,
	`sum(age) + 1`,
	`min(signup_date)`,
	`max(name)`,
	`avg(score)`,
	`sum(amount) / count()`,
	`row_count() > 0`,
	`null_count(name) == 0`,
	`min(age) >= 0 && max(age) < 150`,
	`desc(age)`,
	`asc(name)`,
	`people.id == orders.customer_id`,
	`people.id == orders.customer_id && people.name == orders.status`,
	`orders.total`,
	`people.name`,
	`total + amount`,
	`1e400`,
	`9223372036854775807 + 1`,
	`-9223372036854775808`,
	`0.1 + 0.2`,
	`123456789012345678901234567890.5`,
	`null`,
	`null == null`,
	`x`,
	`[1, 2]`,
	`{ a = 1 }`,
	`name[0]`,
	`[for c in name : c]`,
	`name.*`,
	`sum(max(age))`,
}

// FuzzCompile compiles a fixed workspace with one expression replaced by
// arbitrary text. It must never panic, and a product that compiles without
// errors must be well typed: every expression of its plan has a valid
// type, Binary operands share one type, column references match the
// schema they read.
func FuzzCompile(f *testing.F) {
	for _, e := range fzExprs {
		for place := range fzPlaces {
			f.Add(e, uint8(place))
		}
	}
	f.Fuzz(func(t *testing.T, expr string, place uint8) {
		body := fmt.Sprintf(fzPlaces[int(place)%len(fzPlaces)], expr)
		src := dgSources + dgProduct(body)
		ws, ds := configs.LoadFiles([]configs.File{{Name: "main.mesh.hcl", Src: []byte(src)}}, configs.Options{})
		if ds.HasErrors() {
			return
		}
		res, cds := compile.Compile(context.Background(), ws, compile.Options{})
		_ = (&diag.TextWriter{W: io.Discard, Sources: ws.Files}).WriteDiagnostics(cds)
		if cds.HasErrors() {
			if res.Products["p"] != nil {
				t.Errorf("product p compiled despite errors:%s", dgDescribe(cds))
			}
			return
		}
		p := res.Products["p"]
		if p == nil {
			t.Fatalf("no error, but product p did not compile:%s", dgDescribe(cds))
		}
		fzCheckProduct(p, func(format string, args ...any) {
			t.Errorf("%s\nexpression %q in place %d", fmt.Sprintf(format, args...), expr, place%uint8(len(fzPlaces)))
		})
		_ = ir.Explain(p)
	})
}

// fzCheckProduct checks every node and expression of a compiled product,
// reporting each problem with errorf.
func fzCheckProduct(p *ir.Product, errorf func(format string, args ...any)) {
	v := &fzVisitor{errorf: errorf, seen: map[ir.Node]bool{}}
	t := v
	for _, tr := range p.Transforms {
		v.node(tr.Root)
	}
	v.node(p.Output.Root)
	if got, want := len(p.Output.Schema), len(p.Output.Root.Schema()); got != want {
		t.Errorf("output schema has %d columns, its plan %d", got, want)
	}
	for i, col := range p.Output.Schema {
		if i < len(p.Output.Root.Schema()) && col.Type != p.Output.Root.Schema()[i].Type {
			t.Errorf("output column %q is %s, its plan computes %s", col.Name, col.Type, p.Output.Root.Schema()[i].Type)
		}
	}
	for _, c := range p.Checks {
		v.node(c.Root)
		out := c.Root.Schema()
		if len(out) != 1 || out[0].Type != types.BoolType {
			t.Errorf("check %q yields %v, want one bool column", c.Name, out)
		}
	}
}

type fzVisitor struct {
	errorf func(format string, args ...any)
	seen   map[ir.Node]bool
}

// Errorf and Error report a problem, so that checks read like a test's.
func (v *fzVisitor) Errorf(format string, args ...any) { v.errorf(format, args...) }
func (v *fzVisitor) Error(msg string)                  { v.errorf("%s", msg) }

func (v *fzVisitor) node(n ir.Node) {
	t := v
	if n == nil {
		t.Error("nil plan node")
		return
	}
	if v.seen[n] {
		return
	}
	v.seen[n] = true
	for _, col := range n.Schema() {
		if !col.Type.IsValid() {
			t.Errorf("%s: column %q has type %s", ir.Label(n), col.Name, col.Type)
		}
	}
	switch n := n.(type) {
	case *ir.Filter:
		v.expr(n.Pred, n.Input.Schema(), "filter")
		if n.Pred.Type() != types.BoolType {
			t.Errorf("filter predicate is %s", n.Pred.Type())
		}
	case *ir.Project:
		if len(n.Exprs) != len(n.Out) {
			t.Errorf("project has %d expressions for %d columns", len(n.Exprs), len(n.Out))
		}
		for i, x := range n.Exprs {
			v.expr(x, n.Input.Schema(), "project")
			if i < len(n.Out) && x.Type() != n.Out[i].Type {
				t.Errorf("project column %q is %s, its expression %s", n.Out[i].Name, n.Out[i].Type, x.Type())
			}
		}
	case *ir.Join:
		if len(n.LeftKeys) != len(n.RightKeys) {
			t.Errorf("join has %d left keys, %d right keys", len(n.LeftKeys), len(n.RightKeys))
		}
		for i := range min(len(n.LeftKeys), len(n.RightKeys)) {
			v.expr(n.LeftKeys[i], n.Left.Schema(), "join left key")
			v.expr(n.RightKeys[i], n.Right.Schema(), "join right key")
			if n.LeftKeys[i].Type() != n.RightKeys[i].Type() {
				t.Errorf("join key %d: %s == %s", i, n.LeftKeys[i].Type(), n.RightKeys[i].Type())
			}
		}
	case *ir.Aggregate:
		for _, k := range n.Keys {
			v.expr(k, n.Input.Schema(), "group key")
		}
		for _, a := range n.Aggs {
			if !a.T.IsValid() {
				t.Errorf("aggregate %s has type %s", a.Fn, a.T)
			}
			if a.Arg != nil {
				v.expr(a.Arg, n.Input.Schema(), "aggregate argument")
			}
		}
		if want := len(n.Keys) + len(n.Aggs); len(n.Out) != want {
			t.Errorf("aggregate yields %d columns, want %d", len(n.Out), want)
		}
	case *ir.Sort:
		for _, k := range n.Keys {
			v.expr(k.Expr, n.Input.Schema(), "sort key")
		}
	case *ir.Union:
		for _, in := range n.Inputs {
			s := in.Schema()
			if len(s) != len(n.Out) {
				t.Errorf("union input has %d columns, output %d", len(s), len(n.Out))
				continue
			}
			for i := range s {
				if s[i].Type != n.Out[i].Type {
					t.Errorf("union column %q: input %s, output %s", n.Out[i].Name, s[i].Type, n.Out[i].Type)
				}
			}
		}
	}
	for _, c := range n.Children() {
		v.node(c)
	}
}

// expr checks e and its sub-expressions over the schema in.
func (v *fzVisitor) expr(e ir.Expr, in types.Schema, where string) {
	t := v
	if e == nil {
		t.Errorf("%s: nil expression", where)
		return
	}
	ir.Walk(e, func(x ir.Expr) {
		text := fmt.Sprintf("%s: %T %s", where, x, ir.FormatExpr(x, in))
		if !x.Type().IsValid() {
			t.Errorf("%s has type %s", text, x.Type())
		}
		switch x := x.(type) {
		case *ir.ColumnRef:
			if x.Index < 0 || x.Index >= len(in) {
				t.Errorf("%s reads column %d of %d", text, x.Index, len(in))
				return
			}
			if col := in[x.Index]; col.Type != x.T {
				t.Errorf("%s is %s, but column %d (%q) is %s", text, x.T, x.Index, col.Name, col.Type)
			} else if col.Nullable && !x.Null {
				t.Errorf("%s is marked non-null, but column %q is nullable", text, col.Name)
			}
		case *ir.Literal:
			if !x.Value.Null && x.Value.Type != x.T {
				t.Errorf("%s holds a %s value", text, x.Value.Type)
			}
			if x.Value.Null && !x.Null {
				t.Errorf("%s is null but marked non-null", text)
			}
		case *ir.Binary:
			if x.L.Type() != x.R.Type() && !(x.Op == ir.Mul && x.L.Type().Kind == types.Decimal && x.R.Type().Kind == types.Decimal) {
				t.Errorf("%s: operands %s and %s", text, x.L.Type(), x.R.Type())
			}
			switch {
			case x.Op.IsComparison() || x.Op.IsLogical():
				if x.T != types.BoolType {
					t.Errorf("%s yields %s", text, x.T)
				}
				if x.Op.IsLogical() && x.L.Type() != types.BoolType {
					t.Errorf("%s combines %s", text, x.L.Type())
				}
			case x.Op.IsArithmetic():
				if !x.T.IsNumeric() || !x.L.Type().IsNumeric() {
					t.Errorf("%s: arithmetic over %s yields %s", text, x.L.Type(), x.T)
				}
			}
		case *ir.Unary:
			if x.Op == ir.Not && (x.T != types.BoolType || x.X.Type() != types.BoolType) {
				t.Errorf("%s: ! over %s yields %s", text, x.X.Type(), x.T)
			}
			if x.Op == ir.Neg && (!x.T.IsNumeric() || x.X.Type() != x.T) {
				t.Errorf("%s: - over %s yields %s", text, x.X.Type(), x.T)
			}
		case *ir.Cond:
			if x.If.Type() != types.BoolType || x.Then.Type() != x.T || x.Else.Type() != x.T {
				t.Errorf("%s: %s ? %s : %s yields %s", text, x.If.Type(), x.Then.Type(), x.Else.Type(), x.T)
			}
		case *ir.IsNull:
			if x.T != types.BoolType || x.Null {
				t.Errorf("%s yields %s (nullable %v)", text, x.T, x.Null)
			}
		case *ir.In:
			for _, val := range x.List {
				if val.Type != x.X.Type() {
					t.Errorf("%s: list value %s is %s, looked-up value %s", text, val, val.Type, x.X.Type())
				}
			}
		}
	})
}

// TestFuzzSeedsCompile makes sure the seeds exercise the success path: most
// valid expressions must compile in at least one place.
func TestFuzzSeedsCompile(t *testing.T) {
	compiled := 0
	for _, e := range fzExprs {
		for _, place := range fzPlaces {
			src := dgSources + dgProduct(fmt.Sprintf(place, e))
			ws, ds := configs.LoadFiles([]configs.File{{Name: "main.mesh.hcl", Src: []byte(src)}}, configs.Options{})
			if ds.HasErrors() {
				continue
			}
			res, cds := compile.Compile(context.Background(), ws, compile.Options{})
			if !cds.HasErrors() && res.Products["p"] != nil {
				compiled++
			}
		}
	}
	if min := len(fzExprs); compiled < min {
		t.Errorf("only %d seed placements compile; want at least %d", compiled, min)
	}
}
