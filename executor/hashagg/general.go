package hashagg

import (
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/types"
)

// In the multi-key mode every string key column is interned: its strings
// live once in a per-column string table (a Table in modeString without
// aggregates), and the groups store the string's id there. Hashing,
// comparing and storing keys then handle fixed-width values only, a
// dictionary-encoded column costs one lookup per distinct code per batch,
// and a string repeated across many groups is stored once. The hash a
// string contributes is its content hash (kept by the string table), so
// that it is the same in every worker's table and the merge can partition
// by it.

// newIntern returns the string table of an interned key column.
func newIntern() *Table {
	return NewTable(&Spec{KeyTypes: []types.Type{types.StringType}})
}

// probeGeneral finds the groups of rows with several key columns (or one
// 38-digit decimal). Keys are normalised and hashed column at a time; then
// the rows of a chunk probe the index together: a row that reaches an
// empty slot claims it for a new group, a row that meets a slot with its
// hash tag becomes a candidate, and the candidates' keys are compared
// column at a time. Rows whose candidate differs move to the next slot and
// go round again.
func (t *Table) probeGeneral(keys []*vector.Vector, n int, ps positions, gids []uint32) error {
	if err := t.hashGeneral(keys, n); err != nil {
		return err
	}
	t.pos = grow(t.pos, n)
	t.cand = grow(t.cand, n)
	for lo := 0; lo < n; lo += probeChunk {
		hi := min(lo+probeChunk, n)
		for t.n+(hi-lo) > t.growAt {
			t.growSlots()
		}
		t.probeChunk(keys, lo, hi, ps, gids)
	}
	return nil
}

// hashGeneral normalises the key columns into t.norm (interning strings)
// and hashes the rows into t.hs.
func (t *Table) hashGeneral(keys []*vector.Vector, n int) error {
	for c := range t.keys {
		kc := &t.keys[c]
		switch kc.kind {
		case keyU64:
			t.norm[c] = normU64(t.norm[c], keys[c], n)
		case keyStr:
			if err := t.internColumn(c, keys[c], n); err != nil {
				return err
			}
		}
	}
	hs := grow(t.hs, n)
	t.hs = hs
	t.hashRows(keys, hs)
	return nil
}

// internColumn writes the string ids of string key column c into norm[c]
// (0 for null rows).
func (t *Table) internColumn(c int, v *vector.Vector, n int) error {
	kc := &t.keys[c]
	ids, err := kc.intern.findOrInsert([]*vector.Vector{v}, n, positions{})
	if err != nil {
		return err
	}
	norm := grow(t.norm[c], n)
	t.norm[c] = norm
	for r, id := range ids {
		norm[r] = uint64(id)
	}
	if v.Valid != nil {
		for r := range norm {
			if !isValid(v.Valid, r) {
				norm[r] = 0
			}
		}
	}
	return nil
}

// hashRows hashes every row's keys into hs.
func (t *Table) hashRows(keys []*vector.Vector, hs []uint64) {
	for r := range hs {
		hs[r] = seedHash
	}
	for c := range t.keys {
		kc := &t.keys[c]
		valid := keys[c].Valid
		switch kc.kind {
		case keyU64:
			u := t.norm[c][:len(hs)]
			if valid == nil {
				for r, x := range u {
					hs[r] = mix64(hs[r] ^ x)
				}
			} else {
				for r, x := range u {
					if !isValid(valid, r) {
						x = nullMark
					}
					hs[r] = mix64(hs[r] ^ x)
				}
			}
		case keyWide:
			for r, x := range keys[c].I128[:len(hs)] {
				k := mix64(uint64(x.Hi)) ^ x.Lo
				if !isValid(valid, r) {
					k = nullMark
				}
				hs[r] = mix64(hs[r] ^ k)
			}
		case keyStr:
			strHashes := kc.intern.hashes
			for r, id := range t.norm[c][:len(hs)] {
				k := uint64(nullMark)
				if isValid(valid, r) {
					k = strHashes[id]
				}
				hs[r] = mix64(hs[r] ^ k)
			}
		}
	}
}

// probeChunk resolves rows [lo, hi); the index has room for all of them.
func (t *Table) probeChunk(keys []*vector.Vector, lo, hi int, ps positions, gids []uint32) {
	hs, pos, cand := t.hs, t.pos, t.cand
	pend := t.selA[:0]
	var sink uint64
	for r := lo; r < hi; r++ {
		pend = append(pend, int32(r))
		p := hs[r] & t.mask
		pos[r] = p
		// Load every row's slot before probing: the loads overlap, and
		// the probe below then finds them in cache.
		sink += t.slots[p]
	}
	t.sink += sink
	next := t.selB[:0]
	for len(pend) > 0 {
		cmpRows, newRows := t.cmpRows[:0], t.newRows[:0]
		slots, mask := t.slots, t.mask
		for _, r := range pend {
			h := hs[r]
			tag := h & tagMask
			p := pos[r]
			for {
				s := slots[p]
				if s == 0 {
					g := t.addGroup(h, ps.at(int(r)))
					slots[p] = tag | uint64(g+1)
					gids[r] = g
					newRows = append(newRows, r)
					break
				}
				if s&tagMask == tag {
					cand[r] = uint32(s) - 1
					cmpRows = append(cmpRows, r)
					break
				}
				p = (p + 1) & mask
			}
			pos[r] = p
		}
		// The new groups' keys are stored before comparing, so that later
		// rows of the same new key find them.
		t.appendKeys(keys, newRows)
		next = next[:0]
		if len(cmpRows) > 0 {
			eq := grow(t.eq, len(cmpRows))
			t.eq = eq
			for i := range eq {
				eq[i] = true
			}
			for c := range t.keys {
				t.compareCol(c, keys[c], cmpRows, eq)
			}
			for i, r := range cmpRows {
				if eq[i] {
					gids[r] = cand[r]
				} else {
					pos[r] = (pos[r] + 1) & mask
					next = append(next, r)
				}
			}
		}
		t.cmpRows, t.newRows = cmpRows, newRows
		pend, next = next, pend
	}
	t.selA, t.selB = pend, next
}

// appendKeys stores the keys of rows, which start new groups in order.
func (t *Table) appendKeys(keys []*vector.Vector, rows []int32) {
	for c := range t.keys {
		kc := &t.keys[c]
		v := keys[c]
		valid := v.Valid
		for _, r := range rows {
			null := !isValid(valid, int(r))
			kc.null = append(kc.null, null)
			kc.anyNull = kc.anyNull || null
		}
		switch kc.kind {
		case keyU64, keyStr:
			u := t.norm[c]
			for _, r := range rows {
				kc.u64 = append(kc.u64, u[r])
			}
		case keyWide:
			for _, r := range rows {
				x := v.I128[r]
				if !isValid(valid, int(r)) {
					x.Hi, x.Lo = 0, 0
				}
				kc.wide = append(kc.wide, x)
			}
		}
	}
}

// compareCol clears eq[i] when row rows[i]'s key c differs from its
// candidate group's.
func (t *Table) compareCol(c int, v *vector.Vector, rows []int32, eq []bool) {
	kc := &t.keys[c]
	cand, valid, null := t.cand, v.Valid, kc.null
	switch kc.kind {
	case keyU64, keyStr:
		u, stored := t.norm[c], kc.u64
		if valid == nil && !kc.anyNull {
			// No null on either side: skip the null flags (one cache miss
			// less per row in a large table).
			for i, r := range rows {
				eq[i] = eq[i] && u[r] == stored[cand[r]]
			}
			return
		}
		// Null rows and null groups both hold 0, so the value test needs no
		// null branch.
		for i, r := range rows {
			g := cand[r]
			eq[i] = eq[i] && u[r] == stored[g] && isValid(valid, int(r)) != null[g]
		}
	case keyWide:
		stored := kc.wide
		for i, r := range rows {
			g := cand[r]
			ok := isValid(valid, int(r))
			eq[i] = eq[i] && ok != null[g] && (!ok || v.I128[r] == stored[g])
		}
	}
}
