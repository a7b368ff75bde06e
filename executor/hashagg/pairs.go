package hashagg

import (
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/types"
)

// The (group id, value) sets of count_distinct with group keys hold, for
// a fixed-width argument, both halves of the key in the slot: one cache
// line per row however large the set grows, where the multi-key mode
// would read the slot and each stored column.

// pairSlot is a slot of a pair index.
type pairSlot struct {
	val    uint64
	parent uint32
	gid    uint32 // entry id + 1; 0 marks an empty slot
}

// newPairTable returns an empty set of (group id, value) pairs for
// values of fixed-width type t.
func newPairTable(t types.Type) *Table {
	tab := NewTable(&Spec{KeyTypes: []types.Type{types.Int64Type, t}})
	tab.mode = modePair
	tab.slots = nil
	tab.pairs = make([]pairSlot, 16)
	tab.mask, tab.growAt = 15, maxLoad(16)
	return tab
}

func pairHash(parent uint32, val uint64) uint64 {
	return mix64(val ^ uint64(parent)*lenMix)
}

// probePairs finds the entries of the n pairs (parents, vals), with the
// same shape as probeFixed.
func (t *Table) probePairs(parents, vals *vector.Vector, n int, ps positions, gids []uint32) {
	t.norm[1] = normU64(t.norm[1], vals, n)
	vs, pars := t.norm[1], parents.I64[:n]
	for lo := 0; lo < n; lo += prefetchChunk {
		hi := min(lo+prefetchChunk, n)
		if len(t.pairs) >= prefetchSlots {
			var sink uint64
			for i := lo; i < hi; i++ {
				sink += t.pairs[pairHash(uint32(pars[i]), vs[i])&t.mask].val
			}
			t.sink += sink
		}
		for i := lo; i < hi; i++ {
			i += hitsPairs(t.pairs, t.mask, pars[i:hi], vs[i:hi], gids[i:hi])
			if i == hi {
				break
			}
			gids[i] = t.findPair(uint32(pars[i]), vs[i], ps.at(i))
		}
	}
}

// hitsPairs maps pairs to entries for as long as they are in the index,
// and returns how many it mapped.
func hitsPairs(slots []pairSlot, mask uint64, parents []int64, vals []uint64, gids []uint32) int {
	vals, gids = vals[:len(parents)], gids[:len(parents)]
	for i, p := range parents {
		parent, v := uint32(p), vals[i]
		j := pairHash(parent, v) & mask
		for {
			s := &slots[j]
			if s.gid == 0 {
				return i
			}
			if s.val == v && s.parent == parent {
				gids[i] = s.gid - 1
				break
			}
			j = (j + 1) & mask
		}
	}
	return len(parents)
}

// findPair returns the entry of (parent, v), creating it at position pos.
func (t *Table) findPair(parent uint32, v, pos uint64) uint32 {
	h := pairHash(parent, v)
	for {
		j := h & t.mask
		for {
			s := &t.pairs[j]
			if s.gid == 0 {
				break
			}
			if s.val == v && s.parent == parent {
				return s.gid - 1
			}
			j = (j + 1) & t.mask
		}
		if t.n < t.growAt {
			g := t.addGroup(h, pos)
			k0, k1 := &t.keys[0], &t.keys[1]
			k0.u64 = append(k0.u64, uint64(parent))
			k1.u64 = append(k1.u64, v)
			k0.null = append(k0.null, false)
			k1.null = append(k1.null, false)
			t.pairs[j] = pairSlot{val: v, parent: parent, gid: g + 1}
			return g
		}
		t.growPairs()
	}
}

// growPairs doubles the pair index.
func (t *Table) growPairs() {
	size := 2 * len(t.pairs)
	t.pairs = make([]pairSlot, size)
	t.mask = uint64(size - 1)
	t.growAt = maxLoad(size)
	parents, vals := t.keys[0].u64, t.keys[1].u64
	for g, h := range t.hashes {
		j := h & t.mask
		for t.pairs[j].gid != 0 {
			j = (j + 1) & t.mask
		}
		t.pairs[j] = pairSlot{val: vals[g], parent: uint32(parents[g]), gid: uint32(g) + 1}
	}
}
