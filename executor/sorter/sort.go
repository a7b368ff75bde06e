package sorter

import (
	"fmt"
	"math"
	"sync"

	"github.com/meshctl/meshctl/executor/vector"
)

// Key says how one key of a sort orders: the direction and where nulls go.
type Key struct {
	// Desc sorts the key in descending order.
	Desc bool
	// NullsFirst puts null keys before every value; by default they come
	// after every value, for ascending and descending keys alike.
	NullsFirst bool
}

// minChunkRows is the fewest rows a worker sorts on its own: below it, a
// goroutine and a merge cost more than they save. Tests lower it to
// exercise the parallel paths on small inputs.
var minChunkRows = 1 << 15

// Sort returns the permutation of rows 0..n-1 that orders them by the key
// vectors (keys[i] ordered as spec[i] says; each vector holds n rows):
// result[0] is the index of the first row. The sort is stable: rows whose
// keys all tie keep their input order. Up to workers goroutines share the
// work (rows are split by ranges of the first key, or, when its values are
// too skewed for that, sorted in chunks and merged); the result does not
// depend on workers. Bad vectors (too short, inconsistent offsets, dictionary codes
// out of range) are reported as errors. Sort reads the vectors and does not
// keep them; nobody may modify them during the call.
func Sort(keys []*vector.Vector, spec []Key, n int, workers int) ([]int32, error) {
	s, err := newSorter(keys, spec, n, workers)
	if err != nil {
		return nil, err
	}
	ents := identity(n)
	s.sortAll(ents, make([]entry, n))
	return rowsOf(ents), nil
}

// sorter holds the prepared keys of one Sort or TopN call.
type sorter struct {
	cols    []*column
	workers int
	// tieFrom is the first key that compareRows must look at when two
	// rows' level-0 keys of the first key are equal: 1 when equal level-0
	// keys already mean equal first keys, else 0.
	tieFrom int
}

// newSorter checks the arguments and prepares every key.
func newSorter(keys []*vector.Vector, spec []Key, n, workers int) (*sorter, error) {
	if len(keys) != len(spec) {
		return nil, fmt.Errorf("sort: %d key vectors but %d key specs", len(keys), len(spec))
	}
	if n < 0 || n > math.MaxInt32 {
		return nil, fmt.Errorf("sort: cannot sort %d rows (at most %d)", n, math.MaxInt32)
	}
	s := &sorter{cols: make([]*column, len(keys)), workers: max(workers, 1)}
	ranks := map[*vector.Vector][]uint32{}
	for i, v := range keys {
		c, err := prepare(v, spec[i], n, ranks)
		if err != nil {
			return nil, fmt.Errorf("sort key %d: %w", i+1, err)
		}
		s.cols[i] = c
	}
	if len(s.cols) > 0 && s.cols[0].exact() && s.cols[0].valid == nil {
		s.tieFrom = 1
	}
	return s, nil
}

// rowsOf returns the rows of ents in order.
func rowsOf(ents []entry) []int32 {
	out := make([]int32, len(ents))
	for i, e := range ents {
		out[i] = e.r
	}
	return out
}

// chunks splits n rows into at most workers contiguous ranges of at least
// minRows rows (one range when n is small).
func chunks(n, workers, minRows int) [][2]int {
	k := max(min(workers, n/max(minRows, 1)), 1)
	out := make([][2]int, k)
	for i := range out {
		out[i] = [2]int{n * i / k, n * (i + 1) / k}
	}
	return out
}

// sortAll sorts ents (rows in increasing order) by every key, in parallel
// when there are enough rows. scratch is as long as ents.
func (s *sorter) sortAll(ents, scratch []entry) {
	parts := chunks(len(ents), s.workers, minChunkRows)
	switch {
	case len(parts) == 1:
		s.sortGroup(ents, scratch, 0, 0)
		return
	case len(s.cols) == 0:
		return // no keys: input order is the order
	}
	encoded := false
	if partitionFirst {
		if s.sortPartitioned(ents, scratch, parts) {
			return
		}
		encoded = true
	}
	// Too skewed to partition: sort chunks of rows, then merge them.
	var wg sync.WaitGroup
	for _, p := range parts {
		wg.Go(func() {
			part, buf := ents[p[0]:p[1]], scratch[p[0]:p[1]]
			if !encoded {
				s.cols[0].encodeTop(part)
			}
			s.sortEncoded(part, buf)
		})
	}
	wg.Wait()
	sorted := s.mergeRuns(ents, scratch, parts)
	if &sorted[0] != &ents[0] {
		copy(ents, sorted)
	}
}

// sortEncoded sorts ents (rows in increasing order, each entry holding the
// level-0 key of the first key, nulls included) by every key, and leaves
// those level-0 keys in place, which merges compare first. Deeper levels
// overwrite keys, but only within runs of equal level-0 keys: putting the
// run's key back costs a sequential write, where encoding it again would
// read every row's key data in sorted, that is random, order.
func (s *sorter) sortEncoded(ents, scratch []entry) {
	c := s.cols[0]
	values := ents
	if c.valid != nil {
		var nulls []entry
		nulls, values = partitionNulls(c, ents, scratch)
		s.sortGroup(nulls, scratch, 1, 0)
		setKeys(nulls, c.nullKey())
	}
	sortEntries(values, scratch)
	for i := 0; i < len(values); {
		k := values[i].k
		j := i + 1
		for j < len(values) && values[j].k == k {
			j++
		}
		if j-i > 1 {
			if c.more(k, 0) {
				s.sortGroup(values[i:j], scratch, 0, 1)
			} else {
				s.sortGroup(values[i:j], scratch, 1, 0)
			}
			setKeys(values[i:j], k)
		}
		i = j
	}
}

// setKeys sets the key of every entry to k.
func setKeys(ents []entry, k uint64) {
	for i := range ents {
		ents[i].k = k
	}
}

// sortGroup sorts ents by keys[key:], starting at the given level of keys[key].
// The rows of ents tie on every earlier key and level and are in increasing
// row order: a stable sort of each level therefore yields a stable result.
// It sets the eq flag of rows that tie with their predecessor on every key.
// scratch is at least as long as ents.
func (s *sorter) sortGroup(ents, scratch []entry, key, level int) {
	for len(ents) > 1 && key < len(s.cols) {
		c := s.cols[key]
		if level == 0 && c.valid != nil {
			nulls, values := partitionNulls(c, ents, scratch)
			s.sortGroup(nulls, scratch, key+1, 0)
			ents = values
			if len(ents) < 2 {
				return
			}
		}
		c.encode(ents, level)
		sortEntries(ents, scratch)
		// Order each run of equal keys by what comes next. A run that is
		// the whole group loops instead of recursing, so that long equal
		// strings do not nest one call per 7 bytes.
		for i := 0; i < len(ents); {
			k := ents[i].k
			j := i + 1
			for j < len(ents) && ents[j].k == k {
				j++
			}
			nextKey, nextLevel := key+1, 0
			if c.more(k, level) {
				nextKey, nextLevel = key, level+1
			}
			if i == 0 && j == len(ents) {
				key, level = nextKey, nextLevel
				break
			}
			if j-i > 1 {
				s.sortGroup(ents[i:j], scratch, nextKey, nextLevel)
			}
			i = j
			if i == len(ents) {
				return
			}
		}
	}
	// Every key ties: mark the rows after the first as equal to their
	// predecessor.
	for i := 1; i < len(ents); i++ {
		ents[i].eq = true
	}
}

// partitionNulls moves the rows of ents that are null in c before or after
// the others (as c says), keeping the order within both, and returns both
// parts.
func partitionNulls(c *column, ents, scratch []entry) (nulls, values []entry) {
	nv, nn := 0, 0
	for _, e := range ents {
		if c.isNull(e.r) {
			scratch[nn] = e
			nn++
		} else {
			ents[nv] = e
			nv++
		}
	}
	if nn == 0 {
		return nil, ents
	}
	if c.nullsFirst {
		copy(ents[nn:], ents[:nv])
		copy(ents, scratch[:nn])
		return ents[:nn], ents[nn:]
	}
	copy(ents[nv:], scratch[:nn])
	return ents[nv:], ents[:nv]
}

// compareRows orders rows a and b by keys[from:]; 0 when they tie.
func (s *sorter) compareRows(a, b int32, from int) int {
	for _, c := range s.cols[from:] {
		if r := c.compare(a, b); r != 0 {
			return r
		}
	}
	return 0
}

// compareEntries orders two entries holding level-0 keys of the first key
// (nulls included) by every key; 0 when they tie.
func (s *sorter) compareEntries(x, y entry) int {
	switch {
	case x.k < y.k:
		return -1
	case x.k > y.k:
		return 1
	}
	return s.compareRows(x.r, y.r, s.tieFrom)
}
