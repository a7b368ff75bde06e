package hashagg

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/meshctl/meshctl/executor/vector"
)

// strSlot is a slot of the single string key index. It holds what decides
// most comparisons without touching the group's bytes: the first 8 bytes
// of the key (zero-padded) and, in meta's upper half, 24 bits of the hash
// and the key's length (capped at 255), so that keys of at most 8 bytes
// are compared entirely in the slot. meta's lower half is the group id + 1
// (0: empty slot).
type strSlot struct {
	pre  uint64
	meta uint64
}

// lenMix spreads a short string's length into its hash, so that "a" and
// "a\x00" (same prefix bits) differ.
const lenMix = 0x9fb21c651e98df25

// strTag is the upper half of a strSlot's meta for a key of n bytes with
// hash h.
func strTag(h uint64, n int) uint64 {
	return h>>40<<40 | uint64(min(n, 255))<<32
}

// prefixAt returns the first min(n, 8) bytes of data[off:off+n] as a
// little-endian integer, zero-padded.
func prefixAt(data []byte, off, n int) uint64 {
	if off+8 <= len(data) {
		x := binary.LittleEndian.Uint64(data[off:])
		if n < 8 {
			x &= 1<<(8*uint(n)) - 1
		}
		return x
	}
	var x uint64
	for i := min(n, 8) - 1; i >= 0; i-- {
		x = x<<8 | uint64(data[off+i])
	}
	return x
}

// shortHash hashes a string of at most 8 bytes from its prefix; longer
// strings use strHash.
func shortHash(pre uint64, n int) uint64 {
	return mix64(pre ^ uint64(n)*lenMix)
}

// stringKey returns the hash and prefix of a string key.
func stringKey(b []byte) (h, pre uint64) {
	pre = prefixAt(b, 0, len(b))
	if len(b) <= 8 {
		return shortHash(pre, len(b)), pre
	}
	return strHash(b), pre
}

// growStrings doubles the string key index.
func (t *Table) growStrings() {
	old := t.strs
	size := 2 * len(old)
	t.strs = make([]strSlot, size)
	t.mask = uint64(size - 1)
	t.growAt = maxLoad(size)
	for _, s := range old {
		if s.meta == 0 {
			continue
		}
		i := t.hashes[uint32(s.meta)-1] & t.mask
		for t.strs[i].meta != 0 {
			i = (i + 1) & t.mask
		}
		t.strs[i] = s
	}
}

// findString returns the group of string key b with hash h and prefix pre,
// creating it at position pos.
func (t *Table) findString(b []byte, h, pre, pos uint64) uint32 {
	tag := strTag(h, len(b))
	i := h & t.mask
	for {
		s := &t.strs[i]
		if s.meta == 0 {
			if t.n >= t.growAt {
				t.growStrings()
				i = h & t.mask
				continue
			}
			g := t.addGroup(h, pos)
			kc := &t.keys[0]
			kc.str = append(kc.str, t.arena.add(b, 0))
			kc.null = append(kc.null, false)
			s.pre, s.meta = pre, tag|uint64(g+1)
			return g
		}
		if s.meta&tagMask == tag && s.pre == pre {
			g := uint32(s.meta) - 1
			if len(b) <= 8 || bytes.Equal(t.arena.get(t.keys[0].str[g]), b) {
				return g
			}
		}
		i = (i + 1) & t.mask
	}
}

// probeFlat finds the groups of a single plain string key column. The hot
// loop (hitsFlat) follows rows whose key is in the index and at most 8
// bytes long, which the slot alone decides; longer keys, inserts and nulls
// take the slower path.
func (t *Table) probeFlat(v *vector.Vector, n int, ps positions, gids []uint32) {
	offs, data, valid := v.Offsets[:n+1], v.Bytes, v.Valid
	for r := 0; r < n; r++ {
		if valid == nil {
			r += hitsFlat(t.strs, t.mask, offs[r:], data, gids[r:n])
			if r == n {
				break
			}
		} else if valid[r>>6]&(1<<(uint(r)&63)) == 0 {
			gids[r] = t.nullGroup(ps.at(r))
			continue
		}
		lo, hi := int(offs[r]), int(offs[r+1])
		b := data[lo:hi]
		pre := prefixAt(data, lo, hi-lo)
		var h uint64
		if hi-lo <= 8 {
			h = shortHash(pre, hi-lo)
		} else {
			h = strHash(b)
		}
		gids[r] = t.findString(b, h, pre, ps.at(r))
	}
}

// hitsFlat maps short string keys (offs[i]..offs[i+1] in data) to groups
// for as long as they are in the index, and returns how many it mapped.
func hitsFlat(slots []strSlot, mask uint64, offs []int32, data []byte, gids []uint32) int {
	for i := range gids {
		lo, hi := int(offs[i]), int(offs[i+1])
		n := hi - lo
		if n > 8 || lo+8 > len(data) {
			return i
		}
		pre := binary.LittleEndian.Uint64(data[lo:])
		if n < 8 {
			pre &= 1<<(8*uint(n)) - 1
		}
		h := shortHash(pre, n)
		tag := strTag(h, n)
		j := h & mask
		for {
			s := &slots[j]
			if s.meta == 0 {
				return i
			}
			if s.meta&tagMask == tag && s.pre == pre {
				gids[i] = uint32(s.meta) - 1
				break
			}
			j = (j + 1) & mask
		}
	}
	return len(gids)
}

// probeDict finds the groups of a single dictionary-encoded string key
// column: each code is looked up once per batch, at its first row (so that
// a dictionary entry no row uses never becomes a group), then mapped
// through a per-code cache stamped with the batch's epoch. It checks the
// codes itself (Add leaves them to it), which costs nothing in the loop
// that indexes the cache anyway.
func (t *Table) probeDict(v *vector.Vector, n int, ps positions, gids []uint32) error {
	dict := v.Dict
	cache := grow(t.dictCache, dict.Len)
	t.dictCache = cache
	t.epoch++
	if t.epoch == 0 {
		clear(cache[:cap(cache)])
		t.epoch = 1
	}
	ep := uint64(t.epoch) << 32
	codes, valid := v.Codes[:n], v.Valid
	gids = gids[:n]
	if valid == nil {
		for r := 0; r < n; r++ {
			r += mapCodes(codes[r:], cache, gids[r:], ep)
			if r == n {
				break
			}
			c := codes[r]
			if uint32(c) >= uint32(len(cache)) {
				return fmt.Errorf("hashagg: key: %w", badCode(c, dict.Len))
			}
			e := ep | uint64(t.dictEntry(dict, int(c), ps.at(r)))
			cache[c] = e
			gids[r] = uint32(e)
		}
		return nil
	}
	for r, c := range codes {
		if valid[r>>6]&(1<<(uint(r)&63)) == 0 {
			gids[r] = t.nullGroup(ps.at(r))
			continue
		}
		if uint32(c) >= uint32(len(cache)) {
			return fmt.Errorf("hashagg: key: %w", badCode(c, dict.Len))
		}
		e := cache[c]
		if e&tagMask != ep {
			e = ep | uint64(t.dictEntry(dict, int(c), ps.at(r)))
			cache[c] = e
		}
		gids[r] = uint32(e)
	}
	return nil
}

// mapCodes maps codes to groups through cache for as long as every code
// is in range and cached in this epoch, and returns how many it mapped:
// the hot loop of a dictionary key, kept free of the rare paths.
func mapCodes(codes []int32, cache []uint64, gids []uint32, ep uint64) int {
	gids = gids[:len(codes)]
	for r, c := range codes {
		if uint32(c) >= uint32(len(cache)) {
			return r
		}
		e := cache[c]
		if e&tagMask != ep {
			return r
		}
		gids[r] = uint32(e)
	}
	return len(codes)
}

func badCode(c int32, n int) error {
	return fmt.Errorf("dictionary code %d out of range [0, %d)", c, n)
}

// dictEntry returns the group of dictionary entry c, first seen at pos.
func (t *Table) dictEntry(dict *vector.Vector, c int, pos uint64) uint32 {
	b := dict.Bytes[dict.Offsets[c]:dict.Offsets[c+1]]
	h, pre := stringKey(b)
	return t.findString(b, h, pre, pos)
}
