package types

import (
	"fmt"
	"strconv"
	"strings"
)

// Kind is the family of a type.
type Kind uint8

const (
	// Invalid is the zero Kind: no type was determined (after an error).
	Invalid Kind = iota
	// Null is the type of the untyped null literal before it meets a typed
	// operand; no column ever has it.
	Null
	Bool
	Int32
	Int64
	Float64
	// Decimal is an exact number with Precision digits, Scale after the point.
	Decimal
	String
	// Date is a calendar day (days since 1970-01-01).
	Date
	// Timestamp is an instant in UTC with microsecond precision.
	Timestamp
)

var kindNames = [...]string{Invalid: "invalid", Null: "null", Bool: "bool", Int32: "int32", Int64: "int64",
	Float64: "float64", Decimal: "decimal", String: "string", Date: "date", Timestamp: "timestamp"}

// String returns the kind's name as written in HCL.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// MaxDecimalPrecision is the largest precision a decimal may have; results of
// decimal arithmetic are capped there, as in SQL engines.
const MaxDecimalPrecision = 38

// Type is a column type. Precision and Scale are set for decimals only.
type Type struct {
	Kind      Kind
	Precision uint8
	Scale     uint8
}

// The types without parameters.
var (
	BoolType      = Type{Kind: Bool}
	Int32Type     = Type{Kind: Int32}
	Int64Type     = Type{Kind: Int64}
	Float64Type   = Type{Kind: Float64}
	StringType    = Type{Kind: String}
	DateType      = Type{Kind: Date}
	TimestampType = Type{Kind: Timestamp}
	NullType      = Type{Kind: Null}
)

// DecimalType returns decimal(p,s), capping p at MaxDecimalPrecision and s
// at p.
func DecimalType(p, s int) Type {
	p = min(max(p, 1), MaxDecimalPrecision)
	s = min(max(s, 0), p)
	return Type{Kind: Decimal, Precision: uint8(p), Scale: uint8(s)}
}

// String prints the type as written in HCL: "int64", "decimal(18,2)".
func (t Type) String() string {
	if t.Kind == Decimal {
		return fmt.Sprintf("decimal(%d,%d)", t.Precision, t.Scale)
	}
	return t.Kind.String()
}

// IsValid reports whether t is a real column type (not Invalid nor Null).
func (t Type) IsValid() bool { return t.Kind > Null && t.Kind <= Timestamp }

// IsInteger reports whether t is int32 or int64.
func (t Type) IsInteger() bool { return t.Kind == Int32 || t.Kind == Int64 }

// IsNumeric reports whether arithmetic applies to t.
func (t Type) IsNumeric() bool {
	return t.IsInteger() || t.Kind == Float64 || t.Kind == Decimal
}

// IsTemporal reports whether t is a date or a timestamp.
func (t Type) IsTemporal() bool { return t.Kind == Date || t.Kind == Timestamp }

// IsOrderable reports whether values of t can be compared with < and sorted.
// Every column type is: false < true, strings by bytes.
func (t Type) IsOrderable() bool { return t.IsValid() }

// Names lists the type names accepted by Parse, for error messages.
const Names = "bool, int32, int64, float64, decimal(p,s), string, date, timestamp"

// Parse reads a type as written in HCL ("int64", "decimal(18,2)").
func Parse(s string) (Type, error) {
	str := strings.TrimSpace(s)
	switch str {
	case "bool":
		return BoolType, nil
	case "int32":
		return Int32Type, nil
	case "int64":
		return Int64Type, nil
	case "float64":
		return Float64Type, nil
	case "string":
		return StringType, nil
	case "date":
		return DateType, nil
	case "timestamp":
		return TimestampType, nil
	}
	if rest, ok := strings.CutPrefix(str, "decimal"); ok {
		rest = strings.TrimSpace(rest)
		if inner, ok := strings.CutPrefix(rest, "("); ok {
			if inner, ok = strings.CutSuffix(inner, ")"); ok {
				ps, ss, ok := strings.Cut(inner, ",")
				p, err1 := strconv.Atoi(strings.TrimSpace(ps))
				sc, err2 := strconv.Atoi(strings.TrimSpace(ss))
				if ok && err1 == nil && err2 == nil {
					if p < 1 || p > MaxDecimalPrecision {
						return Type{}, fmt.Errorf("decimal precision %d is out of range: it must be between 1 and %d", p, MaxDecimalPrecision)
					}
					if sc < 0 || sc > p {
						return Type{}, fmt.Errorf("decimal scale %d is out of range: it must be between 0 and the precision %d", sc, p)
					}
					return DecimalType(p, sc), nil
				}
			}
		}
		return Type{}, fmt.Errorf("%q is not a decimal type: write decimal(precision,scale), such as decimal(18,2)", s)
	}
	lower := strings.ToLower(str)
	if lower != str {
		if t, err := Parse(lower); err == nil {
			return Type{}, fmt.Errorf("unknown type %q; did you mean %q?", s, t.String())
		}
	}
	if alias, ok := aliases[lower]; ok {
		return Type{}, fmt.Errorf("unknown type %q; did you mean %q?", s, alias)
	}
	return Type{}, fmt.Errorf("unknown type %q; the types are %s", s, Names)
}

// aliases are type names from SQL and other tools, mapped to ours for
// suggestions only: accepting them would give one type two spellings.
var aliases = map[string]string{
	"boolean": "bool", "int": "int32", "integer": "int32", "int4": "int32", "bigint": "int64",
	"int8": "int64", "long": "int64", "double": "float64", "float": "float64", "float8": "float64",
	"real": "float64", "text": "string", "varchar": "string", "str": "string", "numeric": "decimal(p,s)",
	"decimal": "decimal(p,s)", "datetime": "timestamp", "timestamptz": "timestamp", "int16": "int32",
}

// integerDigits is the number of decimal digits an integer type needs.
func integerDigits(k Kind) int {
	if k == Int32 {
		return 10
	}
	return 19
}

// AsDecimal returns the decimal type that holds every value of an integer or
// decimal type exactly.
func AsDecimal(t Type) Type {
	if t.IsInteger() {
		return DecimalType(integerDigits(t.Kind), 0)
	}
	return t
}

// CanWiden reports whether every value of from converts to to without loss
// of meaning, so that the compiler may insert the conversion silently:
// int32 → int64 → decimal/float64, decimal to a decimal with no fewer
// integer and fraction digits, date → timestamp, and the null literal to
// anything.
func CanWiden(from, to Type) bool {
	if from == to || from.Kind == Null {
		return to.Kind != Invalid
	}
	switch from.Kind {
	case Int32:
		switch to.Kind {
		case Int64, Float64:
			return true
		case Decimal:
			return int(to.Precision-to.Scale) >= integerDigits(Int32)
		}
	case Int64:
		switch to.Kind {
		case Float64:
			return true
		case Decimal:
			return int(to.Precision-to.Scale) >= integerDigits(Int64)
		}
	case Decimal:
		switch to.Kind {
		case Float64:
			return true
		case Decimal:
			return to.Scale >= from.Scale && to.Precision-to.Scale >= from.Precision-from.Scale
		}
	case Date:
		return to.Kind == Timestamp
	}
	return false
}

// Common returns the narrowest type both a and b widen to, used to compare,
// combine or unify them (arithmetic, comparison, coalesce, ? :, union). The
// second result is false when there is none (string and int64, say).
//
// Decimals whose common type would need more than 38 digits keep the larger
// scale and are capped at 38 digits, as in SQL engines: the conversion of
// the wider operand is then checked value by value, and an overflow is a
// run-time error.
func Common(a, b Type) (Type, bool) {
	switch {
	case a == b:
		return a, a.Kind != Invalid
	case a.Kind == Null:
		return b, b.Kind != Invalid
	case b.Kind == Null:
		return a, a.Kind != Invalid
	case a.IsNumeric() && b.IsNumeric():
		if a.Kind == Float64 || b.Kind == Float64 {
			return Float64Type, true
		}
		if a.IsInteger() && b.IsInteger() {
			return Int64Type, true // the only pair of distinct integer kinds
		}
		da, db := AsDecimal(a), AsDecimal(b)
		scale := max(da.Scale, db.Scale)
		intDigits := max(da.Precision-da.Scale, db.Precision-db.Scale)
		return DecimalType(int(intDigits)+int(scale), int(scale)), true
	case a.IsTemporal() && b.IsTemporal():
		return TimestampType, true
	}
	return Type{}, false
}
