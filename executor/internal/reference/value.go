package reference

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// Row is one row: one value per column, in the schema's order. A value is
// nil for null, or bool, int32 (int32 and date as days), int64 (int64,
// timestamp µs, and decimal unscaled when precision ≤ 18), float64,
// decimal.Int128 (decimal unscaled when precision > 18), or string.
type Row []any

// Tables holds the rows of every source, keyed by source name
// (ir.Source.Name), in the source's column order (ir.Scan.Out). A Scan of
// another product's output (ir.SourceProduct) reads the product's name.
type Tables map[string][]Row

// Env is what a run sees besides its tables.
type Env struct {
	// Now is the value of now() for every row.
	Now time.Time
	// MaskKey keys mask_hash's HMAC-SHA256; empty means plain SHA-256.
	MaskKey []byte
}

// timestampLayout is the text form of a timestamp: RFC 3339 in UTC with
// as many fraction digits as needed (none for whole seconds).
const timestampLayout = "2006-01-02T15:04:05.999999Z07:00"

const (
	microsPerSecond = int64(1_000_000)
	microsPerDay    = 86_400 * microsPerSecond
)

// conforms reports whether v is a valid value of type t (nullability
// aside): the Go type the representation table of the package comment
// names, and for decimals an unscaled value with at most t.Precision
// digits.
func conforms(v any, t types.Type) bool {
	if v == nil {
		return true
	}
	switch t.Kind {
	case types.Bool:
		_, ok := v.(bool)
		return ok
	case types.Int32, types.Date:
		_, ok := v.(int32)
		return ok
	case types.Int64, types.Timestamp:
		_, ok := v.(int64)
		return ok
	case types.Float64:
		_, ok := v.(float64)
		return ok
	case types.String:
		_, ok := v.(string)
		return ok
	case types.Decimal:
		if t.Precision <= 18 {
			if _, ok := v.(int64); !ok {
				return false
			}
		} else if _, ok := v.(decimal.Int128); !ok {
			return false
		}
		u, err := unscaled(v)
		return err == nil && fitsDigits(u, int(t.Precision))
	}
	return false
}

// ---- decimals, through math/big ------------------------------------------

// pow10 returns 10^n as a new big.Int.
func pow10(n int) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

// two64 is 2^64, the weight of Int128.Hi.
var two64 = new(big.Int).Lsh(big.NewInt(1), 64)

// minInt128 and maxInt128 bound what an Int128 holds: -2^127 and 2^127-1.
var (
	minInt128 = new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), 127))
	maxInt128 = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 127), big.NewInt(1))
)

// int128ToBig returns x's value, Hi·2^64 + Lo.
func int128ToBig(x decimal.Int128) *big.Int {
	b := new(big.Int).Mul(big.NewInt(x.Hi), two64)
	return b.Add(b, new(big.Int).SetUint64(x.Lo))
}

// bigToInt128 splits b into Hi·2^64 + Lo with 0 ≤ Lo < 2^64; ok is false
// when b is outside [-2^127, 2^127).
func bigToInt128(b *big.Int) (decimal.Int128, bool) {
	if b.Cmp(minInt128) < 0 || b.Cmp(maxInt128) > 0 {
		return decimal.Int128{}, false
	}
	lo := new(big.Int).Mod(b, two64) // Euclidean: 0 ≤ lo < 2^64
	hi := new(big.Int).Sub(b, lo)
	hi.Quo(hi, two64) // exact
	return decimal.Int128{Hi: hi.Int64(), Lo: lo.Uint64()}, true
}

// unscaled returns the integer a decimal value carries (or an integer's
// value, for integer operands of decimal arithmetic).
func unscaled(v any) (*big.Int, error) {
	switch v := v.(type) {
	case int32:
		return big.NewInt(int64(v)), nil
	case int64:
		return big.NewInt(v), nil
	case decimal.Int128:
		return int128ToBig(v), nil
	}
	return nil, fmt.Errorf("internal: %T is not a decimal", v)
}

// scaleOf is the number of fraction digits of a numeric type's values:
// the scale of a decimal, 0 for integers.
func scaleOf(t types.Type) int {
	if t.Kind == types.Decimal {
		return int(t.Scale)
	}
	return 0
}

// fitsDigits reports whether |u| < 10^p.
func fitsDigits(u *big.Int, p int) bool {
	return new(big.Int).Abs(u).Cmp(pow10(p)) < 0
}

// decimalValue represents the unscaled u as a value of decimal type t; it
// is an error when u has more digits than t.Precision.
func decimalValue(u *big.Int, t types.Type) (any, error) {
	if !fitsDigits(u, int(t.Precision)) {
		return nil, fmt.Errorf("decimal overflow: %s does not fit %s", formatDecimal(u, int(t.Scale)), t)
	}
	if t.Precision <= 18 {
		return u.Int64(), nil
	}
	x, ok := bigToInt128(u)
	if !ok {
		return nil, fmt.Errorf("internal: %s does not fit 128 bits", u)
	}
	return x, nil
}

// roundQuo returns n/d rounded half away from zero (d > 0).
func roundQuo(n, d *big.Int) *big.Int {
	q, r := new(big.Int).QuoRem(n, d, new(big.Int)) // truncated toward zero
	r.Abs(r).Lsh(r, 1)
	if r.Cmp(d) >= 0 {
		if n.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

// rescale changes the scale of an unscaled value from `from` to `to`
// digits, rounding half away from zero when digits are dropped.
func rescale(u *big.Int, from, to int) *big.Int {
	if to >= from {
		return new(big.Int).Mul(u, pow10(to-from))
	}
	return roundQuo(u, pow10(from-to))
}

// roundRat returns r rounded to an integer, half away from zero.
func roundRat(r *big.Rat) *big.Int {
	return roundQuo(r.Num(), r.Denom())
}

// decimalRat returns u / 10^scale exactly.
func decimalRat(u *big.Int, scale int) *big.Rat {
	return new(big.Rat).SetFrac(u, pow10(scale))
}

// formatDecimal prints an unscaled value with scale digits after the point.
func formatDecimal(u *big.Int, scale int) string {
	digits := new(big.Int).Abs(u).String()
	if scale > 0 {
		if len(digits) <= scale {
			digits = strings.Repeat("0", scale-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if u.Sign() < 0 {
		return "-" + digits
	}
	return digits
}

// ---- text form ---------------------------------------------------------------

// Text returns the text form of a non-null value of type t, as a cast to
// string and the executor's text output (CSV, check observations) print
// it.
func Text(v any, t types.Type) (string, error) { return text(v, t) }

// text returns the text form of a non-null value of type t: what a cast to
// string, a template and mask_hash see. Decimals print with their scale,
// dates YYYY-MM-DD, timestamps RFC 3339 in UTC, floats in the shortest
// form that reads back ('f', or 'g' for infinities and NaN).
func text(v any, t types.Type) (string, error) {
	switch t.Kind {
	case types.String:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case types.Bool:
		if b, ok := v.(bool); ok {
			return strconv.FormatBool(b), nil
		}
	case types.Int32:
		if i, ok := v.(int32); ok {
			return strconv.FormatInt(int64(i), 10), nil
		}
	case types.Int64:
		if i, ok := v.(int64); ok {
			return strconv.FormatInt(i, 10), nil
		}
	case types.Float64:
		if f, ok := v.(float64); ok {
			if math.IsInf(f, 0) || math.IsNaN(f) {
				return strconv.FormatFloat(f, 'g', -1, 64), nil
			}
			return strconv.FormatFloat(f, 'f', -1, 64), nil
		}
	case types.Decimal:
		if u, err := unscaled(v); err == nil {
			return formatDecimal(u, int(t.Scale)), nil
		}
	case types.Date:
		if d, ok := v.(int32); ok {
			return dateTime(d).Format(time.DateOnly), nil
		}
	case types.Timestamp:
		if us, ok := v.(int64); ok {
			return time.UnixMicro(us).UTC().Format(timestampLayout), nil
		}
	}
	return "", fmt.Errorf("internal: %T is not a %s value", v, t)
}

// describe prints a value for error messages: its text, quoted when it is
// a string.
func describe(v any, t types.Type) string {
	s, err := text(v, t)
	if err != nil {
		return fmt.Sprint(v)
	}
	if t.Kind == types.String {
		return strconv.Quote(s)
	}
	return s
}

// ---- dates and times -------------------------------------------------------

// dateTime returns midnight UTC of a day counted from 1970-01-01.
func dateTime(days int32) time.Time { return time.Unix(int64(days)*86400, 0).UTC() }

// daysOf returns the day (since 1970-01-01) t falls on, in UTC.
func daysOf(t time.Time) int64 { return floorDiv(t.Unix(), 86400) }

// floorDiv divides rounding toward negative infinity (b > 0).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// ---- literals ------------------------------------------------------------------

// literalValue converts an IR constant to this package's representation.
func literalValue(v ir.Value) (any, error) {
	if v.Null || v.Type.Kind == types.Null {
		return nil, nil
	}
	switch v.Type.Kind {
	case types.Bool:
		return v.Bool, nil
	case types.Int32, types.Date:
		if v.Int < math.MinInt32 || v.Int > math.MaxInt32 {
			return nil, fmt.Errorf("internal: constant %d does not fit %s", v.Int, v.Type)
		}
		return int32(v.Int), nil
	case types.Int64, types.Timestamp:
		return v.Int, nil
	case types.Float64:
		return v.Float, nil
	case types.String:
		return v.Str, nil
	case types.Decimal:
		u := v.Dec
		if u == nil {
			u = new(big.Int)
		}
		return decimalValue(u, v.Type)
	}
	return nil, fmt.Errorf("internal: constant of type %s", v.Type)
}

// ---- comparison and equality ---------------------------------------------------

// compare orders two non-null values of one type: false < true, numbers by
// value, strings by bytes, dates and timestamps in time.
//
// Choice: floats are ordered totally, as in PostgreSQL and DuckDB: -0 and
// 0 are equal, NaN equals NaN and is greater than every number (so a sort
// puts NaN after the numbers). The same order decides ==, <, min, max,
// grouping, joins and distinct.
func compare(a, b any) (int, error) {
	switch a := a.(type) {
	case bool:
		if b, ok := b.(bool); ok {
			switch {
			case a == b:
				return 0, nil
			case !a:
				return -1, nil
			}
			return 1, nil
		}
	case int32:
		if b, ok := b.(int32); ok {
			return cmpOrdered(a, b), nil
		}
	case int64:
		switch b := b.(type) {
		case int64:
			return cmpOrdered(a, b), nil
		case decimal.Int128:
			return big.NewInt(a).Cmp(int128ToBig(b)), nil
		}
	case decimal.Int128:
		if bu, err := unscaled(b); err == nil {
			return int128ToBig(a).Cmp(bu), nil
		}
	case float64:
		if b, ok := b.(float64); ok {
			an, bn := math.IsNaN(a), math.IsNaN(b)
			switch {
			case an && bn:
				return 0, nil
			case an:
				return 1, nil
			case bn:
				return -1, nil
			}
			return cmpOrdered(a, b), nil
		}
	case string:
		if b, ok := b.(string); ok {
			return strings.Compare(a, b), nil
		}
	}
	return 0, fmt.Errorf("internal: cannot compare %T with %T", a, b)
}

func cmpOrdered[T int32 | int64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// groupKey encodes values so that two lists get the same key exactly when
// they are pairwise equal under compare, nulls being equal to each other:
// the key of grouping, distinct, count_distinct and joins.
func groupKey(vals []any) string {
	var b strings.Builder
	for _, v := range vals {
		switch v := v.(type) {
		case nil:
			b.WriteString("N")
		case bool:
			fmt.Fprintf(&b, "b%t", v)
		case int32:
			fmt.Fprintf(&b, "i%d", v)
		case int64:
			fmt.Fprintf(&b, "i%d", v) // int64 and Int128 decimals of one value meet
		case decimal.Int128:
			fmt.Fprintf(&b, "i%s", int128ToBig(v))
		case float64:
			switch {
			case math.IsNaN(v):
				b.WriteString("fNaN")
			case v == 0:
				b.WriteString("f0") // -0 == 0
			default:
				b.WriteString("f" + strconv.FormatFloat(v, 'g', -1, 64))
			}
		case string:
			b.WriteString("s" + strconv.Quote(v))
		default:
			fmt.Fprintf(&b, "?%T%v", v, v)
		}
		b.WriteByte('|')
	}
	return b.String()
}
