package hashagg

import (
	"cmp"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

const (
	// parallelMergeMin is the number of groups below which tables are
	// merged by one goroutine: partitioning would cost more than it saves.
	parallelMergeMin = 1 << 14
	// maxPartitions bounds the hash partitions of a parallel merge.
	maxPartitions = 256
	// mergeChunk is how many groups or distinct values are merged at a
	// time.
	mergeChunk = 4096
)

// Finish merges the partial tables of all workers, using up to workers
// goroutines (by hash partition), and returns the groups as batches of at
// most batchSize rows: the key columns, then one column per aggregate
// (types Spec.KeyTypes, then AggSpec.OutType). Groups come in the order of
// their first row in the sequential input order, so the result is the same
// whatever the number of workers and however morsels were assigned to
// them. With keys and no input there is no batch; without keys there is
// always exactly one row.
//
// Finish takes the tables over: they must not be used afterwards. The
// returned batches share no memory with them.
func Finish(tables []*Table, workers, batchSize int) ([]*vector.Batch, error) {
	if len(tables) == 0 {
		return nil, errors.New("hashagg: Finish needs at least one table")
	}
	if batchSize <= 0 {
		return nil, fmt.Errorf("hashagg: batch size %d is not positive", batchSize)
	}
	workers = max(workers, 1)
	spec := tables[0].spec
	for _, t := range tables {
		if t.err != nil {
			return nil, t.err
		}
		if !sameSpec(t.spec, spec) {
			return nil, errors.New("hashagg: Finish got tables of different specs")
		}
	}
	parts, err := merge(tables, workers)
	if err != nil {
		return nil, err
	}
	refs := order(parts)
	return emit(spec, parts, refs, workers, batchSize)
}

// parallel runs fn(0) … fn(n-1) on up to workers goroutines and returns
// the error of the smallest i that failed, so that the reported error does
// not depend on scheduling.
func parallel(workers, n int, fn func(i int) error) error {
	if workers <= 1 || n <= 1 {
		for i := range n {
			if err := fn(i); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				errs[i] = fn(i)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// merge combines the tables into partitions that hold disjoint groups.
func merge(tables []*Table, workers int) ([]*Table, error) {
	spilled := false
	total, largest := 0, 0
	for _, t := range tables {
		spilled = spilled || t.spill != nil
		total += t.groups()
		largest = max(largest, t.groups())
	}
	if len(tables) == 1 {
		if spilled {
			// Aggregate the rows still buffered, by partition.
			t := tables[0]
			if err := parallel(workers, spillParts, func(p int) error { return t.flushPart(p, false) }); err != nil {
				return nil, err
			}
			return t.spill.parts, nil
		}
		return tables, nil
	}
	if spilled {
		return mergePartitions(tables, workers, spillParts, largest)
	}
	nparts := 1
	if tables[0].mode != modeNoKeys && workers > 1 && total >= parallelMergeMin {
		nparts = min(maxPartitions, 1<<bits.Len(uint(4*workers-1)))
	}
	if nparts > 1 {
		return mergePartitions(tables, workers, nparts, largest)
	}
	// Merge into the largest table, which keeps its groups in place.
	dsti := 0
	for k, t := range tables {
		if t.n > tables[dsti].n {
			dsti = k
		}
	}
	dst := tables[dsti]
	m := newMerger(dst.spec)
	for k, src := range tables {
		if k == dsti {
			continue
		}
		if err := m.mergeSource(dst, source{t: src, dstOf: make([]uint32, src.n)}); err != nil {
			return nil, err
		}
	}
	return []*Table{dst}, nil
}

// source is what one table brings to one partition of a merge: the
// groups ids (nil: all of them) and, per count_distinct aggregate, the
// entries of its set (nil: all of them), with dstOf to record where each
// group went.
type source struct {
	t       *Table
	groups  []uint32
	entries [][]uint32
	dstOf   []uint32
}

// mergePartitions merges the tables by hash partition on up to workers
// goroutines. A partitioned table brings its partition tables whole (with
// spillParts partitions); the others are bucketed by the top bits of their
// groups' hashes.
func mergePartitions(tables []*Table, workers, nparts, largest int) ([]*Table, error) {
	spec := tables[0].spec
	shift := 64 - uint(bits.TrailingZeros(uint(nparts)))
	buckets := make([]tableBuckets, len(tables))
	dstOf := make([][]uint32, len(tables))
	_ = parallel(workers, len(tables), func(k int) error {
		if t := tables[k]; t.spill == nil {
			buckets[k] = bucketTable(t, shift, nparts)
			dstOf[k] = make([]uint32, t.n)
		}
		return nil
	})
	parts := make([]*Table, nparts)
	err := parallel(workers, nparts, func(p int) error {
		var srcs []source
		var dst *Table
		for k, t := range tables {
			if t.spill != nil {
				// Aggregate the rows the table still buffers for p.
				if err := t.flushPart(p, false); err != nil {
					return err
				}
				pt := t.spill.parts[p]
				if dst == nil || pt.n > dst.n {
					if dst != nil {
						srcs = append(srcs, source{t: dst, dstOf: make([]uint32, dst.n)})
					}
					dst = pt
					continue
				}
				srcs = append(srcs, source{t: pt, dstOf: make([]uint32, pt.n)})
				continue
			}
			src := source{t: t, groups: buckets[k].groups[p], dstOf: dstOf[k], entries: make([][]uint32, len(t.aggs))}
			for a, e := range buckets[k].entries {
				if e != nil {
					src.entries[a] = e[p]
				}
			}
			srcs = append(srcs, src)
		}
		if dst == nil {
			dst = NewTable(spec)
			dst.reserveGroups(largest / nparts)
		}
		m := newMerger(spec)
		for _, src := range srcs {
			if err := m.mergeSource(dst, src); err != nil {
				return err
			}
		}
		parts[p] = dst
		return nil
	})
	if err != nil {
		return nil, err
	}
	return parts, nil
}

// mergeSource folds a source's groups and distinct entries into dst.
func (m *merger) mergeSource(dst *Table, src source) error {
	groups := src.groups
	if groups == nil {
		groups = iota32(src.t.n)
	}
	if err := m.mergeGroups(dst, src.t, groups, src.dstOf); err != nil {
		return err
	}
	for a := range src.t.aggs {
		sub := src.t.aggs[a].sub
		if sub == nil {
			continue
		}
		var entries []uint32
		if src.entries != nil {
			entries = src.entries[a]
		} else {
			entries = iota32(sub.n)
		}
		if err := m.mergeDistinct(dst, a, src.t, entries, src.dstOf); err != nil {
			return err
		}
	}
	return nil
}

// iota32 returns 0, 1, …, n-1.
func iota32(n int) []uint32 {
	s := make([]uint32, n)
	for i := range s {
		s[i] = uint32(i)
	}
	return s
}

// tableBuckets lists a table's groups, and its count_distinct entries, by
// hash partition of their group.
type tableBuckets struct {
	groups [][]uint32
	// entries[a][p] are the entries of aggregate a's distinct set whose
	// group falls in partition p (nil for other aggregates).
	entries [][][]uint32
}

func bucketTable(t *Table, shift uint, nparts int) tableBuckets {
	var b tableBuckets
	b.groups = bucketBy(t.n, nparts, func(g int) int { return int(t.hashes[g] >> shift) })
	b.entries = make([][][]uint32, len(t.aggs))
	for a := range t.aggs {
		sub := t.aggs[a].sub
		if sub == nil {
			continue
		}
		parent := sub.keys[0].u64
		b.entries[a] = bucketBy(sub.n, nparts, func(e int) int { return int(t.hashes[parent[e]] >> shift) })
	}
	return b
}

// bucketBy sorts 0..n-1 into nparts lists by partOf, keeping the order
// within each list.
func bucketBy(n, nparts int, partOf func(int) int) [][]uint32 {
	counts := make([]int, nparts+1)
	parts := make([]uint8, n)
	for i := range n {
		p := partOf(i)
		parts[i] = uint8(p)
		counts[p+1]++
	}
	for p := 1; p <= nparts; p++ {
		counts[p] += counts[p-1]
	}
	all := make([]uint32, n)
	next := slices.Clone(counts[:nparts])
	for i, p := range parts {
		all[next[p]] = uint32(i)
		next[p]++
	}
	out := make([][]uint32, nparts)
	for p := range out {
		out[p] = all[counts[p]:counts[p+1]:counts[p+1]]
	}
	return out
}

// reserveGroups grows the index so that m groups fit without regrowing.
func (t *Table) reserveGroups(m int) {
	switch t.mode {
	case modeFixed:
		for m > t.growAt {
			t.growFixed()
		}
	case modeString:
		for m > t.growAt {
			t.growStrings()
		}
	case modeGeneral:
		for m > t.growAt {
			t.growSlots()
		}
	case modePair:
		for m > t.growAt {
			t.growPairs()
		}
	}
}

// merger holds the scratch vectors of one merging goroutine.
type merger struct {
	spec *Spec
	one  []*Table
	keys []*vector.Vector
	vals []*vector.Vector // per aggregate: count_distinct values
	gids *vector.Vector
	refs []groupRef
}

func newMerger(spec *Spec) *merger {
	m := &merger{spec: spec, one: make([]*Table, 1), gids: vector.New(types.Int64Type, 0)}
	for _, kt := range spec.KeyTypes {
		m.keys = append(m.keys, vector.New(kt, 0))
	}
	m.vals = make([]*vector.Vector, len(spec.Aggs))
	for i, a := range spec.Aggs {
		if a.Fn == ir.AggCountDistinct {
			m.vals[i] = vector.New(a.ArgType, 0)
		}
	}
	return m
}

// refsOf points m.refs at ids of table 0.
func (m *merger) refsOf(ids []uint32) []groupRef {
	m.refs = m.refs[:0]
	for _, g := range ids {
		m.refs = append(m.refs, groupRef{gid: g})
	}
	return m.refs
}

// mergeGroups folds src's groups ids into dst, recording where each went
// in dstOf.
func (m *merger) mergeGroups(dst, src *Table, ids []uint32, dstOf []uint32) error {
	m.one[0] = src
	for lo := 0; lo < len(ids); lo += mergeChunk {
		sg := ids[lo:min(lo+mergeChunk, len(ids))]
		refs := m.refsOf(sg)
		for c := range m.keys {
			if err := writeKey(m.keys[c], m.one, refs, c); err != nil {
				return err
			}
		}
		old := uint32(dst.n)
		dg, err := dst.findOrInsert(m.keys, len(sg), positions{})
		if err != nil {
			return err
		}
		// Each group of src is distinct, so each dst group appears at most
		// once per chunk: a new one takes src's position, an old one the
		// smaller.
		for i, g := range dg {
			f := src.first[sg[i]]
			if g >= old || f < dst.first[g] {
				dst.first[g] = f
			}
			dstOf[sg[i]] = g
		}
		for a := range dst.aggs {
			dst.aggs[a].combine(&src.aggs[a], sg, dg)
		}
	}
	return nil
}

// mergeDistinct adds the entries of src's distinct set for aggregate a to
// dst's, whose groups were already merged (dstOf).
func (m *merger) mergeDistinct(dst *Table, a int, src *Table, entries, dstOf []uint32) error {
	ss, ds := src.aggs[a].sub, dst.aggs[a].sub
	cnt := dst.aggs[a].cnt
	m.one[0] = ss
	valCol := len(ss.keys) - 1
	val := m.vals[a]
	for lo := 0; lo < len(entries); lo += mergeChunk {
		es := entries[lo:min(lo+mergeChunk, len(entries))]
		refs := m.refsOf(es)
		if err := writeKey(val, m.one, refs, valCol); err != nil {
			return err
		}
		old := ds.n
		if valCol == 0 {
			if _, err := ds.findOrInsert([]*vector.Vector{val}, len(es), positions{}); err != nil {
				return err
			}
			cnt[0] += int64(ds.n - old)
			continue
		}
		gv := m.gids
		gv.Reset(len(es))
		parent := ss.keys[0].u64
		for i, e := range es {
			gv.I64[i] = int64(dstOf[parent[e]])
		}
		if _, err := ds.findOrInsert([]*vector.Vector{gv, val}, len(es), positions{}); err != nil {
			return err
		}
		for _, g := range ds.keys[0].u64[old:ds.n] {
			cnt[g]++
		}
	}
	return nil
}

// combine folds the states of src's groups sg into a's groups dg.
func (a *aggState) combine(src *aggState, sg, dg []uint32) {
	switch a.kind {
	case kCountRows, kCount:
		for i, g := range dg {
			a.cnt[g] += src.cnt[sg[i]]
		}
	case kSumInt, kSumWide:
		for i, g := range dg {
			x, d := &src.isum[sg[i]], &a.isum[g]
			addWide(d, x.s)
			d.carry += x.carry
			d.n += x.n
		}
	case kSumFloat:
		for i, g := range dg {
			addFloatSum(&a.fsum[g], &src.fsum[sg[i]])
		}
	case kMinMaxInt:
		for i, g := range dg {
			x, d := src.mmi[sg[i]], &a.mmi[g]
			if x.has && (!d.has || a.isMax && x.v > d.v || !a.isMax && x.v < d.v) {
				*d = x
			}
		}
	case kMinMaxFloat:
		for i, g := range dg {
			x, d := src.mmi[sg[i]], &a.mmi[g]
			if x.has && (!d.has || a.isMax && uint64(x.v) > uint64(d.v) || !a.isMax && uint64(x.v) < uint64(d.v)) {
				*d = x
			}
		}
	case kMinMaxWide:
		for i, g := range dg {
			x, d := src.mmw[sg[i]], &a.mmw[g]
			if c := x.v.Cmp(d.v); x.has && (!d.has || a.isMax && c > 0 || !a.isMax && c < 0) {
				*d = x
			}
		}
	case kMinMaxString:
		for i, g := range dg {
			x, d := &src.mms[sg[i]], &a.mms[g]
			if !x.has {
				continue
			}
			if b := src.strs.get(x.ref); a.better(d, b) {
				a.setStr(d, b)
			}
		}
	}
}

// sortItem is a group with its first position, for ordering the output.
type sortItem struct {
	first uint64
	ref   groupRef
}

// order returns every group of parts by increasing first position.
func order(parts []*Table) []groupRef {
	total := 0
	for _, t := range parts {
		total += t.n
	}
	refs := make([]groupRef, 0, total)
	if len(parts) == 1 && slices.IsSorted(parts[0].first) {
		// One table fed in order: group ids already are first appearances.
		for g := range parts[0].n {
			refs = append(refs, groupRef{gid: uint32(g)})
		}
		return refs
	}
	items := make([]sortItem, 0, total)
	for p, t := range parts {
		for g, f := range t.first[:t.n] {
			items = append(items, sortItem{first: f, ref: groupRef{part: uint32(p), gid: uint32(g)}})
		}
	}
	sortItems(items)
	for _, it := range items {
		refs = append(refs, it.ref)
	}
	return refs
}

// sortItems sorts by first position: an LSD radix sort on 11-bit digits
// that skips the digits all items share (positions are morsel<<32|offset,
// so most high digits are).
func sortItems(items []sortItem) {
	if len(items) <= 256 {
		slices.SortFunc(items, func(a, b sortItem) int { return cmp.Compare(a.first, b.first) })
		return
	}
	const digitBits = 11
	const buckets = 1 << digitBits
	var counts [buckets]int
	src, dst := items, make([]sortItem, len(items))
	for shift := uint(0); shift < 64; shift += digitBits {
		clear(counts[:])
		for _, it := range src {
			counts[(it.first>>shift)&(buckets-1)]++
		}
		if counts[(src[0].first>>shift)&(buckets-1)] == len(src) {
			continue
		}
		sum := 0
		for i, c := range counts {
			counts[i] = sum
			sum += c
		}
		for _, it := range src {
			d := (it.first >> shift) & (buckets - 1)
			dst[counts[d]] = it
			counts[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &items[0] {
		copy(items, src)
	}
}
