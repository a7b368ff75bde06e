package eval

import (
	"math"
	"testing"

	"github.com/meshctl/meshctl/lang/types"
)

func TestImplicitCasts(t *testing.T) {
	runAll(t, []testCase{
		{name: "int32 to int64", e: widen(c("i32"), types.Int64Type), d: data{"i32": rows(math.MinInt32, nil, 7)}, want: strs("-2147483648|NULL|7")},
		{name: "int32 to float", e: widen(c("i32"), types.Float64Type), d: data{"i32": rows(-3, nil)}, want: strs("-3|NULL")},
		{name: "int64 to float", e: widen(c("i64"), types.Float64Type), d: data{"i64": rows(math.MaxInt64)}, want: strs("9223372036854776000")},
		{name: "int32 to decimal(12,2)", e: widen(c("i32"), dec(12, 2)), d: data{"i32": rows(math.MaxInt32, nil, -5)}, want: strs("2147483647.00|NULL|-5.00")},
		{name: "int64 to decimal(19,0)", e: widen(c("i64"), dec(19, 0)), d: data{"i64": rows(math.MinInt64)}, want: strs("-9223372036854775808")},
		{name: "int64 to decimal(38,10)", e: widen(c("i64"), dec(38, 10)), d: data{"i64": rows(math.MaxInt64)}, want: strs("9223372036854775807.0000000000")},
		{name: "int64 to decimal(38,19)", e: widen(c("i64"), dec(38, 19)), d: data{"i64": rows(math.MaxInt64)}, want: strs("9223372036854775807.0000000000000000000")},
		{name: "decimal to float", e: widen(c("d2"), types.Float64Type), d: data{"d2": rows("-12.34", nil)}, want: strs("-12.34|NULL")},
		{name: "wide decimal to float", e: widen(c("w2"), types.Float64Type), d: data{"w2": rows("123456789012345678901234.5")}, want: strs("123456789012345690000000")},
		{name: "decimal widens", e: widen(c("d2"), dec(20, 4)), d: data{"d2": rows("-12.34", nil)}, want: strs("-12.3400|NULL")},
		{name: "decimal widens in int64", e: widen(c("d2"), dec(18, 2)), d: data{"d2": rows("1.5")}, want: strs("1.50")},
		{name: "decimal to wider int64 storage", e: widen(c("d4"), dec(12, 5)), d: data{"d4": rows("-1.2345")}, want: strs("-1.23450")},
		{name: "date to timestamp", e: widen(c("dt"), types.TimestampType), d: data{"dt": rows("2024-02-29", nil, "1900-01-01")}, want: strs("2024-02-29T00:00:00Z|NULL|1900-01-01T00:00:00Z")},
		{name: "int to string", e: widen(c("i64"), types.StringType), d: data{"i64": rows(math.MinInt64, nil)}, want: strs("-9223372036854775808|NULL")},
		{name: "float to string", e: widen(c("f"), types.StringType), d: data{"f": rows(1e21, 0.1, math.Inf(1), math.NaN(), math.Copysign(0, -1))}, want: strs("1000000000000000000000|0.1|+Inf|NaN|-0")},
		{name: "bool to string", e: widen(c("b"), types.StringType), d: data{"b": rows(true, false, nil)}, want: strs("true|false|NULL")},
		{name: "decimal to string", e: widen(c("d2"), types.StringType), d: data{"d2": rows("-0.05", "0")}, want: strs("-0.05|0.00")},
		{name: "wide decimal to string", e: widen(c("w2"), types.StringType), d: data{"w2": rows("-999999999999999999999999999999999999.99", "10000000000000000000.00", "-0.01")},
			want: strs("-999999999999999999999999999999999999.99|10000000000000000000.00|-0.01")},
		{name: "date to string", e: widen(c("dt"), types.StringType), d: data{"dt": rows("0001-01-01", "9999-12-31", "1969-07-20")}, want: strs("0001-01-01|9999-12-31|1969-07-20")},
		{name: "timestamp to string", e: widen(c("ts"), types.StringType), d: data{"ts": rows("2024-01-02T03:04:05Z", "1969-12-31T23:59:59.999999Z", "2024-01-02T03:04:05.12Z")},
			want: strs("2024-01-02T03:04:05Z|1969-12-31T23:59:59.999999Z|2024-01-02T03:04:05.12Z")},
		// At the 38-digit cap, a decimal may convert to fewer integer digits: checked per value.
		{name: "capped int to decimal", e: widen(c("i64"), dec(38, 20)), d: data{"i64": rows(-123, nil)}, want: strs("-123.00000000000000000000|NULL")},
		{name: "capped int to decimal overflows", e: widen(c("i64"), dec(38, 20)), d: data{"i64": rows(math.MaxInt64)},
			err: "products/x.mesh.hcl:12:9: decimal(38,20)(i64): 9223372036854775807 does not fit decimal(38,20) (row 0 of the batch)"},
		{name: "capped decimal fits", e: widen(c("w0"), dec(38, 2)), d: data{"w0": rows("123", nil)}, want: strs("123.00|NULL")},
		{name: "capped decimal overflows", e: widen(c("w0"), dec(38, 2)), d: data{"w0": rows("123", "99999999999999999999999999999999999999")},
			err: "products/x.mesh.hcl:12:9: decimal(38,2)(w0): 99999999999999999999999999999999999999 does not fit decimal(38,2) (row 1 of the batch)"},
	})
}

func TestExplicitCasts(t *testing.T) {
	const at = "products/x.mesh.hcl:12:9: "
	runAll(t, []testCase{
		{name: "int64 to int32", e: cast(c("i64"), types.Int32Type), d: data{"i64": rows(math.MaxInt32, nil, math.MinInt32)}, want: strs("2147483647|NULL|-2147483648")},
		{name: "int64 to int32 overflows", e: cast(c("i64"), types.Int32Type), d: data{"i64": rows(1, math.MaxInt32+1)},
			err: at + `cast(i64, "int32"): 2147483648 does not fit int32 (row 1 of the batch)`},
		{name: "float to int64 rounds half away", e: cast(c("f"), types.Int64Type), d: data{"f": rows(2.5, -2.5, 2.4999, nil, -0.5)}, want: strs("3|-3|2|NULL|-1")},
		{name: "float to int32", e: cast(c("f"), types.Int32Type), d: data{"f": rows(2147483647.4, -2147483648.4)}, want: strs("2147483647|-2147483648")},
		{name: "float to int32 overflows", e: cast(c("f"), types.Int32Type), d: data{"f": rows(2147483647.5)},
			err: at + `cast(f, "int32"): 2147483647.5 does not fit int32 (row 0 of the batch)`},
		{name: "float to int64 at 2^63", e: cast(c("f"), types.Int64Type), d: data{"f": rows(9223372036854775807.0)},
			err: at + `cast(f, "int64"): 9223372036854776000 does not fit int64 (row 0 of the batch)`},
		{name: "NaN to int64", e: cast(c("f"), types.Int64Type), d: data{"f": rows(math.NaN())},
			err: at + `cast(f, "int64"): NaN does not fit int64 (row 0 of the batch)`},
		{name: "float to decimal", e: cast(c("f"), dec(10, 2)), d: data{"f": rows(1.005, -2.675, 0.1, nil)}, want: strs("1.01|-2.68|0.10|NULL")},
		{name: "float to wide decimal", e: cast(c("f"), dec(38, 2)), d: data{"f": rows(1e30)}, want: strs("1000000000000000000000000000000.00")},
		{name: "float to decimal overflows", e: cast(c("f"), dec(4, 2)), d: data{"f": rows(100.0)},
			err: at + `cast(f, "decimal(4,2)"): 100 does not fit decimal(4,2) (row 0 of the batch)`},
		{name: "Inf to decimal", e: cast(c("f"), dec(4, 2)), d: data{"f": rows(math.Inf(1))},
			err: at + `cast(f, "decimal(4,2)"): +Inf does not fit decimal(4,2) (row 0 of the batch)`},
		{name: "decimal to int rounds half away", e: cast(c("d2"), types.Int64Type), d: data{"d2": rows("2.50", "-2.50", "2.49", nil)}, want: strs("3|-3|2|NULL")},
		{name: "decimal to int32 overflows", e: cast(c("d2"), types.Int32Type), d: data{"d2": rows("2147483647.50")},
			err: at + `cast(d2, "int32"): 2147483647.50 does not fit int32 (row 0 of the batch)`},
		{name: "wide decimal to int64", e: cast(c("w2"), types.Int64Type), d: data{"w2": rows("-9223372036854775807.5", "12.5")}, want: strs("-9223372036854775808|13")},
		{name: "wide decimal to int64 overflows", e: cast(c("w2"), types.Int64Type), d: data{"w2": rows("9223372036854775807.50")},
			err: at + `cast(w2, "int64"): 9223372036854775807.50 does not fit int64 (row 0 of the batch)`},
		{name: "decimal to narrower scale rounds", e: cast(c("d2"), dec(17, 1)), d: data{"d2": rows("1.25", "-1.25", "1.24")}, want: strs("1.3|-1.3|1.2")},
		{name: "rounding carries a digit", e: cast(c("d2"), dec(2, 1)), d: data{"d2": rows("9.94", "9.95")},
			err: at + `cast(d2, "decimal(2,1)"): 9.95 does not fit decimal(2,1) (row 1 of the batch)`},
		{name: "decimal to fewer integer digits", e: cast(c("d2"), dec(4, 2)), d: data{"d2": rows("99.99", "-100.00")},
			err: at + `cast(d2, "decimal(4,2)"): -100.00 does not fit decimal(4,2) (row 1 of the batch)`},
		{name: "wide decimal to narrow", e: cast(c("w2"), dec(5, 1)), d: data{"w2": rows("1234.55", nil)}, want: strs("1234.6|NULL")},
		{name: "narrow decimal to wide", e: cast(c("d2"), dec(38, 30)), d: data{"d2": rows("-1.5")}, want: strs("-1.500000000000000000000000000000")},
		{name: "int to decimal checked", e: cast(c("i64"), dec(5, 2)), d: data{"i64": rows(999, 1000)},
			err: at + `cast(i64, "decimal(5,2)"): 1000 does not fit decimal(5,2) (row 1 of the batch)`},
		{name: "int to decimal fits", e: cast(c("i64"), dec(5, 2)), d: data{"i64": rows(999, -999, nil)}, want: strs("999.00|-999.00|NULL")},
		{name: "int32 to small decimal", e: cast(c("i32"), dec(3, 0)), d: data{"i32": rows(-999, 7)}, want: strs("-999|7")},
		{name: "bool to int", e: cast(c("b"), types.Int32Type), d: data{"b": rows(true, false, nil)}, want: strs("1|0|NULL")},
		{name: "bool to int64", e: cast(c("b"), types.Int64Type), d: data{"b": rows(true, false)}, want: strs("1|0")},
		{name: "int to bool", e: cast(c("i64"), types.BoolType), d: data{"i64": rows(0, -3, nil)}, want: strs("false|true|NULL")},
		{name: "int32 to bool", e: cast(c("i32"), types.BoolType), d: data{"i32": rows(0, 1)}, want: strs("false|true")},
		{name: "timestamp to date truncates", e: cast(c("ts"), types.DateType), d: data{"ts": rows("2024-03-01T23:59:59Z", "1969-12-31T23:00:00Z", nil)}, want: strs("2024-03-01|1969-12-31|NULL")},
		{name: "int to float explicit", e: cast(c("i32"), types.Float64Type), d: data{"i32": rows(3)}, want: strs("3")},
	})
}

func TestCastsFromString(t *testing.T) {
	const at = "products/x.mesh.hcl:12:9: "
	runAll(t, []testCase{
		{name: "to int32", e: cast(c("s"), types.Int32Type), d: data{"s": rows("17", "-2147483648", "+5", nil, "007")}, want: strs("17|-2147483648|5|NULL|7")},
		{name: "to int32 fails", e: cast(c("s"), types.Int32Type), d: data{"s": rows("17", nil, "abc")},
			err: at + `cast(s, "int32"): "abc" is not an int32 (row 2 of the batch)`},
		{name: "to int32 out of range", e: cast(c("s"), types.Int32Type), d: data{"s": rows("2147483648")},
			err: at + `cast(s, "int32"): "2147483648" does not fit int32 (row 0 of the batch)`},
		{name: "to int64 is strict", e: cast(c("s"), types.Int64Type), d: data{"s": rows(" 1")},
			err: at + `cast(s, "int64"): " 1" is not an int64 (row 0 of the batch)`},
		{name: "to int64 refuses a fraction", e: cast(c("s"), types.Int64Type), d: data{"s": rows("1.0")},
			err: at + `cast(s, "int64"): "1.0" is not an int64 (row 0 of the batch)`},
		{name: "to int64 refuses empty", e: cast(c("s"), types.Int64Type), d: data{"s": rows("")},
			err: at + `cast(s, "int64"): "" is not an int64 (row 0 of the batch)`},
		{name: "to int64 extremes", e: cast(c("s"), types.Int64Type), d: data{"s": rows("9223372036854775807", "-9223372036854775808", "-0")}, want: strs("9223372036854775807|-9223372036854775808|0")},
		{name: "to int64 overflows", e: cast(c("s"), types.Int64Type), d: data{"s": rows("9223372036854775808")},
			err: at + `cast(s, "int64"): "9223372036854775808" does not fit int64 (row 0 of the batch)`},
		{name: "to int64 overflows 20 digits", e: cast(c("s"), types.Int64Type), d: data{"s": rows("99999999999999999999")},
			err: at + `cast(s, "int64"): "99999999999999999999" does not fit int64 (row 0 of the batch)`},
		{name: "to float", e: cast(c("s"), types.Float64Type), d: data{"s": rows("1.5", "-1e3", "NaN", "inf", "1e400", nil)}, want: strs("1.5|-1000|NaN|+Inf|+Inf|NULL")},
		{name: "to float fails", e: cast(c("s"), types.Float64Type), d: data{"s": rows("1,5")},
			err: at + `cast(s, "float64"): "1,5" is not a float64 (row 0 of the batch)`},
		{name: "to decimal rounds half away", e: cast(c("s"), dec(10, 2)), d: data{"s": rows("1.005", "-1.005", "7", ".5", nil)}, want: strs("1.01|-1.01|7.00|0.50|NULL")},
		{name: "to decimal does not fit", e: cast(c("s"), dec(4, 2)), d: data{"s": rows("123.4")},
			err: at + `cast(s, "decimal(4,2)"): "123.4" does not fit decimal(4,2) (row 0 of the batch)`},
		{name: "to decimal fails", e: cast(c("s"), dec(4, 2)), d: data{"s": rows("1e3")},
			err: at + `cast(s, "decimal(4,2)"): "1e3" is not a decimal(4,2) (row 0 of the batch)`},
		{name: "to wide decimal", e: cast(c("s"), dec(38, 2)), d: data{"s": rows("-999999999999999999999999999999999999.994")}, want: strs("-999999999999999999999999999999999999.99")},
		{name: "to bool", e: cast(c("s"), types.BoolType), d: data{"s": rows("true", "FALSE", "1", "0", "True", nil)}, want: strs("true|false|true|false|true|NULL")},
		{name: "to bool fails", e: cast(c("s"), types.BoolType), d: data{"s": rows("yes")},
			err: at + `cast(s, "bool"): "yes" is not a bool (true, false, 1 or 0) (row 0 of the batch)`},
		{name: "to date", e: cast(c("s"), types.DateType), d: data{"s": rows("2024-02-29", "1900-03-01", "0001-01-01", nil)}, want: strs("2024-02-29|1900-03-01|0001-01-01|NULL")},
		{name: "to date refuses Feb 29 of 2023", e: cast(c("s"), types.DateType), d: data{"s": rows("2023-02-29")},
			err: at + `cast(s, "date"): "2023-02-29" is not a date (YYYY-MM-DD) (row 0 of the batch)`},
		{name: "to date refuses a time", e: cast(c("s"), types.DateType), d: data{"s": rows("2023-02-01 10:00:00")},
			err: at + `cast(s, "date"): "2023-02-01 10:00:00" is not a date (YYYY-MM-DD) (row 0 of the batch)`},
		{name: "to timestamp", e: cast(c("s"), types.TimestampType),
			d:    data{"s": rows("2024-01-02T03:04:05Z", "2024-01-02 03:04:05", "2024-01-02 03:04:05.123456", "2024-01-02", "2024-01-02T03:04:05+02:00", "2024-01-02T03:04:05.5-01:30", nil)},
			want: strs("2024-01-02T03:04:05Z|2024-01-02T03:04:05Z|2024-01-02T03:04:05.123456Z|2024-01-02T00:00:00Z|2024-01-02T01:04:05Z|2024-01-02T04:34:05.5Z|NULL")},
		{name: "to timestamp fails", e: cast(c("s"), types.TimestampType), d: data{"s": rows("2024-01-02T25:00:00Z")},
			err: at + `cast(s, "timestamp"): "2024-01-02T25:00:00Z" is not a timestamp (RFC 3339, YYYY-MM-DD HH:MM:SS[.ffffff] or YYYY-MM-DD) (row 0 of the batch)`},
		{name: "unicode fails", e: cast(c("s"), types.Int64Type), d: data{"s": rows("١٢")},
			err: at + `cast(s, "int64"): "١٢" is not an int64 (row 0 of the batch)`},
		// A dictionary entry that does not parse fails only where used by a row that matters.
		{name: "bad value in a null row", e: cast(c("s"), types.Int32Type), d: data{"s": rows("1", nil)}, want: strs("1|NULL")},
		{name: "many rows one dictionary", e: cast(c("s"), types.Int64Type), d: data{"s": rows("5", "5", "6", "5", nil, "6")}, want: strs("5|5|6|5|NULL|6")},
	})
}
