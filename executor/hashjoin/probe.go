package hashjoin

import (
	"errors"
	"fmt"
	"math/bits"
	"sync/atomic"

	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
)

// Prober matches probe (left) batches against a Table. It keeps the
// scratch of one goroutine from batch to batch: make one per goroutine
// with NewProber; any number may probe one table at once.
type Prober struct {
	t  *Table
	hs hasher
	// refs holds, per probe row, the slot reference of its key (0: no match).
	refs   []int32
	tags   []uint64
	hashes []uint64
	live   vector.Bitmap
	// cand holds a block's home slots.
	cand []slot
	// pos, pend, retry, brow and ok verify tag matches (general mode).
	pos         []int
	pend, retry []int32
	brow        []int32
	ok          []bool
	// lsel and rsel are the output rows being assembled: left row, build
	// row (-1: none, for the outer side of left and full joins).
	lsel, rsel   []int32
	lvecs, rvecs []*vector.Vector
	out          vector.Batch

	// The call being served.
	kind      ir.JoinKind
	left      *vector.Batch
	batchSize int
	emit      func(*vector.Batch) error
}

// NewProber returns a prober of t with its own scratch.
func (t *Table) NewProber() *Prober {
	return &Prober{t: t, rvecs: make([]*vector.Vector, len(t.cols)), cand: make([]slot, probeBlock)}
}

// Probe matches the left.Len probe (left) rows by their key vectors (of
// the table's key types) and emits the output in batches of at most
// batchSize rows:
//
//   - Inner, Left, Right, Full: left's columns gathered, then the payload
//     columns gathered from the table. Left and Full emit a left row
//     without a match once, its payload columns null. Right and Full mark
//     the build rows they match, for Unmatched.
//   - Semi: left's columns of each row that has a match, once.
//   - Anti: left's columns of each row that has none.
//
// Output follows the probe order, and a probe row's matches follow the
// build order, so results are deterministic. Null keys never match. The
// emitted batch is only valid during emit and must not be modified: it
// may share vectors with left (when every left row is output once, in
// order) and is reused by the next call. A nil column of left (one nothing
// downstream reads) is a nil column of the output.
func (p *Prober) Probe(kind ir.JoinKind, keys []*vector.Vector, left *vector.Batch, batchSize int, emit func(*vector.Batch) error) error {
	t := p.t
	if kind < ir.InnerJoin || kind > ir.AntiJoin {
		return fmt.Errorf("hashjoin: unknown join kind %d", kind)
	}
	if batchSize <= 0 {
		return fmt.Errorf("hashjoin: batch size %d", batchSize)
	}
	if left == nil {
		return errors.New("hashjoin: Probe without a left batch")
	}
	n := left.Len
	if err := checkKeys(t.keyTypes, keys, n); err != nil {
		return err
	}
	for i, v := range left.Cols {
		if v == nil { // a column nothing downstream reads: stays absent
			continue
		}
		if err := checkVector(v, v.Type, n); err != nil {
			return fmt.Errorf("hashjoin: left column %d: %w", i, err)
		}
	}
	if n == 0 {
		return nil
	}
	p.refs = grow(p.refs, n)
	switch {
	case t.distinct == 0: // empty build side, or only null keys
		clear(p.refs)
	case t.direct:
		p.lookupDirect(keys[0], n)
	default:
		if err := p.lookupGeneral(keys, n); err != nil {
			return fmt.Errorf("hashjoin: %w", err)
		}
	}
	p.kind, p.left, p.batchSize, p.emit = kind, left, batchSize, emit
	defer func() {
		// Keep nothing of the caller's alive between calls.
		p.left, p.emit = nil, nil
		clear(p.out.Cols)
	}()
	return p.expand()
}

// lookupDirect finds the slot reference of every row of a direct key.
func (p *Prober) lookupDirect(k *vector.Vector, n int) {
	refs := p.refs[:n]
	switch {
	case p.t.dense != nil && k.Phys == vector.PhysInt64:
		lookupDense(p.t, k.I64[:n], refs)
	case p.t.dense != nil && k.Phys == vector.PhysInt32:
		lookupDense(p.t, k.I32[:n], refs)
	case k.Phys == vector.PhysInt64:
		lookupTags(p.t, k.I64[:n], refs, p.cand)
	case k.Phys == vector.PhysInt32:
		lookupTags(p.t, k.I32[:n], refs, p.cand)
	default:
		p.tags = tagsOf(k, n, p.tags)
		if p.t.dense != nil {
			lookupDense(p.t, p.tags, refs)
		} else {
			lookupTags(p.t, p.tags, refs, p.cand)
		}
	}
	// A null row's key is garbage that may well have matched: clear it
	// here rather than test validity in the loops above.
	if k.Valid != nil {
		for w, word := range k.Valid[:(n+63)>>6] {
			for m := ^word; m != 0; m &= m - 1 {
				if i := w*64 + bits.TrailingZeros64(m); i < n {
					refs[i] = 0
				}
			}
		}
	}
}

// lookupDense is the probe loop of a dense table: one bounds check and one
// load per row, no branch on the loaded value, so that the loads of many
// rows are in flight at once.
func lookupDense[K integer](t *Table, keys []K, refs []int32) {
	dense, lo := t.dense, t.denseMin
	size := uint64(len(dense))
	refs = refs[:len(keys)]
	for i, k := range keys {
		var ref int32
		if x := uint64(k) - lo; x < size {
			ref = dense[x]
		}
		refs[i] = ref
	}
}

// probeBlock is the rows whose home slots are fetched before any is
// examined (16 KiB of candidates, which stay in L1).
const probeBlock = 1024

// lookupTags is the probe loop of a direct hashed table. A block of rows
// first copies their home slots with branch-free loads, so that many cache
// misses overlap; only then are the copies examined. Examining slots as
// they arrive would mispredict on about half the rows (those displaced
// from their home slot) and each misprediction would throw away the loads
// in flight, serialising the misses.
func lookupTags[K integer](t *Table, keys []K, refs []int32, cand []slot) {
	slots, parts, pshift := t.slots, t.parts, t.pshift
	for lo := 0; lo < len(keys); lo += probeBlock {
		ks := keys[lo:min(lo+probeBlock, len(keys))]
		cs := cand[:len(ks)]
		rs := refs[lo : lo+len(ks)]
		for i, k := range ks {
			h := mix(uint64(k))
			pt := &parts[h>>pshift]
			cs[i] = slots[pt.base+int((h&0xffffffff)*pt.cap>>32)]
		}
		for i, k := range ks {
			tag, c := uint64(k), cs[i]
			switch {
			case c.tag == tag && c.ref != 0:
				rs[i] = c.ref
			case c.ref == 0:
				rs[i] = 0
			default: // displaced: walk on from the home slot
				h := mix(tag)
				pt := &parts[h>>pshift]
				s := pt.base + int((h&0xffffffff)*pt.cap>>32) + 1
				if s == pt.end {
					s = pt.base
				}
				rs[i] = 0
				if s, ok := t.scan(pt, s, tag); ok {
					rs[i] = slots[s].ref
				}
			}
		}
	}
}

// lookupGeneral hashes the key columns a column at a time, finds each
// row's first slot with an equal hash, then confirms the candidates a key
// column at a time; a row whose candidate differs (two keys sharing a
// 64-bit hash) resumes probing after it.
func (p *Prober) lookupGeneral(keys []*vector.Vector, n int) error {
	t := p.t
	h := grow(p.hashes, n)
	p.hashes = h
	for i, k := range keys {
		if err := p.hs.column(k, 0, n, h, i == 0); err != nil {
			return fmt.Errorf("key %d: %w", i, err)
		}
	}
	if len(keys) == 0 {
		clear(h)
	}
	if hashMask != ^uint64(0) {
		for i := range h {
			h[i] &= hashMask
		}
	}
	live := p.liveRows(keys, n)
	refs := p.refs[:n]
	pos := grow(p.pos, n)
	p.pos = pos
	pend := p.pend[:0]
	for lo := 0; lo < n; lo += probeBlock { // home slots first, as in lookupTags
		hi := min(lo+probeBlock, n)
		cs := p.cand[:hi-lo]
		for i := lo; i < hi; i++ {
			hv := h[i]
			pt := &t.parts[hv>>t.pshift]
			cs[i-lo] = t.slots[pt.base+int((hv&0xffffffff)*pt.cap>>32)]
		}
		for i := lo; i < hi; i++ {
			refs[i] = 0
			c := cs[i-lo]
			if c.ref == 0 || (live != nil && !live.Get(i)) {
				continue
			}
			hv := h[i]
			pt := &t.parts[hv>>t.pshift]
			s := pt.base + int((hv&0xffffffff)*pt.cap>>32)
			if c.tag != hv {
				if s++; s == pt.end {
					s = pt.base
				}
				var ok bool
				if s, ok = t.scan(pt, s, hv); !ok {
					continue
				}
			}
			refs[i], pos[i] = t.slots[s].ref, s
			pend = append(pend, int32(i))
		}
	}
	retry := p.retry[:0]
	for len(pend) > 0 {
		brow := grow(p.brow, len(pend))
		ok := grow(p.ok, len(pend))
		p.brow, p.ok = brow, ok
		for k, i := range pend {
			brow[k], ok[k] = headOf(refs[i]), true
		}
		for c, key := range keys {
			eqColumn(key, pend, t.keys[c], brow, ok)
		}
		retry = retry[:0]
		for k, i := range pend {
			if ok[k] {
				continue
			}
			refs[i] = 0
			hv := h[i]
			pt := &t.parts[hv>>t.pshift]
			s := pos[i] + 1
			if s == pt.end {
				s = pt.base
			}
			if s, found := t.scan(pt, s, hv); found {
				refs[i], pos[i] = t.slots[s].ref, s
				retry = append(retry, i)
			}
		}
		pend, retry = retry, pend
	}
	p.pend, p.retry = pend, retry
	return nil
}

// scan probes partition pt from slot s for tag and returns the slot that
// holds it, or false at the first empty slot.
func (t *Table) scan(pt *part, s int, tag uint64) (int, bool) {
	for {
		sl := &t.slots[s]
		if sl.ref == 0 {
			return 0, false
		}
		if sl.tag == tag {
			return s, true
		}
		if s++; s == pt.end {
			s = pt.base
		}
	}
}

// liveRows returns the probe rows whose keys are all non-null (nil: all).
func (p *Prober) liveRows(keys []*vector.Vector, n int) vector.Bitmap {
	var live vector.Bitmap
	w := (n + 63) >> 6
	for _, k := range keys {
		if k.Valid == nil {
			continue
		}
		if live == nil {
			live = grow(p.live, w)
			p.live = live
			copy(live, k.Valid[:w])
			continue
		}
		for i := range live {
			live[i] &= k.Valid[i]
		}
	}
	return live
}

// expand turns the slot references into output rows, emitting a batch each
// time batchSize rows are assembled.
func (p *Prober) expand() error {
	n := p.left.Len
	refs := p.refs[:n]
	if c := min(p.batchSize, max(n, 1024)); len(p.lsel) < c {
		p.lsel, p.rsel = make([]int32, c), make([]int32, c)
	}
	lsel, rsel := p.window()
	k, misses := 0, 0
	var err error
	switch p.kind {
	case ir.SemiJoin, ir.AntiJoin:
		want := p.kind == ir.SemiJoin
		for i, ref := range refs {
			if (ref != 0) == want {
				if k == len(lsel) {
					if k, misses, err = p.makeRoom(k, misses); err != nil {
						return err
					}
					lsel, _ = p.window()
				}
				lsel[k] = int32(i)
				k++
			}
		}
	default:
		outer := p.kind == ir.LeftJoin || p.kind == ir.FullJoin
		next := p.t.next
		for i, ref := range refs {
			switch {
			case ref > 0:
				if k == len(lsel) {
					if k, misses, err = p.makeRoom(k, misses); err != nil {
						return err
					}
					lsel, rsel = p.window()
				}
				lsel[k], rsel[k] = int32(i), ref-1
				k++
			case ref < 0:
				for r := -ref - 1; r >= 0; r = next[r] {
					if k == len(lsel) {
						if k, misses, err = p.makeRoom(k, misses); err != nil {
							return err
						}
						lsel, rsel = p.window()
					}
					lsel[k], rsel[k] = int32(i), r
					k++
				}
			case outer:
				if k == len(lsel) {
					if k, misses, err = p.makeRoom(k, misses); err != nil {
						return err
					}
					lsel, rsel = p.window()
				}
				lsel[k], rsel[k] = int32(i), -1
				k++
				misses++
			}
		}
	}
	if k > 0 {
		return p.flush(k, misses)
	}
	return nil
}

// window returns the assembly buffers cut to the batch size (a previous
// call may have grown them for a larger one).
func (p *Prober) window() ([]int32, []int32) {
	n := min(len(p.lsel), p.batchSize)
	return p.lsel[:n], p.rsel[:n]
}

// makeRoom is called when the k assembled rows fill the buffers: it grows
// them up to batchSize, or emits them. It returns the rows (and misses)
// still assembled.
func (p *Prober) makeRoom(k, misses int) (int, int, error) {
	if k < p.batchSize {
		c := min(p.batchSize, 2*k)
		l, r := make([]int32, c), make([]int32, c)
		copy(l, p.lsel[:k])
		copy(r, p.rsel[:k])
		p.lsel, p.rsel = l, r
		return k, misses, nil
	}
	return 0, 0, p.flush(k, misses)
}

// flush emits the k assembled rows.
func (p *Prober) flush(k, misses int) error {
	t, left := p.t, p.left
	lsel := p.lsel[:k]
	out := &p.out
	out.Cols, out.Len = out.Cols[:0], k
	whole := k == left.Len && isIdentity(lsel)
	for j, c := range left.Cols {
		if whole || c == nil { // every left row once, in order: no copy
			out.Cols = append(out.Cols, c)
			continue
		}
		for len(p.lvecs) <= j {
			p.lvecs = append(p.lvecs, nil)
		}
		v := p.lvecs[j]
		if v == nil || v.Type != c.Type {
			v = vector.New(c.Type, k)
			p.lvecs[j] = v
		}
		v.Gather(c, lsel)
		out.Cols = append(out.Cols, v)
	}
	if p.kind <= ir.FullJoin {
		rsel := p.rsel[:k]
		if p.kind == ir.RightJoin || p.kind == ir.FullJoin {
			mark(t.matched, rsel)
		}
		for j, c := range t.cols {
			v := p.rvecs[j]
			if v == nil {
				v = vector.New(c.Type, k)
				p.rvecs[j] = v
			}
			if misses == 0 {
				v.Gather(c, rsel)
			} else {
				gatherOuter(v, c, rsel)
			}
			out.Cols = append(out.Cols, v)
		}
	}
	return p.emit(out)
}

func isIdentity(sel []int32) bool {
	for i, j := range sel {
		if j != int32(i) {
			return false
		}
	}
	return true
}

// mark sets the matched bit of every build row in rows (skipping -1). The
// plain load first keeps already-matched rows (a hot key) from bouncing
// their cache line between probing cores.
func mark(matched []uint64, rows []int32) {
	for _, r := range rows {
		if r < 0 {
			continue
		}
		w, bit := &matched[r>>6], uint64(1)<<(uint(r)&63)
		if atomic.LoadUint64(w)&bit == 0 {
			atomic.OrUint64(w, bit)
		}
	}
}

// gatherOuter is vector.Gather where sel may hold -1: a null row.
func gatherOuter(dst, src *vector.Vector, sel []int32) {
	n := len(sel)
	dst.Reset(n)
	switch {
	case src.Dict != nil:
		dst.Dict = src.Dict
		dst.Codes = grow(dst.Codes, n)
		gatherFixed(dst.Codes, src.Codes, sel) // code 0 exists in a non-empty payload dictionary
	case src.Phys == vector.PhysBool:
		gatherFixed(dst.Bool, src.Bool, sel)
	case src.Phys == vector.PhysInt32:
		gatherFixed(dst.I32, src.I32, sel)
	case src.Phys == vector.PhysInt64:
		gatherFixed(dst.I64, src.I64, sel)
	case src.Phys == vector.PhysFloat64:
		gatherFixed(dst.F64, src.F64, sel)
	case src.Phys == vector.PhysInt128:
		gatherFixed(dst.I128, src.I128, sel)
	case src.Phys == vector.PhysString:
		for i, j := range sel {
			if j >= 0 {
				dst.AppendString(i, src.Bytes[src.Offsets[j]:src.Offsets[j+1]])
			} else {
				dst.AppendString(i, nil)
			}
		}
	}
	dst.EnsureValid()
	for i, j := range sel {
		if j < 0 || (src.Valid != nil && !src.Valid.Get(int(j))) {
			dst.Valid.Clear(i)
		}
	}
}

// gatherFixed sets dst[i] = src[sel[i]], or the zero value where sel[i] < 0.
func gatherFixed[T any](dst, src []T, sel []int32) {
	var zero T
	dst = dst[:len(sel)]
	for i, j := range sel {
		if j >= 0 {
			dst[i] = src[j]
		} else {
			dst[i] = zero
		}
	}
}
