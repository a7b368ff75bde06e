package eval

import (
	"math"
	"math/big"
	"math/bits"

	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// dec64to128 computes decimals stored as int64 into an Int128 result that
// cannot overflow: a sum of two 18-digit values fits an int64, and a
// product of two int64s is exact in 128 bits.
func (n *arithNode) dec64to128(ev *Evaluator, l, r *vector.Vector, rows int, out *vector.Vector) {
	o := out.I128[:rows]
	if n.op == ir.Mul {
		switch {
		case n.rc != nil:
			mul128C(l.I64[:rows], n.rc.val.i, o)
		case n.lc != nil:
			mul128C(r.I64[:rows], n.lc.val.i, o)
		default:
			a, b := l.I64[:rows], r.I64[:rows]
			for i, x := range a {
				o[i] = mulWide(x, b[i])
			}
		}
		return
	}
	neg := n.op == ir.Sub
	switch {
	case n.rc != nil:
		c := n.rc.val.i
		if neg {
			c = -c
		}
		for i, x := range l.I64[:rows] {
			o[i] = decimal.FromInt64(x + c)
		}
	case n.lc != nil:
		c := n.lc.val.i
		if neg {
			for i, y := range r.I64[:rows] {
				o[i] = decimal.FromInt64(c - y)
			}
			return
		}
		for i, y := range r.I64[:rows] {
			o[i] = decimal.FromInt64(c + y)
		}
	default:
		a, b := l.I64[:rows], r.I64[:rows]
		if neg {
			for i, x := range a {
				o[i] = decimal.FromInt64(x - b[i])
			}
			return
		}
		for i, x := range a {
			o[i] = decimal.FromInt64(x + b[i])
		}
	}
}

// mulWide is the exact signed 128-bit product of two int64s.
func mulWide(x, y int64) decimal.Int128 {
	hi, lo := bits.Mul64(uint64(x), uint64(y))
	return decimal.Int128{Hi: int64(hi) - (x>>63)&y - (y>>63)&x, Lo: lo}
}

func mul128C(a []int64, c int64, o []decimal.Int128) {
	o = o[:len(a)]
	for i, x := range a {
		o[i] = mulWide(x, c)
	}
}

// wide returns the Int128 values of a decimal operand, widening int64
// storage into buf.
func wide(v *vector.Vector, rows int, buf []decimal.Int128) ([]decimal.Int128, []decimal.Int128) {
	if v.Phys == vector.PhysInt128 {
		return v.I128[:rows], buf
	}
	buf = growT(buf, rows)
	for i, x := range v.I64[:rows] {
		buf[i] = decimal.FromInt64(x)
	}
	return buf, buf
}

// dec128 computes wide decimals; constants come broadcast.
func (n *arithNode) dec128(ev *Evaluator, l, r *vector.Vector, rows int, out *vector.Vector) (ovf, zero bool) {
	s := &ev.slots[n.id]
	var a, b []decimal.Int128
	a, s.i128[0] = wide(l, rows, s.i128[0])
	b, s.i128[1] = wide(r, rows, s.i128[1])
	o := out.I128[:rows]
	b = b[:len(a)]
	p := int(n.t.Precision)
	switch n.op {
	case ir.Add, ir.Sub:
		for i, x := range a {
			var z decimal.Int128
			var bad bool
			if n.op == ir.Add {
				z, bad = x.Add(b[i])
			} else {
				z, bad = x.Sub(b[i])
			}
			o[i] = z
			ovf = ovf || bad || n.check && !z.FitsDigits(p)
		}
	case ir.Mul:
		for i, x := range a {
			z, bad := x.Mul(b[i])
			if n.rescale > 0 {
				if bad {
					// The product overflows 128 bits before its scale is
					// cut back to 38: compute it exactly (rare).
					z, bad = mulRescaleBig(x, b[i], n.rescale)
				} else {
					z = z.DivRound(n.rescale)
				}
			}
			o[i] = z
			ovf = ovf || bad || n.check && !z.FitsDigits(p)
		}
	case ir.Mod:
		for i, x := range a {
			y := b[i]
			if y == (decimal.Int128{}) {
				zero = true
				o[i] = y
				continue
			}
			o[i] = rem128(x, y)
		}
	}
	return ovf, zero
}

// u128 helpers on (hi, lo) pairs, for division.

func abs128(x decimal.Int128) (hi, lo uint64) {
	if x.Hi < 0 {
		x = x.Neg()
	}
	return uint64(x.Hi), x.Lo
}

func signed128(neg bool, hi, lo uint64) decimal.Int128 {
	x := decimal.Int128{Hi: int64(hi), Lo: lo}
	if neg {
		return x.Neg()
	}
	return x
}

// quoRem128 divides unsigned 128-bit numbers.
func quoRem128(uh, ul, vh, vl uint64) (qh, ql, rh, rl uint64) {
	if vh == 0 {
		var r uint64
		qh, r = bits.Div64(0, uh, vl)
		ql, r = bits.Div64(r, ul, vl)
		return qh, ql, 0, r
	}
	// A trial quotient within one of the true one (Hacker's Delight).
	s := uint(bits.LeadingZeros64(vh))
	v1 := vh<<s | vl>>(64-s)
	if s == 0 {
		v1 = vh
	}
	u1h, u1l := uh>>1, ul>>1|uh<<63
	tq, _ := bits.Div64(u1h, u1l, v1)
	tq >>= 63 - s
	if tq != 0 {
		tq--
	}
	// r = u - v*tq
	ph, pl := bits.Mul64(vl, tq)
	ph += vh * tq
	var borrow uint64
	rl, borrow = bits.Sub64(ul, pl, 0)
	rh, _ = bits.Sub64(uh, ph, borrow)
	if rh > vh || rh == vh && rl >= vl {
		tq++
		rl, borrow = bits.Sub64(rl, vl, 0)
		rh, _ = bits.Sub64(rh, vh, borrow)
	}
	return 0, tq, rh, rl
}

// rem128 is x % y with the sign of x (y ≠ 0).
func rem128(x, y decimal.Int128) decimal.Int128 {
	xh, xl := abs128(x)
	yh, yl := abs128(y)
	_, _, rh, rl := quoRem128(xh, xl, yh, yl)
	return signed128(x.Hi < 0, rh, rl)
}

var pow10u64 = func() [20]uint64 {
	var t [20]uint64
	t[0] = 1
	for i := 1; i < 20; i++ {
		t[i] = t[i-1] * 10
	}
	return t
}()

// divPow10Trunc divides x by 10^k (0 ≤ k ≤ 38) toward zero and reports
// whether there was a remainder.
func divPow10Trunc(x decimal.Int128, k int) (decimal.Int128, bool) {
	if k == 0 {
		return x, false
	}
	neg := x.Hi < 0
	hi, lo := abs128(x)
	rem := false
	for k > 0 {
		step := min(k, 19)
		d := pow10u64[step]
		var r uint64
		hi, r = bits.Div64(0, hi, d)
		lo, r = bits.Div64(r, lo, d)
		rem = rem || r != 0
		k -= step
	}
	return signed128(neg, hi, lo), rem
}

// floorDiv64 divides by a positive d rounding toward minus infinity.
func floorDiv64(x, d int64) int64 {
	q := x / d
	if x%d < 0 {
		q--
	}
	return q
}

// toBig returns the integer (or unscaled decimal) value of s.
func toBig(t types.Type, s scalar) *big.Int {
	if t.Kind == types.Decimal {
		if t.Precision > 18 {
			return s.d.Big()
		}
		return big.NewInt(s.i)
	}
	return big.NewInt(s.i)
}

func operandBig(c *constNode, v *vector.Vector, t types.Type, i int) *big.Int {
	return toBig(t, operandScalar(c, v, i))
}

// bigResultFits reports whether x op y fits t, exactly as the kernels
// compute it (a product's scale capped at 38 is rounded).
func bigResultFits(op ir.BinaryOp, x, y *big.Int, lt, rt, t types.Type) bool {
	var z big.Int
	switch op {
	case ir.Add:
		z.Add(x, y)
	case ir.Sub:
		z.Sub(x, y)
	case ir.Mul:
		z.Mul(x, y)
	default:
		return true
	}
	if t.Kind == types.Decimal && op == ir.Mul {
		if s := int(lt.Scale) + int(rt.Scale) - int(t.Scale); s > 0 {
			z.Set(divRoundBig(&z, s))
		}
	}
	return bigFits(&z, t)
}

// mulRescaleBig is x*y / 10^k rounded half away from zero, through big
// integers; bad when it does not fit 128 bits.
func mulRescaleBig(x, y decimal.Int128, k int) (decimal.Int128, bool) {
	z := divRoundBig(new(big.Int).Mul(x.Big(), y.Big()), k)
	d, ok := decimal.FromBig(z)
	return d, !ok
}

// divRoundBig divides by 10^k rounding half away from zero.
func divRoundBig(x *big.Int, k int) *big.Int {
	d := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(k)), nil)
	q, r := new(big.Int).QuoRem(x, d, new(big.Int))
	r.Abs(r).Lsh(r, 1)
	if r.Cmp(d) >= 0 {
		if x.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

// bigFits reports whether an integer (or unscaled decimal) fits t.
func bigFits(z *big.Int, t types.Type) bool {
	switch t.Kind {
	case types.Int32:
		return z.IsInt64() && z.Int64() >= math.MinInt32 && z.Int64() <= math.MaxInt32
	case types.Int64:
		return z.IsInt64()
	case types.Decimal:
		lim := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(t.Precision)), nil)
		return new(big.Int).Abs(z).Cmp(lim) < 0
	}
	return true
}
