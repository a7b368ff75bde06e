package postgres

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"unsafe"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/types"
)

// conv is how one column's binary values become a vector's: a PostgreSQL
// type and the meshctl type asked for. The scan switches on it per value,
// a jump over a small integer rather than an interface call.
type conv uint8

const (
	convBool conv = iota + 1
	convInt2ToInt32
	convInt4ToInt32
	convInt8ToInt32 // checked
	convInt2ToInt64
	convInt4ToInt64
	convInt8ToInt64
	convIntToFloat64 // any width
	convFloat4ToFloat64
	convFloat8ToFloat64
	convNumericToFloat64
	convIntToDecimal // any width, checked
	convNumericToDecimal
	convString
	convDate
	convDateToTimestamp
	convTimestamp // timestamp and timestamptz
)

// Offsets between PostgreSQL's epoch (2000-01-01) and Unix's.
const (
	pgEpochDays   = 10957
	pgEpochMicros = pgEpochDays * 86400 * 1_000_000
	microsPerDay  = 86400 * 1_000_000
)

// column is one requested column: where it comes from and how it is read.
type column struct {
	name     string
	field    field
	typ      types.Type
	nullable bool
	conv     conv
	// For decimals: the scale, the bound of the unscaled magnitude
	// (10^precision), and whether values go to I128 (precision > 18).
	scale int
	limit u128
	wide  bool
	// lossy is set when reading may change a value (rounding extra
	// fraction digits, keeping char(n)'s padding that PostgreSQL's
	// comparisons ignore): a predicate on such a column compares other
	// values in SQL than in meshctl, and is not pushed down.
	lossy bool
}

// planColumn chooses how to read PostgreSQL column f as type want: the
// type ReadSchema maps f to, or one that every value of f converts to
// (value by value for int64 → int32, numeric → narrower decimals).
func planColumn(f field, want types.Type, rel relation) (column, error) {
	c := column{name: f.name, field: f, typ: want}
	if _, err := meshType(f, castAdvice(rel)); err != nil {
		return c, err
	}
	isInt := f.oid == pgtype.Int2OID || f.oid == pgtype.Int4OID || f.oid == pgtype.Int8OID
	switch want.Kind {
	case types.Bool:
		if f.oid == pgtype.BoolOID {
			c.conv = convBool
		}
	case types.Int32:
		c.conv = map[uint32]conv{pgtype.Int2OID: convInt2ToInt32, pgtype.Int4OID: convInt4ToInt32, pgtype.Int8OID: convInt8ToInt32}[f.oid]
	case types.Int64:
		c.conv = map[uint32]conv{pgtype.Int2OID: convInt2ToInt64, pgtype.Int4OID: convInt4ToInt64, pgtype.Int8OID: convInt8ToInt64}[f.oid]
	case types.Float64:
		switch {
		case isInt:
			c.conv = convIntToFloat64
		case f.oid == pgtype.Float4OID:
			c.conv = convFloat4ToFloat64
		case f.oid == pgtype.Float8OID:
			c.conv = convFloat8ToFloat64
		case f.oid == pgtype.NumericOID:
			c.conv = convNumericToFloat64
		}
	case types.Decimal:
		c.scale, c.limit, c.wide = int(want.Scale), limitOf(int(want.Precision)), want.Precision > 18
		switch {
		case isInt:
			c.conv = convIntToDecimal
		case f.oid == pgtype.NumericOID:
			c.conv = convNumericToDecimal
			_, s, ok := numericTypmod(f.typmod)
			c.lossy = !ok || s > c.scale
		}
	case types.String:
		switch f.oid {
		case pgtype.TextOID, pgtype.VarcharOID, pgtype.NameOID:
			c.conv = convString
		case pgtype.BPCharOID:
			c.conv, c.lossy = convString, true
		}
	case types.Date:
		if f.oid == pgtype.DateOID {
			c.conv = convDate
		}
	case types.Timestamp:
		switch f.oid {
		case pgtype.DateOID:
			c.conv = convDateToTimestamp
		case pgtype.TimestampOID, pgtype.TimestamptzOID:
			c.conv = convTimestamp
		}
	}
	if c.conv == 0 {
		return c, fmt.Errorf("column %q has type %s, which does not convert to %s", f.name, f.typeName, want)
	}
	return c, nil
}

// put stores raw, a non-null binary value, in row i of v. It returns why
// the value does not convert, or "" — strings are built only on failure,
// so that the hot loop does not allocate.
func (c *column) put(v *vector.Vector, i int, raw []byte, scratch *[]byte) string {
	switch c.conv {
	case convBool:
		if len(raw) != 1 {
			return malformed
		}
		v.Bool[i] = raw[0] != 0
	case convInt2ToInt32:
		if len(raw) != 2 {
			return malformed
		}
		v.I32[i] = int32(int16(binary.BigEndian.Uint16(raw)))
	case convInt4ToInt32:
		if len(raw) != 4 {
			return malformed
		}
		v.I32[i] = int32(binary.BigEndian.Uint32(raw))
	case convInt8ToInt32:
		if len(raw) != 8 {
			return malformed
		}
		x := int64(binary.BigEndian.Uint64(raw))
		if x != int64(int32(x)) {
			return fmt.Sprintf("%d does not fit in int32", x)
		}
		v.I32[i] = int32(x)
	case convInt2ToInt64:
		if len(raw) != 2 {
			return malformed
		}
		v.I64[i] = int64(int16(binary.BigEndian.Uint16(raw)))
	case convInt4ToInt64:
		if len(raw) != 4 {
			return malformed
		}
		v.I64[i] = int64(int32(binary.BigEndian.Uint32(raw)))
	case convInt8ToInt64:
		if len(raw) != 8 {
			return malformed
		}
		v.I64[i] = int64(binary.BigEndian.Uint64(raw))
	case convIntToFloat64:
		x, ok := readInt(raw)
		if !ok {
			return malformed
		}
		v.F64[i] = float64(x)
	case convFloat4ToFloat64:
		if len(raw) != 4 {
			return malformed
		}
		v.F64[i] = float64(math.Float32frombits(binary.BigEndian.Uint32(raw)))
	case convFloat8ToFloat64:
		if len(raw) != 8 {
			return malformed
		}
		v.F64[i] = math.Float64frombits(binary.BigEndian.Uint64(raw))
	case convNumericToFloat64:
		n, ok := parseNumeric(raw)
		if !ok {
			return malformed
		}
		// Through the text, for the correctly rounded float64 that
		// PostgreSQL's own numeric → float8 cast gives.
		*scratch = n.appendText((*scratch)[:0])
		f, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(*scratch), len(*scratch)), 64)
		if err != nil && !math.IsInf(f, 0) {
			return malformed
		}
		v.F64[i] = f
	case convIntToDecimal:
		x, ok := readInt(raw)
		if !ok {
			return malformed
		}
		d, overflow := decimal.FromInt64(x).MulPow10(c.scale)
		if overflow || !d.FitsDigits(int(c.typ.Precision)) {
			return fmt.Sprintf("%d does not fit in %s", x, c.typ)
		}
		c.putDecimal(v, i, d)
	case convNumericToDecimal:
		n, ok := parseNumeric(raw)
		if !ok {
			return malformed
		}
		if n.special() {
			return fmt.Sprintf("%s is not a number a decimal holds", n.appendText(nil))
		}
		d, ok := n.unscaled(c.scale, c.limit)
		if !ok {
			return fmt.Sprintf("%s does not fit in %s", n.appendText(nil), c.typ)
		}
		c.putDecimal(v, i, d)
	case convString:
		v.AppendString(i, raw)
	case convDate:
		if len(raw) != 4 {
			return malformed
		}
		d := int32(binary.BigEndian.Uint32(raw))
		if d == math.MaxInt32 || d == math.MinInt32 {
			return infinity(d > 0, "date")
		}
		v.I32[i] = d + pgEpochDays
	case convDateToTimestamp:
		if len(raw) != 4 {
			return malformed
		}
		d := int32(binary.BigEndian.Uint32(raw))
		if d == math.MaxInt32 || d == math.MinInt32 {
			return infinity(d > 0, "timestamp")
		}
		// Every finite date converts: PostgreSQL's dates end in 5874897,
		// within int64 microseconds.
		v.I64[i] = (int64(d) + pgEpochDays) * microsPerDay
	case convTimestamp:
		if len(raw) != 8 {
			return malformed
		}
		t := int64(binary.BigEndian.Uint64(raw))
		switch {
		case t == math.MaxInt64 || t == math.MinInt64:
			return infinity(t > 0, "timestamp")
		case t > math.MaxInt64-pgEpochMicros:
			return "the timestamp is after the year 294246, beyond what meshctl's timestamps hold"
		}
		v.I64[i] = t + pgEpochMicros
	}
	return ""
}

const malformed = "the server sent a malformed binary value"

func infinity(positive bool, what string) string {
	sign := "-"
	if positive {
		sign = ""
	}
	return fmt.Sprintf("the value is %sinfinity, which a meshctl %s cannot hold", sign, what)
}

func (c *column) putDecimal(v *vector.Vector, i int, d decimal.Int128) {
	if c.wide {
		v.I128[i] = d
	} else {
		v.I64[i] = d.Int64()
	}
}

// readInt reads a binary int2, int4 or int8, told apart by length.
func readInt(raw []byte) (int64, bool) {
	switch len(raw) {
	case 2:
		return int64(int16(binary.BigEndian.Uint16(raw))), true
	case 4:
		return int64(int32(binary.BigEndian.Uint32(raw))), true
	case 8:
		return int64(binary.BigEndian.Uint64(raw)), true
	}
	return 0, false
}
