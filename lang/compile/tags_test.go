package compile_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// tagsPreamble declares the mesh, a domain and two sources whose columns
// carry tags: people (s) and orders (o).
const tagsPreamble = `
mesh {
  name = "test"
}

domain "d" {
  owner = "d@example.com"
}

source "s" {
  type = "parquet"
  path = "data/s.parquet"
  schema {
    infer = false
    column "id" {
      type     = "int64"
      nullable = false
    }
    column "name" { type = "string" }
    column "email" {
      type = "string"
      tags = ["pii"]
    }
    column "ssn" {
      type = "string"
      tags = ["pii", "confidential"]
    }
    column "salary" {
      type = "decimal(18,2)"
      tags = ["confidential"]
    }
    column "country" { type = "string" }
    column "born" {
      type = "date"
      tags = ["pii"]
    }
    column "vip" { type = "bool" }
  }
}

source "o" {
  type = "parquet"
  path = "data/o.parquet"
  schema {
    infer = false
    column "id" {
      type     = "int32"
      nullable = false
    }
    column "customer_id" {
      type     = "int64"
      nullable = false
    }
    column "total" {
      type = "decimal(10,2)"
      tags = ["confidential"]
    }
    column "note" {
      type = "string"
      tags = ["free_text"]
    }
    column "email" {
      type = "string"
      tags = ["pii"]
    }
  }
}
`

// mustCompileTags compiles tagsPreamble plus src and fails on any error.
func mustCompileTags(t *testing.T, src string) *compile.Result {
	t.Helper()
	ws, res, diags := loadAndCompile(t, map[string]string{"main.mesh.hcl": tagsPreamble + src})
	if diags.HasErrors() {
		t.Fatalf("unexpected errors:\n%s", renderDiagnostics(ws, diags))
	}
	return res
}

// TestTagsDerivedColumn: a column computed by a select carries the union
// of the tags of every column its expression reads, through every kind of
// expression; constants and now() carry none.
func TestTagsDerivedColumn(t *testing.T) {
	tests := []struct {
		expr string
		want []string
	}{
		{"id", nil},
		{"email", []string{"pii"}},
		{"s.ssn", []string{"confidential", "pii"}},
		{`"constant"`, nil},
		{"42", nil},
		{"now()", nil},
		// Templates, including the implicit casts of non-strings.
		{`"${name} <${email}>"`, []string{"pii"}},
		{`"${ssn}: ${salary}"`, []string{"confidential", "pii"}},
		{`"${id}-${born}"`, []string{"pii"}},
		// Functions.
		{"lower(email)", []string{"pii"}},
		{"trim(upper(name))", nil},
		{"length(ssn)", []string{"confidential", "pii"}},
		{"substr(email, 1, 3)", []string{"pii"}},
		{"concat(name, \"/\", salary)", []string{"confidential"}},
		{"coalesce(email, name, \"?\")", []string{"pii"}},
		{"abs(salary)", []string{"confidential"}},
		{"round(salary, 1)", []string{"confidential"}},
		{"floor(salary)", []string{"confidential"}},
		{"year(born)", []string{"pii"}},
		{`date_trunc("month", born)`, []string{"pii"}},
		{`like(email, "%@example.com")`, []string{"pii"}},
		{`contains(["DE", "FR"], country)`, nil},
		{`contains(["x"], ssn)`, []string{"confidential", "pii"}},
		// Casts, explicit and implicit.
		{`cast(salary, "string")`, []string{"confidential"}},
		{`cast(born, "timestamp")`, []string{"pii"}},
		{"salary + id", []string{"confidential"}},
		// Operators.
		{"salary * 2", []string{"confidential"}},
		{"-salary", []string{"confidential"}},
		{"!vip", nil},
		{"salary > 100 && email != null", []string{"confidential", "pii"}},
		{"email == null", []string{"pii"}},
		{"is_null(ssn)", []string{"confidential", "pii"}},
		// ? : — the condition decides the value, so its columns count.
		{"vip ? email : name", []string{"pii"}},
		{`salary > 100 ? "high" : "low"`, []string{"confidential"}},
		{`vip ? email : ssn`, []string{"confidential", "pii"}},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			res := mustCompileTags(t, `
product "p" {
  domain = domain.d
  input "s" { from = source.s }
  transform "x" {
    from = input.s
    select {
      columns = {
        out = `+tt.expr+`
      }
    }
  }
  output { path = "lake/p/" }
}`)
			p := compiledProduct(t, res, "p")
			proj := transformRootNode(t, p, "x").(*ir.Project)
			if diff := cmp.Diff(tt.want, proj.Out[0].Tags); diff != "" {
				t.Errorf("select's tags (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, p.Output.Schema[0].Tags); diff != "" {
				t.Errorf("published tags (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTagsThroughOperators compiles one transform per case and compares
// the schemas (as "name type[ null][ [tags]]") of the transform's nodes,
// root first down to the first node below the operators, and the
// published schema.
func TestTagsThroughOperators(t *testing.T) {
	tests := []struct {
		name string
		// inputs are extra input blocks (input "s" is always there);
		// extra is extra transforms.
		inputs, ops, extra string
		// nodes are the schemas of the transform's nodes from its root
		// down, as many as given.
		nodes [][]string
		out   []string
	}{
		{
			name: "filter passes tags through, also when it proves columns non-null",
			ops: `
    select {
      columns = [id, email, ssn]
    }
    filter { where = email != null }`,
			nodes: [][]string{
				{"id int64", "email string [pii]", "ssn string null [confidential pii]"},
				{"id int64", "email string null [pii]", "ssn string null [confidential pii]"},
			},
			out: []string{"id int64", "email string [pii]", "ssn string null [confidential pii]"},
		},
		{
			name: "sort, limit and distinct pass tags through",
			ops: `
    select {
      columns = [id, email, salary]
    }
    sort { by = [desc(salary), email] }
    limit {
      count  = 10
      offset = 5
    }
    distinct {}`,
			nodes: [][]string{
				{"id int64", "email string null [pii]", "salary decimal(18,2) null [confidential]"},
				{"id int64", "email string null [pii]", "salary decimal(18,2) null [confidential]"},
				{"id int64", "email string null [pii]", "salary decimal(18,2) null [confidential]"},
				{"id int64", "email string null [pii]", "salary decimal(18,2) null [confidential]"},
			},
			out: []string{"id int64", "email string null [pii]", "salary decimal(18,2) null [confidential]"},
		},
		{
			name:   "joined columns keep their side's tags",
			inputs: `input "o" { from = source.o }`,
			ops: `
    join {
      with = input.o
      type = "left"
      on   = s.id == o.customer_id && s.email == o.email
    }
    select {
      columns = {
        id       = s.id
        s_email  = s.email
        o_email  = o.email
        total    = total
        note     = note
        order_id = o.id
        both     = "${s.ssn} ${o.note}"
      }
    }`,
			nodes: [][]string{
				{"id int64", "s_email string null [pii]", "o_email string null [pii]", "total decimal(10,2) null [confidential]",
					"note string null [free_text]", "order_id int32 null", "both string null [confidential free_text pii]"},
				{"s.id int64", "s.name string null", "s.email string null [pii]", "s.ssn string null [confidential pii]",
					"s.salary decimal(18,2) null [confidential]", "s.country string null", "s.born date null [pii]", "s.vip bool null",
					"o.id int32 null", "o.customer_id int64 null", "o.total decimal(10,2) null [confidential]",
					"o.note string null [free_text]", "o.email string null [pii]"},
			},
			out: []string{"id int64", "s_email string null [pii]", "o_email string null [pii]", "total decimal(10,2) null [confidential]",
				"note string null [free_text]", "order_id int32 null", "both string null [confidential free_text pii]"},
		},
		{
			name:   "a join with a transform keeps the transform's computed tags",
			inputs: `input "o" { from = source.o }`,
			extra: `
  transform "orders" {
    from = input.o
    select {
      columns = {
        customer_id = customer_id
        summary     = "${note}: ${total}"
      }
    }
  }`,
			ops: `
    join {
      with = transform.orders
      type = "semi"
      on   = s.id == orders.customer_id
    }
    join {
      with = transform.orders
      as   = "o2"
      on   = s.id == o2.customer_id
    }
    select {
      columns = [ssn, summary]
    }`,
			nodes: [][]string{
				{"ssn string null [confidential pii]", "summary string null [confidential free_text]"},
			},
			out: []string{"ssn string null [confidential pii]", "summary string null [confidential free_text]"},
		},
		{
			name: "aggregates carry their argument's tags, count() none, group keys theirs",
			ops: `
    aggregate {
      group_by = [country, email]
      columns = {
        rows      = count()
        with_ssn  = count(ssn)
        ssns      = count_distinct(ssn)
        payroll   = sum(salary)
        mean      = avg(salary)
        youngest  = max(born)
        first_ssn = min(ssn)
        per_row   = sum(salary) / count()
        label     = "${country}: ${max(name)}"
      }
    }`,
			nodes: [][]string{
				{"country string null", "email string null [pii]", "rows int64", "with_ssn int64 [confidential pii]",
					"ssns int64 [confidential pii]", "payroll decimal(38,2) null [confidential]", "mean float64 null [confidential]",
					"youngest date null [pii]", "first_ssn string null [confidential pii]", "per_row float64 null [confidential]",
					"label string null"},
				{"country string null", "email string null [pii]", "count() int64", "count(s.ssn) int64 [confidential pii]",
					"count_distinct(s.ssn) int64 [confidential pii]", "sum(s.salary) decimal(38,2) null [confidential]",
					"avg(s.salary) float64 null [confidential]", "max(s.born) date null [pii]", "min(s.ssn) string null [confidential pii]",
					"max(s.name) string null"},
			},
			out: []string{"country string null", "email string null [pii]", "rows int64", "with_ssn int64 [confidential pii]",
				"ssns int64 [confidential pii]", "payroll decimal(38,2) null [confidential]", "mean float64 null [confidential]",
				"youngest date null [pii]", "first_ssn string null [confidential pii]", "per_row float64 null [confidential]",
				"label string null"},
		},
		{
			name: "an aggregate without keys",
			ops: `
    aggregate {
      columns = {
        n      = count()
        emails = count(email)
        top    = max(salary)
      }
    }`,
			nodes: [][]string{
				{"n int64", "emails int64 [pii]", "top decimal(18,2) null [confidential]"},
				{"count() int64", "count(s.email) int64 [pii]", "max(s.salary) decimal(18,2) null [confidential]"},
			},
			out: []string{"n int64", "emails int64 [pii]", "top decimal(18,2) null [confidential]"},
		},
		{
			name:   "union merges both sides' tags per position",
			inputs: `input "o" { from = source.o }`,
			extra: `
  transform "orders" {
    from = input.o
    select {
      columns = {
        contact = note
        id      = id
        secret  = cast(total, "string")
      }
    }
  }`,
			ops: `
    select {
      columns = {
        id      = id
        contact = email
        secret  = ssn
      }
    }
    union {
      with = [transform.orders]
    }`,
			nodes: [][]string{
				{"id int64", "contact string null [free_text pii]", "secret string null [confidential pii]"},
			},
			out: []string{"id int64", "contact string null [free_text pii]", "secret string null [confidential pii]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustCompileTags(t, `
product "p" {
  domain = domain.d
  input "s" { from = source.s }
  `+tt.inputs+`
`+tt.extra+`
  transform "x" {
    from = input.s
`+tt.ops+`
  }
  output {
    from = transform.x
    path = "lake/p/"
  }
}`)
			p := compiledProduct(t, res, "p")
			n := transformRootNode(t, p, "x")
			for i, want := range tt.nodes {
				if n == nil {
					t.Fatalf("node %d: the plan has fewer nodes", i)
				}
				if diff := cmp.Diff(want, schemaSigs(n.Schema())); diff != "" {
					t.Errorf("node %d, %s (-want +got):\n%s", i, ir.Label(n), diff)
				}
				n = firstChild(n)
			}
			if diff := cmp.Diff(tt.out, schemaSigs(p.Output.Schema)); diff != "" {
				t.Errorf("published schema (-want +got):\n%s", diff)
			}
		})
	}
}

func firstChild(n ir.Node) ir.Node {
	if kids := n.Children(); len(kids) > 0 {
		return kids[0]
	}
	return nil
}

// TestTagsContract: contract tags add to the computed ones; a mask clears
// the computed tags and keeps only those the contract column declares; a
// contract's type change keeps them.
func TestTagsContract(t *testing.T) {
	res := mustCompileTags(t, `
product "p" {
  domain = domain.d
  input "s" { from = source.s }
  transform "x" {
    from = input.s
    select {
      columns = {
        id      = id
        email   = email
        ssn     = ssn
        salary  = salary
        contact = "${name} <${email}>"
        country = country
        born    = born
      }
    }
  }
  output { path = "lake/p/" }
  contract {
    column "id" {
      type = "int64"
      tags = ["key"]
    }
    column "email" {
      type = "string"
      mask = "hash"
    }
    column "ssn" {
      type = "string"
      mask = "hash"
      tags = ["restricted", "hashed"]
    }
    column "salary" {
      type = "decimal(38,2)"
      tags = ["confidential", "finance"]
    }
    column "contact" {
      type = "string"
    }
    column "country" {
      type = "string"
      tags = ["geo"]
    }
  }
}`)
	p := compiledProduct(t, res, "p")
	want := []string{
		"id int64 [key]",
		"email string null",
		"ssn string null [hashed restricted]",
		"salary decimal(38,2) null [confidential finance]",
		"contact string null [pii]",
		"country string null [geo]",
		"born date null [pii]",
	}
	if diff := cmp.Diff(want, schemaSigs(p.Output.Schema)); diff != "" {
		t.Errorf("published schema (-want +got):\n%s", diff)
	}
	// The contract's Project (masks, the widened salary) computes the same.
	proj, ok := p.Output.Root.(*ir.Project)
	if !ok {
		t.Fatalf("output root is %T, want the contract's Project", p.Output.Root)
	}
	if diff := cmp.Diff(want, schemaSigs(proj.Out)); diff != "" {
		t.Errorf("contract Project (-want +got):\n%s", diff)
	}
	// Below it, the transform still computes the source's tags.
	if diff := cmp.Diff([]string{
		"id int64", "email string null [pii]", "ssn string null [confidential pii]",
		"salary decimal(18,2) null [confidential]", "contact string null [pii]", "country string null", "born date null [pii]",
	}, schemaSigs(proj.Input.Schema())); diff != "" {
		t.Errorf("transform x (-want +got):\n%s", diff)
	}
}

// TestTagsAcrossProducts: a product reading another reads its published
// tags (contract tags added, masked columns cleared) and propagates them.
func TestTagsAcrossProducts(t *testing.T) {
	res := mustCompileTags(t, `
product "up" {
  domain = domain.d
  input "s" { from = source.s }
  transform "x" {
    from = input.s
    select {
      columns = [id, email, ssn, country]
    }
  }
  output { path = "lake/up/" }
  contract {
    column "email" {
      type = "string"
      mask = "hash"
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
  input "o" { from = source.o }
  transform "x" {
    from = input.o
    join {
      with = input.up
      on   = o.customer_id == up.id
    }
    aggregate {
      group_by = [up.country]
      columns = {
        emails = count_distinct(up.email)
        ssns   = count_distinct(ssn)
        spent  = sum(total)
      }
    }
  }
  output { path = "lake/down/" }
}`)
	down := compiledProduct(t, res, "down")
	var scan *ir.Scan
	ir.WalkNodes(down.Output.Root, func(n ir.Node) {
		if s, ok := n.(*ir.Scan); ok && s.Source.Kind == ir.SourceProduct {
			scan = s
		}
	})
	if scan == nil {
		t.Fatal("no Scan of product.up")
	}
	if diff := cmp.Diff([]string{"id int64", "email string null", "ssn string null [confidential pii]", "country string null [geo]"}, schemaSigs(scan.Out)); diff != "" {
		t.Errorf("Scan product.up (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"country string null [geo]", "emails int64", "ssns int64 [confidential pii]", "spent decimal(38,2) null [confidential]"}, schemaSigs(down.Output.Schema)); diff != "" {
		t.Errorf("down's published schema (-want +got):\n%s", diff)
	}
}

// TestTagsInferredSource: tags a schema block declares on a column read
// from the data add to that column.
func TestTagsInferredSource(t *testing.T) {
	src := `
mesh {
  name = "test"
}
domain "d" {
  owner = "d@example.com"
}
source "events" {
  type = "parquet"
  path = "data/events.parquet"
  schema {
    column "user_id" { tags = ["pii"] }
    column "kind" {
      type = "string"
      tags = ["internal", "pii"]
    }
  }
}
product "p" {
  domain = domain.d
  input "e" { from = source.events }
  transform "x" {
    from = input.e
    select {
      columns = {
        who  = "${user_id}/${kind}"
        at   = at
      }
    }
  }
  output { path = "lake/p/" }
}
`
	ws, diags := loadWorkspace(t, src)
	res, more := compile.Compile(t.Context(), ws, compile.Options{Readers: dgReaders(dgReader{cols: types.Schema{
		{Name: "event_id", Type: types.Int64Type},
		{Name: "user_id", Type: types.Int32Type, Nullable: true},
		{Name: "kind", Type: types.StringType, Nullable: true, Tags: []string{"internal"}},
		{Name: "at", Type: types.TimestampType},
	}})})
	if diags = append(diags, more...); diags.HasErrors() {
		t.Fatalf("unexpected errors:\n%s", renderDiagnostics(ws, diags))
	}
	p := compiledProduct(t, res, "p")
	scan := transformRootNode(t, p, "x").(*ir.Project).Input.(*ir.Scan)
	if diff := cmp.Diff([]string{"event_id int64", "user_id int32 null [pii]", "kind string null [internal pii]", "at timestamp"}, schemaSigs(scan.Out)); diff != "" {
		t.Errorf("Scan (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"who string null [internal pii]", "at timestamp"}, schemaSigs(p.Output.Schema)); diff != "" {
		t.Errorf("published schema (-want +got):\n%s", diff)
	}
}

// TestTagsInExplain: explain prints every node's column tags, whatever
// computes the column, and the published schema's.
func TestTagsInExplain(t *testing.T) {
	res := mustCompileTags(t, `
product "p" {
  domain = domain.d
  input "s" { from = source.s }
  input "o" { from = source.o }
  transform "orders" {
    from = input.o
    filter { where = total > 0 }
  }
  transform "x" {
    from = input.s
    join {
      with = transform.orders
      on   = s.id == orders.customer_id
    }
    aggregate {
      group_by = [s.email]
      columns = {
        n     = count()
        spent = sum(total)
      }
    }
    union {
      with = [transform.other]
    }
    sort { by = [email] }
  }
  transform "other" {
    from = input.o
    select {
      columns = {
        email = email
        n     = cast(id, "int64")
        spent = cast(total, "decimal(38,2)")
      }
    }
  }
  output {
    from = transform.x
    path = "lake/p/"
  }
  contract {
    column "email" {
      type = "string"
      mask = "hash"
      tags = ["hashed"]
    }
    column "spent" {
      type = "decimal(38,2)"
      tags = ["finance"]
    }
  }
}`)
	got := ir.Explain(compiledProduct(t, res, "p"))
	want := `product.p

Output parquet lake/p/
│  (email string null [hashed], n int64, spent decimal(38,2) null [confidential finance])
└─ Project email = mask_hash(email), n, spent
   │  (email string null [hashed], n int64, spent decimal(38,2) null [confidential finance])
   └─ Sort email  ← transform.x
      │  (email string null [pii], n int64, spent decimal(38,2) null [confidential])
      └─ Union all
         │  (email string null [pii], n int64, spent decimal(38,2) null [confidential])
         ├─ Project email, n = count(), spent = sum(orders.total)
         │  │  (email string null [pii], n int64, spent decimal(38,2) [confidential])
         │  └─ Aggregate count(), sum(orders.total) by s.email
         │     │  (email string null [pii], count() int64, sum(orders.total) decimal(38,2) [confidential])
         │     └─ Join inner on s.id == orders.customer_id
         │        │  (s.id int64, s.name string null, s.email string null [pii], s.ssn string null [confidential pii], s.salary decimal(18,2) null [confidential], s.country string null, s.born date null [pii], s.vip bool null, orders.id int32, orders.customer_id int64, orders.total decimal(10,2) [confidential], orders.note string null [free_text], orders.email string null [pii])
         │        ├─ Scan source.s (parquet data/s.parquet, declared schema)
         │        │     (id int64, name string null, email string null [pii], ssn string null [confidential pii], salary decimal(18,2) null [confidential], country string null, born date null [pii], vip bool null)
         │        └─ Filter total > 0.00  ← transform.orders
         │           │  (id int32, customer_id int64, total decimal(10,2) [confidential], note string null [free_text], email string null [pii])
         │           └─ Scan source.o (parquet data/o.parquet, declared schema)
         │                 (id int32, customer_id int64, total decimal(10,2) null [confidential], note string null [free_text], email string null [pii])
         └─ Project email, n = cast(id, "int64"), spent = cast(total, "decimal(38,2)")  ← transform.other
            │  (email string null [pii], n int64, spent decimal(38,2) null [confidential])
            └─ Scan source.o (parquet data/o.parquet, declared schema)
                  (id int32, customer_id int64, total decimal(10,2) null [confidential], note string null [free_text], email string null [pii])
`
	if got != want {
		t.Errorf("explain:\n%s\nwant:\n%s", got, want)
	}
	// explain --json carries the same tags.
	js := ir.ExplainJSON(compiledProduct(t, res, "p"))
	if diff := cmp.Diff([]string{"hashed"}, js.Plan.Columns[0].Tags); diff != "" {
		t.Errorf("explain --json: output email's tags (-want +got):\n%s", diff)
	}
	agg := js.Plan.Inputs[0].Inputs[0].Inputs[0].Inputs[0]
	if agg.Operator != "aggregate" || len(agg.Columns) != 3 {
		t.Fatalf("explain --json: %s is not the aggregate", agg.Label)
	}
	if diff := cmp.Diff([]string{"confidential"}, agg.Columns[2].Tags); diff != "" {
		t.Errorf("explain --json: sum(orders.total)'s tags (-want +got):\n%s", diff)
	}
}

func loadWorkspace(t *testing.T, src string) (*configs.Workspace, diag.Diagnostics) {
	t.Helper()
	ws, diags := configs.LoadFiles([]configs.File{{Name: "main.mesh.hcl", Src: []byte(src)}}, configs.Options{})
	if diags.HasErrors() {
		t.Fatalf("load:\n%s", renderDiagnostics(ws, diags))
	}
	return ws, diags
}

// TestTagsEveryMask: every mask clears the tags the column computes and
// keeps the ones its contract column declares.
func TestTagsEveryMask(t *testing.T) {
	for _, mask := range configs.Masks {
		t.Run(mask, func(t *testing.T) {
			res := mustCompileTags(t, `
product "p" {
  domain = domain.d
  input "s" { from = source.s }
  transform "x" {
    from = input.s
    select {
      columns = [id, email, ssn]
    }
  }
  output { path = "lake/p/" }
  contract {
    column "email" {
      type = "string"
      mask = "`+mask+`"
    }
    column "ssn" {
      type = "string"
      mask = "`+mask+`"
      tags = ["masked"]
    }
  }
}`)
			p := compiledProduct(t, res, "p")
			var got [][]string
			for _, c := range p.Output.Schema {
				got = append(got, c.Tags)
			}
			if diff := cmp.Diff([][]string{nil, nil, {"masked"}}, got); diff != "" {
				t.Errorf("published tags (-want +got):\n%s", diff)
			}
		})
	}
}
