package parquet

import (
	"math"

	"github.com/parquet-go/parquet-go/deprecated"

	dec "github.com/meshctl/meshctl/executor/decimal"
)

// The kernels below convert a run of stored values into a run of column
// values. Each loops over plain slices; the checked ones return the index
// of the first value that does not convert, or -1.

// widen converts every value of src to a wider integer or float type.
func widen[S int32 | int64 | float32, D int64 | float64](dst []D, src []S) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = D(v)
	}
}

// widenUnsigned converts UINT32 values, stored as INT32, to int64 or float64.
func widenUnsigned[D int64 | float64](dst []D, src []int32) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = D(uint32(v))
	}
}

// uint32ToInt32 copies UINT32 values that fit in an int32.
func uint32ToInt32(dst, src []int32) int {
	dst = dst[:len(src)]
	for i, v := range src {
		if v < 0 {
			return i
		}
		dst[i] = v
	}
	return -1
}

// int64ToInt32 narrows values that fit in an int32.
func int64ToInt32(dst []int32, src []int64) int {
	dst = dst[:len(src)]
	for i, v := range src {
		if v != int64(int32(v)) {
			return i
		}
		dst[i] = int32(v)
	}
	return -1
}

const (
	microsPerDay = 86400 * 1000 * 1000
	// julianUnixEpoch is the Julian day number of 1970-01-01, the epoch of
	// the INT96 timestamps of Impala, Hive and Spark.
	julianUnixEpoch = 2440588
)

// daysToMicros converts dates to timestamps at midnight UTC.
func daysToMicros(dst []int64, src []int32) int {
	dst = dst[:len(src)]
	const limit = math.MaxInt64 / microsPerDay
	for i, v := range src {
		if int64(v) > limit || int64(v) < -limit {
			return i
		}
		dst[i] = int64(v) * microsPerDay
	}
	return -1
}

// millisToMicros converts millisecond timestamps.
func millisToMicros(dst, src []int64) int {
	dst = dst[:len(src)]
	const limit = math.MaxInt64 / 1000
	for i, v := range src {
		if v > limit || v < -limit {
			return i
		}
		dst[i] = v * 1000
	}
	return -1
}

// nanosToMicros converts nanosecond timestamps, rounding down (towards the
// past), so that instants keep their order.
func nanosToMicros(dst, src []int64) {
	dst = dst[:len(src)]
	for i, v := range src {
		q := v / 1000
		if v%1000 < 0 {
			q--
		}
		dst[i] = q
	}
}

// int96ToMicros converts legacy INT96 timestamps: nanoseconds within the
// day in the first 8 bytes, the Julian day in the last 4.
func int96ToMicros(dst []int64, src []deprecated.Int96) int {
	dst = dst[:len(src)]
	const limit = math.MaxInt64/microsPerDay - 1
	for i, v := range src {
		nanos := int64(uint64(v[1])<<32 | uint64(v[0]))
		days := int64(int32(v[2])) - julianUnixEpoch
		if days > limit || days < -limit || nanos < 0 || nanos >= 2*microsPerDay*1000 {
			return i
		}
		dst[i] = days*microsPerDay + nanos/1000
	}
	return -1
}

// unpackBools expands bit-packed booleans (least significant bit first)
// from bit offset off.
func unpackBools(dst []bool, bits []byte, off int) {
	for i := range dst {
		j := off + i
		dst[i] = bits[j>>3]>>(uint(j)&7)&1 != 0
	}
}

// decimalsToFloat64 converts unscaled decimals to float64.
func decimalsToFloat64[S int32 | int64](dst []float64, src []S, scale int) {
	dst = dst[:len(src)]
	p := math.Pow10(scale)
	for i, v := range src {
		dst[i] = float64(v) / p
	}
}

// rescaleToInt64 converts unscaled values of scale d.fromScale (integers
// have scale 0) to unscaled values of decimal(d.toPrecision, d.toScale),
// stored in int64 (precision ≤ 18). Extra fraction digits are rounded half
// away from zero, as when decimals are parsed from text.
func rescaleToInt64[S int32 | int64](dst []int64, src []S, d decimalPlan) int {
	dst = dst[:len(src)]
	limit := dec.Pow10Int64(d.toPrecision) // exclusive bound of |value|
	switch k := d.toScale - d.fromScale; {
	case k == 0:
		for i, v := range src {
			x := int64(v)
			if x >= limit || x <= -limit {
				return i
			}
			dst[i] = x
		}
	case k > 0:
		if k > 18 {
			for i, v := range src {
				if v != 0 {
					return i
				}
				dst[i] = 0
			}
			return -1
		}
		mul := dec.Pow10Int64(k)
		max := (limit - 1) / mul
		for i, v := range src {
			x := int64(v)
			if x > max || x < -max {
				return i
			}
			dst[i] = x * mul
		}
	default:
		if -k > 18 {
			// |int64| < 10^19/2: every value rounds to zero.
			for i := range src {
				dst[i] = 0
			}
			return -1
		}
		div := dec.Pow10Int64(-k)
		half := div / 2
		for i, v := range src {
			x := int64(v)
			q, r := x/div, x%div
			if r >= half && div > 1 {
				q++
			} else if r <= -half && div > 1 {
				q--
			}
			if q >= limit || q <= -limit {
				return i
			}
			dst[i] = q
		}
	}
	return -1
}

// rescale128 converts an unscaled value of scale from to one of
// decimal(p, to), reporting whether it fits.
func rescale128(x dec.Int128, from, p, to int) (dec.Int128, bool) {
	switch {
	case to > from:
		var ovf bool
		if x, ovf = x.MulPow10(to - from); ovf {
			return x, false
		}
	case to < from:
		if from-to > 38 {
			x = dec.Int128{}
		} else {
			x = x.DivRound(from - to)
		}
	}
	return x, x.FitsDigits(p)
}

// int64sToInt128 converts unscaled int32 or int64 values to wide decimals.
func rescaleToInt128[S int32 | int64](dst []dec.Int128, src []S, d decimalPlan) int {
	dst = dst[:len(src)]
	for i, v := range src {
		x, ok := rescale128(dec.FromInt64(int64(v)), d.fromScale, d.toPrecision, d.toScale)
		if !ok {
			return i
		}
		dst[i] = x
	}
	return -1
}

// rescale128s converts wide unscaled values in place and narrows them to
// int64 storage when dst64 is not nil.
func rescale128s(dst64 []int64, dst128, src []dec.Int128, d decimalPlan) int {
	for i, v := range src {
		x, ok := rescale128(v, d.fromScale, d.toPrecision, d.toScale)
		if !ok {
			return i
		}
		if dst64 != nil {
			dst64[i] = x.Int64()
		} else {
			dst128[i] = x
		}
	}
	return -1
}

// bigEndianInt128 reads a big-endian two's-complement integer of any
// length (the storage of FIXED_LEN_BYTE_ARRAY and BYTE_ARRAY decimals);
// ok is false when it does not fit 128 bits.
func bigEndianInt128(b []byte) (dec.Int128, bool) {
	if len(b) == 0 {
		return dec.Int128{}, true
	}
	var sign byte
	if b[0]&0x80 != 0 {
		sign = 0xff
	}
	if len(b) > 16 {
		extra := b[:len(b)-16]
		for _, c := range extra {
			if c != sign {
				return dec.Int128{}, false
			}
		}
		b = b[len(b)-16:]
		if (b[0]&0x80 != 0) != (sign != 0) {
			return dec.Int128{}, false
		}
	}
	var buf [16]byte
	for i := range 16 - len(b) {
		buf[i] = sign
	}
	copy(buf[16-len(b):], b)
	var hi, lo uint64
	for i := range 8 {
		hi = hi<<8 | uint64(buf[i])
		lo = lo<<8 | uint64(buf[8+i])
	}
	return dec.Int128{Hi: int64(hi), Lo: lo}, true
}

// putBigEndianInt128 writes x as 16 big-endian bytes.
func putBigEndianInt128(dst []byte, x dec.Int128) {
	hi, lo := uint64(x.Hi), x.Lo
	for i := 7; i >= 0; i-- {
		dst[i] = byte(hi)
		dst[8+i] = byte(lo)
		hi >>= 8
		lo >>= 8
	}
}

// spread moves the first nn values of dst to the rows whose definition
// level is 1 (def has one level per row of dst) and zeroes the null rows,
// working backwards so that no value is overwritten before it moves.
func spread[T any](dst []T, def []byte, nn int) {
	var zero T
	j := nn - 1
	for i := len(def) - 1; i >= 0; i-- {
		if def[i] != 0 {
			dst[i] = dst[j]
			j--
		} else {
			dst[i] = zero
		}
	}
}

// gatherDict looks codes up in a dictionary's values; it returns the index
// of the first code out of range, or -1.
func gatherDict[T any](dst, dict []T, codes []int32) int {
	dst = dst[:len(codes)]
	n := uint32(len(dict))
	for i, c := range codes {
		if uint32(c) >= n {
			return i
		}
		dst[i] = dict[c]
	}
	return -1
}

// checkCodes returns the index of the first code out of range of a
// dictionary of n values, or -1.
func checkCodes(codes []int32, n int) int {
	u := uint32(n)
	for i, c := range codes {
		if uint32(c) >= u {
			return i
		}
	}
	return -1
}

// grow returns s resized to n, reusing its array when large enough.
func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n, max(n, 2*cap(s)))
}
