package eval

import (
	"math"
	"strconv"

	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// call compiles a scalar function.
func (c *compiler) call(e *ir.Call) (node, error) {
	args := make([]node, len(e.Args))
	for i, a := range e.Args {
		n, err := c.expr(a)
		if err != nil {
			return nil, err
		}
		args[i] = n
	}
	argc := func(lo, hi int) error {
		if len(args) < lo || len(args) > hi {
			return bug("%s() with %d arguments", e.Fn, len(args))
		}
		return nil
	}
	kind := func(i int) types.Kind { return args[i].info().t.Kind }
	want := func(t types.Type, ks ...types.Kind) error {
		if e.T != t {
			return bug("%s() yields %s", e.Fn, e.T)
		}
		for i, k := range ks {
			if i < len(args) && kind(i) != k {
				return bug("argument %d of %s() is %s", i+1, e.Fn, args[i].info().t)
			}
		}
		return nil
	}
	fails := false
	for _, a := range args {
		fails = fails || a.info().fails
	}
	var n node
	switch e.Fn {
	case ir.FnLower, ir.FnUpper, ir.FnTrim:
		if err := firstErr(argc(1, 1), want(types.StringType, types.String)); err != nil {
			return nil, err
		}
		n = &strMapNode{base: c.newBase(e), fn: e.Fn, x: args[0]}
	case ir.FnLength:
		if err := firstErr(argc(1, 1), want(types.Int64Type, types.String)); err != nil {
			return nil, err
		}
		n = &lengthNode{base: c.newBase(e), x: args[0]}
	case ir.FnSubstr:
		if err := firstErr(argc(2, 3), want(types.StringType, types.String, types.Int64, types.Int64)); err != nil {
			return nil, err
		}
		return c.substr(e, args, fails)
	case ir.FnConcat, ir.FnTemplate:
		if e.T.Kind != types.String {
			return nil, bug("%s() yields %s", e.Fn, e.T)
		}
		cn := &concatNode{base: c.newBase(e), parts: args, template: e.Fn == ir.FnTemplate, lits: make([][]byte, len(args))}
		for i, a := range args {
			if kind(i) != types.String {
				return nil, bug("argument %d of %s() is %s", i+1, e.Fn, a.info().t)
			}
			if k, ok := asConst(a); ok && !k.val.null {
				cn.lits[i] = k.val.s
			}
		}
		n = cn
	case ir.FnCoalesce:
		if len(args) == 0 {
			return nil, bug("coalesce() without arguments")
		}
		for i, a := range args {
			if a.info().t != e.T {
				return nil, bug("argument %d of coalesce() is %s, the call %s", i+1, a.info().t, e.T)
			}
		}
		// Arguments after a non-null constant are never reached.
		for i, a := range args {
			if k, ok := asConst(a); ok && !k.val.null {
				args = args[:i+1]
				break
			}
		}
		n = &coalesceNode{base: c.newBase(e), args: args}
	case ir.FnAbs:
		if err := argc(1, 1); err != nil {
			return nil, err
		}
		if !e.T.IsNumeric() || args[0].info().t != e.T {
			return nil, bug("abs() of %s yields %s", args[0].info().t, e.T)
		}
		an := &absNode{base: c.newBase(e), x: args[0]}
		if e.T.IsInteger() {
			c.failing(&an.base, e)
		}
		n = an
	case ir.FnRound:
		return c.round(e, args, fails)
	case ir.FnFloor, ir.FnCeil:
		return c.floorCeil(e, args, fails)
	case ir.FnLike:
		if err := firstErr(argc(2, 2), want(types.BoolType, types.String, types.String)); err != nil {
			return nil, err
		}
		ln := &likeNode{base: c.newBase(e), x: args[0], pat: args[1]}
		if k, ok := asConst(args[1]); ok && !k.val.null {
			m := compileLike(k.val.s)
			ln.m = &m
		}
		n = ln
	case ir.FnYear, ir.FnMonth, ir.FnDay:
		if err := argc(1, 1); err != nil {
			return nil, err
		}
		if !args[0].info().t.IsTemporal() || e.T != types.Int32Type {
			return nil, bug("%s() of %s yields %s", e.Fn, args[0].info().t, e.T)
		}
		n = &partNode{base: c.newBase(e), fn: e.Fn, x: args[0]}
	case ir.FnDateTrunc:
		if err := argc(2, 2); err != nil {
			return nil, err
		}
		u, ok := asConst(args[0])
		if !ok || kind(0) != types.String || u.val.null || truncUnits[string(u.val.s)] == 0 {
			return nil, bug("date_trunc() unit is not a constant unit")
		}
		if !args[1].info().t.IsTemporal() || e.T != args[1].info().t {
			return nil, bug("date_trunc() of %s yields %s", args[1].info().t, e.T)
		}
		n = &truncNode{base: c.newBase(e), unit: truncUnits[string(u.val.s)], x: args[1]}
		fails = args[1].info().fails
	case ir.FnNow:
		if err := firstErr(argc(0, 0), want(types.TimestampType)); err != nil {
			return nil, err
		}
		return &constNode{base: c.newBase(e), val: scalar{i: c.env.Now.UnixMicro()}}, nil
	case ir.FnMaskHash, ir.FnMaskLast4, ir.FnMaskEmailDomain:
		if err := argc(1, 1); err != nil {
			return nil, err
		}
		if e.T.Kind != types.String {
			return nil, bug("%s() yields %s", e.Fn, e.T)
		}
		// These masks read the value's text.
		sn := &strMapNode{base: c.newBase(e), fn: e.Fn, x: c.text(e, args[0])}
		if e.Fn == ir.FnMaskHash {
			sn.key = newHMACKey(c.env.MaskKey)
		}
		n = sn
	case ir.FnMaskRedact:
		if err := argc(1, 1); err != nil {
			return nil, err
		}
		if e.T.Kind != types.String {
			return nil, bug("%s() yields %s", e.Fn, e.T)
		}
		n = &redactNode{base: c.newBase(e), x: args[0]}
	case ir.FnMaskNull:
		if err := argc(1, 1); err != nil {
			return nil, err
		}
		null := &constNode{base: c.newBase(e), val: scalar{null: true}}
		if !fails {
			return null, nil
		}
		// The masked column's errors are still errors.
		n = &discardNode{base: c.newBase(e), x: args[0], k: null}
	default:
		return nil, bug("unknown function %d", e.Fn)
	}
	n.info().fails = n.info().fails || fails
	return n, nil
}

// text returns x as the text a mask reads: x itself when it is a string,
// else its conversion to string (which never fails), attributed to e.
func (c *compiler) text(e *ir.Call, x node) node {
	if x.info().t.Kind == types.String {
		return x
	}
	cn := &castNode{base: c.newBase(e), x: x, from: x.info().t, kind: ckToString}
	cn.t = types.StringType
	cn.fails = x.info().fails
	return cn
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *compiler) substr(e *ir.Call, args []node, fails bool) (node, error) {
	start, okS := asConst(args[1])
	var length *constNode
	okL := true
	if len(args) == 3 {
		length, okL = asConst(args[2])
	}
	if okS && okL {
		if start.val.null || length != nil && length.val.null {
			return &constNode{base: c.newBase(e), val: scalar{null: true}}, nil
		}
		n := &strMapNode{base: c.newBase(e), fn: ir.FnSubstr, x: args[0], sub: substrMap{start: start.val.i}}
		if length != nil {
			n.sub.length, n.sub.hasLen = length.val.i, true
			if length.val.i < 0 {
				c.failing(&n.base, e)
			}
		}
		n.fails = n.fails || fails
		return n, nil
	}
	n := &substrNode{base: c.newBase(e), x: args[0], start: args[1]}
	if len(args) == 3 {
		n.length = args[2]
		c.failing(&n.base, e)
	}
	n.fails = n.fails || fails
	return n, nil
}

// absNode is abs(x); abs of the smallest integer overflows.
type absNode struct {
	base
	x node
}

func (n *absNode) kids() []node { return []node{n.x} }

func (n *absNode) eval(ev *Evaluator, b *vector.Batch, act vector.Bitmap) (*vector.Vector, error) {
	rows := b.Len
	x, err := n.x.eval(ev, b, act)
	if err != nil {
		return nil, err
	}
	out := ev.out(&n.base, rows)
	copyValid(out, x.Valid, rows)
	bad := false
	switch x.Phys {
	case vector.PhysInt32:
		o := out.I32[:rows]
		for i, v := range x.I32[:rows] {
			m := v >> 31
			o[i] = (v ^ m) - m
			bad = bad || v == math.MinInt32
		}
	case vector.PhysInt64:
		o := out.I64[:rows]
		for i, v := range x.I64[:rows] {
			m := v >> 63
			o[i] = (v ^ m) - m
			bad = bad || v == math.MinInt64
		}
		bad = bad && n.t.Kind == types.Int64 // decimals never reach it
	case vector.PhysFloat64:
		o := out.F64[:rows]
		for i, v := range x.F64[:rows] {
			o[i] = math.Abs(v)
		}
	case vector.PhysInt128:
		o := out.I128[:rows]
		for i, v := range x.I128[:rows] {
			if v.Hi < 0 {
				v = v.Neg()
			}
			o[i] = v
		}
	}
	if bad {
		for i := 0; i < rows; i++ {
			s := scalarAt(x, i)
			if (s.i == math.MinInt64 || n.t.Kind == types.Int32 && s.i == math.MinInt32) && live(i, act, x.Valid) {
				v := "abs(" + scalarText(n.t, s) + ")"
				return nil, n.fail(i, v, "%s does not fit %s", v, n.t)
			}
		}
	}
	return out, nil
}

func (c *compiler) round(e *ir.Call, args []node, fails bool) (node, error) {
	if len(args) != 2 {
		return nil, bug("round() with %d arguments", len(args))
	}
	d, ok := asConst(args[1])
	if !ok || args[1].info().t.Kind != types.Int64 || d.val.null || d.val.i < 0 || d.val.i > types.MaxDecimalPrecision {
		return nil, bug("round() digits are not a constant from 0 to 38")
	}
	x := args[0]
	t := x.info().t
	switch {
	case t.IsInteger() && e.T == t:
		return x, nil
	case t.Kind == types.Float64 && e.T == t:
		n := &roundNode{base: c.newBase(e), x: x, digits: int(d.val.i)}
		n.fails = fails
		return n, nil
	case t.Kind == types.Decimal && e.T.Kind == types.Decimal && e.T.Precision == t.Precision:
		if e.T == t {
			return x, nil
		}
		if int(e.T.Scale) != int(d.val.i) || e.T.Scale > t.Scale {
			return nil, bug("round(%s, %d) yields %s", t, d.val.i, e.T)
		}
		n := &roundNode{base: c.newBase(e), x: x, digits: int(d.val.i), drop: int(t.Scale - e.T.Scale)}
		n.fails = fails
		return n, nil
	}
	return nil, bug("round() of %s yields %s", t, e.T)
}

// roundNode rounds half away from zero: a float to digits decimals, a
// decimal to the node's scale (drop digits fewer).
type roundNode struct {
	base
	x      node
	digits int
	drop   int
}

func (n *roundNode) kids() []node { return []node{n.x} }

func (n *roundNode) eval(ev *Evaluator, b *vector.Batch, act vector.Bitmap) (*vector.Vector, error) {
	rows := b.Len
	x, err := n.x.eval(ev, b, act)
	if err != nil {
		return nil, err
	}
	out := ev.out(&n.base, rows)
	copyValid(out, x.Valid, rows)
	switch x.Phys {
	case vector.PhysFloat64:
		o := out.F64[:rows]
		if n.digits == 0 {
			for i, v := range x.F64[:rows] {
				o[i] = math.Round(v)
			}
			break
		}
		p := math.Pow10(n.digits)
		for i, v := range x.F64[:rows] {
			o[i] = roundFloat(v, n.digits, p)
		}
	case vector.PhysInt64:
		o := out.I64[:rows]
		p := decimal.Pow10Int64(n.drop)
		for i, v := range x.I64[:rows] {
			o[i] = divRound64(v, p)
		}
	case vector.PhysInt128:
		o := out.I128[:rows]
		for i, v := range x.I128[:rows] {
			o[i] = v.DivRound(n.drop)
		}
	}
	return out, nil
}

// roundFloat rounds x half away from zero to d decimals (p = 10^d). Near
// a tie the binary value is not trusted (1.005 is 1.00499999…): the
// shortest decimal text of x, which is what the user wrote, is rounded
// instead.
func roundFloat(x float64, d int, p float64) float64 {
	y := x * p
	if math.IsInf(y, 0) || math.IsNaN(y) || math.Abs(y) >= 1<<52 {
		return x // no fraction left at this scale
	}
	r := math.Round(y)
	if frac := math.Abs(y - math.Trunc(y)); math.Abs(frac-0.5) > 1e-6 {
		return r / p
	}
	var buf [128]byte
	v, ok := decimal.Parse(strconv.AppendFloat(buf[:0], x, 'f', -1, 64), types.MaxDecimalPrecision, d)
	if !ok {
		return r / p
	}
	return v.Float64(d)
}

func (c *compiler) floorCeil(e *ir.Call, args []node, fails bool) (node, error) {
	if len(args) != 1 {
		return nil, bug("%s() with %d arguments", e.Fn, len(args))
	}
	x := args[0]
	t := x.info().t
	n := &floorNode{base: c.newBase(e), x: x, ceil: e.Fn == ir.FnCeil}
	n.fails = fails
	switch {
	case t.IsInteger() && e.T == t:
		return x, nil
	case t.Kind == types.Float64 && e.T == t:
		return n, nil
	case t.Kind == types.Decimal && e.T == types.DecimalType(int(t.Precision-t.Scale)+1, 0):
		return n, nil
	}
	return nil, bug("%s() of %s yields %s", e.Fn, t, e.T)
}

// floorNode is floor(x) or ceil(x); a decimal becomes a decimal of scale 0.
type floorNode struct {
	base
	x    node
	ceil bool
}

func (n *floorNode) kids() []node { return []node{n.x} }

func (n *floorNode) eval(ev *Evaluator, b *vector.Batch, act vector.Bitmap) (*vector.Vector, error) {
	rows := b.Len
	x, err := n.x.eval(ev, b, act)
	if err != nil {
		return nil, err
	}
	out := ev.out(&n.base, rows)
	copyValid(out, x.Valid, rows)
	if x.Phys == vector.PhysFloat64 {
		o := out.F64[:rows]
		if n.ceil {
			for i, v := range x.F64[:rows] {
				o[i] = math.Ceil(v)
			}
		} else {
			for i, v := range x.F64[:rows] {
				o[i] = math.Floor(v)
			}
		}
		return out, nil
	}
	s := int(n.x.info().t.Scale)
	if x.Phys == vector.PhysInt64 {
		p := decimal.Pow10Int64(s)
		a := x.I64[:rows]
		for i, v := range a {
			q, r := v/p, v%p
			if n.ceil && r > 0 {
				q++
			} else if !n.ceil && r < 0 {
				q--
			}
			if out.Phys == vector.PhysInt64 {
				out.I64[i] = q
			} else {
				out.I128[i] = decimal.FromInt64(q)
			}
		}
		return out, nil
	}
	for i, v := range x.I128[:rows] {
		q, rem := divPow10Trunc(v, s)
		if rem {
			if n.ceil && v.Hi >= 0 {
				q, _ = q.Add(decimal.FromInt64(1))
			} else if !n.ceil && v.Hi < 0 {
				q, _ = q.Sub(decimal.FromInt64(1))
			}
		}
		storeDec(out, i, q)
	}
	return out, nil
}
