package hashagg

import (
	"fmt"
	"math"

	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/types"
)

// keyKind is how a key column is stored in a table.
type keyKind uint8

const (
	// keyU64 holds bool, int32, date, int64, timestamp, decimals of at most
	// 18 digits and float64 (as floatKey bits) widened to uint64, so that
	// hashing and comparing need one loop for all of them.
	keyU64 keyKind = iota + 1
	keyWide
	keyStr
)

func keyKindOf(p vector.Physical) keyKind {
	switch p {
	case vector.PhysInt128:
		return keyWide
	case vector.PhysString:
		return keyStr
	}
	return keyU64
}

// keyCol is one key column of a table's groups, indexed by group id. A null
// key stores the zero value and null[g] = true. Strings are in str (bytes
// in the table's arena) in modeString, and interned in modeGeneral: u64
// holds the string's id in intern.
type keyCol struct {
	typ    types.Type
	kind   keyKind
	intern *Table
	u64    []uint64
	wide   []decimal.Int128
	str    []strRef
	null   []bool
	// anyNull reports whether some group has a null here (kept by the
	// multi-key mode, to skip null flags when there is none).
	anyNull bool
}

// appendNull appends a null key.
func (k *keyCol) appendNull() {
	switch k.kind {
	case keyU64:
		k.u64 = append(k.u64, 0)
	case keyWide:
		k.wide = append(k.wide, decimal.Int128{})
	case keyStr:
		if k.intern != nil {
			k.u64 = append(k.u64, 0)
		} else {
			k.str = append(k.str, strRef{})
		}
	}
	k.null = append(k.null, true)
	k.anyNull = true
}

// grow returns s resized to n, reusing its array when large enough.
func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n, max(n, 2*cap(s)))
}

// isValid reports whether row r of a vector with validity bitmap valid is
// not null (valid == nil: no nulls).
func isValid(valid vector.Bitmap, r int) bool {
	return valid == nil || valid[r>>6]&(1<<(uint(r)&63)) != 0
}

// normU64 writes the keyU64 form of v's first n rows into dst, with 0 for
// null rows.
func normU64(dst []uint64, v *vector.Vector, n int) []uint64 {
	dst = grow(dst, n)
	switch v.Phys {
	case vector.PhysBool:
		for i, b := range v.Bool[:n] {
			var x uint64
			if b {
				x = 1
			}
			dst[i] = x
		}
	case vector.PhysInt32:
		for i, x := range v.I32[:n] {
			dst[i] = uint64(int64(x))
		}
	case vector.PhysInt64:
		for i, x := range v.I64[:n] {
			dst[i] = uint64(x)
		}
	case vector.PhysFloat64:
		for i, x := range v.F64[:n] {
			dst[i] = floatKey(x)
		}
	}
	if v.Valid != nil {
		for i := range dst {
			if !isValid(v.Valid, i) {
				dst[i] = 0
			}
		}
	}
	return dst
}

// checkVector makes sure that v can be read as n rows of type t without
// going out of bounds, so that bad input is an error and not a panic.
// Dictionary codes are checked only with codes set.
func checkVector(v *vector.Vector, t types.Type, n int, codes bool) error {
	if v == nil {
		return fmt.Errorf("missing vector")
	}
	p := vector.PhysicalOf(t)
	if v.Phys != p || v.Type.Kind != t.Kind || t.Kind == types.Decimal && v.Type.Scale != t.Scale {
		return fmt.Errorf("vector of type %s where %s was expected", v.Type, t)
	}
	if v.Len < n {
		return fmt.Errorf("vector has %d rows, want %d", v.Len, n)
	}
	if v.Valid != nil && len(v.Valid) < (n+63)/64 {
		return fmt.Errorf("validity bitmap too short")
	}
	short := false
	switch p {
	case vector.PhysBool:
		short = len(v.Bool) < n
	case vector.PhysInt32:
		short = len(v.I32) < n
	case vector.PhysInt64:
		short = len(v.I64) < n
	case vector.PhysFloat64:
		short = len(v.F64) < n
	case vector.PhysInt128:
		short = len(v.I128) < n
	case vector.PhysString:
		if v.Dict == nil {
			return checkFlat(v, n)
		}
		d := v.Dict
		if d.Phys != vector.PhysString || d.Dict != nil {
			return fmt.Errorf("dictionary is not a plain string vector")
		}
		if err := checkFlat(d, d.Len); err != nil {
			return fmt.Errorf("dictionary: %w", err)
		}
		if len(v.Codes) < n {
			return fmt.Errorf("dictionary codes too short")
		}
		if codes {
			if err := checkCodes(v.Codes[:n], v.Valid, d.Len); err != nil {
				return err
			}
		}
	}
	if short {
		return fmt.Errorf("vector values too short for %d rows", n)
	}
	return nil
}

// checkCodes makes sure that the codes of the non-null rows index a
// dictionary of size entries (codes under nulls may be anything).
func checkCodes(codes []int32, valid vector.Bitmap, size int) error {
	if len(codes) == 0 {
		return nil
	}
	if valid == nil {
		if top := maxCode(codes); top >= uint32(size) {
			return badCode(int32(top), size)
		}
		return nil
	}
	for r, c := range codes {
		if uint32(c) >= uint32(size) && isValid(valid, r) {
			return badCode(c, size)
		}
	}
	return nil
}

// maxCode returns the largest code as unsigned (so a negative one is
// huge), with four independent maxima to keep the loop short of
// dependencies.
func maxCode(codes []int32) uint32 {
	var m0, m1, m2, m3 uint32
	i := 0
	for ; i+4 <= len(codes); i += 4 {
		m0 = max(m0, uint32(codes[i]))
		m1 = max(m1, uint32(codes[i+1]))
		m2 = max(m2, uint32(codes[i+2]))
		m3 = max(m3, uint32(codes[i+3]))
	}
	for ; i < len(codes); i++ {
		m0 = max(m0, uint32(codes[i]))
	}
	return max(m0, m1, m2, m3)
}

// checkFlat checks the offsets of a plain string vector.
func checkFlat(v *vector.Vector, n int) error {
	if len(v.Offsets) < n+1 {
		return fmt.Errorf("string offsets too short for %d rows", n)
	}
	prev := v.Offsets[0]
	if prev < 0 {
		return fmt.Errorf("negative string offset")
	}
	for _, o := range v.Offsets[1 : n+1] {
		if o < prev {
			return fmt.Errorf("string offsets decrease")
		}
		prev = o
	}
	if int(prev) > len(v.Bytes) {
		return fmt.Errorf("string offsets beyond the bytes")
	}
	return nil
}

// keyString returns string key c of group g.
func (t *Table) keyString(c int, g uint32) []byte {
	kc := &t.keys[c]
	if kc.intern != nil {
		in := kc.intern
		return in.arena.get(in.keys[0].str[kc.u64[g]])
	}
	return t.arena.get(kc.str[g])
}

// groupRef names a group in one of several tables.
type groupRef struct {
	part, gid uint32
}

// writeKey makes dst hold key column c of the groups refs of parts.
func writeKey(dst *vector.Vector, parts []*Table, refs []groupRef, c int) error {
	dst.Reset(len(refs))
	switch parts[0].keys[c].kind {
	case keyU64:
		switch dst.Phys {
		case vector.PhysBool:
			for i, r := range refs {
				dst.Bool[i] = parts[r.part].keys[c].u64[r.gid] != 0
			}
		case vector.PhysInt32:
			for i, r := range refs {
				dst.I32[i] = int32(int64(parts[r.part].keys[c].u64[r.gid]))
			}
		case vector.PhysInt64:
			for i, r := range refs {
				dst.I64[i] = int64(parts[r.part].keys[c].u64[r.gid])
			}
		case vector.PhysFloat64:
			for i, r := range refs {
				dst.F64[i] = math.Float64frombits(parts[r.part].keys[c].u64[r.gid])
			}
		}
	case keyWide:
		for i, r := range refs {
			dst.I128[i] = parts[r.part].keys[c].wide[r.gid]
		}
	case keyStr:
		total := 0
		for i, r := range refs {
			if parts[r.part].keys[c].null[r.gid] {
				dst.AppendString(i, nil)
				continue
			}
			b := parts[r.part].keyString(c, r.gid)
			if total += len(b); total > math.MaxInt32 {
				return fmt.Errorf("hashagg: more than 2 GiB of key strings in one output batch; use smaller batches")
			}
			dst.AppendString(i, b)
		}
	}
	for i, r := range refs {
		if parts[r.part].keys[c].null[r.gid] {
			dst.SetNull(i)
		}
	}
	return nil
}
