package lineage

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/ir"
)

// testWorkspace is a small mesh over two declared sources (no data is
// read): a product deriving, aggregating and joining, one masking a PII
// column, and one reading the first. source.events has no domain.
const testWorkspace = `mesh {
  name = "shop"
}

domain "sales" {
  owner = "sales@example.com"
  team  = "acme/sales"
}

domain "marketing" {
  owner = "mkt@example.com"
}

source "customers" {
  type   = "csv"
  domain = domain.sales
  path   = "data/customers.csv"
  schema {
    infer = false
    column "id" { type = "int64" }
    column "email" {
      type = "string"
      tags = ["pii"]
    }
    column "country" { type = "string" }
  }
}

source "orders" {
  type   = "csv"
  domain = domain.sales
  path   = "data/orders.csv"
  schema {
    infer = false
    column "customer_id" { type = "int64" }
    column "amount" { type = "float64" }
  }
}

source "events" {
  type = "csv"
  path = "data/events.csv"
  schema {
    infer = false
    column "id" { type = "int64" }
  }
}

product "revenue_by_country" {
  domain = domain.sales
  owner  = "rev@example.com"
  version = "1.0.0"
  input "customers" { from = source.customers }
  input "sales" { from = source.orders }
  transform "t" {
    from = input.customers
    join {
      with = input.sales
      on   = customers.id == sales.customer_id
    }
    select {
      columns = {
        country = lower(country)
        id      = id
        amount  = amount
      }
    }
    aggregate {
      group_by = [country]
      columns = {
        buyers  = count_distinct(id)
        revenue = sum(amount)
        rows    = count()
      }
    }
  }
  output { path = "lake/revenue/" }
}

product "contacts" {
  domain = domain.marketing
  input "customers" { from = source.customers }
  transform "t" {
    from = input.customers
    select {
      columns = {
        email = email
        label = "${country}-${id}"
      }
    }
  }
  output {
    path   = "lake/contacts/"
    format = "csv"
  }
  contract {
    column "email" {
      type = "string"
      mask = "hash"
    }
    column "label" { type = "string" }
  }
}

product "top" {
  domain = domain.sales
  input "rev" { from = product.revenue_by_country }
  input "customers" { from = source.customers }
  transform "t" {
    from = input.rev
    filter {
      where = revenue > 10
    }
    join {
      with = input.customers
      type = "semi"
      on   = rev.buyers == customers.id
    }
  }
  output { path = "lake/top/" }
}
`

func loadTest(t *testing.T, src string) (*configs.Workspace, map[string]*ir.Product) {
	t.Helper()
	ws, ds := configs.LoadFiles([]configs.File{{Name: "main.mesh.hcl", Src: []byte(src)}}, configs.Options{})
	if ds.HasErrors() {
		t.Fatalf("load: %v", ds)
	}
	res, ds := compile.Compile(context.Background(), ws, compile.Options{})
	if ds.HasErrors() {
		t.Fatalf("compile: %v", ds)
	}
	return ws, res.Products
}

func TestBuildProductGraph(t *testing.T) {
	ws, products := loadTest(t, testWorkspace)
	g := Build(ws, products, Options{})
	want := &Graph{
		Mesh:    "shop",
		Domains: []Domain{{Name: "marketing", Owner: "mkt@example.com"}, {Name: "sales", Owner: "sales@example.com", Team: "acme/sales"}},
		Nodes: []Node{
			{ID: "source.customers", Kind: SourceNode, Name: "customers", Domain: "sales", Format: "csv", Location: "data/customers.csv"},
			{ID: "source.events", Kind: SourceNode, Name: "events", Format: "csv", Location: "data/events.csv"},
			{ID: "source.orders", Kind: SourceNode, Name: "orders", Domain: "sales", Format: "csv", Location: "data/orders.csv"},
			{ID: "product.contacts", Kind: ProductNode, Name: "contacts", Domain: "marketing", Format: "csv", Location: "lake/contacts/", Owner: "mkt@example.com"},
			{ID: "product.revenue_by_country", Kind: ProductNode, Name: "revenue_by_country", Domain: "sales", Format: "parquet", Location: "lake/revenue/", Owner: "rev@example.com", Version: "1.0.0"},
			{ID: "product.top", Kind: ProductNode, Name: "top", Domain: "sales", Format: "parquet", Location: "lake/top/", Owner: "sales@example.com"},
		},
		Edges: []Edge{
			{From: "product.revenue_by_country", To: "product.top", Input: "rev"},
			{From: "source.customers", To: "product.contacts", Input: "customers"},
			{From: "source.customers", To: "product.revenue_by_country", Input: "customers"},
			{From: "source.customers", To: "product.top", Input: "customers"},
			{From: "source.orders", To: "product.revenue_by_country", Input: "sales"},
		},
	}
	if diff := cmp.Diff(want, g); diff != "" {
		t.Errorf("graph (-want +got):\n%s", diff)
	}
}

func TestBuildColumnLineage(t *testing.T) {
	ws, products := loadTest(t, testWorkspace)
	g := Build(ws, products, Options{Columns: true})
	if !g.Columns {
		t.Error("Graph.Columns = false with Options.Columns")
	}
	cust := func(col string) ColumnRef {
		return ColumnRef{Node: "source.customers", Input: "customers", Column: col}
	}
	for _, tc := range []struct {
		node string
		want []Column
	}{
		{"source.customers", []Column{
			{Name: "id", Type: "int64", Nullable: true},
			{Name: "email", Type: "string", Nullable: true, Tags: []string{"pii"}},
			{Name: "country", Type: "string", Nullable: true},
		}},
		// A source no product reads: its columns are not known.
		{"source.events", nil},
		// Through a join and an aggregate: a group key from an expression,
		// an aggregate from its argument on either side, count() from
		// nothing; the join condition adds nothing.
		{"product.revenue_by_country", []Column{
			{Name: "country", Type: "string", Nullable: true, From: []ColumnRef{cust("country")}},
			{Name: "buyers", Type: "int64", From: []ColumnRef{cust("id")}},
			{Name: "revenue", Type: "float64", Nullable: true, From: []ColumnRef{{Node: "source.orders", Input: "sales", Column: "amount"}}},
			{Name: "rows", Type: "int64"},
		}},
		// A mask keeps the origin and clears the tag; a template reads two
		// columns.
		{"product.contacts", []Column{
			{Name: "email", Type: "string", Nullable: true, Mask: "hash", From: []ColumnRef{cust("email")}},
			{Name: "label", Type: "string", Nullable: true, From: []ColumnRef{cust("country"), cust("id")}},
		}},
		// A product input is an origin; a filter and a semi join add
		// nothing.
		{"product.top", []Column{
			{Name: "country", Type: "string", Nullable: true, From: []ColumnRef{{Node: "product.revenue_by_country", Input: "rev", Column: "country"}}},
			{Name: "buyers", Type: "int64", From: []ColumnRef{{Node: "product.revenue_by_country", Input: "rev", Column: "buyers"}}},
			{Name: "revenue", Type: "float64", From: []ColumnRef{{Node: "product.revenue_by_country", Input: "rev", Column: "revenue"}}},
			{Name: "rows", Type: "int64", From: []ColumnRef{{Node: "product.revenue_by_country", Input: "rev", Column: "rows"}}},
		}},
	} {
		n := g.Node(tc.node)
		if n == nil {
			t.Fatalf("no node %s", tc.node)
		}
		if diff := cmp.Diff(tc.want, n.Columns); diff != "" {
			t.Errorf("%s columns (-want +got):\n%s", tc.node, diff)
		}
	}
}

func TestBuildUncompiledProduct(t *testing.T) {
	ws, products := loadTest(t, testWorkspace)
	delete(products, "top")
	g := Build(ws, products, Options{Columns: true})
	n := g.Node("product.top")
	if n == nil || n.Columns != nil {
		t.Fatalf("product.top = %+v, want a node without columns", n)
	}
	if len(g.Edges) != 5 {
		t.Errorf("%d edges, want the 5 the workspace declares", len(g.Edges))
	}
}

func TestAround(t *testing.T) {
	ws, products := loadTest(t, testWorkspace)
	g := Build(ws, products, Options{})
	ids := func(g *Graph) (nodes []string, edges []string) {
		for _, n := range g.Nodes {
			nodes = append(nodes, n.ID)
		}
		for _, e := range g.Edges {
			edges = append(edges, e.From+">"+e.To)
		}
		return nodes, edges
	}
	for _, tc := range []struct {
		id      string
		nodes   []string
		edges   []string
		domains []string
	}{
		{
			id:      "product.revenue_by_country",
			nodes:   []string{"source.customers", "source.orders", "product.revenue_by_country", "product.top"},
			edges:   []string{"product.revenue_by_country>product.top", "source.customers>product.revenue_by_country", "source.customers>product.top", "source.orders>product.revenue_by_country"},
			domains: []string{"sales"},
		},
		{
			id:      "product.contacts",
			nodes:   []string{"source.customers", "product.contacts"},
			edges:   []string{"source.customers>product.contacts"},
			domains: []string{"marketing", "sales"},
		},
		{
			id:      "source.events",
			nodes:   []string{"source.events"},
			domains: nil,
		},
	} {
		a := g.Around(tc.id)
		nodes, edges := ids(a)
		if diff := cmp.Diff(tc.nodes, nodes); diff != "" {
			t.Errorf("Around(%s) nodes (-want +got):\n%s", tc.id, diff)
		}
		if diff := cmp.Diff(tc.edges, edges); diff != "" {
			t.Errorf("Around(%s) edges (-want +got):\n%s", tc.id, diff)
		}
		var domains []string
		for _, d := range a.Domains {
			domains = append(domains, d.Name)
		}
		if diff := cmp.Diff(tc.domains, domains); diff != "" {
			t.Errorf("Around(%s) domains (-want +got):\n%s", tc.id, diff)
		}
	}
	if g.Around("product.nope") != nil {
		t.Error("Around of an unknown node is not nil")
	}
}
