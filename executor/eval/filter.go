package eval

import (
	"github.com/meshctl/meshctl/executor/vector"
)

// filter is the Select plan of a boolean expression: simple predicates
// write the selected rows straight into the selection, without a bool
// vector.
type filter interface {
	// sel appends to out (capacity ≥ b.Len, may alias in) the rows of in
	// — of the whole batch when in is nil — for which the predicate is
	// true, in increasing order.
	sel(ev *Evaluator, b *vector.Batch, in []int32, out []int32) ([]int32, error)
}

// filterOf builds the Select plan of a boolean node.
func (c *compiler) filterOf(n node) filter {
	switch n := n.(type) {
	case *constNode:
		return constFilter{keep: !n.val.null && n.val.b}
	case *logicNode:
		if n.and {
			return andFilter{l: c.filterOf(n.l), r: c.filterOf(n.r)}
		}
	case *cmpNode:
		if n.c != nil {
			return cmpFilter{n: n}
		}
	case *isNullNode:
		return nullFilter{n: n}
	case *inNode:
		return inFilter{n: n}
	case *likeNode:
		if n.m != nil {
			return likeFilter{n: n}
		}
	}
	return boolFilter{n: n}
}

// constFilter keeps every row or none.
type constFilter struct{ keep bool }

func (f constFilter) sel(_ *Evaluator, b *vector.Batch, in []int32, out []int32) ([]int32, error) {
	if !f.keep {
		return out[:0], nil
	}
	if in != nil {
		return append(out[:0], in...), nil
	}
	out = out[:b.Len]
	for i := range out {
		out[i] = int32(i)
	}
	return out, nil
}

// andFilter narrows the rows of its left side by its right side: the
// right side only sees (and can only fail on) rows the left one kept.
type andFilter struct{ l, r filter }

func (f andFilter) sel(ev *Evaluator, b *vector.Batch, in []int32, out []int32) ([]int32, error) {
	s, err := f.l.sel(ev, b, in, out)
	if err != nil || len(s) == 0 {
		return s, err
	}
	return f.r.sel(ev, b, s, s[:0])
}

// boolFilter evaluates the predicate into a bool vector and collects the
// true rows.
type boolFilter struct{ n node }

func (f boolFilter) sel(ev *Evaluator, b *vector.Batch, in []int32, out []int32) ([]int32, error) {
	v, err := evalIn(ev, f.n, b, in, f.n.info())
	if err != nil {
		return nil, err
	}
	return selectBools(v.Bool, v.Valid, in, b.Len, out), nil
}
