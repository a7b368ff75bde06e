package hashagg

import (
	"fmt"

	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/types"
)

// A table whose groups outgrow the caches turns into a partitioned one
// (the two-phase scheme of radix-partitioned aggregation): its groups move
// to spillParts tables by the top bits of their key hash, and each later
// row is only appended to its partition's buffer. The buffered rows are
// aggregated partition by partition at Finish, on all workers at once:
// a partition table is a small fraction of the whole, so its slots and
// states stay in cache while all of its rows go through, instead of every
// row missing the cache in one large table. When a table's buffers pass
// spillBudget bytes, they are aggregated on the spot to bound memory.
//
// Finish then merges the workers' partition tables pairwise, without
// rebucketing their groups.

// spillGroups is the group count from which a table partitions itself (a
// variable so that tests can spill small inputs).
var spillGroups = 1 << 18

// spillBudget bounds the bytes of rows a partitioned table buffers (a
// variable so that tests can exercise early flushes).
var spillBudget = 128 << 20

const (
	spillBits  = 8
	spillParts = 1 << spillBits
	spillShift = 64 - spillBits
)

// spillBlockRows is the capacity of a buffer block: blocks are filled and
// never grown, so buffering copies each row once.
const spillBlockRows = 4096

// spill is the state of a partitioned table.
type spill struct {
	parts []*Table
	// blocks[p] holds partition p's buffered rows, in arrival order.
	blocks [][]*spillBlock
	// free holds emptied blocks for reuse.
	free []*spillBlock
	sel  [][]int32
	// bytes estimates the memory the buffered rows take.
	bytes int
}

// spillBlock holds buffered rows of one partition: plain copies
// (dictionary strings decoded) of the key and argument vectors, and each
// row's input position.
type spillBlock struct {
	keys, args []*vector.Vector
	pos        []uint64
}

// groups returns the number of groups of a table, partitioned or not.
func (t *Table) groups() int {
	if t.spill == nil {
		return t.n
	}
	n := 0
	for _, p := range t.spill.parts {
		n += p.n
	}
	return n
}

// startSpill moves the table's groups into partition tables.
func (t *Table) startSpill() error {
	sp := &spill{parts: make([]*Table, spillParts), blocks: make([][]*spillBlock, spillParts), sel: make([][]int32, spillParts)}
	b := bucketTable(t, spillShift, spillParts)
	dstOf := make([]uint32, t.n)
	m := newMerger(t.spec)
	for p := range sp.parts {
		dst := NewTable(t.spec)
		dst.reserveGroups(len(b.groups[p]))
		if err := m.mergeGroups(dst, t, b.groups[p], dstOf); err != nil {
			return err
		}
		for a, entries := range b.entries {
			if entries != nil {
				if err := m.mergeDistinct(dst, a, t, entries[p], dstOf); err != nil {
					return err
				}
			}
		}
		sp.parts[p] = dst
	}
	// The table keeps only what checking and hashing rows needs: its spec,
	// mode, aggregate kinds and, in the multi-key mode, the string columns'
	// interned strings.
	aggs := make([]aggState, len(t.aggs))
	for i, a := range t.aggs {
		aggs[i] = aggState{spec: a.spec, kind: a.kind}
	}
	*t = Table{spec: t.spec, mode: t.mode, keys: t.keys, norm: t.norm, aggs: aggs, spill: sp}
	for c := range t.keys {
		kc := &t.keys[c]
		*kc = keyCol{typ: kc.typ, kind: kc.kind, intern: kc.intern}
	}
	return nil
}

// newBlock returns an empty buffer block.
func (t *Table) newBlock() *spillBlock {
	sp := t.spill
	if n := len(sp.free); n > 0 {
		b := sp.free[n-1]
		sp.free = sp.free[:n-1]
		return b
	}
	b := &spillBlock{pos: make([]uint64, 0, spillBlockRows), args: make([]*vector.Vector, len(t.aggs))}
	for _, kt := range t.spec.KeyTypes {
		b.keys = append(b.keys, newBlockVector(kt))
	}
	for i, a := range t.aggs {
		if a.kind != kCountRows {
			b.args[i] = newBlockVector(a.spec.ArgType)
		}
	}
	return b
}

func newBlockVector(t types.Type) *vector.Vector {
	v := vector.New(t, spillBlockRows)
	v.Reset(0)
	return v
}

// reset empties a block for reuse.
func (b *spillBlock) reset() {
	for _, v := range b.keys {
		v.Reset(0)
	}
	for _, v := range b.args {
		if v != nil {
			v.Reset(0)
		}
	}
	b.pos = b.pos[:0]
}

// spillRows appends n checked rows to their partitions' buffers.
func (t *Table) spillRows(keys, args []*vector.Vector, n int, seq uint64) error {
	sp := t.spill
	hs, err := t.rowHashes(keys, n)
	if err != nil {
		return err
	}
	for p := range sp.sel {
		sp.sel[p] = sp.sel[p][:0]
	}
	for r, h := range hs {
		p := h >> spillShift
		sp.sel[p] = append(sp.sel[p], int32(r))
	}
	for p, rows := range sp.sel {
		for len(rows) > 0 {
			blocks := sp.blocks[p]
			var b *spillBlock
			if k := len(blocks); k > 0 && len(blocks[k-1].pos) < spillBlockRows {
				b = blocks[k-1]
			} else {
				b = t.newBlock()
				sp.blocks[p] = append(blocks, b)
			}
			take := rows[:min(len(rows), spillBlockRows-len(b.pos))]
			rows = rows[len(take):]
			for i, v := range keys {
				sp.bytes += appendRows(b.keys[i], v, take)
			}
			for i, v := range args {
				if v != nil {
					sp.bytes += appendRows(b.args[i], v, take)
				}
			}
			for _, r := range take {
				b.pos = append(b.pos, seq+uint64(r))
			}
			sp.bytes += 8 * len(take)
		}
	}
	if sp.bytes > spillBudget {
		return t.flushAll()
	}
	return nil
}

// flushPart aggregates partition p's buffered rows. With recycle, the
// emptied blocks are kept for reuse (not when partitions are flushed
// concurrently).
func (t *Table) flushPart(p int, recycle bool) error {
	sp := t.spill
	for _, b := range sp.blocks[p] {
		if err := sp.parts[p].addRows(b.keys, b.args, len(b.pos), positions{pos: b.pos}); err != nil {
			return err
		}
		if recycle {
			b.reset()
			sp.free = append(sp.free, b)
		}
	}
	sp.blocks[p] = sp.blocks[p][:0]
	return nil
}

// flushAll aggregates every buffered row.
func (t *Table) flushAll() error {
	for p := range t.spill.parts {
		if err := t.flushPart(p, true); err != nil {
			return err
		}
	}
	t.spill.bytes = 0
	return nil
}

// rowHashes returns each row's key hash, as the table's mode computes it
// for its groups.
func (t *Table) rowHashes(keys []*vector.Vector, n int) ([]uint64, error) {
	switch t.mode {
	case modeGeneral:
		if err := t.hashGeneral(keys, n); err != nil {
			return nil, err
		}
		return t.hs[:n], nil
	case modeFixed:
		v := keys[0]
		t.norm[0] = normU64(t.norm[0], v, n)
		hs := grow(t.hs, n)
		t.hs = hs
		for r, k := range t.norm[0] {
			if isValid(v.Valid, r) {
				hs[r] = mix64(k)
			} else {
				hs[r] = nullHash
			}
		}
		return hs, nil
	}
	// modeString
	v := keys[0]
	hs := grow(t.hs, n)
	t.hs = hs
	if v.Dict != nil {
		dict := v.Dict
		if err := checkCodes(v.Codes[:n], v.Valid, dict.Len); err != nil {
			return nil, fmt.Errorf("hashagg: key: %w", err)
		}
		dh := grow(t.dictHash, dict.Len)
		t.dictHash = dh
		for i := range dh {
			dh[i], _ = stringKey(dict.String(i))
		}
		for r, c := range v.Codes[:n] {
			if isValid(v.Valid, r) {
				hs[r] = dh[c]
			}
		}
	} else {
		for r := range hs {
			hs[r], _ = stringKey(v.String(r))
		}
	}
	if v.Valid != nil {
		for r := range hs {
			if !isValid(v.Valid, r) {
				hs[r] = nullHash
			}
		}
	}
	return hs, nil
}

// appendRows appends src's rows to dst, which has room for them
// (dictionary strings are decoded), and returns about how many bytes that
// took.
func appendRows(dst, src *vector.Vector, rows []int32) int {
	n0 := dst.Len
	n := n0 + len(rows)
	size := 8 * len(rows)
	switch src.Phys {
	case vector.PhysBool:
		d := dst.Bool[n0:n]
		for i, r := range rows {
			d[i] = src.Bool[r]
		}
		dst.Bool = dst.Bool[:n]
	case vector.PhysInt32:
		d := dst.I32[n0:n]
		for i, r := range rows {
			d[i] = src.I32[r]
		}
		dst.I32 = dst.I32[:n]
	case vector.PhysInt64:
		d := dst.I64[n0:n]
		for i, r := range rows {
			d[i] = src.I64[r]
		}
		dst.I64 = dst.I64[:n]
	case vector.PhysFloat64:
		d := dst.F64[n0:n]
		for i, r := range rows {
			d[i] = src.F64[r]
		}
		dst.F64 = dst.F64[:n]
	case vector.PhysInt128:
		d := dst.I128[n0:n]
		for i, r := range rows {
			d[i] = src.I128[r]
		}
		dst.I128 = dst.I128[:n]
		size *= 2
	case vector.PhysString:
		b0 := len(dst.Bytes)
		offs := dst.Offsets[:n+1]
		for i, r := range rows {
			if isValid(src.Valid, int(r)) { // codes under nulls may be anything
				dst.Bytes = append(dst.Bytes, src.String(int(r))...)
			}
			offs[n0+i+1] = int32(len(dst.Bytes))
		}
		dst.Offsets = offs
		size = 4*len(rows) + len(dst.Bytes) - b0
	}
	dst.Len = n
	if src.Valid != nil || dst.Valid != nil {
		w := (n + 63) / 64
		if dst.Valid == nil {
			dst.Valid = make(vector.Bitmap, 0, (spillBlockRows+63)/64)
			for range (n0 + 63) / 64 {
				dst.Valid = append(dst.Valid, ^uint64(0))
			}
		}
		for len(dst.Valid) < w {
			dst.Valid = append(dst.Valid, ^uint64(0))
		}
		for i, r := range rows {
			if isValid(src.Valid, int(r)) {
				dst.Valid.Set(n0 + i)
			} else {
				dst.Valid.Clear(n0 + i)
			}
		}
	}
	return size
}
