package csv

import (
	"bytes"
	"math"
	"strconv"
	"time"

	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/types"
)

// columnText holds one column of a batch formatted as text: row i is
// text[off[i]:off[i+1]], empty for a null. It is reused from batch to
// batch.
type columnText struct {
	text []byte
	off  []int32
	// dict holds the entries of a dictionary-encoded string column.
	dict *columnText
}

// format fills ct with the first n rows of v, each formatted exactly as
// v.AppendText formats it, one kernel per type. With csvQuote, strings are
// quoted as CSV needs (quoteField), and the empty string is written "" to
// tell it from a null.
func (ct *columnText) format(v *vector.Vector, n int, csvQuote bool) {
	ct.text = ct.text[:0]
	ct.off = append(ct.off[:0], 0)
	valid := v.Valid
	null := func(i int) bool { return valid != nil && !valid.Get(i) }
	switch v.Phys {
	case vector.PhysBool:
		for i, x := range v.Bool[:n] {
			if !null(i) {
				ct.text = strconv.AppendBool(ct.text, x)
			}
			ct.off = append(ct.off, int32(len(ct.text)))
		}
	case vector.PhysInt32:
		if v.Type.Kind == types.Date {
			for i, x := range v.I32[:n] {
				if !null(i) {
					ct.text = appendDate(ct.text, x)
				}
				ct.off = append(ct.off, int32(len(ct.text)))
			}
			return
		}
		for i, x := range v.I32[:n] {
			if !null(i) {
				ct.text = strconv.AppendInt(ct.text, int64(x), 10)
			}
			ct.off = append(ct.off, int32(len(ct.text)))
		}
	case vector.PhysInt64:
		switch v.Type.Kind {
		case types.Timestamp:
			for i, x := range v.I64[:n] {
				if !null(i) {
					ct.text = appendTimestamp(ct.text, x)
				}
				ct.off = append(ct.off, int32(len(ct.text)))
			}
		case types.Decimal:
			scale := int(v.Type.Scale)
			for i, x := range v.I64[:n] {
				if !null(i) {
					ct.text = decimal.AppendInt64(ct.text, x, scale)
				}
				ct.off = append(ct.off, int32(len(ct.text)))
			}
		default:
			for i, x := range v.I64[:n] {
				if !null(i) {
					ct.text = strconv.AppendInt(ct.text, x, 10)
				}
				ct.off = append(ct.off, int32(len(ct.text)))
			}
		}
	case vector.PhysFloat64:
		for i, x := range v.F64[:n] {
			if !null(i) {
				ct.text = appendFloat(ct.text, x)
			}
			ct.off = append(ct.off, int32(len(ct.text)))
		}
	case vector.PhysInt128:
		scale := int(v.Type.Scale)
		for i, x := range v.I128[:n] {
			if !null(i) {
				if x.IsInt64() {
					ct.text = decimal.AppendInt64(ct.text, x.Int64(), scale)
				} else {
					ct.text = append(ct.text, x.Format(scale)...) // beyond int64: rare
				}
			}
			ct.off = append(ct.off, int32(len(ct.text)))
		}
	case vector.PhysString:
		ct.strings(v, n, csvQuote)
	}
}

// strings formats a string column. A dictionary-encoded column formats
// each dictionary entry once and copies it per row.
func (ct *columnText) strings(v *vector.Vector, n int, csvQuote bool) {
	valid := v.Valid
	if v.Dict != nil {
		if ct.dict == nil {
			ct.dict = &columnText{}
		}
		dict := ct.dict
		dict.text, dict.off = dict.text[:0], append(dict.off[:0], 0)
		dict.strings(v.Dict, v.Dict.Len, csvQuote)
		for i, code := range v.Codes[:n] {
			if valid == nil || valid.Get(i) {
				ct.text = append(ct.text, dict.text[dict.off[code]:dict.off[code+1]]...)
			}
			ct.off = append(ct.off, int32(len(ct.text)))
		}
		return
	}
	for i := 0; i < n; i++ {
		if valid == nil || valid.Get(i) {
			s := v.Bytes[v.Offsets[i]:v.Offsets[i+1]]
			if csvQuote {
				ct.text = appendField(ct.text, s)
			} else {
				ct.text = append(ct.text, s...)
			}
		}
		ct.off = append(ct.off, int32(len(ct.text)))
	}
}

// appendFloat formats as AppendText does: the shortest decimal that reads
// back as x, without exponent.
func appendFloat(dst []byte, x float64) []byte {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return strconv.AppendFloat(dst, x, 'g', -1, 64)
	}
	if dst, ok := appendCents(dst, x); ok {
		return dst
	}
	return strconv.AppendFloat(dst, x, 'f', -1, 64)
}

// appendCents formats x when it is the float64 nearest to a number of
// hundredths k/100 below 10^13 in magnitude (money, whole numbers): the
// shortest decimal that reads back as x is then k/100 without its
// trailing zeros, since the floats there are less than 0.01 apart, so no
// other number of hundredths, let alone a shorter decimal, rounds to x.
// That is what strconv's shortest formatting prints, found without its
// general algorithm.
func appendCents(dst []byte, x float64) ([]byte, bool) {
	if !(x > -1e13 && x < 1e13) || x == 0 {
		return dst, false // zero keeps strconv's sign handling ("-0")
	}
	k := int64(math.Round(x * 100))
	if float64(k)/100 != x {
		return dst, false
	}
	if k < 0 {
		dst = append(dst, '-')
		k = -k
	}
	dst = strconv.AppendInt(dst, k/100, 10)
	switch c := k % 100; {
	case c == 0:
	case c%10 == 0:
		dst = append(dst, '.', byte('0'+c/10))
	default:
		dst = append(dst, '.', byte('0'+c/10), byte('0'+c%10))
	}
	return dst, true
}

// appendDate appends YYYY-MM-DD, as AppendText does.
func appendDate(dst []byte, days int32) []byte {
	y, m, d := civilFromDays(int64(days))
	if y < 0 || y > 9999 {
		return time.Unix(int64(days)*86400, 0).UTC().AppendFormat(dst, time.DateOnly)
	}
	return appendYMD(dst, y, m, d)
}

func appendYMD(dst []byte, y, m, d int) []byte {
	return append(dst,
		byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-',
		byte('0'+d/10), byte('0'+d%10))
}

// timestampLayout is AppendText's: RFC 3339 in UTC, fractional seconds
// up to microseconds without trailing zeros.
const timestampLayout = "2006-01-02T15:04:05.999999Z07:00"

// appendTimestamp appends micros as AppendText does.
func appendTimestamp(dst []byte, micros int64) []byte {
	days := micros / 86400e6
	rem := micros % 86400e6
	if rem < 0 {
		days--
		rem += 86400e6
	}
	y, m, d := civilFromDays(days)
	if y < 0 || y > 9999 {
		return time.UnixMicro(micros).UTC().AppendFormat(dst, timestampLayout)
	}
	dst = appendYMD(dst, y, m, d)
	secs := int(rem / 1e6)
	frac := int(rem % 1e6)
	h, mi, s := secs/3600, secs/60%60, secs%60
	dst = append(dst, 'T', byte('0'+h/10), byte('0'+h%10), ':', byte('0'+mi/10), byte('0'+mi%10), ':', byte('0'+s/10), byte('0'+s%10))
	if frac != 0 {
		var digits [6]byte
		for k := 5; k >= 0; k-- {
			digits[k] = byte('0' + frac%10)
			frac /= 10
		}
		end := 6
		for digits[end-1] == '0' {
			end--
		}
		dst = append(dst, '.')
		dst = append(dst, digits[:end]...)
	}
	return append(dst, 'Z')
}

// quoteClass marks the bytes that make a field need quotes.
var quoteClass = func() (t [256]bool) {
	for _, c := range []byte{',', '"', '\r', '\n'} {
		t[c] = true
	}
	return t
}()

// needsQuotes reports whether a value must be quoted to read back as
// itself: it holds the delimiter, a quote or a line break, begins or ends
// with a space or a tab (which some readers trim), or is empty (an
// unquoted empty field is a null).
func needsQuotes(s []byte) bool {
	if len(s) == 0 {
		return true
	}
	if c := s[0]; c == ' ' || c == '\t' {
		return true
	}
	if c := s[len(s)-1]; c == ' ' || c == '\t' {
		return true
	}
	for _, c := range s {
		if quoteClass[c] {
			return true
		}
	}
	return false
}

// appendField appends s as a CSV field, quoted only when needed.
func appendField(dst, s []byte) []byte {
	if !needsQuotes(s) {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	for {
		k := bytes.IndexByte(s, '"')
		if k < 0 {
			break
		}
		dst = append(dst, s[:k+1]...)
		dst = append(dst, '"')
		s = s[k+1:]
	}
	dst = append(dst, s...)
	return append(dst, '"')
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int64) (y, m, d int) {
	z += 719468
	era := z / 146097
	if z < 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	m = int(mp + 3)
	if m > 12 {
		m -= 12
	}
	y = int(yoe + era*400)
	if m <= 2 {
		y++
	}
	return y, m, d
}
