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

// Float64 returns x / 10^scale as the nearest float64 (ties to even),
// rounded once whatever the magnitude, for 0 ≤ scale ≤ 38. It allocates
// nothing.
func (x Int128) Float64(scale int) float64 {
	if x.IsInt64() && uint(scale) < uint(len(exactPow10)) {
		// Below 2^53 the integer converts exactly and 10^scale is an
		// exact float64 up to 10^22: the division is the only rounding.
		if v := x.Int64(); v >= -maxExact && v <= maxExact {
			return float64(v) / exactPow10[scale]
		}
	}
	return x.float64Slow(scale)
}

// maxExact is the largest power of two below which every integer is a
// float64.
const maxExact = 1 << 53

// exactPow10 holds the powers of ten a float64 represents exactly.
var exactPow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// float64Slow is Float64 by exact integer arithmetic. x/10^scale is
// (|x|·2^k / 5^scale) · 2^-(k+scale): k is chosen so that the integer
// quotient q has 56 or 57 bits, the remainder and any bits shifted out
// are folded into q's lowest bit (a sticky bit, below the rounding bit),
// and the one rounding happens when q converts to float64; the power of
// two is exact, the result being far from the float64 range's ends.
func (x Int128) float64Slow(scale int) float64 {
	if scale < 0 || scale >= len(pow5bits) {
		// No decimal type has such a scale; exact, but allocating.
		e := int64(scale)
		if e < 0 {
			e = -e
		}
		r := new(big.Rat).SetInt(x.Big())
		p := new(big.Int).Exp(big.NewInt(10), big.NewInt(e), nil)
		if scale < 0 {
			r.Mul(r, new(big.Rat).SetInt(p))
		} else {
			r.Quo(r, new(big.Rat).SetInt(p))
		}
		f, _ := r.Float64()
		return f
	}
	hi, lo := x.abs()
	if hi == 0 && lo == 0 {
		return 0
	}
	l := bitLen128(hi, lo)
	k := 56 + pow5bits[scale] - l
	// w2:w1:w0 is |x|·2^k when k ≥ 0, else |x|.
	var w2, w1, w0 uint64
	if k >= 0 {
		w2, w1, w0 = shl192(hi, lo, uint(k))
	} else {
		w1, w0 = hi, lo
	}
	// Divide by 5^scale in steps that fit a word (5^27 < 2^63).
	sticky := false
	for s := scale; s > 0; {
		step := min(s, 27)
		d := pow5u64[step]
		var r uint64
		w2, r = bits.Div64(0, w2, d)
		w1, r = bits.Div64(r, w1, d)
		w0, r = bits.Div64(r, w0, d)
		sticky = sticky || r != 0
		s -= step
	}
	if k < 0 {
		// The quotient has too many bits: shift the extra ones out (w2
		// is 0: the dividend had at most 128 bits).
		n := uint(-k)
		var out uint64
		if n >= 64 {
			out = w0 | w1<<(128-n)
			w0, w1 = w1>>(n-64), 0
		} else {
			out = w0 << (64 - n)
			w0, w1 = w0>>n|w1<<(64-n), w1>>n
		}
		sticky = sticky || out != 0
	}
	q := w0 // < 2^57: w1 and w2 are 0 now
	if sticky {
		q |= 1
	}
	f := math.Ldexp(float64(int64(q)), -k-scale)
	if x.Hi < 0 {
		f = -f
	}
	return f
}

// bitLen128 is the length of hi:lo in bits.
func bitLen128(hi, lo uint64) int {
	if hi != 0 {
		return 64 + bits.Len64(hi)
	}
	return bits.Len64(lo)
}

// shl192 shifts hi:lo left by n bits into three words; the result must
// fit 192 bits (for n ≥ 128, hi must be 0).
func shl192(hi, lo uint64, n uint) (w2, w1, w0 uint64) {
	switch {
	case n >= 128:
		return lo << (n - 128), 0, 0
	case n >= 64:
		n -= 64
		if n == 0 {
			return hi, lo, 0
		}
		return hi<<n | lo>>(64-n), lo << n, 0
	case n == 0:
		return 0, hi, lo
	}
	return hi >> (64 - n), hi<<n | lo>>(64-n), lo << n
}

var pow5u64 = func() [28]uint64 {
	var t [28]uint64
	t[0] = 1
	for i := 1; i < len(t); i++ {
		t[i] = t[i-1] * 5
	}
	return t
}()

// pow5bits holds the length in bits of 5^k for 0 ≤ k ≤ 38 (5^38 < 2^89).
var pow5bits = func() (n [39]int) {
	p := Int128{Lo: 1}
	for i := range n {
		n[i] = bitLen128(uint64(p.Hi), p.Lo)
		p, _ = p.Mul(Int128{Lo: 5})
	}
	return n
}()

// Format prints x as a decimal with scale digits after the point.
func (x Int128) Format(scale int) string {
	var buf [48]byte
	return string(x.AppendFormat(buf[:0], scale))
}

// FormatInt64 prints an unscaled int64 decimal with scale digits after the
// point: FormatInt64(1234, 2) is "12.34".
func FormatInt64(v int64, scale int) string {
	var buf [48]byte
	return string(AppendInt64(buf[:0], v, scale))
}

// AppendFormat appends x.Format(scale) to dst without allocating (beyond
// growing dst): the digits of x with scale of them after the point, zeros
// padding the fraction ("0.05" for 5 at scale 2). Any scale ≥ 0 works; a
// negative one is taken as 0.
func (x Int128) AppendFormat(dst []byte, scale int) []byte {
	if x.IsInt64() {
		return AppendInt64(dst, x.Int64(), scale)
	}
	hi, lo := x.abs() // at least 2^63: the loop below runs twice or more
	var buf [40]byte  // 2^127 has 39 digits
	i := len(buf)
	for {
		// Peel 19 digits at a time; only the leading chunk is unpadded.
		var r uint64
		hi, r = bits.Div64(0, hi, pow10u64[19])
		lo, r = bits.Div64(r, lo, pow10u64[19])
		if hi == 0 && lo == 0 {
			for r > 0 {
				i--
				buf[i] = byte('0' + r%10)
				r /= 10
			}
			break
		}
		for k := 0; k < 19; k++ {
			i--
			buf[i] = byte('0' + r%10)
			r /= 10
		}
	}
	if x.Hi < 0 {
		dst = append(dst, '-')
	}
	return appendPoint(dst, buf[i:], scale)
}

// AppendInt64 appends FormatInt64(v, scale) to dst without allocating
// (beyond growing dst). Any scale ≥ 0 works; a negative one is taken as 0.
func AppendInt64(dst []byte, v int64, scale int) []byte {
	var buf [20]byte // an int64 has at most 19 digits
	u := uint64(v)
	if v < 0 {
		u = -u
		dst = append(dst, '-')
	}
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	return appendPoint(dst, buf[i:], scale)
}

// zeros pads fractions; longer pads take several appends.
const zeros = "00000000000000000000000000000000000000"

// appendPoint appends the unsigned digits of an unscaled value with the
// point scale digits from the right, padding with zeros to at least one
// digit before it.
func appendPoint(dst, digits []byte, scale int) []byte {
	n := len(digits)
	if scale <= 0 {
		return append(dst, digits...)
	}
	if n > scale {
		dst = append(dst, digits[:n-scale]...)
		dst = append(dst, '.')
		return append(dst, digits[n-scale:]...)
	}
	dst = append(dst, '0', '.')
	for pad := scale - n; pad > 0; {
		m := min(pad, len(zeros))
		dst = append(dst, zeros[:m]...)
		pad -= m
	}
	return append(dst, digits...)
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
