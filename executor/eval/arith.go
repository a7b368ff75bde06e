package eval

import (
	"math"
	"math/bits"

	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// arithKind is the kernel family of an arithmetic node.
type arithKind uint8

const (
	akInt32 arithKind = iota + 1
	akInt64
	akFloat
	// akDec64: decimal operands and result stored as int64.
	akDec64
	// akDec64to128: int64 operands, Int128 result (decimal(18,s) + … is
	// decimal(19,s)); never overflows.
	akDec64to128
	// akDec128: Int128 result computed from Int128 operands.
	akDec128
)

// arithNode computes l op r for + - * / %.
type arithNode struct {
	base
	op     ir.BinaryOp
	l, r   node
	lc, rc *constNode
	kind   arithKind
	// check says a decimal result may exceed its precision.
	check bool
	// rescale is the number of digits dropped from a decimal product whose
	// scale was capped at 38.
	rescale int
}

func (c *compiler) arith(e *ir.Binary, l, r node) (node, error) {
	lt, rt, t := l.info().t, r.info().t, e.T
	n := &arithNode{base: c.newBase(e), op: e.Op, l: l, r: r}
	n.lc, _ = asConst(l)
	n.rc, _ = asConst(r)
	if n.lc != nil && n.rc != nil {
		n.lc = nil // folded unless it fails: the left one is broadcast
	}
	if lt != rt && !(e.Op == ir.Mul && lt.Kind == types.Decimal && rt.Kind == types.Decimal) {
		return nil, bug("%s of %s and %s", e.Op, lt, rt)
	}
	switch {
	case e.Op == ir.Div:
		if lt.Kind != types.Float64 || t.Kind != types.Float64 {
			return nil, bug("/ of %s yields %s; the compiler divides float64s", lt, t)
		}
		n.kind = akFloat
	case lt.Kind == types.Int32 || lt.Kind == types.Int64:
		if t != lt {
			return nil, bug("%s of %s yields %s", e.Op, lt, t)
		}
		n.kind = akInt64
		if lt.Kind == types.Int32 {
			n.kind = akInt32
		}
		if e.Op != ir.Mod {
			c.failing(&n.base, e)
		}
	case lt.Kind == types.Float64:
		if t != lt {
			return nil, bug("%s of %s yields %s", e.Op, lt, t)
		}
		n.kind = akFloat
	case lt.Kind == types.Decimal:
		if t.Kind != types.Decimal {
			return nil, bug("%s of %s yields %s", e.Op, lt, t)
		}
		if err := n.decimalKind(lt, rt, t); err != nil {
			return nil, err
		}
		if n.check || n.kind == akDec128 && e.Op == ir.Mul {
			c.failing(&n.base, e)
		}
	default:
		return nil, bug("%s of %s", e.Op, lt)
	}
	n.fails = n.fails || l.info().fails || r.info().fails
	return n, nil
}

// decimalKind picks the decimal kernel from the operand and result types.
func (n *arithNode) decimalKind(lt, rt, t types.Type) error {
	lp, rp, p := int(lt.Precision), int(rt.Precision), int(t.Precision)
	switch n.op {
	case ir.Add, ir.Sub:
		if t.Scale != lt.Scale || p != min(lp+1, types.MaxDecimalPrecision) {
			return bug("%s of %s yields %s", n.op, lt, t)
		}
		switch {
		case p <= 18:
			n.kind = akDec64
		case lp <= 18:
			n.kind = akDec64to128
		default:
			n.kind = akDec128
			n.check = lp+1 > p
		}
	case ir.Mul:
		s := int(lt.Scale) + int(rt.Scale)
		if p != min(lp+rp, types.MaxDecimalPrecision) || int(t.Scale) != min(s, p) {
			return bug("* of %s and %s yields %s", lt, rt, t)
		}
		switch {
		case lp+rp <= 18:
			n.kind = akDec64
		case lp <= 18 && rp <= 18:
			n.kind = akDec64to128
		default:
			n.kind = akDec128
			n.rescale = s - int(t.Scale)
			n.check = lp+rp > p
		}
	case ir.Mod:
		if t != lt {
			return bug("%% of %s yields %s", lt, t)
		}
		n.kind = akDec64
		if p > 18 {
			n.kind = akDec128
		}
	default:
		return bug("%s of decimals", n.op)
	}
	return nil
}

func (n *arithNode) kids() []node { return []node{n.l, n.r} }

// operands evaluates the non-constant operands.
func (n *arithNode) operands(ev *Evaluator, b *vector.Batch, act vector.Bitmap) (l, r *vector.Vector, err error) {
	if n.lc == nil || n.kind == akDec128 {
		if l, err = n.l.eval(ev, b, act); err != nil {
			return nil, nil, err
		}
	}
	if n.rc == nil || n.kind == akDec128 {
		if r, err = n.r.eval(ev, b, act); err != nil {
			return nil, nil, err
		}
	}
	return l, r, nil
}

func (n *arithNode) eval(ev *Evaluator, b *vector.Batch, act vector.Bitmap) (*vector.Vector, error) {
	rows := b.Len
	l, r, err := n.operands(ev, b, act)
	if err != nil {
		return nil, err
	}
	out := ev.out(&n.base, rows)
	var lvalid, rvalid vector.Bitmap
	if l != nil {
		lvalid = l.Valid
	}
	if r != nil {
		rvalid = r.Valid
	}
	if (n.lc != nil && n.lc.val.null) || (n.rc != nil && n.rc.val.null) {
		setAllNull(out, rows)
		return out, nil
	}
	andValid(out, lvalid, rvalid, rows)
	var ovf, zero bool
	switch n.kind {
	case akInt32:
		ovf, zero = n.int32s(l, r, rows, out)
	case akInt64, akDec64:
		ovf, zero = n.int64s(l, r, rows, out)
	case akFloat:
		zero = n.floats(l, r, rows, out)
	case akDec64to128:
		n.dec64to128(ev, l, r, rows, out)
	case akDec128:
		ovf, zero = n.dec128(ev, l, r, rows, out)
	}
	if zero {
		n.nullZeroDivisors(r, rows, out)
	}
	if ovf {
		if err := n.overflow(l, r, rows, act, out.Valid); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// nullZeroDivisors makes x / 0 and x % 0 null.
func (n *arithNode) nullZeroDivisors(r *vector.Vector, rows int, out *vector.Vector) {
	if n.rc != nil {
		setAllNull(out, rows)
		return
	}
	out.EnsureValid()
	switch r.Phys {
	case vector.PhysInt32:
		for i, d := range r.I32[:rows] {
			if d == 0 {
				out.Valid.Clear(i)
			}
		}
	case vector.PhysInt64:
		for i, d := range r.I64[:rows] {
			if d == 0 {
				out.Valid.Clear(i)
			}
		}
	case vector.PhysFloat64:
		for i, d := range r.F64[:rows] {
			if d == 0 {
				out.Valid.Clear(i)
			}
		}
	case vector.PhysInt128:
		for i, d := range r.I128[:rows] {
			if d == (decimal.Int128{}) {
				out.Valid.Clear(i)
			}
		}
	}
}

func (n *arithNode) int32s(l, r *vector.Vector, rows int, out *vector.Vector) (ovf, zero bool) {
	o := out.I32[:rows]
	switch {
	case n.rc != nil:
		c := int32(n.rc.val.i)
		a := l.I32[:rows]
		switch n.op {
		case ir.Add:
			return addI32C(a, c, o), false
		case ir.Sub:
			return subI32C(a, c, o), false
		case ir.Mul:
			return mulI32C(a, c, o), false
		case ir.Mod:
			return false, modVC(a, c, o)
		}
	case n.lc != nil:
		c := int32(n.lc.val.i)
		a := r.I32[:rows]
		switch n.op {
		case ir.Add:
			return addI32C(a, c, o), false
		case ir.Sub:
			return subCI32(c, a, o), false
		case ir.Mul:
			return mulI32C(a, c, o), false
		case ir.Mod:
			return false, modCV(c, a, o)
		}
	default:
		a, b := l.I32[:rows], r.I32[:rows]
		switch n.op {
		case ir.Add:
			return addI32(a, b, o), false
		case ir.Sub:
			return subI32(a, b, o), false
		case ir.Mul:
			return mulI32(a, b, o), false
		case ir.Mod:
			return false, modVV(a, b, o)
		}
	}
	return false, false
}

func (n *arithNode) int64s(l, r *vector.Vector, rows int, out *vector.Vector) (ovf, zero bool) {
	o := out.I64[:rows]
	switch {
	case n.rc != nil:
		c := n.rc.val.i
		a := l.I64[:rows]
		switch n.op {
		case ir.Add:
			return addI64C(a, c, o), false
		case ir.Sub:
			return subI64C(a, c, o), false
		case ir.Mul:
			return mulI64C(a, c, o), false
		case ir.Mod:
			return false, modVC(a, c, o)
		}
	case n.lc != nil:
		c := n.lc.val.i
		a := r.I64[:rows]
		switch n.op {
		case ir.Add:
			return addI64C(a, c, o), false
		case ir.Sub:
			return subCI64(c, a, o), false
		case ir.Mul:
			return mulI64C(a, c, o), false
		case ir.Mod:
			return false, modCV(c, a, o)
		}
	default:
		a, b := l.I64[:rows], r.I64[:rows]
		switch n.op {
		case ir.Add:
			return addI64(a, b, o), false
		case ir.Sub:
			return subI64(a, b, o), false
		case ir.Mul:
			return mulI64(a, b, o), false
		case ir.Mod:
			return false, modVV(a, b, o)
		}
	}
	return false, false
}

func (n *arithNode) floats(l, r *vector.Vector, rows int, out *vector.Vector) (zero bool) {
	o := out.F64[:rows]
	switch {
	case n.rc != nil:
		c := n.rc.val.f
		a := l.F64[:rows]
		switch n.op {
		case ir.Add:
			for i, x := range a {
				o[i] = x + c
			}
		case ir.Sub:
			for i, x := range a {
				o[i] = x - c
			}
		case ir.Mul:
			for i, x := range a {
				o[i] = x * c
			}
		case ir.Div:
			if c == 0 {
				return true
			}
			for i, x := range a {
				o[i] = x / c
			}
		case ir.Mod:
			if c == 0 {
				return true
			}
			for i, x := range a {
				o[i] = math.Mod(x, c)
			}
		}
	case n.lc != nil:
		c := n.lc.val.f
		a := r.F64[:rows]
		switch n.op {
		case ir.Add:
			for i, x := range a {
				o[i] = c + x
			}
		case ir.Sub:
			for i, x := range a {
				o[i] = c - x
			}
		case ir.Mul:
			for i, x := range a {
				o[i] = c * x
			}
		case ir.Div:
			for i, x := range a {
				o[i] = c / x
				zero = zero || x == 0
			}
		case ir.Mod:
			for i, x := range a {
				o[i] = math.Mod(c, x)
				zero = zero || x == 0
			}
		}
	default:
		a, b := l.F64[:rows], r.F64[:rows]
		switch n.op {
		case ir.Add:
			for i, x := range a {
				o[i] = x + b[i]
			}
		case ir.Sub:
			for i, x := range a {
				o[i] = x - b[i]
			}
		case ir.Mul:
			for i, x := range a {
				o[i] = x * b[i]
			}
		case ir.Div:
			for i, x := range a {
				y := b[i]
				o[i] = x / y
				zero = zero || y == 0
			}
		case ir.Mod:
			for i, x := range a {
				y := b[i]
				o[i] = math.Mod(x, y)
				zero = zero || y == 0
			}
		}
	}
	return zero
}

// The integer kernels below compute every row and report whether some
// row overflowed; the caller then finds the first row that matters.
// Overflow bits are accumulated without branches.

func addI64(a, b, o []int64) bool {
	b = b[:len(a)]
	o = o[:len(a)]
	var f int64
	for i, x := range a {
		y := b[i]
		s := x + y
		o[i] = s
		f |= (s ^ x) & (s ^ y)
	}
	return f < 0
}

func addI64C(a []int64, c int64, o []int64) bool {
	o = o[:len(a)]
	var f int64
	for i, x := range a {
		s := x + c
		o[i] = s
		f |= (s ^ x) & (s ^ c)
	}
	return f < 0
}

func subI64(a, b, o []int64) bool {
	b = b[:len(a)]
	o = o[:len(a)]
	var f int64
	for i, x := range a {
		y := b[i]
		s := x - y
		o[i] = s
		f |= (x ^ y) & (s ^ x)
	}
	return f < 0
}

func subI64C(a []int64, c int64, o []int64) bool {
	o = o[:len(a)]
	var f int64
	for i, x := range a {
		s := x - c
		o[i] = s
		f |= (x ^ c) & (s ^ x)
	}
	return f < 0
}

func subCI64(c int64, b []int64, o []int64) bool {
	o = o[:len(b)]
	var f int64
	for i, y := range b {
		s := c - y
		o[i] = s
		f |= (c ^ y) & (s ^ c)
	}
	return f < 0
}

// mul64 returns x*y and, negative when it overflowed, a flag: the high
// word of the signed 128-bit product must be the sign of the low word.
func mul64(x, y int64) (int64, int64) {
	hi, lo := bits.Mul64(uint64(x), uint64(y))
	shi := int64(hi) - (x>>63)&y - (y>>63)&x
	return int64(lo), shi ^ int64(lo)>>63
}

func mulI64(a, b, o []int64) bool {
	b = b[:len(a)]
	o = o[:len(a)]
	var f int64
	for i, x := range a {
		p, bad := mul64(x, b[i])
		o[i] = p
		f |= bad
	}
	return f != 0
}

func mulI64C(a []int64, c int64, o []int64) bool {
	o = o[:len(a)]
	var f int64
	for i, x := range a {
		p, bad := mul64(x, c)
		o[i] = p
		f |= bad
	}
	return f != 0
}

func addI32(a, b, o []int32) bool {
	b = b[:len(a)]
	o = o[:len(a)]
	var f int64
	for i, x := range a {
		s := int64(x) + int64(b[i])
		o[i] = int32(s)
		f |= s ^ int64(int32(s))
	}
	return f != 0
}

func addI32C(a []int32, c int32, o []int32) bool {
	o = o[:len(a)]
	var f int64
	for i, x := range a {
		s := int64(x) + int64(c)
		o[i] = int32(s)
		f |= s ^ int64(int32(s))
	}
	return f != 0
}

func subI32(a, b, o []int32) bool {
	b = b[:len(a)]
	o = o[:len(a)]
	var f int64
	for i, x := range a {
		s := int64(x) - int64(b[i])
		o[i] = int32(s)
		f |= s ^ int64(int32(s))
	}
	return f != 0
}

func subI32C(a []int32, c int32, o []int32) bool {
	o = o[:len(a)]
	var f int64
	for i, x := range a {
		s := int64(x) - int64(c)
		o[i] = int32(s)
		f |= s ^ int64(int32(s))
	}
	return f != 0
}

func subCI32(c int32, b []int32, o []int32) bool {
	o = o[:len(b)]
	var f int64
	for i, y := range b {
		s := int64(c) - int64(y)
		o[i] = int32(s)
		f |= s ^ int64(int32(s))
	}
	return f != 0
}

func mulI32(a, b, o []int32) bool {
	b = b[:len(a)]
	o = o[:len(a)]
	var f int64
	for i, x := range a {
		s := int64(x) * int64(b[i])
		o[i] = int32(s)
		f |= s ^ int64(int32(s))
	}
	return f != 0
}

func mulI32C(a []int32, c int32, o []int32) bool {
	o = o[:len(a)]
	var f int64
	for i, x := range a {
		s := int64(x) * int64(c)
		o[i] = int32(s)
		f |= s ^ int64(int32(s))
	}
	return f != 0
}

// The remainder kernels report a zero divisor (the row becomes null).
// Go's % never traps: MinInt % -1 is 0.

func modVV[T ~int32 | ~int64](a, b, o []T) bool {
	b = b[:len(a)]
	o = o[:len(a)]
	zero := false
	for i, x := range a {
		y := b[i]
		if y == 0 {
			zero = true
			o[i] = 0
			continue
		}
		o[i] = x % y
	}
	return zero
}

func modVC[T ~int32 | ~int64](a []T, c T, o []T) bool {
	if c == 0 {
		return true
	}
	o = o[:len(a)]
	for i, x := range a {
		o[i] = x % c
	}
	return false
}

func modCV[T ~int32 | ~int64](c T, b, o []T) bool {
	o = o[:len(b)]
	zero := false
	for i, y := range b {
		if y == 0 {
			zero = true
			o[i] = 0
			continue
		}
		o[i] = c % y
	}
	return zero
}

// overflow finds the first row that matters whose result does not fit and
// returns its error; overflows in rows that are null or not needed are
// ignored (their values are undefined).
func (n *arithNode) overflow(l, r *vector.Vector, rows int, act, valid vector.Bitmap) error {
	lt, rt := n.l.info().t, n.r.info().t
	for i := 0; i < rows; i++ {
		if !live(i, act, valid) {
			continue
		}
		x, y := operandBig(n.lc, l, lt, i), operandBig(n.rc, r, rt, i)
		if !bigResultFits(n.op, x, y, lt, rt, n.t) {
			v := scalarText(lt, operandScalar(n.lc, l, i)) + " " + n.op.String() + " " + scalarText(rt, operandScalar(n.rc, r, i))
			return n.fail(i, v, "%s does not fit %s", v, n.t)
		}
	}
	return nil
}

// operandScalar reads row i of an operand (a constant or a vector).
func operandScalar(c *constNode, v *vector.Vector, i int) scalar {
	if c != nil {
		return c.val
	}
	return scalarAt(v, i)
}
