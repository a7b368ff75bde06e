package reference

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/meshctl/meshctl/lang/types"
)

// castValue converts a non-null value of type from to type to. Implicit
// and explicit casts share it: implicit widenings cannot fail by
// construction, and the one implicit cast that can (a decimal moved to a
// 38-digit decimal of larger scale) is checked here like every other.
func castValue(v any, from, to types.Type) (any, error) {
	if from == to {
		return v, nil
	}
	out, err := convert(v, from, to)
	if err != nil {
		return nil, fmt.Errorf("cannot cast %s %s to %s: %w", from, describe(v, from), to, err)
	}
	return out, nil
}

var (
	errRange       = errors.New("out of range")
	errUnsupported = errors.New("no such conversion")
	errNotFinite   = errors.New("not a finite number")
)

func convert(v any, from, to types.Type) (any, error) {
	if to.Kind == types.String {
		return text(v, from)
	}
	if from.Kind == types.String {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("internal: %T is not a string", v)
		}
		return parseText(s, to)
	}
	switch to.Kind {
	case types.Bool:
		// Choice: any integer but 0 is true.
		if from.IsInteger() {
			i, err := intOf(v)
			return i != 0, err
		}
	case types.Int32, types.Int64:
		return toInteger(v, from, to)
	case types.Float64:
		switch {
		case from.IsInteger():
			i, err := intOf(v)
			return float64(i), err
		case from.Kind == types.Decimal:
			u, err := unscaled(v)
			if err != nil {
				return nil, err
			}
			f, _ := decimalRat(u, int(from.Scale)).Float64() // nearest float64
			return f, nil
		}
	case types.Decimal:
		u, err := toDecimalUnscaled(v, from, int(to.Scale))
		if err != nil {
			return nil, err
		}
		if !fitsDigits(u, int(to.Precision)) {
			return nil, fmt.Errorf("%s has more than %d digits", formatDecimal(u, int(to.Scale)), to.Precision)
		}
		return decimalValue(u, to)
	case types.Date:
		if from.Kind == types.Timestamp {
			us := v.(int64)
			return int32(floorDiv(us, microsPerDay)), nil // the day the instant falls on
		}
	case types.Timestamp:
		if from.Kind == types.Date {
			return int64(v.(int32)) * microsPerDay, nil
		}
	}
	return nil, errUnsupported
}

// intOf returns the value of an int32 or int64.
func intOf(v any) (int64, error) {
	switch v := v.(type) {
	case int32:
		return int64(v), nil
	case int64:
		return v, nil
	}
	return 0, fmt.Errorf("internal: %T is not an integer", v)
}

// integerValue represents i as a value of integer type t, or fails when it
// does not fit.
func integerValue(i *big.Int, t types.Type) (any, error) {
	if !i.IsInt64() {
		return nil, errRange
	}
	n := i.Int64()
	if t.Kind == types.Int32 {
		if n < math.MinInt32 || n > math.MaxInt32 {
			return nil, errRange
		}
		return int32(n), nil
	}
	return n, nil
}

// toInteger converts integers (range-checked), bools (1 and 0), floats
// and decimals (rounded half away from zero, range-checked).
func toInteger(v any, from, to types.Type) (any, error) {
	var i *big.Int
	switch {
	case from.IsInteger():
		n, err := intOf(v)
		if err != nil {
			return nil, err
		}
		i = big.NewInt(n)
	case from.Kind == types.Bool:
		i = big.NewInt(0)
		if v.(bool) {
			i = big.NewInt(1)
		}
	case from.Kind == types.Float64:
		r, err := floatRat(v.(float64))
		if err != nil {
			return nil, err
		}
		i = roundRat(r)
	case from.Kind == types.Decimal:
		u, err := unscaled(v)
		if err != nil {
			return nil, err
		}
		i = rescale(u, int(from.Scale), 0)
	default:
		return nil, errUnsupported
	}
	return integerValue(i, to)
}

// floatRat returns the value of f's text form: the shortest decimal that
// reads back as f.
//
// Choice: where a float meets decimal digits (a cast to a decimal or an
// integer, round), it counts as the number it prints as, not as its exact
// binary value: 1.005 is 1.005 (so it rounds to 1.01), although the
// float64 nearest 1.005 is 1.00499999999999989…. This matches the text a
// user sees and cast(cast(x, "string"), "decimal(p,s)"). For integers the
// two readings never differ: a float whose shortest form ends in .5 is
// exactly that value.
func floatRat(f float64) (*big.Rat, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, errNotFinite
	}
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(f, 'e', -1, 64))
	if !ok {
		return nil, fmt.Errorf("internal: cannot read back %v", f)
	}
	return r, nil
}

// toDecimalUnscaled returns a number's value times 10^scale, rounded half
// away from zero (a float's value as floatRat reads it).
func toDecimalUnscaled(v any, from types.Type, scale int) (*big.Int, error) {
	switch {
	case from.IsInteger():
		n, err := intOf(v)
		if err != nil {
			return nil, err
		}
		return rescale(big.NewInt(n), 0, scale), nil
	case from.Kind == types.Decimal:
		u, err := unscaled(v)
		if err != nil {
			return nil, err
		}
		return rescale(u, int(from.Scale), scale), nil
	case from.Kind == types.Float64:
		r, err := floatRat(v.(float64))
		if err != nil {
			return nil, err
		}
		return roundRat(r.Mul(r, new(big.Rat).SetInt(pow10(scale)))), nil
	}
	return nil, errUnsupported
}

// parseText reads a string as a value of type to.
func parseText(s string, to types.Type) (any, error) {
	switch to.Kind {
	case types.Bool:
		// true/false/1/0, case-insensitive.
		switch {
		case strings.EqualFold(s, "true") || s == "1":
			return true, nil
		case strings.EqualFold(s, "false") || s == "0":
			return false, nil
		}
		return nil, errors.New("not a bool (true, false, 1 or 0)")
	case types.Int32, types.Int64:
		bits := 64
		if to.Kind == types.Int32 {
			bits = 32
		}
		n, err := strconv.ParseInt(s, 10, bits)
		if err != nil {
			return nil, errors.New("not a whole number in range")
		}
		if bits == 32 {
			return int32(n), nil
		}
		return n, nil
	case types.Float64:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, errors.New("not a number")
		}
		return f, nil
	case types.Decimal:
		u, err := parseDecimal(s, int(to.Scale))
		if err != nil {
			return nil, err
		}
		if !fitsDigits(u, int(to.Precision)) {
			return nil, fmt.Errorf("more than %d digits", to.Precision)
		}
		return decimalValue(u, to)
	case types.Date:
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return nil, errors.New("not a date (YYYY-MM-DD)")
		}
		return int32(daysOf(t)), nil
	case types.Timestamp:
		for _, layout := range timestampInputs {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UnixMicro(), nil
			}
		}
		return nil, errors.New("not a timestamp (RFC 3339, YYYY-MM-DD HH:MM:SS[.ffffff] or YYYY-MM-DD)")
	}
	return nil, errUnsupported
}

// timestampInputs are the forms a string cast to timestamp may take: RFC
// 3339, the same without an offset (UTC), with a space instead of the T
// (time.Parse accepts a fraction after the seconds even when the layout
// has none), or a date (midnight UTC). They are the forms lang/ir reads
// timestamp constants in.
var timestampInputs = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", time.DateOnly}

// parseDecimal reads [+-]digits[.digits] (at least one digit, no exponent,
// no spaces) and returns its value times 10^scale, rounded half away from
// zero.
func parseDecimal(s string, scale int) (*big.Int, error) {
	body := s
	neg := false
	if body != "" && (body[0] == '+' || body[0] == '-') {
		neg = body[0] == '-'
		body = body[1:]
	}
	intPart, frac, _ := strings.Cut(body, ".")
	digits := intPart + frac
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return nil, errors.New("not a decimal number")
	}
	u, _ := new(big.Int).SetString(digits, 10)
	if neg {
		u.Neg(u)
	}
	return rescale(u, len(frac), scale), nil
}
