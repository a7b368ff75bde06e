package eval

import (
	"github.com/meshctl/meshctl/lang/ir"
)

// Floats compare under a total order, the one the sorter, hash aggregate
// and hash join use (as PostgreSQL and DuckDB do): -0 equals 0, NaN equals
// NaN and is greater than every number, +Inf included. IEEE comparison
// agrees with it whenever neither operand is NaN, so the kernels below
// keep the plain comparison and correct only what NaN changes. In terms
// of IEEE operators (a≠a: a is NaN; a=a: a is a number):
//
//	a == b   (a == b) | (a≠a & b≠b)        a != b   (a != b) & (a=a | b=b)
//	a <  b   !(a >= b) & a=a               a <= b   (a <= b) | b≠b
//	a >  b   !(a <= b) & b=b               a >= b   (a >= b) | a≠a
//
// Against a constant c the kernel is chosen once per batch: when c is a
// number, ==, !=, < and <= are IEEE's already, and x > c is !(x <= c), x
// >= c is !(x < c) (a NaN x is above c), at no cost per row; when c is
// NaN, each operator is a NaN test of x (or all rows, or none).
//
// Between two columns the formulas would double the work of every row,
// so the first pass compares by IEEE and only watches for NaN; a batch
// that may hold one is recomputed with the formulas, branch-free
// (cmpF64VV).

// fkind is the kernel a float comparison with a constant runs.
type fkind uint8

const (
	fkEq     fkind = iota // x == c
	fkNe                  // x != c
	fkLt                  // x < c
	fkLe                  // x <= c
	fkNotLe               // !(x <= c): x > c, or x is NaN
	fkNotLt               // !(x < c): x >= c, or x is NaN
	fkIsNaN               // x is NaN
	fkNotNaN              // x is a number
	fkAll                 // every row
	fkNone                // no row
)

// floatKind picks the kernel of x op c under the total order.
func floatKind(op ir.BinaryOp, c float64) fkind {
	if c != c {
		switch op {
		case ir.Eq, ir.Ge: // NaN is equal to NaN only, and the greatest
			return fkIsNaN
		case ir.Ne, ir.Lt:
			return fkNotNaN
		case ir.Le:
			return fkAll
		}
		return fkNone // Gt: nothing is above NaN
	}
	switch op {
	case ir.Eq:
		return fkEq
	case ir.Ne:
		return fkNe
	case ir.Lt:
		return fkLt
	case ir.Le:
		return fkLe
	case ir.Gt:
		return fkNotLe
	}
	return fkNotLt // Ge
}

// cmpF64VC computes x op c into out (validity is the caller's).
func cmpF64VC(op ir.BinaryOp, a []float64, c float64, out []bool) {
	out = out[:len(a)]
	switch floatKind(op, c) {
	case fkEq:
		cmpVC(ir.Eq, a, c, out)
	case fkNe:
		cmpVC(ir.Ne, a, c, out)
	case fkLt:
		cmpVC(ir.Lt, a, c, out)
	case fkLe:
		cmpVC(ir.Le, a, c, out)
	case fkNotLe:
		for i, x := range a {
			out[i] = !(x <= c)
		}
	case fkNotLt:
		for i, x := range a {
			out[i] = !(x < c)
		}
	case fkIsNaN:
		for i, x := range a {
			out[i] = x != x
		}
	case fkNotNaN:
		for i, x := range a {
			out[i] = x == x
		}
	case fkAll:
		fill(out, true)
	case fkNone:
		clear(out)
	}
}

// selF64VC appends to out (capacity ≥ the rows) the rows of a (those of
// in when in is not nil) where x op c. out may alias in.
func selF64VC(op ir.BinaryOp, a []float64, c float64, in []int32, out []int32) []int32 {
	k := 0
	switch floatKind(op, c) {
	case fkEq:
		return selVC(ir.Eq, a, c, in, out)
	case fkNe:
		return selVC(ir.Ne, a, c, in, out)
	case fkLt:
		return selVC(ir.Lt, a, c, in, out)
	case fkLe:
		return selVC(ir.Le, a, c, in, out)
	case fkNone:
		return out[:0]
	case fkAll:
		if in != nil {
			return append(out[:0], in...)
		}
		out = out[:len(a)]
		for i := range out {
			out[i] = int32(i)
		}
		return out
	case fkNotLe:
		if in == nil {
			out = out[:len(a)]
			for i, x := range a {
				out[k] = int32(i)
				k += b2i(!(x <= c))
			}
			return out[:k]
		}
		out = out[:len(in)]
		for _, i := range in {
			out[k] = i
			k += b2i(!(a[i] <= c))
		}
	case fkNotLt:
		if in == nil {
			out = out[:len(a)]
			for i, x := range a {
				out[k] = int32(i)
				k += b2i(!(x < c))
			}
			return out[:k]
		}
		out = out[:len(in)]
		for _, i := range in {
			out[k] = i
			k += b2i(!(a[i] < c))
		}
	case fkIsNaN:
		if in == nil {
			out = out[:len(a)]
			for i, x := range a {
				out[k] = int32(i)
				k += b2i(x != x)
			}
			return out[:k]
		}
		out = out[:len(in)]
		for _, i := range in {
			out[k] = i
			k += b2i(a[i] != a[i])
		}
	case fkNotNaN:
		if in == nil {
			out = out[:len(a)]
			for i, x := range a {
				out[k] = int32(i)
				k += b2i(x == x)
			}
			return out[:k]
		}
		out = out[:len(in)]
		for _, i := range in {
			out[k] = i
			k += b2i(a[i] == a[i])
		}
	}
	return out[:k]
}

// cmpF64VV computes a op b row by row into out under the total order.
// The first pass compares by IEEE and, on the side, sums a-b: the sum is
// NaN when some operand is (or, rarely, when infinities cancel), and only
// then a second pass recomputes every row under the total order. Data
// without NaN thus pays one subtraction and one addition per row, off the
// comparison's critical path.
func cmpF64VV(op ir.BinaryOp, a, b []float64, out []bool) {
	out = out[:len(a)]
	b = b[:len(a)]
	var maybeNaN bool
	switch op {
	case ir.Eq:
		maybeNaN = eqF64(a, b, out)
	case ir.Ne:
		maybeNaN = neF64(a, b, out)
	case ir.Lt:
		maybeNaN = ltF64(a, b, out)
	case ir.Le:
		maybeNaN = leF64(a, b, out)
	case ir.Gt: // a > b is b < a, in the total order as in IEEE
		maybeNaN = ltF64(b, a, out)
	case ir.Ge:
		maybeNaN = leF64(b, a, out)
	}
	if maybeNaN {
		totalF64VV(op, a, b, out)
	}
}

// The kernels below compare four rows per iteration with four partial
// sums, so that the additions do not wait for each other; each reports
// whether an operand may be NaN. len(b) and len(out) are at least len(a).

func eqF64(a, b []float64, out []bool) bool {
	b, out = b[:len(a)], out[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		x0, x1, x2, x3 := a[i], a[i+1], a[i+2], a[i+3]
		y0, y1, y2, y3 := b[i], b[i+1], b[i+2], b[i+3]
		out[i], out[i+1], out[i+2], out[i+3] = x0 == y0, x1 == y1, x2 == y2, x3 == y3
		s0, s1, s2, s3 = s0+(x0-y0), s1+(x1-y1), s2+(x2-y2), s3+(x3-y3)
	}
	for ; i < len(a); i++ {
		out[i] = a[i] == b[i]
		s0 += a[i] - b[i]
	}
	return isNaN(s0 + s1 + s2 + s3)
}

func neF64(a, b []float64, out []bool) bool {
	b, out = b[:len(a)], out[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		x0, x1, x2, x3 := a[i], a[i+1], a[i+2], a[i+3]
		y0, y1, y2, y3 := b[i], b[i+1], b[i+2], b[i+3]
		out[i], out[i+1], out[i+2], out[i+3] = x0 != y0, x1 != y1, x2 != y2, x3 != y3
		s0, s1, s2, s3 = s0+(x0-y0), s1+(x1-y1), s2+(x2-y2), s3+(x3-y3)
	}
	for ; i < len(a); i++ {
		out[i] = a[i] != b[i]
		s0 += a[i] - b[i]
	}
	return isNaN(s0 + s1 + s2 + s3)
}

func ltF64(a, b []float64, out []bool) bool {
	b, out = b[:len(a)], out[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		x0, x1, x2, x3 := a[i], a[i+1], a[i+2], a[i+3]
		y0, y1, y2, y3 := b[i], b[i+1], b[i+2], b[i+3]
		out[i], out[i+1], out[i+2], out[i+3] = x0 < y0, x1 < y1, x2 < y2, x3 < y3
		s0, s1, s2, s3 = s0+(x0-y0), s1+(x1-y1), s2+(x2-y2), s3+(x3-y3)
	}
	for ; i < len(a); i++ {
		out[i] = a[i] < b[i]
		s0 += a[i] - b[i]
	}
	return isNaN(s0 + s1 + s2 + s3)
}

func leF64(a, b []float64, out []bool) bool {
	b, out = b[:len(a)], out[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		x0, x1, x2, x3 := a[i], a[i+1], a[i+2], a[i+3]
		y0, y1, y2, y3 := b[i], b[i+1], b[i+2], b[i+3]
		out[i], out[i+1], out[i+2], out[i+3] = x0 <= y0, x1 <= y1, x2 <= y2, x3 <= y3
		s0, s1, s2, s3 = s0+(x0-y0), s1+(x1-y1), s2+(x2-y2), s3+(x3-y3)
	}
	for ; i < len(a); i++ {
		out[i] = a[i] <= b[i]
		s0 += a[i] - b[i]
	}
	return isNaN(s0 + s1 + s2 + s3)
}

func isNaN(f float64) bool { return f != f }

// totalF64VV computes a op b under the total order with the formulas of
// the table at the top of this file, branch-free ("x >= x" is the
// cheapest test of "x is a number": one comparison, one flag).
func totalF64VV(op ir.BinaryOp, a, b []float64, out []bool) {
	out = out[:len(a)]
	b = b[:len(a)]
	switch op {
	case ir.Eq:
		for i, x := range a {
			y := b[i]
			out[i] = b2i(x == y)|b2i(!(x >= x))&b2i(!(y >= y)) != 0
		}
	case ir.Ne:
		for i, x := range a {
			y := b[i]
			out[i] = b2i(x != y)&(b2i(x >= x)|b2i(y >= y)) != 0
		}
	case ir.Lt:
		for i, x := range a {
			y := b[i]
			out[i] = b2i(!(x >= y))&b2i(x >= x) != 0
		}
	case ir.Le:
		for i, x := range a {
			y := b[i]
			out[i] = b2i(x <= y)|b2i(!(y >= y)) != 0
		}
	case ir.Gt:
		for i, x := range a {
			y := b[i]
			out[i] = b2i(!(x <= y))&b2i(y >= y) != 0
		}
	case ir.Ge:
		for i, x := range a {
			y := b[i]
			out[i] = b2i(x >= y)|b2i(!(x >= x)) != 0
		}
	}
}
