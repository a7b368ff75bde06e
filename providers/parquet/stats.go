package parquet

import (
	"bytes"
	"encoding/binary"
	"math"

	"github.com/parquet-go/parquet-go/format"

	"github.com/meshctl/meshctl/executor/dataio"
	dec "github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// filePredicate is a predicate of the request resolved against one file.
type filePredicate struct {
	dataio.Predicate
	rc readColumn
}

// skippable reports whether the statistics of row group rg prove that no
// row satisfies one of the file's predicates.
func (sc *scan) skippable(of *openedFile, rg int) bool {
	g := &of.pf.Metadata().RowGroups[rg]
	for i := range of.preds {
		p := &of.preds[i]
		if p.rc.fc.leaf >= len(g.Columns) {
			continue
		}
		if excludes(p, &g.Columns[p.rc.fc.leaf].MetaData, g.NumRows) {
			return true
		}
	}
	return false
}

// excludes reports whether a column chunk's statistics prove that no row
// of the chunk satisfies p. Missing statistics prove nothing.
func excludes(p *filePredicate, meta *format.ColumnMetaData, rows int64) bool {
	stats := &meta.Statistics
	// A missing null count reads as 0, which proves nothing here.
	allNull := rows > 0 && stats.NullCount == rows
	if p.NotNull {
		return allNull
	}
	if !p.Op.IsComparison() || p.Value.Null {
		return false
	}
	if allNull {
		// A comparison with null is never true.
		return true
	}
	lo, hi, ok := bounds(p.rc, stats)
	if !ok {
		return false
	}
	v, ok := constant(p.Value, p.rc.col.Type)
	if !ok {
		return false
	}
	if p.rc.col.Type.Kind == types.Float64 {
		// NaN is outside min/max statistics and its ordering is the
		// engine's choice: only ops that no NaN can satisfy under either
		// convention (NaN greatest, or NaN incomparable) may skip.
		if math.IsNaN(lo.f) || math.IsNaN(hi.f) || math.IsNaN(v.f) {
			return false
		}
		switch p.Op {
		case ir.Gt, ir.Ge, ir.Ne:
			return false
		}
	}
	cmpLo, cmpHi := compare(lo, v), compare(hi, v)
	switch p.Op {
	case ir.Eq:
		return cmpLo > 0 || cmpHi < 0
	case ir.Ne:
		return cmpLo == 0 && cmpHi == 0
	case ir.Lt:
		return cmpLo >= 0
	case ir.Le:
		return cmpLo > 0
	case ir.Gt:
		return cmpHi <= 0
	case ir.Ge:
		return cmpHi < 0
	}
	return false
}

// scalar is one value of a column type, for comparing statistics with
// constants: integers, dates and timestamps in i, floats in f, decimals in
// d, strings in s.
type scalar struct {
	kind types.Kind
	i    int64
	f    float64
	d    dec.Int128
	s    []byte
}

func compare(a, b scalar) int {
	switch a.kind {
	case types.Float64:
		switch {
		case a.f < b.f:
			return -1
		case a.f > b.f:
			return 1
		}
		return 0
	case types.Decimal:
		return a.d.Cmp(b.d)
	case types.String:
		return bytes.Compare(a.s, b.s)
	}
	switch {
	case a.i < b.i:
		return -1
	case a.i > b.i:
		return 1
	}
	return 0
}

// constant converts a predicate's constant to a scalar of type t.
func constant(v ir.Value, t types.Type) (scalar, bool) {
	s := scalar{kind: t.Kind}
	switch t.Kind {
	case types.Int32, types.Int64, types.Date, types.Timestamp:
		s.i = v.Int
	case types.Float64:
		s.f = v.Float
	case types.Decimal:
		if v.Dec == nil || v.Type.Kind != types.Decimal || v.Type.Scale != t.Scale {
			return s, false
		}
		d, ok := dec.FromBig(v.Dec)
		if !ok {
			return s, false
		}
		s.d = d
	case types.String:
		s.s = []byte(v.Str)
	default:
		return s, false
	}
	return s, true
}

// bounds returns the minimum and maximum of a chunk's non-null values,
// converted to the requested type as the values are. The conversions are
// monotonic (rounding included), so they keep bounds bounds.
func bounds(rc readColumn, stats *format.Statistics) (lo, hi scalar, ok bool) {
	minRaw, maxRaw := stats.MinValue, stats.MaxValue
	if minRaw == nil || maxRaw == nil {
		// The deprecated fields were ordered as signed values: right for
		// signed integers and floats only.
		switch rc.fc.physical {
		case format.Int32, format.Int64, format.Float, format.Double:
			if rc.fc.unsigned {
				return lo, hi, false
			}
			minRaw, maxRaw = stats.Min, stats.Max
		default:
			return lo, hi, false
		}
	}
	if minRaw == nil || maxRaw == nil {
		return lo, hi, false
	}
	if lo, ok = statValue(rc, minRaw); !ok {
		return lo, hi, false
	}
	hi, ok = statValue(rc, maxRaw)
	return lo, hi, ok
}

// statValue decodes one PLAIN-encoded statistic and converts it to the
// requested type with the kernels that convert the values.
func statValue(rc readColumn, raw []byte) (scalar, bool) {
	s := scalar{kind: rc.col.Type.Kind}
	p := rc.plan
	switch rc.fc.physical {
	case format.Int32:
		if len(raw) != 4 {
			return s, false
		}
		x := int32(binary.LittleEndian.Uint32(raw))
		src := []int32{x}
		switch p.conv {
		case convInt32:
			s.i = int64(x)
		case convUint32ToInt32, convUint32ToInt64:
			s.i = int64(uint32(x))
		case convInt32ToInt64:
			s.i = int64(x)
		case convInt32ToFloat64, convDecimalToFloat64:
			s.f = float64(x) / math.Pow10(p.dp.fromScale)
		case convUint32ToFloat64:
			s.f = float64(uint32(x))
		case convDateToTimestamp:
			dst := []int64{0}
			if daysToMicros(dst, src) >= 0 {
				return s, false
			}
			s.i = dst[0]
		case convDecimal:
			v := int64(x)
			if rc.fc.unsigned {
				v = int64(uint32(x))
			}
			return decimalScalar(s, dec.FromInt64(v), p.dp)
		default:
			return s, false
		}
	case format.Int64:
		if len(raw) != 8 {
			return s, false
		}
		x := int64(binary.LittleEndian.Uint64(raw))
		switch p.conv {
		case convInt64, convInt64ToInt32:
			s.i = x
		case convInt64ToFloat64, convDecimalToFloat64:
			s.f = float64(x) / math.Pow10(p.dp.fromScale)
		case convTimestamp:
			dst := []int64{0}
			switch rc.fc.unit {
			case unitMillis:
				if millisToMicros(dst, []int64{x}) >= 0 {
					return s, false
				}
			case unitNanos:
				nanosToMicros(dst, []int64{x})
			default:
				dst[0] = x
			}
			s.i = dst[0]
		case convDecimal:
			return decimalScalar(s, dec.FromInt64(x), p.dp)
		default:
			return s, false
		}
	case format.Float:
		if len(raw) != 4 || p.conv != convFloatToFloat64 {
			return s, false
		}
		s.f = float64(math.Float32frombits(binary.LittleEndian.Uint32(raw)))
	case format.Double:
		if len(raw) != 8 || p.conv != convDouble {
			return s, false
		}
		s.f = math.Float64frombits(binary.LittleEndian.Uint64(raw))
	case format.ByteArray, format.FixedLenByteArray:
		switch p.conv {
		case convString:
			s.s = raw
		case convDecimal, convDecimalToFloat64:
			x, ok := bigEndianInt128(raw)
			if !ok {
				return s, false
			}
			if p.conv == convDecimalToFloat64 {
				s.f = x.Float64(p.dp.fromScale)
				return s, true
			}
			return decimalScalar(s, x, p.dp)
		default:
			return s, false
		}
	default:
		// INT96 has no defined order for statistics; booleans are not
		// worth it.
		return s, false
	}
	return s, true
}

// decimalScalar rescales an unscaled statistic to the requested decimal
// type; a statistic that does not fit proves nothing.
func decimalScalar(s scalar, x dec.Int128, d decimalPlan) (scalar, bool) {
	v, ok := rescale128(x, d.fromScale, d.toPrecision, d.toScale)
	if !ok {
		return s, false
	}
	s.d = v
	return s, true
}
