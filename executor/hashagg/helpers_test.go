package hashagg

import (
	"bytes"
	"fmt"
	"math"
	"math/big"
	"math/rand"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// column is test data for one vector: Go values by row (nil for null):
// bool; int32 (int32, date); int64 (int64, timestamp, decimal ≤ 18
// digits); float64; decimal.Int128 (wider decimals); string.
type column struct {
	typ  types.Type
	dict bool // feed as dictionary-encoded strings
	// mixed feeds some batches dictionary-encoded and others plain.
	mixed bool
	vals  []any
}

// aggInput is an aggregate with its argument column (nil for count()).
type aggInput struct {
	spec AggSpec
	arg  *column
}

// dataset is the input of one aggregation.
type dataset struct {
	keys []*column
	aggs []aggInput
	n    int
}

func (d *dataset) spec() *Spec {
	s := &Spec{}
	for _, k := range d.keys {
		s.KeyTypes = append(s.KeyTypes, k.typ)
	}
	for _, a := range d.aggs {
		s.Aggs = append(s.Aggs, a.spec)
	}
	return s
}

// outType is the result type the compiler gives fn(arg).
func outType(fn ir.AggFunc, arg types.Type) types.Type {
	switch fn {
	case ir.AggCountRows, ir.AggCount, ir.AggCountDistinct:
		return types.Int64Type
	case ir.AggSum:
		switch arg.Kind {
		case types.Int32, types.Int64:
			return types.Int64Type
		case types.Decimal:
			return types.DecimalType(38, int(arg.Scale))
		}
		return types.Float64Type
	case ir.AggAvg:
		return types.Float64Type
	}
	return arg
}

func agg(fn ir.AggFunc, arg *column) aggInput {
	a := aggInput{spec: AggSpec{Fn: fn}, arg: arg}
	if arg != nil {
		a.spec.ArgType = arg.typ
	}
	a.spec.OutType = outType(fn, a.spec.ArgType)
	return a
}

// allAggs is count() and every aggregate that applies to each column.
func allAggs(cols ...*column) []aggInput {
	out := []aggInput{agg(ir.AggCountRows, nil)}
	for _, c := range cols {
		out = append(out, agg(ir.AggCount, c), agg(ir.AggCountDistinct, c), agg(ir.AggMin, c), agg(ir.AggMax, c))
		if c.typ.IsNumeric() {
			out = append(out, agg(ir.AggSum, c), agg(ir.AggAvg, c))
		}
	}
	return out
}

// fill makes v hold rows [lo, hi) of c, reusing v's memory.
func fill(v *vector.Vector, c *column, lo, hi int, rnd *rand.Rand) {
	n := hi - lo
	vals := c.vals[lo:hi]
	v.Reset(n)
	switch v.Phys {
	case vector.PhysBool:
		for i, x := range vals {
			if x != nil {
				v.Bool[i] = x.(bool)
			}
		}
	case vector.PhysInt32:
		for i, x := range vals {
			if x != nil {
				v.I32[i] = x.(int32)
			} else {
				v.I32[i] = int32(rnd.Int()) // garbage under nulls
			}
		}
	case vector.PhysInt64:
		for i, x := range vals {
			if x != nil {
				v.I64[i] = x.(int64)
			} else {
				v.I64[i] = int64(rnd.Uint64())
			}
		}
	case vector.PhysFloat64:
		for i, x := range vals {
			if x != nil {
				v.F64[i] = x.(float64)
			} else {
				v.F64[i] = rnd.Float64()
			}
		}
	case vector.PhysInt128:
		for i, x := range vals {
			if x != nil {
				v.I128[i] = x.(decimal.Int128)
			} else {
				v.I128[i] = decimal.Int128{Hi: int64(rnd.Uint64()), Lo: rnd.Uint64()}
			}
		}
	case vector.PhysString:
		if c.dict && !(c.mixed && rnd.Intn(2) == 0) {
			// A dictionary in random order with entries no row uses.
			var entries []string
			seen := map[string]bool{}
			for _, x := range vals {
				if s, ok := x.(string); ok && !seen[s] {
					seen[s] = true
					entries = append(entries, s)
				}
			}
			entries = append(entries, fmt.Sprintf("unused-%d", rnd.Intn(1000)))
			rnd.Shuffle(len(entries), func(i, j int) { entries[i], entries[j] = entries[j], entries[i] })
			if len(entries) > 1 && entries[0] != "" {
				entries = append(entries, entries[0]) // a duplicate entry too
			}
			d := vector.New(types.StringType, len(entries))
			d.Reset(len(entries))
			code := map[string]int32{}
			for i, s := range entries {
				d.AppendString(i, []byte(s))
				if _, ok := code[s]; !ok || rnd.Intn(2) == 0 {
					code[s] = int32(i)
				}
			}
			v.Dict = d
			v.Codes = slices.Grow(v.Codes[:0], n)[:n]
			for i, x := range vals {
				if s, ok := x.(string); ok {
					v.Codes[i] = code[s]
				} else {
					// Codes under nulls may be anything.
					v.Codes[i] = []int32{-7, 1 << 30, 0}[rnd.Intn(3)]
				}
			}
		} else {
			for i, x := range vals {
				s, _ := x.(string)
				if x == nil && rnd.Intn(2) == 0 {
					s = "garbage"
				}
				v.AppendString(i, []byte(s))
			}
		}
	}
	for i, x := range vals {
		if x == nil {
			v.SetNull(i)
		}
	}
}

// feedOptions says how to split the input among tables.
type feedOptions struct {
	tables    int
	maxMorsel int
	maxBatch  int
	// shuffle feeds each table's morsels in random order.
	shuffle bool
	workers int
	outSize int
	// chunked makes Add update states by chunks whatever the group count.
	chunked bool
	// spillAt, when set, is the group count from which tables partition
	// themselves.
	spillAt int
	// spillBudget, when set, bounds the bytes partitioned tables buffer.
	spillBudget int
}

// run aggregates d as several workers would and returns the output rows.
func run(t *testing.T, d *dataset, o feedOptions, seed int64) ([][]any, error) {
	t.Helper()
	rnd := rand.New(rand.NewSource(seed))
	spec := d.spec()
	if o.chunked {
		defer func(old int) { prefetchGroups = old }(prefetchGroups)
		prefetchGroups = 0
	}
	if o.spillAt > 0 {
		defer func(old int) { spillGroups = old }(spillGroups)
		spillGroups = o.spillAt
	}
	if o.spillBudget > 0 {
		defer func(old int) { spillBudget = old }(spillBudget)
		spillBudget = o.spillBudget
	}
	type morsel struct{ lo, hi, idx int }
	var morsels []morsel
	for lo := 0; lo < d.n; {
		hi := min(d.n, lo+1+rnd.Intn(o.maxMorsel))
		morsels = append(morsels, morsel{lo, hi, len(morsels)})
		lo = hi
	}
	perTable := make([][]morsel, o.tables)
	for _, m := range morsels {
		k := rnd.Intn(o.tables)
		perTable[k] = append(perTable[k], m)
	}
	keyVecs := make([]*vector.Vector, len(d.keys))
	for i, k := range d.keys {
		keyVecs[i] = vector.New(k.typ, 0)
	}
	argVecs := make([]*vector.Vector, len(d.aggs))
	for i, a := range d.aggs {
		if a.arg != nil {
			argVecs[i] = vector.New(a.arg.typ, 0)
		}
	}
	tables := make([]*Table, o.tables)
	for k := range tables {
		tables[k] = NewTable(spec)
		ms := perTable[k]
		if o.shuffle {
			rnd.Shuffle(len(ms), func(i, j int) { ms[i], ms[j] = ms[j], ms[i] })
		}
		for _, m := range ms {
			for lo := m.lo; lo < m.hi; {
				hi := min(m.hi, lo+1+rnd.Intn(o.maxBatch))
				for i, k := range d.keys {
					fill(keyVecs[i], k, lo, hi, rnd)
				}
				for i, a := range d.aggs {
					if a.arg != nil {
						fill(argVecs[i], a.arg, lo, hi, rnd)
					}
				}
				seq := uint64(m.idx)<<32 | uint64(lo-m.lo)
				if err := tables[k].Add(keyVecs, argVecs, hi-lo, seq); err != nil {
					return nil, err
				}
				lo = hi
			}
		}
	}
	batches, err := Finish(tables, o.workers, o.outSize)
	if err != nil {
		return nil, err
	}
	return rowsOf(t, batches, len(spec.KeyTypes)+len(spec.Aggs), o.outSize), nil
}

// rowsOf converts batches into rows of Go values.
func rowsOf(t *testing.T, batches []*vector.Batch, ncols, maxLen int) [][]any {
	t.Helper()
	var rows [][]any
	for _, b := range batches {
		if len(b.Cols) != ncols {
			t.Fatalf("batch has %d columns, want %d", len(b.Cols), ncols)
		}
		if b.Len == 0 || b.Len > maxLen {
			t.Fatalf("batch has %d rows, want 1..%d", b.Len, maxLen)
		}
		for r := range b.Len {
			row := make([]any, ncols)
			for c, v := range b.Cols {
				if v.Len != b.Len {
					t.Fatalf("column %d has %d rows, batch %d", c, v.Len, b.Len)
				}
				row[c] = valueAt(v, r)
			}
			rows = append(rows, row)
		}
	}
	return rows
}

func valueAt(v *vector.Vector, r int) any {
	if v.IsNull(r) {
		return nil
	}
	switch v.Phys {
	case vector.PhysBool:
		return v.Bool[r]
	case vector.PhysInt32:
		return v.I32[r]
	case vector.PhysInt64:
		return v.I64[r]
	case vector.PhysFloat64:
		return v.F64[r]
	case vector.PhysInt128:
		return v.I128[r]
	case vector.PhysString:
		return string(v.String(r))
	}
	return fmt.Sprintf("phys %d?", v.Phys)
}

// normValue is the value a key or distinct value groups by.
func normValue(x any) any {
	if f, ok := x.(float64); ok {
		if f == 0 {
			return 0.0
		}
		if f != f {
			return math.NaN()
		}
	}
	return x
}

// encode is a map key for a tuple of values under grouping equality.
func encode(vals ...any) string {
	var b strings.Builder
	for _, x := range vals {
		switch x := normValue(x).(type) {
		case nil:
			b.WriteString("null")
		case float64:
			if x != x {
				b.WriteString("NaN")
			} else {
				b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
			}
		case string:
			b.WriteString(strconv.Quote(x))
		case decimal.Int128:
			b.WriteString(x.Format(0))
		default:
			fmt.Fprintf(&b, "%T:%v", x, x)
		}
		b.WriteByte('|')
	}
	return b.String()
}

// refLess is the order of min and max: false < true, NaN above every
// float, -0.0 below 0.0, strings bytewise.
func refLess(a, b any) bool {
	switch x := a.(type) {
	case bool:
		return !x && b.(bool)
	case int32:
		return x < b.(int32)
	case int64:
		return x < b.(int64)
	case float64:
		y := b.(float64)
		switch {
		case y != y:
			return x == x
		case x != x:
			return false
		case x == 0 && y == 0:
			return math.Signbit(x) && !math.Signbit(y)
		}
		return x < y
	case decimal.Int128:
		return x.Cmp(b.(decimal.Int128)) < 0
	case string:
		return bytes.Compare([]byte(x), []byte(b.(string))) < 0
	}
	panic(fmt.Sprintf("refLess %T", a))
}

func bigOf(x any) *big.Int {
	switch x := x.(type) {
	case int32:
		return big.NewInt(int64(x))
	case int64:
		return big.NewInt(x)
	case decimal.Int128:
		return x.Big()
	}
	panic(fmt.Sprintf("bigOf %T", x))
}

// errOverflow marks a reference result that must fail.
var errOverflow = fmt.Errorf("overflow")

// refAgg computes one aggregate over the rows of a group the obvious way.
func refAgg(a aggInput, rows []int) (any, error) {
	if a.spec.Fn == ir.AggCountRows {
		return int64(len(rows)), nil
	}
	var vals []any
	for _, r := range rows {
		if x := a.arg.vals[r]; x != nil {
			vals = append(vals, x)
		}
	}
	switch a.spec.Fn {
	case ir.AggCount:
		return int64(len(vals)), nil
	case ir.AggCountDistinct:
		seen := map[string]bool{}
		for _, x := range vals {
			seen[encode(x)] = true
		}
		return int64(len(seen)), nil
	case ir.AggMin, ir.AggMax:
		if len(vals) == 0 {
			return nil, nil
		}
		best := vals[0]
		for _, x := range vals[1:] {
			if a.spec.Fn == ir.AggMin && refLess(x, best) || a.spec.Fn == ir.AggMax && refLess(best, x) {
				best = x
			}
		}
		return best, nil
	}
	// sum and avg
	if len(vals) == 0 {
		return nil, nil
	}
	if a.arg.typ.Kind == types.Float64 {
		s := refFloatSum(vals)
		if a.spec.Fn == ir.AggAvg {
			return s / float64(len(vals)), nil
		}
		return s, nil
	}
	sum := new(big.Int)
	for _, x := range vals {
		sum.Add(sum, bigOf(x))
	}
	if a.spec.Fn == ir.AggAvg {
		w, ok := decimal.FromBig(sum)
		if !ok {
			panic("test sums must fit 128 bits")
		}
		return w.Float64(int(a.arg.typ.Scale)) / float64(len(vals)), nil
	}
	if a.spec.OutType.Kind == types.Int64 {
		if !sum.IsInt64() {
			return nil, errOverflow
		}
		return sum.Int64(), nil
	}
	w, ok := decimal.FromBig(sum)
	if !ok || !w.FitsDigits(38) {
		return nil, errOverflow
	}
	return w, nil
}

// refFloatSum is the exact sum rounded once (or the IEEE result when an
// infinity or NaN takes part).
func refFloatSum(vals []any) float64 {
	posInf, negInf, nan := false, false, false
	sum := new(big.Float).SetPrec(4096)
	for _, x := range vals {
		f := x.(float64)
		switch {
		case f != f:
			nan = true
		case math.IsInf(f, 1):
			posInf = true
		case math.IsInf(f, -1):
			negInf = true
		default:
			sum.Add(sum, new(big.Float).SetFloat64(f))
		}
	}
	switch {
	case nan || posInf && negInf:
		return math.NaN()
	case posInf:
		return math.Inf(1)
	case negInf:
		return math.Inf(-1)
	}
	f, _ := sum.Float64()
	return f
}

// reference aggregates d with maps, groups in order of first row.
func reference(d *dataset) ([][]any, error) {
	index := map[string]int{}
	var groups [][]int
	var keys [][]any
	for r := range d.n {
		kv := make([]any, len(d.keys))
		for i, k := range d.keys {
			kv[i] = k.vals[r]
		}
		e := encode(kv...)
		g, ok := index[e]
		if !ok {
			g = len(groups)
			index[e] = g
			groups = append(groups, nil)
			for i := range kv {
				kv[i] = normValue(kv[i])
			}
			keys = append(keys, kv)
		}
		groups[g] = append(groups[g], r)
	}
	if len(d.keys) == 0 {
		groups, keys = [][]int{groups0(groups)}, [][]any{{}}
	}
	var rows [][]any
	for g, rs := range groups {
		row := slices.Clone(keys[g])
		for _, a := range d.aggs {
			v, err := refAgg(a, rs)
			if err != nil {
				return nil, err
			}
			row = append(row, v)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func groups0(groups [][]int) []int {
	if len(groups) == 0 {
		return nil
	}
	return groups[0]
}

// gen draws column data.
type gen struct {
	rnd *rand.Rand
}

// pool returns card distinct values of type t (special values first when
// special is set: extremes, NaN, -0.0, empty and long strings).
func (g gen) pool(t types.Type, card int, special bool) []any {
	seen := map[string]bool{}
	var out []any
	add := func(x any) {
		if e := encode(x); !seen[e] && len(out) < card {
			seen[e] = true
			out = append(out, x)
		}
	}
	if special {
		switch t.Kind {
		case types.Int32, types.Date:
			add(int32(math.MinInt32))
			add(int32(math.MaxInt32))
			add(int32(0))
		case types.Int64, types.Timestamp:
			add(int64(math.MinInt64))
			add(int64(math.MaxInt64))
			add(int64(0))
		case types.Float64:
			add(math.NaN())
			add(0.0)
			add(math.Inf(1))
			add(math.Inf(-1))
		case types.String:
			add("")
			add(strings.Repeat("long", 2000))
			add("\xff\xfe")
		}
	}
	if t.Kind == types.Bool {
		add(false)
		add(true)
		return out
	}
	for tries := 0; len(out) < card && tries < 100*card+100; tries++ {
		add(g.value(t))
	}
	return out
}

// value draws one value of t, small enough that sums of a few thousand
// never overflow.
func (g gen) value(t types.Type) any {
	r := g.rnd
	switch t.Kind {
	case types.Int32:
		return int32(r.Intn(2_000_001) - 1_000_000)
	case types.Date:
		return int32(r.Intn(20000))
	case types.Int64:
		return r.Int63n(2e12) - 1e12
	case types.Timestamp:
		return r.Int63n(2e15)
	case types.Decimal:
		if t.Precision <= 18 {
			lim := decimal.Pow10Int64(int(t.Precision))
			return r.Int63n(lim) - lim/2
		}
		x := new(big.Int).Rand(r, new(big.Int).Exp(big.NewInt(10), big.NewInt(30), nil))
		if r.Intn(2) == 0 {
			x.Neg(x)
		}
		w, _ := decimal.FromBig(x)
		return w
	case types.Float64:
		// Multiples of 2^-49 at most 1000 in magnitude: exact sums span
		// far fewer than 106 bits, so double-double sums are exact.
		f := r.Float64()*2000 - 1000
		if r.Intn(20) == 0 {
			f = -f
		}
		return f
	case types.String:
		const letters = "abcdefghijklmnopqrstuvwxyzABC\x00\xe9"
		n := r.Intn(12)
		b := make([]byte, n)
		for i := range b {
			b[i] = letters[r.Intn(len(letters))]
		}
		return string(b)
	}
	panic("gen: type " + t.String())
}

// column draws n values from a pool of card values, skewed (Zipf) or not,
// with a fraction of nulls.
func (g gen) column(t types.Type, n, card int, skew bool, nulls float64, special bool) *column {
	pool := g.pool(t, card, special)
	c := &column{typ: t, vals: make([]any, n)}
	var z *rand.Zipf
	if skew && len(pool) > 1 {
		z = rand.NewZipf(g.rnd, 1.1, 1, uint64(len(pool)-1))
	}
	for i := range c.vals {
		if g.rnd.Float64() < nulls {
			continue
		}
		var x any
		if z != nil {
			x = pool[z.Uint64()]
		} else {
			x = pool[g.rnd.Intn(len(pool))]
		}
		// Other spellings of the same key: -0.0 for 0.0, other NaNs.
		if f, ok := x.(float64); ok && g.rnd.Intn(2) == 0 {
			if f == 0 {
				x = math.Copysign(0, -1)
			} else if f != f {
				x = math.Float64frombits(0xfff8000000000123)
			}
		}
		c.vals[i] = x
	}
	return c
}

// sameValue is value equality with NaN equal to NaN.
func sameValue(a, b any) bool {
	fa, ok1 := a.(float64)
	fb, ok2 := b.(float64)
	if ok1 && ok2 {
		return fa == fb || fa != fa && fb != fb
	}
	return a == b
}

// diffRows compares results quickly and describes the first differences
// with go-cmp (comparing a whole large result with go-cmp is slow).
func diffRows(want, got [][]any) string {
	first := -1
	for i := range min(len(want), len(got)) {
		if len(want[i]) != len(got[i]) {
			first = i
			break
		}
		for c := range want[i] {
			if !sameValue(want[i][c], got[i][c]) {
				first = i
				break
			}
		}
		if first >= 0 {
			break
		}
	}
	if first < 0 {
		if len(want) == len(got) {
			return ""
		}
		first = min(len(want), len(got))
	}
	lo := max(first-2, 0)
	return fmt.Sprintf("%d rows, want %d; from row %d:\n%s", len(got), len(want), lo,
		cmp.Diff(want[lo:min(lo+10, len(want))], got[lo:min(lo+10, len(got))], cmpopts.EquateNaNs()))
}
