package sorter

import "sync"

// minMergeSegment is the fewest output rows a goroutine merges: below it
// the two binary searches and the goroutine cost more than they save.
// Tests lower it.
var minMergeSegment = 4096

// mergeRuns merges the sorted runs ents[p[0]:p[1]] (for p in parts, which
// are contiguous and in row order) pairwise until one is left, and returns
// the slice that holds the result: ents or scratch. Every entry holds its
// level-0 key of the first sort key.
//
// A pairwise tree rather than one k-way merge: each pairwise merge splits
// into independent segments by merge-path partitioning, so every worker
// merges at every level, and with the few runs there are (one per worker)
// the tree has one or two levels.
func (s *sorter) mergeRuns(ents, scratch []entry, parts [][2]int) []entry {
	src, dst := ents, scratch
	for len(parts) > 1 {
		var next [][2]int
		var wg sync.WaitGroup
		for i := 0; i < len(parts); i += 2 {
			if i+1 == len(parts) {
				p := parts[i]
				copy(dst[p[0]:p[1]], src[p[0]:p[1]])
				next = append(next, p)
				continue
			}
			lo, mid, hi := parts[i][0], parts[i][1], parts[i+1][1]
			next = append(next, [2]int{lo, hi})
			// Split this merge among workers in proportion to its size,
			// in segments of at least minMergeSegment rows.
			segs := max(1, min(s.workers*(hi-lo)/len(ents), (hi-lo)/minMergeSegment))
			x, y, out := src[lo:mid], src[mid:hi], dst[lo:hi]
			for g := range segs {
				d0, d1 := len(out)*g/segs, len(out)*(g+1)/segs
				wg.Go(func() {
					i0, i1 := s.coRank(x, y, d0), s.coRank(x, y, d1)
					s.merge(out[d0:d1], x[i0:i1], y[d0-i0:d1-i1])
				})
			}
		}
		wg.Wait()
		parts = next
		src, dst = dst, src
	}
	return src
}

// coRank returns how many of the first d entries of the merge of x and y
// come from x (x, holding the earlier rows, wins ties).
func (s *sorter) coRank(x, y []entry, d int) int {
	lo, hi := max(0, d-len(y)), min(d, len(x))
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		// Is x[m] past the first d? Yes when y[d-m-1] comes before it.
		if s.compareEntries(y[d-m-1], x[m]) < 0 {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// merge merges x and y into dst, taking x's entry on ties (its rows come
// first in the input).
//
// rel remembers how the heads compare: moving onto an entry flagged eq
// keeps it. So a run of equal rows costs one comparison, and rows (random
// reads of key data) are compared only when the level-0 keys tie. An entry
// not flagged may still equal its predecessor (merges keep the flags of
// the chunk sorts, which stay true but miss ties across chunks), so no
// more is inferred from a missing flag.
func (s *sorter) merge(dst, x, y []entry) {
	const unknown = 2
	i, j, d := 0, 0, 0
	rel := unknown
	for i < len(x) && j < len(y) {
		if rel == unknown {
			a, b := x[i].k, y[j].k
			switch {
			case a < b:
				rel = -1
			case a > b:
				rel = 1
			default:
				rel = s.compareRows(x[i].r, y[j].r, s.tieFrom)
			}
		}
		if rel <= 0 {
			dst[d] = x[i]
			i++
			if i < len(x) && !x[i].eq {
				rel = unknown
			}
		} else {
			dst[d] = y[j]
			j++
			if j < len(y) && !y[j].eq {
				rel = unknown
			}
		}
		d++
	}
	d += copy(dst[d:], x[i:])
	copy(dst[d:], y[j:])
}
