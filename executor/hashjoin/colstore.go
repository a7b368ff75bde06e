package hashjoin

import (
	"fmt"
	"math"

	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/types"
)

// maxBytes is the most string bytes one stored column holds: offsets are
// int32.
const maxBytes = math.MaxInt32

// maxDict is the most entries a merged payload dictionary may have before
// the column is decoded: beyond it the map costs more than it saves.
const maxDict = 1 << 20

// colStore accumulates one column of the build side over many batches. It
// copies everything it keeps (batches are reused by their producer) into
// chunks, flattened once by finish into exact-size slices.
//
// It does its own appending rather than vector.Append, which grows one
// slice per column and decodes dictionaries.
type colStore struct {
	typ  types.Type
	phys vector.Physical
	n    int
	// valid is nil while every row is valid; bits past n are zero.
	valid vector.Bitmap

	bools   chunkBuf[bool]
	i32     chunkBuf[int32]
	i64     chunkBuf[int64]
	f64     chunkBuf[float64]
	i128    chunkBuf[decimal.Int128]
	offsets chunkBuf[int32] // plain strings: n+1 entries
	bytes   chunkBuf[byte]

	// allowDict lets a string column keep dictionary encoding: payload
	// columns do (output gathers codes, not bytes); key columns do not.
	allowDict bool
	// dictMode: rows are codes into the merged dictionary (dictOffsets,
	// dictBytes), whose entries index maps back to codes.
	dictMode    bool
	codes       chunkBuf[int32]
	dictOffsets []int32
	dictBytes   []byte
	index       map[string]int32
	remap       []int32
}

func newColStore(t types.Type, allowDict bool) *colStore {
	c := &colStore{typ: t, phys: vector.PhysicalOf(t), allowDict: allowDict}
	if c.phys == vector.PhysString {
		c.offsets.push(0)
	}
	return c
}

// dictWorthKeeping reports whether a batch's dictionary compresses well
// enough to merge: a dictionary nearly as long as its batch (unique emails
// written by a Parquet writer) would cost a map entry per row.
func dictWorthKeeping(d *vector.Vector, n int) bool {
	return d.Len <= 64 || 2*d.Len <= n
}

// append copies the first n rows of src (of the column's type).
func (c *colStore) append(src *vector.Vector, n int) error {
	n0 := c.n
	if c.valid == nil && src.Valid != nil && src.Valid.CountSet(n) != n {
		c.valid = allValid(n0)
	}
	if c.valid != nil {
		c.valid = appendBits(c.valid, n0, src.Valid, n)
	}
	switch c.phys {
	case vector.PhysBool:
		c.bools.append(src.Bool[:n])
	case vector.PhysInt32:
		c.i32.append(src.I32[:n])
	case vector.PhysInt64:
		c.i64.append(src.I64[:n])
	case vector.PhysFloat64:
		c.f64.append(src.F64[:n])
	case vector.PhysInt128:
		c.i128.append(src.I128[:n])
	case vector.PhysString:
		if err := c.appendStrings(src, n); err != nil {
			return err
		}
	}
	c.n += n
	return nil
}

func (c *colStore) appendStrings(src *vector.Vector, n int) error {
	d := src.Dict
	if c.dictMode && (d == nil || !dictWorthKeeping(d, n) || len(c.dictOffsets)-1+d.Len > maxDict) {
		if err := c.decodeDict(); err != nil {
			return err
		}
	}
	if !c.dictMode && c.n == 0 && c.allowDict && d != nil && dictWorthKeeping(d, n) {
		c.dictMode = true
		c.index = make(map[string]int32)
		c.dictOffsets = []int32{0}
	}
	if c.dictMode {
		return c.appendCodes(src, n)
	}
	if d != nil {
		for i, code := range src.Codes[:n] {
			var s []byte
			if uint(code) < uint(d.Len) {
				s = d.Bytes[d.Offsets[code]:d.Offsets[code+1]]
			} else if !src.IsNull(i) {
				return fmt.Errorf("dictionary code %d out of range (dictionary of %d)", code, d.Len)
			}
			if c.bytes.n+len(s) > maxBytes {
				return errTooManyBytes
			}
			c.bytes.append(s)
			c.offsets.push(int32(c.bytes.n))
		}
		return nil
	}
	from, to := src.Offsets[0], src.Offsets[n]
	if c.bytes.n+int(to-from) > maxBytes {
		return errTooManyBytes
	}
	delta := int32(c.bytes.n) - from
	c.bytes.append(src.Bytes[from:to])
	for _, o := range src.Offsets[1 : n+1] {
		c.offsets.push(o + delta)
	}
	return nil
}

var errTooManyBytes = fmt.Errorf("build side string column holds more than %d bytes", maxBytes)

// appendCodes merges src's dictionary into the column's (one map lookup
// per dictionary entry, none per row) and appends the remapped codes.
func (c *colStore) appendCodes(src *vector.Vector, n int) error {
	d := src.Dict
	c.remap = grow(c.remap, d.Len)
	for j := range c.remap {
		s := d.Bytes[d.Offsets[j]:d.Offsets[j+1]]
		code, ok := c.index[string(s)]
		if !ok {
			code = int32(len(c.dictOffsets) - 1)
			c.index[string(s)] = code
			c.dictBytes = append(c.dictBytes, s...)
			if len(c.dictBytes) > maxBytes {
				return errTooManyBytes
			}
			c.dictOffsets = append(c.dictOffsets, int32(len(c.dictBytes)))
		}
		c.remap[j] = code
	}
	remap := c.remap
	for i, code := range src.Codes[:n] {
		var x int32 // null rows point at code 0, which finish guarantees exists
		if uint(code) < uint(len(remap)) {
			x = remap[code]
		} else if !src.IsNull(i) {
			return fmt.Errorf("dictionary code %d out of range (dictionary of %d)", code, len(remap))
		}
		c.codes.push(x)
	}
	return nil
}

// decodeDict turns the column's codes into plain strings, for good.
func (c *colStore) decodeDict() error {
	if len(c.dictOffsets) == 1 { // only nulls so far: their code 0 needs an entry
		c.dictOffsets = append(c.dictOffsets, 0)
	}
	off, b := c.dictOffsets, c.dictBytes
	for _, code := range c.codes.flatten() {
		s := b[off[code]:off[code+1]]
		if c.bytes.n+len(s) > maxBytes {
			return errTooManyBytes
		}
		c.bytes.append(s)
		c.offsets.push(int32(c.bytes.n))
	}
	c.dictMode = false
	c.dictOffsets, c.dictBytes, c.index, c.remap = nil, nil, nil, nil
	return nil
}

// finish returns the stored column as one vector and lets go of it.
func (c *colStore) finish() *vector.Vector {
	v := &vector.Vector{Type: c.typ, Phys: c.phys, Len: c.n, Valid: c.valid}
	switch c.phys {
	case vector.PhysBool:
		v.Bool = c.bools.flatten()
	case vector.PhysInt32:
		v.I32 = c.i32.flatten()
	case vector.PhysInt64:
		v.I64 = c.i64.flatten()
	case vector.PhysFloat64:
		v.F64 = c.f64.flatten()
	case vector.PhysInt128:
		v.I128 = c.i128.flatten()
	case vector.PhysString:
		if c.dictMode {
			if len(c.dictOffsets) == 1 { // only nulls: give their code 0 an entry
				c.dictOffsets = append(c.dictOffsets, 0)
			}
			v.Dict = &vector.Vector{Type: c.typ, Phys: c.phys, Len: len(c.dictOffsets) - 1,
				Offsets: c.dictOffsets, Bytes: c.dictBytes}
			v.Codes = c.codes.flatten()
		} else {
			v.Offsets, v.Bytes = c.offsets.flatten(), c.bytes.flatten()
		}
	}
	*c = colStore{}
	return v
}

// bytesHeld estimates the memory a finished vector holds.
func bytesHeld(v *vector.Vector) int64 {
	b := int64(cap(v.Valid))*8 + int64(cap(v.Bool)) + int64(cap(v.I32))*4 + int64(cap(v.I64))*8 +
		int64(cap(v.F64))*8 + int64(cap(v.I128))*16 + int64(cap(v.Offsets))*4 + int64(cap(v.Bytes)) +
		int64(cap(v.Codes))*4
	if v.Dict != nil {
		b += bytesHeld(v.Dict)
	}
	return b
}

// allValid returns a bitmap of n set bits (bits past n clear).
func allValid(n int) vector.Bitmap {
	b := make(vector.Bitmap, (n+63)>>6)
	for i := range b {
		b[i] = ^uint64(0)
	}
	if r := n & 63; r != 0 {
		b[len(b)-1] = 1<<uint(r) - 1
	}
	return b
}

// appendBits appends the first n bits of src (nil: all set) after the n0
// bits of dst, whose bits past n0 are clear, and keeps bits past n0+n
// clear.
func appendBits(dst vector.Bitmap, n0 int, src vector.Bitmap, n int) vector.Bitmap {
	need := (n0 + n + 63) >> 6
	for len(dst) < need {
		dst = append(dst, 0)
	}
	w0, off := n0>>6, uint(n0&63)
	nw := (n + 63) >> 6
	for i := 0; i < nw; i++ {
		s := ^uint64(0)
		if src != nil {
			s = src[i]
		}
		if i == nw-1 && n&63 != 0 {
			s &= 1<<uint(n&63) - 1
		}
		dst[w0+i] |= s << off
		if off != 0 && w0+i+1 < need {
			dst[w0+i+1] |= s >> (64 - off)
		}
	}
	return dst
}
