package textvalue

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/meshctl/meshctl/lang/types"
)

// fit is a set of the types a text value can be read as, from the narrowest
// (bool) to the widest (timestamp); string holds every value and is left
// implicit.
type fit uint8

const (
	fitBool fit = 1 << iota
	fitInt64
	fitFloat64
	fitDate
	fitTimestamp

	fitAll = fitBool | fitInt64 | fitFloat64 | fitDate | fitTimestamp
)

// Guess is what the non-null values of one column say about its type.
// The zero Guess has seen no value; a Guess is not safe for concurrent
// use.
type Guess struct {
	// ruledOut holds the types that some value seen so far does not fit:
	// kept inverted so that the zero Guess is ready for use.
	ruledOut fit
	// values counts the non-null values seen.
	values int
}

// Observe narrows the guess with one non-null value.
func (g *Guess) Observe(v string) {
	g.values++
	if fits := fitAll &^ g.ruledOut; fits != 0 {
		g.ruledOut |= fits &^ fitsOf(v, fits)
	}
}

// Values returns the number of values observed.
func (g *Guess) Values() int { return g.values }

// Type returns the narrowest of bool, int64, float64, date and timestamp
// that every value observed fits, and string when there is none or when
// no value was observed.
func (g *Guess) Type() types.Type {
	fits := fitAll &^ g.ruledOut
	switch {
	case g.values == 0:
		return types.StringType
	case fits&fitBool != 0:
		return types.BoolType
	case fits&fitInt64 != 0:
		return types.Int64Type
	case fits&fitFloat64 != 0:
		return types.Float64Type
	case fits&fitDate != 0:
		return types.DateType
	case fits&fitTimestamp != 0:
		return types.TimestampType
	}
	return types.StringType
}

// fitsOf returns which of the types in want the non-null value v can be
// read as. An int64 is a float64 too, and a date a timestamp (at midnight
// UTC), so that a column mixing them takes the wider type.
func fitsOf(v string, want fit) fit {
	var got fit
	if want&fitBool != 0 && isBool(v) {
		return fitBool
	}
	if want&(fitInt64|fitFloat64) != 0 {
		switch {
		case isInt64(v):
			got |= fitInt64 | fitFloat64
		case isFloat64(v):
			got |= fitFloat64
		}
	}
	if want&(fitDate|fitTimestamp) != 0 && got == 0 {
		switch {
		case isDate(v):
			got |= fitDate | fitTimestamp
		case isTimestamp(v):
			got |= fitTimestamp
		}
	}
	return got & want
}

// isBool accepts true and false in any case.
func isBool(v string) bool {
	return strings.EqualFold(v, "true") || strings.EqualFold(v, "false")
}

// isInt64 accepts decimal integers that fit in int64, with an optional
// sign: no spaces, underscores or base prefixes.
func isInt64(v string) bool {
	_, err := strconv.ParseInt(v, 10, 64)
	return err == nil
}

// isFloat64 accepts what strconv.ParseFloat does, within float64's range,
// except the spellings of NaN and infinities (a column holding "nan" or
// "inf" is more likely text than numbers) and Go's literal syntax: digits
// separated by underscores and hexadecimal floats, which no CSV writer
// produces and which would read a code such as "12_34" as 1234.
func isFloat64(v string) bool {
	_, ok := floatText(v)
	return ok
}

// floatText is the reference reading of a float64 (isFloat64's rules);
// ParseFloat64 reads the common spellings faster and defers to it.
func floatText(v string) (float64, bool) {
	if strings.ContainsAny(v, "_xX") {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// isDate accepts YYYY-MM-DD.
func isDate(v string) bool {
	if len(v) != len(time.DateOnly) {
		return false
	}
	_, err := time.Parse(time.DateOnly, v)
	return err == nil
}

// timestampLayouts are the spellings of a timestamp: RFC 3339 with or
// without a zone, and the SQL form with a space. Fractional seconds are
// optional in each.
var timestampLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
}

// isTimestamp accepts the spellings in timestampLayouts.
func isTimestamp(v string) bool {
	_, ok := timestampLayoutText(v)
	return ok
}

// timestampLayoutText is the reference reading of a timestamp spelled as
// in timestampLayouts (isTimestamp's rules), in microseconds since the
// epoch; ParseTimestamp reads the common spellings faster and defers to it.
func timestampLayoutText(v string) (int64, bool) {
	if len(v) < len("2006-01-02 15:04:05") || v[4] != '-' {
		return 0, false
	}
	for _, layout := range timestampLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UnixMicro(), true
		}
	}
	return 0, false
}
