package catalog

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// placed is what a test checks of a node: where it is and what it says.
type placed struct {
	Addr, Sub, Href string
	Current         bool
	X, Y            int
}

func places(g graph) []placed {
	var out []placed
	for _, n := range g.Nodes {
		out = append(out, placed{Addr: n.Addr, Sub: n.Sub, Href: n.Href, Current: n.Current, X: n.X, Y: n.Y})
	}
	return out
}

func edgeList(g graph) [][2]string {
	var out [][2]string
	for _, e := range g.Edges {
		out = append(out, [2]string{e.From, e.To})
	}
	return out
}

func TestLineageGraph(t *testing.T) {
	ws, res := loadTest(t, testHCL)
	c := Build(Options{Workspace: ws, Compiled: res.Products, Now: testNow})
	g := lineageGraph(c, "counts")

	// Columns are 150 wide (the minimum) and 72 apart; rows 44 high and
	// 14 apart; a column with fewer nodes is centred.
	want := []placed{
		{Addr: "source.people", Sub: "csv source", Href: "../index.html#source-people", X: 12, Y: 41},
		{Addr: "product.base", Sub: "product · d", Href: "base.html", X: 234, Y: 12},
		{Addr: "source.visits", Sub: "csv source", Href: "../index.html#source-visits", X: 234, Y: 70},
		{Addr: "product.counts", Sub: "this product", Current: true, X: 456, Y: 41},
		{Addr: "product.report", Sub: "product · e", Href: "report.html", X: 678, Y: 41},
	}
	if diff := cmp.Diff(want, places(g)); diff != "" {
		t.Errorf("nodes (-want +got):\n%s", diff)
	}
	wantEdges := [][2]string{
		{"product.base", "product.counts"},
		{"product.counts", "product.report"},
		{"source.people", "product.base"},
		{"source.visits", "product.counts"},
	}
	if diff := cmp.Diff(wantEdges, edgeList(g)); diff != "" {
		t.Errorf("edges (-want +got):\n%s", diff)
	}
	if g.Width != 840 || g.Height != 126 {
		t.Errorf("size %dx%d, want 840x126", g.Width, g.Height)
	}
	// From the right middle of base to the left middle of counts.
	if got, want := g.Edges[0].Path, "M384 34 C420 34 420 63 456 63"; got != want {
		t.Errorf("edge path %q, want %q", got, want)
	}
	if n := g.Nodes[1]; n.Title != "product.base: Every person" || n.W != 150 || n.H != 44 || n.Label != "base" {
		t.Errorf("node base: %+v", n)
	}
}

func TestLineageGraphOrdersRowsToAvoidCrossings(t *testing.T) {
	// p reads a and b; a reads s2 and b reads s1. By name alone s1 would
	// sit level with a and the edges would cross; the sweep puts s2 first.
	c := &Catalog{
		Sources: []Source{{Name: "s1"}, {Name: "s2"}},
		Products: []Product{
			{Name: "a", Upstream: []Ref{{Kind: "source", Name: "s2"}}},
			{Name: "b", Upstream: []Ref{{Kind: "source", Name: "s1"}}},
			{Name: "p", Upstream: []Ref{{Kind: "product", Name: "a"}, {Kind: "product", Name: "b"}, {Kind: "source", Name: "s1"}}},
		},
	}
	g := lineageGraph(c, "p")
	var order []string
	for _, n := range g.Nodes {
		order = append(order, n.Addr)
	}
	// s1 is read by p directly too, but its longest path puts it in the
	// first column, with s2.
	if diff := cmp.Diff([]string{"source.s2", "source.s1", "product.a", "product.b", "product.p"}, order); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	for _, n := range g.Nodes {
		if n.Addr == "source.s1" && n.X != 12 {
			t.Errorf("source.s1 in x=%d, want the first column", n.X)
		}
	}
}

func TestLineageGraphLonelyAndLongNames(t *testing.T) {
	long := "a_product_whose_name_is_much_longer_than_any_box_should_be"
	c := &Catalog{Products: []Product{{Name: long, Upstream: []Ref{{Kind: "source", Name: "gone"}}}}}
	g := lineageGraph(c, long)
	if len(g.Nodes) != 2 || len(g.Edges) != 1 {
		t.Fatalf("graph: %+v", g)
	}
	self := g.Nodes[1]
	if self.Label != "a_product_whose_name_is_much_longer…" || self.Title != "product."+long {
		t.Errorf("label %q, title %q", self.Label, self.Title)
	}
	if w := 36*graphCharW + 2*graphPadX; self.W != w {
		t.Errorf("width %d, want %d (36 runes)", self.W, w)
	}
	// A source the catalog does not know links nowhere.
	if src := g.Nodes[0]; src.Addr != "source.gone" || src.Href != "" || src.Sub != "source" {
		t.Errorf("unknown source: %+v", src)
	}
}

func TestLineageGraphSurvivesACycle(t *testing.T) {
	// The configuration refuses cycles; a model built by hand may have one.
	c := &Catalog{Products: []Product{
		{Name: "x", Upstream: []Ref{{Kind: "product", Name: "y"}}},
		{Name: "y", Upstream: []Ref{{Kind: "product", Name: "x"}}},
	}}
	g := lineageGraph(c, "x")
	want := []placed{
		{Addr: "product.y", Sub: "product", Href: "y.html", X: 12, Y: 12},
		{Addr: "product.x", Sub: "this product", Current: true, X: 234, Y: 12},
	}
	if diff := cmp.Diff(want, places(g)); diff != "" {
		t.Errorf("nodes (-want +got):\n%s", diff)
	}
}
