// Package vector holds meshctl's columnar data: one typed Vector per column
// with a validity bitmap, and Batches of vectors. It is the data format the
// executor's operators and the providers' scans and sinks exchange.
//
// A vector stores its values in the plain Go slice of its physical kind:
// bool → Bool, int32 and date → I32, int64, timestamp and decimals of up to
// 18 digits → I64, float64 → F64, wider decimals → I128, strings → Offsets
// and Bytes (or, dictionary-encoded, Dict and Codes). Kernels pick the slice
// once per batch and loop over it; nothing is boxed per value.
//
// Vectors are reused from batch to batch: Reset keeps the capacity of every
// slice. A vector is owned by one goroutine at a time.
//
// vector imports only lang/types and executor/decimal, so that providers
// can produce and consume batches without importing the executor.
package vector

import (
	"fmt"
	"math/bits"

	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/lang/types"
)

// Physical is how a type's values are stored.
type Physical uint8

const (
	PhysBool Physical = iota + 1
	PhysInt32
	PhysInt64
	PhysFloat64
	PhysInt128
	PhysString
)

// PhysicalOf returns the storage of a column type.
func PhysicalOf(t types.Type) Physical {
	switch t.Kind {
	case types.Bool:
		return PhysBool
	case types.Int32, types.Date:
		return PhysInt32
	case types.Int64, types.Timestamp:
		return PhysInt64
	case types.Decimal:
		if t.Precision <= 18 {
			return PhysInt64
		}
		return PhysInt128
	case types.Float64:
		return PhysFloat64
	case types.String:
		return PhysString
	}
	return 0
}

// Bitmap is a validity bitmap: bit i set means row i is not null.
type Bitmap []uint64

// Get reports bit i.
func (b Bitmap) Get(i int) bool { return b[i>>6]&(1<<(uint(i)&63)) != 0 }

// Set sets bit i.
func (b Bitmap) Set(i int) { b[i>>6] |= 1 << (uint(i) & 63) }

// Clear clears bit i.
func (b Bitmap) Clear(i int) { b[i>>6] &^= 1 << (uint(i) & 63) }

// words returns the number of words for n bits.
func words(n int) int { return (n + 63) >> 6 }

// CountSet returns the number of set bits among the first n.
func (b Bitmap) CountSet(n int) int {
	c := 0
	full := n >> 6
	for _, w := range b[:full] {
		c += bits.OnesCount64(w)
	}
	if r := uint(n) & 63; r != 0 {
		c += bits.OnesCount64(b[full] & (1<<r - 1))
	}
	return c
}

// Vector is one column of a batch.
type Vector struct {
	Type types.Type
	Phys Physical
	// Len is the number of rows.
	Len int
	// Valid marks the non-null rows; nil means every row is valid.
	Valid Bitmap
	// validBuf keeps the bitmap's memory while Valid is nil.
	validBuf Bitmap

	Bool []bool
	I32  []int32
	I64  []int64
	F64  []float64
	I128 []decimal.Int128
	// Offsets has Len+1 entries: row i's bytes are Bytes[Offsets[i]:Offsets[i+1]].
	Offsets []int32
	Bytes   []byte
	// Dict, when set, makes a string vector dictionary-encoded: row i is
	// Dict's row Codes[i] (Offsets and Bytes are unused). Dict has no nulls.
	// A dictionary handed downstream is immutable: its producer never
	// reuses it, so consumers may keep it (copies share it). The codes of
	// null rows are undefined.
	Dict  *Vector
	Codes []int32
}

// New returns an empty vector of type t with room for capacity rows.
func New(t types.Type, capacity int) *Vector {
	v := &Vector{Type: t, Phys: PhysicalOf(t)}
	if v.Phys == 0 {
		panic(fmt.Sprintf("vector: no storage for type %s", t))
	}
	v.Reset(capacity)
	v.Len = 0
	if v.Phys == PhysString {
		v.Offsets = v.Offsets[:1]
		v.Bytes = v.Bytes[:0]
	}
	return v
}

// grow returns s resized to n, reusing its array when large enough.
func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n, max(n, 2*cap(s)))
}

// Reset makes v hold n rows, all valid, with undefined values (strings:
// empty, ready for appends via SetString in order), reusing its memory.
func (v *Vector) Reset(n int) {
	v.Len = n
	if v.Valid != nil {
		v.validBuf = v.Valid[:0]
		v.Valid = nil
	}
	v.Dict, v.Codes = nil, v.Codes[:0]
	switch v.Phys {
	case PhysBool:
		v.Bool = grow(v.Bool, n)
	case PhysInt32:
		v.I32 = grow(v.I32, n)
	case PhysInt64:
		v.I64 = grow(v.I64, n)
	case PhysFloat64:
		v.F64 = grow(v.F64, n)
	case PhysInt128:
		v.I128 = grow(v.I128, n)
	case PhysString:
		v.Offsets = grow(v.Offsets, n+1)
		v.Offsets[0] = 0
		v.Bytes = v.Bytes[:0]
	}
}

// Truncate makes v hold its first n rows (n ≤ v.Len), keeping its
// memory: a reader that filled a batch for more rows than it found.
func (v *Vector) Truncate(n int) {
	v.Len = n
	switch v.Phys {
	case PhysBool:
		v.Bool = v.Bool[:n]
	case PhysInt32:
		v.I32 = v.I32[:n]
	case PhysInt64:
		v.I64 = v.I64[:n]
	case PhysFloat64:
		v.F64 = v.F64[:n]
	case PhysInt128:
		v.I128 = v.I128[:n]
	case PhysString:
		v.Offsets = v.Offsets[:n+1]
	}
	if v.Valid != nil {
		v.Valid = v.Valid[:words(n)]
	}
}

func (v *Vector) ensureValidCap(n int) {
	w := words(n)
	if v.validBuf != nil && cap(v.validBuf) >= w {
		v.Valid = v.validBuf[:w]
	} else { // never nil, even for zero rows: nil means "all valid"
		v.Valid = make(Bitmap, w, max(w, 1024))
	}
	v.validBuf = nil
}

// EnsureValid materialises the validity bitmap with every row valid, so
// that SetNull may be called. It is a no-op when there is one already.
func (v *Vector) EnsureValid() {
	if v.Valid != nil {
		return
	}
	v.ensureValidCap(v.Len)
	for i := range v.Valid {
		v.Valid[i] = ^uint64(0)
	}
}

// SetNull marks row i null (EnsureValid first).
func (v *Vector) SetNull(i int) {
	v.EnsureValid()
	v.Valid.Clear(i)
}

// IsNull reports whether row i is null.
func (v *Vector) IsNull(i int) bool { return v.Valid != nil && !v.Valid.Get(i) }

// HasNulls reports whether any row is null.
func (v *Vector) HasNulls() bool { return v.Valid != nil && v.Valid.CountSet(v.Len) != v.Len }

// NullCount returns the number of null rows.
func (v *Vector) NullCount() int {
	if v.Valid == nil {
		return 0
	}
	return v.Len - v.Valid.CountSet(v.Len)
}

// String returns row i of a string vector (a view: valid until v changes).
func (v *Vector) String(i int) []byte {
	if v.Dict != nil {
		return v.Dict.String(int(v.Codes[i]))
	}
	return v.Bytes[v.Offsets[i]:v.Offsets[i+1]]
}

// AppendString sets the next string row; rows must be appended in order
// 0, 1, … after Reset. A null row is appended as an empty string.
func (v *Vector) AppendString(i int, s []byte) {
	v.Bytes = append(v.Bytes, s...)
	v.Offsets[i+1] = int32(len(v.Bytes))
}

// Flatten turns a dictionary-encoded string vector into a plain one.
func (v *Vector) Flatten() {
	if v.Dict == nil {
		return
	}
	dict, codes := v.Dict, v.Codes
	v.Dict = nil
	v.Offsets = grow(v.Offsets, v.Len+1)
	v.Offsets[0] = 0
	v.Bytes = v.Bytes[:0]
	for i := 0; i < v.Len; i++ {
		v.AppendString(i, dict.String(int(codes[i])))
	}
	v.Codes = codes[:0]
}

// Batch is a set of equally long vectors: a slice of a relation.
type Batch struct {
	Cols []*Vector
	Len  int
}

// NewBatch returns a batch with one empty vector per column of schema.
func NewBatch(schema types.Schema, capacity int) *Batch {
	b := &Batch{Cols: make([]*Vector, len(schema))}
	for i, c := range schema {
		b.Cols[i] = New(c.Type, capacity)
	}
	return b
}

// Reset makes every vector hold n rows.
func (b *Batch) Reset(n int) {
	b.Len = n
	for _, c := range b.Cols {
		c.Reset(n)
	}
}
