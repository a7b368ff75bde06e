package csv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/types"
)

// The typed parsers must accept exactly what inference accepts, with the
// values the reference functions give. checkParsers compares them on one
// text; the table test and the fuzz target feed it.
func checkParsers(t *testing.T, v string) {
	t.Helper()
	b := []byte(v)
	i64, err := strconv.ParseInt(v, 10, 64)
	if got, ok := parseInt64(b); ok != isInt64(v) || ok && got != i64 {
		t.Errorf("parseInt64(%q) = %d, %v; ParseInt gives %d, %v", v, got, ok, i64, err)
	}
	i32, err := strconv.ParseInt(v, 10, 32)
	if got, ok := parseInt32(b); ok != (err == nil) || ok && int64(got) != i32 {
		t.Errorf("parseInt32(%q) = %d, %v; ParseInt gives %d, %v", v, got, ok, i32, err)
	}
	f, fok := floatText(v)
	if got, ok := parseFloat64(b); ok != isFloat64(v) || ok != fok || ok && math.Float64bits(got) != math.Float64bits(f) {
		t.Errorf("parseFloat64(%q) = %v, %v; reference %v, %v", v, got, ok, f, fok)
	}
	if got, ok := parseBool(b); ok != isBool(v) || ok && strconv.FormatBool(got) != map[bool]string{true: "true", false: "false"}[got] {
		t.Errorf("parseBool(%q) = %v, %v", v, got, ok)
	}
	d, dok := parseDate(b)
	if dok != isDate(v) {
		t.Errorf("parseDate(%q) accepts: %v, isDate: %v", v, dok, isDate(v))
	}
	if dok {
		ref, _ := time.Parse(time.DateOnly, v)
		if int64(d)*86400 != ref.Unix() {
			t.Errorf("parseDate(%q) = %d, want %d", v, d, ref.Unix()/86400)
		}
	}
	us, ok := parseTimestamp(b)
	if want := isDate(v) || isTimestamp(v); ok != want {
		t.Errorf("parseTimestamp(%q) accepts: %v, inference: %v", v, ok, want)
	}
	if ok {
		var ref int64
		if isDate(v) {
			tm, _ := time.Parse(time.DateOnly, v)
			ref = tm.UnixMicro()
		} else {
			ref, _ = timestampLayoutText(v)
		}
		if us != ref {
			t.Errorf("parseTimestamp(%q) = %d, want %d", v, us, ref)
		}
	}
	if fast, ok := fastTimestamp(b); ok {
		if ref, rok := timestampLayoutText(v); !rok || ref != fast {
			t.Errorf("fastTimestamp(%q) = %d, time.Parse gives %d, %v", v, fast, ref, rok)
		}
	}
}

var parserSeeds = []string{
	"", "0", "-0", "+0", "1", "-1", "+7", "007", "-", "+", "++1", "1-", " 1", "1 ", "1_000", "0x10",
	"2147483647", "2147483648", "-2147483648", "-2147483649",
	"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
	"00000000000000000000000000001", "18446744073709551616",
	"1.5", "-1.5", ".5", "5.", ".", "-.5", "+.5", "1e3", "1E-7", "1e400", "1e-400", "NaN", "nan", "Inf", "-inf", "infinity",
	"0.1", "0.3", "123456789012345", "1234567890123456", "12345678901234567", "9007199254740993", "0.000000000000000000001",
	"1234567.891", "-0.0", "1..2", "1.2.3", "0x1p-2", "1_0.5",
	"true", "TRUE", "True", "false", "FALSE", "fal\u017fe", "yes", "t", "truee",
	"2024-01-31", "2024-02-29", "2023-02-29", "2024-13-01", "2024-00-10", "2024-01-00", "2024-01-32", "0000-01-01",
	"9999-12-31", "2024-1-05", "2024/01/31", "+024-01-31", "2024-01-3a", " 2024-01-31",
	"2024-01-31T10:00:00Z", "2024-01-31T10:00:00", "2024-01-31 10:00:00", "2024-01-31T10:00:00.5Z",
	"2024-01-31T10:00:00.123456789Z", "2024-01-31T10:00:00.1234567891234Z", "2024-01-31T10:00:00+02:00",
	"2024-01-31T10:00:00-23:59", "2024-01-31T10:00:00+24:00", "2024-01-31T23:59:59.999999999-12:00",
	"2024-01-31 10:00:00Z", "2024-01-31 10:00:00+02:00", "2024-01-31T24:00:00", "2024-01-31T10:60:00",
	"2024-01-31T10:00:60", "2024-01-31T1:00:00Z", "2024-01-31T10:00:00,5Z", "2024-01-31t10:00:00z",
	"2024-01-31T10:00:00.", "2024-01-31T10:00:00.Z", "2024-01-31T10:00:00+0200", "0000-01-01T00:00:00Z",
	"9999-12-31T23:59:59.999999Z", "2024-01-31T10:00:00.000001Z", "1969-12-31T23:59:59.999999Z",
}

func TestParsers(t *testing.T) {
	for _, v := range parserSeeds {
		checkParsers(t, v)
	}
}

// TestParseDateEveryDay compares parseDate with time.Parse on every day
// and impossible day of some years at the edges of the calendar.
func TestParseDateEveryDay(t *testing.T) {
	for _, y := range []int{0, 1, 4, 100, 400, 1582, 1899, 1900, 1969, 1970, 2000, 2024, 2100, 9999} {
		for m := 0; m <= 13; m++ {
			for d := 0; d <= 32; d++ {
				checkParsers(t, fmt.Sprintf("%04d-%02d-%02d", y, m, d))
			}
		}
	}
}

func TestParseFloatRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		var v string
		switch r.IntN(3) {
		case 0:
			v = strconv.FormatFloat(r.NormFloat64()*math.Pow10(r.IntN(20)-5), 'f', r.IntN(12), 64)
		case 1:
			v = fmt.Sprintf("%d.%0*d", r.Int64N(1e9), r.IntN(10)+1, r.Int64N(1e9))
		default:
			v = strconv.FormatFloat(r.Float64()*1e6, 'f', -1, 64)
		}
		checkParsers(t, v)
	}
}

func FuzzParsers(f *testing.F) {
	for _, v := range parserSeeds {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		checkParsers(t, v)
	})
}

// TestFormatMatchesAppendText checks the sink's formatting kernels against
// vector.AppendText, value by value.
func TestFormatMatchesAppendText(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const n = 20000
	typs := []types.Type{types.BoolType, types.Int32Type, types.Int64Type, types.Float64Type, types.DecimalType(18, 2),
		types.DecimalType(38, 4), types.DecimalType(10, 0), types.StringType, types.DateType, types.TimestampType}
	for _, typ := range typs {
		v := vector.New(typ, n)
		v.Reset(n)
		for i := range n {
			switch v.Phys {
			case vector.PhysBool:
				v.Bool[i] = r.IntN(2) == 0
			case vector.PhysInt32:
				v.I32[i] = int32(r.Uint32())
				if typ.Kind == types.Date && i%2 == 0 {
					v.I32[i] = int32(r.IntN(3_000_000) - 1_000_000) // years 0..9999 and beyond
				}
			case vector.PhysInt64:
				v.I64[i] = int64(r.Uint64()) >> r.IntN(64)
				if i%3 == 0 {
					v.I64[i] = -v.I64[i]
				}
				if i == 0 {
					v.I64[i] = math.MinInt64
				}
				if typ.Kind == types.Timestamp && i%2 == 1 {
					v.I64[i] = r.Int64N(400_000_000_000_000_000) - 62_000_000_000_000_000
				}
			case vector.PhysFloat64:
				v.F64[i] = []float64{r.NormFloat64() * math.Pow10(r.IntN(40)-20), math.Inf(1), math.Inf(-1), math.NaN(), 0, math.Copysign(0, -1), 1e300, 5e-324}[min(r.IntN(16), 7)]
			case vector.PhysInt128:
				v.I128[i].Hi, v.I128[i].Lo = int64(r.Uint64())>>r.IntN(64), r.Uint64()
				if i%2 == 0 {
					v.I128[i].Hi = -(v.I128[i].Hi >> 63) // fits int64
				}
			case vector.PhysString:
				v.AppendString(i, []byte(fmt.Sprint(i)))
			}
			if i%10 == 0 {
				v.SetNull(i)
			}
		}
		var ct columnText
		ct.format(v, n, false)
		for i := range n {
			want, _ := v.AppendText(nil, i)
			if got := ct.text[ct.off[i]:ct.off[i+1]]; string(got) != string(want) {
				t.Fatalf("%s row %d: %q, AppendText %q", typ, i, got, want)
			}
		}
	}
}

// TestAppendCents checks the fast path of float formatting against
// strconv on values it takes and values near its limits.
func TestAppendCents(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	check := func(x float64) {
		t.Helper()
		want := strconv.AppendFloat(nil, x, 'f', -1, 64)
		if got := appendFloat(nil, x); string(got) != string(want) {
			t.Fatalf("appendFloat(%v) = %s, want %s", x, got, want)
		}
	}
	for _, x := range []float64{0.01, 0.1, 0.5, 1, 10, 100.1, -0.01, 0.29, 0.57, 1.15, 9999999999999.99, -9999999999999.99,
		1e13, 1e13 - 0.01, 0.015, 0.005, 1e-5, math.Copysign(0, -1), 0, 5e-324, 4503599627370495.5, 123456.789} {
		check(x)
	}
	for range 200000 {
		cents := r.Int64N(2_000_000_000_000_000) - 1_000_000_000_000_000
		check(float64(cents) / 100)
		check(float64(r.Int64N(100_000)) / 100)
		check(r.Float64() * 1000)
	}
}

func TestAppendField(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"", `""`},
		{"a,b", `"a,b"`},
		{`say "hi"`, `"say ""hi"""`},
		{"two\nlines", "\"two\nlines\""},
		{"cr\r", "\"cr\r\""},
		{" lead", `" lead"`},
		{"trail\t", "\"trail\t\""},
		{"in side", "in side"},
		{"é;ü", "é;ü"},
	}
	for _, tt := range tests {
		if got := string(appendField(nil, []byte(tt.in))); got != tt.want {
			t.Errorf("appendField(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
