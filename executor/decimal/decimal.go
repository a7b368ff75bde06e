// Package decimal holds Int128, the 128-bit two's-complement integer that
// carries decimals of more than 18 digits (sums of decimal(18,2) are
// decimal(38,2)), and the scaled-integer helpers decimals of every width
// share: powers of ten, rescaling with rounding, parsing and formatting.
//
// It is a leaf: it imports only the standard library, so that providers
// (Parquet, CSV, PostgreSQL) can encode and decode decimals without
// importing the executor.
package decimal

import (
	"errors"
	"math"
	"math/big"
	"math/bits"
	"strings"
)

// Int128 is a signed 128-bit integer: Hi holds the upper 64 bits (with the
// sign), Lo the lower 64.
type Int128 struct {
	Hi int64
	Lo uint64
}

// ErrOverflow is returned when a result does not fit.
var ErrOverflow = errors.New("decimal overflow")

// FromInt64 widens v.
func FromInt64(v int64) Int128 { return Int128{Hi: v >> 63, Lo: uint64(v)} }

// IsInt64 reports whether x fits an int64.
func (x Int128) IsInt64() bool { return x.Hi == int64(x.Lo)>>63 }

// Int64 returns the low 64 bits as an int64 (exact when IsInt64).
func (x Int128) Int64() int64 { return int64(x.Lo) }

// Sign returns -1, 0 or 1.
func (x Int128) Sign() int {
	switch {
	case x.Hi < 0:
		return -1
	case x.Hi == 0 && x.Lo == 0:
		return 0
	}
	return 1
}

// Neg returns -x (wrapping for the minimum value, which no decimal reaches).
func (x Int128) Neg() Int128 {
	lo, borrow := bits.Sub64(0, x.Lo, 0)
	return Int128{Hi: -x.Hi - int64(borrow), Lo: lo}
}

// Abs returns |x| as an unsigned 128-bit pair.
func (x Int128) abs() (hi, lo uint64) {
	if x.Hi < 0 {
		n := x.Neg()
		return uint64(n.Hi), n.Lo
	}
	return uint64(x.Hi), x.Lo
}

// Add returns x+y and whether it overflowed.
func (x Int128) Add(y Int128) (Int128, bool) {
	lo, carry := bits.Add64(x.Lo, y.Lo, 0)
	hi := x.Hi + y.Hi + int64(carry)
	ovf := (x.Hi >= 0) == (y.Hi >= 0) && (hi >= 0) != (x.Hi >= 0)
	return Int128{Hi: hi, Lo: lo}, ovf
}

// Sub returns x-y and whether it overflowed.
func (x Int128) Sub(y Int128) (Int128, bool) {
	lo, borrow := bits.Sub64(x.Lo, y.Lo, 0)
	hi := x.Hi - y.Hi - int64(borrow)
	ovf := (x.Hi >= 0) != (y.Hi >= 0) && (hi >= 0) != (x.Hi >= 0)
	return Int128{Hi: hi, Lo: lo}, ovf
}

// Mul returns x*y and whether it overflowed.
func (x Int128) Mul(y Int128) (Int128, bool) {
	neg := (x.Hi < 0) != (y.Hi < 0)
	xh, xl := x.abs()
	yh, yl := y.abs()
	if xh != 0 && yh != 0 {
		return Int128{}, true
	}
	hi, lo := bits.Mul64(xl, yl)
	var c1, c2, carry uint64
	if xh != 0 {
		c1, c2 = bits.Mul64(xh, yl)
	} else if yh != 0 {
		c1, c2 = bits.Mul64(xl, yh)
	}
	if c1 != 0 {
		return Int128{}, true
	}
	hi, carry = bits.Add64(hi, c2, 0)
	if carry != 0 || hi > math.MaxInt64 {
		return Int128{}, true
	}
	r := Int128{Hi: int64(hi), Lo: lo}
	if neg {
		r = r.Neg()
	}
	return r, false
}

// Cmp compares x and y: -1, 0 or 1.
func (x Int128) Cmp(y Int128) int {
	switch {
	case x.Hi < y.Hi:
		return -1
	case x.Hi > y.Hi:
		return 1
	case x.Lo < y.Lo:
		return -1
	case x.Lo > y.Lo:
		return 1
	}
	return 0
}

// quoRem divides |x| by d: quotient (unsigned) and remainder.
func quoRem(hi, lo, d uint64) (qhi, qlo, rem uint64) {
	qhi, r := bits.Div64(0, hi, d)
	qlo, rem = bits.Div64(r, lo, d)
	return qhi, qlo, rem
}

// DivRound divides x by 10^k (0 ≤ k ≤ 38), rounding half away from zero.
func (x Int128) DivRound(k int) Int128 {
	if k == 0 {
		return x
	}
	neg := x.Hi < 0
	hi, lo := x.abs()
	// 10^k may exceed 64 bits: divide in steps of at most 10^19. Only the
	// last step's remainder decides the rounding: the earlier remainders
	// are worth less than one unit of it.
	roundUp := false
	for k > 0 {
		step := min(k, 19)
		d := pow10u64[step]
		var rem uint64
		hi, lo, rem = quoRem(hi, lo, d)
		k -= step
		if k == 0 {
			roundUp = rem >= d/2
		}
	}
	if roundUp {
		var c uint64
		lo, c = bits.Add64(lo, 1, 0)
		hi += c
	}
	r := Int128{Hi: int64(hi), Lo: lo}
	if neg {
		r = r.Neg()
	}
	return r
}

// MulPow10 returns x*10^k and whether it overflowed.
func (x Int128) MulPow10(k int) (Int128, bool) {
	if k == 0 {
		return x, false
	}
	if k > 38 {
		return Int128{}, x.Sign() != 0
	}
	return x.Mul(Pow10(k))
}

// FitsDigits reports whether |x| < 10^p, that is, x is a valid unscaled
// value of a decimal of precision p.
func (x Int128) FitsDigits(p int) bool {
	if p >= 39 {
		return true
	}
	hi, lo := x.abs()
	ph := Pow10(p)
	return hi < uint64(ph.Hi) || hi == uint64(ph.Hi) && lo < ph.Lo
}

var pow10u64 = func() [20]uint64 {
	var t [20]uint64
	t[0] = 1
	for i := 1; i < 20; i++ {
		t[i] = t[i-1] * 10
	}
	return t
}()

var pow10tab = func() [39]Int128 {
	var t [39]Int128
	t[0] = Int128{Lo: 1}
	for i := 1; i < 39; i++ {
		t[i], _ = t[i-1].Mul(Int128{Lo: 10})
	}
	return t
}()

// Pow10 returns 10^k for 0 ≤ k ≤ 38.
func Pow10(k int) Int128 { return pow10tab[k] }

// Pow10Int64 returns 10^k for 0 ≤ k ≤ 18.
func Pow10Int64(k int) int64 { return int64(pow10u64[k]) }

// FromBig converts b; ok is false when it does not fit 128 bits.
func FromBig(b *big.Int) (Int128, bool) {
	if b.BitLen() > 127 {
		return Int128{}, false
	}
	var abs big.Int
	abs.Abs(b)
	words := abs.Bits()
	var lo, hi uint64
	if bits.UintSize == 64 {
		if len(words) > 0 {
			lo = uint64(words[0])
		}
		if len(words) > 1 {
			hi = uint64(words[1])
		}
	} else {
		buf := abs.FillBytes(make([]byte, 16))
		for i := 0; i < 8; i++ {
			hi = hi<<8 | uint64(buf[i])
			lo = lo<<8 | uint64(buf[8+i])
		}
	}
	r := Int128{Hi: int64(hi), Lo: lo}
	if b.Sign() < 0 {
		r = r.Neg()
	}
	return r, true
}

// Big returns x as a big.Int.
func (x Int128) Big() *big.Int {
	hi, lo := x.abs()
	b := new(big.Int).SetUint64(hi)
	b.Lsh(b, 64)
	b.Or(b, new(big.Int).SetUint64(lo))
	if x.Hi < 0 {
		b.Neg(b)
	}
	return b
}

// Float64 returns x / 10^scale as the nearest float64.
func (x Int128) Float64(scale int) float64 {
	if x.IsInt64() {
		return float64(x.Int64()) / math.Pow10(scale)
	}
	hi, lo := x.abs()
	f := (float64(hi)*(1<<64) + float64(lo)) / math.Pow10(scale)
	if x.Hi < 0 {
		f = -f
	}
	return f
}

// Format prints x as a decimal with scale digits after the point.
func (x Int128) Format(scale int) string {
	if x.IsInt64() {
		return FormatInt64(x.Int64(), scale)
	}
	return formatDigits(x.Big().String(), scale)
}

// FormatInt64 prints an unscaled int64 decimal with scale digits after the
// point: FormatInt64(1234, 2) is "12.34".
func FormatInt64(v int64, scale int) string {
	return formatDigits(big.NewInt(v).String(), scale)
}

// AppendInt64 appends FormatInt64(v, scale) to dst without allocating.
func AppendInt64(dst []byte, v int64, scale int) []byte {
	var buf [24]byte
	neg := v < 0
	u := uint64(v)
	if neg {
		u = -u
	}
	i := len(buf)
	for u > 0 || len(buf)-i <= scale {
		i--
		buf[i] = byte('0' + u%10)
		u /= 10
	}
	if neg {
		dst = append(dst, '-')
	}
	digits := buf[i:]
	if scale > 0 {
		dst = append(dst, digits[:len(digits)-scale]...)
		dst = append(dst, '.')
		return append(dst, digits[len(digits)-scale:]...)
	}
	return append(dst, digits...)
}

func formatDigits(s string, scale int) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if scale > 0 {
		if len(s) <= scale {
			s = strings.Repeat("0", scale-len(s)+1) + s
		}
		s = s[:len(s)-scale] + "." + s[len(s)-scale:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Parse reads a decimal number ("-12.345", "7", ".5", "1e3" is refused)
// into an unscaled value of the given scale, rounding extra fraction
// digits half away from zero; ok is false when s is not a number or the
// value has more than precision digits.
func Parse(s []byte, precision, scale int) (Int128, bool) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	var v Int128
	digits, frac := 0, -1
	roundDigit := -1
	sawDigit := false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			sawDigit = true
			if frac >= 0 && frac >= scale {
				if roundDigit < 0 {
					roundDigit = int(c - '0')
				}
				continue
			}
			if digits > 0 || c != '0' {
				digits++
			}
			if digits > 38 {
				return Int128{}, false
			}
			v, _ = v.Mul(Int128{Lo: 10})
			v, _ = v.Add(Int128{Lo: uint64(c - '0')})
			if frac >= 0 {
				frac++
			}
		case c == '.' && frac < 0:
			frac = 0
		default:
			return Int128{}, false
		}
	}
	if !sawDigit {
		return Int128{}, false
	}
	if frac < 0 {
		frac = 0
	}
	var ovf bool
	v, ovf = v.MulPow10(scale - frac)
	if ovf {
		return Int128{}, false
	}
	if roundDigit >= 5 {
		v, _ = v.Add(Int128{Lo: 1})
	}
	if !v.FitsDigits(precision) {
		return Int128{}, false
	}
	if neg {
		v = v.Neg()
	}
	return v, true
}
