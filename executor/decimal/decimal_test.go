package decimal

import (
	"math"
	"math/big"
	"math/rand/v2"
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
