package textvalue

import "bytes"

// The parsers below read one value's text (a CSV field with its quotes
// removed, a partition folder's value) as a typed value without
// allocating. Each accepts exactly the spellings that
// inference (infer.go) accepts for its type, so that a column inferred as
// int64 always reads as int64: the common spellings take a fast path, and
// everything else is handed to the reference rules of infer.go. The tests
// check each fast path against the reference.

// ParseInt64 reads what isInt64 accepts: an optional sign and decimal
// digits, within int64's range.
func ParseInt64(b []byte) (int64, bool) {
	u, neg, ok := parseSignedDigits(b, 1<<63)
	if !ok {
		return 0, false
	}
	if neg {
		return -int64(u), true // -(1<<63) wraps to itself: MinInt64
	}
	return int64(u), true
}

// ParseInt32 reads an int32 with int64's spelling rules.
func ParseInt32(b []byte) (int32, bool) {
	u, neg, ok := parseSignedDigits(b, 1<<31)
	if !ok {
		return 0, false
	}
	if neg {
		return int32(-int64(u)), true
	}
	return int32(u), true
}

// parseSignedDigits reads [+-]digits whose magnitude is at most negLimit
// when negative and negLimit-1 otherwise (negLimit ≤ 1<<63).
func parseSignedDigits(b []byte, negLimit uint64) (u uint64, neg, ok bool) {
	i := 0
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		i = 1
	}
	if i == len(b) {
		return 0, false, false
	}
	limit := negLimit - 1
	if neg {
		limit = negLimit
	}
	for ; i < len(b); i++ {
		d := b[i] - '0'
		if d > 9 {
			return 0, false, false
		}
		// u ≤ 1<<63/10 keeps u*10+9 within uint64.
		if u > (1<<63)/10 {
			return 0, false, false
		}
		u = u*10 + uint64(d)
		if u > limit {
			return 0, false, false
		}
	}
	return u, neg, true
}

// float64Pow10 holds the powers of ten that float64 represents exactly.
var float64Pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// ParseFloat64 reads what isFloat64 accepts. Plain decimals ("-1234.56")
// with at most 15 digits take Clinger's fast path: the digits as an
// integer below 2^53 and the power of ten are both exact in float64, so
// one division rounds correctly, as strconv.ParseFloat would. Exponents,
// long mantissas and every other spelling go to floatText.
func ParseFloat64(b []byte) (float64, bool) {
	i := 0
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		i = 1
	}
	var m uint64
	digits, fracDigits := 0, 0
	point := false
	for ; i < len(b); i++ {
		c := b[i]
		if d := c - '0'; d <= 9 {
			m = m*10 + uint64(d)
			digits++
			if point {
				fracDigits++
			}
			continue
		}
		if c == '.' && !point {
			point = true
			continue
		}
		return floatText(string(b))
	}
	if digits == 0 || digits > 15 {
		return floatText(string(b))
	}
	f := float64(m)
	if fracDigits > 0 {
		f /= float64Pow10[fracDigits]
	}
	if neg {
		f = -f
	}
	return f, true
}

var (
	textTrue  = []byte("true")
	textFalse = []byte("false")
)

// ParseBool reads what isBool accepts: true or false in any case (Unicode
// case folding, as strings.EqualFold).
func ParseBool(b []byte) (bool, bool) {
	switch {
	case bytes.EqualFold(b, textTrue):
		return true, true
	case bytes.EqualFold(b, textFalse):
		return false, true
	}
	return false, false
}

// ParseDate reads what isDate accepts, YYYY-MM-DD with a real day, as days
// since 1970-01-01.
func ParseDate(b []byte) (int32, bool) {
	if len(b) != 10 || b[4] != '-' || b[7] != '-' {
		return 0, false
	}
	y, ok1 := digits4(b[0:4])
	m, ok2 := digits2(b[5:7])
	d, ok3 := digits2(b[8:10])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > daysIn(m, y) {
		return 0, false
	}
	return int32(daysFromCivil(y, m, d)), true
}

// ParseTimestamp reads what inference reads as a timestamp (a date, at
// midnight UTC, or isTimestamp's spellings) as microseconds since the
// epoch. The canonical forms YYYY-MM-DD[T ]hh:mm:ss[.fraction] with, after
// a T, an optional Z or ±hh:mm take the fast path; the rest goes to
// timestampLayoutText.
func ParseTimestamp(b []byte) (int64, bool) {
	if len(b) == 10 {
		d, ok := ParseDate(b)
		return int64(d) * 86400e6, ok
	}
	if us, ok := fastTimestamp(b); ok {
		return us, true
	}
	return timestampLayoutText(string(b))
}

// fastTimestamp reads the canonical timestamp spellings, a subset of what
// time.Parse accepts with timestampLayouts, to the same instant.
func fastTimestamp(b []byte) (int64, bool) {
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != ' ') || b[13] != ':' || b[16] != ':' {
		return 0, false
	}
	y, ok1 := digits4(b[0:4])
	mo, ok2 := digits2(b[5:7])
	d, ok3 := digits2(b[8:10])
	h, ok4 := digits2(b[11:13])
	mi, ok5 := digits2(b[14:16])
	s, ok6 := digits2(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || d > daysIn(mo, y) || h > 23 || mi > 59 || s > 59 {
		return 0, false
	}
	rest := b[19:]
	var micros int64
	if len(rest) >= 2 && rest[0] == '.' && rest[1]-'0' <= 9 {
		n := 1
		for ; n < len(rest) && rest[n]-'0' <= 9; n++ {
			// Digits past the sixth are below a microsecond: time.Parse
			// keeps them as nanoseconds and UnixMicro drops them.
			if n <= 6 {
				micros = micros*10 + int64(rest[n]-'0')
			}
		}
		for k := n; k <= 6; k++ {
			micros *= 10
		}
		rest = rest[n:]
	}
	var offset int64 // seconds east of UTC
	switch {
	case len(rest) == 0:
	case b[10] != 'T':
		return 0, false
	case len(rest) == 1 && rest[0] == 'Z':
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := digits2(rest[1:3])
		om, ok2 := digits2(rest[4:6])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return 0, false
		}
		offset = int64(oh*3600 + om*60)
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return 0, false
	}
	secs := daysFromCivil(y, mo, d)*86400 + int64(h*3600+mi*60+s) - offset
	return secs*1e6 + micros, true
}

// digits2 reads two decimal digits.
func digits2(b []byte) (int, bool) {
	d0, d1 := b[0]-'0', b[1]-'0'
	return int(d0)*10 + int(d1), d0 <= 9 && d1 <= 9
}

// digits4 reads four decimal digits.
func digits4(b []byte) (int, bool) {
	hi, ok1 := digits2(b[0:2])
	lo, ok2 := digits2(b[2:4])
	return hi*100 + lo, ok1 && ok2
}

// daysIn returns the number of days of month m (1–12) of year y.
func daysIn(m, y int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the days from 1970-01-01 to y-m-d in the proleptic
// Gregorian calendar (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	doy := (153*((m+9)%12)+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}
