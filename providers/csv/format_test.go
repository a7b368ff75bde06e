package csv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/types"
)

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
