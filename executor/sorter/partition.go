package sorter

import (
	"math/bits"
	"sync"
)

// partitionFirst makes parallel sorts try range partitioning before
// chunks and merges. Tests turn it off to exercise the merges.
var partitionFirst = true

// maxImbalance bounds how much more than its share (n/workers) of the rows
// one worker may get from range partitioning, in eighths: past it, the
// sort falls back to sorting chunks and merging them.
const maxImbalance = 12 // 1.5×

// sortPartitioned sorts ents (rows in increasing order) by every key with
// one goroutine per part: each encodes the first key of its part and counts
// the values of the first byte in which level-0 keys differ; the parts are
// scattered stably into buckets of that byte; each worker then sorts a
// contiguous range of buckets on its own, and the buckets in order are the
// result. No rows are compared across workers — merges would compare rows
// whose level-0 keys tie, reading strings in random order — but when one
// byte value holds too many rows for the workers to share the buckets, it
// reports false (ents then holds level-0 keys, in row order) and the caller
// merges sorted chunks instead.
func (s *sorter) sortPartitioned(ents, scratch []entry, parts [][2]int) bool {
	c := s.cols[0]
	workers := len(parts)
	n := len(ents)
	c.encodeTop(ents[:1])
	ref := ents[0].k
	diffs := make([]uint64, workers)
	var wg sync.WaitGroup
	for w, p := range parts {
		wg.Go(func() {
			part := ents[p[0]:p[1]]
			c.encodeTop(part)
			var d uint64
			for _, e := range part {
				d |= e.k ^ ref
			}
			diffs[w] = d
		})
	}
	wg.Wait()
	var diff uint64
	for _, d := range diffs {
		diff |= d
	}
	if diff == 0 {
		return false // one level-0 key: nothing to partition by
	}
	shift := uint((63 - bits.LeadingZeros64(diff)) &^ 7)

	counts := make([][256]int, workers)
	for w, p := range parts {
		wg.Go(func() {
			cnt := &counts[w]
			for _, e := range ents[p[0]:p[1]] {
				cnt[byte(e.k>>shift)]++
			}
		})
	}
	wg.Wait()
	var total [256]int
	for w := range counts {
		for b, c := range counts[w] {
			total[b] += c
		}
	}
	cuts, ok := balance(&total, n, workers)
	if !ok {
		return false
	}

	// Scatter: worker w's rows of bucket b go after those of workers < w,
	// so every bucket keeps row order.
	var start [257]int
	for b, c := range total {
		start[b+1] = start[b] + c
	}
	for w, p := range parts {
		pos := start
		for v := range w {
			for b := range 256 {
				pos[b] += counts[v][b]
			}
		}
		wg.Go(func() {
			for _, e := range ents[p[0]:p[1]] {
				b := byte(e.k >> shift)
				scratch[pos[b]] = e
				pos[b]++
			}
		})
	}
	wg.Wait()

	// Each worker copies its buckets back and sorts them one by one.
	for g := range workers {
		lo, hi := start[cuts[g]], start[cuts[g+1]]
		if lo == hi {
			continue
		}
		wg.Go(func() {
			copy(ents[lo:hi], scratch[lo:hi])
			for b := cuts[g]; b < cuts[g+1]; b++ {
				if blo, bhi := start[b], start[b+1]; bhi-blo > 1 {
					s.sortEncoded(ents[blo:bhi], scratch[blo:bhi])
				}
			}
		})
	}
	wg.Wait()
	return true
}

// balance cuts the 256 buckets into workers contiguous ranges
// [cuts[g], cuts[g+1]) of about n/workers rows each, and reports whether no
// range exceeds its share by more than maxImbalance allows.
func balance(total *[256]int, n, workers int) (cuts []int, ok bool) {
	cuts = make([]int, workers+1)
	limit := n * maxImbalance / (8 * workers)
	acc, g, size := 0, 1, 0
	for b, c := range total {
		// Close range g-1 before bucket b when it reached its share.
		if g < workers && acc >= n*g/workers {
			cuts[g] = b
			g++
			size = 0
		}
		acc += c
		size += c
		if size > limit {
			return nil, false
		}
	}
	for ; g <= workers; g++ {
		cuts[g] = 256
	}
	return cuts, true
}
