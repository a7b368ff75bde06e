package eval

import (
	"math"
	"math/bits"

	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

func (c *compiler) binary(e *ir.Binary) (node, error) {
	l, err := c.expr(e.L)
	if err != nil {
		return nil, err
	}
	r, err := c.expr(e.R)
	if err != nil {
		return nil, err
	}
	switch {
	case e.Op.IsLogical():
		if l.info().t.Kind != types.Bool || r.info().t.Kind != types.Bool || e.T.Kind != types.Bool {
			return nil, bug("%s of %s and %s", e.Op, l.info().t, r.info().t)
		}
		n := &logicNode{base: c.newBase(e), and: e.Op == ir.And, l: l, r: r}
		n.fails = l.info().fails || r.info().fails
		return n, nil
	case e.Op.IsComparison():
		if e.T.Kind != types.Bool {
			return nil, bug("%s yields %s", e.Op, e.T)
		}
		return c.compare(e, l, r)
	case e.Op.IsArithmetic():
		return c.arith(e, l, r)
	}
	return nil, bug("unknown operator %d", e.Op)
}

// unaryNode is !x (on bools) or -x (on numbers).
type unaryNode struct {
	base
	x node
}

func (c *compiler) unary(e *ir.Unary) (node, error) {
	x, err := c.expr(e.X)
	if err != nil {
		return nil, err
	}
	t := x.info().t
	n := &unaryNode{base: c.newBase(e), x: x}
	switch {
	case e.Op == ir.Not && t.Kind == types.Bool && e.T == t:
	case e.Op == ir.Neg && t.IsNumeric() && e.T == t:
		if t.IsInteger() {
			c.failing(&n.base, e)
		}
	default:
		return nil, bug("%s of %s yields %s", e.Op, t, e.T)
	}
	n.fails = n.fails || x.info().fails
	return n, nil
}

func (n *unaryNode) kids() []node { return []node{n.x} }

func (n *unaryNode) eval(ev *Evaluator, b *vector.Batch, act vector.Bitmap) (*vector.Vector, error) {
	rows := b.Len
	x, err := n.x.eval(ev, b, act)
	if err != nil {
		return nil, err
	}
	out := ev.out(&n.base, rows)
	copyValid(out, x.Valid, rows)
	switch x.Phys {
	case vector.PhysBool:
		o, a := out.Bool[:rows], x.Bool[:rows]
		for i, v := range a {
			o[i] = !v
		}
	case vector.PhysInt32:
		o, a := out.I32[:rows], x.I32[:rows]
		bad := false
		for i, v := range a {
			o[i] = -v
			bad = bad || v == math.MinInt32
		}
		if bad {
			return nil, n.negOverflow(x, rows, act, func(i int) bool { return a[i] == math.MinInt32 })
		}
	case vector.PhysInt64:
		o, a := out.I64[:rows], x.I64[:rows]
		bad := false
		for i, v := range a {
			o[i] = -v
			bad = bad || v == math.MinInt64
		}
		if bad && n.t.Kind == types.Int64 {
			return nil, n.negOverflow(x, rows, act, func(i int) bool { return a[i] == math.MinInt64 })
		}
	case vector.PhysFloat64:
		o, a := out.F64[:rows], x.F64[:rows]
		for i, v := range a {
			o[i] = -v
		}
	case vector.PhysInt128:
		o, a := out.I128[:rows], x.I128[:rows]
		for i, v := range a {
			o[i] = v.Neg()
		}
	}
	return out, nil
}

// negOverflow reports -MinInt on the first row that matters, if any.
func (n *unaryNode) negOverflow(x *vector.Vector, rows int, act vector.Bitmap, bad func(int) bool) error {
	for i := 0; i < rows; i++ {
		if bad(i) && live(i, act, x.Valid) {
			v := "-(" + scalarText(n.t, scalarAt(x, i)) + ")"
			return n.fail(i, v, "%s does not fit %s", v, n.t)
		}
	}
	return nil
}

// logicNode is && or || in SQL's three-valued logic.
type logicNode struct {
	base
	and  bool
	l, r node
}

func (n *logicNode) kids() []node { return []node{n.l, n.r} }

func (n *logicNode) eval(ev *Evaluator, b *vector.Batch, act vector.Bitmap) (*vector.Vector, error) {
	rows := b.Len
	l, err := n.l.eval(ev, b, act)
	if err != nil {
		return nil, err
	}
	ract := act
	if n.r.info().fails {
		// Rows the left operand decides (false for &&, true for ||) need
		// not be computed on the right, and must not fail there.
		s := &ev.slots[n.id]
		decided := packBools(s.bm[0], l.Bool[:rows])
		if n.and {
			for i := range decided {
				decided[i] = ^decided[i]
			}
		}
		if l.Valid != nil {
			for i := range decided {
				decided[i] &= l.Valid[i]
			}
		}
		s.bm[0] = decided
		s.bm[1] = andNot(s.bm[1], act, decided, rows)
		ract = s.bm[1]
		if noneSet(ract, rows) {
			return l, nil
		}
	}
	r, err := n.r.eval(ev, b, ract)
	if err != nil {
		return nil, err
	}
	out := ev.out(&n.base, rows)
	o, lb, rb := out.Bool[:rows], l.Bool[:rows], r.Bool[:rows]
	if n.and {
		for i := range o {
			o[i] = b2i(lb[i])&b2i(rb[i]) != 0
		}
	} else {
		for i := range o {
			o[i] = b2i(lb[i])|b2i(rb[i]) != 0
		}
	}
	if l.Valid == nil && r.Valid == nil {
		return out, nil
	}
	out.EnsureValid()
	w := nwords(rows)
	for k := 0; k < w; k++ {
		lv, rv := ^uint64(0), ^uint64(0)
		if l.Valid != nil {
			lv = l.Valid[k]
		}
		if r.Valid != nil {
			rv = r.Valid[k]
		}
		if lv&rv == ^uint64(0) {
			continue
		}
		lo, hi := k<<6, min(k<<6+64, rows)
		var lt, rt uint64
		for j := lo; j < hi; j++ {
			lt |= uint64(b2i(lb[j])) << uint(j-lo)
			rt |= uint64(b2i(rb[j])) << uint(j-lo)
		}
		if n.and {
			out.Valid[k] = lv&rv | lv&^lt | rv&^rt
		} else {
			out.Valid[k] = lv&rv | lv&lt | rv&rt
		}
	}
	return out, nil
}

// isNullNode is x == null (or x != null); never null itself.
type isNullNode struct {
	base
	negated bool
	x       node
}

func (c *compiler) isNull(e *ir.IsNull) (node, error) {
	x, err := c.expr(e.X)
	if err != nil {
		return nil, err
	}
	if e.T.Kind != types.Bool {
		return nil, bug("is_null yields %s", e.T)
	}
	n := &isNullNode{base: c.newBase(e), negated: e.Negated, x: x}
	n.fails = x.info().fails
	return n, nil
}

func (n *isNullNode) kids() []node { return []node{n.x} }

func (n *isNullNode) eval(ev *Evaluator, b *vector.Batch, act vector.Bitmap) (*vector.Vector, error) {
	rows := b.Len
	x, err := n.x.eval(ev, b, act)
	if err != nil {
		return nil, err
	}
	out := ev.out(&n.base, rows)
	o := out.Bool[:rows]
	if x.Valid == nil {
		fill(o, n.negated)
		return out, nil
	}
	for i := range o {
		o[i] = (x.Valid[i>>6]>>(uint(i)&63)&1 != 0) == n.negated
	}
	return out, nil
}

// nullFilter selects x == null or x != null from the bitmap.
type nullFilter struct{ n *isNullNode }

func (f nullFilter) sel(ev *Evaluator, b *vector.Batch, in []int32, out []int32) ([]int32, error) {
	n := f.n
	x, err := evalIn(ev, n.x, b, in, &n.base)
	if err != nil {
		return nil, err
	}
	rows := b.Len
	valid := x.Valid
	if valid == nil {
		if !n.negated {
			return out[:0], nil
		}
		if in != nil {
			return append(out[:0], in...), nil
		}
		out = out[:rows]
		for i := range out {
			out[i] = int32(i)
		}
		return out, nil
	}
	k := 0
	flipMask := uint64(0)
	if !n.negated {
		flipMask = ^uint64(0)
	}
	if in != nil {
		out = out[:len(in)]
		for _, i := range in {
			out[k] = i
			k += int((valid[i>>6] ^ flipMask) >> (uint(i) & 63) & 1)
		}
		return out[:k], nil
	}
	out = out[:rows]
	w := nwords(rows)
	for wi := 0; wi < w; wi++ {
		word := valid[wi] ^ flipMask
		if wi == w-1 {
			word &= lastMask(rows)
		}
		for word != 0 {
			j := bits.TrailingZeros64(word)
			out[k] = int32(wi<<6 + j)
			k++
			word &= word - 1
		}
	}
	return out[:k], nil
}

// condNode is cond ? then : else; a null condition takes else.
type condNode struct {
	base
	cond, then, els node
}

func (c *compiler) cond(e *ir.Cond) (node, error) {
	cn, err := c.expr(e.If)
	if err != nil {
		return nil, err
	}
	th, err := c.expr(e.Then)
	if err != nil {
		return nil, err
	}
	el, err := c.expr(e.Else)
	if err != nil {
		return nil, err
	}
	if cn.info().t.Kind != types.Bool || th.info().t != e.T || el.info().t != e.T {
		return nil, bug("? : with a %s condition and %s, %s results for %s", cn.info().t, th.info().t, el.info().t, e.T)
	}
	n := &condNode{base: c.newBase(e), cond: cn, then: th, els: el}
	n.fails = cn.info().fails || th.info().fails || el.info().fails
	return n, nil
}

func (n *condNode) kids() []node { return []node{n.cond, n.then, n.els} }

func (n *condNode) eval(ev *Evaluator, b *vector.Batch, act vector.Bitmap) (*vector.Vector, error) {
	rows := b.Len
	cv, err := n.cond.eval(ev, b, act)
	if err != nil {
		return nil, err
	}
	s := &ev.slots[n.id]
	taken := packBools(s.bm[0], cv.Bool[:rows])
	if cv.Valid != nil {
		for i := range taken {
			taken[i] &= cv.Valid[i]
		}
	}
	if act != nil {
		for i := range taken {
			taken[i] &= act[i]
		}
	}
	s.bm[0] = taken
	s.bm[1] = andNot(s.bm[1], act, taken, rows)
	other := s.bm[1]
	switch {
	case noneSet(taken, rows):
		return n.els.eval(ev, b, other)
	case noneSet(other, rows):
		return n.then.eval(ev, b, taken)
	}
	tv, err := n.then.eval(ev, b, taken)
	if err != nil {
		return nil, err
	}
	fv, err := n.els.eval(ev, b, other)
	if err != nil {
		return nil, err
	}
	out := ev.out(&n.base, rows)
	switch out.Phys {
	case vector.PhysBool:
		blend(out.Bool[:rows], tv.Bool, fv.Bool, taken)
	case vector.PhysInt32:
		blend(out.I32[:rows], tv.I32, fv.I32, taken)
	case vector.PhysInt64:
		blend(out.I64[:rows], tv.I64, fv.I64, taken)
	case vector.PhysFloat64:
		blend(out.F64[:rows], tv.F64, fv.F64, taken)
	case vector.PhysInt128:
		blend(out.I128[:rows], tv.I128, fv.I128, taken)
	case vector.PhysString:
		s.u8 = growT(s.u8, rows)
		for i := range s.u8 {
			s.u8[i] = 1 - uint8(taken[i>>6]>>(uint(i)&63)&1)
		}
		s.vecs = append(s.vecs[:0], tv, fv)
		pickStrings(ev, &n.base, s.vecs, s.u8, rows, out)
	}
	if tv.Valid != nil || fv.Valid != nil {
		out.EnsureValid()
		for k := range out.Valid[:nwords(rows)] {
			tvw, fvw := ^uint64(0), ^uint64(0)
			if tv.Valid != nil {
				tvw = tv.Valid[k]
			}
			if fv.Valid != nil {
				fvw = fv.Valid[k]
			}
			out.Valid[k] = taken[k]&tvw | ^taken[k]&fvw
		}
	}
	return out, nil
}

// blend sets o[i] to a[i] where mask has bit i, else b[i].
func blend[T any](o, a, b []T, mask vector.Bitmap) {
	rows := len(o)
	a, b = a[:rows], b[:rows]
	for k := 0; k < nwords(rows); k++ {
		lo, hi := k<<6, min(k<<6+64, rows)
		switch w := mask[k]; {
		case w == ^uint64(0):
			copy(o[lo:hi], a[lo:hi])
		case w == 0:
			copy(o[lo:hi], b[lo:hi])
		default:
			for j := lo; j < hi; j++ {
				if w>>(uint(j-lo))&1 != 0 {
					o[j] = a[j]
				} else {
					o[j] = b[j]
				}
			}
		}
	}
}

// pickStrings sets row i of out (a string vector just Reset) to row i of
// vecs[pick[i]]. When every source is dictionary-encoded the result is
// too, over the concatenation of their dictionaries (deduplicated when
// they are the same).
func pickStrings(ev *Evaluator, b *base, vecs []*vector.Vector, pick []uint8, rows int, out *vector.Vector) {
	allDict, total := true, 0
	for _, v := range vecs {
		if v.Dict == nil {
			allDict = false
			break
		}
		total += v.Dict.Len
	}
	if allDict && total <= max(rows, 64) {
		s := &ev.slots[b.id]
		s.i32 = growT(s.i32, len(vecs))
		starts := s.i32
		var dict *vector.Vector
		shared := true
		for _, v := range vecs[1:] {
			shared = shared && v.Dict == vecs[0].Dict
		}
		if shared {
			dict = vecs[0].Dict
			clear(starts)
		} else {
			dict = ev.dict(b, total)
			k := 0
			for j, v := range vecs {
				starts[j] = int32(k)
				for e := 0; e < v.Dict.Len; e++ {
					dict.AppendString(k, strAt(v.Dict, e))
					k++
				}
			}
		}
		out.Dict = dict
		out.Codes = growI32(out.Codes, rows)
		codes := out.Codes
		for i, p := range pick[:rows] {
			codes[i] = vecs[p].Codes[i] + starts[p]
		}
		return
	}
	for i, p := range pick[:rows] {
		out.AppendString(i, strAt(vecs[p], i))
	}
}

// coalesceNode returns its first non-null argument.
type coalesceNode struct {
	base
	args []node
}

func (n *coalesceNode) kids() []node { return n.args }

func (n *coalesceNode) eval(ev *Evaluator, b *vector.Batch, act vector.Bitmap) (*vector.Vector, error) {
	rows := b.Len
	v0, err := n.args[0].eval(ev, b, act)
	if err != nil {
		return nil, err
	}
	if v0.Valid == nil || len(n.args) == 1 {
		return v0, nil
	}
	s := &ev.slots[n.id]
	// need: the rows (that matter) still without a value.
	s.bm[0] = andNot(s.bm[0], act, v0.Valid, rows)
	need := s.bm[0]
	if noneSet(need, rows) {
		return v0, nil
	}
	out := ev.out(&n.base, rows)
	str := out.Phys == vector.PhysString
	if str {
		s.u8 = growT(s.u8, rows)
		clear(s.u8)
		s.vecs = append(s.vecs[:0], v0)
	} else {
		copyValues(out, v0, rows)
	}
	copyValid(out, v0.Valid, rows)
	for j := 1; j < len(n.args); j++ {
		v, err := n.args[j].eval(ev, b, need)
		if err != nil {
			return nil, err
		}
		if str {
			s.vecs = append(s.vecs, v)
		}
		for k := range need[:nwords(rows)] {
			take := need[k]
			if k == nwords(rows)-1 {
				take &= lastMask(rows)
			}
			if v.Valid != nil {
				take &= v.Valid[k]
			}
			if take == 0 {
				continue
			}
			need[k] &^= take
			out.Valid[k] |= take
			for w := take; w != 0; w &= w - 1 {
				i := k<<6 + bits.TrailingZeros64(w)
				if str {
					s.u8[i] = uint8(j)
				} else {
					copyValue(out, v, i)
				}
			}
		}
		if noneSet(need, rows) {
			break
		}
	}
	if str {
		pickStrings(ev, &n.base, s.vecs, s.u8, rows, out)
	}
	return out, nil
}

// copyValues copies the fixed-width values of src's first n rows.
func copyValues(dst, src *vector.Vector, n int) {
	switch dst.Phys {
	case vector.PhysBool:
		copy(dst.Bool[:n], src.Bool[:n])
	case vector.PhysInt32:
		copy(dst.I32[:n], src.I32[:n])
	case vector.PhysInt64:
		copy(dst.I64[:n], src.I64[:n])
	case vector.PhysFloat64:
		copy(dst.F64[:n], src.F64[:n])
	case vector.PhysInt128:
		copy(dst.I128[:n], src.I128[:n])
	}
}

// copyValue copies row i (coalesce's slow path: only rows filled late).
func copyValue(dst, src *vector.Vector, i int) {
	switch dst.Phys {
	case vector.PhysBool:
		dst.Bool[i] = src.Bool[i]
	case vector.PhysInt32:
		dst.I32[i] = src.I32[i]
	case vector.PhysInt64:
		dst.I64[i] = src.I64[i]
	case vector.PhysFloat64:
		dst.F64[i] = src.F64[i]
	case vector.PhysInt128:
		dst.I128[i] = src.I128[i]
	}
}
