package eval

import (
	"bytes"
	"encoding/binary"

	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
)

// num is the physical types compared and computed with Go's operators
// (float64 comparisons go through floatcmp.go's total order, except where
// IEEE's agrees with it).
type num interface {
	~int32 | ~int64 | ~float64
}

// testTable maps the sign of a three-way comparison (index cmp+1) to the
// result of op.
func testTable(op ir.BinaryOp) [3]bool {
	switch op {
	case ir.Eq:
		return [3]bool{false, true, false}
	case ir.Ne:
		return [3]bool{true, false, true}
	case ir.Lt:
		return [3]bool{true, false, false}
	case ir.Le:
		return [3]bool{true, true, false}
	case ir.Gt:
		return [3]bool{false, false, true}
	}
	return [3]bool{false, true, true} // Ge
}

// cmpNode compares two operands of one type; c is set when one of them is
// a constant (then x op c, the operator flipped if needed).
type cmpNode struct {
	base
	op   ir.BinaryOp
	l, r node
	x    node
	c    *constNode
	phys vector.Physical
}

func (c *compiler) compare(e *ir.Binary, l, r node) (node, error) {
	lt, rt := l.info().t, r.info().t
	if lt != rt {
		return nil, bug("%s compares %s with %s", e.Op, lt, rt)
	}
	n := &cmpNode{base: c.newBase(e), op: e.Op, l: l, r: r, phys: vector.PhysicalOf(lt)}
	if lc, ok := asConst(l); ok {
		n.x, n.c, n.op = r, lc, e.Op.Mirror()
	} else if rc, ok := asConst(r); ok {
		n.x, n.c = l, rc
	}
	n.fails = l.info().fails || r.info().fails
	return n, nil
}

func (n *cmpNode) kids() []node { return []node{n.l, n.r} }

func (n *cmpNode) eval(ev *Evaluator, b *vector.Batch, act vector.Bitmap) (*vector.Vector, error) {
	rows := b.Len
	if n.c != nil {
		x, err := n.x.eval(ev, b, act)
		if err != nil {
			return nil, err
		}
		out := ev.out(&n.base, rows)
		if n.c.val.null {
			setAllNull(out, rows)
			return out, nil
		}
		cmpConst(ev, &n.base, n.op, n.phys, x, n.c.val, rows, out.Bool)
		copyValid(out, x.Valid, rows)
		return out, nil
	}
	l, err := n.l.eval(ev, b, act)
	if err != nil {
		return nil, err
	}
	r, err := n.r.eval(ev, b, act)
	if err != nil {
		return nil, err
	}
	out := ev.out(&n.base, rows)
	switch n.phys {
	case vector.PhysInt32:
		cmpVV(n.op, l.I32[:rows], r.I32[:rows], out.Bool)
	case vector.PhysInt64:
		cmpVV(n.op, l.I64[:rows], r.I64[:rows], out.Bool)
	case vector.PhysFloat64:
		cmpF64VV(n.op, l.F64[:rows], r.F64[:rows], out.Bool)
	case vector.PhysInt128:
		t := testTable(n.op)
		lv, rv, o := l.I128[:rows], r.I128[:rows], out.Bool[:rows]
		for i := range o {
			o[i] = t[lv[i].Cmp(rv[i])+1]
		}
	case vector.PhysBool:
		var t [4]bool
		for i := range 4 {
			t[i] = boolCmp(n.op, i>>1 == 1, i&1 == 1)
		}
		lv, rv, o := l.Bool[:rows], r.Bool[:rows], out.Bool[:rows]
		for i := range o {
			o[i] = t[b2i(lv[i])<<1|b2i(rv[i])]
		}
	case vector.PhysString:
		cmpStrings(n.op, l, r, rows, out.Bool)
	}
	andValid(out, l.Valid, r.Valid, rows)
	return out, nil
}

// boolCmp compares bools: false < true.
func boolCmp(op ir.BinaryOp, a, b bool) bool {
	return testTable(op)[b2i(a)-b2i(b)+1]
}

// cmpConst computes x op c into out (validity is the caller's).
func cmpConst(ev *Evaluator, b *base, op ir.BinaryOp, phys vector.Physical, x *vector.Vector, c scalar, rows int, out []bool) {
	switch phys {
	case vector.PhysInt32:
		cmpVC(op, x.I32[:rows], int32(c.i), out)
	case vector.PhysInt64:
		cmpVC(op, x.I64[:rows], c.i, out)
	case vector.PhysFloat64:
		cmpF64VC(op, x.F64[:rows], c.f, out)
	case vector.PhysInt128:
		t := testTable(op)
		xv, o := x.I128[:rows], out[:rows]
		for i := range o {
			o[i] = t[xv[i].Cmp(c.d)+1]
		}
	case vector.PhysBool:
		t := [2]bool{boolCmp(op, false, c.b), boolCmp(op, true, c.b)}
		xv, o := x.Bool[:rows], out[:rows]
		for i := range o {
			o[i] = t[b2i(xv[i])]
		}
	case vector.PhysString:
		s := &ev.slots[b.id]
		s.bools = matchStrings(newCmpMatcher(op, c.s), x, rows, s.bools, out)
	}
}

func cmpVC[T num](op ir.BinaryOp, a []T, c T, out []bool) {
	out = out[:len(a)]
	switch op {
	case ir.Eq:
		for i, x := range a {
			out[i] = x == c
		}
	case ir.Ne:
		for i, x := range a {
			out[i] = x != c
		}
	case ir.Lt:
		for i, x := range a {
			out[i] = x < c
		}
	case ir.Le:
		for i, x := range a {
			out[i] = x <= c
		}
	case ir.Gt:
		for i, x := range a {
			out[i] = x > c
		}
	case ir.Ge:
		for i, x := range a {
			out[i] = x >= c
		}
	}
}

func cmpVV[T num](op ir.BinaryOp, a, b []T, out []bool) {
	out = out[:len(a)]
	b = b[:len(a)]
	switch op {
	case ir.Eq:
		for i, x := range a {
			out[i] = x == b[i]
		}
	case ir.Ne:
		for i, x := range a {
			out[i] = x != b[i]
		}
	case ir.Lt:
		for i, x := range a {
			out[i] = x < b[i]
		}
	case ir.Le:
		for i, x := range a {
			out[i] = x <= b[i]
		}
	case ir.Gt:
		for i, x := range a {
			out[i] = x > b[i]
		}
	case ir.Ge:
		for i, x := range a {
			out[i] = x >= b[i]
		}
	}
}

// selVC appends to out (capacity ≥ the rows) the rows of a (those of in
// when in is not nil) where x op c. out may alias in.
func selVC[T num](op ir.BinaryOp, a []T, c T, in []int32, out []int32) []int32 {
	k := 0
	if in == nil {
		out = out[:len(a)]
		switch op {
		case ir.Eq:
			for i, x := range a {
				out[k] = int32(i)
				k += b2i(x == c)
			}
		case ir.Ne:
			for i, x := range a {
				out[k] = int32(i)
				k += b2i(x != c)
			}
		case ir.Lt:
			for i, x := range a {
				out[k] = int32(i)
				k += b2i(x < c)
			}
		case ir.Le:
			for i, x := range a {
				out[k] = int32(i)
				k += b2i(x <= c)
			}
		case ir.Gt:
			for i, x := range a {
				out[k] = int32(i)
				k += b2i(x > c)
			}
		case ir.Ge:
			for i, x := range a {
				out[k] = int32(i)
				k += b2i(x >= c)
			}
		}
		return out[:k]
	}
	out = out[:len(in)]
	switch op {
	case ir.Eq:
		for _, i := range in {
			out[k] = i
			k += b2i(a[i] == c)
		}
	case ir.Ne:
		for _, i := range in {
			out[k] = i
			k += b2i(a[i] != c)
		}
	case ir.Lt:
		for _, i := range in {
			out[k] = i
			k += b2i(a[i] < c)
		}
	case ir.Le:
		for _, i := range in {
			out[k] = i
			k += b2i(a[i] <= c)
		}
	case ir.Gt:
		for _, i := range in {
			out[k] = i
			k += b2i(a[i] > c)
		}
	case ir.Ge:
		for _, i := range in {
			out[k] = i
			k += b2i(a[i] >= c)
		}
	}
	return out[:k]
}

// sel128 is selVC for 128-bit decimals.
func sel128(op ir.BinaryOp, a []decimal.Int128, c decimal.Int128, in []int32, out []int32) []int32 {
	t := testTable(op)
	k := 0
	if in == nil {
		out = out[:len(a)]
		for i := range a {
			out[k] = int32(i)
			k += b2i(t[a[i].Cmp(c)+1])
		}
		return out[:k]
	}
	out = out[:len(in)]
	for _, i := range in {
		out[k] = i
		k += b2i(t[a[i].Cmp(c)+1])
	}
	return out[:k]
}

func selBool(op ir.BinaryOp, a []bool, c bool, in []int32, out []int32) []int32 {
	t := [2]bool{boolCmp(op, false, c), boolCmp(op, true, c)}
	k := 0
	if in == nil {
		out = out[:len(a)]
		for i, x := range a {
			out[k] = int32(i)
			k += b2i(t[b2i(x)])
		}
		return out[:k]
	}
	out = out[:len(in)]
	for _, i := range in {
		out[k] = i
		k += b2i(t[b2i(a[i])])
	}
	return out[:k]
}

// cmpStrings compares two string vectors row by row.
func cmpStrings(op ir.BinaryOp, l, r *vector.Vector, rows int, out []bool) {
	out = out[:rows]
	if op == ir.Eq || op == ir.Ne {
		want := op == ir.Eq
		if l.Dict == nil && r.Dict == nil {
			lo, ro := l.Offsets[:rows+1], r.Offsets[:rows+1]
			for i := range out {
				ls, rs := l.Bytes[lo[i]:lo[i+1]], r.Bytes[ro[i]:ro[i+1]]
				out[i] = (len(ls) == len(rs) && bytes.Equal(ls, rs)) == want
			}
			return
		}
		for i := range out {
			out[i] = bytes.Equal(strAt(l, i), strAt(r, i)) == want
		}
		return
	}
	t := testTable(op)
	for i := range out {
		out[i] = t[bytes.Compare(strAt(l, i), strAt(r, i))+1]
	}
}

// cmpMatcher tests s op c for a constant string c.
type cmpMatcher struct {
	c    []byte
	test [3]bool
	// eq is 1 for ==, 2 for != (a length check first), 0 for orderings.
	eq int8
	// word packs c when it has at most 8 bytes (short): equality is then
	// one comparison of words.
	word  uint64
	short bool
}

func newCmpMatcher(op ir.BinaryOp, c []byte) cmpMatcher {
	m := cmpMatcher{c: c, test: testTable(op)}
	switch op {
	case ir.Eq:
		m.eq = 1
	case ir.Ne:
		m.eq = 2
	}
	if len(c) <= 8 {
		m.word, m.short = pack8(c), true
	}
	return m
}

func (m cmpMatcher) equal(s []byte) bool {
	if len(s) != len(m.c) {
		return false
	}
	if m.short {
		return pack8(s) == m.word
	}
	return string(s) == string(m.c)
}

func (m cmpMatcher) matchAt(data []byte, start, end int32) bool {
	if m.eq != 0 && m.short {
		if w, ok := loadShort(data, start, end); ok {
			return (w == m.word && int(end-start) == len(m.c)) == (m.eq == 1)
		}
	}
	return m.match(data[start:end])
}

func (m cmpMatcher) match(s []byte) bool {
	switch m.eq {
	case 1:
		return m.equal(s)
	case 2:
		return !m.equal(s)
	}
	return m.test[bytes.Compare(s, m.c)+1]
}

// strMatcher is a predicate over strings. Implementations are small
// structs of distinct shapes so that the generic loops below are compiled
// once per matcher, with calls direct.
type strMatcher interface {
	match(s []byte) bool
	// matchAt matches data[start:end] of a flat buffer; it may load the 8
	// bytes at start in one word when the buffer has them.
	matchAt(data []byte, start, end int32) bool
}

// lenMask[n] keeps the first n bytes of a little-endian word.
var lenMask = [9]uint64{0, 0xff, 0xffff, 0xffffff, 0xffffffff, 0xffffffffff, 0xffffffffffff, 0xffffffffffffff, ^uint64(0)}

// loadShort returns data[start:end] packed in a word, when it is at most
// 8 bytes long and 8 bytes can be read at start.
func loadShort(data []byte, start, end int32) (uint64, bool) {
	n := end - start
	if n < 0 || n > 8 || int(start)+8 > len(data) || start < 0 {
		return 0, false
	}
	return binary.LittleEndian.Uint64(data[start:]) & lenMask[n], true
}

// dictWorthIt reports whether evaluating once per dictionary entry is
// cheaper than once per row.
func dictWorthIt(v *vector.Vector, rows int) bool {
	return v.Dict != nil && v.Dict.Len <= max(rows, 64)
}

// matchStrings computes m for the rows strings of v into out; a
// dictionary-encoded v is matched once per entry (in tab, returned for
// reuse) and mapped through the codes. Null rows get undefined results.
func matchStrings[M strMatcher](m M, v *vector.Vector, rows int, tab []bool, out []bool) []bool {
	out = out[:rows]
	if v.Dict != nil {
		d := v.Dict
		codes := v.Codes[:rows]
		if !dictWorthIt(v, rows) {
			for i, c := range codes {
				out[i] = uint(c) < uint(d.Len) && m.match(d.String(int(c)))
			}
			return tab
		}
		tab = growT(tab, d.Len)
		matchFlat(m, d, d.Len, tab)
		for i, c := range codes {
			out[i] = uint(c) < uint(len(tab)) && tab[c]
		}
		return tab
	}
	matchFlat(m, v, rows, out)
	return tab
}

func matchFlat[M strMatcher](m M, v *vector.Vector, rows int, out []bool) {
	off := v.Offsets[:rows+1]
	data := v.Bytes
	out = out[:rows]
	for i := range out {
		out[i] = m.matchAt(data, off[i], off[i+1])
	}
}

// selectStrings appends to out the rows (of in, or all) whose string
// matches m; null rows are the caller's to drop.
func selectStrings[M strMatcher](m M, v *vector.Vector, rows int, in []int32, tab []bool, out []int32) ([]int32, []bool) {
	k := 0
	if in == nil {
		out = out[:rows]
	} else {
		out = out[:len(in)]
	}
	if v.Dict != nil && dictWorthIt(v, rows) {
		d := v.Dict
		tab = growT(tab, d.Len)
		matchFlat(m, d, d.Len, tab)
		codes := v.Codes[:rows]
		if in == nil {
			for i, c := range codes {
				out[k] = int32(i)
				k += b2i(uint(c) < uint(len(tab)) && tab[c])
			}
		} else {
			for _, i := range in {
				c := codes[i]
				out[k] = i
				k += b2i(uint(c) < uint(len(tab)) && tab[c])
			}
		}
		return out[:k], tab
	}
	if v.Dict != nil {
		d := v.Dict
		codes := v.Codes[:rows]
		if in == nil {
			for i, c := range codes {
				out[k] = int32(i)
				k += b2i(uint(c) < uint(d.Len) && m.match(d.String(int(c))))
			}
		} else {
			for _, i := range in {
				c := codes[i]
				out[k] = i
				k += b2i(uint(c) < uint(d.Len) && m.match(d.String(int(c))))
			}
		}
		return out[:k], tab
	}
	off := v.Offsets[:rows+1]
	data := v.Bytes
	if in == nil {
		for i := 0; i < rows; i++ {
			out[k] = int32(i)
			k += b2i(m.matchAt(data, off[i], off[i+1]))
		}
	} else {
		for _, i := range in {
			out[k] = i
			k += b2i(m.matchAt(data, off[i], off[i+1]))
		}
	}
	return out[:k], tab
}

// cmpFilter selects x op c straight into the selection.
type cmpFilter struct {
	n *cmpNode
}

func (f cmpFilter) sel(ev *Evaluator, b *vector.Batch, in []int32, out []int32) ([]int32, error) {
	n := f.n
	x, err := evalIn(ev, n.x, b, in, &n.base)
	if err != nil {
		return nil, err
	}
	c := n.c.val
	if c.null {
		return out[:0], nil
	}
	rows := b.Len
	switch n.phys {
	case vector.PhysInt32:
		out = selVC(n.op, x.I32[:rows], int32(c.i), in, out)
	case vector.PhysInt64:
		out = selVC(n.op, x.I64[:rows], c.i, in, out)
	case vector.PhysFloat64:
		out = selF64VC(n.op, x.F64[:rows], c.f, in, out)
	case vector.PhysInt128:
		out = sel128(n.op, x.I128[:rows], c.d, in, out)
	case vector.PhysBool:
		out = selBool(n.op, x.Bool[:rows], c.b, in, out)
	case vector.PhysString:
		s := &ev.slots[n.id]
		out, s.bools = selectStrings(newCmpMatcher(n.op, c.s), x, rows, in, s.bools, out)
	}
	return keepValid(out, x.Valid), nil
}

// evalIn evaluates x for a filter over the rows in (all when nil): the
// other rows raise no errors.
func evalIn(ev *Evaluator, x node, b *vector.Batch, in []int32, owner *base) (*vector.Vector, error) {
	var act vector.Bitmap
	if in != nil && x.info().fails {
		s := &ev.slots[owner.id]
		s.selBm = selBitmap(s.selBm, in, b.Len)
		act = s.selBm
	}
	return x.eval(ev, b, act)
}
