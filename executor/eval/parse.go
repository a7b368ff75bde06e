package eval

import (
	"encoding/binary"
	"math"
	"strconv"

	"github.com/meshctl/meshctl/executor/decimal"
)

// The parsers read the text of cast(s, "type"). They never allocate: the
// bytes are read in place.

// parser reads one value of physical type T.
type parser[T any] interface {
	parse(s []byte) (T, bool)
}

// parseInt reads an optionally signed run of decimal digits, strictly (no
// spaces, no fraction, no exponent), into [lo, hi].
func parseInt(s []byte, lo, hi int64) (int64, bool) {
	if len(s) == 0 {
		return 0, false
	}
	neg := false
	switch s[0] {
	case '-':
		neg = true
		s = s[1:]
	case '+':
		s = s[1:]
	}
	if len(s) == 0 || len(s) > 19 {
		for len(s) > 1 && s[0] == '0' { // leading zeros do not count
			s = s[1:]
		}
		if len(s) == 0 || len(s) > 19 {
			return 0, false
		}
	}
	var u uint64 // 19 digits never wrap a uint64
	n := len(s)
	switch {
	case n >= 8 && n <= 16:
		// The first 8 digits, then the last 8 with those already read
		// masked to '0': two word conversions, no loop.
		hi, ok1 := eightDigits(binary.LittleEndian.Uint64(s))
		x := binary.LittleEndian.Uint64(s[n-8:])
		m := lenMask[16-n]
		lo, ok2 := eightDigits(x&^m | 0x3030303030303030&m)
		if !ok1 || !ok2 {
			return 0, false
		}
		u = hi*pow10u64[n-8] + lo
	default:
		for len(s) >= 8 {
			chunk, ok := eightDigits(binary.LittleEndian.Uint64(s))
			if !ok {
				return 0, false
			}
			u = u*100_000_000 + chunk
			s = s[8:]
		}
		for _, c := range s {
			d := c - '0'
			if d > 9 {
				return 0, false
			}
			u = u*10 + uint64(d)
		}
	}
	if neg {
		if u > uint64(-lo) {
			return 0, false
		}
		return -int64(u), true
	}
	if u > uint64(hi) {
		return 0, false
	}
	return int64(u), true
}

// eightDigits reads 8 ASCII digits loaded little-endian in a word, at
// once (SWAR, as simdjson does).
func eightDigits(x uint64) (uint64, bool) {
	if (x&0xF0F0F0F0F0F0F0F0)|((x+0x0606060606060606)&0xF0F0F0F0F0F0F0F0)>>4 != 0x3333333333333333 {
		return 0, false
	}
	x = (x & 0x0F0F0F0F0F0F0F0F) * 2561 >> 8
	x = (x & 0x00FF00FF00FF00FF) * 6553601 >> 16
	return (x & 0x0000FFFF0000FFFF) * 42949672960001 >> 32, true
}

type int32Parser struct{ _ uint8 }

func (int32Parser) parse(s []byte) (int32, bool) {
	v, ok := parseInt(s, math.MinInt32, math.MaxInt32)
	return int32(v), ok
}

type int64Parser struct{ _ uint16 }

func (int64Parser) parse(s []byte) (int64, bool) { return parseInt(s, math.MinInt64, math.MaxInt64) }

type floatParser struct{ _ uint32 }

func (floatParser) parse(s []byte) (float64, bool) {
	// The conversion does not allocate: the string does not escape.
	f, err := strconv.ParseFloat(string(s), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, true // ±Inf or 0 for out-of-range magnitudes, as IEEE does
		}
		return 0, false
	}
	return f, true
}

type boolParser struct{ _ [3]uint8 }

func (boolParser) parse(s []byte) (bool, bool) {
	switch len(s) {
	case 1:
		switch s[0] {
		case '1':
			return true, true
		case '0':
			return false, true
		}
	case 4:
		if s[0]|0x20 == 't' && s[1]|0x20 == 'r' && s[2]|0x20 == 'u' && s[3]|0x20 == 'e' {
			return true, true
		}
	case 5:
		if s[0]|0x20 == 'f' && s[1]|0x20 == 'a' && s[2]|0x20 == 'l' && s[3]|0x20 == 's' && s[4]|0x20 == 'e' {
			return false, true
		}
	}
	return false, false
}

// dec64Parser reads a decimal of up to 18 digits.
type dec64Parser struct {
	p, s int
}

func (d dec64Parser) parse(s []byte) (int64, bool) {
	v, ok := decimal.Parse(s, d.p, d.s)
	return v.Int64(), ok
}

// dec128Parser reads a decimal of 19 to 38 digits.
type dec128Parser struct {
	p, s int32
}

func (d dec128Parser) parse(s []byte) (decimal.Int128, bool) {
	return decimal.Parse(s, int(d.p), int(d.s))
}

type dateParser struct{ _ [5]uint8 }

func (dateParser) parse(s []byte) (int32, bool) {
	if len(s) != 10 {
		return 0, false
	}
	d, ok := parseDate(s)
	return int32(d), ok
}

type timestampParser struct{ _ [7]uint8 }

func (timestampParser) parse(s []byte) (int64, bool) { return parseTimestamp(s) }

// digits reads a fixed-width run of digits.
func digits(s []byte) (int, bool) {
	v := 0
	for _, c := range s {
		d := c - '0'
		if d > 9 {
			return 0, false
		}
		v = v*10 + int(d)
	}
	return v, true
}

var monthDays = [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// parseDate reads YYYY-MM-DD (the first 10 bytes of s) into days since the
// epoch.
func parseDate(s []byte) (int64, bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > monthDays[m] || m == 2 && d == 29 && !isLeap(y) {
		return 0, false
	}
	return daysFromCivil(int64(y), m, d), true
}

// parseTimestamp reads a date, or a date and a time of day separated by T
// or a space, HH:MM:SS with an optional fraction (up to nanoseconds, cut
// to microseconds) and an optional Z or ±HH:MM offset; no offset means UTC.
func parseTimestamp(s []byte) (int64, bool) {
	days, ok := parseDate(s)
	if !ok {
		return 0, false
	}
	us := days * microsPerDay
	if len(s) == 10 {
		return us, true
	}
	if len(s) < 19 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':' {
		return 0, false
	}
	hh, ok1 := digits(s[11:13])
	mm, ok2 := digits(s[14:16])
	ss, ok3 := digits(s[17:19])
	if !ok1 || !ok2 || !ok3 || hh > 23 || mm > 59 || ss > 59 {
		return 0, false
	}
	us += int64(hh)*microsPerHour + int64(mm)*microsPerMin + int64(ss)*microsPerSec
	rest := s[19:]
	if len(rest) > 0 && rest[0] == '.' {
		k := 1
		frac, scale := int64(0), int64(microsPerSec)
		for ; k < len(rest) && rest[k] >= '0' && rest[k] <= '9'; k++ {
			if k > 9 {
				return 0, false
			}
			scale /= 10
			frac += int64(rest[k]-'0') * scale
		}
		if k == 1 {
			return 0, false
		}
		us += frac
		rest = rest[k:]
	}
	switch {
	case len(rest) == 0:
	case len(rest) == 1 && (rest[0] == 'Z' || rest[0] == 'z'):
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := digits(rest[1:3])
		om, ok2 := digits(rest[4:6])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return 0, false
		}
		off := int64(oh)*microsPerHour + int64(om)*microsPerMin
		if rest[0] == '+' {
			off = -off
		}
		us += off
	default:
		return 0, false
	}
	return us, true
}
