package lineage

import (
	"cmp"
	"slices"

	"github.com/meshctl/meshctl/lang/addrs"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/ir"
)

// Kind says what a node is.
type Kind string

// Node kinds.
const (
	SourceNode  Kind = "source"
	ProductNode Kind = "product"
)

// Graph is a workspace's lineage: sources and products, the inputs that
// connect them and, when Columns is set, each dataset's columns with the
// input columns a product's are computed from. Domains, Nodes and Edges
// are sorted (see Build), so that the same workspace gives the same bytes.
type Graph struct {
	// Mesh is the workspace's mesh name.
	Mesh string `json:"mesh,omitempty"`
	// Columns reports whether column-level lineage was computed.
	Columns bool     `json:"columns"`
	Domains []Domain `json:"domains"`
	Nodes   []Node   `json:"nodes"`
	Edges   []Edge   `json:"edges"`
}

// Domain is a domain of the workspace: the group its nodes are drawn in.
type Domain struct {
	Name  string `json:"name"`
	Owner string `json:"owner,omitempty"`
	Team  string `json:"team,omitempty"`
}

// Node is a source or a product.
type Node struct {
	// ID is the node's address: "source.customers", "product.orders_clean".
	ID   string `json:"id"`
	Kind Kind   `json:"kind"`
	Name string `json:"name"`
	// Domain is the domain's name; "" for a source declared without one.
	Domain string `json:"domain,omitempty"`
	// Format is a source's type (csv, parquet, postgres) or a product's
	// output format.
	Format string `json:"format,omitempty"`
	// Location is a source's path or table (or "query"), a product's
	// output location.
	Location string `json:"location,omitempty"`
	Owner    string `json:"owner,omitempty"`
	Version  string `json:"version,omitempty"`
	// Columns are, with Graph.Columns, a product's published columns or the
	// columns a source is read with; empty when not known (a source no
	// compiled product reads, a product that did not compile).
	Columns []Column `json:"columns,omitempty"`
}

// Column is one column of a node.
type Column struct {
	Name     string   `json:"name"`
	Type     string   `json:"type"`
	Nullable bool     `json:"nullable"`
	Tags     []string `json:"tags,omitempty"`
	// Mask is the contract's mask of a product column ("hash"), or "".
	Mask string `json:"mask,omitempty"`
	// From lists, for a product column, the input columns its values are
	// computed from, sorted; empty for a constant or count().
	From []ColumnRef `json:"from,omitempty"`
}

// ColumnRef names a column of an upstream node.
type ColumnRef struct {
	// Node is the upstream's ID; Input the product's name for it.
	Node   string `json:"node"`
	Input  string `json:"input"`
	Column string `json:"column"`
}

// Edge is one input of a product: data flows From → To.
type Edge struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Input string `json:"input"`
}

// Options controls Build.
type Options struct {
	// Columns adds every node's columns and each product column's origins.
	Columns bool
}

// Build returns the lineage graph of ws. products are its compiled
// products (compile.Result.Products); a product missing from it is still a
// node with its edges, without columns. Domains are sorted by name; nodes
// by kind (sources first) then name; edges by From, To and Input.
func Build(ws *configs.Workspace, products map[string]*ir.Product, opts Options) *Graph {
	g := &Graph{Columns: opts.Columns, Domains: []Domain{}, Nodes: []Node{}, Edges: []Edge{}}
	if ws.Mesh != nil {
		g.Mesh = ws.Mesh.Name
	}
	for _, name := range ws.DomainOrder {
		d := ws.Domains[name]
		g.Domains = append(g.Domains, Domain{Name: d.Name, Owner: d.Owner, Team: d.Team})
	}
	slices.SortFunc(g.Domains, func(a, b Domain) int { return cmp.Compare(a.Name, b.Name) })

	for _, name := range ws.SourceOrder {
		s := ws.Sources[name]
		n := Node{ID: addrs.Ref{Kind: addrs.SourceKind, Name: name}.String(), Kind: SourceNode, Name: name, Format: s.Type}
		if s.Domain != nil {
			n.Domain = s.Domain.Name
		}
		switch {
		case s.Path != "":
			n.Location = s.Path
		case s.Table != "":
			n.Location = s.Table
		case s.Query != "":
			n.Location = "query"
		}
		if opts.Columns {
			n.Columns = sourceColumns(name, products)
		}
		g.Nodes = append(g.Nodes, n)
	}
	for _, name := range ws.ProductOrder {
		p := ws.Products[name]
		n := Node{ID: addrs.Ref{Kind: addrs.ProductKind, Name: name}.String(), Kind: ProductNode, Name: name,
			Domain: p.Domain.Name, Owner: p.Owner, Version: p.Version}
		if n.Owner == "" && ws.Domains[p.Domain.Name] != nil {
			n.Owner = ws.Domains[p.Domain.Name].Owner
		}
		if p.Output != nil {
			n.Format, n.Location = p.Output.Format, p.Output.Location()
		}
		if opts.Columns && products[name] != nil {
			n.Columns = productColumns(p, products[name])
		}
		g.Nodes = append(g.Nodes, n)
		for _, in := range p.Inputs {
			g.Edges = append(g.Edges, Edge{From: in.From.String(), To: n.ID, Input: in.Name})
		}
	}
	g.addMissing()
	g.sort()
	return g
}

// addMissing adds a node for every edge end and origin column the
// workspace does not declare (a workspace loaded with errors), so that
// renderers never meet a dangling reference.
func (g *Graph) addMissing() {
	idx := map[string]int{}
	for i, n := range g.Nodes {
		idx[n.ID] = i
	}
	node := func(id string) int {
		if i, ok := idx[id]; ok {
			return i
		}
		kind, name := ProductNode, id
		if r, ok := parseRef(id); ok {
			name = r.Name
			if r.Kind == addrs.SourceKind {
				kind = SourceNode
			}
		}
		g.Nodes = append(g.Nodes, Node{ID: id, Kind: kind, Name: name})
		idx[id] = len(g.Nodes) - 1
		return idx[id]
	}
	for _, e := range g.Edges {
		node(e.From)
		node(e.To)
	}
	for i := 0; i < len(g.Nodes); i++ {
		for _, c := range g.Nodes[i].Columns {
			for _, o := range c.From {
				up := &g.Nodes[node(o.Node)]
				if !slices.ContainsFunc(up.Columns, func(uc Column) bool { return uc.Name == o.Column }) {
					up.Columns = append(up.Columns, Column{Name: o.Column, Type: "?", Nullable: true})
				}
			}
		}
	}
}

func parseRef(id string) (addrs.Ref, bool) {
	for _, k := range []addrs.Kind{addrs.SourceKind, addrs.ProductKind} {
		prefix := k.String() + "."
		if len(id) > len(prefix) && id[:len(prefix)] == prefix {
			return addrs.Ref{Kind: k, Name: id[len(prefix):]}, true
		}
	}
	return addrs.Ref{}, false
}

func (g *Graph) sort() {
	slices.SortFunc(g.Nodes, func(a, b Node) int {
		return cmp.Or(cmp.Compare(kindRank(a.Kind), kindRank(b.Kind)), cmp.Compare(a.Name, b.Name))
	})
	slices.SortFunc(g.Edges, func(a, b Edge) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To), cmp.Compare(a.Input, b.Input))
	})
}

func kindRank(k Kind) int {
	if k == SourceNode {
		return 0
	}
	return 1
}

// sourceColumns are the columns a source is scanned with, from the first
// scan of it in the compiled products (by product name): every scan of a
// source has the same schema.
func sourceColumns(name string, products map[string]*ir.Product) []Column {
	for _, pn := range sortedKeys(products) {
		p := products[pn]
		var found *ir.Scan
		visit := func(n ir.Node) {
			if s, ok := n.(*ir.Scan); ok && found == nil && s.Source != nil && s.Source.Kind != ir.SourceProduct && s.Source.Name == name {
				found = s
			}
		}
		for _, t := range p.Transforms {
			ir.WalkNodes(t.Root, visit)
		}
		ir.WalkNodes(p.Output.Root, visit)
		if found != nil {
			out := make([]Column, 0, len(found.Out))
			for _, c := range found.Out {
				out = append(out, Column{Name: c.Name, Type: c.Type.String(), Nullable: c.Nullable, Tags: slices.Clone(c.Tags)})
			}
			return out
		}
	}
	return nil
}

// productColumns are a product's published columns with their origins.
func productColumns(cp *configs.Product, p *ir.Product) []Column {
	masks := map[string]string{}
	if cp.Contract != nil {
		for _, c := range cp.Contract.Columns {
			masks[c.Name] = c.Mask
		}
	}
	lin := ir.OutputLineage(p)
	out := make([]Column, 0, len(p.Output.Schema))
	for i, c := range p.Output.Schema {
		col := Column{Name: c.Name, Type: c.Type.String(), Nullable: c.Nullable, Tags: slices.Clone(c.Tags), Mask: masks[c.Name]}
		for _, o := range lin[i] {
			col.From = append(col.From, ColumnRef{Node: o.Source, Input: o.Input, Column: o.Column})
		}
		out = append(out, col)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Node returns the node with id, or nil.
func (g *Graph) Node(id string) *Node {
	for i := range g.Nodes {
		if g.Nodes[i].ID == id {
			return &g.Nodes[i]
		}
	}
	return nil
}

// Around returns the part of g that a node's page shows: the node, every
// node upstream of it and every node downstream of it (transitively), and
// the edges between those. Domains are kept when one of those nodes is in
// them. It returns nil when g has no node id.
func (g *Graph) Around(id string) *Graph {
	if g.Node(id) == nil {
		return nil
	}
	keep := map[string]bool{id: true}
	reach := func(forward bool) {
		todo := []string{id}
		for len(todo) > 0 {
			cur := todo[len(todo)-1]
			todo = todo[:len(todo)-1]
			for _, e := range g.Edges {
				from, to := e.From, e.To
				if !forward {
					from, to = to, from
				}
				if from == cur && !keep[to] {
					keep[to] = true
					todo = append(todo, to)
				}
			}
		}
	}
	reach(true)
	reach(false)
	out := &Graph{Mesh: g.Mesh, Columns: g.Columns, Domains: []Domain{}, Nodes: []Node{}, Edges: []Edge{}}
	domains := map[string]bool{}
	for _, n := range g.Nodes {
		if keep[n.ID] {
			out.Nodes = append(out.Nodes, n)
			domains[n.Domain] = true
		}
	}
	for _, d := range g.Domains {
		if domains[d.Name] {
			out.Domains = append(out.Domains, d)
		}
	}
	for _, e := range g.Edges {
		if keep[e.From] && keep[e.To] {
			out.Edges = append(out.Edges, e)
		}
	}
	return out
}
