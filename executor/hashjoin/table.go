package hashjoin

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/types"
)

// slot is one entry of the open-addressing table: a distinct key. ref is 0
// for an empty slot, r+1 when row r is the key's only row, and -(r+1) when
// row r heads the chain (Table.next) of the key's rows in build order. tag
// is the key itself (direct mode) or its 64-bit hash.
type slot struct {
	tag uint64
	ref int32
}

// part is one partition of the table: slots[base:end], probed linearly
// with wrap-around inside the partition, so that partitions are built
// concurrently without sharing a slot.
type part struct {
	base, end int
	cap       uint64
}

// loadNum/loadDen is the most slots a partition fills: 0.7 keeps linear
// probing short (about 2.2 slots per hit, 6 per miss, mostly within one
// cache line) at 16/0.7 ≈ 23 bytes per distinct key.
const loadNum, loadDen = 7, 10

// capFor returns the slot count of a partition of k keys (at least one slot
// stays empty, which ends every probe).
func capFor(k int) int { return k*loadDen/loadNum + 1 }

// denseFactor bounds the key range of a dense table: at most denseFactor
// array entries (4 bytes each) per live build row. Tests set it to 0 to
// exercise the hashed layout on dense keys.
var denseFactor = 3

// partitionBytes is the slot memory of one partition to aim for (a
// fraction of a core's L2), and maxPartitions caps the count so that the
// partitioning pass keeps few enough write streams.
const (
	partitionBytes = 256 << 10
	maxPartitions  = 1024
)

// minParallelRows is the build size below which Finish stays on one
// goroutine: partitioning costs more than it saves. Tests lower it.
var minParallelRows = 1 << 15

// Table is a built hash table and the build side's payload. It is immutable
// after Finish except for the matched-row bitmap, which probes of right and
// full joins update concurrently with atomics; any number of Probers may
// run at once.
type Table struct {
	keyTypes []types.Type
	payload  types.Schema
	rows     int
	direct   bool

	// dense, when set, replaces slots: a dense integer key (ids 1..N)
	// indexes it directly, dense[tag-denseMin] holding the slot reference.
	dense    []int32
	denseMin uint64

	slots  []slot
	parts  []part
	pshift uint // partition = hash >> pshift (64 for a single partition)
	// next links the rows of a repeated key in build order (-1 ends a
	// chain); nil when every key is unique.
	next []int32
	// keys are the key columns (general mode only: a direct key is its tag).
	keys []*vector.Vector
	// cols are the payload columns, one vector of rows() rows each.
	cols []*vector.Vector
	// matched has a bit per build row that some right or full probe matched.
	matched []uint64

	distinct, nullKeys int
}

// Rows returns the number of build rows, null keys included.
func (t *Table) Rows() int { return t.rows }

// Stats describes a built table, for explain output and memory accounting.
type Stats struct {
	// Rows are the build rows; NullKeyRows of them have a null key and can
	// never match.
	Rows, NullKeyRows int
	// DistinctKeys is the number of slots in use.
	DistinctKeys int
	Partitions   int
	// Direct is true when the single key is stored as the slot's tag;
	// Dense when it indexes an array instead (dense integer keys).
	Direct, Dense bool
	// TableBytes is the hash structure (slots, chains, matched bitmap, key
	// columns); PayloadBytes the stored payload columns.
	TableBytes, PayloadBytes int64
}

// Stats returns the table's statistics.
func (t *Table) Stats() Stats {
	s := Stats{Rows: t.rows, NullKeyRows: t.nullKeys, DistinctKeys: t.distinct, Partitions: len(t.parts),
		Direct: t.direct, Dense: t.dense != nil}
	s.TableBytes = int64(cap(t.slots))*16 + int64(cap(t.dense))*4 + int64(cap(t.next))*4 + int64(cap(t.matched))*8
	for _, k := range t.keys {
		s.TableBytes += bytesHeld(k)
	}
	for _, c := range t.cols {
		s.PayloadBytes += bytesHeld(c)
	}
	return s
}

// String summarises the table for explain output.
func (s Stats) String() string {
	per := 0.0
	if s.Rows > 0 {
		per = float64(s.TableBytes) / float64(s.Rows)
	}
	layout := "hashed"
	switch {
	case s.Dense:
		layout = "dense"
	case s.Direct:
		layout = "direct"
	}
	return fmt.Sprintf("%d rows, %d distinct keys, %s, %d partitions, %.1f table bytes/row, %d payload bytes",
		s.Rows, s.DistinctKeys, layout, s.Partitions, per, s.PayloadBytes)
}

// buildState is what Finish's goroutines share.
type buildState struct {
	t      *Table
	tags   []uint64 // direct mode: the key of each row
	hashes []uint64 // general mode: the hash of each row
	live   vector.Bitmap
	// perm lists the live rows partition by partition, each in build
	// order: partition p owns perm[start[p]:start[p+1]], and ptags holds
	// their tags alongside, so that filling a partition reads memory in
	// sequence. Both are nil with a single partition, which walks the rows
	// directly.
	perm     []int32
	ptags    []uint64
	start    []int
	nextOnce sync.Once
}

// rowTags returns the slot tag of every row: the key itself (direct mode)
// or its hash.
func (bs *buildState) rowTags() []uint64 {
	if bs.t.direct {
		return bs.tags
	}
	return bs.hashes
}

// hashOf returns the hash of a slot tag.
func (bs *buildState) hashOf(tag uint64) uint64 {
	if bs.t.direct {
		return mix(tag)
	}
	return tag
}

// nextArray allocates the chain array on first use: a build side with
// unique keys (a dimension table) never pays for it.
func (bs *buildState) nextArray() []int32 {
	bs.nextOnce.Do(func() { bs.t.next = make([]int32, bs.t.rows) })
	return bs.t.next
}

// build fills the hash table.
func (t *Table) build(tags []uint64, live vector.Bitmap, workers int) error {
	n := t.rows
	bs := &buildState{t: t, tags: tags, live: live}
	liveCount := n
	if live != nil {
		liveCount = live.CountSet(n)
	}
	t.nullKeys = n - liveCount
	if n < minParallelRows {
		workers = 1
	}
	chunks := chunkRanges(n, workers)
	if t.direct && t.keyTypes[0].Kind != types.Float64 && liveCount > 0 {
		if lo, hi := bs.keyRange(chunks, workers); hi-lo < uint64(denseFactor*liveCount) {
			bs.buildDense(lo, int(hi-lo)+1, workers)
			return nil
		}
	}
	if !t.direct {
		bs.hashes = make([]uint64, n)
		err := parallel(workers, len(chunks)-1, func(c int) error {
			lo, hi := chunks[c], chunks[c+1]
			h := bs.hashes[lo:hi]
			var hs hasher
			for i, k := range t.keys {
				if err := hs.column(k, lo, hi, h, i == 0); err != nil {
					return err
				}
			}
			if len(t.keys) == 0 {
				clear(h)
			}
			if hashMask != ^uint64(0) {
				for i := range h {
					h[i] &= hashMask
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}

	// Enough partitions to keep every worker busy, and enough for a
	// partition's slots to fit a core's cache while it is being filled.
	nparts := 1
	if workers > 1 {
		nparts = 4 * workers
	}
	nparts = max(nparts, capFor(liveCount)*16/partitionBytes)
	nparts = 1 << bits.Len(uint(min(nparts, maxPartitions)-1))
	t.pshift = 64 - uint(bits.TrailingZeros(uint(nparts)))
	counts := make([]int, nparts)
	if nparts == 1 {
		counts[0] = liveCount
	} else {
		bs.partition(chunks, nparts, workers, counts)
		bs.tags, bs.hashes = nil, nil // ptags has them now
	}
	t.parts = make([]part, nparts)
	base := 0
	for p, k := range counts {
		c := capFor(k)
		t.parts[p] = part{base: base, end: base + c, cap: uint64(c)}
		base += c
	}
	t.slots = make([]slot, base)
	distinct := make([]int, nparts)
	err := parallel(workers, nparts, func(p int) error {
		var chained bool
		distinct[p], chained = bs.insert(p)
		if !t.direct && chained && bs.collides(p) {
			distinct[p] = bs.insertExact(p)
		}
		return nil
	})
	for _, d := range distinct {
		t.distinct += d
	}
	return err
}

// keyRange returns the smallest and largest live key of a direct integer
// key, as tags (signed order, so that hi-lo is the range's width).
func (bs *buildState) keyRange(chunks []int, workers int) (lo, hi uint64) {
	nc := len(chunks) - 1
	los, his := make([]int64, nc), make([]int64, nc)
	parallel(workers, nc, func(c int) error {
		mn, mx := int64(math.MaxInt64), int64(math.MinInt64)
		for r := chunks[c]; r < chunks[c+1]; r++ {
			if bs.live != nil && !bs.live.Get(r) {
				continue
			}
			k := int64(bs.tags[r])
			mn, mx = min(mn, k), max(mx, k)
		}
		los[c], his[c] = mn, mx
		return nil
	})
	mn, mx := slices.Min(los), slices.Max(his)
	if mx < mn { // no live row
		return 0, math.MaxUint64
	}
	if uint64(mx)-uint64(mn) > math.MaxInt32 {
		return 0, math.MaxUint64
	}
	return uint64(mn), uint64(mx)
}

// buildDense fills the dense array of size entries for keys lo….
// Workers own disjoint ranges of it; each walks the rows from last to first
// and puts each row of its range at the head of its key's chain, so that
// chains list rows in build order.
func (bs *buildState) buildDense(lo uint64, size, workers int) {
	t := bs.t
	t.dense, t.denseMin = make([]int32, size), lo
	ranges := chunkRanges(size, workers)
	distinct := make([]int, len(ranges)-1)
	parallel(workers, len(ranges)-1, func(w int) error {
		from, to := uint64(ranges[w]), uint64(ranges[w+1])
		dense, tags := t.dense, bs.tags
		var next []int32
		d := 0
		for r := t.rows - 1; r >= 0; r-- {
			x := tags[r] - lo
			if x < from || x >= to || (bs.live != nil && !bs.live.Get(r)) {
				continue
			}
			ref := dense[x]
			switch {
			case ref == 0:
				d++
			case ref > 0:
				if next == nil {
					next = bs.nextArray()
				}
				next[ref-1] = -1
				next[r] = ref - 1
			default:
				next[r] = -ref - 1
			}
			if ref == 0 {
				dense[x] = int32(r) + 1
			} else {
				dense[x] = -(int32(r) + 1)
			}
		}
		distinct[w] = d
		return nil
	})
	for _, d := range distinct {
		t.distinct += d
	}
}

// chunkRanges splits [0, n) into k near-equal ranges: bounds[c], bounds[c+1].
func chunkRanges(n, k int) []int {
	k = max(1, min(k, n))
	b := make([]int, k+1)
	for c := range b {
		b[c] = c * n / k
	}
	return b
}

// partition fills bs.perm and bs.start: a counting sort of the live rows by
// partition, stable, so that each partition lists its rows in build order.
func (bs *buildState) partition(chunks []int, nparts, workers int, counts []int) {
	t := bs.t
	tags := bs.rowTags()
	nc := len(chunks) - 1
	hist := make([][]int, nc)
	parallel(workers, nc, func(c int) error {
		h := make([]int, nparts)
		for r := chunks[c]; r < chunks[c+1]; r++ {
			if bs.live == nil || bs.live.Get(r) {
				h[bs.hashOf(tags[r])>>t.pshift]++
			}
		}
		hist[c] = h
		return nil
	})
	bs.start = make([]int, nparts+1)
	off := 0
	for p := 0; p < nparts; p++ {
		bs.start[p] = off
		for c := 0; c < nc; c++ {
			k := hist[c][p]
			hist[c][p] = off
			off += k
			counts[p] += k
		}
	}
	bs.start[nparts] = off
	bs.perm, bs.ptags = make([]int32, off), make([]uint64, off)
	parallel(workers, nc, func(c int) error {
		o := hist[c]
		for r := chunks[c]; r < chunks[c+1]; r++ {
			if bs.live == nil || bs.live.Get(r) {
				tag := tags[r]
				p := bs.hashOf(tag) >> t.pshift
				bs.perm[o[p]], bs.ptags[o[p]] = int32(r), tag
				o[p]++
			}
		}
		return nil
	})
}

// rowsOf returns partition p's rows and their tags: perm's and ptags'
// segments, or with a single partition nil rows, every row's tags, and
// the row count to walk (skipping null keys).
func (bs *buildState) rowsOf(p int) ([]int32, []uint64, int) {
	if bs.perm == nil {
		return nil, bs.rowTags(), bs.t.rows
	}
	rows := bs.perm[bs.start[p]:bs.start[p+1]]
	return rows, bs.ptags[bs.start[p]:bs.start[p+1]], len(rows)
}

// insert fills partition p, taking a tag match for a key match (exact in
// direct mode; general mode then checks with collides). Rows are inserted
// from last to first and each is put at the head of its key's chain, so
// that chains list rows in build order. It returns the distinct keys and
// whether any key repeats.
func (bs *buildState) insert(p int) (int, bool) {
	t := bs.t
	pt := t.parts[p]
	slots := t.slots[pt.base:pt.end]
	rows, tags, count := bs.rowsOf(p)
	var next []int32
	distinct := 0
	for j := count - 1; j >= 0; j-- {
		r := int32(j)
		if rows != nil {
			r = rows[j]
		} else if bs.live != nil && !bs.live.Get(j) {
			continue
		}
		tag := tags[j]
		h := tag
		if t.direct {
			h = mix(tag)
		}
		s := int((h & 0xffffffff) * pt.cap >> 32)
		for {
			sl := &slots[s]
			if sl.ref == 0 {
				sl.tag, sl.ref = tag, r+1
				distinct++
				break
			}
			if sl.tag == tag {
				if next == nil {
					next = bs.nextArray()
				}
				if sl.ref > 0 {
					next[sl.ref-1] = -1
					next[r] = sl.ref - 1
				} else {
					next[r] = -sl.ref - 1
				}
				sl.ref = -(r + 1)
				break
			}
			if s++; s == len(slots) {
				s = 0
			}
		}
	}
	return distinct, next != nil
}

// headOf returns the first row of a slot's reference.
func headOf(ref int32) int32 {
	if ref > 0 {
		return ref - 1
	}
	return -ref - 1
}

// collides reports whether some chain of partition p mixes different keys
// that share a 64-bit hash. It compares every chained row with its chain's
// head, a key column at a time over blocks of pairs. Only partitions that
// chained rows call it, after allocating the chain array.
func (bs *buildState) collides(p int) bool {
	t := bs.t
	if len(t.keys) == 0 {
		return false
	}
	next := bs.nextArray()
	pt := t.parts[p]
	const block = 1024
	ai := make([]int32, 0, block)
	bi := make([]int32, 0, block)
	ok := make([]bool, block)
	check := func() bool {
		o := ok[:len(ai)]
		for k := range o {
			o[k] = true
		}
		for _, k := range t.keys {
			eqColumn(k, ai, k, bi, o)
		}
		for _, x := range o {
			if !x {
				return true
			}
		}
		ai, bi = ai[:0], bi[:0]
		return false
	}
	for _, sl := range t.slots[pt.base:pt.end] {
		if sl.ref >= 0 {
			continue
		}
		head := -sl.ref - 1
		for r := next[head]; r >= 0; r = next[r] {
			ai, bi = append(ai, r), append(bi, head)
			if len(ai) == block && check() {
				return true
			}
		}
	}
	return len(ai) > 0 && check()
}

// insertExact refills partition p comparing keys on every tag match, for
// the partitions where two keys share a hash. It is row at a time, which
// is fine for what 64-bit hashes make vanishingly rare.
func (bs *buildState) insertExact(p int) int {
	t := bs.t
	pt := t.parts[p]
	slots := t.slots[pt.base:pt.end]
	clear(slots)
	rows, tags, count := bs.rowsOf(p)
	next := bs.nextArray()
	ai, bi, ok := make([]int32, 1), make([]int32, 1), make([]bool, 1)
	distinct := 0
	for j := count - 1; j >= 0; j-- {
		r := int32(j)
		if rows != nil {
			r = rows[j]
		} else if bs.live != nil && !bs.live.Get(j) {
			continue
		}
		h := tags[j]
		s := int((h & 0xffffffff) * pt.cap >> 32)
		for {
			sl := &slots[s]
			if sl.ref == 0 {
				sl.tag, sl.ref = h, r+1
				distinct++
				break
			}
			if sl.tag == h {
				ai[0], bi[0], ok[0] = r, headOf(sl.ref), true
				for _, k := range t.keys {
					eqColumn(k, ai, k, bi, ok)
				}
				if ok[0] {
					if sl.ref > 0 {
						next[sl.ref-1] = -1
						next[r] = sl.ref - 1
					} else {
						next[r] = -sl.ref - 1
					}
					sl.ref = -(r + 1)
					break
				}
			}
			if s++; s == len(slots) {
				s = 0
			}
		}
	}
	return distinct
}

// parallel runs fn(0) … fn(tasks-1) on up to workers goroutines and
// returns the errors joined.
func parallel(workers, tasks int, fn func(task int) error) error {
	if workers <= 1 || tasks <= 1 {
		for i := 0; i < tasks; i++ {
			if err := fn(i); err != nil {
				return err
			}
		}
		return nil
	}
	var (
		nextTask atomic.Int64
		wg       sync.WaitGroup
		mu       sync.Mutex
		errs     []error
	)
	for w := 0; w < min(workers, tasks); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(nextTask.Add(1) - 1)
				if i >= tasks {
					return
				}
				if err := fn(i); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Unmatched emits, once every probe has finished, the build rows that no
// right or full probe matched (rows with null keys included), in build
// order, in batches of at most batchSize rows: leftSchema's columns, all
// null, then the payload columns. The batch is only valid during emit and
// must not be modified. It may be called from any goroutine, but not while
// probes run.
func (t *Table) Unmatched(leftSchema types.Schema, batchSize int, emit func(*vector.Batch) error) error {
	if batchSize <= 0 {
		return fmt.Errorf("hashjoin: batch size %d", batchSize)
	}
	for _, c := range leftSchema {
		if vector.PhysicalOf(c.Type) == 0 {
			return fmt.Errorf("hashjoin: left column %q has no storage for type %s", c.Name, c.Type)
		}
	}
	out := &vector.Batch{Cols: make([]*vector.Vector, 0, len(leftSchema)+len(t.cols))}
	lvecs := make([]*vector.Vector, len(leftSchema))
	rvecs := make([]*vector.Vector, len(t.cols))
	sel := make([]int32, 0, min(batchSize, t.rows))
	flush := func() error {
		k := len(sel)
		out.Cols, out.Len = out.Cols[:0], k
		for i, c := range leftSchema {
			if lvecs[i] == nil {
				lvecs[i] = vector.New(c.Type, k)
			}
			setNull(lvecs[i], k)
			out.Cols = append(out.Cols, lvecs[i])
		}
		for i, c := range t.cols {
			if rvecs[i] == nil {
				rvecs[i] = vector.New(c.Type, k)
			}
			rvecs[i].Gather(c, sel)
			out.Cols = append(out.Cols, rvecs[i])
		}
		sel = sel[:0]
		return emit(out)
	}
	for w, word := range t.matched {
		un := ^word
		if rest := t.rows - w*64; rest < 64 {
			un &= 1<<uint(rest) - 1
		}
		for un != 0 {
			sel = append(sel, int32(w*64+bits.TrailingZeros64(un)))
			un &= un - 1
			if len(sel) == batchSize {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	if len(sel) > 0 {
		return flush()
	}
	return nil
}

// setNull makes v hold n null rows (zero values, empty strings).
func setNull(v *vector.Vector, n int) {
	v.Reset(n)
	switch v.Phys {
	case vector.PhysBool:
		clear(v.Bool)
	case vector.PhysInt32:
		clear(v.I32)
	case vector.PhysInt64:
		clear(v.I64)
	case vector.PhysFloat64:
		clear(v.F64)
	case vector.PhysInt128:
		clear(v.I128)
	case vector.PhysString:
		clear(v.Offsets)
	}
	v.EnsureValid()
	clear(v.Valid)
}
