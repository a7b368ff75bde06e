package ir

import (
	"cmp"
	"slices"
)

// Origin is an input column an output column is computed from.
type Origin struct {
	// Input is the product's input name ("customers"); empty when the
	// lineage was computed without the product (Lineage).
	Input string
	// Source is the address of what the input reads: "source.crm" or
	// "product.orders_clean".
	Source string
	// Column is the column of that input.
	Column string
	// Tags are the tags the input column carries as scanned: for a product
	// input, the upstream's published tags.
	Tags []string
}

func compareOrigins(a, b Origin) int {
	return cmp.Or(cmp.Compare(a.Input, b.Input), cmp.Compare(a.Source, b.Source), cmp.Compare(a.Column, b.Column))
}

// Lineage returns, for each column of node's output schema, the input
// columns it is computed from, sorted by input, source and column, without
// duplicates. Lineage follows values, not rows: a filter's predicate, a
// join's condition and sort keys decide which rows there are, not what a
// column holds, so they add nothing. A derived column (a Project
// expression, a Cond's condition included) comes from every column the
// expression reads; an aggregate from its argument, count() from nothing;
// a union column from the columns at its position in every input. Scans
// end the walk: a product input's columns are origins, whatever the
// upstream computed them from. A contract's mask hides a value, but the
// published column still comes from the masked one: its origin stays,
// with the tags the mask cleared in Origin.Tags.
//
// Origin.Input is empty: a Scan does not know the input name a product
// gave it. Use LineageIn for the names.
func Lineage(n Node) [][]Origin {
	return newLineager(nil).public(n)
}

// LineageIn is Lineage of a node of p's plans (a transform's root, say),
// with Origin.Input filled from p's inputs. When two inputs of p read the
// same source, the compiler shares one Scan between them and both input
// names are origins.
func LineageIn(p *Product, n Node) [][]Origin {
	return newLineager(p).public(n)
}

// OutputLineage is Lineage of the product's published output
// (p.Output.Root), in p.Output.Schema order, with input names filled.
func OutputLineage(p *Product) [][]Origin {
	if p.Output.Root == nil {
		return nil
	}
	l := LineageIn(p, p.Output.Root)
	out := make([][]Origin, len(p.Output.Schema))
	copy(out, l)
	return out
}

// lineager memoises the lineage of every node it visits: a plan is a DAG
// in which a transform may feed several parents, and walking it as a tree
// would be exponential in the worst case.
type lineager struct {
	inputs map[*Source][]string
	memo   map[Node][][]Origin
}

func newLineager(p *Product) *lineager {
	l := &lineager{memo: map[Node][][]Origin{}}
	if p != nil {
		l.inputs = map[*Source][]string{}
		for _, in := range p.Inputs {
			l.inputs[in.Source] = append(l.inputs[in.Source], in.Name)
		}
	}
	return l
}

// public returns a copy of n's lineage that shares nothing with the memo,
// so that callers may change it.
func (l *lineager) public(n Node) [][]Origin {
	if n == nil {
		return nil
	}
	lin := l.node(n)
	out := make([][]Origin, len(lin))
	for i, os := range lin {
		if len(os) == 0 {
			continue
		}
		out[i] = make([]Origin, len(os))
		for j, o := range os {
			o.Tags = slices.Clone(o.Tags)
			out[i][j] = o
		}
	}
	return out
}

func (l *lineager) node(n Node) [][]Origin {
	if lin, ok := l.memo[n]; ok {
		return lin
	}
	lin := l.compute(n)
	// Every column gets an entry, even if a malformed node yields fewer.
	if w := len(n.Schema()); len(lin) < w {
		lin = append(lin, make([][]Origin, w-len(lin))...)
	}
	l.memo[n] = lin
	return lin
}

func (l *lineager) compute(n Node) [][]Origin {
	switch n := n.(type) {
	case *Scan:
		return l.scan(n)
	case *Filter:
		return l.node(n.Input)
	case *Sort:
		return l.node(n.Input)
	case *Limit:
		return l.node(n.Input)
	case *Distinct:
		return l.node(n.Input)
	case *Project:
		in := l.node(n.Input)
		out := make([][]Origin, len(n.Exprs))
		for i, e := range n.Exprs {
			out[i] = exprLineage(e, in)
		}
		return out
	case *Join:
		out := slices.Clone(l.node(n.Left))
		if n.Kind != SemiJoin && n.Kind != AntiJoin {
			out = append(out, l.node(n.Right)...)
		}
		return out
	case *Aggregate:
		in := l.node(n.Input)
		out := make([][]Origin, 0, len(n.Keys)+len(n.Aggs))
		for _, k := range n.Keys {
			out = append(out, exprLineage(k, in))
		}
		for _, a := range n.Aggs {
			out = append(out, exprLineage(a.Arg, in)) // nil for count()
		}
		return out
	case *Union:
		out := make([][]Origin, len(n.Out))
		for _, input := range n.Inputs {
			for i, os := range l.node(input) {
				if i < len(out) {
					out[i] = mergeOrigins(out[i], os)
				}
			}
		}
		return out
	}
	return nil
}

func (l *lineager) scan(n *Scan) [][]Origin {
	src := ""
	names := []string{""}
	if n.Source != nil {
		src = "source." + n.Source.Name
		if n.Source.Kind == SourceProduct {
			src = "product." + n.Source.Name
		}
		if in := l.inputs[n.Source]; len(in) > 0 {
			names = slices.Sorted(slices.Values(in))
		}
	}
	out := make([][]Origin, len(n.Out))
	for i, c := range n.Out {
		for _, name := range names {
			out[i] = append(out[i], Origin{Input: name, Source: src, Column: c.Name, Tags: c.Tags})
		}
	}
	return out
}

// exprLineage is the union of the lineage of the input columns e reads.
func exprLineage(e Expr, in [][]Origin) []Origin {
	var out []Origin
	for _, i := range ColumnsUsed(e) {
		if i >= 0 && i < len(in) {
			out = mergeOrigins(out, in[i])
		}
	}
	return out
}

// mergeOrigins returns the sorted union of two sorted lists. It may return
// a or b itself: lineage lists are never changed once built.
func mergeOrigins(a, b []Origin) []Origin {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	out := make([]Origin, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		switch c := compareOrigins(a[0], b[0]); {
		case c < 0:
			out, a = append(out, a[0]), a[1:]
		case c > 0:
			out, b = append(out, b[0]), b[1:]
		default:
			out, a, b = append(out, a[0]), a[1:], b[1:]
		}
	}
	out = append(out, a...)
	return append(out, b...)
}
