package hashagg

import (
	"bytes"
	"math/bits"

	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// intSum is an exact integer or decimal sum: s + carry·2^128 (carry moves
// only for 38-digit inputs), over n values.
type intSum struct {
	s     decimal.Int128
	carry int64
	n     int64
}

// floatSum is a float sum in double-double (hi + lo, |lo| ≤ ulp(hi)/2),
// plus the plain sum, which gives the result when an infinity or NaN
// took part, over n values.
type floatSum struct {
	hi, lo, plain float64
	n             int64
}

// minMaxInt is the running min or max of int-stored values; has reports
// whether any value was seen.
type minMaxInt struct {
	v   int64
	has bool
}

// minMaxWide is the running min or max of 38-digit decimals.
type minMaxWide struct {
	v   decimal.Int128
	has bool
}

// minMaxStr is the running min or max of strings; room is the arena space
// reserved at ref, so that a shorter or equal replacement is written in
// place.
type minMaxStr struct {
	ref  strRef
	room uint32
	has  bool
}

// aggState is one aggregate's state for every group, in the array of its
// kind, indexed by group id. Keeping each aggregate's state in one array
// of small structs means one cache line per row and aggregate.
type aggState struct {
	spec  AggSpec
	kind  aggKind
	isMax bool
	isAvg bool

	cnt   []int64    // counts; the per-group distinct count of count_distinct
	hist  []uint32   // countRows scratch
	fpart []floatSum // sumFloat scratch
	isum  []intSum
	fsum  []floatSum
	mmi   []minMaxInt // also float64 minima and maxima, as floatOrd bits
	mmw   []minMaxWide
	mms   []minMaxStr
	// strs holds string minima and maxima.
	strs arena

	// sub is count_distinct's set of (group id, value) pairs, a table with
	// no aggregate; without group keys, just the values.
	sub    *Table
	subGid *vector.Vector
	subVal *vector.Vector
	sel    []int32

	// view is a window on the argument vector for chunked updates.
	view vector.Vector
}

// touch loads the state of every group of gids, so that the misses of a
// large state array overlap, and returns something of them (for a sink).
func (a *aggState) touch(gids []uint32) uint64 {
	var s uint64
	switch a.kind {
	case kCountRows, kCount, kCountDistinct:
		for _, g := range gids {
			s += uint64(a.cnt[g])
		}
	case kSumInt, kSumWide:
		for _, g := range gids {
			s += uint64(a.isum[g].n)
		}
	case kSumFloat:
		for _, g := range gids {
			s += uint64(a.fsum[g].n)
		}
	case kMinMaxInt, kMinMaxFloat:
		for _, g := range gids {
			s += uint64(a.mmi[g].v)
		}
	case kMinMaxWide:
		for _, g := range gids {
			s += a.mmw[g].v.Lo
		}
	case kMinMaxString:
		for _, g := range gids {
			s += uint64(a.mms[g].room)
		}
	}
	return s
}

func newAggState(a AggSpec, noKeys bool) aggState {
	k, _ := kindOf(a) // the spec was validated
	st := aggState{spec: a, kind: k, isMax: a.Fn == ir.AggMax, isAvg: a.Fn == ir.AggAvg}
	if k == kCountDistinct {
		switch {
		case noKeys:
			st.sub = NewTable(&Spec{KeyTypes: []types.Type{a.ArgType}})
		case keyKindOf(vector.PhysicalOf(a.ArgType)) == keyU64:
			st.sub = newPairTable(a.ArgType)
		default:
			st.sub = NewTable(&Spec{KeyTypes: []types.Type{types.Int64Type, a.ArgType}})
		}
		st.subGid = vector.New(types.Int64Type, 0)
		st.subVal = vector.New(a.ArgType, 0)
	}
	return st
}

// ensureStates grows every aggregate's state to the number of groups; new
// groups start from the zero state (count 0, no value seen).
func (t *Table) ensureStates() {
	for i := range t.aggs {
		a := &t.aggs[i]
		switch a.kind {
		case kCountRows, kCount, kCountDistinct:
			a.cnt = growZero(a.cnt, t.n)
		case kSumInt, kSumWide:
			a.isum = growZero(a.isum, t.n)
		case kSumFloat:
			a.fsum = growZero(a.fsum, t.n)
		case kMinMaxInt, kMinMaxFloat:
			a.mmi = growZero(a.mmi, t.n)
		case kMinMaxWide:
			a.mmw = growZero(a.mmw, t.n)
		case kMinMaxString:
			a.mms = growZero(a.mms, t.n)
		}
	}
}

// growZero extends s with zero values to length n.
func growZero[T any](s []T, n int) []T {
	if len(s) >= n {
		return s
	}
	if cap(s) >= n {
		old := len(s)
		s = s[:n]
		clear(s[old:])
		return s
	}
	ns := make([]T, n, max(n, 2*cap(s), 16))
	copy(ns, s)
	return ns
}

// update folds n rows of argument v into the groups gids.
func (a *aggState) update(gids []uint32, v *vector.Vector, n int) error {
	gids = gids[:n]
	switch a.kind {
	case kCountRows:
		a.countRows(gids)
	case kCount:
		if v.Valid == nil {
			a.countRows(gids)
		} else {
			countValid(a.cnt, gids, v.Valid)
		}
	case kSumInt:
		if v.Phys == vector.PhysInt32 {
			sumInt(a.isum, gids, v.I32[:n], v.Valid)
		} else {
			sumInt(a.isum, gids, v.I64[:n], v.Valid)
		}
	case kSumWide:
		sumWide(a.isum, gids, v.I128[:n], v.Valid)
	case kSumFloat:
		if v.Valid == nil {
			a.sumFloat(gids, v.F64[:n])
		} else {
			sumFloatValid(a.fsum, gids, v.F64[:n], v.Valid)
		}
	case kMinMaxInt:
		switch v.Phys {
		case vector.PhysBool:
			minMaxBool(a.mmi, gids, v.Bool[:n], v.Valid, a.isMax)
		case vector.PhysInt32:
			minMaxInts(a.mmi, gids, v.I32[:n], v.Valid, a.isMax)
		default:
			minMaxInts(a.mmi, gids, v.I64[:n], v.Valid, a.isMax)
		}
	case kMinMaxFloat:
		minMaxFloat(a.mmi, gids, v.F64[:n], v.Valid, a.isMax)
	case kMinMaxWide:
		minMaxWides(a.mmw, gids, v.I128[:n], v.Valid, a.isMax)
	case kMinMaxString:
		a.minMaxStrings(gids, v)
	case kCountDistinct:
		return a.distinct(gids, v, n)
	}
	return nil
}

// countRows adds one per row to its group. With few groups, it counts
// into four interleaved histograms first: the same group recurring in
// consecutive rows (skewed keys) otherwise serialises on one counter.
func (a *aggState) countRows(gids []uint32) {
	cnt := a.cnt
	if len(cnt) == 1 {
		// One group (always so without keys): every row is group 0.
		cnt[0] += int64(len(gids))
		return
	}
	if g := len(cnt); g <= 1024 && len(gids) >= 16*g {
		h := grow(a.hist, 4*g)
		a.hist = h
		clear(h)
		h0, h1, h2, h3 := h[:g], h[g:2*g], h[2*g:3*g], h[3*g:]
		i := 0
		for ; i+4 <= len(gids); i += 4 {
			h0[gids[i]]++
			h1[gids[i+1]]++
			h2[gids[i+2]]++
			h3[gids[i+3]]++
		}
		for ; i < len(gids); i++ {
			h0[gids[i]]++
		}
		for j := range cnt {
			cnt[j] += int64(h0[j]) + int64(h1[j]) + int64(h2[j]) + int64(h3[j])
		}
		return
	}
	for _, g := range gids {
		cnt[g]++
	}
}

func countValid(cnt []int64, gids []uint32, valid vector.Bitmap) {
	for r, g := range gids {
		cnt[g] += int64(valid[r>>6] >> (uint(r) & 63) & 1)
	}
}

func sumInt[T int32 | int64](st []intSum, gids []uint32, vals []T, valid vector.Bitmap) {
	vals = vals[:len(gids)]
	for r, g := range gids {
		if valid != nil && valid[r>>6]&(1<<(uint(r)&63)) == 0 {
			continue
		}
		x := int64(vals[r])
		s := &st[g]
		lo, c := bits.Add64(s.s.Lo, uint64(x), 0)
		s.s.Hi += x>>63 + int64(c)
		s.s.Lo = lo
		s.n++
	}
}

// addWide adds x to s, counting 128-bit wraparounds in carry.
func addWide(s *intSum, x decimal.Int128) {
	sum, ovf := s.s.Add(x)
	if ovf {
		if x.Hi >= 0 {
			s.carry++
		} else {
			s.carry--
		}
	}
	s.s = sum
}

func sumWide(st []intSum, gids []uint32, vals []decimal.Int128, valid vector.Bitmap) {
	vals = vals[:len(gids)]
	for r, g := range gids {
		if valid != nil && valid[r>>6]&(1<<(uint(r)&63)) == 0 {
			continue
		}
		s := &st[g]
		addWide(s, vals[r])
		s.n++
	}
}

// ddAdd adds x to the double-double s exactly while the total spans at
// most about 106 bits: TwoSum for hi + x, the error folded into lo, and
// TwoSum again to renormalise.
func ddAdd(s *floatSum, x float64) {
	hi := s.hi
	t := hi + x
	bb := t - hi
	e := (hi - (t - bb)) + (x - bb)
	lo := s.lo + e
	h2 := t + lo
	bb = h2 - t
	s.lo = (t - (h2 - bb)) + (lo - bb)
	s.hi = h2
}

// sumFloat adds vals to their groups' sums. With few groups, rows go
// round-robin into four partial sums per group, which are added to the
// groups' sums after the batch: a double-double addition is a chain of
// about ten dependent operations, and skewed keys would otherwise run one
// chain after the other. Partial sums are exact under the same condition
// as the sums themselves, so the result does not change.
func (a *aggState) sumFloat(gids []uint32, vals []float64) {
	st := a.fsum
	vals = vals[:len(gids)]
	if g := len(st); g <= 1024 && len(gids) >= 16*g {
		part := growZero(a.fpart[:0], 4*g)
		a.fpart = part
		i := 0
		for ; i+4 <= len(gids); i += 4 {
			for k := range 4 {
				x := vals[i+k]
				s := &part[4*int(gids[i+k])+k]
				ddAdd(s, x)
				s.plain += x
				s.n++
			}
		}
		for ; i < len(gids); i++ {
			x := vals[i]
			s := &part[4*int(gids[i])]
			ddAdd(s, x)
			s.plain += x
			s.n++
		}
		for j := range st {
			for _, p := range part[4*j : 4*j+4] {
				if p.n > 0 {
					addFloatSum(&st[j], &p)
				}
			}
		}
		return
	}
	for r, g := range gids {
		x := vals[r]
		s := &st[g]
		ddAdd(s, x)
		s.plain += x
		s.n++
	}
}

// addFloatSum adds the partial sum x to s.
func addFloatSum(s, x *floatSum) {
	ddAdd(s, x.hi)
	ddAdd(s, x.lo)
	s.plain += x.plain
	s.n += x.n
}

func sumFloatValid(st []floatSum, gids []uint32, vals []float64, valid vector.Bitmap) {
	vals = vals[:len(gids)]
	for r, g := range gids {
		if valid[r>>6]&(1<<(uint(r)&63)) == 0 {
			continue
		}
		x := vals[r]
		s := &st[g]
		ddAdd(s, x)
		s.plain += x
		s.n++
	}
}

func minMaxInts[T int32 | int64](st []minMaxInt, gids []uint32, vals []T, valid vector.Bitmap, isMax bool) {
	vals = vals[:len(gids)]
	for r, g := range gids {
		if valid != nil && valid[r>>6]&(1<<(uint(r)&63)) == 0 {
			continue
		}
		x := int64(vals[r])
		s := &st[g]
		if !s.has || (isMax && x > s.v) || (!isMax && x < s.v) {
			s.v, s.has = x, true
		}
	}
}

func minMaxBool(st []minMaxInt, gids []uint32, vals []bool, valid vector.Bitmap, isMax bool) {
	vals = vals[:len(gids)]
	for r, g := range gids {
		if valid != nil && valid[r>>6]&(1<<(uint(r)&63)) == 0 {
			continue
		}
		var x int64
		if vals[r] {
			x = 1
		}
		s := &st[g]
		if !s.has || (isMax && x > s.v) || (!isMax && x < s.v) {
			s.v, s.has = x, true
		}
	}
}

// minMaxFloat keeps floatOrd bits (as int64 in minMaxInt.v, compared as
// uint64).
func minMaxFloat(st []minMaxInt, gids []uint32, vals []float64, valid vector.Bitmap, isMax bool) {
	vals = vals[:len(gids)]
	for r, g := range gids {
		if valid != nil && valid[r>>6]&(1<<(uint(r)&63)) == 0 {
			continue
		}
		x := floatOrd(vals[r])
		s := &st[g]
		cur := uint64(s.v)
		if !s.has || (isMax && x > cur) || (!isMax && x < cur) {
			s.v, s.has = int64(x), true
		}
	}
}

func minMaxWides(st []minMaxWide, gids []uint32, vals []decimal.Int128, valid vector.Bitmap, isMax bool) {
	vals = vals[:len(gids)]
	for r, g := range gids {
		if valid != nil && valid[r>>6]&(1<<(uint(r)&63)) == 0 {
			continue
		}
		x := vals[r]
		s := &st[g]
		if c := x.Cmp(s.v); !s.has || (isMax && c > 0) || (!isMax && c < 0) {
			s.v, s.has = x, true
		}
	}
}

// setStr makes s hold a copy of b.
func (a *aggState) setStr(s *minMaxStr, b []byte) {
	if s.has && len(b) <= int(s.room) {
		a.strs.overwrite(&s.ref, b)
		return
	}
	// Reserve twice the old room so that values that keep growing cost
	// amortised constant space.
	room := max(len(b), 2*int(s.room))
	s.ref = a.strs.add(b, room)
	s.room = uint32(room)
	s.has = true
}

// better reports whether b should replace the current min or max cur.
func (a *aggState) better(s *minMaxStr, b []byte) bool {
	if !s.has {
		return true
	}
	c := bytes.Compare(b, a.strs.get(s.ref))
	return a.isMax && c > 0 || !a.isMax && c < 0
}

func (a *aggState) minMaxStrings(gids []uint32, v *vector.Vector) {
	st, valid := a.mms, v.Valid
	if v.Dict != nil {
		dict := v.Dict
		offs, data := dict.Offsets, dict.Bytes
		codes := v.Codes[:len(gids)]
		for r, g := range gids {
			if valid != nil && valid[r>>6]&(1<<(uint(r)&63)) == 0 {
				continue
			}
			c := codes[r]
			b := data[offs[c]:offs[c+1]]
			if s := &st[g]; a.better(s, b) {
				a.setStr(s, b)
			}
		}
		return
	}
	offs, data := v.Offsets[:len(gids)+1], v.Bytes
	for r, g := range gids {
		if valid != nil && valid[r>>6]&(1<<(uint(r)&63)) == 0 {
			continue
		}
		b := data[offs[r]:offs[r+1]]
		if s := &st[g]; a.better(s, b) {
			a.setStr(s, b)
		}
	}
}

// distinct adds the non-null values of v to the per-group value sets and
// counts the pairs that are new.
func (a *aggState) distinct(gids []uint32, v *vector.Vector, n int) error {
	sub := a.sub
	m := n
	val := v
	if v.Valid != nil {
		sel := a.sel[:0]
		for r := range n {
			if isValid(v.Valid, r) {
				sel = append(sel, int32(r))
			}
		}
		a.sel = sel
		m = len(sel)
		a.subVal.Gather(v, sel)
		val = a.subVal
	}
	if m == 0 {
		return nil
	}
	old := sub.n
	if len(sub.keys) == 1 {
		if _, err := sub.findOrInsert([]*vector.Vector{val}, m, positions{}); err != nil {
			return err
		}
		a.cnt[0] += int64(sub.n - old)
		return nil
	}
	gv := a.subGid
	gv.Reset(m)
	if v.Valid == nil {
		for i, g := range gids[:n] {
			gv.I64[i] = int64(g)
		}
	} else {
		for i, r := range a.sel {
			gv.I64[i] = int64(gids[r])
		}
	}
	if _, err := sub.findOrInsert([]*vector.Vector{gv, val}, m, positions{}); err != nil {
		return err
	}
	for _, g := range sub.keys[0].u64[old:sub.n] {
		a.cnt[g]++
	}
	return nil
}
