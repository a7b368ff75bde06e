package reference

import (
	"errors"
	"fmt"
	"math"
	"math/big"

	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// Eval evaluates one expression over one row (exported for kernel tests).
// The result is nil for null or a value of e.Type() in the package's
// representation; a value of the row that does not match its column
// reference's type is an error, so is every run-time failure (overflow,
// a cast that does not convert).
//
// Choice: an operand is evaluated only when the result needs it, so an
// error in it surfaces only then: ? : evaluates the branch it takes,
// coalesce stops at the first non-null argument, && stops at false and
// || at true (both left to right).
func Eval(e ir.Expr, row Row, env Env) (any, error) {
	if e == nil {
		return nil, errors.New("internal: nil expression")
	}
	return eval(e, row, env)
}

// locatedError is an error placed at the innermost expression that failed
// and that knows where it was written.
type locatedError struct {
	at  diag.Range
	err error
}

func (e *locatedError) Error() string { return e.at.String() + ": " + e.err.Error() }
func (e *locatedError) Unwrap() error { return e.err }

// eval computes e and checks that the result has e's type, so that every
// operand an operator sees has its operand's type.
func eval(e ir.Expr, row Row, env Env) (any, error) {
	v, err := evalNode(e, row, env)
	if err != nil {
		var located *locatedError
		if r := e.Range(); r.Filename != "" && !errors.As(err, &located) {
			err = &locatedError{at: r, err: err}
		}
		return nil, err
	}
	if !conforms(v, e.Type()) {
		return nil, fmt.Errorf("internal: %s yielded %T %v, not a %s", ir.FormatExpr(e, nil), v, v, e.Type())
	}
	return v, nil
}

func evalNode(e ir.Expr, row Row, env Env) (any, error) {
	switch e := e.(type) {
	case *ir.ColumnRef:
		if e.Index < 0 || e.Index >= len(row) {
			return nil, fmt.Errorf("internal: column %d (%s) of a row of %d", e.Index, e.Name, len(row))
		}
		return row[e.Index], nil
	case *ir.Literal:
		v, err := literalValue(e.Value)
		if err != nil || v == nil || e.Value.Type == e.T {
			return v, err
		}
		return castValue(v, e.Value.Type, e.T)
	case *ir.Unary:
		return evalUnary(e, row, env)
	case *ir.Binary:
		return evalBinary(e, row, env)
	case *ir.Cast:
		x, err := eval(e.X, row, env)
		if err != nil || x == nil {
			return nil, err
		}
		return castValue(x, e.X.Type(), e.T)
	case *ir.IsNull:
		x, err := eval(e.X, row, env)
		if err != nil {
			return nil, err
		}
		return (x == nil) != e.Negated, nil
	case *ir.Cond:
		c, err := eval(e.If, row, env)
		if err != nil {
			return nil, err
		}
		if c == true { // a null condition takes the else branch
			return eval(e.Then, row, env)
		}
		return eval(e.Else, row, env)
	case *ir.In:
		return evalIn(e, row, env)
	case *ir.Call:
		return evalCall(e, row, env)
	}
	return nil, fmt.Errorf("internal: unknown expression %T", e)
}

func evalUnary(e *ir.Unary, row Row, env Env) (any, error) {
	x, err := eval(e.X, row, env)
	if err != nil || x == nil {
		return nil, err
	}
	switch e.Op {
	case ir.Not:
		b, ok := x.(bool)
		if !ok {
			return nil, fmt.Errorf("internal: ! of %T", x)
		}
		return !b, nil
	case ir.Neg:
		t := e.X.Type()
		switch t.Kind {
		case types.Float64:
			return -x.(float64), nil
		case types.Int32, types.Int64:
			n, err := intOf(x)
			if err != nil {
				return nil, err
			}
			v, err := integerValue(new(big.Int).Neg(big.NewInt(n)), e.T)
			if err != nil {
				return nil, fmt.Errorf("integer overflow: -(%d) does not fit %s", n, e.T)
			}
			return v, nil
		case types.Decimal:
			u, err := unscaled(x)
			if err != nil {
				return nil, err
			}
			return decimalValue(rescale(u.Neg(u), int(t.Scale), int(e.T.Scale)), e.T)
		}
	}
	return nil, fmt.Errorf("internal: unary %s on %s", e.Op, e.X.Type())
}

func evalBinary(e *ir.Binary, row Row, env Env) (any, error) {
	if e.Op.IsLogical() {
		return evalLogical(e, row, env)
	}
	l, err := eval(e.L, row, env)
	if err != nil {
		return nil, err
	}
	r, err := eval(e.R, row, env)
	if err != nil || l == nil || r == nil {
		return nil, err
	}
	if e.Op.IsComparison() {
		// Operands of one type compare by value; two decimal scales (or an
		// int32 with an int64) would compare by representation, so the
		// compiler must have unified them.
		if lt, rt := e.L.Type(), e.R.Type(); lt != rt {
			return nil, fmt.Errorf("internal: %s compares %s with %s", e.Op, lt, rt)
		}
		c, err := compare(l, r)
		if err != nil {
			return nil, err
		}
		switch e.Op {
		case ir.Eq:
			return c == 0, nil
		case ir.Ne:
			return c != 0, nil
		case ir.Lt:
			return c < 0, nil
		case ir.Le:
			return c <= 0, nil
		case ir.Gt:
			return c > 0, nil
		case ir.Ge:
			return c >= 0, nil
		}
	}
	return arithmetic(e, l, r)
}

// evalLogical is SQL's three-valued && and ||: false && x is false and
// true || x is true whatever x is (null included); otherwise a null
// operand makes the result null.
func evalLogical(e *ir.Binary, row Row, env Env) (any, error) {
	decisive := e.Op == ir.Or // the operand value that decides the result
	l, err := eval(e.L, row, env)
	if err != nil {
		return nil, err
	}
	if l == decisive {
		return decisive, nil
	}
	r, err := eval(e.R, row, env)
	if err != nil {
		return nil, err
	}
	switch {
	case r == decisive:
		return decisive, nil
	case l == nil || r == nil:
		return nil, nil
	}
	return !decisive, nil
}

// arithmetic computes + - * / % over non-null operands. Integers and
// decimals are computed exactly with math/big and then checked against the
// node's type: a result that does not fit is an error, never a wrapped or
// rounded value.
func arithmetic(e *ir.Binary, l, r any) (any, error) {
	lt, rt := e.L.Type(), e.R.Type()
	overflow := func(res *big.Int, scale int) error {
		return fmt.Errorf("overflow: %s %s %s = %s does not fit %s", describe(l, lt), e.Op, describe(r, rt), formatDecimal(res, scale), e.T)
	}
	switch {
	case e.Op == ir.Div || lt.Kind == types.Float64 || rt.Kind == types.Float64:
		// / always works in float64; so do float operands.
		a, err := floatOf(l, lt)
		if err != nil {
			return nil, err
		}
		b, err := floatOf(r, rt)
		if err != nil {
			return nil, err
		}
		switch e.Op {
		case ir.Add:
			return a + b, nil
		case ir.Sub:
			return a - b, nil
		case ir.Mul:
			return a * b, nil
		case ir.Div:
			if b == 0 {
				return nil, nil // division by zero is null
			}
			return a / b, nil
		case ir.Mod:
			if b == 0 {
				return nil, nil
			}
			return math.Mod(a, b), nil // the sign of the dividend
		}
	case lt.Kind == types.Decimal || rt.Kind == types.Decimal || e.T.Kind == types.Decimal:
		if e.T.Kind != types.Decimal {
			return nil, fmt.Errorf("internal: %s %s %s yields %s", lt, e.Op, rt, e.T)
		}
		a, err := unscaled(l)
		if err != nil {
			return nil, err
		}
		b, err := unscaled(r)
		if err != nil {
			return nil, err
		}
		sa, sb := scaleOf(lt), scaleOf(rt)
		var res *big.Int
		scale := max(sa, sb)
		switch e.Op {
		case ir.Add, ir.Sub, ir.Mod:
			a, b = rescale(a, sa, scale), rescale(b, sb, scale)
			switch e.Op {
			case ir.Add:
				res = new(big.Int).Add(a, b)
			case ir.Sub:
				res = new(big.Int).Sub(a, b)
			default:
				if b.Sign() == 0 {
					return nil, nil // x % 0 is null
				}
				res = new(big.Int).Rem(a, b) // truncated: the sign of the dividend
			}
		case ir.Mul:
			// Scales add: 1.5 (15, scale 1) * 0.25 (25, scale 2) is 375 at scale 3.
			res, scale = new(big.Int).Mul(a, b), sa+sb
		default:
			return nil, fmt.Errorf("internal: decimal %s", e.Op)
		}
		// The node's scale is sL+sR (or max) unless capped at 38 digits;
		// then the product is rounded to it.
		res = rescale(res, scale, int(e.T.Scale))
		if !fitsDigits(res, int(e.T.Precision)) {
			return nil, overflow(res, int(e.T.Scale))
		}
		return decimalValue(res, e.T)
	case lt.IsInteger() && rt.IsInteger():
		a, err := intOf(l)
		if err != nil {
			return nil, err
		}
		b, err := intOf(r)
		if err != nil {
			return nil, err
		}
		x, y := big.NewInt(a), big.NewInt(b)
		var res *big.Int
		switch e.Op {
		case ir.Add:
			res = x.Add(x, y)
		case ir.Sub:
			res = x.Sub(x, y)
		case ir.Mul:
			res = x.Mul(x, y)
		case ir.Mod:
			if b == 0 {
				return nil, nil // x % 0 is null
			}
			res = x.Rem(x, y) // truncated: the sign of the dividend
		}
		v, err := integerValue(res, e.T)
		if err != nil {
			return nil, overflow(res, 0)
		}
		return v, nil
	}
	return nil, fmt.Errorf("internal: %s %s %s", lt, e.Op, rt)
}

// floatOf converts a numeric value to float64 (exactly rounded for
// decimals).
func floatOf(v any, t types.Type) (float64, error) {
	if t.Kind == types.Float64 {
		f, ok := v.(float64)
		if !ok {
			return 0, fmt.Errorf("internal: %T is not a float64", v)
		}
		return f, nil
	}
	f, err := convert(v, t, types.Float64Type)
	if err != nil {
		return 0, err
	}
	return f.(float64), nil
}

// evalIn is x IN (list): null for a null x, true on a match, otherwise
// null when the list holds a null and false when it does not.
func evalIn(e *ir.In, row Row, env Env) (any, error) {
	x, err := eval(e.X, row, env)
	if err != nil || x == nil {
		return nil, err
	}
	sawNull := false
	for _, item := range e.List {
		v, err := literalValue(item)
		if err != nil {
			return nil, err
		}
		if v == nil {
			sawNull = true
			continue
		}
		if item.Type != e.X.Type() {
			if v, err = castValue(v, item.Type, e.X.Type()); err != nil {
				return nil, err
			}
		}
		c, err := compare(x, v)
		if err != nil {
			return nil, err
		}
		if c == 0 {
			return true, nil
		}
	}
	if sawNull {
		return nil, nil
	}
	return false, nil
}
