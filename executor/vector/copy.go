package vector

import (
	"math"
	"strconv"
	"time"

	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/lang/types"
)

// Gather makes dst hold src's rows sel[0], sel[1], … (dst and src have the
// same type). A dictionary-encoded src stays encoded: dst shares its
// dictionary.
func (dst *Vector) Gather(src *Vector, sel []int32) {
	n := len(sel)
	dst.Reset(n)
	switch {
	case src.Dict != nil:
		dst.Dict = src.Dict
		dst.Codes = grow(dst.Codes, n)
		gather(dst.Codes, src.Codes, sel)
	case src.Phys == PhysBool:
		gather(dst.Bool, src.Bool, sel)
	case src.Phys == PhysInt32:
		gather(dst.I32, src.I32, sel)
	case src.Phys == PhysInt64:
		gather(dst.I64, src.I64, sel)
	case src.Phys == PhysFloat64:
		gather(dst.F64, src.F64, sel)
	case src.Phys == PhysInt128:
		gather(dst.I128, src.I128, sel)
	case src.Phys == PhysString:
		for i, j := range sel {
			dst.AppendString(i, src.Bytes[src.Offsets[j]:src.Offsets[j+1]])
		}
	}
	if src.Valid != nil && src.HasNulls() {
		dst.EnsureValid()
		valid, out := src.Valid, dst.Valid
		for i, j := range sel {
			if valid[j>>6]&(1<<(uint32(j)&63)) == 0 {
				out[i>>6] &^= 1 << (uint(i) & 63)
			}
		}
	}
}

// gather copies src[sel[i]] to dst[i]; dst has len(sel) elements.
func gather[T any](dst, src []T, sel []int32) {
	dst = dst[:len(sel)]
	for i, j := range sel {
		dst[i] = src[j]
	}
}

// Append adds src's rows [from, to) after dst's rows. Dictionary-encoded
// strings are decoded.
func (dst *Vector) Append(src *Vector, from, to int) {
	n0, k := dst.Len, to-from
	n := n0 + k
	if dst.Valid == nil && src.Valid != nil {
		dst.EnsureValid()
	}
	dst.Len = n
	switch dst.Phys {
	case PhysBool:
		dst.Bool = append(dst.Bool[:n0], src.Bool[from:to]...)
	case PhysInt32:
		dst.I32 = append(dst.I32[:n0], src.I32[from:to]...)
	case PhysInt64:
		dst.I64 = append(dst.I64[:n0], src.I64[from:to]...)
	case PhysFloat64:
		dst.F64 = append(dst.F64[:n0], src.F64[from:to]...)
	case PhysInt128:
		dst.I128 = append(dst.I128[:n0], src.I128[from:to]...)
	case PhysString:
		dst.Offsets = grow(dst.Offsets, n+1)
		if n0 == 0 {
			dst.Offsets[0] = 0
			dst.Bytes = dst.Bytes[:0]
		}
		if src.Dict != nil {
			for i := from; i < to; i++ {
				dst.AppendString(n0+i-from, src.String(i))
			}
			break
		}
		// One copy of the bytes, then the offsets shifted.
		lo, hi := src.Offsets[from], src.Offsets[to]
		delta := int32(len(dst.Bytes)) - lo
		dst.Bytes = append(dst.Bytes, src.Bytes[lo:hi]...)
		out := dst.Offsets[n0+1 : n+1]
		for i, o := range src.Offsets[from+1 : to+1] {
			out[i] = o + delta
		}
	}
	if dst.Valid != nil {
		w := words(n)
		for len(dst.Valid) < w {
			dst.Valid = append(dst.Valid, ^uint64(0))
		}
		for i := from; i < to; i++ {
			if src.Valid == nil || src.Valid.Get(i) {
				dst.Valid.Set(n0 + i - from)
			} else {
				dst.Valid.Clear(n0 + i - from)
			}
		}
	}
}

// Clone returns a copy of v that shares no memory with it, except a
// dictionary, which is immutable once attached (see Vector.Dict) and so is
// shared rather than decoded.
func (v *Vector) Clone() *Vector {
	if v.Dict != nil {
		c := New(v.Type, 0)
		c.Len = v.Len
		c.Dict = v.Dict
		c.Codes = append([]int32(nil), v.Codes[:v.Len]...)
		if v.Valid != nil {
			c.Valid = append(Bitmap(nil), v.Valid[:words(v.Len)]...)
		}
		return c
	}
	c := New(v.Type, v.Len)
	c.Append(v, 0, v.Len)
	return c
}

// Clone returns a deep copy of b; nil columns stay nil.
func (b *Batch) Clone() *Batch {
	c := &Batch{Cols: make([]*Vector, len(b.Cols)), Len: b.Len}
	for i, v := range b.Cols {
		if v != nil { // a column nothing above reads stays absent
			c.Cols[i] = v.Clone()
		}
	}
	return c
}

// AppendText appends row i's value as text (the form CSV output and
// preview use: decimals with their scale, dates YYYY-MM-DD, timestamps
// RFC 3339 in UTC) and reports whether the row is null (nothing appended).
func (v *Vector) AppendText(dst []byte, i int) ([]byte, bool) {
	if v.IsNull(i) {
		return dst, true
	}
	switch v.Phys {
	case PhysBool:
		return strconv.AppendBool(dst, v.Bool[i]), false
	case PhysInt32:
		if v.Type.Kind == types.Date {
			return time.Unix(int64(v.I32[i])*86400, 0).UTC().AppendFormat(dst, time.DateOnly), false
		}
		return strconv.AppendInt(dst, int64(v.I32[i]), 10), false
	case PhysInt64:
		switch v.Type.Kind {
		case types.Timestamp:
			return time.UnixMicro(v.I64[i]).UTC().AppendFormat(dst, "2006-01-02T15:04:05.999999Z07:00"), false
		case types.Decimal:
			return decimal.AppendInt64(dst, v.I64[i], int(v.Type.Scale)), false
		}
		return strconv.AppendInt(dst, v.I64[i], 10), false
	case PhysFloat64:
		f := v.F64[i]
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return strconv.AppendFloat(dst, f, 'g', -1, 64), false
		}
		return strconv.AppendFloat(dst, f, 'f', -1, 64), false
	case PhysInt128:
		return v.I128[i].AppendFormat(dst, int(v.Type.Scale)), false
	case PhysString:
		return append(dst, v.String(i)...), false
	}
	return dst, false
}
