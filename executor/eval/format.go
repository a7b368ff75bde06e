package eval

import (
	"math"
	"strconv"
	"time"

	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/lang/types"
)

// The formatters below write values exactly as vector.(*Vector).AppendText
// does (the text of CSV output, templates and cast(x, "string")), without
// its per-row type switch and, for dates and timestamps, without the time
// package in the common range.

const (
	microsPerDay  = 86400 * 1_000_000
	microsPerHour = 3600 * 1_000_000
	microsPerMin  = 60 * 1_000_000
	microsPerSec  = 1_000_000
)

// civil converts days since 1970-01-01 to a proleptic Gregorian date
// (H. Hinnant's algorithm).
func civil(days int64) (y int64, m, d int) {
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		m = int(mp + 3)
	} else {
		m = int(mp - 9)
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// daysFromCivil is the inverse of civil.
func daysFromCivil(y int64, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := int64((m + 9) % 12)
	doy := (153*mp+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func append2(dst []byte, v int) []byte {
	return append(dst, byte('0'+v/10), byte('0'+v%10))
}

func appendYMD(dst []byte, y int64, m, d int) []byte {
	dst = append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-')
	dst = append2(dst, m)
	dst = append(dst, '-')
	return append2(dst, d)
}

// appendDate writes days since the epoch as YYYY-MM-DD.
func appendDate(dst []byte, days int64) []byte {
	y, m, d := civil(days)
	if y < 0 || y > 9999 {
		return time.Unix(days*86400, 0).UTC().AppendFormat(dst, time.DateOnly)
	}
	return appendYMD(dst, y, m, d)
}

// appendTimestamp writes microseconds since the epoch in RFC 3339, UTC,
// with the fraction trimmed of trailing zeros.
func appendTimestamp(dst []byte, us int64) []byte {
	days := us / microsPerDay
	rem := us % microsPerDay
	if rem < 0 {
		days--
		rem += microsPerDay
	}
	y, m, d := civil(days)
	if y < 0 || y > 9999 {
		return time.UnixMicro(us).UTC().AppendFormat(dst, "2006-01-02T15:04:05.999999Z07:00")
	}
	dst = appendYMD(dst, y, m, d)
	secs := rem / microsPerSec
	frac := int(rem % microsPerSec)
	dst = append(dst, 'T')
	dst = append2(dst, int(secs/3600))
	dst = append(dst, ':')
	dst = append2(dst, int(secs/60%60))
	dst = append(dst, ':')
	dst = append2(dst, int(secs%60))
	if frac != 0 {
		var buf [7]byte
		buf[0] = '.'
		for i := 6; i >= 1; i-- {
			buf[i] = byte('0' + frac%10)
			frac /= 10
		}
		end := 7
		for buf[end-1] == '0' {
			end--
		}
		dst = append(dst, buf[:end]...)
	}
	return append(dst, 'Z')
}

// appendFloat writes f as AppendText does: plain digits, never an exponent
// (NaN and ±Inf by name).
func appendFloat(dst []byte, f float64) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return strconv.AppendFloat(dst, f, 'g', -1, 64)
	}
	return strconv.AppendFloat(dst, f, 'f', -1, 64)
}

// scalarText formats a value of type t for messages.
func scalarText(t types.Type, s scalar) string {
	if s.null {
		return "null"
	}
	var b []byte
	switch t.Kind {
	case types.Bool:
		b = strconv.AppendBool(b, s.b)
	case types.Int32, types.Int64:
		b = strconv.AppendInt(b, s.i, 10)
	case types.Float64:
		b = appendFloat(b, s.f)
	case types.Decimal:
		if t.Precision > 18 {
			b = s.d.AppendFormat(b, int(t.Scale))
		} else {
			b = decimal.AppendInt64(b, s.i, int(t.Scale))
		}
	case types.String:
		return string(s.s)
	case types.Date:
		b = appendDate(b, s.i)
	case types.Timestamp:
		b = appendTimestamp(b, s.i)
	}
	return string(b)
}

func formatInt(v int64) string { return strconv.FormatInt(v, 10) }
