package reference

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// arity is the number of arguments each function takes: [min, max], max
// -1 for any.
var arity = map[ir.Func][2]int{
	ir.FnLower: {1, 1}, ir.FnUpper: {1, 1}, ir.FnTrim: {1, 1}, ir.FnLength: {1, 1},
	ir.FnSubstr: {2, 3}, ir.FnConcat: {0, -1}, ir.FnTemplate: {0, -1}, ir.FnCoalesce: {1, -1},
	ir.FnAbs: {1, 1}, ir.FnRound: {1, 2}, ir.FnFloor: {1, 1}, ir.FnCeil: {1, 1},
	ir.FnLike: {2, 2}, ir.FnYear: {1, 1}, ir.FnMonth: {1, 1}, ir.FnDay: {1, 1},
	ir.FnDateTrunc: {2, 2}, ir.FnNow: {0, 0}, ir.FnMaskHash: {1, 1},
	ir.FnMaskRedact: {1, 1}, ir.FnMaskNull: {1, 1}, ir.FnMaskLast4: {1, 1}, ir.FnMaskEmailDomain: {1, 1},
}

func evalCall(e *ir.Call, row Row, env Env) (any, error) {
	a, ok := arity[e.Fn]
	if !ok || len(e.Args) < a[0] || (a[1] >= 0 && len(e.Args) > a[1]) {
		return nil, fmt.Errorf("internal: %s with %d arguments", e.Fn, len(e.Args))
	}
	switch e.Fn {
	case ir.FnNow:
		return env.Now.UnixMicro(), nil
	case ir.FnCoalesce:
		for _, arg := range e.Args {
			v, err := eval(arg, row, env)
			if err != nil || v != nil {
				return v, err
			}
		}
		return nil, nil
	case ir.FnConcat:
		var b strings.Builder
		for _, arg := range e.Args {
			v, err := eval(arg, row, env)
			if err != nil {
				return nil, err
			}
			if v != nil { // null counts as ""
				s, err := text(v, arg.Type())
				if err != nil {
					return nil, err
				}
				b.WriteString(s)
			}
		}
		return b.String(), nil
	}
	// Every other function is null when any argument is.
	args := make([]any, len(e.Args))
	for i, arg := range e.Args {
		v, err := eval(arg, row, env)
		if err != nil || v == nil {
			return nil, err
		}
		args[i] = v
	}
	switch e.Fn {
	case ir.FnLower, ir.FnUpper, ir.FnTrim, ir.FnLength, ir.FnSubstr, ir.FnLike:
		for i, v := range args {
			if _, isString := v.(string); !isString && !(e.Fn == ir.FnSubstr && i > 0) {
				return nil, fmt.Errorf("internal: %s of %T", e.Fn, v)
			}
		}
	}
	switch e.Fn {
	case ir.FnLower:
		return strings.ToLower(args[0].(string)), nil
	case ir.FnUpper:
		return strings.ToUpper(args[0].(string)), nil
	case ir.FnTrim:
		// Choice: trim removes Unicode white space at both ends
		// (strings.TrimSpace), not only the ASCII space.
		return strings.TrimSpace(args[0].(string)), nil
	case ir.FnLength:
		return int64(utf8.RuneCountInString(args[0].(string))), nil
	case ir.FnSubstr:
		return substr(args)
	case ir.FnTemplate:
		var b strings.Builder
		for i, v := range args {
			s, err := text(v, e.Args[i].Type())
			if err != nil {
				return nil, err
			}
			b.WriteString(s)
		}
		return b.String(), nil
	case ir.FnAbs:
		return absValue(args[0], e.Args[0].Type(), e.T)
	case ir.FnRound:
		digits := int64(0)
		if len(args) == 2 {
			d, err := intOf(args[1])
			if err != nil {
				return nil, err
			}
			digits = d
		}
		return roundValue(args[0], e.Args[0].Type(), digits, e.T)
	case ir.FnFloor, ir.FnCeil:
		return floorCeil(args[0], e.Args[0].Type(), e.Fn == ir.FnCeil, e.T)
	case ir.FnLike:
		return like(args[0].(string), args[1].(string)), nil
	case ir.FnYear, ir.FnMonth, ir.FnDay:
		t, err := timeOf(args[0], e.Args[0].Type())
		if err != nil {
			return nil, err
		}
		switch e.Fn {
		case ir.FnYear:
			return int32(t.Year()), nil
		case ir.FnMonth:
			return int32(t.Month()), nil
		}
		return int32(t.Day()), nil
	case ir.FnDateTrunc:
		unit, ok := args[0].(string)
		if !ok {
			return nil, fmt.Errorf("internal: date_trunc unit %T", args[0])
		}
		return dateTrunc(unit, args[1], e.Args[1].Type())
	case ir.FnMaskHash:
		s, err := text(args[0], e.Args[0].Type())
		if err != nil {
			return nil, err
		}
		return maskHash(s, env.MaskKey), nil
	case ir.FnMaskRedact:
		return "****", nil
	case ir.FnMaskNull:
		return nil, nil
	case ir.FnMaskLast4, ir.FnMaskEmailDomain:
		s, err := text(args[0], e.Args[0].Type())
		if err != nil {
			return nil, err
		}
		if e.Fn == ir.FnMaskLast4 {
			return maskLast4(s), nil
		}
		if at := strings.LastIndexByte(s, '@'); at >= 0 {
			return "***" + s[at:], nil
		}
		return "***", nil
	}
	return nil, fmt.Errorf("internal: unknown function %s", e.Fn)
}

// substr is substr(s, start[, length]) over characters, counted from 1,
// as PostgreSQL's substr: the characters at positions start …
// start+length-1 that exist, so a start ≤ 0 eats into the length
// (substr("hello", 0, 2) is "h").
//
// Choice: a negative length is an error, as in PostgreSQL.
func substr(args []any) (any, error) {
	s := args[0].(string)
	start, err := intOf(args[1])
	if err != nil {
		return nil, err
	}
	// bounds[i] is the byte offset of character i+1; the last entry is
	// len(s). Invalid UTF-8 bytes count as one character each, as in
	// length().
	var bounds []int
	for i := range s {
		bounds = append(bounds, i)
	}
	bounds = append(bounds, len(s))
	n := int64(len(bounds) - 1)

	from := max(start, 1) // first position kept
	to := n + 1           // one past the last position kept
	if len(args) == 3 {
		length, err := intOf(args[2])
		if err != nil {
			return nil, err
		}
		if length < 0 {
			return nil, fmt.Errorf("substr: negative length %d", length)
		}
		end := start + length
		if (length > 0 && end < start) || end > to { // saturate on overflow
			end = to
		}
		to = end
	}
	if from > n || to <= from {
		return "", nil
	}
	return s[bounds[from-1]:bounds[to-1]], nil
}

// absValue is |x| in x's type; |min int| does not fit and is an error.
func absValue(x any, t, out types.Type) (any, error) {
	switch t.Kind {
	case types.Float64:
		return math.Abs(x.(float64)), nil
	case types.Int32, types.Int64:
		n, err := intOf(x)
		if err != nil {
			return nil, err
		}
		v, err := integerValue(new(big.Int).Abs(big.NewInt(n)), out)
		if err != nil {
			return nil, fmt.Errorf("overflow: abs(%d) does not fit %s", n, out)
		}
		return v, nil
	case types.Decimal:
		u, err := unscaled(x)
		if err != nil {
			return nil, err
		}
		return decimalValue(rescale(u.Abs(u), int(t.Scale), scaleOf(out)), out)
	}
	return nil, fmt.Errorf("internal: abs of %s", t)
}

// roundValue rounds x half away from zero to digits fraction digits. A
// float is rounded as the decimal it prints as (see floatRat: round(2.675,
// 2) is 2.68 and round(-0.35, 1) is -0.4, although their binary values lie
// just below), and the result is the float nearest the rounded decimal.
func roundValue(x any, t types.Type, digits int64, out types.Type) (any, error) {
	if digits < 0 || digits > 38 {
		return nil, fmt.Errorf("round: %d digits", digits)
	}
	d := int(digits)
	switch t.Kind {
	case types.Int32, types.Int64:
		return x, nil // no fraction digits to drop
	case types.Float64:
		f := x.(float64)
		r, err := floatRat(f)
		if err != nil {
			return f, nil // ±Inf and NaN stay
		}
		scaled := roundRat(r.Mul(r, new(big.Rat).SetInt(pow10(d))))
		res, _ := decimalRat(scaled, d).Float64()
		if res == 0 {
			res = math.Copysign(0, f) // as math.Round: round(-0.4) is -0
		}
		return res, nil
	case types.Decimal:
		u, err := unscaled(x)
		if err != nil {
			return nil, err
		}
		s := int(t.Scale)
		kept := min(s, d)
		return decimalValue(rescale(rescale(u, s, kept), kept, scaleOf(out)), out)
	}
	return nil, fmt.Errorf("internal: round of %s", t)
}

// floorCeil is floor(x) or ceil(x); a decimal's result has scale 0.
func floorCeil(x any, t types.Type, ceil bool, out types.Type) (any, error) {
	switch t.Kind {
	case types.Int32, types.Int64:
		return x, nil
	case types.Float64:
		if ceil {
			return math.Ceil(x.(float64)), nil
		}
		return math.Floor(x.(float64)), nil
	case types.Decimal:
		u, err := unscaled(x)
		if err != nil {
			return nil, err
		}
		// big.Int.Div is Euclidean: for a positive divisor it rounds
		// toward negative infinity, which is floor; ceil(x) = -floor(-x).
		var res *big.Int
		if ceil {
			res = new(big.Int).Div(new(big.Int).Neg(u), pow10(int(t.Scale)))
			res.Neg(res)
		} else {
			res = new(big.Int).Div(u, pow10(int(t.Scale)))
		}
		return decimalValue(rescale(res, 0, scaleOf(out)), out)
	}
	return nil, fmt.Errorf("internal: floor/ceil of %s", t)
}

// likeToken is one element of a LIKE pattern.
type likeToken struct {
	kind byte // 'c' one given character, '_' any one character, '%' any run
	ch   rune
}

// like matches s against a SQL LIKE pattern: % matches any run of
// characters (the empty one too), _ exactly one, \ makes the next
// character literal (a trailing \ is itself). Matching is case-sensitive.
func like(s, pattern string) bool {
	var toks []likeToken
	pr := []rune(pattern)
	for i := 0; i < len(pr); i++ {
		switch c := pr[i]; {
		case c == '\\' && i+1 < len(pr):
			i++
			toks = append(toks, likeToken{kind: 'c', ch: pr[i]})
		case c == '%' || c == '_':
			toks = append(toks, likeToken{kind: byte(c)})
		default:
			toks = append(toks, likeToken{kind: 'c', ch: c})
		}
	}
	sr := []rune(s)
	// m[j] reports whether toks[:j] matches the characters read so far.
	m := make([]bool, len(toks)+1)
	m[0] = true
	for j := 1; j <= len(toks); j++ {
		m[j] = m[j-1] && toks[j-1].kind == '%'
	}
	for _, c := range sr {
		next := make([]bool, len(toks)+1)
		for j := 1; j <= len(toks); j++ {
			switch tk := toks[j-1]; tk.kind {
			case '%':
				next[j] = m[j] || next[j-1] // % takes c, or is empty here
			case '_':
				next[j] = m[j-1]
			default:
				next[j] = m[j-1] && tk.ch == c
			}
		}
		m = next
	}
	return m[len(toks)]
}

// timeOf returns a date (midnight) or a timestamp as a UTC time.
func timeOf(v any, t types.Type) (time.Time, error) {
	switch t.Kind {
	case types.Date:
		if d, ok := v.(int32); ok {
			return dateTime(d), nil
		}
	case types.Timestamp:
		if us, ok := v.(int64); ok {
			return time.UnixMicro(us).UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("internal: %T is not a %s", v, t)
}

// dateTrunc truncates a date or a timestamp to the start of its unit, in
// UTC; weeks start on Monday (ISO 8601). The result has the input's type.
func dateTrunc(unit string, v any, t types.Type) (any, error) {
	tm, err := timeOf(v, t)
	if err != nil {
		return nil, err
	}
	y, mo, d := tm.Date()
	h, mi, s := tm.Clock()
	var out time.Time
	switch unit {
	case "year":
		out = time.Date(y, time.January, 1, 0, 0, 0, 0, time.UTC)
	case "quarter":
		out = time.Date(y, (mo-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
	case "month":
		out = time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC)
	case "week":
		sinceMonday := (int(tm.Weekday()) + 6) % 7 // Monday 0 … Sunday 6
		out = time.Date(y, mo, d-sinceMonday, 0, 0, 0, 0, time.UTC)
	case "day":
		out = time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	case "hour":
		out = time.Date(y, mo, d, h, 0, 0, 0, time.UTC)
	case "minute":
		out = time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
	case "second":
		out = time.Date(y, mo, d, h, mi, s, 0, time.UTC)
	default:
		return nil, fmt.Errorf("date_trunc: unknown unit %q", unit)
	}
	if t.Kind == types.Date {
		return int32(daysOf(out)), nil
	}
	return out.UnixMicro(), nil
}

// maskHash is the lower-case hex HMAC-SHA256 of s keyed by key, or its
// plain SHA-256 when there is no key.
func maskHash(s string, key []byte) string {
	if len(key) == 0 {
		sum := sha256.Sum256([]byte(s))
		return hex.EncodeToString(sum[:])
	}
	h := hmac.New(sha256.New, key)
	h.Write([]byte(s))
	return hex.EncodeToString(h.Sum(nil))
}

// maskLast4 replaces every character of s but the last 4 with '*'; s of
// 4 characters or fewer becomes all '*'. A character is a rune, an
// invalid UTF-8 byte one character (kept as is when among the last 4).
func maskLast4(s string) string {
	var starts []int // byte offset of each character
	for i := 0; i < len(s); {
		starts = append(starts, i)
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	n := len(starts)
	if n <= 4 {
		return strings.Repeat("*", n)
	}
	return strings.Repeat("*", n-4) + s[starts[n-4]:]
}
