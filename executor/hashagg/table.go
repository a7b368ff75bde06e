package hashagg

import (
	"fmt"
	"math"

	"github.com/meshctl/meshctl/executor/vector"
)

// mode is how a table finds the group of a row.
type mode uint8

const (
	// modeNoKeys: no key columns, one group.
	modeNoKeys mode = iota + 1
	// modeFixed: one fixed-width key (bool, integers, dates, timestamps,
	// decimals of at most 18 digits, float64), stored in the slot itself.
	modeFixed
	// modeString: one string key, flat or dictionary-encoded.
	modeString
	// modeGeneral: several keys, or one 38-digit decimal key, hashed and
	// compared column at a time.
	modeGeneral
	// modePair: count_distinct's (group id, fixed-width value) sets.
	modePair
)

// fixSlot is a slot of the single fixed-width key index.
type fixSlot struct {
	key uint64
	gid uint32 // group id + 1; 0 marks an empty slot
}

const (
	// maxGroups bounds the groups of one table: group ids are uint32 and
	// slots store id+1.
	maxGroups = math.MaxUint32 - 1
	// probeChunk is how many rows the multi-key path probes at a time; the
	// index is grown before each chunk so that every row of it fits.
	probeChunk = 512
	// prefetchChunk is how many rows load their slots (or aggregate
	// states) before any of them is processed: enough to overlap many
	// cache misses, few enough that the lines are still cached after.
	prefetchChunk = 256
	// prefetchSlots is the index size from which slots are loaded ahead.
	prefetchSlots = 1 << 16

	// tagMask selects the hash bits a slot of the string and multi-key
	// indexes keeps to skip most key comparisons.
	tagMask = ^uint64(math.MaxUint32)
)

// prefetchGroups is the group count from which aggregate states are
// loaded ahead (below it they stay in cache anyway). A variable so that
// tests can take the chunked path with few groups.
var prefetchGroups = 1 << 15

// Table is one worker's partial aggregation; not safe for concurrent use.
// Create it with NewTable, feed it with Add, and hand it to Finish, which
// takes it over (a table must not be used after Finish).
type Table struct {
	spec *Spec
	// err is a spec error, returned by Add and Finish.
	err  error
	mode mode
	aggs []aggState

	// n is the number of groups; hashes and first are indexed by group id.
	n int
	// hashes holds each group's key hash (to grow the index and to
	// partition the merge without rehashing strings).
	hashes []uint64
	// first is each group's smallest input position seen.
	first []uint64
	keys  []keyCol
	arena arena
	// nullGid is the group of the null key in the single-key modes, where
	// the null key stays out of the index.
	nullGid uint32
	hasNull bool

	// The index: fix in modeFixed, strs in modeString, pairs in modePair,
	// slots (hash tag | gid+1) in modeGeneral.
	fix    []fixSlot
	strs   []strSlot
	pairs  []pairSlot
	slots  []uint64
	mask   uint64
	growAt int

	// spill is set once the table has partitioned itself.
	spill *spill

	// maxEnd is one past the largest input position added so far: a batch
	// that starts at or after it cannot lower any group's first position.
	maxEnd uint64

	// Scratch reused from batch to batch.
	gids      []uint32
	norm      [][]uint64
	hs        []uint64
	pos       []uint64
	cand      []uint32
	selA      []int32
	selB      []int32
	cmpRows   []int32
	newRows   []int32
	eq        []bool
	dictCache []uint64
	dictHash  []uint64
	epoch     uint32
	// sink receives the loads that warm the cache ahead of probing, so
	// that the compiler keeps them.
	sink uint64
}

// NewTable returns an empty partial aggregation for spec, which must not
// change afterwards (the tables of one Finish may share it). An invalid
// spec (see Spec.Validate) makes Add and Finish return the error.
func NewTable(spec *Spec) *Table {
	if spec == nil {
		return &Table{spec: &Spec{}, err: fmt.Errorf("hashagg: nil spec")}
	}
	t := &Table{spec: spec}
	t.err = spec.Validate()
	if t.err != nil {
		return t
	}
	t.keys = make([]keyCol, len(spec.KeyTypes))
	for i, kt := range spec.KeyTypes {
		t.keys[i] = keyCol{typ: kt, kind: keyKindOf(vector.PhysicalOf(kt))}
	}
	switch {
	case len(spec.KeyTypes) == 0:
		t.mode = modeNoKeys
	case len(spec.KeyTypes) > 1:
		t.mode = modeGeneral
	case t.keys[0].kind == keyU64:
		t.mode = modeFixed
	case t.keys[0].kind == keyStr:
		t.mode = modeString
	default:
		t.mode = modeGeneral
	}
	if t.mode == modeGeneral {
		for i := range t.keys {
			if t.keys[i].kind == keyStr {
				t.keys[i].intern = newIntern()
			}
		}
	}
	t.norm = make([][]uint64, len(spec.KeyTypes))
	t.aggs = make([]aggState, len(spec.Aggs))
	for i, a := range spec.Aggs {
		t.aggs[i] = newAggState(a, t.mode == modeNoKeys)
	}
	switch t.mode {
	case modeNoKeys:
		t.addGroup(noKeyHash, 0)
	case modeFixed:
		t.fix = make([]fixSlot, 16)
		t.mask, t.growAt = 15, maxLoad(16)
	case modeString:
		t.strs = make([]strSlot, 16)
		t.mask, t.growAt = 15, maxLoad(16)
	default:
		t.slots = make([]uint64, 16)
		t.mask, t.growAt = 15, maxLoad(16)
	}
	t.ensureStates()
	return t
}

// Len returns the number of groups the table holds.
func (t *Table) Len() int { return t.groups() }

// Add aggregates n rows: keys[i] and args[j] are vectors of at least n
// rows (args[j] is nil for AggCountRows). seq is the position of the
// batch's first row in the input's sequential order (the caller passes
// morselIndex<<32 | rowOffsetInMorsel); row r has position seq+r.
// Positions must be unique across all the tables given to one Finish.
// The vectors are only read during the call: strings are copied.
func (t *Table) Add(keys, args []*vector.Vector, n int, seq uint64) error {
	if t.err != nil {
		return t.err
	}
	if len(keys) != len(t.spec.KeyTypes) || len(args) != len(t.spec.Aggs) {
		return fmt.Errorf("hashagg: got %d key and %d argument vectors, want %d and %d",
			len(keys), len(args), len(t.spec.KeyTypes), len(t.spec.Aggs))
	}
	if n <= 0 {
		if n < 0 {
			return fmt.Errorf("hashagg: negative row count %d", n)
		}
		return nil
	}
	if seq > math.MaxUint64-uint64(n) {
		return fmt.Errorf("hashagg: input position %d overflows", seq)
	}
	for i, v := range keys {
		// The single string key's dictionary codes are checked as they
		// are mapped (probeDict).
		if err := checkVector(v, t.spec.KeyTypes[i], n, t.mode != modeString); err != nil {
			return fmt.Errorf("hashagg: key %d: %w", i, err)
		}
	}
	for i, v := range args {
		if t.aggs[i].kind == kCountRows {
			continue
		}
		if err := checkVector(v, t.spec.Aggs[i].ArgType, n, true); err != nil {
			return fmt.Errorf("hashagg: argument of aggregate %d: %w", i, err)
		}
	}
	if t.spill != nil {
		return t.spillRows(keys, args, n, seq)
	}
	if err := t.addRows(keys, args, n, positions{seq: seq}); err != nil {
		return err
	}
	if t.n >= spillGroups && t.mode != modeNoKeys {
		return t.startSpill()
	}
	return nil
}

// positions gives the input position of each row of a batch: seq+r, or
// pos[r] when pos is set (rows gathered from several batches).
type positions struct {
	seq uint64
	pos []uint64
}

func (p positions) at(r int) uint64 {
	if p.pos != nil {
		return p.pos[r]
	}
	return p.seq + uint64(r)
}

// addRows aggregates n checked rows at positions ps.
func (t *Table) addRows(keys, args []*vector.Vector, n int, ps positions) error {
	gids, err := t.findOrInsert(keys, n, ps)
	if err != nil {
		return err
	}
	switch {
	case ps.pos != nil:
		first := t.first
		for r, g := range gids {
			if p := ps.pos[r]; p < first[g] {
				first[g] = p
			}
		}
	case ps.seq < t.maxEnd:
		// Batches arrived out of order: an older group may first appear
		// here. (New groups already hold their first row in this batch.)
		first := t.first
		for r, g := range gids {
			if p := ps.seq + uint64(r); p < first[g] {
				first[g] = p
			}
		}
		t.maxEnd = max(t.maxEnd, ps.seq+uint64(n))
	default:
		t.maxEnd = ps.seq + uint64(n)
	}
	if t.n < prefetchGroups {
		for i := range t.aggs {
			if err := t.aggs[i].update(gids, args[i], n); err != nil {
				return err
			}
		}
		return nil
	}
	// Many groups: states are cache misses. Go by chunks (of a multiple of
	// 64 rows, so that views of the vectors keep their bitmaps aligned),
	// loading the chunk's states before updating them.
	for lo := 0; lo < n; lo += prefetchChunk {
		hi := min(lo+prefetchChunk, n)
		for i := range t.aggs {
			a := &t.aggs[i]
			v := args[i]
			if v != nil {
				viewOf(&a.view, v, lo, hi)
				v = &a.view
			}
			t.sink += a.touch(gids[lo:hi])
			if err := a.update(gids[lo:hi], v, hi-lo); err != nil {
				return err
			}
		}
	}
	return nil
}

// viewOf makes dst a view of v's rows [lo, hi), lo a multiple of 64.
func viewOf(dst, v *vector.Vector, lo, hi int) {
	*dst = vector.Vector{Type: v.Type, Phys: v.Phys, Len: hi - lo, Dict: v.Dict}
	if v.Valid != nil {
		dst.Valid = v.Valid[lo>>6:]
	}
	switch v.Phys {
	case vector.PhysBool:
		dst.Bool = v.Bool[lo:hi]
	case vector.PhysInt32:
		dst.I32 = v.I32[lo:hi]
	case vector.PhysInt64:
		dst.I64 = v.I64[lo:hi]
	case vector.PhysFloat64:
		dst.F64 = v.F64[lo:hi]
	case vector.PhysInt128:
		dst.I128 = v.I128[lo:hi]
	case vector.PhysString:
		if v.Dict != nil {
			dst.Codes = v.Codes[lo:hi]
		} else {
			dst.Offsets = v.Offsets[lo : hi+1]
			dst.Bytes = v.Bytes
		}
	}
}

// addGroup creates a group (its keys are appended by the caller).
func (t *Table) addGroup(h, pos uint64) uint32 {
	g := uint32(t.n)
	t.n++
	t.hashes = append(t.hashes, h)
	t.first = append(t.first, pos)
	return g
}

// findOrInsert returns the group id of each of the n rows of keys (in
// scratch memory valid until the next call), creating groups whose first
// position is ps.at(r) for rows r that start one, and grows the aggregate
// states to match.
func (t *Table) findOrInsert(keys []*vector.Vector, n int, ps positions) ([]uint32, error) {
	if t.n+n > maxGroups {
		return nil, fmt.Errorf("hashagg: more than %d groups in one table", maxGroups)
	}
	gids := grow(t.gids, n)
	t.gids = gids
	switch t.mode {
	case modeNoKeys:
		clear(gids)
		return gids, nil
	case modeFixed:
		v := keys[0]
		switch v.Phys {
		case vector.PhysInt32:
			probeFixed(t, v.I32[:n], v.Valid, ps, gids)
		case vector.PhysInt64:
			probeFixed(t, v.I64[:n], v.Valid, ps, gids)
		default:
			t.norm[0] = normU64(t.norm[0], v, n)
			probeFixed(t, t.norm[0], v.Valid, ps, gids)
		}
	case modeString:
		if keys[0].Dict != nil {
			if err := t.probeDict(keys[0], n, ps, gids); err != nil {
				return nil, err
			}
		} else {
			t.probeFlat(keys[0], n, ps, gids)
		}
	case modeGeneral:
		if err := t.probeGeneral(keys, n, ps, gids); err != nil {
			return nil, err
		}
	case modePair:
		t.probePairs(keys[0], keys[1], n, ps, gids)
	}
	t.ensureStates()
	return gids, nil
}

// nullGroup returns the null key's group in the single-key modes,
// creating it at position pos.
func (t *Table) nullGroup(pos uint64) uint32 {
	if !t.hasNull {
		t.nullGid = t.addGroup(nullHash, pos)
		t.hasNull = true
		t.keys[0].appendNull()
	}
	return t.nullGid
}

// probeFixed finds the groups of a single fixed-width key column. T is the
// stored integer type; its value widened to uint64 is the key. The hot
// loop (hitsFixed) only follows rows whose key is already in the index;
// inserting, growing and nulls take the slower path. With a large index,
// each chunk of rows first loads its slots, so that the cache misses
// overlap instead of following one another.
func probeFixed[T int32 | int64 | uint64](t *Table, vals []T, valid vector.Bitmap, ps positions, gids []uint32) {
	if valid != nil {
		for r, x := range vals {
			if valid[r>>6]&(1<<(uint(r)&63)) == 0 {
				gids[r] = t.nullGroup(ps.at(r))
			} else {
				gids[r] = t.findFixed(uint64(x), ps.at(r))
			}
		}
		return
	}
	for lo := 0; lo < len(vals); lo += prefetchChunk {
		chunk := vals[lo:min(lo+prefetchChunk, len(vals))]
		if len(t.fix) >= prefetchSlots {
			t.sink += touchFixed(t.fix, t.mask, chunk)
		}
		out := gids[lo : lo+len(chunk)]
		for i := 0; ; i++ {
			i += hitsFixed(t.fix, t.mask, chunk[i:], out[i:])
			if i == len(chunk) {
				break
			}
			out[i] = t.findFixed(uint64(chunk[i]), ps.at(lo+i))
		}
	}
}

// touchFixed loads the slot of every key of vals.
func touchFixed[T int32 | int64 | uint64](slots []fixSlot, mask uint64, vals []T) uint64 {
	var sink uint64
	for _, x := range vals {
		sink += slots[mix64(uint64(x))&mask].key
	}
	return sink
}

// hitsFixed maps keys to groups for as long as they are in the index, and
// returns how many it mapped.
func hitsFixed[T int32 | int64 | uint64](slots []fixSlot, mask uint64, vals []T, gids []uint32) int {
	gids = gids[:len(vals)]
	for i, x := range vals {
		k := uint64(x)
		j := mix64(k) & mask
		for {
			s := &slots[j]
			if s.gid == 0 {
				return i
			}
			if s.key == k {
				gids[i] = s.gid - 1
				break
			}
			j = (j + 1) & mask
		}
	}
	return len(vals)
}

// findFixed returns the group of key k, creating it at position pos.
func (t *Table) findFixed(k, pos uint64) uint32 {
	h := mix64(k)
	for {
		j := h & t.mask
		for {
			s := &t.fix[j]
			if s.gid == 0 {
				break
			}
			if s.key == k {
				return s.gid - 1
			}
			j = (j + 1) & t.mask
		}
		if t.n < t.growAt {
			g := t.addGroup(h, pos)
			kc := &t.keys[0]
			kc.u64 = append(kc.u64, k)
			kc.null = append(kc.null, false)
			t.fix[j] = fixSlot{key: k, gid: g + 1}
			return g
		}
		t.growFixed()
	}
}

// growFixed doubles the fixed-key index.
func (t *Table) growFixed() {
	size := 2 * len(t.fix)
	t.fix = make([]fixSlot, size)
	t.mask = uint64(size - 1)
	t.growAt = maxLoad(size)
	keys := t.keys[0].u64
	for g, h := range t.hashes {
		if t.hasNull && uint32(g) == t.nullGid {
			continue
		}
		i := h & t.mask
		for t.fix[i].gid != 0 {
			i = (i + 1) & t.mask
		}
		t.fix[i] = fixSlot{key: keys[g], gid: uint32(g) + 1}
	}
}

// growSlots doubles the multi-key index.
func (t *Table) growSlots() {
	size := 2 * len(t.slots)
	t.slots = make([]uint64, size)
	t.mask = uint64(size - 1)
	t.growAt = maxLoad(size)
	for g, h := range t.hashes {
		i := h & t.mask
		for t.slots[i] != 0 {
			i = (i + 1) & t.mask
		}
		t.slots[i] = h&tagMask | uint64(g+1)
	}
}

// maxLoad is the number of groups an index of size slots holds before it
// doubles: a quarter while it is small (collisions cost branch
// mispredictions, memory is cheap), half once it is large (cache misses
// dominate and memory counts).
func maxLoad(size int) int {
	if size <= 1<<16 {
		return size / 4
	}
	return size / 4 * 3
}
