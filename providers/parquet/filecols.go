package parquet

import (
	"fmt"

	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"

	"github.com/meshctl/meshctl/lang/types"
)

// fileColumn is one top-level leaf column of a Parquet file as the scanner
// reads it: where its chunks are, how its values are stored, and what they
// mean.
type fileColumn struct {
	name string
	// leaf is the column's index among the file's leaf columns: the index of
	// its chunk in every row group.
	leaf     int
	optional bool
	physical format.Type
	// typ is the meshctl type the file's annotation maps to (leafType).
	typ types.Type
	// unsigned is set for UINT8/16/32 stored as INT32.
	unsigned bool
	// unit is the resolution of an INT64 timestamp; Int96 timestamps have
	// their own physical type.
	unit timeUnit
	// typeLength is the byte width of a FIXED_LEN_BYTE_ARRAY.
	typeLength int
}

// timeUnit is the resolution of a stored timestamp.
type timeUnit uint8

const (
	unitMicros timeUnit = iota
	unitMillis
	unitNanos
)

// fileColumns maps the top-level leaf columns of a file's schema (as the
// footer lists it, root first) by name. Fields meshctl cannot read are
// recorded with why set, so that asking for them gives a clear error.
func fileColumns(elems []format.SchemaElement) (map[string]fileColumn, map[string]string, error) {
	if len(elems) == 0 {
		return nil, nil, fmt.Errorf("the schema is empty")
	}
	cols := make(map[string]fileColumn)
	unreadable := make(map[string]string)
	fields := numChildren(&elems[0])
	leaf := 0
	for i, k := 1, 0; k < fields; k++ {
		if i >= len(elems) {
			return nil, nil, fmt.Errorf("the schema has %d fields but lists only %d", fields, k)
		}
		e := &elems[i]
		n, err := subtreeLen(elems, i)
		if err != nil {
			return nil, nil, err
		}
		leaves := 0
		for j := i; j < i+n; j++ {
			if numChildren(&elems[j]) == 0 {
				leaves++
			}
		}
		col, why := columnOf(e)
		switch {
		case why != "":
			unreadable[e.Name] = why
		case cols[col.Name].name != "":
			return nil, nil, fmt.Errorf("two columns are named %q", col.Name)
		default:
			fc := fileColumn{
				name:     e.Name,
				leaf:     leaf,
				optional: col.Nullable,
				physical: e.Type.V,
				typ:      col.Type,
				unit:     timestampUnit(e),
				unsigned: isUnsigned(e),
			}
			if e.TypeLength.Valid {
				fc.typeLength = int(e.TypeLength.V)
			}
			if fc.physical == format.FixedLenByteArray && fc.typeLength <= 0 {
				return nil, nil, fmt.Errorf("column %q is a FIXED_LEN_BYTE_ARRAY without a length", e.Name)
			}
			cols[e.Name] = fc
		}
		i += n
		leaf += leaves
	}
	return cols, unreadable, nil
}

// timestampUnit returns the resolution of an INT64 timestamp column.
func timestampUnit(e *format.SchemaElement) timeUnit {
	if ts, ok := e.LogicalType.Value.(*format.TimestampType); ok {
		switch ts.Unit.Value.(type) {
		case *format.MilliSeconds:
			return unitMillis
		case *format.NanoSeconds:
			return unitNanos
		}
		return unitMicros
	}
	if e.LogicalType.Value == nil && e.ConvertedType.Valid && e.ConvertedType.V == deprecated.TimestampMillis {
		return unitMillis
	}
	return unitMicros
}

// isUnsigned reports whether an integer column is annotated unsigned.
func isUnsigned(e *format.SchemaElement) bool {
	if it, ok := e.LogicalType.Value.(*format.IntType); ok {
		return !it.IsSigned
	}
	if e.LogicalType.Value == nil && e.ConvertedType.Valid {
		switch e.ConvertedType.V {
		case deprecated.Uint8, deprecated.Uint16, deprecated.Uint32, deprecated.Uint64:
			return true
		}
	}
	return false
}

// conversion says how the values of a file column become the values of a
// meshctl column: one kernel per pair of storage and target, chosen once per
// file and column.
type conversion uint8

const (
	convInvalid conversion = iota
	convBool
	convInt32         // INT32 → int32 (or date → date)
	convUint32ToInt32 // UINT32 → int32, checked
	convInt32ToInt64
	convUint32ToInt64
	convInt64
	convInt64ToInt32 // checked
	convFloatToFloat64
	convDouble
	convInt32ToFloat64
	convUint32ToFloat64
	convInt64ToFloat64
	convDecimalToFloat64 // decimals of any storage
	convDecimal          // decimals (and integers) of any storage → decimal
	convDateToTimestamp
	convTimestamp // INT64 of any unit → micros
	convInt96
	convString
)

// decimalPlan holds what a decimal conversion needs: the source's scale
// (0 for integers) and the target's precision and scale.
type decimalPlan struct {
	fromScale   int
	toPrecision int
	toScale     int
}

// plan is the conversion of one file column to one requested column.
type plan struct {
	conv conversion
	dp   decimalPlan
}

// planConversion chooses how the file column fc converts to type to. The
// conversions are those the type rules allow implicitly (widening), plus
// the narrowing ones a declared schema may ask for (int64 → int32, decimal
// to fewer digits), which are checked value by value.
func planConversion(fc fileColumn, to types.Type) (plan, bool) {
	from := fc.typ
	if from.Kind == types.Decimal && from.Scale == 0 && (fc.physical == format.Int32 || fc.physical == format.Int64) {
		// DECIMAL(p,0) is an integer: the widening of INT32 and INT64 applies.
		from = types.Int32Type
		if fc.physical == format.Int64 {
			from = types.Int64Type
		}
		if to.Kind == types.Decimal || to.Kind == types.Float64 {
			from = fc.typ
		}
	}
	switch to.Kind {
	case types.Bool:
		if from.Kind == types.Bool {
			return plan{conv: convBool}, true
		}
	case types.Int32:
		switch {
		case from.Kind == types.Int32:
			return plan{conv: convInt32}, true
		case from.Kind == types.Int64 && fc.physical == format.Int32 && fc.unsigned:
			return plan{conv: convUint32ToInt32}, true
		case from.Kind == types.Int64:
			return plan{conv: convInt64ToInt32}, true
		}
	case types.Int64:
		switch {
		case from.Kind == types.Int32 || (from.Kind == types.Int64 && fc.physical == format.Int32):
			if fc.unsigned {
				return plan{conv: convUint32ToInt64}, true
			}
			return plan{conv: convInt32ToInt64}, true
		case from.Kind == types.Int64:
			return plan{conv: convInt64}, true
		}
	case types.Float64:
		switch {
		case from.Kind == types.Float64 && fc.physical == format.Float:
			return plan{conv: convFloatToFloat64}, true
		case from.Kind == types.Float64:
			return plan{conv: convDouble}, true
		case from.Kind == types.Decimal:
			return plan{conv: convDecimalToFloat64, dp: decimalPlan{fromScale: int(from.Scale)}}, true
		case fc.physical == format.Int32 && from.IsInteger():
			if fc.unsigned {
				return plan{conv: convUint32ToFloat64}, true
			}
			return plan{conv: convInt32ToFloat64}, true
		case fc.physical == format.Int64 && from.IsInteger():
			return plan{conv: convInt64ToFloat64}, true
		}
	case types.Decimal:
		if from.Kind == types.Decimal || from.IsInteger() {
			return plan{conv: convDecimal, dp: decimalPlan{
				fromScale:   int(from.Scale),
				toPrecision: int(to.Precision),
				toScale:     int(to.Scale),
			}}, true
		}
	case types.String:
		if from.Kind == types.String {
			return plan{conv: convString}, true
		}
	case types.Date:
		if from.Kind == types.Date {
			return plan{conv: convInt32}, true
		}
	case types.Timestamp:
		switch {
		case from.Kind == types.Date:
			return plan{conv: convDateToTimestamp}, true
		case from.Kind == types.Timestamp && fc.physical == format.Int96:
			return plan{conv: convInt96}, true
		case from.Kind == types.Timestamp:
			return plan{conv: convTimestamp}, true
		}
	}
	return plan{}, false
}
