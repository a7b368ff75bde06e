package postgres

import (
	"encoding/binary"
	"math/bits"
	"strconv"

	"github.com/meshctl/meshctl/executor/decimal"
)

// PostgreSQL's binary numeric: four int16 (ndigits, weight, sign, dscale)
// then ndigits base-10000 digits, most significant first; the value is
// the sum of digit[i] × 10000^(weight-i). Trailing zero digits are not
// stored.
const (
	numericPos  = 0x0000
	numericNeg  = 0x4000
	numericNaN  = 0xC000
	numericPInf = 0xD000
	numericNInf = 0xF000
)

// numeric is a decoded binary numeric; digits aliases the raw value.
type numeric struct {
	weight int
	sign   uint16
	dscale int
	digits []byte // 2 bytes per base-10000 digit
}

// parseNumeric reads the header of a binary numeric.
func parseNumeric(raw []byte) (numeric, bool) {
	if len(raw) < 8 {
		return numeric{}, false
	}
	nd := int(binary.BigEndian.Uint16(raw))
	if len(raw) != 8+2*nd {
		return numeric{}, false
	}
	return numeric{
		weight: int(int16(binary.BigEndian.Uint16(raw[2:]))),
		sign:   binary.BigEndian.Uint16(raw[4:]),
		dscale: int(binary.BigEndian.Uint16(raw[6:])),
		digits: raw[8:],
	}, true
}

func (n numeric) digit(i int) uint64 {
	if i < 0 || 2*i >= len(n.digits) {
		return 0
	}
	return uint64(binary.BigEndian.Uint16(n.digits[2*i:]))
}

// special reports NaN and the infinities, which no decimal holds.
func (n numeric) special() bool { return n.sign != numericPos && n.sign != numericNeg }

// pow10u holds 10^0 … 10^19.
var pow10u = func() (t [20]uint64) {
	t[0] = 1
	for i := 1; i < len(t); i++ {
		t[i] = t[i-1] * 10
	}
	return t
}()

// u128 is an unsigned 128-bit magnitude.
type u128 struct{ hi, lo uint64 }

// mulAdd returns x*m + a; ok is false when it needs more than 127 bits.
func (x u128) mulAdd(m, a uint64) (u128, bool) {
	h1, lo := bits.Mul64(x.lo, m)
	h2, l2 := bits.Mul64(x.hi, m)
	hi, c := bits.Add64(h1, l2, 0)
	if h2 != 0 || c != 0 {
		return u128{}, false
	}
	lo, c = bits.Add64(lo, a, 0)
	hi, c2 := bits.Add64(hi, 0, c)
	return u128{hi, lo}, c2 == 0 && hi>>63 == 0
}

func (x u128) less(y u128) bool { return x.hi < y.hi || x.hi == y.hi && x.lo < y.lo }

// limitOf returns 10^p, the exclusive bound of a decimal(p,s)'s unscaled
// magnitude.
func limitOf(p int) u128 {
	x := decimal.Pow10(p)
	return u128{uint64(x.Hi), x.Lo}
}

// unscaled returns the value times 10^scale, rounded half away from zero,
// when its magnitude is below limit. The caller rules out special values.
func (n numeric) unscaled(scale int, limit u128) (decimal.Int128, bool) {
	var acc u128
	ok, round := true, false
	exp := 0 // the power of ten acc's last digit stands for
	nd := len(n.digits) / 2
	for i := 0; i < nd; i++ {
		d := n.digit(i)
		e := 4*(n.weight-i) + scale // digit i's power of ten in the unscaled value
		if e >= 0 {
			if acc, ok = acc.mulAdd(10000, d); !ok || !acc.less(limit) {
				return decimal.Int128{}, false
			}
			exp = e
			continue
		}
		// Digit i holds the first digits beyond the scale. Digits are
		// consecutive, so acc (if not zero) stands for 10^(e+4) ≥ 1 only
		// when e > -4, and for 10^0 when e == -4.
		switch {
		case e > -4:
			p := pow10u[-e]
			if acc, ok = acc.mulAdd(pow10u[4+e], d/p); !ok {
				return decimal.Int128{}, false
			}
			round = (d%p)*2 >= p
		case e == -4:
			round = d >= 5000
		}
		exp = 0
		break
	}
	for exp > 0 {
		k := min(exp, 19)
		if acc, ok = acc.mulAdd(pow10u[k], 0); !ok {
			return decimal.Int128{}, false
		}
		exp -= k
	}
	if round {
		if acc, ok = acc.mulAdd(1, 1); !ok {
			return decimal.Int128{}, false
		}
	}
	if !acc.less(limit) {
		return decimal.Int128{}, false
	}
	x := decimal.Int128{Hi: int64(acc.hi), Lo: acc.lo}
	if n.sign == numericNeg {
		x = x.Neg()
	}
	return x, true
}

// appendText appends the value as PostgreSQL prints it ("-12.50", "NaN").
func (n numeric) appendText(dst []byte) []byte {
	switch n.sign {
	case numericNaN:
		return append(dst, "NaN"...)
	case numericPInf:
		return append(dst, "Infinity"...)
	case numericNInf:
		return append(dst, "-Infinity"...)
	case numericNeg:
		dst = append(dst, '-')
	}
	if n.weight < 0 {
		dst = append(dst, '0')
	}
	for i := 0; i <= n.weight; i++ {
		if i == 0 {
			dst = strconv.AppendUint(dst, n.digit(0), 10)
		} else {
			dst = append4(dst, n.digit(i), 4)
		}
	}
	if n.dscale > 0 {
		dst = append(dst, '.')
		for i, left := n.weight+1, n.dscale; left > 0; i, left = i+1, left-4 {
			dst = append4(dst, n.digit(i), min(left, 4))
		}
	}
	return dst
}

// append4 appends the first k of d's four decimal digits, zero-padded.
func append4(dst []byte, d uint64, k int) []byte {
	var b [4]byte
	for j := 3; j >= 0; j-- {
		b[j] = byte('0' + d%10)
		d /= 10
	}
	return append(dst, b[:k]...)
}
