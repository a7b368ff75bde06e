package csv

import (
	"bytes"

	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/providers/internal/textvalue"
)

// The kernels convert one column of a block: sp holds the column's field
// of each record, and row i goes to row r.base+i of v. Each picks its
// typed slice once and loops; a failure (rare) calls fail, and in fail
// mode stops the kernel at the column's first error.
//
// A field's quotes are stripped by slicing: the content of a well-formed
// quoted field lies between its first and last byte. Content that still
// holds a (doubled) quote parses as no number, date or bool, so only
// strings and messages undouble them.

func (r *reader) bools(slot int, sp []span, v *vector.Vector) {
	parseColumn(r, slot, sp, v, v.Bool[r.base:r.base+len(sp)], textvalue.ParseBool)
}

func (r *reader) int32s(slot int, sp []span, v *vector.Vector) {
	parseColumn(r, slot, sp, v, v.I32[r.base:r.base+len(sp)], textvalue.ParseInt32)
}

func (r *reader) int64s(slot int, sp []span, v *vector.Vector) {
	parseColumn(r, slot, sp, v, v.I64[r.base:r.base+len(sp)], textvalue.ParseInt64)
}

func (r *reader) float64s(slot int, sp []span, v *vector.Vector) {
	parseColumn(r, slot, sp, v, v.F64[r.base:r.base+len(sp)], textvalue.ParseFloat64)
}

func (r *reader) decimal64s(slot int, sp []span, v *vector.Vector) {
	p, sc := int(v.Type.Precision), int(v.Type.Scale)
	parseColumn(r, slot, sp, v, v.I64[r.base:r.base+len(sp)], func(f []byte) (int64, bool) {
		x, ok := decimal.Parse(f, p, sc)
		return x.Int64(), ok // precision ≤ 18: it fits
	})
}

func (r *reader) decimal128s(slot int, sp []span, v *vector.Vector) {
	p, sc := int(v.Type.Precision), int(v.Type.Scale)
	parseColumn(r, slot, sp, v, v.I128[r.base:r.base+len(sp)], func(f []byte) (decimal.Int128, bool) {
		return decimal.Parse(f, p, sc)
	})
}

func (r *reader) dates(slot int, sp []span, v *vector.Vector) {
	parseColumn(r, slot, sp, v, v.I32[r.base:r.base+len(sp)], textvalue.ParseDate)
}

func (r *reader) timestamps(slot int, sp []span, v *vector.Vector) {
	parseColumn(r, slot, sp, v, v.I64[r.base:r.base+len(sp)], textvalue.ParseTimestamp)
}

// parseColumn is every typed kernel: each field of sp is a null, or goes
// through parse into dst[i]. The typed slice is picked once by the caller.
func parseColumn[T any](r *reader, slot int, sp []span, v *vector.Vector, dst []T, parse func([]byte) (T, bool)) {
	buf := r.buf
	for i, s := range sp {
		f := content(buf[s.start:s.end])
		if r.isNull(f) {
			if !r.setNull(slot, i, v) {
				return
			}
			continue
		}
		x, ok := parse(f)
		if !ok && !r.failOrNull(slot, i, buf[s.start:s.end], v) {
			return
		}
		dst[i] = x
	}
}

// strings copies string fields into v's bytes. Unlike other types, a
// quoted field is always a value: "" is the empty string and a quoted null
// text is that text, as in PostgreSQL's and DuckDB's CSV readers, so that
// empty strings survive a round trip through the Sinker.
func (r *reader) strings(slot int, sp []span, v *vector.Vector) {
	buf, base := r.buf, r.base
	for i, s := range sp {
		f := buf[s.start:s.end]
		if len(f) > 0 && f[0] == '"' {
			f = f[1 : len(f)-1]
			if bytes.IndexByte(f, '"') >= 0 {
				v.Bytes = appendUnescaped(v.Bytes, f)
				v.Offsets[base+i+1] = int32(len(v.Bytes))
				continue
			}
		} else if r.isNull(f) {
			v.AppendString(base+i, nil)
			if !r.setNull(slot, i, v) {
				return
			}
			continue
		}
		v.AppendString(base+i, f)
	}
}

// failOrNull handles a field that did not parse: a quoted spelling of the
// null text with doubled quotes is a null after all; anything else fails.
// It reports whether to go on converting.
func (r *reader) failOrNull(slot, i int, f []byte, v *vector.Vector) bool {
	if r.quotedNull(f) {
		return r.setNull(slot, i, v)
	}
	return r.fail(slot, i, f)
}
