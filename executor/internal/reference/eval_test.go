package reference_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/executor/internal/reference"
	"github.com/meshctl/meshctl/lang/ir"
)

// evalCase is one hand-computed expression result: e over row yields want,
// or fails with an error containing err.
type evalCase struct {
	name string
	e    ir.Expr
	row  R
	want any
	err  string
}

func runEvalCases(t *testing.T, cases []evalCase) {
	t.Helper()
	env := reference.Env{Now: time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := reference.Eval(tc.e, tc.row, env)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Eval = %#v, %v; want an error containing %q", got, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Eval: %v", err)
			}
			if diff := diffRows([]R{{tc.want}}, []R{{got}}); diff != "" {
				t.Errorf("Eval (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvalLogicAndComparisons(t *testing.T) {
	b := col(0, tBool)
	nb := lit(tBool, nil)
	runEvalCases(t, []evalCase{
		{name: "true && null is null", e: pred(ir.And, b, nb), row: R{true}, want: nil},
		{name: "false && null is false", e: pred(ir.And, b, nb), row: R{false}, want: false},
		{name: "null && false is false", e: pred(ir.And, nb, b), row: R{false}, want: false},
		{name: "null && true is null", e: pred(ir.And, nb, b), row: R{true}, want: nil},
		{name: "true || null is true", e: pred(ir.Or, b, nb), row: R{true}, want: true},
		{name: "null || true is true", e: pred(ir.Or, nb, b), row: R{true}, want: true},
		{name: "null || false is null", e: pred(ir.Or, nb, b), row: R{false}, want: nil},
		{name: "false || false is false", e: pred(ir.Or, b, b), row: R{false}, want: false},
		{name: "!null is null", e: unary(ir.Not, b, tBool), row: R{nil}, want: nil},
		{name: "!true is false", e: unary(ir.Not, b, tBool), row: R{true}, want: false},
		{name: "false && failing skips the right side", e: pred(ir.And, b, pred(ir.Eq, badCast(), lit(tI64, int64(1)))), row: R{false}, want: false},
		{name: "true && failing fails", e: pred(ir.And, b, pred(ir.Eq, badCast(), lit(tI64, int64(1)))), row: R{true}, err: `cannot cast string "x" to int64`},

		{name: "comparison with null is null", e: pred(ir.Lt, col(0, tI64), lit(tI64, nil)), row: R{int64(1)}, want: nil},
		{name: "null == null is null", e: pred(ir.Eq, col(0, tI64), col(0, tI64)), row: R{nil}, want: nil},
		{name: "int64 ==", e: pred(ir.Eq, col(0, tI64), lit(tI64, int64(5))), row: R{int64(5)}, want: true},
		{name: "int32 >=", e: pred(ir.Ge, col(0, tI32), lit(tI32, int64(18))), row: R{int32(17)}, want: false},
		{name: "strings compare by bytes: Z < a", e: pred(ir.Lt, col(0, tStr), lit(tStr, "a")), row: R{"Z"}, want: true},
		{name: "strings compare by bytes: é > z", e: pred(ir.Gt, col(0, tStr), lit(tStr, "z")), row: R{"é"}, want: true},
		{name: "false < true", e: pred(ir.Lt, col(0, tBool), lit(tBool, true)), row: R{false}, want: true},
		{name: "NaN == NaN", e: pred(ir.Eq, col(0, tF64), lit(tF64, math.NaN())), row: R{math.NaN()}, want: true},
		{name: "NaN > every number", e: pred(ir.Gt, col(0, tF64), lit(tF64, math.Inf(1))), row: R{math.NaN()}, want: true},
		{name: "-0 == 0", e: pred(ir.Eq, col(0, tF64), lit(tF64, 0.0)), row: R{math.Copysign(0, -1)}, want: true},
		{name: "decimal(18,2) 12.34 > 12.30", e: pred(ir.Gt, col(0, tDec(18, 2)), lit(tDec(18, 2), "12.3")), row: R{dec("12.34", 2)}, want: true},
		{name: "decimal(38,2) !=", e: pred(ir.Ne, col(0, tDec(38, 2)), lit(tDec(38, 2), "123456789012345678901234.56")), row: R{wide("123456789012345678901234.56", 2)}, want: false},
		{name: "date <", e: pred(ir.Lt, col(0, tDate), lit(tDate, "2024-01-01")), row: R{date("2023-12-31")}, want: true},
		{name: "timestamp ==", e: pred(ir.Eq, col(0, tTS), lit(tTS, "2024-01-01T00:00:00Z")), row: R{ts("2024-01-01T00:00:00Z")}, want: true},

		{name: "cond null takes else", e: cond(col(0, tBool), lit(tI64, int64(1)), lit(tI64, int64(2)), tI64), row: R{nil}, want: int64(2)},
		{name: "cond true takes then, else is not evaluated", e: cond(col(0, tBool), lit(tI64, int64(1)), badCast(), tI64), row: R{true}, want: int64(1)},
		{name: "cond false takes else", e: cond(col(0, tBool), lit(tStr, "y"), col(1, tStr), tStr), row: R{false, nil}, want: nil},

		{name: "in: null x is null", e: in(col(0, tStr), tStr, "a", "b"), row: R{nil}, want: nil},
		{name: "in: a hit is true even with a null in the list", e: in(col(0, tStr), tStr, "a", nil), row: R{"a"}, want: true},
		{name: "in: a miss with a null in the list is null", e: in(col(0, tStr), tStr, "a", nil), row: R{"b"}, want: nil},
		{name: "in: a miss is false", e: in(col(0, tI32), tI32, int64(1), int64(2)), row: R{int32(3)}, want: false},
		{name: "in: decimals", e: in(col(0, tDec(5, 2)), tDec(5, 2), "1.5", "2.25"), row: R{dec("2.25", 2)}, want: true},

		{name: "is_null of null", e: isNull(col(0, tI64), false), row: R{nil}, want: true},
		{name: "x != null of null", e: isNull(col(0, tI64), true), row: R{nil}, want: false},
		{name: "x != null of a value", e: isNull(col(0, tStr), true), row: R{""}, want: true},
	})
}

func TestEvalArithmetic(t *testing.T) {
	i64, i32 := col(0, tI64), col(0, tI32)
	runEvalCases(t, []evalCase{
		{name: "int64 + null is null", e: bin(ir.Add, i64, lit(tI64, nil), tI64), row: R{int64(1)}, want: nil},
		{name: "null * int64 is null", e: bin(ir.Mul, lit(tI64, nil), i64, tI64), row: R{int64(1)}, want: nil},
		{name: "int64 + int64", e: bin(ir.Add, i64, lit(tI64, int64(-3)), tI64), row: R{int64(10)}, want: int64(7)},
		{name: "int64 overflow is an error", e: bin(ir.Add, i64, lit(tI64, int64(1)), tI64), row: R{int64(math.MaxInt64)}, err: "overflow: 9223372036854775807 + 1 = 9223372036854775808 does not fit int64"},
		{name: "int64 - overflow", e: bin(ir.Sub, i64, lit(tI64, int64(1)), tI64), row: R{int64(math.MinInt64)}, err: "does not fit int64"},
		{name: "int32 overflow at int32's range", e: bin(ir.Mul, i32, lit(tI32, int64(2)), tI32), row: R{int32(math.MaxInt32)}, err: "4294967294 does not fit int32"},
		{name: "int32 * int32 in range", e: bin(ir.Mul, i32, lit(tI32, int64(-3)), tI32), row: R{int32(7)}, want: int32(-21)},
		{name: "-min int64 is an error", e: unary(ir.Neg, i64, tI64), row: R{int64(math.MinInt64)}, err: "does not fit int64"},
		{name: "-int32", e: unary(ir.Neg, i32, tI32), row: R{int32(5)}, want: int32(-5)},
		{name: "% has the sign of the dividend: -7 % 3", e: bin(ir.Mod, i64, lit(tI64, int64(3)), tI64), row: R{int64(-7)}, want: int64(-1)},
		{name: "% has the sign of the dividend: 7 % -3", e: bin(ir.Mod, i64, lit(tI64, int64(-3)), tI64), row: R{int64(7)}, want: int64(1)},
		{name: "x % 0 is null", e: bin(ir.Mod, i64, lit(tI64, int64(0)), tI64), row: R{int64(7)}, want: nil},
		{name: "min int64 % -1 is 0", e: bin(ir.Mod, i64, lit(tI64, int64(-1)), tI64), row: R{int64(math.MinInt64)}, want: int64(0)},
		{name: "/ yields float64", e: bin(ir.Div, widen(i64, tF64), lit(tF64, 2.0), tF64), row: R{int64(7)}, want: 3.5},
		{name: "x / 0 is null", e: bin(ir.Div, col(0, tF64), lit(tF64, 0.0), tF64), row: R{1.0}, want: nil},
		{name: "x / -0 is null", e: bin(ir.Div, col(0, tF64), col(1, tF64), tF64), row: R{0.0, math.Copysign(0, -1)}, want: nil},
		{name: "float % keeps the dividend's sign", e: bin(ir.Mod, col(0, tF64), lit(tF64, 2.0), tF64), row: R{-7.5}, want: -1.5},
		{name: "float x % 0 is null", e: bin(ir.Mod, col(0, tF64), lit(tF64, 0.0), tF64), row: R{-7.5}, want: nil},
		{name: "float overflow is +Inf, not an error", e: bin(ir.Mul, col(0, tF64), lit(tF64, 10.0), tF64), row: R{math.MaxFloat64}, want: math.Inf(1)},

		// Decimals: + and - keep the scale and add a digit of precision.
		{name: "decimal(18,2) + decimal(18,2) is decimal(19,2)", e: bin(ir.Add, col(0, tDec(18, 2)), lit(tDec(18, 2), "0.66"), tDec(19, 2)), row: R{dec("12.34", 2)}, want: wide("13.00", 2)},
		{name: "decimal(5,2) - decimal(5,2) is decimal(6,2)", e: bin(ir.Sub, col(0, tDec(5, 2)), lit(tDec(5, 2), "999.99"), tDec(6, 2)), row: R{dec("-999.99", 2)}, want: dec("-1999.98", 2)},
		// * takes any scales and adds them.
		{name: "decimal(18,2) * 2 is decimal(19,2)", e: bin(ir.Mul, col(0, tDec(18, 2)), lit(tDec(1, 0), "2"), tDec(19, 2)), row: R{dec("1.50", 2)}, want: wide("3.00", 2)},
		{name: "decimal(5,3) * decimal(4,2) is decimal(9,5)", e: bin(ir.Mul, col(0, tDec(5, 3)), lit(tDec(4, 2), "2.5"), tDec(9, 5)), row: R{dec("1.234", 3)}, want: dec("3.085", 5)},
		{name: "negative decimal product", e: bin(ir.Mul, col(0, tDec(3, 1)), col(1, tDec(3, 1)), tDec(6, 2)), row: R{dec("-1.5", 1), dec("1.5", 1)}, want: dec("-2.25", 2)},
		{name: "decimal * past 38 digits is an error", e: bin(ir.Mul, col(0, tDec(38, 0)), col(0, tDec(38, 0)), tDec(38, 0)), row: R{wide("10000000000000000000000", 0)}, err: "does not fit decimal(38,0)"},
		{name: "decimal + past 38 digits is an error", e: bin(ir.Add, col(0, tDec(38, 0)), col(0, tDec(38, 0)), tDec(38, 0)), row: R{wide("60000000000000000000000000000000000000", 0)}, err: "does not fit decimal(38,0)"},
		{name: "decimal + exactly at 38 digits is fine", e: bin(ir.Add, col(0, tDec(38, 0)), lit(tDec(38, 0), "1"), tDec(38, 0)), row: R{wide("99999999999999999999999999999999999998", 0)}, want: wide("99999999999999999999999999999999999999", 0)},
		{name: "decimal % keeps the dividend's sign", e: bin(ir.Mod, col(0, tDec(5, 2)), lit(tDec(5, 2), "3"), tDec(5, 2)), row: R{dec("-10.5", 2)}, want: dec("-1.5", 2)},
		{name: "decimal % 0 is null", e: bin(ir.Mod, col(0, tDec(5, 2)), lit(tDec(5, 2), "0"), tDec(5, 2)), row: R{dec("10.5", 2)}, want: nil},
		{name: "-decimal", e: unary(ir.Neg, col(0, tDec(20, 2)), tDec(20, 2)), row: R{wide("1.25", 2)}, want: wide("-1.25", 2)},
		{name: "decimal / decimal through float64", e: bin(ir.Div, widen(col(0, tDec(5, 2)), tF64), widen(col(1, tDec(5, 2)), tF64), tF64), row: R{dec("1", 2), dec("4", 2)}, want: 0.25},
	})
}

func TestEvalCasts(t *testing.T) {
	s := col(0, tStr)
	runEvalCases(t, []evalCase{
		{name: "cast of null is null", e: cast(s, tI64), row: R{nil}, want: nil},
		{name: "string to int64", e: cast(s, tI64), row: R{"-42"}, want: int64(-42)},
		{name: "string to int64 is strict about spaces", e: cast(s, tI64), row: R{" 42"}, err: `cannot cast string " 42" to int64`},
		{name: "string to int64 refuses a fraction", e: cast(s, tI64), row: R{"4.2"}, err: "to int64"},
		{name: "string to int32 out of range", e: cast(s, tI32), row: R{"3000000000"}, err: "to int32"},
		{name: "string to float64", e: cast(s, tF64), row: R{"1e3"}, want: 1000.0},
		{name: "string to float64 fails", e: cast(s, tF64), row: R{"abc"}, err: "to float64"},
		{name: "string to decimal rounds half away from zero", e: cast(s, tDec(5, 2)), row: R{"1.005"}, want: dec("1.01", 2)},
		{name: "string to decimal rounds negatives away from zero", e: cast(s, tDec(5, 2)), row: R{"-1.005"}, want: dec("-1.01", 2)},
		{name: "string to decimal: .5 and +", e: cast(s, tDec(5, 2)), row: R{"+.5"}, want: dec("0.5", 2)},
		{name: "string to decimal too many digits", e: cast(s, tDec(5, 2)), row: R{"1234.5"}, err: "more than 5 digits"},
		{name: "string to decimal refuses exponents", e: cast(s, tDec(5, 2)), row: R{"1e3"}, err: "not a decimal number"},
		{name: "string to decimal(38,2)", e: cast(s, tDec(38, 2)), row: R{"123456789012345678901234567890.125"}, want: wide("123456789012345678901234567890.13", 2)},
		{name: "string to bool, case-insensitive", e: cast(s, tBool), row: R{"TRUE"}, want: true},
		{name: "string 0 to bool", e: cast(s, tBool), row: R{"0"}, want: false},
		{name: "string yes to bool fails", e: cast(s, tBool), row: R{"yes"}, err: "to bool"},
		{name: "string to date", e: cast(s, tDate), row: R{"2024-02-29"}, want: date("2024-02-29")},
		{name: "string to date: no such day", e: cast(s, tDate), row: R{"2023-02-29"}, err: "not a date"},
		{name: "string to timestamp with a space and a fraction", e: cast(s, tTS), row: R{"2024-01-31 12:00:00.5"}, want: ts("2024-01-31T12:00:00.5Z")},
		{name: "string to timestamp with an offset", e: cast(s, tTS), row: R{"2024-01-31T12:00:00+02:00"}, want: ts("2024-01-31T10:00:00Z")},
		{name: "string date to timestamp is midnight UTC", e: cast(s, tTS), row: R{"2024-01-31"}, want: ts("2024-01-31T00:00:00Z")},
		{name: "string to timestamp fails", e: cast(s, tTS), row: R{"31/01/2024"}, err: "not a timestamp"},

		{name: "float to int64 rounds half away from zero", e: cast(col(0, tF64), tI64), row: R{2.5}, want: int64(3)},
		{name: "float to int64 rounds -2.5 to -3", e: cast(col(0, tF64), tI64), row: R{-2.5}, want: int64(-3)},
		{name: "float NaN to int64 fails", e: cast(col(0, tF64), tI64), row: R{math.NaN()}, err: "not a finite number"},
		{name: "float 1e19 to int64 is out of range", e: cast(col(0, tF64), tI64), row: R{1e19}, err: "out of range"},
		{name: "float to int32 out of range", e: cast(col(0, tF64), tI32), row: R{2147483647.5}, err: "out of range"},
		{name: "decimal to int32 rounds 2.50 to 3", e: cast(col(0, tDec(5, 2)), tI32), row: R{dec("2.5", 2)}, want: int32(3)},
		{name: "decimal to int32 rounds -2.49 to -2", e: cast(col(0, tDec(5, 2)), tI32), row: R{dec("-2.49", 2)}, want: int32(-2)},
		{name: "int64 to int32 out of range", e: cast(col(0, tI64), tI32), row: R{int64(1) << 40}, err: "out of range"},
		{name: "decimal to a smaller scale rounds half away from zero", e: cast(col(0, tDec(5, 3)), tDec(5, 2)), row: R{dec("-1.235", 3)}, want: dec("-1.24", 2)},
		{name: "decimal(38,2) to decimal(18,2) that fits", e: cast(col(0, tDec(38, 2)), tDec(18, 2)), row: R{wide("1234.5", 2)}, want: dec("1234.5", 2)},
		{name: "decimal(38,2) to decimal(18,2) that does not fit", e: cast(col(0, tDec(38, 2)), tDec(18, 2)), row: R{wide("12345678901234567890", 2)}, err: "more than 18 digits"},
		{name: "implicit decimal(38,0) to decimal(38,2) is checked", e: widen(col(0, tDec(38, 0)), tDec(38, 2)), row: R{wide("1000000000000000000000000000000000000", 0)}, err: "more than 38 digits"},
		{name: "implicit decimal(38,0) to decimal(38,2) that fits", e: widen(col(0, tDec(38, 0)), tDec(38, 2)), row: R{wide("-7", 0)}, want: wide("-7", 2)},
		{name: "implicit int64 to decimal(19,0)", e: widen(col(0, tI64), tDec(19, 0)), row: R{int64(math.MinInt64)}, want: wide("-9223372036854775808", 0)},
		{name: "implicit int32 to decimal(12,2)", e: widen(col(0, tI32), tDec(12, 2)), row: R{int32(-5)}, want: dec("-5", 2)},
		{name: "implicit int32 to int64", e: widen(col(0, tI32), tI64), row: R{int32(-5)}, want: int64(-5)},
		{name: "implicit int64 to float64", e: widen(col(0, tI64), tF64), row: R{int64(1) << 53}, want: 9007199254740992.0},
		{name: "float to decimal rounds half away from zero", e: cast(col(0, tF64), tDec(10, 2)), row: R{-0.125}, want: dec("-0.13", 2)},
		{name: "float to decimal reads the float as it prints: 1.005", e: cast(col(0, tF64), tDec(10, 2)), row: R{1.005}, want: dec("1.01", 2)},
		{name: "float to decimal of a computed float", e: cast(col(0, tF64), tDec(10, 2)), row: R{0.1 + 0.2}, want: dec("0.3", 2)},
		{name: "large float to decimal(38,0)", e: cast(col(0, tF64), tDec(38, 0)), row: R{1e37}, want: wide("10000000000000000000000000000000000000", 0)},
		{name: "float too large for decimal(38,0)", e: cast(col(0, tF64), tDec(38, 0)), row: R{1e38}, err: "more than 38 digits"},
		{name: "float Inf to decimal fails", e: cast(col(0, tF64), tDec(10, 2)), row: R{math.Inf(-1)}, err: "not a finite number"},
		{name: "decimal to float64", e: widen(col(0, tDec(18, 2)), tF64), row: R{dec("12.34", 2)}, want: 12.34},
		{name: "decimal(38,2) to float64", e: widen(col(0, tDec(38, 2)), tF64), row: R{wide("-0.5", 2)}, want: -0.5},
		{name: "int64 to bool", e: cast(col(0, tI64), tBool), row: R{int64(-5)}, want: true},
		{name: "int32 0 to bool", e: cast(col(0, tI32), tBool), row: R{int32(0)}, want: false},
		{name: "bool to int32", e: cast(col(0, tBool), tI32), row: R{true}, want: int32(1)},
		{name: "timestamp to date takes the day, before 1970 too", e: cast(col(0, tTS), tDate), row: R{ts("1969-12-31T23:00:00Z")}, want: date("1969-12-31")},
		{name: "date to timestamp", e: widen(col(0, tDate), tTS), row: R{date("1969-12-31")}, want: ts("1969-12-31T00:00:00Z")},

		{name: "decimal to string keeps its scale", e: cast(col(0, tDec(18, 2)), tStr), row: R{dec("0.05", 2)}, want: "0.05"},
		{name: "negative decimal to string", e: cast(col(0, tDec(18, 2)), tStr), row: R{dec("-0.05", 2)}, want: "-0.05"},
		{name: "decimal(38,3) to string", e: cast(col(0, tDec(38, 3)), tStr), row: R{wide("-12345678901234567890.5", 3)}, want: "-12345678901234567890.500"},
		{name: "date to string", e: cast(col(0, tDate), tStr), row: R{date("2024-03-15")}, want: "2024-03-15"},
		{name: "timestamp to string", e: cast(col(0, tTS), tStr), row: R{ts("2024-03-15T13:45:30.1234Z")}, want: "2024-03-15T13:45:30.1234Z"},
		{name: "whole-second timestamp to string", e: cast(col(0, tTS), tStr), row: R{ts("1969-07-20T20:17:00Z")}, want: "1969-07-20T20:17:00Z"},
		{name: "large float to string without exponent", e: cast(col(0, tF64), tStr), row: R{1e21}, want: "1000000000000000000000"},
		{name: "float to string, shortest", e: cast(col(0, tF64), tStr), row: R{0.1}, want: "0.1"},
		{name: "+Inf to string", e: cast(col(0, tF64), tStr), row: R{math.Inf(1)}, want: "+Inf"},
		{name: "NaN to string", e: cast(col(0, tF64), tStr), row: R{math.NaN()}, want: "NaN"},
		{name: "bool to string", e: cast(col(0, tBool), tStr), row: R{false}, want: "false"},
		{name: "int32 to string", e: widen(col(0, tI32), tStr), row: R{int32(-12)}, want: "-12"},
	})
}

func TestEvalFunctions(t *testing.T) {
	s := col(0, tStr)
	str := func(v string) ir.Expr { return lit(tStr, v) }
	i64 := func(v int64) ir.Expr { return lit(tI64, v) }
	runEvalCases(t, []evalCase{
		{name: "lower of null", e: call(ir.FnLower, tStr, s), row: R{nil}, want: nil},
		{name: "lower is Unicode", e: call(ir.FnLower, tStr, s), row: R{"ÉCOLE Ω"}, want: "école ω"},
		{name: "upper is Unicode", e: call(ir.FnUpper, tStr, s), row: R{"élan"}, want: "ÉLAN"},
		{name: "trim", e: call(ir.FnTrim, tStr, s), row: R{" \t a b \n"}, want: "a b"},
		{name: "length counts characters", e: call(ir.FnLength, tI64, s), row: R{"héllo"}, want: int64(5)},
		{name: "length of empty", e: call(ir.FnLength, tI64, s), row: R{""}, want: int64(0)},

		{name: "substr from 2", e: call(ir.FnSubstr, tStr, s, i64(2)), row: R{"hello"}, want: "ello"},
		{name: "substr 2, 3", e: call(ir.FnSubstr, tStr, s, i64(2), i64(3)), row: R{"hello"}, want: "ell"},
		{name: "substr start 0 eats one of the length", e: call(ir.FnSubstr, tStr, s, i64(0), i64(2)), row: R{"hello"}, want: "h"},
		{name: "substr start -1 length 3", e: call(ir.FnSubstr, tStr, s, i64(-1), i64(3)), row: R{"hello"}, want: "h"},
		{name: "substr start -5 without length", e: call(ir.FnSubstr, tStr, s, i64(-5)), row: R{"hello"}, want: "hello"},
		{name: "substr past the end", e: call(ir.FnSubstr, tStr, s, i64(10)), row: R{"hello"}, want: ""},
		{name: "substr length past the end", e: call(ir.FnSubstr, tStr, s, i64(4), i64(100)), row: R{"hello"}, want: "lo"},
		{name: "substr counts characters", e: call(ir.FnSubstr, tStr, s, i64(2), i64(2)), row: R{"héllo"}, want: "él"},
		{name: "substr length 0", e: call(ir.FnSubstr, tStr, s, i64(2), i64(0)), row: R{"hello"}, want: ""},
		{name: "substr huge start and length", e: call(ir.FnSubstr, tStr, s, i64(math.MaxInt64), i64(math.MaxInt64)), row: R{"hello"}, want: ""},
		{name: "substr negative length is an error", e: call(ir.FnSubstr, tStr, s, i64(1), i64(-1)), row: R{"hello"}, err: "negative length"},
		{name: "substr null start is null", e: call(ir.FnSubstr, tStr, s, lit(tI64, nil)), row: R{"hello"}, want: nil},

		{name: "concat: null counts as empty", e: call(ir.FnConcat, tStr, str("a"), s, str("b")), row: R{nil}, want: "ab"},
		{name: "template: a null part makes null", e: call(ir.FnTemplate, tStr, str("a"), s, str("b")), row: R{nil}, want: nil},
		{name: "template joins", e: call(ir.FnTemplate, tStr, s, str(" <"), widen(col(1, tDec(5, 2)), tStr), str(">")), row: R{"x", dec("1.5", 2)}, want: "x <1.50>"},
		{name: "coalesce takes the first non-null and evaluates no further", e: call(ir.FnCoalesce, tI64, col(0, tI64), i64(3), badCast()), row: R{nil}, want: int64(3)},
		{name: "coalesce of nulls", e: call(ir.FnCoalesce, tI64, col(0, tI64), lit(tI64, nil)), row: R{nil}, want: nil},

		{name: "abs of min int64 is an error", e: call(ir.FnAbs, tI64, col(0, tI64)), row: R{int64(math.MinInt64)}, err: "abs(-9223372036854775808) does not fit int64"},
		{name: "abs of int32", e: call(ir.FnAbs, tI32, col(0, tI32)), row: R{int32(-4)}, want: int32(4)},
		{name: "abs of float", e: call(ir.FnAbs, tF64, col(0, tF64)), row: R{-2.5}, want: 2.5},
		{name: "abs of decimal", e: call(ir.FnAbs, tDec(5, 2), col(0, tDec(5, 2))), row: R{dec("-1.5", 2)}, want: dec("1.5", 2)},

		{name: "round float half away from zero", e: call(ir.FnRound, tF64, col(0, tF64), i64(0)), row: R{-2.5}, want: -3.0},
		{name: "round float to 1 digit: 1.25 is exact", e: call(ir.FnRound, tF64, col(0, tF64), i64(1)), row: R{1.25}, want: 1.3},
		{name: "round float as it prints: 2.675", e: call(ir.FnRound, tF64, col(0, tF64), i64(2)), row: R{2.675}, want: 2.68},
		{name: "round float as it prints: -0.35", e: call(ir.FnRound, tF64, col(0, tF64), i64(1)), row: R{-0.35}, want: -0.4},
		{name: "round float to 0 keeps the sign, as math.Round", e: call(ir.FnRound, tF64, col(0, tF64), i64(0)), row: R{-0.4}, want: math.Copysign(0, -1)},
		{name: "round large float is itself", e: call(ir.FnRound, tF64, col(0, tF64), i64(3)), row: R{1e300}, want: 1e300},
		{name: "round Inf stays", e: call(ir.FnRound, tF64, col(0, tF64), i64(2)), row: R{math.Inf(1)}, want: math.Inf(1)},
		{name: "round decimal(10,3) to 2 digits is decimal(10,2)", e: call(ir.FnRound, tDec(10, 2), col(0, tDec(10, 3)), i64(2)), row: R{dec("-1.245", 3)}, want: dec("-1.25", 2)},
		{name: "round decimal to more digits than its scale keeps it", e: call(ir.FnRound, tDec(10, 3), col(0, tDec(10, 3)), i64(5)), row: R{dec("1.245", 3)}, want: dec("1.245", 3)},
		{name: "round int64 is the value", e: call(ir.FnRound, tI64, col(0, tI64), i64(2)), row: R{int64(7)}, want: int64(7)},
		{name: "floor float", e: call(ir.FnFloor, tF64, col(0, tF64)), row: R{-1.5}, want: -2.0},
		{name: "ceil float", e: call(ir.FnCeil, tF64, col(0, tF64)), row: R{-1.5}, want: -1.0},
		{name: "floor decimal(18,2) is decimal(17,0)", e: call(ir.FnFloor, tDec(17, 0), col(0, tDec(18, 2))), row: R{dec("-1.5", 2)}, want: int64(-2)},
		{name: "ceil decimal(18,2)", e: call(ir.FnCeil, tDec(17, 0), col(0, tDec(18, 2))), row: R{dec("1.01", 2)}, want: int64(2)},
		{name: "ceil negative decimal", e: call(ir.FnCeil, tDec(17, 0), col(0, tDec(18, 2))), row: R{dec("-1.99", 2)}, want: int64(-1)},
		{name: "floor int32 is the value", e: call(ir.FnFloor, tI32, col(0, tI32)), row: R{int32(-3)}, want: int32(-3)},

		{name: "like a%", e: call(ir.FnLike, tBool, s, str("a%")), row: R{"abc"}, want: true},
		{name: "like _b_", e: call(ir.FnLike, tBool, s, str("_b_")), row: R{"abc"}, want: true},
		{name: "like _ is one character, not a byte", e: call(ir.FnLike, tBool, s, str("_b")), row: R{"éb"}, want: true},
		{name: "like is case-sensitive", e: call(ir.FnLike, tBool, s, str("ABC")), row: R{"abc"}, want: false},
		{name: "like % matches the empty string", e: call(ir.FnLike, tBool, s, str("%")), row: R{""}, want: true},
		{name: "like a%b%c backtracks", e: call(ir.FnLike, tBool, s, str("a%b%c")), row: R{"aXbYbc"}, want: true},
		{name: "like a%b%c misses", e: call(ir.FnLike, tBool, s, str("a%b%c")), row: R{"aXcYb"}, want: false},
		{name: `like \% is a literal percent`, e: call(ir.FnLike, tBool, s, str(`a\%c`)), row: R{"a%c"}, want: true},
		{name: `like \% does not match other characters`, e: call(ir.FnLike, tBool, s, str(`a\%c`)), row: R{"abc"}, want: false},
		{name: `like \_ is a literal underscore`, e: call(ir.FnLike, tBool, s, str(`a\_c`)), row: R{"abc"}, want: false},
		{name: "like with a null pattern", e: call(ir.FnLike, tBool, str("abc"), s), row: R{nil}, want: nil},

		{name: "year of date", e: call(ir.FnYear, tI32, col(0, tDate)), row: R{date("1969-12-31")}, want: int32(1969)},
		{name: "month of timestamp", e: call(ir.FnMonth, tI32, col(0, tTS)), row: R{ts("2024-03-15T23:59:59Z")}, want: int32(3)},
		{name: "day of timestamp", e: call(ir.FnDay, tI32, col(0, tTS)), row: R{ts("2024-03-15T23:59:59.999999Z")}, want: int32(15)},
		{name: "year of null", e: call(ir.FnYear, tI32, col(0, tDate)), row: R{nil}, want: nil},

		{name: "date_trunc week of a Sunday is the Monday before", e: call(ir.FnDateTrunc, tDate, str("week"), col(0, tDate)), row: R{date("2024-03-17")}, want: date("2024-03-11")},
		{name: "date_trunc week of a Monday is itself", e: call(ir.FnDateTrunc, tDate, str("week"), col(0, tDate)), row: R{date("2024-03-11")}, want: date("2024-03-11")},
		{name: "date_trunc week across a year", e: call(ir.FnDateTrunc, tDate, str("week"), col(0, tDate)), row: R{date("2021-01-01")}, want: date("2020-12-28")},
		{name: "date_trunc quarter", e: call(ir.FnDateTrunc, tDate, str("quarter"), col(0, tDate)), row: R{date("2024-08-20")}, want: date("2024-07-01")},
		{name: "date_trunc year", e: call(ir.FnDateTrunc, tDate, str("year"), col(0, tDate)), row: R{date("2024-08-20")}, want: date("2024-01-01")},
		{name: "date_trunc hour of a date is the date", e: call(ir.FnDateTrunc, tDate, str("hour"), col(0, tDate)), row: R{date("2024-08-20")}, want: date("2024-08-20")},
		{name: "date_trunc month of a timestamp before 1970", e: call(ir.FnDateTrunc, tTS, str("month"), col(0, tTS)), row: R{ts("1969-07-20T20:17:40Z")}, want: ts("1969-07-01T00:00:00Z")},
		{name: "date_trunc hour", e: call(ir.FnDateTrunc, tTS, str("hour"), col(0, tTS)), row: R{ts("2024-03-15T13:45:30.5Z")}, want: ts("2024-03-15T13:00:00Z")},
		{name: "date_trunc minute", e: call(ir.FnDateTrunc, tTS, str("minute"), col(0, tTS)), row: R{ts("2024-03-15T13:45:30.5Z")}, want: ts("2024-03-15T13:45:00Z")},
		{name: "date_trunc second drops microseconds before 1970", e: call(ir.FnDateTrunc, tTS, str("second"), col(0, tTS)), row: R{ts("1969-12-31T23:59:59.25Z")}, want: ts("1969-12-31T23:59:59Z")},
		{name: "date_trunc day of a timestamp", e: call(ir.FnDateTrunc, tTS, str("day"), col(0, tTS)), row: R{ts("2024-03-15T13:45:30Z")}, want: ts("2024-03-15T00:00:00Z")},

		{name: "now is Env.Now", e: call(ir.FnNow, tTS), row: R{}, want: ts("2024-05-06T07:08:09.123456Z")},

		{name: "mask_hash without a key is SHA-256", e: call(ir.FnMaskHash, tStr, s), row: R{"abc"}, want: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{name: "mask_hash hashes an int64's text", e: call(ir.FnMaskHash, tStr, col(0, tI64)), row: R{int64(42)}, want: "73475cb40a568e8da8a045ced110137e159f890ac4da883b6b17dc651b3a8049"},
		{name: "mask_hash hashes a decimal's text with its scale", e: call(ir.FnMaskHash, tStr, col(0, tDec(5, 2))), row: R{dec("12.3", 2)}, want: "66967ee1379cad8e86426d661092b928146814083cf2c1f1d0263c470d9cff28"},
		{name: "mask_hash of null", e: call(ir.FnMaskHash, tStr, s), row: R{nil}, want: nil},

		{name: "mask_redact of a string", e: call(ir.FnMaskRedact, tStr, s), row: R{"secret"}, want: "****"},
		{name: "mask_redact of an empty string", e: call(ir.FnMaskRedact, tStr, s), row: R{""}, want: "****"},
		{name: "mask_redact of an int64", e: call(ir.FnMaskRedact, tStr, col(0, tI64)), row: R{int64(42)}, want: "****"},
		{name: "mask_redact of null", e: call(ir.FnMaskRedact, tStr, s), row: R{nil}, want: nil},
		{name: "mask_null of a string", e: call(ir.FnMaskNull, tStr, s), row: R{"secret"}, want: nil},
		{name: "mask_null widened", e: call(ir.FnMaskNull, tI64, col(0, tI32)), row: R{int32(7)}, want: nil},
		{name: "mask_last4 of a card", e: call(ir.FnMaskLast4, tStr, s), row: R{"4111111111111111"}, want: "************1111"},
		{name: "mask_last4 of 5 characters", e: call(ir.FnMaskLast4, tStr, s), row: R{"12345"}, want: "*2345"},
		{name: "mask_last4 of 4 characters reveals none", e: call(ir.FnMaskLast4, tStr, s), row: R{"1234"}, want: "****"},
		{name: "mask_last4 of 2 characters", e: call(ir.FnMaskLast4, tStr, s), row: R{"日本"}, want: "**"},
		{name: "mask_last4 of an empty string", e: call(ir.FnMaskLast4, tStr, s), row: R{""}, want: ""},
		{name: "mask_last4 counts runes", e: call(ir.FnMaskLast4, tStr, s), row: R{"héllo wörld"}, want: "*******örld"},
		{name: "mask_last4 of an invalid byte", e: call(ir.FnMaskLast4, tStr, s), row: R{"ab\xffcde"}, want: "**\xffcde"},
		{name: "mask_last4 of a decimal's text", e: call(ir.FnMaskLast4, tStr, col(0, tDec(5, 2))), row: R{dec("12.3", 2)}, want: "*2.30"},
		{name: "mask_last4 of null", e: call(ir.FnMaskLast4, tStr, s), row: R{nil}, want: nil},
		{name: "mask_email_domain", e: call(ir.FnMaskEmailDomain, tStr, s), row: R{"alice@example.com"}, want: "***@example.com"},
		{name: "mask_email_domain keeps from the last @", e: call(ir.FnMaskEmailDomain, tStr, s), row: R{"a@b@c.org"}, want: "***@c.org"},
		{name: "mask_email_domain without @", e: call(ir.FnMaskEmailDomain, tStr, s), row: R{"alice"}, want: "***"},
		{name: "mask_email_domain of an empty string", e: call(ir.FnMaskEmailDomain, tStr, s), row: R{""}, want: "***"},
		{name: "mask_email_domain of null", e: call(ir.FnMaskEmailDomain, tStr, s), row: R{nil}, want: nil},
	})
}

func TestEvalMaskHashWithKey(t *testing.T) {
	env := reference.Env{MaskKey: []byte("key")}
	got, err := reference.Eval(call(ir.FnMaskHash, tStr, col(0, tStr)), R{"The quick brown fox jumps over the lazy dog"}, env)
	if err != nil {
		t.Fatal(err)
	}
	// RFC 4231-style known answer for HMAC-SHA256("key", …).
	if want := "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"; got != want {
		t.Errorf("mask_hash = %v, want %s", got, want)
	}
}

// TestEvalChecksItsInputs: a row value that does not match its column
// reference's type is refused rather than computed with.
func TestEvalChecksItsInputs(t *testing.T) {
	tests := []struct {
		name string
		e    ir.Expr
		row  R
	}{
		{"int where int64 is expected", col(0, tI64), R{5}},
		{"int64 for a decimal(20,2)", col(0, tDec(20, 2)), R{int64(5)}},
		{"decimal(5,2) with 6 digits", col(0, tDec(5, 2)), R{int64(123456)}},
		{"column past the row", col(3, tI64), R{int64(1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := reference.Eval(tt.e, tt.row, reference.Env{}); err == nil {
				t.Errorf("Eval = %#v, want an error", got)
			}
		})
	}
}

// TestEvalErrorNamesTheSource: a run-time error names where the failing
// expression was written.
func TestEvalErrorNamesTheSource(t *testing.T) {
	c := cast(col(0, tStr), tI64).(*ir.Cast)
	c.Src.Filename, c.Src.Start.Line, c.Src.Start.Column = "main.mesh.hcl", 12, 7
	_, err := reference.Eval(pred(ir.Gt, c, lit(tI64, int64(0))), R{"x"}, reference.Env{})
	if err == nil {
		t.Fatal("no error")
	}
	if diff := cmp.Diff(`main.mesh.hcl:12:7: cannot cast string "x" to int64: not a whole number in range`, err.Error()); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
}
