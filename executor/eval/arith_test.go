package eval

import (
	"math"
	"testing"

	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

func TestIntegerArithmetic(t *testing.T) {
	i32s := data{"i32": rows(7, -7, nil, 0), "i32b": rows(2, 2, 2, nil)}
	i64s := data{"i64": rows(7, -7, nil, 0), "i64b": rows(2, 2, 2, nil)}
	runAll(t, []testCase{
		{name: "int32 +", e: bin(ir.Add, c("i32"), c("i32b")), d: i32s, want: strs("9|-5|NULL|NULL")},
		{name: "int32 -", e: bin(ir.Sub, c("i32"), c("i32b")), d: i32s, want: strs("5|-9|NULL|NULL")},
		{name: "int32 *", e: bin(ir.Mul, c("i32"), c("i32b")), d: i32s, want: strs("14|-14|NULL|NULL")},
		{name: "int32 % keeps the dividend's sign", e: bin(ir.Mod, c("i32"), c("i32b")), d: i32s, want: strs("1|-1|NULL|NULL")},
		{name: "int32 + const", e: bin(ir.Add, c("i32"), i32(1)), d: i32s, want: strs("8|-6|NULL|1")},
		{name: "const - int32", e: bin(ir.Sub, i32(1), c("i32")), d: i32s, want: strs("-6|8|NULL|1")},
		{name: "int32 - const", e: bin(ir.Sub, c("i32"), i32(1)), d: i32s, want: strs("6|-8|NULL|-1")},
		{name: "const * int32", e: bin(ir.Mul, i32(3), c("i32")), d: i32s, want: strs("21|-21|NULL|0")},
		{name: "int32 % const", e: bin(ir.Mod, c("i32"), i32(4)), d: i32s, want: strs("3|-3|NULL|0")},
		{name: "const % int32", e: bin(ir.Mod, i32(9), c("i32")), d: i32s, want: strs("2|2|NULL|NULL")},
		{name: "int32 % 0 is null", e: bin(ir.Mod, c("i32"), i32(0)), d: i32s, want: strs("NULL|NULL|NULL|NULL")},
		{name: "int64 +", e: bin(ir.Add, c("i64"), c("i64b")), d: i64s, want: strs("9|-5|NULL|NULL")},
		{name: "int64 -", e: bin(ir.Sub, c("i64"), c("i64b")), d: i64s, want: strs("5|-9|NULL|NULL")},
		{name: "int64 *", e: bin(ir.Mul, c("i64"), c("i64b")), d: i64s, want: strs("14|-14|NULL|NULL")},
		{name: "int64 %", e: bin(ir.Mod, c("i64"), c("i64b")), d: i64s, want: strs("1|-1|NULL|NULL")},
		{name: "const - int64", e: bin(ir.Sub, i64(1), c("i64")), d: i64s, want: strs("-6|8|NULL|1")},
		{name: "const + int64", e: bin(ir.Add, i64(1), c("i64")), d: i64s, want: strs("8|-6|NULL|1")},
		{name: "int64 - const", e: bin(ir.Sub, c("i64"), i64(1)), d: i64s, want: strs("6|-8|NULL|-1")},
		{name: "int64 * const", e: bin(ir.Mul, c("i64"), i64(3)), d: i64s, want: strs("21|-21|NULL|0")},
		{name: "int64 % const", e: bin(ir.Mod, c("i64"), i64(4)), d: i64s, want: strs("3|-3|NULL|0")},
		{name: "int64 % zero rows", e: bin(ir.Mod, c("i64"), c("i64b")), d: data{"i64": rows(5, 5, 5), "i64b": rows(0, 3, 0)}, want: strs("NULL|2|NULL")},
		{name: "const % int64 zero rows", e: bin(ir.Mod, i64(5), c("i64b")), d: data{"i64b": rows(0, 3)}, want: strs("NULL|2")},
		{name: "MinInt64 % -1", e: bin(ir.Mod, c("i64"), c("i64b")), d: data{"i64": rows(math.MinInt64), "i64b": rows(-1)}, want: strs("0")},
		{name: "int64 extremes", e: bin(ir.Add, c("i64"), c("i64b")), d: data{"i64": rows(math.MaxInt64, math.MinInt64), "i64b": rows(math.MinInt64, math.MaxInt64)}, want: strs("-1|-1")},
		{name: "int64 big product", e: bin(ir.Mul, c("i64"), i64(-1)), d: data{"i64": rows(math.MaxInt64)}, want: strs("-9223372036854775807")},
		{name: "negate int32", e: neg(c("i32")), d: i32s, want: strs("-7|7|NULL|0")},
		{name: "negate int64", e: neg(c("i64")), d: data{"i64": rows(math.MaxInt64, nil)}, want: strs("-9223372036854775807|NULL")},
		{name: "null operand", e: bin(ir.Add, c("i64"), i64(nil)), d: i64s, want: strs("NULL|NULL|NULL|NULL")},
		// Overflow in a null row is no error: its value is undefined.
		{name: "overflow in a null row", e: bin(ir.Add, c("i32"), c("i32b")), d: data{"i32": rows(math.MaxInt32, 1), "i32b": rows(nil, 1)}, want: strs("NULL|2")},
	})
}

func TestArithmeticOverflow(t *testing.T) {
	const at = "products/x.mesh.hcl:12:9: "
	runAll(t, []testCase{
		{name: "int32 +", e: bin(ir.Add, c("i32"), i32(1)), d: data{"i32": rows(1, nil, math.MaxInt32)},
			err: at + "i32 + 1: 2147483647 + 1 does not fit int32 (row 2 of the batch)"},
		{name: "int32 -", e: bin(ir.Sub, i32(-2), c("i32")), d: data{"i32": rows(math.MaxInt32)},
			err: at + "-2 - i32: -2 - 2147483647 does not fit int32 (row 0 of the batch)"},
		{name: "int32 *", e: bin(ir.Mul, c("i32"), c("i32b")), d: data{"i32": rows(65536), "i32b": rows(32768)},
			err: at + "i32 * i32b: 65536 * 32768 does not fit int32 (row 0 of the batch)"},
		{name: "int64 +", e: bin(ir.Add, c("i64"), c("i64b")), d: data{"i64": rows(1, math.MaxInt64), "i64b": rows(1, 1)},
			err: at + "i64 + i64b: 9223372036854775807 + 1 does not fit int64 (row 1 of the batch)"},
		{name: "int64 -", e: bin(ir.Sub, c("i64"), i64(1)), d: data{"i64": rows(math.MinInt64)},
			err: at + "i64 - 1: -9223372036854775808 - 1 does not fit int64 (row 0 of the batch)"},
		{name: "int64 *", e: bin(ir.Mul, c("i64"), i64(-1)), d: data{"i64": rows(math.MinInt64)},
			err: at + "i64 * -1: -9223372036854775808 * -1 does not fit int64 (row 0 of the batch)"},
		{name: "int64 * int64", e: bin(ir.Mul, c("i64"), c("i64b")), d: data{"i64": rows(4294967296, 3), "i64b": rows(4294967296, 3)},
			err: at + "i64 * i64b: 4294967296 * 4294967296 does not fit int64 (row 0 of the batch)"},
		{name: "negate MinInt32", e: neg(c("i32")), d: data{"i32": rows(1, math.MinInt32)},
			err: at + "-i32: -(-2147483648) does not fit int32 (row 1 of the batch)"},
		{name: "negate MinInt64", e: neg(c("i64")), d: data{"i64": rows(math.MinInt64)},
			err: at + "-i64: -(-9223372036854775808) does not fit int64 (row 0 of the batch)"},
		{name: "decimal(38) +", e: binT(ir.Add, dec(38, 2), c("w2"), c("w2b")),
			d:   data{"w2": rows("1", "999999999999999999999999999999999999.99"), "w2b": rows("1", "0.01")},
			err: at + "w2 + w2b: 999999999999999999999999999999999999.99 + 0.01 does not fit decimal(38,2) (row 1 of the batch)"},
		{name: "decimal capped scale overflows", e: binT(ir.Mul, dec(38, 38), c("w20"), lit(dec(38, 20), "2")),
			d:   data{"w20": rows("0.25", "0.5")},
			err: at + "w20 * 2.00000000000000000000: 0.50000000000000000000 * 2.00000000000000000000 does not fit decimal(38,38) (row 1 of the batch)"},
		{name: "decimal(38) *", e: binT(ir.Mul, dec(38, 4), c("w2"), c("w2b")),
			d:   data{"w2": rows("10000000000000000000.00"), "w2b": rows("10000000000000000000.00")},
			err: at + "w2 * w2b: 10000000000000000000.00 * 10000000000000000000.00 does not fit decimal(38,4) (row 0 of the batch)"},
	})
}

func TestFloatArithmetic(t *testing.T) {
	fs := data{"f": rows(7.5, -1.0, nil, 0.0, math.Inf(1)), "fb": rows(2.0, 0.0, 1.0, 0.0, 1.0)}
	runAll(t, []testCase{
		{name: "+", e: bin(ir.Add, c("f"), c("fb")), d: fs, want: strs("9.5|-1|NULL|0|+Inf")},
		{name: "-", e: bin(ir.Sub, c("f"), c("fb")), d: fs, want: strs("5.5|-1|NULL|0|+Inf")},
		{name: "*", e: bin(ir.Mul, c("f"), c("fb")), d: fs, want: strs("15|-0|NULL|0|+Inf")},
		{name: "/ by zero is null", e: bin(ir.Div, c("f"), c("fb")), d: fs, want: strs("3.75|NULL|NULL|NULL|+Inf")},
		{name: "% by zero is null", e: bin(ir.Mod, c("f"), c("fb")), d: fs, want: strs("1.5|NULL|NULL|NULL|NaN")},
		{name: "* const", e: bin(ir.Mul, c("f"), f64(1.1)), d: data{"f": rows(100.0, nil)}, want: strs("110.00000000000001|NULL")},
		{name: "const /", e: bin(ir.Div, f64(1.0), c("f")), d: data{"f": rows(4.0, 0.0, nil)}, want: strs("0.25|NULL|NULL")},
		{name: "/ const zero", e: bin(ir.Div, c("f"), f64(0.0)), d: data{"f": rows(4.0)}, want: strs("NULL")},
		{name: "const -", e: bin(ir.Sub, f64(1.0), c("f")), d: data{"f": rows(4.0)}, want: strs("-3")},
		{name: "const %", e: bin(ir.Mod, f64(7.0), c("f")), d: data{"f": rows(4.0, 0.0)}, want: strs("3|NULL")},
		{name: "% const", e: bin(ir.Mod, c("f"), f64(4.0)), d: data{"f": rows(-7.0)}, want: strs("-3")},
		{name: "NaN propagates", e: bin(ir.Add, c("f"), f64(1.0)), d: data{"f": rows(math.NaN())}, want: strs("NaN")},
		{name: "negate", e: neg(c("f")), d: data{"f": rows(1.5, nil, 0.0)}, want: strs("-1.5|NULL|-0")},
	})
}

func TestDecimalArithmetic(t *testing.T) {
	d2 := data{"d2": rows("1.25", "-0.05", nil, "9999999999999999.99"), "d2b": rows("0.75", "0.05", "1.00", "9999999999999999.99")}
	w2 := data{"w2": rows("1.25", "-0.05", nil, "99999999999999999999999999999999999.99"), "w2b": rows("0.75", "0.05", "1.00", "0.01")}
	runAll(t, []testCase{
		// decimal(18,2) + decimal(18,2) is decimal(19,2): int64 in, Int128 out.
		{name: "18 + 18", e: binT(ir.Add, dec(19, 2), c("d2"), c("d2b")), d: d2, want: strs("2.00|0.00|NULL|19999999999999999.98")},
		{name: "18 - 18", e: binT(ir.Sub, dec(19, 2), c("d2"), c("d2b")), d: d2, want: strs("0.50|-0.10|NULL|0.00")},
		{name: "18 + const", e: binT(ir.Add, dec(19, 2), c("d2"), lit(dec(18, 2), "0.01")), d: d2, want: strs("1.26|-0.04|NULL|10000000000000000.00")},
		{name: "const - 18", e: binT(ir.Sub, dec(19, 2), lit(dec(18, 2), "0.01"), c("d2")), d: d2, want: strs("-1.24|0.06|NULL|-9999999999999999.98")},
		{name: "small + small stays int64", e: binT(ir.Add, dec(11, 4), c("d4"), lit(dec(10, 4), "1.0000")), d: data{"d4": rows("1.2345", nil)}, want: strs("2.2345|NULL")},
		{name: "38 + 38", e: binT(ir.Add, dec(38, 2), c("w2"), c("w2b")), d: w2, want: strs("2.00|0.00|NULL|100000000000000000000000000000000000.00")},
		{name: "38 - 38", e: binT(ir.Sub, dec(38, 2), c("w2"), c("w2b")), d: w2, want: strs("0.50|-0.10|NULL|99999999999999999999999999999999999.98")},
		// decimal(18,2) * decimal(18,2) is decimal(36,4): an exact 128-bit product.
		{name: "18 * 18", e: binT(ir.Mul, dec(36, 4), c("d2"), c("d2b")), d: d2, want: strs("0.9375|-0.0025|NULL|99999999999999999800000000000000.0001")},
		{name: "18 * const", e: binT(ir.Mul, dec(20, 3), c("d2"), lit(dec(2, 1), "1.1")), d: d2, want: strs("1.375|-0.055|NULL|10999999999999999.989")},
		{name: "small * small const stays int64", e: binT(ir.Mul, dec(11, 4), c("d4"), lit(dec(1, 0), "2")), d: data{"d4": rows("-1.2345")}, want: strs("-2.4690")},
		{name: "38 * 18 mixed storage", e: binT(ir.Mul, dec(38, 4), c("w2"), c("d2")), d: data{"w2": rows("12.34", nil), "d2": rows("-2.00", "1.00")}, want: strs("-24.6800|NULL")},
		{name: "38,0 * 38,0 capped", e: binT(ir.Mul, dec(38, 0), c("w0"), c("w0")), d: data{"w0": rows("9999999999999999999", "-3")}, want: strs("99999999999999999980000000000000000001|9")},
		// decimal(38,20) * decimal(38,20) has scale 40, capped at 38: rounded.
		{name: "capped scale", e: binT(ir.Mul, dec(38, 38), c("w20"), c("w20")), d: data{"w20": rows("0.5", "0.00000000000000000015", nil)},
			want: strs("0.25000000000000000000000000000000000000|0.00000000000000000000000000000000000002|NULL")},
		{name: "18 % 18", e: bin(ir.Mod, c("d2"), c("d2b")), d: data{"d2": rows("7.50", "-7.50", "1.00"), "d2b": rows("2.00", "2.00", "0.00")}, want: strs("1.50|-1.50|NULL")},
		{name: "38 % 38", e: bin(ir.Mod, c("w2"), c("w2b")), d: data{"w2": rows("7.50", "-99999999999999999999999999999999999.99", "1.00"), "w2b": rows("2.00", "100000000000000000000.00", "0.00")},
			want: strs("1.50|-99999999999999999999.99|NULL")},
		{name: "negate 18", e: neg(c("d2")), d: d2, want: strs("-1.25|0.05|NULL|-9999999999999999.99")},
		{name: "negate 38", e: neg(c("w2")), d: w2, want: strs("-1.25|0.05|NULL|-99999999999999999999999999999999999.99")},
		{name: "decimal / (as float)", e: bin(ir.Div, widen(c("d2"), types.Float64Type), widen(c("d2b"), types.Float64Type)), d: data{"d2": rows("1.00", "1.00"), "d2b": rows("4.00", "0.00")}, want: strs("0.25|NULL")},
	})
}
