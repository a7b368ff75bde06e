package reference_test

import (
	"math"
	"math/big"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/internal/reference"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// Shorthands for building IR by hand. Every expression is nullable: the
// reference never relies on nullability flags.
var (
	tBool = types.BoolType
	tI32  = types.Int32Type
	tI64  = types.Int64Type
	tF64  = types.Float64Type
	tStr  = types.StringType
	tDate = types.DateType
	tTS   = types.TimestampType
)

func tDec(p, s int) types.Type { return types.DecimalType(p, s) }

func meta(t types.Type) ir.Meta { return ir.Meta{T: t, Null: true} }

// col reads column i of type t.
func col(i int, t types.Type) ir.Expr { return &ir.ColumnRef{Meta: meta(t), Index: i} }

// lit is a constant: v is a Go bool, int64, float64 or string, or a
// decimal's text ("12.34") when t is a decimal, or nil for null.
func lit(t types.Type, v any) ir.Expr { return &ir.Literal{Meta: meta(t), Value: value(t, v)} }

func value(t types.Type, v any) ir.Value {
	if v == nil {
		return ir.NullValue(t)
	}
	out := ir.Value{Type: t}
	switch t.Kind {
	case types.Bool:
		out.Bool = v.(bool)
	case types.Int32, types.Int64:
		out.Int = v.(int64)
	case types.Date:
		out.Int = int64(date(v.(string)))
	case types.Timestamp:
		out.Int = ts(v.(string))
	case types.Float64:
		out.Float = v.(float64)
	case types.String:
		out.Str = v.(string)
	case types.Decimal:
		out.Dec = unscaledOf(v.(string), int(t.Scale))
	}
	return out
}

// unscaledOf reads a decimal's text at the given scale, exactly.
func unscaledOf(s string, scale int) *big.Int {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic("bad decimal " + s)
	}
	r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)))
	if !r.IsInt() {
		panic("decimal " + s + " has more digits than its scale")
	}
	return r.Num()
}

// dec is a decimal value of precision ≤ 18: its unscaled int64.
func dec(s string, scale int) int64 { return unscaledOf(s, scale).Int64() }

// wide is a decimal value of precision > 18: its unscaled Int128.
func wide(s string, scale int) decimal.Int128 {
	v, ok := decimal.FromBig(unscaledOf(s, scale))
	if !ok {
		panic("too wide: " + s)
	}
	return v
}

func date(s string) int32 {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return int32(t.Unix() / 86400)
}

func ts(s string) int64 {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UnixMicro()
}

func unary(op ir.UnaryOp, x ir.Expr, t types.Type) ir.Expr {
	return &ir.Unary{Meta: meta(t), Op: op, X: x}
}

func bin(op ir.BinaryOp, l, r ir.Expr, t types.Type) ir.Expr {
	return &ir.Binary{Meta: meta(t), Op: op, L: l, R: r}
}

// pred is a comparison or && / ||.
func pred(op ir.BinaryOp, l, r ir.Expr) ir.Expr { return bin(op, l, r, tBool) }

func cast(x ir.Expr, t types.Type) ir.Expr {
	return &ir.Cast{Meta: meta(t), X: x, Explicit: true}
}

func widen(x ir.Expr, t types.Type) ir.Expr { return &ir.Cast{Meta: meta(t), X: x} }

func call(fn ir.Func, t types.Type, args ...ir.Expr) ir.Expr {
	return &ir.Call{Meta: meta(t), Fn: fn, Args: args}
}

func isNull(x ir.Expr, negated bool) ir.Expr {
	return &ir.IsNull{Meta: ir.Meta{T: tBool}, X: x, Negated: negated}
}

func cond(c, th, el ir.Expr, t types.Type) ir.Expr {
	return &ir.Cond{Meta: meta(t), If: c, Then: th, Else: el}
}

func in(x ir.Expr, t types.Type, items ...any) ir.Expr {
	list := make([]ir.Value, len(items))
	for i, v := range items {
		list[i] = value(t, v)
	}
	return &ir.In{Meta: meta(tBool), X: x, List: list}
}

// badCast is an expression that always fails: "x" read as an int64.
func badCast() ir.Expr { return cast(lit(tStr, "x"), tI64) }

// schema builds a nullable schema from name, type pairs.
func schema(pairs ...any) types.Schema {
	var s types.Schema
	for i := 0; i < len(pairs); i += 2 {
		s = append(s, types.Column{Name: pairs[i].(string), Type: pairs[i+1].(types.Type), Nullable: true})
	}
	return s
}

func scan(name string, s types.Schema) *ir.Scan {
	return &ir.Scan{Source: &ir.Source{Kind: ir.SourceParquet, Name: name}, Out: s}
}

// diffRows compares rows with go-cmp; NaN equals NaN so that a NaN result
// can be expected, and -0 differs from 0 so that a sign can be.
func diffRows(want, got []reference.Row) string {
	return cmp.Diff(want, got, cmp.Comparer(func(a, b float64) bool {
		return (a == b && math.Signbit(a) == math.Signbit(b)) || (a != a && b != b)
	}))
}

func rows(rs ...reference.Row) []reference.Row {
	if rs == nil {
		return []reference.Row{}
	}
	return rs
}

type R = reference.Row

func mustRun(t *testing.T, n ir.Node, tables reference.Tables) []reference.Row {
	t.Helper()
	got, err := reference.Run(n, tables, reference.Env{})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return got
}
