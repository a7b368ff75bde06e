package decimal

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

func big128(x Int128) *big.Int { return x.Big() }

var limit = new(big.Int).Lsh(big.NewInt(1), 127)

func fits(b *big.Int) bool {
	return b.Cmp(limit) < 0 && b.Cmp(new(big.Int).Neg(limit)) >= 0
}

func randInt128(r *rand.Rand) Int128 {
	switch r.IntN(4) {
	case 0:
		return FromInt64(r.Int64N(2000) - 1000)
	case 1:
		return FromInt64(int64(r.Uint64()))
	case 2:
		return Int128{Hi: r.Int64N(1<<20) - 1<<19, Lo: r.Uint64()}
	}
	return Int128{Hi: int64(r.Uint64()), Lo: r.Uint64()}
}

// TestArithmeticAgainstBig checks Add, Sub, Mul, Cmp and DivRound against
// math/big on random values, overflow included.
func TestArithmeticAgainstBig(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200000; i++ {
		a, b := randInt128(r), randInt128(r)
		ba, bb := big128(a), big128(b)
		if got := FromBigMust(t, ba); got != a {
			t.Fatalf("round trip %v", a)
		}
		check := func(op string, got Int128, ovf bool, want *big.Int) {
			t.Helper()
			if !fits(want) {
				if !ovf {
					t.Fatalf("%s(%s, %s): no overflow reported, want %s", op, ba, bb, want)
				}
				return
			}
			if ovf || big128(got).Cmp(want) != 0 {
				t.Fatalf("%s(%s, %s) = %s (ovf %v), want %s", op, ba, bb, big128(got), ovf, want)
			}
		}
		s, o := a.Add(b)
		check("add", s, o, new(big.Int).Add(ba, bb))
		s, o = a.Sub(b)
		check("sub", s, o, new(big.Int).Sub(ba, bb))
		s, o = a.Mul(b)
		check("mul", s, o, new(big.Int).Mul(ba, bb))
		if got, want := a.Cmp(b), ba.Cmp(bb); got != want {
			t.Fatalf("cmp(%s, %s) = %d", ba, bb, got)
		}
		k := r.IntN(39)
		d := a.DivRound(k)
		if want := divRoundBig(ba, k); big128(d).Cmp(want) != 0 {
			t.Fatalf("DivRound(%s, %d) = %s, want %s", ba, k, big128(d), want)
		}
	}
}

func divRoundBig(x *big.Int, k int) *big.Int {
	d := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(k)), nil)
	q, m := new(big.Int).QuoRem(new(big.Int).Abs(x), d, new(big.Int))
	if new(big.Int).Mul(m, big.NewInt(2)).Cmp(d) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if x.Sign() < 0 {
		q.Neg(q)
	}
	return q
}

func FromBigMust(t *testing.T, b *big.Int) Int128 {
	x, ok := FromBig(b)
	if !ok {
		t.Fatalf("FromBig(%s) failed", b)
	}
	return x
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in      string
		p, s    int
		want    string
		wantErr bool
	}{
		{"12.34", 18, 2, "12.34", false},
		{"-0.5", 5, 2, "-0.50", false},
		{".5", 3, 1, "0.5", false},
		{"7", 10, 3, "7.000", false},
		{"1.005", 10, 2, "1.01", false},
		{"-1.005", 10, 2, "-1.01", false},
		{"1.004", 10, 2, "1.00", false},
		{"99999999999999999999999999999999999.999", 38, 3, "99999999999999999999999999999999999.999", false},
		{"123", 2, 0, "", true},
		{"1e3", 10, 0, "", true},
		{"", 10, 0, "", true},
		{"-", 10, 0, "", true},
		{"1.2.3", 10, 2, "", true},
		{"+3.1", 5, 1, "3.1", false},
	}
	for _, tt := range tests {
		v, ok := Parse([]byte(tt.in), tt.p, tt.s)
		if ok == tt.wantErr {
			t.Errorf("Parse(%q, %d, %d) ok = %v", tt.in, tt.p, tt.s, ok)
			continue
		}
		if ok && v.Format(tt.s) != tt.want {
			t.Errorf("Parse(%q) = %s, want %s", tt.in, v.Format(tt.s), tt.want)
		}
	}
	for _, c := range []struct {
		v     int64
		scale int
		want  string
	}{{1234, 2, "12.34"}, {-5, 3, "-0.005"}, {0, 2, "0.00"}, {42, 0, "42"}, {math.MinInt64, 0, "-9223372036854775808"}} {
		if got := string(AppendInt64(nil, c.v, c.scale)); got != c.want {
			t.Errorf("AppendInt64(%d, %d) = %s, want %s", c.v, c.scale, got, c.want)
		}
		if got := FormatInt64(c.v, c.scale); got != c.want {
			t.Errorf("FormatInt64(%d, %d) = %s, want %s", c.v, c.scale, got, c.want)
		}
	}
}

func TestFitsDigitsAndFloat(t *testing.T) {
	if !FromInt64(99).FitsDigits(2) || FromInt64(100).FitsDigits(2) || !FromInt64(-99).FitsDigits(2) {
		t.Error("FitsDigits around 10^2")
	}
	max38 := Pow10(38)
	max38, _ = max38.Sub(FromInt64(1))
	if !max38.FitsDigits(38) {
		t.Error("10^38-1 fits 38 digits")
	}
	if got := FromInt64(-1234).Float64(2); got != -12.34 {
		t.Errorf("Float64 = %v", got)
	}
}

// formatBig is the oracle of AppendFormat and AppendInt64: big.Int's
// digits with the point inserted.
func formatBig(v *big.Int, scale int) string {
	s := new(big.Int).Abs(v).String()
	if scale > 0 {
		if len(s) <= scale {
			s = strings.Repeat("0", scale-len(s)+1) + s
		}
		s = s[:len(s)-scale] + "." + s[len(s)-scale:]
	}
	if v.Sign() < 0 {
		s = "-" + s
	}
	return s
}

// randMagnitude returns a random Int128 of every magnitude, extremes
// included.
func randMagnitude(r *rand.Rand) Int128 {
	switch r.IntN(8) {
	case 0:
		return []Int128{{}, FromInt64(1), FromInt64(-1), FromInt64(math.MaxInt64), FromInt64(math.MinInt64),
			{Hi: math.MaxInt64, Lo: math.MaxUint64}, {Hi: math.MinInt64}, Pow10(38), Pow10(38).Neg()}[r.IntN(9)]
	case 1:
		return randInt128(r)
	}
	x := Int128{Hi: int64(r.Uint64()), Lo: r.Uint64()}
	n := uint(r.IntN(128))
	// Shift right arithmetically by n: every bit length.
	if n >= 64 {
		return Int128{Hi: x.Hi >> 63, Lo: uint64(x.Hi >> (n - 64))}
	}
	if n == 0 {
		return x
	}
	return Int128{Hi: x.Hi >> n, Lo: x.Lo>>n | uint64(x.Hi)<<(64-n)}
}

// TestFormatAgainstBig checks Format, AppendFormat, FormatInt64 and
// AppendInt64 against math/big for every scale up to 38 and beyond.
func TestFormatAgainstBig(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 100000; i++ {
		x := randMagnitude(r)
		scale := r.IntN(45)
		want := formatBig(x.Big(), scale)
		prefix := []byte("x=")
		if got := string(x.AppendFormat(prefix, scale)); got != "x="+want {
			t.Fatalf("AppendFormat(%s, %d) = %q, want %q", x.Big(), scale, got, "x="+want)
		}
		if got := x.Format(scale); got != want {
			t.Fatalf("Format(%s, %d) = %q, want %q", x.Big(), scale, got, want)
		}
		if x.IsInt64() {
			v := x.Int64()
			if got := string(AppendInt64(nil, v, scale)); got != want {
				t.Fatalf("AppendInt64(%d, %d) = %q, want %q", v, scale, got, want)
			}
			if got := FormatInt64(v, scale); got != want {
				t.Fatalf("FormatInt64(%d, %d) = %q, want %q", v, scale, got, want)
			}
		}
	}
}

func TestFormatCases(t *testing.T) {
	minInt128 := Int128{Hi: math.MinInt64}
	for _, c := range []struct {
		x     Int128
		scale int
		want  string
	}{
		{FromInt64(5), 2, "0.05"},
		{FromInt64(-5), 38, "-0.00000000000000000000000000000000000005"},
		{FromInt64(0), 38, "0.00000000000000000000000000000000000000"},
		{FromInt64(0), 0, "0"},
		{FromInt64(7), -2, "7"},
		{FromInt64(math.MinInt64), 30, "-0.000000000009223372036854775808"},
		{FromInt64(math.MaxInt64), 19, "0.9223372036854775807"},
		{FromInt64(math.MaxInt64), 18, "9.223372036854775807"},
		{minInt128, 0, "-170141183460469231731687303715884105728"},
		{minInt128, 39, "-0.170141183460469231731687303715884105728"},
		{Int128{Hi: math.MaxInt64, Lo: math.MaxUint64}, 40, "0.0170141183460469231731687303715884105727"},
		{Pow10(38), 38, "1.00000000000000000000000000000000000000"},
	} {
		if got := c.x.Format(c.scale); got != c.want {
			t.Errorf("Format(%s, %d) = %q, want %q", c.x.Big(), c.scale, got, c.want)
		}
	}
}

func TestAppendFormatDoesNotAllocate(t *testing.T) {
	buf := make([]byte, 0, 128)
	xs := []Int128{Pow10(38).Neg(), FromInt64(-12345), {Hi: math.MinInt64}}
	allocs := testing.AllocsPerRun(100, func() {
		for _, x := range xs {
			buf = x.AppendFormat(buf[:0], 38)
			buf = AppendInt64(buf[:0], math.MinInt64, 30)
		}
	})
	if allocs != 0 {
		t.Errorf("AppendFormat allocates %v times", allocs)
	}
}

// exactFloat is the oracle of Float64: big.Rat's correctly rounded
// conversion.
func exactFloat(x Int128, scale int) float64 {
	r := new(big.Rat).SetFrac(x.Big(), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil))
	f, _ := r.Float64()
	return f
}

// TestFloat64AgainstBig checks that Float64 rounds once, to nearest even,
// on random values of every magnitude and scale, and on values at and
// next to the midpoint of two floats, where rounding twice goes wrong.
func TestFloat64AgainstBig(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	naiveWrong := 0
	check := func(x Int128, scale int) {
		t.Helper()
		want := exactFloat(x, scale)
		if got := x.Float64(scale); got != want || math.Signbit(got) != math.Signbit(want) {
			t.Fatalf("Float64(%s, %d) = %v, want %v", x.Big(), scale, got, want)
		}
		// The old way: to float64 first, then divide (two roundings).
		hi, lo := x.abs()
		naive := (float64(hi)*(1<<64) + float64(lo)) / math.Pow10(scale)
		if x.Hi < 0 {
			naive = -naive
		}
		if naive != want {
			naiveWrong++
		}
	}
	for i := 0; i < 200000; i++ {
		check(randMagnitude(r), r.IntN(39))
	}
	// Midpoints: m = (f + next(f)) / 2 times 10^scale is an integer, for a
	// float f of 54 to 60 significant bits' magnitude and a scale that
	// keeps it below 2^127.
	for i := 0; i < 20000; i++ {
		e := 53 + r.IntN(8)
		f := float64(1<<52|r.Uint64()>>12) * math.Pow(2, float64(e-52))
		mid := new(big.Int).Lsh(new(big.Int).SetUint64(uint64(f/math.Pow(2, float64(e-52)))*2+1), uint(e-53))
		scale := r.IntN(39 - 20)
		m := new(big.Int).Mul(mid, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil))
		for _, d := range []int64{-1, 0, 1} {
			v := new(big.Int).Add(m, big.NewInt(d))
			if r.IntN(2) == 0 {
				v.Neg(v)
			}
			x, ok := FromBig(v)
			if !ok {
				t.Fatalf("midpoint %s does not fit", v)
			}
			check(x, scale)
		}
	}
	if naiveWrong == 0 {
		t.Error("no case where rounding twice differs: the test proves nothing")
	}
	t.Logf("%d cases where rounding twice differs", naiveWrong)
}

func TestFloat64Cases(t *testing.T) {
	for _, c := range []struct {
		x     Int128
		scale int
		want  float64
	}{
		{FromInt64(-1234), 2, -12.34},
		{FromInt64(0), 38, 0},
		{FromInt64(1), 38, 1e-38},
		{Pow10(38).Neg(), 0, -1e38},
		{FromInt64(1<<53 + 1), 0, 1 << 53}, // a tie: to even
		{FromInt64(1<<53 + 3), 0, 1<<53 + 4},
		{FromInt64(math.MaxInt64), 0, 1 << 63},
		{FromInt64(math.MinInt64), 18, -9.223372036854775808},
		{Int128{Hi: math.MinInt64}, 0, -(1 << 63) * float64(1<<63) * 2},
		{FromInt64(123456789), 30, 1.23456789e-22},
		// No decimal has such scales, but they are exact all the same.
		{FromInt64(5), -1, 50},
		{FromInt64(5), 40, 5e-40},
		{Int128{Hi: 1}, 50, 18446744073709551616e-50},
	} {
		if got := c.x.Float64(c.scale); got != c.want {
			t.Errorf("Float64(%s, %d) = %v, want %v", c.x.Big(), c.scale, got, c.want)
		}
	}
}

func TestFloat64DoesNotAllocate(t *testing.T) {
	x := Int128{Hi: 1 << 40, Lo: 12345}
	var sink float64
	allocs := testing.AllocsPerRun(100, func() {
		for s := 0; s <= 38; s++ {
			sink += x.Float64(s) + x.Neg().Float64(s) + FromInt64(1<<60+1).Float64(s)
		}
	})
	if allocs != 0 {
		t.Errorf("Float64 allocates %v times", allocs)
	}
	_ = sink
}

func BenchmarkFloat64(b *testing.B) {
	for _, c := range []struct {
		name  string
		x     Int128
		scale int
	}{
		{"int64 below 2^53", FromInt64(123456789012), 2},
		{"int64 above 2^53", FromInt64(1<<60 + 12345), 2},
		{"wide scale 30", Int128{Hi: 1 << 40, Lo: 12345}, 30},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var sink float64
			for b.Loop() {
				sink += c.x.Float64(c.scale)
			}
			_ = sink
		})
	}
}

func BenchmarkAppendFormat(b *testing.B) {
	for _, c := range []struct {
		name  string
		x     Int128
		scale int
	}{
		{"int64", FromInt64(-123456789012), 2},
		{"38 digits", Pow10(38).Neg().DivRound(0), 10},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			buf := make([]byte, 0, 64)
			for b.Loop() {
				buf = c.x.AppendFormat(buf[:0], c.scale)
			}
		})
	}
}
