package compile_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/lang/ir"
)

// ordersSource is a second declared source, joined with t on
// t.id == o.customer_id (int64 with int32).
const ordersSource = `
source "o" {
  type = "parquet"
  path = "data/o.parquet"
  schema {
    infer = false
    column "id" { type = "int32" }
    column "customer_id" {
      type     = "int32"
      nullable = false
    }
    column "total" { type = "decimal(10,2)" }
    column "note" {
      type     = "string"
      nullable = false
    }
  }
}
`

// joinProduct joins t (left) with o (right) and ends with ops.
func joinProduct(join, ops string) string {
	return ordersSource + `
product "p" {
  domain = domain.d
  input "t" { from = source.t }
  input "o" { from = source.o }
  transform "x" {
    from = input.t
    join {
      with = input.o
` + join + `
    }
` + ops + `
  }
  output { path = "lake/p/" }
}
`
}

func TestTypingJoinNullability(t *testing.T) {
	tests := []struct {
		kind string
		// want is the schema of select [t.id, country, o.id, customer_id,
		// total, note] after the join.
		want []string
	}{
		{"inner", []string{"t_id int64", "country string null", "o_id int32 null", "customer_id int32", "total decimal(10,2) null", "note string"}},
		{"left", []string{"t_id int64", "country string null", "o_id int32 null", "customer_id int32 null", "total decimal(10,2) null", "note string null"}},
		{"right", []string{"t_id int64 null", "country string null", "o_id int32 null", "customer_id int32", "total decimal(10,2) null", "note string"}},
		{"full", []string{"t_id int64 null", "country string null", "o_id int32 null", "customer_id int32 null", "total decimal(10,2) null", "note string null"}},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			res := mustCompileAllTypes(t, joinProduct(`
      type = "`+tt.kind+`"
      on   = t.id == o.customer_id`, `
    select {
      columns = {
        t_id        = t.id
        country     = country
        o_id        = o.id
        customer_id = customer_id
        total       = total
        note        = o.note
      }
    }`))
			proj := transformRootNode(t, compiledProduct(t, res, "p"), "x").(*ir.Project)
			if diff := cmp.Diff(tt.want, schemaSigs(proj.Out)); diff != "" {
				t.Errorf("after a %s join (-want +got):\n%s", tt.kind, diff)
			}
			j := proj.Input.(*ir.Join)
			if got, want := ir.Label(j), "Join "+tt.kind+" on t.id == int64(o.customer_id)"; got != want {
				t.Errorf("label = %q, want %q", got, want)
			}
			if len(j.Out) != len(j.Left.Schema())+len(j.Right.Schema()) {
				t.Errorf("join yields %d columns, want %d + %d", len(j.Out), len(j.Left.Schema()), len(j.Right.Schema()))
			}
		})
	}
}

// TestTypingJoinKeysUnified: the keys of an equi-join have one type; the
// narrower side is cast.
func TestTypingJoinKeysUnified(t *testing.T) {
	tests := []struct {
		on         string
		left, rght string
	}{
		{"t.id == o.customer_id", "t.id", "int64(o.customer_id)"},
		{"o.customer_id == t.id", "t.id", "int64(o.customer_id)"},
		{"t.i32 == o.customer_id", "t.i32", "o.customer_id"},
		{"t.dec == o.total", "t.dec", "decimal(18,2)(o.total)"},
		{"t.i32 == o.customer_id && t.s == o.note", "t.i32, t.s", "o.customer_id, o.note"},
		{"upper(t.country) == o.note", "upper(t.country)", "o.note"},
	}
	for _, tt := range tests {
		t.Run(tt.on, func(t *testing.T) {
			res := mustCompileAllTypes(t, joinProduct(`
      on = `+tt.on, `
    select {
      columns = [note]
    }`))
			j := transformRootNode(t, compiledProduct(t, res, "p"), "x").(*ir.Project).Input.(*ir.Join)
			nl := len(j.Left.Schema())
			var l, r []string
			for i := range j.LeftKeys {
				if j.LeftKeys[i].Type() != j.RightKeys[i].Type() {
					t.Errorf("key %d: %s vs %s", i, j.LeftKeys[i].Type(), j.RightKeys[i].Type())
				}
				l = append(l, ir.FormatExpr(j.LeftKeys[i], j.Out[:nl]))
				r = append(r, ir.FormatExpr(j.RightKeys[i], j.Out[nl:]))
			}
			if diff := cmp.Diff([]string{tt.left, tt.rght}, []string{strings.Join(l, ", "), strings.Join(r, ", ")}); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTypingSemiAntiJoin: semi and anti joins keep the left columns only,
// with their nullability.
func TestTypingSemiAntiJoin(t *testing.T) {
	for _, kind := range []string{"semi", "anti"} {
		t.Run(kind, func(t *testing.T) {
			res := mustCompileAllTypes(t, joinProduct(`
      type = "`+kind+`"
      on   = t.id == o.customer_id`, `
    select {
      columns = [id, country]
    }`))
			proj := transformRootNode(t, compiledProduct(t, res, "p"), "x").(*ir.Project)
			if diff := cmp.Diff([]string{"id int64", "country string null"}, schemaSigs(proj.Out)); diff != "" {
				t.Errorf("after a %s join (-want +got):\n%s", kind, diff)
			}
			j := proj.Input.(*ir.Join)
			if diff := cmp.Diff(schemaSigs(j.Left.Schema().WithQualifier("t")), schemaSigs(j.Out)); diff != "" {
				t.Errorf("%s join output is not the left side's (-want +got):\n%s", kind, diff)
			}
		})
	}
}

// TestTypingSemiJoinLabel: explain names the right key with its side, as it
// does for the other joins (Join left on t.id == int64(o.customer_id)).
func TestTypingSemiJoinLabel(t *testing.T) {
	for _, kind := range []string{"semi", "anti"} {
		t.Run(kind, func(t *testing.T) {
			res := mustCompileAllTypes(t, joinProduct(`
      type = "`+kind+`"
      on   = t.id == o.customer_id`, ""))
			j := transformRootNode(t, compiledProduct(t, res, "p"), "x").(*ir.Join)
			if got, want := ir.Label(j), "Join "+kind+" on t.id == int64(o.customer_id)"; got != want {
				t.Errorf("label = %q, want %q", got, want)
			}
		})
	}
}

// TestTypingJoinReferences: after a join, qualified names pick a side, a
// name unique to one side is usable bare, and as renames the right side.
func TestTypingJoinReferences(t *testing.T) {
	res := mustCompileAllTypes(t, ordersSource+`
product "p" {
  domain = domain.d
  input "t" { from = source.t }
  input "o" { from = source.o }
  transform "x" {
    from = input.t
    join {
      with = input.o
      as   = "ord"
      type = "left"
      on   = t.id == ord.customer_id
    }
    filter { where = ord.id > 0 }
    select {
      columns = {
        cid    = t.id
        oid    = ord.id
        note   = note
        email  = email
        amount = amount + total
      }
    }
  }
  output { path = "lake/p/" }
}
`)
	proj := transformRootNode(t, compiledProduct(t, res, "p"), "x").(*ir.Project)
	want := []string{"cid int64", "oid int32", "note string null", "email string null [pii]", "amount decimal(19,2) null"}
	if diff := cmp.Diff(want, schemaSigs(proj.Out)); diff != "" {
		t.Errorf("select after join (-want +got):\n%s", diff)
	}
	wantLabel := "Project cid = t.id, oid = ord.id, note = ord.note, email = t.email, amount = t.amount + decimal(18,2)(ord.total)"
	if got := ir.Label(proj); got != wantLabel {
		t.Errorf("label:\n got %s\nwant %s", got, wantLabel)
	}
	f := proj.Input.(*ir.Filter)
	if got, want := ir.Label(f), "Filter ord.id > 0"; got != want {
		t.Errorf("label = %q, want %q", got, want)
	}
	if errs := compileErrorSummaries(t, joinProduct(`
      on = t.id == o.customer_id`, `
    select {
      columns = [id]
    }`)); !cmp.Equal(errs, []string{`Ambiguous column "id"`}) {
		t.Errorf("bare id after the join: errors %q, want one ambiguity", errs)
	}
}

// TestTypingJoinConstantKeyMessage: a join condition comparing a column
// with a constant is not "one side compared with itself".
func TestTypingJoinConstantKeyMessage(t *testing.T) {
	_, _, diags := loadAndCompile(t, map[string]string{"main.mesh.hcl": allTypesPreamble + joinProduct(`
      on = t.id == 5`, "")})
	if !diags.HasErrors() {
		t.Fatal("t.id == 5 compiled as a join condition")
	}
	for _, d := range diags {
		if strings.Contains(d.Detail, "Both sides of == read") {
			t.Errorf("misleading diagnostic for t.id == 5: %s — %s; the right side is a constant, not the left side", d.Summary, d.Detail)
		}
	}
}

// unionProduct unions t's (i32, s) with u's (s, i32) in another order and
// other types.
const unionSources = `
source "u" {
  type = "parquet"
  path = "data/u.parquet"
  schema {
    infer = false
    column "s" { type = "string" }
    column "i32" {
      type     = "int64"
      nullable = false
    }
    column "tag" {
      type = "string"
      tags = ["internal"]
    }
  }
}
`

func TestTypingUnion(t *testing.T) {
	tests := []struct {
		name      string
		distinct  string
		label     string
		want      []string
		inputs    []string
		inputCols [][]string
	}{
		{
			name:   "all",
			label:  "Union all",
			want:   []string{"i32 int64", "s string null", "tag string null [internal pii]"},
			inputs: []string{"Project i32 = int64(i32), s, tag", "Project i32, s, tag"},
			// Each input keeps its nullability; tags are the union's (a
			// conservative over-approximation).
			inputCols: [][]string{
				{"i32 int64", "s string", "tag string null [internal pii]"},
				{"i32 int64", "s string null", "tag string null [internal pii]"},
			},
		},
		{
			name:     "distinct",
			distinct: "distinct = true",
			label:    "Union distinct",
			want:     []string{"i32 int64", "s string null", "tag string null [internal pii]"},
			inputs:   []string{"Project i32 = int64(i32), s, tag", "Project i32, s, tag"},
			// Each input keeps its nullability; tags are the union's (a
			// conservative over-approximation).
			inputCols: [][]string{
				{"i32 int64", "s string", "tag string null [internal pii]"},
				{"i32 int64", "s string null", "tag string null [internal pii]"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustCompileAllTypes(t, unionSources+`
product "p" {
  domain = domain.d
  input "t" { from = source.t }
  input "u" { from = source.u }
  transform "x" {
    from = input.t
    select {
      columns = {
        i32 = i32
        s   = s
        tag = email
      }
    }
    union {
      with = [input.u]
      `+tt.distinct+`
    }
  }
  output { path = "lake/p/" }
}
`)
			un := transformRootNode(t, compiledProduct(t, res, "p"), "x").(*ir.Union)
			if got := ir.Label(un); got != tt.label {
				t.Errorf("label = %q, want %q", got, tt.label)
			}
			if diff := cmp.Diff(tt.want, schemaSigs(un.Out)); diff != "" {
				t.Errorf("union output (-want +got):\n%s", diff)
			}
			var labels []string
			var cols [][]string
			for _, in := range un.Inputs {
				labels = append(labels, ir.Label(in))
				cols = append(cols, schemaSigs(in.Schema()))
				for i, c := range in.Schema() {
					if c.Name != un.Out[i].Name || c.Type != un.Out[i].Type {
						t.Errorf("union input column %d is %s, output %s", i, c, un.Out[i])
					}
				}
			}
			if diff := cmp.Diff(tt.inputs, labels); diff != "" {
				t.Errorf("union inputs (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.inputCols, cols); diff != "" {
				t.Errorf("union input schemas (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTypingUnionIdentity: an input whose columns already match is used as
// is, without a Project.
func TestTypingUnionIdentity(t *testing.T) {
	res := mustCompileAllTypes(t, `
product "p" {
  domain = domain.d
  input "t" { from = source.t }
  transform "a" {
    from = input.t
    select {
      columns = [id, country]
    }
  }
  transform "b" {
    from = input.t
    filter { where = country != null }
    select {
      columns = [id, country]
    }
    union {
      with = [transform.a]
    }
  }
  output { path = "lake/p/" }
}
`)
	p := compiledProduct(t, res, "p")
	un := transformRootNode(t, p, "b").(*ir.Union)
	if un.Inputs[1] != transformRootNode(t, p, "a") {
		t.Errorf("second union input is %s, want transform a's root itself", ir.Label(un.Inputs[1]))
	}
	if diff := cmp.Diff([]string{"id int64", "country string null"}, schemaSigs(un.Out)); diff != "" {
		t.Errorf("union output (-want +got):\n%s", diff)
	}
}

// contractProduct aggregates t per country and publishes it under a
// contract.
func contractProduct(contract string) string {
	return `
product "p" {
  domain = domain.d
  input "t" { from = source.t }
  transform "x" {
    from = input.t
    aggregate {
      group_by = [country]
      columns = {
        n       = count()
        revenue = sum(amount)
        oldest  = max(age)
        small   = min(i32)
        emails  = count_distinct(email)
      }
    }
  }
  output { path = "lake/p/" }
  contract {
` + contract + `
  }
  check "has_rows" {
    assert = row_count() > 0
  }
}
`
}

func TestTypingContract(t *testing.T) {
	res := mustCompileAllTypes(t, contractProduct(`
    column "country" {
      type        = "string"
      nullable    = false
      description = "ISO country"
      tags        = ["dim"]
    }
    column "n" { type = "int64" }
    column "revenue" {
      type        = "decimal(18,2)"
      description = "Sum of amounts"
    }
    column "oldest" {
      type     = "int64"
      nullable = false
    }
    column "small" { type = "decimal(12,2)" }
    column "emails" {
      type = "int64"
      tags = ["kpi"]
    }`))
	p := compiledProduct(t, res, "p")
	type col struct {
		Sig, Description string
	}
	var got []col
	for _, c := range p.Output.Schema {
		got = append(got, col{columnSig(c), c.Description})
	}
	want := []col{
		{"country string [dim]", "ISO country"},
		{"n int64", ""},
		{"revenue decimal(18,2)", "Sum of amounts"},
		{"oldest int64", ""},
		{"small decimal(12,2)", ""},
		{"emails int64 [kpi pii]", ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Output.Schema (-want +got):\n%s", diff)
	}
	proj, ok := p.Output.Root.(*ir.Project)
	if !ok {
		t.Fatalf("output root is %s, want the contract's Project", ir.Label(p.Output.Root))
	}
	wantLabel := `Project country, n, revenue = cast(revenue, "decimal(18,2)"), oldest = int64(oldest), small = decimal(12,2)(small), emails`
	if got := ir.Label(proj); got != wantLabel {
		t.Errorf("contract projection:\n got %s\nwant %s", got, wantLabel)
	}
	if c, ok := proj.Exprs[2].(*ir.Cast); !ok || !c.Explicit {
		t.Errorf("revenue: %T, want an explicit cast (decimal(38,2) narrowed to decimal(18,2) is checked per value)", proj.Exprs[2])
	}
	if c, ok := proj.Exprs[3].(*ir.Cast); !ok || c.Explicit {
		t.Errorf("oldest: %T, want an implicit cast (int32 widens to int64)", proj.Exprs[3])
	}
	// The Project computes what it can prove; Output.Schema promises the
	// contract, enforced by implicit checks.
	if diff := cmp.Diff([]string{"country string null [dim]", "n int64", "revenue decimal(18,2)", "oldest int64 null", "small decimal(12,2)", "emails int64 [kpi pii]"}, schemaSigs(proj.Out)); diff != "" {
		t.Errorf("contract Project schema (-want +got):\n%s", diff)
	}
	type check struct {
		Name     string
		Severity ir.Severity
		Implicit bool
		Text     string
	}
	var checks []check
	for _, c := range p.Checks {
		pr := c.Root.(*ir.Project)
		checks = append(checks, check{c.Name, c.Severity, c.Implicit, ir.FormatExpr(pr.Exprs[0], pr.Input.Schema())})
		if agg := pr.Input.(*ir.Aggregate); agg.Input != p.Output.Root {
			t.Errorf("check %s does not aggregate the output root", c.Name)
		}
	}
	wantChecks := []check{
		{"contract_not_null_country", ir.SeverityError, true, "count() == count(country)"},
		{"contract_not_null_oldest", ir.SeverityError, true, "count() == count(oldest)"},
		{"has_rows", ir.SeverityError, false, "count() > 0"},
	}
	if diff := cmp.Diff(wantChecks, checks); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
}

// TestTypingContractWithoutChanges: a contract that only restates types
// and nullability adds no Project and no check.
func TestTypingContractWithoutChanges(t *testing.T) {
	res := mustCompileAllTypes(t, contractProduct(`
    column "n" {
      type     = "int64"
      nullable = false
    }
    column "revenue" { type = "decimal(38,2)" }`))
	p := compiledProduct(t, res, "p")
	if _, ok := p.Output.Root.(*ir.Project); !ok || p.Output.Root != transformRootNode(t, p, "x") {
		t.Errorf("output root is %s, want transform x's root", ir.Label(p.Output.Root))
	}
	if len(p.Checks) != 1 {
		t.Errorf("%d checks, want only has_rows", len(p.Checks))
	}
}

// TestTypingContractNullableTrue: a contract that says nullable = true
// promises consumers only a nullable column, so the published schema is
// nullable even when today's computation is not: Output.Schema carries
// "the contract's nullability" (ir.Output), and a downstream product
// compiled against it must handle nulls.
func TestTypingContractNullableTrue(t *testing.T) {
	res := mustCompileAllTypes(t, contractProduct(`
    column "n" {
      type     = "int64"
      nullable = true
    }`)+`
product "down" {
  domain = domain.d
  input "up" { from = product.p }
  output { path = "lake/down/" }
}
`)
	p := compiledProduct(t, res, "p")
	if i := p.Output.Schema.Index("n"); i < 0 || !p.Output.Schema[i].Nullable {
		t.Errorf("Output.Schema has %v; the contract says n is nullable", schemaSigs(p.Output.Schema))
	}
	down := compiledProduct(t, res, "down")
	if s := down.Output.Root.Schema(); s.Index("n") < 0 || !s[s.Index("n")].Nullable {
		t.Errorf("downstream sees %v; the contract says n is nullable", schemaSigs(s))
	}
}

// TestTypingTags: tags travel through every operator — derived columns,
// templates, aggregates over a tagged column, group keys, joins — but not
// to columns computed without them (count()).
func TestTypingTags(t *testing.T) {
	res := mustCompileAllTypes(t, ordersSource+`
product "p" {
  domain = domain.d
  input "t" { from = source.t }
  input "o" { from = source.o }
  transform "derived" {
    from = input.t
    filter { where = email != null }
    select {
      columns = {
        id       = id
        mail     = lower(email)
        greeting = "Dear ${email}"
        domain   = substr(email, 5)
        is_gmail = like(email, "%@gmail.com")
        plain    = upper(country)
        mixed    = coalesce(country, email)
      }
    }
  }
  transform "agg" {
    from = transform.derived
    aggregate {
      group_by = [plain]
      columns = {
        rows    = count()
        mails   = count_distinct(mail)
        longest = max(length(greeting))
        ids     = count(id)
      }
    }
  }
  transform "by_mail" {
    from = transform.derived
    aggregate {
      group_by = [mail]
      columns = {
        rows = count()
      }
    }
  }
  transform "joined" {
    from = transform.derived
    join {
      with = input.o
      on   = derived.id == o.customer_id
    }
    select {
      columns = [mail, note]
    }
  }
  output {
    from = transform.agg
    path = "lake/p/"
  }
}
`)
	p := compiledProduct(t, res, "p")
	tests := map[string][]string{
		"derived": {"id int64", "mail string [pii]", "greeting string [pii]", "domain string [pii]", "is_gmail bool [pii]", "plain string null", "mixed string [pii]"},
		"agg":     {"plain string null", "rows int64", "mails int64 [pii]", "longest int64 [pii]", "ids int64"},
		"by_mail": {"mail string [pii]", "rows int64"},
		"joined":  {"mail string [pii]", "note string"},
	}
	for name, want := range tests {
		if diff := cmp.Diff(want, schemaSigs(transformRootNode(t, p, name).Schema())); diff != "" {
			t.Errorf("transform %s (-want +got):\n%s", name, diff)
		}
	}
	if diff := cmp.Diff(tests["agg"], schemaSigs(p.Output.Schema)); diff != "" {
		t.Errorf("Output.Schema (-want +got):\n%s", diff)
	}
}

// TestTypingProductInput: a product reading another product sees its
// published schema — the contract's types, nullability, descriptions and
// tags — not the upstream plan's internals.
func TestTypingProductInput(t *testing.T) {
	res := mustCompileAllTypes(t, `
product "up" {
  domain = domain.d
  input "t" { from = source.t }
  transform "sel" {
    from = input.t
    select {
      columns = {
        id      = id
        age     = age
        email   = email
        country = country
        amt     = amount
      }
    }
  }
  output { path = "lake/up/" }
  contract {
    column "age" {
      type     = "int64"
      nullable = false
    }
    column "amt" {
      type        = "decimal(20,2)"
      description = "Amount"
    }
    column "country" {
      type = "string"
      tags = ["geo"]
    }
  }
}

product "down" {
  domain = domain.d
  input "up" { from = product.up }
  transform "adults" {
    from = input.up
    filter { where = age >= 18 }
    select {
      columns = {
        id   = id
        next = age + 1
        amt  = amt
        geo  = lower(country)
      }
    }
  }
  output { path = "lake/down/" }
}
`)
	if diff := cmp.Diff([]string{"up", "down"}, res.Order); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	up, down := compiledProduct(t, res, "up"), compiledProduct(t, res, "down")
	wantUp := []string{"id int64", "age int64", "email string null [pii]", "country string null [geo]", "amt decimal(20,2)"}
	if diff := cmp.Diff(wantUp, schemaSigs(up.Output.Schema)); diff != "" {
		t.Errorf("up's published schema (-want +got):\n%s", diff)
	}
	scan := transformRootNode(t, down, "adults").(*ir.Project).Input.(*ir.Filter).Input.(*ir.Scan)
	if diff := cmp.Diff(up.Output.Schema, scan.Out); diff != "" {
		t.Errorf("down reads (-up's Output.Schema +scan):\n%s", diff)
	}
	if scan.Source.Kind != ir.SourceProduct || scan.Source.Name != "up" || scan.Source.Path != "lake/up/" {
		t.Errorf("scan source = %+v", *scan.Source)
	}
	if diff := cmp.Diff([]ir.Input{{Name: "up", Source: scan.Source}}, down.Inputs); diff != "" {
		t.Errorf("down's inputs (-want +got):\n%s", diff)
	}
	wantDown := []string{"id int64", "next int64", "amt decimal(20,2)", "geo string null [geo]"}
	if diff := cmp.Diff(wantDown, schemaSigs(down.Output.Schema)); diff != "" {
		t.Errorf("down's output (-want +got):\n%s", diff)
	}
	if got := down.Output.Schema[2].Description; got != "Amount" {
		t.Errorf("amt description = %q, want the contract's", got)
	}
}

// TestTypingMaskClearsTags: DESIGN.md §1 — "a derived, joined or aggregated
// column carries the tags of the columns it is computed from; a mask
// clears them". A column published with mask = "hash" is no longer PII for
// the products that read it.
func TestTypingMaskClearsTags(t *testing.T) {
	res := mustCompileAllTypes(t, `
product "up" {
  domain = domain.d
  input "t" { from = source.t }
  transform "sel" {
    from = input.t
    select {
      columns = [id, email]
    }
  }
  output { path = "lake/up/" }
  contract {
    column "email" {
      type = "string"
      mask = "hash"
    }
  }
}

product "down" {
  domain = domain.d
  input "up" { from = product.up }
  output { path = "lake/down/" }
}
`)
	down := compiledProduct(t, res, "down")
	for _, c := range down.Output.Root.Schema() {
		if c.Name == "email" && len(c.Tags) > 0 {
			t.Errorf("down reads %s from a masked column; want no tags", columnSig(c))
		}
	}
}

// TestTypingDescriptionsPropagate: a column selected as is keeps its
// source description; a derived one has none.
func TestTypingDescriptionsPropagate(t *testing.T) {
	res := mustCompileAllTypes(t, productOverT(`
    select {
      columns = {
        id   = id
        next = id + 1
      }
    }`))
	out := compiledProduct(t, res, "p").Output.Schema
	got := []string{out[0].Description, out[1].Description}
	if diff := cmp.Diff([]string{"Customer id", ""}, got); diff != "" {
		t.Errorf("descriptions (-want +got):\n%s", diff)
	}
}

// TestTypingSortLimitDistinctKeepSchema: operators that do not change
// columns keep the schema, refined nullability included.
func TestTypingSortLimitDistinctKeepSchema(t *testing.T) {
	res := mustCompileAllTypes(t, productOverT(`
    filter { where = country != null }
    select {
      columns = [country, amount]
    }
    sort { by = [desc(amount), country] }
    distinct {}
    limit {
      count  = 10
      offset = 5
    }`))
	root := transformRootNode(t, compiledProduct(t, res, "p"), "x")
	var labels []string
	for n := root; n != nil; {
		labels = append(labels, ir.Label(n))
		if diff := cmp.Diff([]string{"country string", "amount decimal(18,2)"}, schemaSigs(n.Schema())); diff != "" {
			t.Errorf("%s (-want +got):\n%s", ir.Label(n), diff)
		}
		if _, ok := n.(*ir.Project); ok {
			break
		}
		n = n.Children()[0]
	}
	want := []string{"Limit 10 offset 5", "Distinct", "Sort desc(amount), country", "Project country, amount"}
	if diff := cmp.Diff(want, labels); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
}
