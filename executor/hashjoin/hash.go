package hashjoin

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"math"

	"github.com/meshctl/meshctl/executor/vector"
)

// mix is MurmurHash3's 64-bit finaliser: every input bit affects every
// output bit, so that sequential keys (ids 1..N) spread over partitions
// (top bits) and slots (low bits) alike.
func mix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// combine folds the hash of one more key column into h. It is not
// symmetric, so that (a, b) and (b, a) hash apart.
func combine(h, c uint64) uint64 { return mix(h*0x9e3779b97f4a7c15 + c) }

// seed keys the string hash. A per-process seed is fine: hashes never
// leave the process and output order never depends on them.
var seed = maphash.MakeSeed()

// hashMask is applied to every multi-column hash; tests narrow it to force
// collisions through the verification paths.
var hashMask = ^uint64(0)

// canonicalNaN is the tag every NaN normalises to.
const canonicalNaN = 0x7ff8000000000001

// floatTag maps a float64 to the 64-bit word that stands for it as a key:
// -0.0 and 0.0 share one, and so do all NaNs (see the package comment).
func floatTag(f float64) uint64 {
	if f == 0 {
		return 0
	}
	if f != f {
		return canonicalNaN
	}
	return math.Float64bits(f)
}

func boolTag(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// integer is the set of key storages that map to a tag by conversion:
// signed values sign-extend, so build and probe agree.
type integer interface{ ~int32 | ~int64 | ~uint64 }

// appendTags appends the tags of src to dst.
func appendTags[K integer](dst []uint64, src []K) []uint64 {
	for _, k := range src {
		dst = append(dst, uint64(k))
	}
	return dst
}

// tagsOf writes the tags of the first n rows of a direct-mode key vector
// (bool, int32, int64 or float64 storage) into dst.
func tagsOf(v *vector.Vector, n int, dst []uint64) []uint64 {
	dst = dst[:0]
	switch v.Phys {
	case vector.PhysInt64:
		return appendTags(dst, v.I64[:n])
	case vector.PhysInt32:
		return appendTags(dst, v.I32[:n])
	case vector.PhysFloat64:
		for _, f := range v.F64[:n] {
			dst = append(dst, floatTag(f))
		}
	case vector.PhysBool:
		for _, b := range v.Bool[:n] {
			dst = append(dst, boolTag(b))
		}
	}
	return dst
}

// hashFixed hashes integer-like keys into h (first column) or folds them
// into it.
func hashFixed[K integer](src []K, h []uint64, first bool) {
	h = h[:len(src)]
	if first {
		for i, k := range src {
			h[i] = mix(uint64(k))
		}
		return
	}
	for i, k := range src {
		h[i] = combine(h[i], mix(uint64(k)))
	}
}

// hasher hashes key columns a whole column at a time; it keeps the
// scratch of dictionary hashes from batch to batch.
type hasher struct {
	tags []uint64
	dict []uint64
}

// column hashes rows [lo, hi) of v into h[0:hi-lo]: it sets h for the first
// key column and folds into it for the others. A dictionary code out of
// range on a non-null row is an error.
func (hs *hasher) column(v *vector.Vector, lo, hi int, h []uint64, first bool) error {
	h = h[:hi-lo]
	switch v.Phys {
	case vector.PhysInt64:
		hashFixed(v.I64[lo:hi], h, first)
	case vector.PhysInt32:
		hashFixed(v.I32[lo:hi], h, first)
	case vector.PhysFloat64, vector.PhysBool:
		hs.tags = tagsOf(sliceRows(v, lo, hi), hi-lo, hs.tags)
		hashFixed(hs.tags, h, first)
	case vector.PhysInt128:
		for i, x := range v.I128[lo:hi] {
			c := combine(mix(x.Lo), uint64(x.Hi))
			if first {
				h[i] = c
			} else {
				h[i] = combine(h[i], c)
			}
		}
	case vector.PhysString:
		if v.Dict != nil {
			d := v.Dict
			hs.dict = grow(hs.dict, d.Len)
			for j := range hs.dict {
				hs.dict[j] = maphash.Bytes(seed, d.Bytes[d.Offsets[j]:d.Offsets[j+1]])
			}
			dh := hs.dict
			for i, c := range v.Codes[lo:hi] {
				var x uint64
				if uint(c) < uint(len(dh)) {
					x = dh[c]
				} else if !v.IsNull(lo + i) {
					return fmt.Errorf("dictionary code %d out of range (dictionary of %d)", c, len(dh))
				}
				if first {
					h[i] = x
				} else {
					h[i] = combine(h[i], x)
				}
			}
			return nil
		}
		off, b := v.Offsets, v.Bytes
		for i := range h {
			x := maphash.Bytes(seed, b[off[lo+i]:off[lo+i+1]])
			if first {
				h[i] = x
			} else {
				h[i] = combine(h[i], x)
			}
		}
	default:
		return fmt.Errorf("no hash for key type %s", v.Type)
	}
	return nil
}

// sliceRows returns a view of the fixed-width rows [lo, hi) of v (bool
// and float64 storage only; used to tag a range).
func sliceRows(v *vector.Vector, lo, hi int) *vector.Vector {
	if lo == 0 {
		return v
	}
	w := &vector.Vector{Type: v.Type, Phys: v.Phys, Len: hi - lo}
	switch v.Phys {
	case vector.PhysFloat64:
		w.F64 = v.F64[lo:hi]
	case vector.PhysBool:
		w.Bool = v.Bool[lo:hi]
	}
	return w
}

// eqFixed clears ok[k] unless a[ai[k]] == b[bi[k]].
func eqFixed[T comparable](a []T, ai []int32, b []T, bi []int32, ok []bool) {
	bi = bi[:len(ai)]
	ok = ok[:len(ai)]
	for k, i := range ai {
		if a[i] != b[bi[k]] {
			ok[k] = false
		}
	}
}

// eqColumn clears ok[k] unless row ai[k] of a equals row bi[k] of b (one
// key column of one type; rows are non-null). b is a stored build key
// column (never dictionary-encoded); a may be a dictionary-encoded probe
// column whose codes were checked while hashing.
func eqColumn(a *vector.Vector, ai []int32, b *vector.Vector, bi []int32, ok []bool) {
	switch a.Phys {
	case vector.PhysBool:
		eqFixed(a.Bool, ai, b.Bool, bi, ok)
	case vector.PhysInt32:
		eqFixed(a.I32, ai, b.I32, bi, ok)
	case vector.PhysInt64:
		eqFixed(a.I64, ai, b.I64, bi, ok)
	case vector.PhysInt128:
		eqFixed(a.I128, ai, b.I128, bi, ok)
	case vector.PhysFloat64:
		x, y := a.F64, b.F64
		bi = bi[:len(ai)]
		for k, i := range ai {
			if floatTag(x[i]) != floatTag(y[bi[k]]) {
				ok[k] = false
			}
		}
	case vector.PhysString:
		boff, bb := b.Offsets, b.Bytes
		if a.Dict != nil {
			d, codes := a.Dict, a.Codes
			for k, i := range ai {
				c, j := codes[i], bi[k]
				if !bytes.Equal(d.Bytes[d.Offsets[c]:d.Offsets[c+1]], bb[boff[j]:boff[j+1]]) {
					ok[k] = false
				}
			}
			return
		}
		aoff, ab := a.Offsets, a.Bytes
		for k, i := range ai {
			j := bi[k]
			if !bytes.Equal(ab[aoff[i]:aoff[i+1]], bb[boff[j]:boff[j+1]]) {
				ok[k] = false
			}
		}
	}
}

// grow returns s resized to n, reusing its array when large enough.
func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n, max(n, 2*cap(s)))
}
