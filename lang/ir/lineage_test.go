package ir_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// lineagePreamble declares two sources: crm (customers, with pii and
// confidential columns) and shop (orders).
const lineagePreamble = `
mesh {
  name = "test"
}

domain "d" {
  owner = "d@example.com"
}

source "crm" {
  type = "parquet"
  path = "data/crm.parquet"
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
      tags = ["confidential", "pii"]
    }
    column "country" { type = "string" }
  }
}

source "shop" {
  type = "parquet"
  path = "data/shop.parquet"
  schema {
    infer = false
    column "id" {
      type     = "int64"
      nullable = false
    }
    column "customer_id" {
      type     = "int64"
      nullable = false
    }
    column "amount" { type = "decimal(18,2)" }
    column "note" {
      type = "string"
      tags = ["confidential"]
    }
    column "country" { type = "string" }
  }
}
`

// compileLineage compiles the preamble plus src, failing on any error.
func compileLineage(t *testing.T, src string) *compile.Result {
	t.Helper()
	ws, diags := configs.LoadFiles([]configs.File{{Name: "main.mesh.hcl", Src: []byte(lineagePreamble + src)}}, configs.Options{})
	if diags.HasErrors() {
		t.Fatalf("load: %v", diags.Err())
	}
	res, diags := compile.Compile(context.Background(), ws, compile.Options{})
	if diags.HasErrors() {
		t.Fatalf("compile: %v", diags.Err())
	}
	return res
}

// lineageLines prints one line per column: "name <- origin, origin",
// each origin as "input source.column [tags]".
func lineageLines(schema types.Schema, lin [][]ir.Origin) []string {
	out := make([]string, len(lin))
	for i, os := range lin {
		parts := make([]string, len(os))
		for j, o := range os {
			parts[j] = strings.TrimSpace(o.Input + " " + o.Source + "." + o.Column)
			if len(o.Tags) > 0 {
				parts[j] += " [" + strings.Join(o.Tags, " ") + "]"
			}
		}
		name := "?"
		if i < len(schema) {
			name = schema[i].Name
			if q := schema[i].Qualifier; q != "" {
				name = q + "." + name
			}
		}
		out[i] = strings.TrimSpace(name + " <- " + strings.Join(parts, ", "))
	}
	return out
}

// transformNode returns the root of product p's transform tr.
func transformNode(t *testing.T, p *ir.Product, tr string) ir.Node {
	t.Helper()
	for _, x := range p.Transforms {
		if x.Name == tr {
			return x.Root
		}
	}
	t.Fatalf("product %q has no transform %q", p.Name, tr)
	return nil
}

func TestOutputLineage(t *testing.T) {
	tests := []struct {
		name string
		src  string
		// product is the product whose output lineage is checked; "p"
		// when empty.
		product string
		want    []string
	}{
		{
			name: "scan only",
			src: `
product "p" {
  domain = domain.d
  input "customers" { from = source.crm }
  output { path = "lake/p/" }
}`,
			want: []string{
				"id <- customers source.crm.id",
				"name <- customers source.crm.name",
				"email <- customers source.crm.email [pii]",
				"ssn <- customers source.crm.ssn [confidential pii]",
				"country <- customers source.crm.country",
			},
		},
		{
			name: "select expressions",
			src: `
product "p" {
  domain = domain.d
  input "customers" { from = source.crm }
  transform "x" {
    from = input.customers
    select {
      columns = {
        id       = id
        label    = "${name} <${email}>"
        domain   = lower(substr(email, 3))
        masked   = id > 3 ? ssn : country
        id_text  = cast(id, "string")
        negated  = -id
        missing  = email == null
        known    = contains(["DE", "FR"], country)
        fallback = coalesce(name, email, "?")
        constant = "x"
        at       = now()
      }
    }
  }
  output { path = "lake/p/" }
}`,
			want: []string{
				"id <- customers source.crm.id",
				"label <- customers source.crm.email [pii], customers source.crm.name",
				"domain <- customers source.crm.email [pii]",
				// The condition of ? : decides the value: it counts.
				"masked <- customers source.crm.country, customers source.crm.id, customers source.crm.ssn [confidential pii]",
				"id_text <- customers source.crm.id",
				"negated <- customers source.crm.id",
				"missing <- customers source.crm.email [pii]",
				"known <- customers source.crm.country",
				"fallback <- customers source.crm.email [pii], customers source.crm.name",
				"constant <-",
				"at <-",
			},
		},
		{
			name: "filter, sort, limit and distinct pass columns through",
			src: `
product "p" {
  domain = domain.d
  input "customers" { from = source.crm }
  transform "x" {
    from = input.customers
    filter { where = email != null && country == "DE" }
    select {
      columns = [id, name]
    }
    sort { by = [desc(name), id] }
    limit { count = 10 }
    distinct {}
  }
  output { path = "lake/p/" }
}`,
			want: []string{
				"id <- customers source.crm.id",
				"name <- customers source.crm.name",
			},
		},
		{
			name: "join with qualified columns",
			src: `
product "p" {
  domain = domain.d
  input "customers" { from = source.crm }
  input "orders" { from = source.shop }
  transform "x" {
    from = input.customers
    join {
      with = input.orders
      on   = customers.id == orders.customer_id && customers.email == orders.note
    }
    select {
      columns = {
        customer = customers.id
        order    = orders.id
        c_ctry   = customers.country
        o_ctry   = orders.country
        both     = "${customers.country}/${orders.country}"
        note     = note
      }
    }
  }
  output { path = "lake/p/" }
}`,
			want: []string{
				"customer <- customers source.crm.id",
				"order <- orders source.shop.id",
				"c_ctry <- customers source.crm.country",
				"o_ctry <- orders source.shop.country",
				"both <- customers source.crm.country, orders source.shop.country",
				"note <- orders source.shop.note [confidential]",
			},
		},
		{
			name: "aggregate",
			src: `
product "p" {
  domain = domain.d
  input "orders" { from = source.shop }
  transform "x" {
    from = input.orders
    aggregate {
      group_by = [country]
      columns = {
        n       = count()
        notes   = count(note)
        kinds   = count_distinct(note)
        total   = sum(amount)
        spread  = max(amount) - min(amount)
        per_id  = sum(amount) / count_distinct(customer_id)
        avg_amt = avg(amount)
      }
    }
  }
  output { path = "lake/p/" }
}`,
			want: []string{
				"country <- orders source.shop.country",
				"n <-",
				"notes <- orders source.shop.note [confidential]",
				"kinds <- orders source.shop.note [confidential]",
				"total <- orders source.shop.amount",
				"spread <- orders source.shop.amount",
				"per_id <- orders source.shop.amount, orders source.shop.customer_id",
				"avg_amt <- orders source.shop.amount",
			},
		},
		{
			name: "union by position, across reordered columns",
			src: `
product "p" {
  domain = domain.d
  input "customers" { from = source.crm }
  input "orders" { from = source.shop }
  transform "from_orders" {
    from = input.orders
    select {
      columns = {
        country = country
        id      = customer_id
        contact = note
      }
    }
  }
  transform "x" {
    from = input.customers
    select {
      columns = {
        id      = id
        country = upper(country)
        contact = email
      }
    }
    union {
      with = [transform.from_orders]
    }
  }
  output { path = "lake/p/" }
}`,
			want: []string{
				"id <- customers source.crm.id, orders source.shop.customer_id",
				"country <- customers source.crm.country, orders source.shop.country",
				"contact <- customers source.crm.email [pii], orders source.shop.note [confidential]",
			},
		},
		{
			name: "a mask keeps the origin",
			src: `
product "p" {
  domain = domain.d
  input "customers" { from = source.crm }
  transform "x" {
    from = input.customers
    select {
      columns = [id, email, ssn]
    }
  }
  output { path = "lake/p/" }
  contract {
    column "id" { type = "int64" }
    column "email" {
      type = "string"
      mask = "hash"
    }
    column "ssn" {
      type = "string"
      mask = "hash"
      tags = ["restricted"]
    }
  }
}`,
			want: []string{
				"id <- customers source.crm.id",
				"email <- customers source.crm.email [pii]",
				"ssn <- customers source.crm.ssn [confidential pii]",
			},
		},
		{
			name:    "a product reading another product stops at its published columns",
			product: "q",
			src: `
product "p" {
  domain = domain.d
  input "customers" { from = source.crm }
  transform "x" {
    from = input.customers
    select {
      columns = {
        id    = id
        email = email
        who   = "${name} ${ssn}"
      }
    }
  }
  output { path = "lake/p/" }
  contract {
    column "email" {
      type = "string"
      mask = "hash"
    }
    column "who" {
      type = "string"
      tags = ["derived"]
    }
  }
}

product "q" {
  domain = domain.d
  input "clean" { from = product.p }
  input "orders" { from = source.shop }
  transform "x" {
    from = input.orders
    join {
      with = input.clean
      type = "left"
      on   = orders.customer_id == clean.id
    }
    select {
      columns = {
        order = orders.id
        email = clean.email
        who   = clean.who
      }
    }
  }
  output { path = "lake/q/" }
}`,
			want: []string{
				"order <- orders source.shop.id",
				// The mask cleared email's tags upstream.
				"email <- clean product.p.email",
				"who <- clean product.p.who [confidential derived pii]",
			},
		},
		{
			name: "two inputs reading one source share its scan",
			src: `
product "p" {
  domain = domain.d
  input "a" { from = source.crm }
  input "b" { from = source.crm }
  transform "x" {
    from = input.a
    join {
      with = input.b
      type = "semi"
      on   = a.id == b.id
    }
    select {
      columns = [email]
    }
  }
  output { path = "lake/p/" }
}`,
			want: []string{"email <- a source.crm.email [pii], b source.crm.email [pii]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := compileLineage(t, tt.src)
			name := tt.product
			if name == "" {
				name = "p"
			}
			p := res.Products[name]
			if p == nil {
				t.Fatalf("product %q did not compile", name)
			}
			got := lineageLines(p.Output.Schema, ir.OutputLineage(p))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("OutputLineage (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLineageNodes checks the lineage of every node of a plan, node by
// node, without input names (Lineage), and with them for one (LineageIn).
func TestLineageNodes(t *testing.T) {
	res := compileLineage(t, `
product "p" {
  domain = domain.d
  input "customers" { from = source.crm }
  input "orders" { from = source.shop }
  transform "x" {
    from = input.customers
    filter { where = country == "DE" }
    join {
      with = input.orders
      on   = customers.id == orders.customer_id
    }
    aggregate {
      group_by = [customers.country]
      columns = {
        n        = count()
        total    = sum(amount)
        contacts = count_distinct(customers.email)
      }
    }
    sort { by = [desc(total)] }
    limit { count = 5 }
    distinct {}
  }
  transform "y" {
    from = input.customers
    join {
      with = input.orders
      type = "anti"
      on   = customers.id == orders.customer_id
    }
    select {
      columns = {
        id      = id
        country = ssn
      }
    }
    union {
      with     = [transform.z]
      distinct = true
    }
  }
  transform "z" {
    from = input.orders
    select {
      columns = [id, country]
    }
  }
  output {
    from = transform.x
    path = "lake/p/"
  }
}`)
	p := res.Products["p"]
	if p == nil {
		t.Fatal("product p did not compile")
	}
	crm := []string{
		"id <- source.crm.id", "name <- source.crm.name", "email <- source.crm.email [pii]",
		"ssn <- source.crm.ssn [confidential pii]", "country <- source.crm.country",
	}
	shop := []string{
		"id <- source.shop.id", "customer_id <- source.shop.customer_id", "amount <- source.shop.amount",
		"note <- source.shop.note [confidential]", "country <- source.shop.country",
	}
	grouped := []string{
		"country <- source.crm.country", "n <-", "total <- source.shop.amount", "contacts <- source.crm.email [pii]",
	}
	want := map[string][]string{
		"Scan source.crm (parquet data/crm.parquet, declared schema)":   crm,
		"Scan source.shop (parquet data/shop.parquet, declared schema)": shop,
		`Filter country == "DE"`: crm,
		"Join inner on customers.id == orders.customer_id": {
			"customers.id <- source.crm.id", "customers.name <- source.crm.name", "customers.email <- source.crm.email [pii]",
			"customers.ssn <- source.crm.ssn [confidential pii]", "customers.country <- source.crm.country",
			"orders.id <- source.shop.id", "orders.customer_id <- source.shop.customer_id", "orders.amount <- source.shop.amount",
			"orders.note <- source.shop.note [confidential]", "orders.country <- source.shop.country",
		},
		"Aggregate count(), sum(orders.amount), count_distinct(customers.email) by customers.country": {
			"country <- source.crm.country", "count() <-", "sum(orders.amount) <- source.shop.amount",
			"count_distinct(customers.email) <- source.crm.email [pii]",
		},
		"Project country, n = count(), total = sum(orders.amount), contacts = count_distinct(customers.email)": grouped,
		"Sort desc(total)": grouped,
		"Limit 5":          grouped,
		"Distinct":         grouped,
		// Semi and anti joins yield the left side only.
		"Join anti on customers.id == orders.customer_id": {
			"customers.id <- source.crm.id", "customers.name <- source.crm.name", "customers.email <- source.crm.email [pii]",
			"customers.ssn <- source.crm.ssn [confidential pii]", "customers.country <- source.crm.country",
		},
		"Project id = customers.id, country = customers.ssn": {"id <- source.crm.id", "country <- source.crm.ssn [confidential pii]"},
		"Project id, country":                                {"id <- source.shop.id", "country <- source.shop.country"},
		"Union distinct": {
			"id <- source.crm.id, source.shop.id",
			"country <- source.crm.ssn [confidential pii], source.shop.country",
		},
	}
	roots := []ir.Node{p.Output.Root, transformNode(t, p, "y")}
	seen := map[string]bool{}
	for _, root := range roots {
		ir.WalkNodes(root, func(n ir.Node) {
			label := ir.Label(n)
			seen[label] = true
			w, ok := want[label]
			if !ok {
				t.Errorf("unexpected node %q", label)
				return
			}
			if diff := cmp.Diff(w, lineageLines(n.Schema(), ir.Lineage(n))); diff != "" {
				t.Errorf("Lineage(%s) (-want +got):\n%s", label, diff)
			}
		})
	}
	for label := range want {
		if !seen[label] {
			t.Errorf("no node %q in the plan", label)
		}
	}

	// LineageIn names the inputs.
	u := transformNode(t, p, "y")
	got := lineageLines(u.Schema(), ir.LineageIn(p, u))
	wantIn := []string{
		"id <- customers source.crm.id, orders source.shop.id",
		"country <- customers source.crm.ssn [confidential pii], orders source.shop.country",
	}
	if diff := cmp.Diff(wantIn, got); diff != "" {
		t.Errorf("LineageIn(transform.y) (-want +got):\n%s", diff)
	}
}

// TestLineageSharedNodes: a plan in which every node feeds its parent
// twice has 2^depth paths; memoising per node keeps the walk linear.
func TestLineageSharedNodes(t *testing.T) {
	src := &ir.Source{Kind: ir.SourceCSV, Name: "s"}
	schema := types.Schema{
		{Name: "a", Type: types.Int64Type, Tags: []string{"pii"}},
		{Name: "b", Type: types.Int64Type},
	}
	var n ir.Node = &ir.Scan{Source: src, Out: schema}
	for range 200 {
		n = &ir.Union{Inputs: []ir.Node{n, n}, Out: schema}
	}
	// Swap the columns on top: b is computed from a and a from b.
	n = &ir.Project{Input: n, Exprs: []ir.Expr{col(1, "b", types.Int64Type, false), col(0, "a", types.Int64Type, false)}, Out: schema}
	got := lineageLines(schema, ir.Lineage(n))
	want := []string{"a <- source.s.b", "b <- source.s.a [pii]"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Lineage (-want +got):\n%s", diff)
	}
}

// TestLineageResultIsACopy: changing what Lineage returns changes nothing
// in a later call.
func TestLineageResultIsACopy(t *testing.T) {
	scan := &ir.Scan{Source: &ir.Source{Kind: ir.SourceProduct, Name: "up"}, Out: types.Schema{{Name: "a", Tags: []string{"pii"}}}}
	first := ir.Lineage(scan)
	first[0][0].Tags[0] = "changed"
	first[0][0].Column = "changed"
	if diff := cmp.Diff([]string{"a <- product.up.a [pii]"}, lineageLines(scan.Out, ir.Lineage(scan))); diff != "" {
		t.Errorf("second Lineage (-want +got):\n%s", diff)
	}
	if scan.Out[0].Tags[0] != "pii" {
		t.Errorf("Lineage's result shares the scan's tags")
	}
}
