package eval

import (
	"encoding/binary"
	"math"
	"slices"

	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
)

// inNode is contains(list, x): x IN (list) with SQL's nulls.
type inNode struct {
	base
	x       node
	phys    vector.Physical
	hasNull bool
	// hasNaN says the list holds a NaN, which matches a NaN x (floats
	// compare under the total order of floatcmp.go); floats holds the
	// numbers only, so that its search can use IEEE equality.
	hasNaN bool
	// The non-null list, in x's physical form (sorted when searched).
	ints    []int64
	floats  []float64
	decs    []decimal.Int128
	strs    *inSet
	boolHit [2]bool
}

// inSet is a list of strings to test membership in: a map lookup
// (without allocation) for a long list; for a short one, a scan that
// compares strings of up to 8 bytes as one word (country codes, statuses).
type inSet struct {
	list [][]byte
	set  map[string]struct{}
	// words[j] packs list[j] when it has at most 8 bytes; lens[j] is
	// then its length, else -1.
	words []uint64
	lens  []int8
	// allShort says every entry has at most 8 bytes (and there is no set):
	// flat vectors then take the word-compare loops.
	allShort bool
}

// inMatcher is the strMatcher of an inSet (one pointer: cheap to pass).
type inMatcher struct{ s *inSet }

func (m *inSet) prepare() {
	if len(m.list) > 8 {
		m.set = make(map[string]struct{}, len(m.list))
		for _, s := range m.list {
			m.set[string(s)] = struct{}{}
		}
		return
	}
	m.allShort = true
	m.words = make([]uint64, len(m.list))
	m.lens = make([]int8, len(m.list))
	for j, s := range m.list {
		m.lens[j] = -1
		if len(s) <= 8 {
			m.words[j], m.lens[j] = pack8(s), int8(len(s))
		} else {
			m.allShort = false
		}
	}
}

// pack8 packs up to 8 bytes into a word.
func pack8(s []byte) uint64 {
	var w uint64
	for i, c := range s {
		w |= uint64(c) << (8 * uint(i))
	}
	return w
}

func (m inMatcher) matchAt(data []byte, start, end int32) bool { return m.match(data[start:end]) }

func (m inMatcher) match(s []byte) bool {
	set := m.s
	if set.set != nil {
		_, ok := set.set[string(s)]
		return ok
	}
	if len(s) <= 8 {
		w, n := pack8(s), int8(len(s))
		for j, x := range set.words {
			if x == w && set.lens[j] == n {
				return true
			}
		}
		return false
	}
	for _, c := range set.list {
		if len(c) == len(s) && string(c) == string(s) {
			return true
		}
	}
	return false
}

// shortWord returns row i of a flat vector packed in a word, loading 8
// bytes at once when the buffer has them; ok is false beyond 8 bytes.
func shortWord(data []byte, off []int32, i int) (w uint64, n int8, ok bool) {
	st, en := off[i], off[i+1]
	l := en - st
	switch {
	case l < 0 || l > 8:
		return 0, 0, false
	case int(st)+8 <= len(data):
		return binary.LittleEndian.Uint64(data[st:]) & lenMask[l], int8(l), true
	}
	return pack8(data[st:en]), int8(l), true
}

// flatHits computes membership for the rows of a flat vector when every
// entry is short: one word comparison per entry, no call per row.
func (m *inSet) flatHits(v *vector.Vector, rows int, o []bool) {
	off, data := v.Offsets[:rows+1], v.Bytes
	words, lens := m.words, m.lens[:len(m.words)]
	o = o[:rows]
	for i := range o {
		w, n, ok := shortWord(data, off, i)
		hit := false
		for j, x := range words {
			hit = hit || b2i(x == w)&b2i(lens[j] == n) != 0
		}
		o[i] = ok && hit
	}
}

// flatSelect is flatHits writing the selected rows.
func (m *inSet) flatSelect(v *vector.Vector, rows int, in []int32, out []int32) []int32 {
	off, data := v.Offsets[:rows+1], v.Bytes
	words, lens := m.words, m.lens[:len(m.words)]
	k := 0
	if in == nil {
		out = out[:rows]
		for i := 0; i < rows; i++ {
			w, n, ok := shortWord(data, off, i)
			hit := false
			for j, x := range words {
				hit = hit || b2i(x == w)&b2i(lens[j] == n) != 0
			}
			out[k] = int32(i)
			k += b2i(ok && hit)
		}
		return out[:k]
	}
	out = out[:len(in)]
	for _, i := range in {
		w, n, ok := shortWord(data, off, int(i))
		hit := false
		for j, x := range words {
			hit = hit || b2i(x == w)&b2i(lens[j] == n) != 0
		}
		out[k] = i
		k += b2i(ok && hit)
	}
	return out[:k]
}

func (c *compiler) in(e *ir.In) (node, error) {
	x, err := c.expr(e.X)
	if err != nil {
		return nil, err
	}
	t := x.info().t
	n := &inNode{base: c.newBase(e), x: x, phys: vector.PhysicalOf(t), strs: &inSet{}}
	n.fails = x.info().fails
	for _, v := range e.List {
		if v.Null {
			n.hasNull = true
			continue
		}
		s, err := scalarOf(v, t)
		if err != nil {
			return nil, err
		}
		switch n.phys {
		case vector.PhysBool:
			n.boolHit[b2i(s.b)] = true
		case vector.PhysInt32, vector.PhysInt64:
			n.ints = append(n.ints, s.i)
		case vector.PhysFloat64:
			if math.IsNaN(s.f) {
				n.hasNaN = true
			} else {
				n.floats = append(n.floats, s.f)
			}
		case vector.PhysInt128:
			n.decs = append(n.decs, s.d)
		case vector.PhysString:
			n.strs.list = append(n.strs.list, s.s)
		}
	}
	slices.Sort(n.ints)
	n.ints = slices.Compact(n.ints)
	slices.Sort(n.floats)
	n.floats = slices.Compact(n.floats)
	n.strs.prepare()
	return n, nil
}

func (n *inNode) kids() []node { return []node{n.x} }

func (n *inNode) eval(ev *Evaluator, b *vector.Batch, act vector.Bitmap) (*vector.Vector, error) {
	rows := b.Len
	x, err := n.x.eval(ev, b, act)
	if err != nil {
		return nil, err
	}
	out := ev.out(&n.base, rows)
	n.hits(ev, x, rows, out.Bool[:rows])
	copyValid(out, x.Valid, rows)
	if n.hasNull {
		// A miss is unknown when the list holds a null.
		s := &ev.slots[n.id]
		s.bm[0] = packBools(s.bm[0], out.Bool[:rows])
		andValidInto(out, s.bm[0], rows)
	}
	return out, nil
}

// hits computes membership for every row into o.
func (n *inNode) hits(ev *Evaluator, x *vector.Vector, rows int, o []bool) {
	switch n.phys {
	case vector.PhysBool:
		t := n.boolHit
		for i, v := range x.Bool[:rows] {
			o[i] = t[b2i(v)]
		}
	case vector.PhysInt32:
		list := make32(n.ints, &ev.slots[n.id].i32)
		inList(x.I32[:rows], list, o)
	case vector.PhysInt64:
		inList(x.I64[:rows], n.ints, o)
	case vector.PhysFloat64:
		inList(x.F64[:rows], n.floats, o)
		if n.hasNaN {
			orNaN(x.F64[:rows], o)
		}
	case vector.PhysInt128:
		for i, v := range x.I128[:rows] {
			hit := false
			for _, c := range n.decs {
				hit = hit || v == c
			}
			o[i] = hit
		}
	case vector.PhysString:
		s := &ev.slots[n.id]
		if x.Dict == nil && n.strs.allShort {
			n.strs.flatHits(x, rows, o)
			return
		}
		s.bools = matchStrings(inMatcher{n.strs}, x, rows, s.bools, o)
	}
}

// make32 converts the list to int32 once per evaluator.
func make32(list []int64, buf *[]int32) []int32 {
	if len(*buf) != len(list) {
		*buf = make([]int32, len(list))
		for i, v := range list {
			(*buf)[i] = int32(v)
		}
	}
	return *buf
}

// inList sets o[i] to whether a[i] is in the sorted list: unrolled for
// one or two values, a scan up to eight, a binary search beyond.
func inList[T num](a, list []T, o []bool) {
	o = o[:len(a)]
	switch {
	case len(list) == 0:
		clear(o)
	case len(list) == 1:
		c := list[0]
		for i, x := range a {
			o[i] = x == c
		}
	case len(list) == 2:
		c0, c1 := list[0], list[1]
		for i, x := range a {
			o[i] = b2i(x == c0)|b2i(x == c1) != 0
		}
	case len(list) <= 8:
		for i, x := range a {
			hit := 0
			for _, c := range list {
				hit |= b2i(x == c)
			}
			o[i] = hit != 0
		}
	default:
		for i, x := range a {
			_, o[i] = slices.BinarySearch(list, x)
		}
	}
}

// orNaN marks the NaN rows of a as hits: a second pass, run only when
// the list holds a NaN, so that the common list keeps its IEEE loops.
func orNaN(a []float64, o []bool) {
	o = o[:len(a)]
	for i, x := range a {
		o[i] = b2i(o[i])|b2i(x != x) != 0
	}
}

// inFilter selects the rows of x in the list (a miss is never selected,
// null or false).
type inFilter struct{ n *inNode }

func (f inFilter) sel(ev *Evaluator, b *vector.Batch, in []int32, out []int32) ([]int32, error) {
	n := f.n
	x, err := evalIn(ev, n.x, b, in, &n.base)
	if err != nil {
		return nil, err
	}
	rows := b.Len
	s := &ev.slots[n.id]
	if n.phys == vector.PhysString {
		if x.Dict == nil && n.strs.allShort {
			out = n.strs.flatSelect(x, rows, in, out)
		} else {
			out, s.bools = selectStrings(inMatcher{n.strs}, x, rows, in, s.bools, out)
		}
		return keepValid(out, x.Valid), nil
	}
	s.flags = growT(s.flags, rows)
	hits := s.flags
	n.hits(ev, x, rows, hits)
	return selectBools(hits, x.Valid, in, rows, out), nil
}
