package catalog

import (
	"cmp"
	"fmt"
	"slices"
	"unicode/utf8"
)

// graph is the lineage neighbourhood of one product — every source and
// product upstream of it, every product downstream — laid out in layers
// from left to right: a node's column is the length of its longest path to
// (or from) the product, so that every edge points right.
type graph struct {
	Width, Height int
	Nodes         []graphNode
	Edges         []graphEdge
}

// graphNode is one box of the graph, in SVG user units.
type graphNode struct {
	// Addr is "source.x" or "product.y"; Kind and Name its parts.
	Addr, Kind, Name string
	// Label is Name, shortened when very long; Sub the line below it.
	Label, Sub string
	// Title is the tooltip: the address and description.
	Title string
	// Href is the page the node links to, relative to products/; "" for
	// the product itself.
	Href    string
	Current bool
	X, Y    int
	W, H    int
}

// graphEdge is one arrow: Path is an SVG path from the right side of From
// to the left side of To.
type graphEdge struct {
	From, To string
	Path     string
}

// Geometry of the drawing, in SVG user units. Labels use a monospace font,
// so that a label's width follows from its length.
const (
	graphMargin   = 12
	graphNodeH    = 44
	graphRowGap   = 14
	graphColGap   = 72
	graphMinNodeW = 150
	graphCharW    = 8 // 13px monospace
	graphPadX     = 12
	graphMaxLabel = 36 // runes; longer names are shortened, the title has them whole
)

// lineageGraph lays out the neighbourhood of product name in c.
func lineageGraph(c *Catalog, name string) graph {
	products := map[string]*Product{}
	for i := range c.Products {
		products[c.Products[i].Name] = &c.Products[i]
	}
	sources := map[string]*Source{}
	for i := range c.Sources {
		sources[c.Sources[i].Name] = &c.Sources[i]
	}
	self := "product." + name
	// inputs returns the addresses a node reads, without duplicates.
	inputs := func(addr string) []string {
		kind, n, _ := splitAddr(addr)
		p := products[n]
		if kind != "product" || p == nil {
			return nil
		}
		var out []string
		for _, r := range p.Upstream {
			if a := r.Addr(); !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
		return out
	}
	readers := map[string][]string{}
	for _, p := range c.Products {
		for _, in := range inputs("product." + p.Name) {
			readers[in] = append(readers[in], "product."+p.Name)
		}
	}

	// up[a] is the longest path from ancestor a to the product, down[d]
	// from the product to descendant d. Definitions have no cycles (the
	// configuration refuses them); the visiting marks only keep a broken
	// one from looping.
	up := map[string]int{self: 0}
	down := map[string]int{self: 0}
	var climb func(addr string, depth int, visiting map[string]bool)
	climb = func(addr string, depth int, visiting map[string]bool) {
		if visiting[addr] {
			return
		}
		visiting[addr] = true
		defer delete(visiting, addr)
		for _, in := range inputs(addr) {
			if in == self {
				continue
			}
			if d, ok := up[in]; !ok || d < depth+1 {
				up[in] = depth + 1
				climb(in, depth+1, visiting)
			}
		}
	}
	climb(self, 0, map[string]bool{})
	var descend func(addr string, depth int, visiting map[string]bool)
	descend = func(addr string, depth int, visiting map[string]bool) {
		if visiting[addr] {
			return
		}
		visiting[addr] = true
		defer delete(visiting, addr)
		for _, r := range readers[addr] {
			if _, anc := up[r]; anc {
				continue
			}
			if d, ok := down[r]; !ok || d < depth+1 {
				down[r] = depth + 1
				descend(r, depth+1, visiting)
			}
		}
	}
	descend(self, 0, map[string]bool{})

	maxUp := 0
	for _, d := range up {
		maxUp = max(maxUp, d)
	}
	col := map[string]int{}
	for a, d := range up {
		col[a] = maxUp - d
	}
	for a, d := range down {
		col[a] = maxUp + d
	}
	ncols := 0
	for _, x := range col {
		ncols = max(ncols, x+1)
	}

	// Edges: along the upstream side, every input of an ancestor (or of
	// the product) that is itself an ancestor; downstream, every input of
	// a descendant that is the product or a descendant.
	var edges [][2]string
	for a := range up {
		for _, in := range inputs(a) {
			if _, ok := up[in]; ok {
				edges = append(edges, [2]string{in, a})
			}
		}
	}
	for d := range down {
		if d == self {
			continue
		}
		for _, in := range inputs(d) {
			if _, ok := down[in]; ok {
				edges = append(edges, [2]string{in, d})
			}
		}
	}
	slices.SortFunc(edges, func(a, b [2]string) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })

	// Order each column: by name first, then, sweeping away from the
	// product, by the mean row of each node's neighbours on the product's
	// side, which keeps related nodes level and edges short.
	columns := make([][]string, ncols)
	for a, x := range col {
		columns[x] = append(columns[x], a)
	}
	for _, cs := range columns {
		slices.Sort(cs)
	}
	row := map[string]int{}
	setRows := func(x int) {
		for i, a := range columns[x] {
			row[a] = i
		}
	}
	setRows(maxUp)
	sweep := func(x, towards int) {
		bary := map[string]float64{}
		for _, a := range columns[x] {
			sum, n := 0.0, 0
			for _, e := range edges {
				other := ""
				switch {
				case e[0] == a:
					other = e[1]
				case e[1] == a:
					other = e[0]
				default:
					continue
				}
				if (col[other]-x)*towards > 0 {
					if r, ok := row[other]; ok {
						sum += float64(r)
						n++
					}
				}
			}
			bary[a] = float64(len(columns[x])) // no neighbour placed: last
			if n > 0 {
				bary[a] = sum / float64(n)
			}
		}
		slices.SortStableFunc(columns[x], func(a, b string) int { return cmp.Compare(bary[a], bary[b]) })
		setRows(x)
	}
	for x := maxUp - 1; x >= 0; x-- {
		sweep(x, +1)
	}
	for x := maxUp + 1; x < ncols; x++ {
		sweep(x, -1)
	}

	g := graph{}
	maxRows, longest := 0, 0
	nodes := map[string]graphNode{}
	for x, cs := range columns {
		maxRows = max(maxRows, len(cs))
		for _, a := range cs {
			n := graphNode{Addr: a, Current: a == self}
			n.Kind, n.Name, _ = splitAddr(a)
			n.Label = shorten(n.Name, graphMaxLabel)
			n.Title = a
			switch {
			case n.Current:
				n.Sub = "this product"
			case n.Kind == "product":
				n.Sub = "product"
				n.Href = n.Name + ".html"
				if p := products[n.Name]; p != nil {
					if p.Domain != "" {
						n.Sub = "product · " + p.Domain
					}
					if p.Description != "" {
						n.Title += ": " + p.Description
					}
				}
			default:
				n.Sub = "source"
				n.Href = "../index.html#source-" + n.Name
				if s := sources[n.Name]; s != nil {
					if s.Type != "" {
						n.Sub = s.Type + " source"
					}
					if s.Description != "" {
						n.Title += ": " + s.Description
					}
				} else {
					n.Href = ""
				}
			}
			longest = max(longest, utf8.RuneCountInString(n.Label), utf8.RuneCountInString(n.Sub))
			n.X = x // the column, until the width is known
			nodes[a] = n
		}
	}
	w := max(graphMinNodeW, longest*graphCharW+2*graphPadX)
	for x, cs := range columns {
		offset := (maxRows - len(cs)) * (graphNodeH + graphRowGap) / 2
		for i, a := range cs {
			n := nodes[a]
			n.X = graphMargin + x*(w+graphColGap)
			n.Y = graphMargin + offset + i*(graphNodeH+graphRowGap)
			n.W, n.H = w, graphNodeH
			nodes[a] = n
			g.Nodes = append(g.Nodes, n)
		}
	}
	for _, e := range edges {
		from, to := nodes[e[0]], nodes[e[1]]
		x1, y1 := from.X+from.W, from.Y+from.H/2
		x2, y2 := to.X, to.Y+to.H/2
		dx := (x2 - x1) / 2
		g.Edges = append(g.Edges, graphEdge{From: e[0], To: e[1],
			Path: fmt.Sprintf("M%d %d C%d %d %d %d %d %d", x1, y1, x1+dx, y1, x2-dx, y2, x2, y2)})
	}
	g.Width = 2*graphMargin + ncols*w + max(ncols-1, 0)*graphColGap
	g.Height = 2*graphMargin + maxRows*graphNodeH + max(maxRows-1, 0)*graphRowGap
	return g
}

// shorten cuts s to n runes, the last an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
