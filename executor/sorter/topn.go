package sorter

import (
	"cmp"
	"fmt"
	"slices"
	"sync"

	"github.com/meshctl/meshctl/executor/vector"
)

// topNBlock is the number of rows whose level-0 keys TopN encodes at once:
// one typed loop per block, then the heap.
const topNBlock = 1024

// fullSortFraction: TopN sorts everything when limit ≥ n/fullSortFraction,
// where the heap's comparisons and cache misses cost more than radix
// passes over all rows.
const fullSortFraction = 8

// TopN returns the first limit rows of the order Sort returns (all of them
// when limit ≥ n), including its stable order among ties at the boundary.
// Each of up to workers goroutines keeps the best limit rows of a chunk in
// a bounded heap, in O(rows × log limit); the candidates are then sorted.
// When limit is at least n/8, a full sort (radix passes, no heap) is
// cheaper and is used instead.
func TopN(keys []*vector.Vector, spec []Key, n, limit int, workers int) ([]int32, error) {
	if limit < 0 {
		return nil, fmt.Errorf("sort: negative limit %d", limit)
	}
	s, err := newSorter(keys, spec, n, workers)
	if err != nil {
		return nil, err
	}
	limit = min(limit, n)
	switch {
	case limit == 0:
		return []int32{}, nil
	case limit >= n/fullSortFraction || len(s.cols) == 0:
		ents := identity(n)
		s.sortAll(ents, make([]entry, n))
		return rowsOf(ents[:limit]), nil
	}
	parts := chunks(n, s.workers, max(minChunkRows, limit))
	heaps := make([][]entry, len(parts))
	var wg sync.WaitGroup
	for i, p := range parts {
		wg.Go(func() { heaps[i] = s.topHeap(p[0], p[1], limit) })
	}
	wg.Wait()
	// Sort the candidates like any group: in row order first.
	cands := slices.Concat(heaps...)
	slices.SortFunc(cands, func(a, b entry) int { return cmp.Compare(a.r, b.r) })
	s.sortGroup(cands, make([]entry, len(cands)), 0, 0)
	return rowsOf(cands[:limit]), nil
}

// topHeap returns the first limit rows of lo..hi-1 in sort order, in no
// particular order, keeping them in a max-heap by (keys, row).
func (s *sorter) topHeap(lo, hi, limit int) []entry {
	c0 := s.cols[0]
	heap := make([]entry, 0, limit)
	var block [topNBlock]entry
	for start := lo; start < hi; start += topNBlock {
		blk := block[:min(topNBlock, hi-start)]
		for i := range blk {
			blk[i].r = int32(start + i)
		}
		c0.encodeTop(blk)
		for _, e := range blk {
			if len(heap) < limit {
				heap = append(heap, e)
				s.siftUp(heap, len(heap)-1)
				continue
			}
			// Rows come in increasing order, so a row tying the worst kept
			// one comes after it: only a strictly smaller key gets in.
			if e.k > heap[0].k || !s.before(e, heap[0]) {
				continue
			}
			heap[0] = e
			s.siftDown(heap, 0)
		}
	}
	return heap
}

// before reports whether entry x (holding a level-0 key) comes before y in
// the sort order, rows breaking ties.
func (s *sorter) before(x, y entry) bool {
	if c := s.compareEntries(x, y); c != 0 {
		return c < 0
	}
	return x.r < y.r
}

// siftUp restores the max-heap property from h[i] up.
func (s *sorter) siftUp(h []entry, i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !s.before(h[p], h[i]) {
			return
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
}

// siftDown restores the max-heap property from h[i] down.
func (s *sorter) siftDown(h []entry, i int) {
	n := len(h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && s.before(h[l], h[r]) {
			m = r
		}
		if !s.before(h[i], h[m]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}
