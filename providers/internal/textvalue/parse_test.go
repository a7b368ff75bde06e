package textvalue

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// The typed parsers must accept exactly what inference accepts, with the
// values the reference functions give. checkParsers compares them on one
// text; the table test and the fuzz target feed it.
func checkParsers(t *testing.T, v string) {
	t.Helper()
	b := []byte(v)
	i64, err := strconv.ParseInt(v, 10, 64)
	if got, ok := ParseInt64(b); ok != isInt64(v) || ok && got != i64 {
		t.Errorf("ParseInt64(%q) = %d, %v; ParseInt gives %d, %v", v, got, ok, i64, err)
	}
	i32, err := strconv.ParseInt(v, 10, 32)
	if got, ok := ParseInt32(b); ok != (err == nil) || ok && int64(got) != i32 {
		t.Errorf("ParseInt32(%q) = %d, %v; ParseInt gives %d, %v", v, got, ok, i32, err)
	}
	f, fok := floatText(v)
	if got, ok := ParseFloat64(b); ok != isFloat64(v) || ok != fok || ok && math.Float64bits(got) != math.Float64bits(f) {
		t.Errorf("ParseFloat64(%q) = %v, %v; reference %v, %v", v, got, ok, f, fok)
	}
	if got, ok := ParseBool(b); ok != isBool(v) || ok && strconv.FormatBool(got) != map[bool]string{true: "true", false: "false"}[got] {
		t.Errorf("ParseBool(%q) = %v, %v", v, got, ok)
	}
	d, dok := ParseDate(b)
	if dok != isDate(v) {
		t.Errorf("ParseDate(%q) accepts: %v, isDate: %v", v, dok, isDate(v))
	}
	if dok {
		ref, _ := time.Parse(time.DateOnly, v)
		if int64(d)*86400 != ref.Unix() {
			t.Errorf("ParseDate(%q) = %d, want %d", v, d, ref.Unix()/86400)
		}
	}
	us, ok := ParseTimestamp(b)
	if want := isDate(v) || isTimestamp(v); ok != want {
		t.Errorf("ParseTimestamp(%q) accepts: %v, inference: %v", v, ok, want)
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
			t.Errorf("ParseTimestamp(%q) = %d, want %d", v, us, ref)
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

// TestParseDateEveryDay compares ParseDate with time.Parse on every day
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
