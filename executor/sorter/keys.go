package sorter

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
)

// keyKind is how a key's values turn into uint64 sort keys.
type keyKind uint8

const (
	kindBool keyKind = iota + 1
	kindInt32
	kindInt64
	kindFloat64
	kindInt128
	kindString
	kindDict
)

// strChunkBytes is the number of string bytes per level: the eighth byte of
// a level's key says how many of them the string has (8: more follow), so
// that a string sorts before the longer strings it prefixes.
const strChunkBytes = 7

// column is one key prepared for sorting: its typed slices picked once, so
// that encoders and comparators loop over plain slices.
type column struct {
	kind       keyKind
	desc       bool
	nullsFirst bool
	// flip is all ones for a descending key: complementing a sort key
	// reverses its order.
	flip uint64
	// valid is nil when no row is null.
	valid vector.Bitmap

	bools   []bool
	i32     []int32
	i64     []int64
	f64     []float64
	i128    []decimal.Int128
	offsets []int32
	bytes   []byte
	codes   []int32
	// ranks maps a dictionary code to the rank of its string among the
	// dictionary's (equal strings share a rank).
	ranks []uint32

	// cmp compares the non-null values of two rows, ascending. It is used
	// only on ties of the uint64 keys (merges, TopN), never in radix passes.
	cmp func(a, b int32) int
}

// exact reports whether the level-0 sort key determines the key's order
// completely for non-null rows: equal level-0 keys then mean equal values.
func (c *column) exact() bool { return c.kind != kindString && c.kind != kindInt128 }

// more reports whether rows whose level-th sort keys equal k still need the
// next level of the same key to be ordered.
func (c *column) more(k uint64, level int) bool {
	switch c.kind {
	case kindString:
		return (k^c.flip)&0xff == strChunkBytes+1
	case kindInt128:
		return level == 0
	}
	return false
}

// nullKey is the level-0 sort key of a null row: below or above every
// value's (ties with a value's key are resolved by compare).
func (c *column) nullKey() uint64 {
	if c.nullsFirst {
		return 0
	}
	return math.MaxUint64
}

// isNull reports whether row r is null.
func (c *column) isNull(r int32) bool {
	return c.valid != nil && c.valid[r>>6]&(1<<(uint(r)&63)) == 0
}

// compare orders rows a and b by this key: nulls, direction and value.
func (c *column) compare(a, b int32) int {
	if c.valid != nil {
		na, nb := c.isNull(a), c.isNull(b)
		if na || nb {
			switch {
			case na && nb:
				return 0
			case na == c.nullsFirst:
				return -1
			}
			return 1
		}
	}
	r := c.cmp(a, b)
	if c.desc {
		return -r
	}
	return r
}

// floatKey maps a float64 to a uint64 whose unsigned order is the float
// order of package doc: −0.0 and 0.0 map alike, every NaN to one key above
// +Inf's.
func floatKey(f float64) uint64 {
	if f != f {
		return 0xFFF8_0000_0000_0000 // the positive quiet NaN's bits, sign-flipped
	}
	if f == 0 {
		return 1 << 63
	}
	b := math.Float64bits(f)
	// Negative numbers: complement all bits (larger magnitude sorts first);
	// positive ones: set the sign bit so that they sort above negatives.
	return b ^ (uint64(int64(b)>>63) | 1<<63)
}

// encode sets ents[i].k to the level-th sort key of row ents[i].r, for rows
// that are not null.
func (c *column) encode(ents []entry, level int) {
	flip := c.flip
	switch c.kind {
	case kindBool:
		vals := c.bools
		for i := range ents {
			var k uint64
			if vals[ents[i].r] {
				k = 1
			}
			ents[i].k = k ^ flip
		}
	case kindInt32:
		vals := c.i32
		for i := range ents {
			ents[i].k = uint64(uint32(vals[ents[i].r])^(1<<31)) ^ flip
		}
	case kindInt64:
		vals := c.i64
		for i := range ents {
			ents[i].k = uint64(vals[ents[i].r]) ^ (1 << 63) ^ flip
		}
	case kindFloat64:
		vals := c.f64
		for i := range ents {
			ents[i].k = floatKey(vals[ents[i].r]) ^ flip
		}
	case kindInt128:
		vals := c.i128
		if level == 0 {
			for i := range ents {
				ents[i].k = uint64(vals[ents[i].r].Hi) ^ (1 << 63) ^ flip
			}
		} else {
			for i := range ents {
				ents[i].k = vals[ents[i].r].Lo ^ flip
			}
		}
	case kindString:
		encodeStrings(ents, c.offsets, c.bytes, level*strChunkBytes, flip)
	case kindDict:
		codes, ranks := c.codes, c.ranks
		for i := range ents {
			ents[i].k = uint64(ranks[codes[ents[i].r]]) ^ flip
		}
	}
}

// encodeTop sets ents[i].k to the level-0 sort key of row ents[i].r, nulls
// included (as nullKey).
func (c *column) encodeTop(ents []entry) {
	c.encode(ents, 0)
	if c.valid == nil {
		return
	}
	nk := c.nullKey()
	for i := range ents {
		if c.isNull(ents[i].r) {
			ents[i].k = nk
		}
	}
}

// encodeStrings sets each entry's key to bytes [off, off+7) of its string,
// big-endian and zero-padded, with the number of bytes left from off (at
// most 8) in the low byte.
func encodeStrings(ents []entry, offsets []int32, data []byte, off int, flip uint64) {
	for i := range ents {
		r := ents[i].r
		start, end := int(offsets[r])+off, int(offsets[r+1])
		var k uint64
		switch rem := end - start; {
		case rem <= 0:
		case rem > strChunkBytes:
			k = binary.BigEndian.Uint64(data[start:])&^0xff | (strChunkBytes + 1)
		case start+8 <= len(data):
			// Load 8 bytes and clear those past the string's end.
			k = binary.BigEndian.Uint64(data[start:])&^(1<<(8*(8-rem))-1) | uint64(rem)
		default:
			for j, b := range data[start:end] {
				k |= uint64(b) << (56 - 8*j)
			}
			k |= uint64(rem)
		}
		ents[i].k = k ^ flip
	}
}

// prepare checks a key vector against the n rows it must hold and picks its
// slices. ranks caches dictionary ranks by dictionary, for keys sharing one.
func prepare(v *vector.Vector, spec Key, n int, ranks map[*vector.Vector][]uint32) (*column, error) {
	if v == nil {
		return nil, fmt.Errorf("no vector")
	}
	if v.Len != n {
		return nil, fmt.Errorf("vector has %d rows, want %d", v.Len, n)
	}
	c := &column{desc: spec.Desc, nullsFirst: spec.NullsFirst}
	if spec.Desc {
		c.flip = math.MaxUint64
	}
	if v.Valid != nil {
		if len(v.Valid) < (n+63)>>6 {
			return nil, fmt.Errorf("validity bitmap has %d words for %d rows", len(v.Valid), n)
		}
		if v.HasNulls() {
			c.valid = v.Valid
		}
	}
	short := func(what string, have, want int) error {
		return fmt.Errorf("%s vector holds %d %s values for %d rows", v.Type, have, what, want)
	}
	phys := vector.PhysicalOf(v.Type)
	if phys != v.Phys {
		return nil, fmt.Errorf("vector of type %s has storage %d, want %d", v.Type, v.Phys, phys)
	}
	switch phys {
	case vector.PhysBool:
		if len(v.Bool) < n {
			return nil, short("bool", len(v.Bool), n)
		}
		c.kind, c.bools = kindBool, v.Bool[:n]
		vals := c.bools
		c.cmp = func(a, b int32) int {
			x, y := vals[a], vals[b]
			switch {
			case x == y:
				return 0
			case y:
				return -1
			}
			return 1
		}
	case vector.PhysInt32:
		if len(v.I32) < n {
			return nil, short("int32", len(v.I32), n)
		}
		c.kind, c.i32 = kindInt32, v.I32[:n]
		vals := c.i32
		c.cmp = func(a, b int32) int { return cmp.Compare(vals[a], vals[b]) }
	case vector.PhysInt64:
		if len(v.I64) < n {
			return nil, short("int64", len(v.I64), n)
		}
		c.kind, c.i64 = kindInt64, v.I64[:n]
		vals := c.i64
		c.cmp = func(a, b int32) int { return cmp.Compare(vals[a], vals[b]) }
	case vector.PhysFloat64:
		if len(v.F64) < n {
			return nil, short("float64", len(v.F64), n)
		}
		c.kind, c.f64 = kindFloat64, v.F64[:n]
		vals := c.f64
		c.cmp = func(a, b int32) int { return cmp.Compare(floatKey(vals[a]), floatKey(vals[b])) }
	case vector.PhysInt128:
		if len(v.I128) < n {
			return nil, short("int128", len(v.I128), n)
		}
		c.kind, c.i128 = kindInt128, v.I128[:n]
		vals := c.i128
		c.cmp = func(a, b int32) int { return vals[a].Cmp(vals[b]) }
	case vector.PhysString:
		if v.Dict != nil {
			return prepareDict(c, v, n, ranks)
		}
		if err := checkOffsets(v.Offsets, len(v.Bytes), n); err != nil {
			return nil, err
		}
		c.kind, c.offsets, c.bytes = kindString, v.Offsets[:n+1], v.Bytes
		offs, data := c.offsets, c.bytes
		c.cmp = func(a, b int32) int {
			return bytes.Compare(data[offs[a]:offs[a+1]], data[offs[b]:offs[b+1]])
		}
	default:
		return nil, fmt.Errorf("cannot sort by a %s vector", v.Type)
	}
	return c, nil
}

// prepareDict prepares a dictionary-encoded string key: its codes are
// checked and its dictionary ranked (once per dictionary).
func prepareDict(c *column, v *vector.Vector, n int, ranks map[*vector.Vector][]uint32) (*column, error) {
	if len(v.Codes) < n {
		return nil, fmt.Errorf("dictionary-encoded vector holds %d codes for %d rows", len(v.Codes), n)
	}
	d := v.Dict
	r, ok := ranks[d]
	if !ok {
		var err error
		if r, err = rankDict(d); err != nil {
			return nil, err
		}
		ranks[d] = r
	}
	codes := v.Codes[:n]
	for i, code := range codes {
		if code < 0 || int(code) >= len(r) {
			return nil, fmt.Errorf("row %d has dictionary code %d; the dictionary has %d entries", i, code, len(r))
		}
	}
	c.kind, c.codes, c.ranks = kindDict, codes, r
	c.cmp = func(a, b int32) int { return cmp.Compare(r[codes[a]], r[codes[b]]) }
	return c, nil
}

// rankDict returns the rank of each entry of a dictionary in bytewise order;
// equal entries get equal ranks.
func rankDict(d *vector.Vector) ([]uint32, error) {
	if d.Phys != vector.PhysString || d.Dict != nil {
		return nil, fmt.Errorf("a dictionary must be a plain string vector")
	}
	if d.HasNulls() {
		return nil, fmt.Errorf("dictionary has null entries")
	}
	n := d.Len
	if n > math.MaxInt32 {
		return nil, fmt.Errorf("dictionary has %d entries, more than %d", n, math.MaxInt32)
	}
	if err := checkOffsets(d.Offsets, len(d.Bytes), n); err != nil {
		return nil, fmt.Errorf("dictionary: %w", err)
	}
	col := &column{kind: kindString, offsets: d.Offsets[:n+1], bytes: d.Bytes}
	s := &sorter{cols: []*column{col}}
	ents := identity(n)
	s.sortGroup(ents, make([]entry, n), 0, 0)
	ranks := make([]uint32, n)
	rank := uint32(0)
	for i, e := range ents {
		if i > 0 && !bytes.Equal(d.String(int(ents[i-1].r)), d.String(int(e.r))) {
			rank++
		}
		ranks[e.r] = rank
	}
	return ranks, nil
}

// checkOffsets checks that a string vector's offsets describe n strings
// inside its data, so that encoders may slice without checks failing.
func checkOffsets(offsets []int32, dataLen, n int) error {
	if len(offsets) < n+1 {
		return fmt.Errorf("string vector has %d offsets for %d rows", len(offsets), n)
	}
	prev := offsets[0]
	if prev < 0 {
		return fmt.Errorf("string vector offset 0 is negative")
	}
	for i, o := range offsets[1 : n+1] {
		if o < prev {
			return fmt.Errorf("string vector offsets decrease at row %d", i)
		}
		prev = o
	}
	if int(prev) > dataLen {
		return fmt.Errorf("string vector offsets reach %d past its %d bytes", prev, dataLen)
	}
	return nil
}
