package sorter

import (
	"fmt"
	"math"

	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/types"
)

// Concat returns one batch holding the rows of batches in order, one vector
// per column of schema, so that a sort's materialised input and its key
// vectors can be handed to Sort whole. A string column whose vectors all
// share one dictionary stays dictionary-encoded (Sort then ranks the
// dictionary once instead of comparing strings); other string columns are
// copied flat. The result shares no memory with batches except shared
// dictionaries. Batches whose columns do not match schema are an error.
func Concat(batches []*vector.Batch, schema types.Schema) (*vector.Batch, error) {
	total := 0
	for bi, b := range batches {
		if b == nil {
			return nil, fmt.Errorf("concat: batch %d is nil", bi)
		}
		if len(b.Cols) != len(schema) {
			return nil, fmt.Errorf("concat: batch %d has %d columns, want %d", bi, len(b.Cols), len(schema))
		}
		for ci, v := range b.Cols {
			if err := checkConcatVector(v, b.Len, schema[ci].Type); err != nil {
				return nil, fmt.Errorf("concat: batch %d column %q: %w", bi, schema[ci].Name, err)
			}
		}
		total += b.Len
	}
	if total > math.MaxInt32 {
		return nil, fmt.Errorf("concat: %d rows is more than %d", total, math.MaxInt32)
	}
	out := &vector.Batch{Cols: make([]*vector.Vector, len(schema)), Len: total}
	for ci, col := range schema {
		srcs := make([]*vector.Vector, len(batches))
		for bi, b := range batches {
			srcs[bi] = b.Cols[ci]
		}
		out.Cols[ci] = concatColumn(srcs, col.Type, total)
	}
	return out, nil
}

// checkConcatVector checks that v has type t and holds n rows.
func checkConcatVector(v *vector.Vector, n int, t types.Type) error {
	if v == nil {
		return fmt.Errorf("nil vector")
	}
	if v.Type != t || v.Phys != vector.PhysicalOf(t) {
		return fmt.Errorf("vector has type %s, want %s", v.Type, t)
	}
	if v.Len != n {
		return fmt.Errorf("vector has %d rows, the batch %d", v.Len, n)
	}
	if v.Valid != nil && len(v.Valid) < (n+63)>>6 {
		return fmt.Errorf("validity bitmap too short")
	}
	var have int
	switch v.Phys {
	case vector.PhysBool:
		have = len(v.Bool)
	case vector.PhysInt32:
		have = len(v.I32)
	case vector.PhysInt64:
		have = len(v.I64)
	case vector.PhysFloat64:
		have = len(v.F64)
	case vector.PhysInt128:
		have = len(v.I128)
	case vector.PhysString:
		if v.Dict != nil {
			if len(v.Codes) < n {
				return fmt.Errorf("%d codes for %d rows", len(v.Codes), n)
			}
			d := v.Dict
			if d.Phys != vector.PhysString || d.Dict != nil {
				return fmt.Errorf("a dictionary must be a plain string vector")
			}
			if err := checkOffsets(d.Offsets, len(d.Bytes), d.Len); err != nil {
				return fmt.Errorf("dictionary: %w", err)
			}
			for i, c := range v.Codes[:n] {
				if c < 0 || int(c) >= d.Len {
					return fmt.Errorf("row %d has dictionary code %d; the dictionary has %d entries", i, c, d.Len)
				}
			}
			return nil
		}
		return checkOffsets(v.Offsets, len(v.Bytes), n)
	}
	if have < n {
		return fmt.Errorf("%d values for %d rows", have, n)
	}
	return nil
}

// concatColumn concatenates checked vectors of type t into a new one.
func concatColumn(srcs []*vector.Vector, t types.Type, total int) *vector.Vector {
	v := vector.New(t, 0)
	v.Len = total
	var dict *vector.Vector
	if len(srcs) > 0 {
		dict = srcs[0].Dict
	}
	for _, s := range srcs {
		if s.Dict != dict {
			dict = nil
			break
		}
	}
	switch {
	case dict != nil:
		v.Dict = dict
		v.Codes = make([]int32, 0, total)
		for _, s := range srcs {
			v.Codes = append(v.Codes, s.Codes[:s.Len]...)
		}
	case v.Phys == vector.PhysBool:
		v.Bool = make([]bool, 0, total)
		for _, s := range srcs {
			v.Bool = append(v.Bool, s.Bool[:s.Len]...)
		}
	case v.Phys == vector.PhysInt32:
		v.I32 = make([]int32, 0, total)
		for _, s := range srcs {
			v.I32 = append(v.I32, s.I32[:s.Len]...)
		}
	case v.Phys == vector.PhysInt64:
		v.I64 = make([]int64, 0, total)
		for _, s := range srcs {
			v.I64 = append(v.I64, s.I64[:s.Len]...)
		}
	case v.Phys == vector.PhysFloat64:
		v.F64 = make([]float64, 0, total)
		for _, s := range srcs {
			v.F64 = append(v.F64, s.F64[:s.Len]...)
		}
	case v.Phys == vector.PhysInt128:
		v.I128 = make([]decimal.Int128, 0, total)
		for _, s := range srcs {
			v.I128 = append(v.I128, s.I128[:s.Len]...)
		}
	case v.Phys == vector.PhysString:
		concatStrings(v, srcs, total)
	}
	concatValidity(v, srcs, total)
	return v
}

// concatStrings fills v's offsets and bytes from srcs, decoding
// dictionaries.
func concatStrings(v *vector.Vector, srcs []*vector.Vector, total int) {
	size := 0
	for _, s := range srcs {
		if s.Dict == nil {
			size += int(s.Offsets[s.Len] - s.Offsets[0])
		}
	}
	v.Offsets = make([]int32, 1, total+1)
	v.Bytes = make([]byte, 0, size)
	for _, s := range srcs {
		for i := range s.Len {
			v.Bytes = append(v.Bytes, s.String(i)...)
			v.Offsets = append(v.Offsets, int32(len(v.Bytes)))
		}
	}
}

// concatValidity gives v a validity bitmap when any source has a null.
func concatValidity(v *vector.Vector, srcs []*vector.Vector, total int) {
	nulls := false
	for _, s := range srcs {
		if s.HasNulls() {
			nulls = true
			break
		}
	}
	if !nulls {
		return
	}
	v.Valid = make(vector.Bitmap, (total+63)>>6)
	at := 0
	for _, s := range srcs {
		for i := range s.Len {
			if !s.IsNull(i) {
				v.Valid.Set(at + i)
			}
		}
		at += s.Len
	}
}
