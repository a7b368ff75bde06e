package eval

import (
	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// scalar is one value in its physical form.
type scalar struct {
	null bool
	b    bool
	// i holds int32 and int64 values, dates, timestamps and decimals of
	// up to 18 digits.
	i int64
	f float64
	d decimal.Int128
	s []byte
}

// scalarOf converts an IR constant to its physical form.
func scalarOf(v ir.Value, t types.Type) (scalar, error) {
	if v.Null {
		return scalar{null: true}, nil
	}
	if v.Type.Kind != t.Kind || (t.Kind == types.Decimal && v.Type != t) {
		return scalar{}, bug("constant %s has type %s, its node %s", v, v.Type, t)
	}
	switch t.Kind {
	case types.Bool:
		return scalar{b: v.Bool}, nil
	case types.Int32, types.Int64, types.Date, types.Timestamp:
		return scalar{i: v.Int}, nil
	case types.Float64:
		return scalar{f: v.Float}, nil
	case types.String:
		return scalar{s: []byte(v.Str)}, nil
	case types.Decimal:
		if v.Dec == nil {
			return scalar{}, nil
		}
		d, ok := decimal.FromBig(v.Dec)
		if !ok || !d.FitsDigits(int(t.Precision)) {
			return scalar{}, bug("constant %s does not fit %s", v, t)
		}
		return scalar{d: d, i: d.Int64()}, nil
	}
	return scalar{}, bug("constant of type %s", t)
}

// scalarAt reads row i of v.
func scalarAt(v *vector.Vector, i int) scalar {
	if v.IsNull(i) {
		return scalar{null: true}
	}
	switch v.Phys {
	case vector.PhysBool:
		return scalar{b: v.Bool[i]}
	case vector.PhysInt32:
		return scalar{i: int64(v.I32[i])}
	case vector.PhysInt64:
		return scalar{i: v.I64[i], d: decimal.FromInt64(v.I64[i])}
	case vector.PhysFloat64:
		return scalar{f: v.F64[i]}
	case vector.PhysInt128:
		return scalar{d: v.I128[i], i: v.I128[i].Int64()}
	case vector.PhysString:
		return scalar{s: append([]byte{}, strAt(v, i)...)}
	}
	return scalar{null: true}
}

// constNode is a constant: a literal, or a folded sub-expression.
type constNode struct {
	base
	val scalar
}

func (c *compiler) literal(e *ir.Literal) (node, error) {
	v, err := scalarOf(e.Value, e.T)
	if err != nil {
		return nil, err
	}
	return &constNode{base: c.newBase(e), val: v}, nil
}

func (n *constNode) kids() []node { return nil }

// eval broadcasts the constant; the vector is filled once per batch size.
// A string constant comes back as a one-entry dictionary.
func (n *constNode) eval(ev *Evaluator, b *vector.Batch, _ vector.Bitmap) (*vector.Vector, error) {
	s := &ev.slots[n.id]
	if s.vec != nil && s.filled == b.Len && s.vec.Len == b.Len {
		return s.vec, nil
	}
	v := ev.out(&n.base, b.Len)
	if v.Phys == vector.PhysString {
		if s.aux == nil {
			s.aux = vector.New(types.StringType, 1)
		}
		s.aux.Reset(1)
		s.aux.AppendString(0, n.val.s)
		v.Dict = s.aux
		v.Codes = growI32(v.Codes, b.Len)
		clear(v.Codes)
		if n.val.null {
			setAllNull(v, b.Len)
		}
	} else {
		n.fillFlat(v, b.Len)
	}
	s.filled = b.Len
	return v, nil
}

// fillFlat makes v hold the constant in n rows.
func (n *constNode) fillFlat(v *vector.Vector, rows int) {
	v.Reset(rows)
	c := n.val
	switch v.Phys {
	case vector.PhysBool:
		fill(v.Bool[:rows], c.b)
	case vector.PhysInt32:
		fill(v.I32[:rows], int32(c.i))
	case vector.PhysInt64:
		fill(v.I64[:rows], c.i)
	case vector.PhysFloat64:
		fill(v.F64[:rows], c.f)
	case vector.PhysInt128:
		fill(v.I128[:rows], c.d)
	case vector.PhysString:
		for i := 0; i < rows; i++ {
			v.AppendString(i, c.s)
		}
	}
	if c.null {
		setAllNull(v, rows)
	}
}

func fill[T any](s []T, x T) {
	for i := range s {
		s[i] = x
	}
}

func growI32(s []int32, n int) []int32 {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]int32, n, max(n, 2*cap(s)))
}

func growT[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n, max(n, 2*cap(s)))
}

// asConst returns n as a constant, if it is one.
func asConst(n node) (*constNode, bool) {
	c, ok := n.(*constNode)
	return c, ok
}
