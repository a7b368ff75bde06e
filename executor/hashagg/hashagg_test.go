package hashagg

import (
	"math"
	"math/big"
	"math/rand"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

var equateNaNs = cmpopts.EquateNaNs()

// keySpec describes a generated key column.
type keySpec struct {
	typ     types.Type
	dict    bool
	mixed   bool
	card    int
	skew    bool
	nulls   float64
	special bool
}

var (
	dec18 = types.DecimalType(10, 2)
	dec38 = types.DecimalType(38, 4)
)

// keyConfigs covers every key type, alone and in combinations.
var keyConfigs = []struct {
	name string
	keys []keySpec
}{
	{"none", nil},
	{"bool", []keySpec{{typ: types.BoolType, card: 2, nulls: 0.1}}},
	{"int32", []keySpec{{typ: types.Int32Type, card: 50, skew: true, nulls: 0.05, special: true}}},
	{"int64", []keySpec{{typ: types.Int64Type, card: 300, special: true}}},
	{"float64", []keySpec{{typ: types.Float64Type, card: 40, nulls: 0.05, special: true}}},
	{"decimal18", []keySpec{{typ: dec18, card: 60, nulls: 0.05}}},
	{"decimal38", []keySpec{{typ: dec38, card: 60, nulls: 0.05}}},
	{"string", []keySpec{{typ: types.StringType, card: 80, nulls: 0.05, special: true}}},
	{"string-dict", []keySpec{{typ: types.StringType, dict: true, card: 40, skew: true, nulls: 0.05, special: true}}},
	{"string-mixed", []keySpec{{typ: types.StringType, dict: true, mixed: true, card: 60, nulls: 0.05, special: true}}},
	{"date", []keySpec{{typ: types.DateType, card: 100, nulls: 0.02}}},
	{"timestamp", []keySpec{{typ: types.TimestampType, card: 100, nulls: 0.02}}},
	{"string+int32", []keySpec{{typ: types.StringType, card: 10, nulls: 0.1}, {typ: types.Int32Type, card: 10, nulls: 0.1}}},
	{"int64+float64+bool", []keySpec{{typ: types.Int64Type, card: 5}, {typ: types.Float64Type, card: 6, special: true, nulls: 0.1}, {typ: types.BoolType, card: 2, nulls: 0.1}}},
	{"decimal38+string-dict", []keySpec{{typ: dec38, card: 8, nulls: 0.1}, {typ: types.StringType, dict: true, card: 8, nulls: 0.1}}},
	{"string-dict+string+date", []keySpec{{typ: types.StringType, dict: true, card: 5, skew: true}, {typ: types.StringType, card: 5, special: true, nulls: 0.1}, {typ: types.DateType, card: 4}}},
}

// argColumns is one argument column of every type, with nulls.
func argColumns(g gen, n int) []*column {
	var cols []*column
	for _, t := range []types.Type{types.BoolType, types.Int32Type, types.Int64Type, types.Float64Type,
		types.DecimalType(12, 2), types.DecimalType(38, 3), types.StringType, types.DateType, types.TimestampType} {
		cols = append(cols, g.column(t, n, 100, false, 0.15, false))
	}
	dict := g.column(types.StringType, n, 30, true, 0.15, true)
	dict.dict = true
	allNull := g.column(types.Int64Type, n, 10, false, 1, false)
	return append(cols, dict, allNull)
}

func makeDataset(seed int64, n int, keys []keySpec, argsOf func(g gen, n int) []aggInput) *dataset {
	g := gen{rand.New(rand.NewSource(seed))}
	d := &dataset{n: n}
	for _, k := range keys {
		c := g.column(k.typ, n, k.card, k.skew, k.nulls, k.special)
		c.dict, c.mixed = k.dict, k.mixed
		d.keys = append(d.keys, c)
	}
	if argsOf != nil {
		d.aggs = argsOf(g, n)
	}
	return d
}

var scenarios = []struct {
	name string
	o    feedOptions
}{
	{"chunked updates", feedOptions{tables: 2, maxMorsel: 700, maxBatch: 300, shuffle: true, workers: 2, outSize: 512, chunked: true}},
	{"one partitioned table", feedOptions{tables: 1, maxMorsel: 400, maxBatch: 200, workers: 2, outSize: 300, spillAt: 5}},
	{"partitioned and plain tables", feedOptions{tables: 4, maxMorsel: 100, maxBatch: 40, shuffle: true, workers: 3, outSize: 64, spillAt: 30, spillBudget: 3000}},
	{"one table in order", feedOptions{tables: 1, maxMorsel: 500, maxBatch: 100, workers: 1, outSize: 1024}},
	{"one table shuffled", feedOptions{tables: 1, maxMorsel: 300, maxBatch: 64, shuffle: true, workers: 2, outSize: 37}},
	{"three tables", feedOptions{tables: 3, maxMorsel: 200, maxBatch: 50, shuffle: true, workers: 2, outSize: 100}},
	{"eight tables", feedOptions{tables: 8, maxMorsel: 100, maxBatch: 30, shuffle: true, workers: 4, outSize: 7}},
}

// TestAggregates runs every aggregate over every argument type, grouped by
// every key type, split among tables in several ways, against the
// map-based reference.
func TestAggregates(t *testing.T) {
	for i, kc := range keyConfigs {
		t.Run(kc.name, func(t *testing.T) {
			d := makeDataset(int64(i), 2500, kc.keys, func(g gen, n int) []aggInput { return allAggs(argColumns(g, n)...) })
			want, err := reference(d)
			if err != nil {
				t.Fatal(err)
			}
			for j, sc := range scenarios {
				t.Run(sc.name, func(t *testing.T) {
					got, err := run(t, d, sc.o, int64(100*i+j))
					if err != nil {
						t.Fatal(err)
					}
					if diff := diffRows(want, got); diff != "" {
						t.Errorf("result differs from the reference (-want +got):\n%s", diff)
					}
				})
			}
		})
	}
}

// TestParallelMerge has enough groups for Finish to merge by hash
// partition on several goroutines, count_distinct sets included.
func TestParallelMerge(t *testing.T) {
	configs := []struct {
		name string
		keys []keySpec
	}{
		{"int64", []keySpec{{typ: types.Int64Type, card: 40000, nulls: 0.01}}},
		{"string", []keySpec{{typ: types.StringType, card: 40000, nulls: 0.01}}},
		{"string-dict", []keySpec{{typ: types.StringType, dict: true, card: 40000}}},
		{"string-mixed", []keySpec{{typ: types.StringType, dict: true, mixed: true, card: 40000}}},
		{"string+int32", []keySpec{{typ: types.StringType, card: 300}, {typ: types.Int32Type, card: 200, nulls: 0.01}}},
	}
	args := func(g gen, n int) []aggInput {
		i64 := g.column(types.Int64Type, n, 1000, false, 0.1, false)
		f64 := g.column(types.Float64Type, n, 1000, false, 0.1, false)
		str := g.column(types.StringType, n, 1000, false, 0.1, true)
		i32 := g.column(types.Int32Type, n, 3, false, 0.1, false)
		w := g.column(types.DecimalType(38, 3), n, 100, false, 0.1, false)
		return []aggInput{agg(ir.AggCountRows, nil), agg(ir.AggSum, i64), agg(ir.AggSum, f64), agg(ir.AggAvg, f64),
			agg(ir.AggMin, str), agg(ir.AggMax, str), agg(ir.AggCountDistinct, i32), agg(ir.AggCountDistinct, str), agg(ir.AggAvg, w)}
	}
	for i, c := range configs {
		t.Run(c.name, func(t *testing.T) {
			d := makeDataset(int64(i), 60000, c.keys, args)
			want, err := reference(d)
			if err != nil {
				t.Fatal(err)
			}
			for j, o := range []feedOptions{
				{tables: 4, maxMorsel: 5000, maxBatch: 2000, shuffle: true, workers: 3, outSize: 4096},
				{tables: 2, maxMorsel: 3000, maxBatch: 3000, workers: 2, outSize: 1000},
				{tables: 3, maxMorsel: 4000, maxBatch: 1500, shuffle: true, workers: 2, outSize: 5000, spillAt: 5000},
			} {
				got, err := run(t, d, o, int64(j))
				if err != nil {
					t.Fatal(err)
				}
				if diff := diffRows(want, got); diff != "" {
					t.Errorf("options %+v: result differs from the reference (-want +got):\n%s", o, diff)
				}
			}
		})
	}
}

// TestDistinct is Spec{KeyTypes: all columns} with no aggregate.
func TestDistinct(t *testing.T) {
	for i, kc := range keyConfigs[1:] {
		t.Run(kc.name, func(t *testing.T) {
			d := makeDataset(int64(i), 3000, kc.keys, nil)
			want, err := reference(d)
			if err != nil {
				t.Fatal(err)
			}
			got, err := run(t, d, feedOptions{tables: 3, maxMorsel: 300, maxBatch: 100, shuffle: true, workers: 2, outSize: 50}, 1)
			if err != nil {
				t.Fatal(err)
			}
			if diff := diffRows(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestSmallInputs covers empty input and a single row, with and without
// keys.
func TestSmallInputs(t *testing.T) {
	for _, keys := range [][]keySpec{nil, {{typ: types.StringType, card: 3}}, {{typ: types.Int64Type, card: 3}, {typ: types.BoolType, card: 2}}} {
		for _, n := range []int{0, 1} {
			d := makeDataset(7, n, keys, func(g gen, n int) []aggInput { return allAggs(argColumns(g, n)...) })
			want, err := reference(d)
			if err != nil {
				t.Fatal(err)
			}
			if len(keys) == 0 && len(want) != 1 {
				t.Fatalf("reference has %d rows without keys", len(want))
			}
			for _, tables := range []int{1, 3} {
				got, err := run(t, d, feedOptions{tables: tables, maxMorsel: 1, maxBatch: 1, workers: 2, outSize: 10}, 1)
				if err != nil {
					t.Fatal(err)
				}
				if diff := diffRows(want, got); diff != "" {
					t.Errorf("%d keys, %d rows, %d tables (-want +got):\n%s", len(keys), n, tables, diff)
				}
			}
		}
	}
}

// TestEmptyNoKeys spells out the one row of an aggregation without keys
// over no rows.
func TestEmptyNoKeys(t *testing.T) {
	i64 := &column{typ: types.Int64Type}
	str := &column{typ: types.StringType}
	d := &dataset{aggs: []aggInput{agg(ir.AggCountRows, nil), agg(ir.AggCount, i64), agg(ir.AggCountDistinct, str),
		agg(ir.AggSum, i64), agg(ir.AggAvg, i64), agg(ir.AggMin, str), agg(ir.AggMax, i64)}}
	got, err := run(t, d, feedOptions{tables: 2, maxMorsel: 1, maxBatch: 1, workers: 2, outSize: 10}, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{{int64(0), int64(0), int64(0), nil, nil, nil, nil}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestFloatKeys: NaN groups with NaN, -0.0 with 0.0 (output as 0.0).
func TestFloatKeys(t *testing.T) {
	negZero := math.Copysign(0, -1)
	otherNaN := math.Float64frombits(0xfff8000000000123)
	for _, second := range []bool{false, true} {
		keys := []*column{{typ: types.Float64Type, vals: []any{negZero, math.NaN(), 0.0, otherNaN, 1.5, negZero, nil, nil}}}
		if second {
			keys = append(keys, &column{typ: types.BoolType, vals: []any{true, true, true, true, true, true, nil, nil}})
		}
		d := &dataset{n: 8, keys: keys, aggs: []aggInput{agg(ir.AggCountRows, nil)}}
		got, err := run(t, d, feedOptions{tables: 2, maxMorsel: 3, maxBatch: 2, shuffle: true, workers: 2, outSize: 10}, 3)
		if err != nil {
			t.Fatal(err)
		}
		var want [][]any
		for _, r := range [][]any{{0.0, int64(3)}, {math.NaN(), int64(2)}, {1.5, int64(1)}, {nil, int64(2)}} {
			if second {
				b := any(true)
				if r[0] == nil {
					b = nil
				}
				r = []any{r[0], b, r[1]}
			}
			want = append(want, r)
		}
		if diff := diffRows(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if math.Signbit(got[0][0].(float64)) {
			t.Errorf("the 0.0 group's key is -0.0")
		}
	}
}

// TestFloatOrder: min and max order -0.0 below 0.0 and NaN above all.
func TestFloatOrder(t *testing.T) {
	negZero := math.Copysign(0, -1)
	tests := []struct {
		vals     []any
		min, max float64
	}{
		{[]any{0.0, negZero, 3.0}, negZero, 3},
		{[]any{1.0, math.NaN(), -2.0}, -2, math.NaN()},
		{[]any{math.Inf(-1), math.Inf(1), nil}, math.Inf(-1), math.Inf(1)},
		{[]any{math.NaN(), nil}, math.NaN(), math.NaN()},
	}
	for _, tt := range tests {
		arg := &column{typ: types.Float64Type, vals: tt.vals}
		d := &dataset{n: len(tt.vals), aggs: []aggInput{agg(ir.AggMin, arg), agg(ir.AggMax, arg)}}
		got, err := run(t, d, feedOptions{tables: 2, maxMorsel: 1, maxBatch: 1, shuffle: true, workers: 2, outSize: 10}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([][]any{{tt.min, tt.max}}, got, equateNaNs); diff != "" {
			t.Errorf("%v (-want +got):\n%s", tt.vals, diff)
		}
		if gotMin := got[0][0].(float64); math.Signbit(gotMin) != math.Signbit(tt.min) {
			t.Errorf("%v: min sign bit %v", tt.vals, math.Signbit(gotMin))
		}
	}
}

// TestFloatSpecialSums: infinities and NaN in sums and averages.
func TestFloatSpecialSums(t *testing.T) {
	d := makeDataset(3, 3000, []keySpec{{typ: types.Int32Type, card: 30}}, func(g gen, n int) []aggInput {
		f := g.column(types.Float64Type, n, 2000, false, 0.1, false)
		for i := range f.vals {
			switch g.rnd.Intn(400) {
			case 0:
				f.vals[i] = math.Inf(1)
			case 1:
				f.vals[i] = math.Inf(-1)
			case 2:
				f.vals[i] = math.NaN()
			}
		}
		return []aggInput{agg(ir.AggSum, f), agg(ir.AggAvg, f), agg(ir.AggMin, f), agg(ir.AggMax, f), agg(ir.AggCountDistinct, f)}
	})
	want, err := reference(d)
	if err != nil {
		t.Fatal(err)
	}
	for j, sc := range scenarios {
		got, err := run(t, d, sc.o, int64(j))
		if err != nil {
			t.Fatal(err)
		}
		if diff := diffRows(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", sc.name, diff)
		}
	}
}

func wide(s string) decimal.Int128 {
	b, _ := new(big.Int).SetString(s, 10)
	w, _ := decimal.FromBig(b)
	return w
}

// TestSumOverflow: an overflow is an error exactly when the exact total
// does not fit, whatever the order of the additions.
func TestSumOverflow(t *testing.T) {
	big37 := wide("90000000000000000000000000000000000000") // 9e37: 38 digits
	tests := []struct {
		name    string
		typ     types.Type
		vals    []any
		want    any
		wantErr string
	}{
		{"int64 fits", types.Int64Type, []any{int64(math.MaxInt64), int64(1), int64(-1)}, int64(math.MaxInt64), ""},
		{"int64 overflows", types.Int64Type, []any{int64(math.MaxInt64), int64(1)}, nil, "overflows int64"},
		{"int64 negative overflow", types.Int64Type, []any{int64(math.MinInt64), int64(-1), nil}, nil, "overflows int64"},
		{"int64 back from below", types.Int64Type, []any{int64(math.MinInt64), int64(math.MinInt64), int64(math.MaxInt64), int64(math.MaxInt64), int64(1)}, int64(-1), ""},
		{"int32 many", types.Int32Type, []any{int32(math.MaxInt32), int32(math.MaxInt32)}, int64(2 * math.MaxInt32), ""},
		{"decimal38 fits", dec38, []any{big37, big37, big37.Neg()}, big37, ""},
		{"decimal38 overflows", dec38, []any{big37, big37}, nil, "overflows decimal(38,4)"},
		{"decimal38 beyond 128 bits and back", dec38, []any{big37, big37, big37, big37, big37.Neg(), big37.Neg(), big37.Neg()}, big37, ""},
		{"decimal18 into 38 digits", types.DecimalType(18, 2), []any{int64(999999999999999999), int64(999999999999999999)}, wide("1999999999999999998"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arg := &column{typ: tt.typ, vals: tt.vals}
			d := &dataset{n: len(tt.vals), aggs: []aggInput{agg(ir.AggSum, arg)}}
			for seed := range int64(6) {
				o := feedOptions{tables: 1 + int(seed%3), maxMorsel: 2, maxBatch: 1, shuffle: true, workers: 2, outSize: 10}
				got, err := run(t, d, o, seed)
				if tt.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
						t.Fatalf("error %v, want %q", err, tt.wantErr)
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff([][]any{{tt.want}}, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			}
		})
	}
}

// TestErrors: bad specs and bad input are errors, not panics.
func TestErrors(t *testing.T) {
	i64 := vector.New(types.Int64Type, 4)
	i64.Reset(4)
	str := vector.New(types.StringType, 4)
	str.Reset(4)
	for i := range 4 {
		str.AppendString(i, []byte("x"))
	}
	badDict := vector.New(types.StringType, 0)
	badDict.Len = 4
	badDict.Dict = str
	badDict.Codes = []int32{0, 1, 9, 2}
	badOffsets := vector.New(types.StringType, 4)
	badOffsets.Reset(4)
	badOffsets.Offsets = []int32{0, 3, 1, 2, 2}
	badOffsets.Bytes = []byte("abc")

	countSpec := &Spec{KeyTypes: []types.Type{types.StringType}, Aggs: []AggSpec{{Fn: ir.AggCountRows, OutType: types.Int64Type}}}
	tests := []struct {
		name       string
		spec       *Spec
		keys, args []*vector.Vector
		n          int
		want       string
	}{
		{"sum of strings", &Spec{Aggs: []AggSpec{{Fn: ir.AggSum, ArgType: types.StringType, OutType: types.StringType}}}, nil, []*vector.Vector{str}, 4, "not numeric"},
		{"wrong result type", &Spec{Aggs: []AggSpec{{Fn: ir.AggMin, ArgType: types.Int64Type, OutType: types.Int32Type}}}, nil, []*vector.Vector{i64}, 4, "does not fit"},
		{"unknown function", &Spec{Aggs: []AggSpec{{Fn: 99, ArgType: types.Int64Type, OutType: types.Int64Type}}}, nil, []*vector.Vector{i64}, 4, "unknown aggregate"},
		{"bad key type", &Spec{KeyTypes: []types.Type{types.NullType}}, []*vector.Vector{i64}, nil, 4, "unsupported type"},
		{"vector count", countSpec, nil, []*vector.Vector{nil}, 4, "key and 1 argument"},
		{"key type mismatch", countSpec, []*vector.Vector{i64}, []*vector.Vector{nil}, 4, "where string was expected"},
		{"too few rows", countSpec, []*vector.Vector{str}, []*vector.Vector{nil}, 5, "has 4 rows"},
		{"dictionary code", countSpec, []*vector.Vector{badDict}, []*vector.Vector{nil}, 4, "code 9 out of range"},
		{"offsets", countSpec, []*vector.Vector{badOffsets}, []*vector.Vector{nil}, 4, "offsets decrease"},
		{"negative rows", countSpec, []*vector.Vector{str}, []*vector.Vector{nil}, -1, "negative row count"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := NewTable(tt.spec)
			err := tab.Add(tt.keys, tt.args, tt.n, 0)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Add: error %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := Finish(nil, 1, 10); err == nil {
		t.Errorf("Finish of no table: no error")
	}
	if _, err := Finish([]*Table{NewTable(countSpec)}, 1, 0); err == nil {
		t.Errorf("Finish with batch size 0: no error")
	}
	if _, err := Finish([]*Table{NewTable(countSpec), NewTable(&Spec{})}, 1, 10); err == nil {
		t.Errorf("Finish of different specs: no error")
	}
	if _, err := Finish([]*Table{NewTable(&Spec{KeyTypes: []types.Type{types.NullType}})}, 1, 10); err == nil {
		t.Errorf("Finish of an invalid spec: no error")
	}
}

// TestManyGroups: a million distinct int64 keys split among tables come
// out once each, in order of first appearance, with the right sums.
func TestManyGroups(t *testing.T) {
	if testing.Short() {
		t.Skip("1M groups")
	}
	const n, groups = 1_500_000, 1_000_000
	rnd := rand.New(rand.NewSource(1))
	keys := make([]int64, n)
	perm := rnd.Perm(groups)
	for i := range keys {
		if i < groups {
			keys[i] = int64(perm[i]) * 7919
		} else {
			keys[i] = int64(perm[rnd.Intn(groups)]) * 7919
		}
	}
	rnd.Shuffle(n-groups/2, func(i, j int) { keys[groups/2+i], keys[groups/2+j] = keys[groups/2+j], keys[groups/2+i] })
	wantCount := map[int64]int64{}
	var wantOrder []int64
	for _, k := range keys {
		if wantCount[k] == 0 {
			wantOrder = append(wantOrder, k)
		}
		wantCount[k]++
	}
	spec := &Spec{KeyTypes: []types.Type{types.Int64Type}, Aggs: []AggSpec{
		{Fn: ir.AggCountRows, OutType: types.Int64Type},
		{Fn: ir.AggSum, ArgType: types.Int64Type, OutType: types.Int64Type},
	}}
	const ntables, morsel, batch = 3, 100_000, 8192
	tables := make([]*Table, ntables)
	for i := range tables {
		tables[i] = NewTable(spec)
	}
	kv := vector.New(types.Int64Type, batch)
	for m := 0; m*morsel < n; m++ {
		tab := tables[(m*7)%ntables]
		for lo := m * morsel; lo < min(n, (m+1)*morsel); lo += batch {
			hi := min(lo+batch, (m+1)*morsel, n)
			kv.Reset(hi - lo)
			copy(kv.I64, keys[lo:hi])
			if err := tab.Add([]*vector.Vector{kv}, []*vector.Vector{nil, kv}, hi-lo, uint64(m)<<32|uint64(lo-m*morsel)); err != nil {
				t.Fatal(err)
			}
		}
	}
	out, err := Finish(tables, 2, 65536)
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for _, b := range out {
		for r := range b.Len {
			k := b.Cols[0].I64[r]
			if i >= len(wantOrder) || k != wantOrder[i] {
				t.Fatalf("group %d is %d, want %d", i, k, wantOrder[i])
			}
			if c, s := b.Cols[1].I64[r], b.Cols[2].I64[r]; c != wantCount[k] || s != k*wantCount[k] {
				t.Fatalf("group %d: count %d sum %d, want %d and %d", k, c, s, wantCount[k], k*wantCount[k])
			}
			i++
		}
	}
	if i != groups {
		t.Fatalf("%d groups, want %d", i, groups)
	}
}

// TestWideAvg: avg of 38-digit decimals whose exact sum passes 128 bits.
func TestWideAvg(t *testing.T) {
	big37 := wide("90000000000000000000000000000000000000")
	arg := &column{typ: dec38, vals: []any{big37, big37, big37, big37, nil}}
	d := &dataset{n: 5, aggs: []aggInput{agg(ir.AggAvg, arg), agg(ir.AggCount, arg)}}
	got, err := run(t, d, feedOptions{tables: 2, maxMorsel: 2, maxBatch: 1, shuffle: true, workers: 2, outSize: 10}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]any{{9e33, int64(4)}}, got, cmpopts.EquateApprox(1e-15, 0)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestSpecHelpers covers OutTypes, Len and equal specs behind different
// pointers.
func TestSpecHelpers(t *testing.T) {
	spec := func() *Spec {
		return &Spec{KeyTypes: []types.Type{types.StringType}, Aggs: []AggSpec{
			{Fn: ir.AggCountRows, OutType: types.Int64Type},
			{Fn: ir.AggSum, ArgType: dec18, OutType: types.DecimalType(38, 2)},
		}}
	}
	want := []types.Type{types.StringType, types.Int64Type, types.DecimalType(38, 2)}
	if diff := cmp.Diff(want, spec().OutTypes()); diff != "" {
		t.Errorf("OutTypes (-want +got):\n%s", diff)
	}
	keys := &column{typ: types.StringType, vals: []any{"a", "b", "a"}}
	arg := &column{typ: dec18, vals: []any{int64(1), int64(2), int64(3)}}
	a, b := NewTable(spec()), NewTable(spec())
	kv, av := vector.New(types.StringType, 0), vector.New(dec18, 0)
	rnd := rand.New(rand.NewSource(1))
	fill(kv, keys, 0, 3, rnd)
	fill(av, arg, 0, 3, rnd)
	if err := a.Add([]*vector.Vector{kv}, []*vector.Vector{nil, av}, 3, 0); err != nil {
		t.Fatal(err)
	}
	if a.Len() != 2 || b.Len() != 0 {
		t.Errorf("Len = %d and %d, want 2 and 0", a.Len(), b.Len())
	}
	out, err := Finish([]*Table{a, b}, 2, 10)
	if err != nil {
		t.Fatal(err)
	}
	got := rowsOf(t, out, 3, 10)
	if diff := cmp.Diff([][]any{{"a", int64(2), wide("4")}, {"b", int64(1), wide("2")}}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
