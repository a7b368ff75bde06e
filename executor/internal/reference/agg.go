package reference

import (
	"fmt"
	"math/big"

	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// group is one group of an aggregate: its key values, its rows' count and,
// per aggregate call, every argument value in input order (nulls
// included). Aggregates are computed from the whole list at the end,
// which is slow and obviously right.
type group struct {
	keys []any
	rows int64
	args [][]any
}

// aggregate groups rows by the keys (null keys group together), in order
// of first appearance, and computes every call per group. Without keys it
// yields exactly one row, even over no input.
func (r *runner) aggregate(n *ir.Aggregate) ([]Row, error) {
	var computed []types.Type
	for _, k := range n.Keys {
		computed = append(computed, k.Type())
	}
	for _, call := range n.Aggs {
		computed = append(computed, call.T)
	}
	if err := typesMatch(computed, n.Out); err != nil {
		return nil, fmt.Errorf("%s: internal: %w", ir.Label(n), err)
	}
	in, err := r.run(n.Input)
	if err != nil {
		return nil, err
	}
	keyVals, _, err := evalKeys(n, n.Keys, in, r.env)
	if err != nil {
		return nil, err
	}
	var groups []*group
	byKey := map[string]*group{}
	newGroup := func(keys []any) *group {
		g := &group{keys: keys, args: make([][]any, len(n.Aggs))}
		groups = append(groups, g)
		return g
	}
	if len(n.Keys) == 0 {
		newGroup(nil)
	}
	for i, row := range in {
		var g *group
		if len(n.Keys) == 0 {
			g = groups[0]
		} else {
			k := groupKey(keyVals[i])
			if g = byKey[k]; g == nil {
				g = newGroup(keyVals[i])
				byKey[k] = g
			}
		}
		g.rows++
		for j, call := range n.Aggs {
			if call.Arg == nil {
				continue
			}
			v, err := Eval(call.Arg, row, r.env)
			if err != nil {
				return nil, rowError(n, i, err)
			}
			g.args[j] = append(g.args[j], v)
		}
	}
	out := make([]Row, 0, len(groups))
	for _, g := range groups {
		row := make(Row, 0, len(n.Keys)+len(n.Aggs))
		row = append(row, g.keys...)
		for j, call := range n.Aggs {
			v, err := aggValue(call, g.rows, g.args[j])
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", ir.Label(n), call.Fn, err)
			}
			row = append(row, v)
		}
		out = append(out, row)
	}
	return out, nil
}

// aggValue computes one aggregate over a group's argument values. Nulls
// are ignored; sum, min, max and avg of no values are null.
//
// Choice: sums of integers and decimals are exact, so only the final sum
// is checked against the result type (an overflow on the way that the end
// undoes is no error; a columnar executor adding in another order could
// otherwise disagree). Float sums add in input order.
func aggValue(call ir.AggCall, rows int64, args []any) (any, error) {
	if call.Fn == ir.AggCountRows {
		return rows, nil
	}
	if call.Arg == nil {
		return nil, fmt.Errorf("internal: %s without an argument", call.Fn)
	}
	var vals []any
	for _, v := range args {
		if v != nil {
			vals = append(vals, v)
		}
	}
	switch call.Fn {
	case ir.AggCount:
		return int64(len(vals)), nil
	case ir.AggCountDistinct:
		seen := map[string]bool{}
		for _, v := range vals {
			seen[groupKey([]any{v})] = true
		}
		return int64(len(seen)), nil
	}
	if len(vals) == 0 {
		return nil, nil
	}
	t := call.Arg.Type()
	switch call.Fn {
	case ir.AggMin, ir.AggMax:
		best := vals[0]
		for _, v := range vals[1:] {
			c, err := compare(v, best)
			if err != nil {
				return nil, err
			}
			if (call.Fn == ir.AggMin && c < 0) || (call.Fn == ir.AggMax && c > 0) {
				best = v
			}
		}
		if call.T != t {
			return castValue(best, t, call.T)
		}
		return best, nil
	case ir.AggSum, ir.AggAvg:
		if t.Kind == types.Float64 {
			sum := 0.0
			for _, v := range vals {
				sum += v.(float64)
			}
			if call.Fn == ir.AggAvg {
				return sum / float64(len(vals)), nil
			}
			return sum, nil
		}
		if !t.IsInteger() && t.Kind != types.Decimal {
			return nil, fmt.Errorf("internal: %s of %s", call.Fn, t)
		}
		sum := new(big.Int)
		for _, v := range vals {
			u, err := unscaled(v) // integers too: unscaled at scale 0
			if err != nil {
				return nil, err
			}
			sum.Add(sum, u)
		}
		if call.Fn == ir.AggAvg {
			// The exact mean, rounded once to the nearest float64.
			mean := decimalRat(sum, scaleOf(t))
			mean.Quo(mean, new(big.Rat).SetInt64(int64(len(vals))))
			f, _ := mean.Float64()
			return f, nil
		}
		switch call.T.Kind {
		case types.Int32, types.Int64:
			v, err := integerValue(sum, call.T)
			if err != nil {
				return nil, fmt.Errorf("overflow: the sum %s does not fit %s", sum, call.T)
			}
			return v, nil
		case types.Decimal:
			return decimalValue(rescale(sum, scaleOf(t), int(call.T.Scale)), call.T)
		}
		return nil, fmt.Errorf("internal: sum of %s as %s", t, call.T)
	}
	return nil, fmt.Errorf("internal: unknown aggregate %s", call.Fn)
}
