package eval

import (
	"math"
	"strings"
	"testing"

	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

func TestColumnsAndLiterals(t *testing.T) {
	runAll(t, []testCase{
		{name: "bool column", e: c("b"), d: data{"b": rows(true, nil, false)}, want: strs("true|NULL|false")},
		{name: "int32 column", e: c("i32"), d: data{"i32": rows(math.MinInt32, nil, math.MaxInt32)}, want: strs("-2147483648|NULL|2147483647")},
		{name: "int64 column", e: c("i64"), d: data{"i64": rows(math.MinInt64, nil, math.MaxInt64)}, want: strs("-9223372036854775808|NULL|9223372036854775807")},
		{name: "float column", e: c("f"), d: data{"f": rows(1.5, nil, math.Inf(-1), math.NaN())}, want: strs("1.5|NULL|-Inf|NaN")},
		{name: "decimal column", e: c("d2"), d: data{"d2": rows("-12.34", nil, "9999999999999999.99")}, want: strs("-12.34|NULL|9999999999999999.99")},
		{name: "wide decimal column", e: c("w2"), d: data{"w2": rows("-999999999999999999999999999999999999.99", nil, "0.01")}, want: strs("-999999999999999999999999999999999999.99|NULL|0.01")},
		{name: "string column", e: c("s"), d: data{"s": rows("héllo", nil, "", "日本")}, want: strs("héllo|NULL||日本")},
		{name: "date column", e: c("dt"), d: data{"dt": rows("2024-02-29", nil, "1969-12-31")}, want: strs("2024-02-29|NULL|1969-12-31")},
		{name: "timestamp column", e: c("ts"), d: data{"ts": rows("2024-02-29T10:11:12.5Z", nil)}, want: strs("2024-02-29T10:11:12.5Z|NULL")},
		{name: "empty batch", e: c("i32"), d: data{"i32": rows()}, want: []string{}},
		{name: "int literal", e: i64(7), d: data{"i32": rows(1, 2)}, want: strs("7|7")},
		{name: "string literal", e: str("x"), d: data{"i32": rows(1, 2)}, want: strs("x|x")},
		{name: "null literal", e: str(nil), d: data{"i32": rows(1, 2)}, want: strs("NULL|NULL")},
		{name: "decimal literal", e: lit(dec(38, 2), "-12345678901234567890123456789012345.67"), d: data{"i32": rows(1)}, want: strs("-12345678901234567890123456789012345.67")},
		{name: "bool literal selects all", e: boolv(true), d: data{"i32": rows(1, 2)}, want: strs("true|true")},
		{name: "false literal", e: boolv(false), d: data{"i32": rows(1, 2)}, want: strs("false|false")},
		{name: "null bool literal", e: boolv(nil), d: data{"i32": rows(1, 2)}, want: strs("NULL|NULL")},
	})
}

func TestComparisons(t *testing.T) {
	ops := []ir.BinaryOp{ir.Eq, ir.Ne, ir.Lt, ir.Le, ir.Gt, ir.Ge}
	// Each row of want: the results of the six operators for 1 vs 2, 2 vs 2, 3 vs 2, null vs 2.
	wants := map[ir.BinaryOp]string{
		ir.Eq: "false|true|false|NULL", ir.Ne: "true|false|true|NULL", ir.Lt: "true|false|false|NULL",
		ir.Le: "true|true|false|NULL", ir.Gt: "false|false|true|NULL", ir.Ge: "false|true|true|NULL",
	}
	flipped := map[ir.BinaryOp]string{ // 2 op x
		ir.Eq: "false|true|false|NULL", ir.Ne: "true|false|true|NULL", ir.Lt: "false|false|true|NULL",
		ir.Le: "false|true|true|NULL", ir.Gt: "true|false|false|NULL", ir.Ge: "true|true|false|NULL",
	}
	type typed struct {
		col, col2 string
		vals      []any
		two       ir.Expr
	}
	cases := []typed{
		{"i32", "i32b", rows(1, 2, 3, nil), i32(2)},
		{"i64", "i64b", rows(1, 2, 3, nil), i64(2)},
		{"f", "fb", rows(1.0, 2.0, 3.0, nil), f64(2.0)},
		{"d2", "d2b", rows("0.01", "0.02", "0.03", nil), lit(dec(18, 2), "0.02")},
		{"w2", "w2b", rows("-99999999999999999999999999.01", "0.02", "99999999999999999999999999.03", nil), lit(dec(38, 2), "0.02")},
		{"s", "s2", rows("a", "b", "bb", nil), str("b")},
		{"dt", "", rows("2024-01-01", "2024-01-02", "2024-01-03", nil), lit(types.DateType, "2024-01-02")},
		{"ts", "", rows("2024-01-01T00:00:00Z", "2024-01-01T00:00:00.000001Z", "2024-01-02T00:00:00Z", nil), lit(types.TimestampType, "2024-01-01T00:00:00.000001Z")},
		{"b", "bb", rows(false, true, true, nil), boolv(true)},
	}
	var tcs []testCase
	for _, ty := range cases {
		for _, op := range ops {
			want := wants[op]
			fw := flipped[op]
			if ty.col == "b" { // false < true: rows false, true, true vs true
				want = map[ir.BinaryOp]string{ir.Eq: "false|true|true|NULL", ir.Ne: "true|false|false|NULL", ir.Lt: "true|false|false|NULL",
					ir.Le: "true|true|true|NULL", ir.Gt: "false|false|false|NULL", ir.Ge: "false|true|true|NULL"}[op]
				fw = map[ir.BinaryOp]string{ir.Eq: "false|true|true|NULL", ir.Ne: "true|false|false|NULL", ir.Lt: "false|false|false|NULL",
					ir.Le: "false|true|true|NULL", ir.Gt: "true|false|false|NULL", ir.Ge: "true|true|true|NULL"}[op]
			}
			tcs = append(tcs,
				testCase{name: ty.col + " " + op.String() + " const", e: bin(op, c(ty.col), ty.two), d: data{ty.col: ty.vals}, want: strs(want)},
				testCase{name: "const " + op.String() + " " + ty.col, e: bin(op, ty.two, c(ty.col)), d: data{ty.col: ty.vals}, want: strs(fw)},
			)
			if ty.col2 != "" {
				second := rows(ty.vals[1], ty.vals[1], ty.vals[1], ty.vals[1])
				tcs = append(tcs, testCase{name: ty.col + " " + op.String() + " column", e: bin(op, c(ty.col), c(ty.col2)),
					d: data{ty.col: ty.vals, ty.col2: second}, want: strs(want)})
			}
			// Under && the comparison sees only the rows kept so far.
			tcs = append(tcs, testCase{name: "not null && " + ty.col + " " + op.String() + " const",
				e: bin(ir.And, isNull(c(ty.col), true), bin(op, c(ty.col), ty.two)), d: data{ty.col: ty.vals}, want: strs(strings.ReplaceAll(want, "NULL", "false"))})
			tcs = append(tcs, testCase{name: ty.col + " " + op.String() + " null", e: bin(op, c(ty.col), lit(ty.two.Type(), nil)),
				d: data{ty.col: ty.vals}, want: strs("NULL|NULL|NULL|NULL")})
		}
	}
	tcs = append(tcs,
		testCase{name: "NaN equals NaN", e: bin(ir.Eq, c("f"), c("fb")), d: data{"f": rows(math.NaN(), 1.0), "fb": rows(math.NaN(), 1.0)}, want: strs("true|true")},
		testCase{name: "NaN is not unequal to NaN", e: bin(ir.Ne, c("f"), f64(math.NaN())), d: data{"f": rows(math.NaN(), 1.0)}, want: strs("false|true")},
		testCase{name: "infinities", e: bin(ir.Lt, c("f"), f64(math.Inf(1))), d: data{"f": rows(math.Inf(-1), math.MaxFloat64, math.Inf(1))}, want: strs("true|true|false")},
		testCase{name: "int64 extremes", e: bin(ir.Lt, c("i64"), c("i64b")), d: data{"i64": rows(math.MinInt64, math.MaxInt64), "i64b": rows(math.MaxInt64, math.MinInt64)}, want: strs("true|false")},
		testCase{name: "unicode strings order by bytes", e: bin(ir.Lt, c("s"), c("s2")), d: data{"s": rows("é", "Z", "", "日本"), "s2": rows("z", "a", "", "日本語")}, want: strs("false|true|false|true")},
		testCase{name: "string equality needs equal length", e: bin(ir.Eq, c("s"), str("ab")), d: data{"s": rows("a", "ab", "abc", "", nil)}, want: strs("false|true|false|false|NULL")},
		testCase{name: "string ne const", e: bin(ir.Ne, c("s"), str("")), d: data{"s": rows("a", "", nil)}, want: strs("true|false|NULL")},
		testCase{name: "one row", e: bin(ir.Gt, c("i32"), i32(18)), d: data{"i32": rows(19)}, want: strs("true")},
		testCase{name: "empty batch", e: bin(ir.Gt, c("i32"), i32(18)), d: data{"i32": rows()}, want: []string{}},
	)
	runAll(t, tcs)
}

func TestLogic(t *testing.T) {
	// The nine combinations of true, false and null.
	l := rows(true, true, true, false, false, false, nil, nil, nil)
	r := rows(true, false, nil, true, false, nil, true, false, nil)
	d := data{"b": l, "bb": r}
	runAll(t, []testCase{
		{name: "and", e: bin(ir.And, c("b"), c("bb")), d: d, want: strs("true|false|NULL|false|false|false|NULL|false|NULL")},
		{name: "or", e: bin(ir.Or, c("b"), c("bb")), d: d, want: strs("true|true|true|true|false|NULL|true|NULL|NULL")},
		{name: "not", e: not(c("b")), d: d, want: strs("false|false|false|true|true|true|NULL|NULL|NULL")},
		{name: "and without nulls", e: bin(ir.And, c("b"), c("bb")), d: data{"b": rows(true, true, false, false), "bb": rows(true, false, true, false)}, want: strs("true|false|false|false")},
		{name: "or without nulls", e: bin(ir.Or, c("b"), c("bb")), d: data{"b": rows(true, true, false, false), "bb": rows(true, false, true, false)}, want: strs("true|true|true|false")},
		{name: "and of comparisons", e: bin(ir.And, bin(ir.Gt, c("i32"), i32(18)), isNull(c("s"), true)),
			d: data{"i32": rows(17, 19, 30, nil, 40), "s": rows("DE", "DE", nil, "FR", "")}, want: strs("false|true|false|NULL|true")},
		{name: "and with null constant", e: bin(ir.And, c("b"), boolv(nil)), d: d, want: strs("NULL|NULL|NULL|false|false|false|NULL|NULL|NULL")},
		{name: "or with true constant", e: bin(ir.Or, c("b"), boolv(true)), d: d, want: strs("true|true|true|true|true|true|true|true|true")},
		{name: "is null", e: isNull(c("i32"), false), d: data{"i32": rows(1, nil, 3)}, want: strs("false|true|false")},
		{name: "is not null", e: isNull(c("i32"), true), d: data{"i32": rows(1, nil, 3)}, want: strs("true|false|true")},
		{name: "is null without bitmap", e: isNull(c("s"), false), d: data{"s": rows("a", "b")}, want: strs("false|false")},
		{name: "is not null without bitmap", e: isNull(c("s"), true), d: data{"s": rows("a", "b")}, want: strs("true|true")},
		{name: "is null of an expression", e: isNull(bin(ir.Add, c("i64"), c("i64b")), false), d: data{"i64": rows(1, nil, 3), "i64b": rows(1, 2, nil)}, want: strs("false|true|true")},
		{name: "is null of a literal", e: isNull(i64(nil), false), d: data{"i64": rows(1)}, want: strs("true")},
		{name: "not of a comparison", e: not(bin(ir.Eq, c("s"), str("x"))), d: data{"s": rows("x", "y", nil)}, want: strs("false|true|NULL")},
		{name: "or of comparisons (generic select)", e: bin(ir.Or, bin(ir.Lt, c("i32"), i32(0)), bin(ir.Gt, c("i32"), i32(10))), d: data{"i32": rows(-1, 5, 11, nil)}, want: strs("true|false|true|NULL")},
	})
}

func TestNullsAcrossManyRows(t *testing.T) {
	// 200 rows: validity spans several words, with a partial last one.
	n := 200
	a, b, want := make([]any, n), make([]any, n), make([]string, n)
	for i := range n {
		a[i] = i
		b[i] = i % 7
		switch {
		case i%5 == 0:
			a[i] = nil
			want[i] = "NULL"
		case i%7 == 3:
			b[i] = nil
			want[i] = "NULL"
		default:
			want[i] = formatInt(int64(i + i%7))
		}
	}
	runAll(t, []testCase{{name: "sum", e: bin(ir.Add, c("i64"), c("i64b")), d: data{"i64": a, "i64b": b}, want: want}})
	gt := make([]string, n)
	for i := range n {
		switch {
		case a[i] == nil:
			gt[i] = "NULL"
		case i > 100:
			gt[i] = "true"
		default:
			gt[i] = "false"
		}
	}
	runAll(t, []testCase{{name: "select", e: bin(ir.Gt, c("i64"), i64(100)), d: data{"i64": a}, want: gt}})
}
