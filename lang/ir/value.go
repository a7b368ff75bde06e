package ir

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/meshctl/meshctl/lang/types"
)

// Value is a typed constant: a literal, or an element of an IN list.
type Value struct {
	Type types.Type
	Null bool
	Bool bool
	// Int holds int32 and int64 values, dates (days since 1970-01-01) and
	// timestamps (microseconds since 1970-01-01 UTC).
	Int   int64
	Float float64
	Str   string
	// Dec is the unscaled value of a decimal: 12.34 as decimal(4,2) is 1234.
	Dec *big.Int
}

// NullValue returns the null of type t.
func NullValue(t types.Type) Value { return Value{Type: t, Null: true} }

// String prints the value as it would be written in HCL.
func (v Value) String() string {
	if v.Null {
		return "null"
	}
	switch v.Type.Kind {
	case types.Bool:
		return strconv.FormatBool(v.Bool)
	case types.Int32, types.Int64:
		return strconv.FormatInt(v.Int, 10)
	case types.Float64:
		return strconv.FormatFloat(v.Float, 'g', -1, 64)
	case types.Decimal:
		return FormatDecimal(v.Dec, int(v.Type.Scale))
	case types.String:
		return `"` + EscapeTemplate(v.Str) + `"`
	case types.Date:
		return strconv.Quote(time.Unix(v.Int*86400, 0).UTC().Format(time.DateOnly))
	case types.Timestamp:
		return strconv.Quote(time.UnixMicro(v.Int).UTC().Format("2006-01-02T15:04:05.999999Z"))
	}
	return "?"
}

// FormatDecimal prints an unscaled decimal with scale digits after the point.
func FormatDecimal(unscaled *big.Int, scale int) string {
	if unscaled == nil {
		return "0"
	}
	s := new(big.Int).Abs(unscaled).String()
	neg := unscaled.Sign() < 0
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

// ParseDate reads YYYY-MM-DD into days since the epoch.
func ParseDate(s string) (int64, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return t.Unix() / 86400, nil
}

// timestampLayouts are the forms a timestamp literal may take; all are
// read as UTC unless they carry an offset.
var timestampLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05", time.DateOnly}

// ParseTimestamp reads an RFC 3339 timestamp (or a date, meaning midnight
// UTC) into microseconds since the epoch.
func ParseTimestamp(s string) (int64, error) {
	for _, l := range timestampLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UnixMicro(), nil
		}
	}
	return 0, fmt.Errorf("%q is not a timestamp (RFC 3339, such as 2024-01-31T12:00:00Z)", s)
}

// EscapeTemplate escapes s for the inside of an HCL quoted string: quotes,
// backslashes, control characters, and the ${ and %{ that would start an
// interpolation or a directive.
func EscapeTemplate(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '"':
			b.WriteString(`\"`)
		case ch == '\\':
			b.WriteString(`\\`)
		case ch == '\n':
			b.WriteString(`\n`)
		case ch == '\r':
			b.WriteString(`\r`)
		case ch == '\t':
			b.WriteString(`\t`)
		case (ch == '$' || ch == '%') && i+1 < len(s) && s[i+1] == '{':
			b.WriteByte(ch)
			b.WriteByte(ch)
		case ch < 0x20:
			fmt.Fprintf(&b, `\u%04x`, ch)
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}
