package parquet

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/parquet-go/parquet-go/deprecated"

	dec "github.com/meshctl/meshctl/executor/decimal"
)

func TestRescaleToInt64(t *testing.T) {
	for _, tt := range []struct {
		name    string
		src     []int64
		d       decimalPlan
		want    []int64
		wantBad int
	}{
		{"same scale", []int64{-99, 99}, decimalPlan{2, 2, 2}, []int64{-99, 99}, -1},
		{"same scale, too many digits", []int64{99, -100}, decimalPlan{2, 2, 2}, []int64{99}, 1},
		{"more fraction digits", []int64{-12, 12}, decimalPlan{1, 5, 3}, []int64{-1200, 1200}, -1},
		{"more fraction digits, overflow", []int64{999, 1000}, decimalPlan{0, 5, 2}, []int64{99900}, 1},
		{"fewer fraction digits round half away from zero", []int64{15, -15, 14, -14, 25, -25}, decimalPlan{1, 5, 0}, []int64{2, -2, 1, -1, 3, -3}, -1},
		{"the whole int64 range to 18 digits", []int64{math.MaxInt64}, decimalPlan{0, 18, 0}, nil, 0},
		{"scale up by more than 18 digits", []int64{0, 1}, decimalPlan{0, 18, 0 + 19}, []int64{0}, 1},
		{"scale down by more than 18 digits", []int64{math.MaxInt64, math.MinInt64}, decimalPlan{20, 18, 0}, []int64{0, 0}, -1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dst := make([]int64, len(tt.src))
			bad := rescaleToInt64(dst, tt.src, tt.d)
			if bad != tt.wantBad {
				t.Fatalf("bad = %d, want %d", bad, tt.wantBad)
			}
			n := len(tt.src)
			if bad >= 0 {
				n = bad
			}
			if diff := cmp.Diff(tt.want, dst[:n], cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("values (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBigEndianInt128(t *testing.T) {
	for _, x := range []dec.Int128{{}, dec.FromInt64(-1), dec.FromInt64(math.MinInt64), {Hi: math.MaxInt64, Lo: math.MaxUint64}, {Hi: math.MinInt64}} {
		var b [16]byte
		putBigEndianInt128(b[:], x)
		got, ok := bigEndianInt128(b[:])
		if !ok || got != x {
			t.Errorf("%v: read back %v, %t", x, got, ok)
		}
		// The shortest forms other writers use, sign-extended.
		for n := 1; n < 16; n++ {
			if got, ok := bigEndianInt128(b[16-n:]); ok && x.IsInt64() && n >= 9 && got != x {
				t.Errorf("%v in %d bytes: read %v", x, n, got)
			}
		}
	}
	for _, tt := range []struct {
		in     []byte
		want   dec.Int128
		wantOK bool
	}{
		{[]byte{0x80}, dec.FromInt64(-128), true},
		{[]byte{0x00, 0x80}, dec.FromInt64(128), true},
		{append([]byte{0xff, 0xff}, make([]byte, 16)...), dec.Int128{}, false},
		{append([]byte{0x00}, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), dec.Int128{}, false},
		{append([]byte{0xff}, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), dec.Int128{Hi: math.MinInt64}, true},
	} {
		got, ok := bigEndianInt128(tt.in)
		if ok != tt.wantOK || (ok && got != tt.want) {
			t.Errorf("%x: got %v, %t; want %v, %t", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestTimestampKernels(t *testing.T) {
	dst := make([]int64, 4)
	nanosToMicros(dst, []int64{-1, -1000, -1001, 1999})
	if diff := cmp.Diff([]int64{-1, -1, -2, 1}, dst); diff != "" {
		t.Errorf("nanos (-want +got):\n%s", diff)
	}
	if bad := millisToMicros(dst, []int64{1, math.MaxInt64 / 999}); bad != 1 {
		t.Errorf("millis: bad = %d, want 1", bad)
	}
	if bad := daysToMicros(dst, []int32{math.MaxInt32}); bad != 0 {
		t.Errorf("days: bad = %d, want 0", bad)
	}
	var v deprecated.Int96
	v[2] = julianUnixEpoch - 1
	if bad := int96ToMicros(dst, []deprecated.Int96{v}); bad != -1 || dst[0] != -microsPerDay {
		t.Errorf("int96: bad = %d, value %d", bad, dst[0])
	}
}

func TestSpread(t *testing.T) {
	dst := []int32{1, 2, 3, 0, 0, 0}
	spread(dst, []byte{0, 1, 0, 1, 1, 0}, 3)
	if diff := cmp.Diff([]int32{0, 1, 0, 2, 3, 0}, dst); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
