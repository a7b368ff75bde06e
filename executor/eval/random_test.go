package eval

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// TestArithmeticAgainstBig checks + - * % of integers and decimals, with
// column and constant operands, against math/big, value by value: the
// result or an overflow error.
func TestArithmeticAgainstBig(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	type operand struct {
		col string
		t   types.Type
	}
	pairs := []struct{ l, r operand }{
		{operand{"i32", types.Int32Type}, operand{"i32b", types.Int32Type}},
		{operand{"i64", types.Int64Type}, operand{"i64b", types.Int64Type}},
		{operand{"d2", dec(18, 2)}, operand{"d2b", dec(18, 2)}},
		{operand{"w2", dec(38, 2)}, operand{"w2b", dec(38, 2)}},
		{operand{"d4", dec(10, 4)}, operand{"d4b", dec(10, 4)}},
		{operand{"d4", dec(10, 4)}, operand{"d2", dec(18, 2)}},
		{operand{"d2", dec(18, 2)}, operand{"w2", dec(38, 2)}},
		{operand{"w20", dec(38, 20)}, operand{"w0", dec(38, 0)}},
	}
	randVal := func(t types.Type) *big.Int {
		var lim *big.Int
		switch t.Kind {
		case types.Int32:
			lim = big.NewInt(math.MaxInt32)
		case types.Int64:
			lim = big.NewInt(math.MaxInt64)
		default:
			lim = new(big.Int).Sub(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(t.Precision)), nil), big.NewInt(1))
		}
		var v *big.Int
		switch r.IntN(5) {
		case 0:
			v = new(big.Int).Set(lim)
		case 1:
			v = big.NewInt(r.Int64N(1000))
		case 2:
			v = big.NewInt(0)
		default:
			v = new(big.Int).SetUint64(r.Uint64())
			v.Lsh(v, 64).Or(v, new(big.Int).SetUint64(r.Uint64()))
			v.Mod(v, lim)
			v.Rsh(v, uint(r.IntN(v.BitLen()+1))) // all magnitudes
		}
		if r.IntN(2) == 0 {
			v.Neg(v)
		}
		if t.IsInteger() && r.IntN(10) == 0 {
			v.Sub(new(big.Int).Neg(lim), big.NewInt(1)) // MinInt
		}
		return v
	}
	text := func(t types.Type, v *big.Int) string {
		if t.Kind == types.Decimal {
			return ir.FormatDecimal(v, int(t.Scale))
		}
		return v.String()
	}
	for _, pr := range pairs {
		lt, rt := pr.l.t, pr.r.t
		for _, op := range []ir.BinaryOp{ir.Add, ir.Sub, ir.Mul, ir.Mod} {
			if lt != rt && op != ir.Mul {
				continue
			}
			res := lt
			if lt.Kind == types.Decimal {
				switch op {
				case ir.Add, ir.Sub:
					res = dec(int(lt.Precision)+1, int(lt.Scale))
				case ir.Mul:
					res = dec(int(lt.Precision+rt.Precision), int(lt.Scale+rt.Scale))
				}
			}
			for k := 0; k < 300; k++ {
				x, y := randVal(lt), randVal(rt)
				constant := func(t types.Type, v *big.Int) *ir.Literal {
					if t.IsInteger() {
						return lit(t, v.Int64())
					}
					return lit(t, text(t, v))
				}
				shapes := []ir.Expr{
					binT(op, res, c(pr.l.col), c(pr.r.col)),
					binT(op, res, c(pr.l.col), constant(rt, y)),
					binT(op, res, constant(lt, x), c(pr.r.col)),
				}
				var want string
				fits := true
				switch {
				case op == ir.Mod && y.Sign() == 0:
					want = "NULL"
				case op == ir.Mod:
					want = text(res, new(big.Int).Rem(x, y))
				default:
					fits = bigResultFits(op, x, y, lt, rt, res)
					var z big.Int
					switch op {
					case ir.Add:
						z.Add(x, y)
					case ir.Sub:
						z.Sub(x, y)
					case ir.Mul:
						z.Mul(x, y)
						if s := int(lt.Scale+rt.Scale) - int(res.Scale); s > 0 {
							z.Set(divRoundBig(&z, s))
						}
					}
					want = text(res, &z)
				}
				d := data{pr.l.col: rows(text(lt, x)), pr.r.col: rows(text(rt, y))}
				if lt.IsInteger() {
					d = data{pr.l.col: rows(x.Int64()), pr.r.col: rows(y.Int64())}
				}
				for _, e := range shapes {
					p, err := Compile(e, table, Env{})
					if err != nil {
						t.Fatal(err)
					}
					out := vector.New(res, 1)
					err = p.NewEvaluator().Eval(makeBatch(d, 1), out)
					expr := ir.FormatExpr(e, table)
					switch {
					case !fits && err == nil:
						t.Fatalf("%s with %s, %s = %s, want an overflow", expr, x, y, texts(out)[0])
					case !fits && !strings.Contains(err.Error(), "does not fit "+res.String()):
						t.Fatalf("%s with %s, %s: %v", expr, x, y, err)
					case fits && err != nil:
						t.Fatalf("%s with %s, %s: %v", expr, x, y, err)
					case fits && texts(out)[0] != want:
						t.Fatalf("%s with %s, %s = %s, want %s", expr, x, y, texts(out)[0], want)
					}
				}
			}
		}
	}
}
