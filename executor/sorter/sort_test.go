package sorter

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/types"
)

// lowerChunks makes the parallel paths run on test-sized inputs.
func lowerChunks(t *testing.T, rows int) {
	t.Helper()
	oldChunk, oldSeg := minChunkRows, minMergeSegment
	minChunkRows, minMergeSegment = rows, 16
	t.Cleanup(func() { minChunkRows, minMergeSegment = oldChunk, oldSeg })
}

// gen builds one key vector of n rows from a seeded source.
type gen func(r *rand.Rand, n int) *vector.Vector

// withNulls makes about one row in every `every` null.
func withNulls(g gen, every int) gen {
	return func(r *rand.Rand, n int) *vector.Vector {
		v := g(r, n)
		for i := range n {
			if r.IntN(every) == 0 {
				v.SetNull(i)
			}
		}
		return v
	}
}

func int64s(t types.Type, f func(r *rand.Rand) int64) gen {
	return func(r *rand.Rand, n int) *vector.Vector {
		v := vector.New(t, n)
		v.Reset(n)
		for i := range n {
			v.I64[i] = f(r)
		}
		return v
	}
}

func int32s(t types.Type, f func(r *rand.Rand) int32) gen {
	return func(r *rand.Rand, n int) *vector.Vector {
		v := vector.New(t, n)
		v.Reset(n)
		for i := range n {
			v.I32[i] = f(r)
		}
		return v
	}
}

func floats(f func(r *rand.Rand) float64) gen {
	return func(r *rand.Rand, n int) *vector.Vector {
		v := vector.New(types.Float64Type, n)
		v.Reset(n)
		for i := range n {
			v.F64[i] = f(r)
		}
		return v
	}
}

func bools(r *rand.Rand, n int) *vector.Vector {
	v := vector.New(types.BoolType, n)
	v.Reset(n)
	for i := range n {
		v.Bool[i] = r.IntN(2) == 0
	}
	return v
}

func int128s(r *rand.Rand, n int) *vector.Vector {
	v := vector.New(types.DecimalType(38, 2), n)
	v.Reset(n)
	his := []int64{math.MinInt64, -2, -1, 0, 1, 7, math.MaxInt64}
	los := []uint64{0, 1, 1 << 63, math.MaxUint64, 12345}
	for i := range n {
		if r.IntN(3) == 0 {
			v.I128[i] = decimal.FromInt64(r.Int64N(2000) - 1000)
		} else {
			v.I128[i] = decimal.Int128{Hi: his[r.IntN(len(his))], Lo: los[r.IntN(len(los))] + uint64(r.IntN(3))}
		}
	}
	return v
}

func stringsFrom(f func(r *rand.Rand) string) gen {
	return func(r *rand.Rand, n int) *vector.Vector {
		v := vector.New(types.StringType, n)
		v.Reset(n)
		for i := range n {
			v.AppendString(i, []byte(f(r)))
		}
		return v
	}
}

// dictOf makes a dictionary-encoded vector over entries (duplicates and
// unsorted entries included on purpose).
func dictOf(entries ...string) gen {
	return func(r *rand.Rand, n int) *vector.Vector {
		d := vector.New(types.StringType, len(entries))
		d.Reset(len(entries))
		for i, e := range entries {
			d.AppendString(i, []byte(e))
		}
		v := vector.New(types.StringType, n)
		v.Reset(n)
		v.Dict = d
		v.Codes = make([]int32, n)
		for i := range v.Codes {
			v.Codes[i] = int32(r.IntN(len(entries)))
		}
		return v
	}
}

var (
	floatSpecials = []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), 1.5, -1.5,
		math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64,
		math.Float64frombits(0x7FF8000000000001), math.Float64frombits(0xFFF8000000000000)}
	unicodeWords = []string{"", "a", "A", "ä", "z", "é", "e\u0301", "日本", "日本語", "😀", "\x00", "a\x00",
		"a\x00\x00", "zz", "Ω", "\xff", "ab", "abc"}
	prefix = "a-rather-long-shared-prefix/"
)

func randomString(r *rand.Rand, alphabet string, maxLen int) string {
	b := make([]byte, r.IntN(maxLen+1))
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

var gens = map[string]gen{
	"int64":       int64s(types.Int64Type, func(r *rand.Rand) int64 { return int64(r.Uint64()) }),
	"int64 small": int64s(types.Int64Type, func(r *rand.Rand) int64 { return r.Int64N(20) - 10 }),
	"int64 edges": int64s(types.Int64Type, func(r *rand.Rand) int64 {
		return []int64{math.MinInt64, math.MaxInt64, 0, -1, 1}[r.IntN(5)]
	}),
	"int32":      int32s(types.Int32Type, func(r *rand.Rand) int32 { return int32(r.Uint32()) }),
	"int32 few":  int32s(types.Int32Type, func(r *rand.Rand) int32 { return r.Int32N(5) - 2 }),
	"date":       int32s(types.DateType, func(r *rand.Rand) int32 { return r.Int32N(40000) - 20000 }),
	"timestamp":  int64s(types.TimestampType, func(r *rand.Rand) int64 { return r.Int64N(4e15) - 2e15 }),
	"decimal64":  int64s(types.DecimalType(18, 2), func(r *rand.Rand) int64 { return r.Int64N(1e6) - 5e5 }),
	"decimal128": int128s,
	"float64":    floats(func(r *rand.Rand) float64 { return r.NormFloat64() * 1e3 }),
	"float64 specials": floats(func(r *rand.Rand) float64 {
		return floatSpecials[r.IntN(len(floatSpecials))]
	}),
	"bool":         bools,
	"string ascii": stringsFrom(func(r *rand.Rand) string { return randomString(r, "ab\x00z", 12) }),
	"string unicode": stringsFrom(func(r *rand.Rand) string {
		return unicodeWords[r.IntN(len(unicodeWords))] + unicodeWords[r.IntN(len(unicodeWords))]
	}),
	"string long prefix": stringsFrom(func(r *rand.Rand) string {
		return prefix[:r.IntN(len(prefix)+1)] + randomString(r, "ab", 3)
	}),
	"string same long": stringsFrom(func(r *rand.Rand) string {
		return strings.Repeat("x", 40) + randomString(r, "xy", 2)
	}),
	"dict":        dictOf("pending", "shipped", "", "delivered", "shipped", "a-rather-long-status-1", "a-rather-long-status-0"),
	"dict single": dictOf("only"),
}

// reference orders rows the plain way, one comparison at a time.
func reference(keys []*vector.Vector, spec []Key, n int) []int32 {
	rows := make([]int32, n)
	for i := range rows {
		rows[i] = int32(i)
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := int(rows[i]), int(rows[j])
		for k, v := range keys {
			if c := refCompare(v, spec[k], a, b); c != 0 {
				return c < 0
			}
		}
		return false
	})
	return rows
}

func refCompare(v *vector.Vector, k Key, a, b int) int {
	na, nb := v.IsNull(a), v.IsNull(b)
	switch {
	case na && nb:
		return 0
	case na:
		if k.NullsFirst {
			return -1
		}
		return 1
	case nb:
		if k.NullsFirst {
			return 1
		}
		return -1
	}
	var c int
	switch v.Phys {
	case vector.PhysBool:
		x, y := v.Bool[a], v.Bool[b]
		switch {
		case !x && y:
			c = -1
		case x && !y:
			c = 1
		}
	case vector.PhysInt32:
		c = cmpOrdered(v.I32[a], v.I32[b])
	case vector.PhysInt64:
		c = cmpOrdered(v.I64[a], v.I64[b])
	case vector.PhysFloat64:
		x, y := v.F64[a], v.F64[b]
		switch {
		case math.IsNaN(x) && math.IsNaN(y):
		case math.IsNaN(x):
			c = 1
		case math.IsNaN(y):
			c = -1
		case x < y:
			c = -1
		case x > y:
			c = 1
		}
	case vector.PhysInt128:
		c = v.I128[a].Big().Cmp(v.I128[b].Big())
	case vector.PhysString:
		c = bytes.Compare(v.String(a), v.String(b))
	}
	if k.Desc {
		return -c
	}
	return c
}

func cmpOrdered[T int32 | int64](x, y T) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// sortCase is a sort to check against the reference.
type sortCase struct {
	name string
	gens []gen
	spec []Key
	n    int
}

func sortCases() []sortCase {
	var cases []sortCase
	specs := []Key{{}, {Desc: true}, {NullsFirst: true}, {Desc: true, NullsFirst: true}}
	for name, g := range gens {
		for _, k := range specs {
			cases = append(cases,
				sortCase{fmt.Sprintf("%s %+v", name, k), []gen{g}, []Key{k}, 3000},
				sortCase{fmt.Sprintf("%s nulls %+v", name, k), []gen{withNulls(g, 7)}, []Key{k}, 3000},
			)
		}
	}
	cases = append(cases,
		sortCase{"empty", []gen{gens["int64"]}, []Key{{}}, 0},
		sortCase{"one row", []gen{gens["string ascii"]}, []Key{{}}, 1},
		sortCase{"one null row", []gen{withNulls(gens["int64"], 1)}, []Key{{}}, 1},
		sortCase{"no keys", nil, nil, 100},
		sortCase{"all equal", []gen{int64s(types.Int64Type, func(*rand.Rand) int64 { return 42 })}, []Key{{Desc: true}}, 5000},
		sortCase{"all equal strings", []gen{stringsFrom(func(*rand.Rand) string { return prefix + prefix })}, []Key{{}}, 2000},
		sortCase{"all null", []gen{withNulls(gens["float64"], 1)}, []Key{{}}, 1000},
		sortCase{"string asc float desc", []gen{gens["string long prefix"], gens["float64 specials"]},
			[]Key{{}, {Desc: true}}, 4000},
		sortCase{"dict desc int asc nulls first", []gen{withNulls(gens["dict"], 5), withNulls(gens["int32 few"], 3)},
			[]Key{{Desc: true}, {NullsFirst: true}}, 4000},
		sortCase{"bool date decimal128", []gen{gens["bool"], withNulls(gens["date"], 50), gens["decimal128"]},
			[]Key{{}, {Desc: true, NullsFirst: true}, {Desc: true}}, 4000},
		sortCase{"four keys with ties", []gen{gens["int32 few"], withNulls(gens["string ascii"], 4), gens["bool"], withNulls(gens["decimal64"], 2)},
			[]Key{{NullsFirst: true}, {Desc: true}, {Desc: true}, {NullsFirst: true}}, 6000},
		sortCase{"same dict twice", []gen{gens["dict"], gens["dict"]}, []Key{{}, {Desc: true}}, 1000},
		sortCase{"big int64", []gen{gens["int64"]}, []Key{{}}, 100_000},
		sortCase{"big few strings", []gen{gens["string unicode"], gens["int64 small"]}, []Key{{Desc: true}, {}}, 50_000},
	)
	return cases
}

func build(c sortCase) []*vector.Vector {
	r := rand.New(rand.NewPCG(uint64(len(c.name)), 7))
	keys := make([]*vector.Vector, len(c.gens))
	for i, g := range c.gens {
		keys[i] = g(r, c.n)
	}
	return keys
}

// sameOrder fails the test when got differs from want. go-cmp runs only
// on a difference: it is slow on long slices.
func sameOrder(t *testing.T, want, got []int32, format string, args ...any) {
	t.Helper()
	if slices.Equal(want, got) {
		return
	}
	t.Fatalf("%s: order differs from the reference (-want +got):\n%s", fmt.Sprintf(format, args...), cmp.Diff(want, got))
}

func TestSortMatchesReference(t *testing.T) {
	lowerChunks(t, 300)
	for _, c := range sortCases() {
		t.Run(c.name, func(t *testing.T) {
			keys := build(c)
			want := reference(keys, c.spec, c.n)
			for workers := 1; workers <= 4; workers++ {
				for _, partition := range []bool{true, false} {
					partitionFirst = partition
					got, err := Sort(keys, c.spec, c.n, workers)
					partitionFirst = true
					if err != nil {
						t.Fatalf("workers=%d: %v", workers, err)
					}
					sameOrder(t, want, got, "workers=%d partition=%v", workers, partition)
				}
			}
		})
	}
}

func TestTopNIsPrefixOfSort(t *testing.T) {
	lowerChunks(t, 200)
	for _, c := range sortCases() {
		if c.n > 10_000 {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			keys := build(c)
			want := reference(keys, c.spec, c.n)
			for _, limit := range []int{0, 1, 2, 7, 100, c.n / 10, c.n / 3, c.n/2 - 1, c.n - 1, c.n, c.n + 5} {
				if limit < 0 {
					continue
				}
				for workers := 1; workers <= 4; workers++ {
					got, err := TopN(keys, c.spec, c.n, limit, workers)
					if err != nil {
						t.Fatalf("limit=%d workers=%d: %v", limit, workers, err)
					}
					sameOrder(t, want[:min(limit, c.n)], got, "limit=%d workers=%d", limit, workers)
				}
			}
		})
	}
}

// TestTopNTiesAtBoundary checks that rows tying with the last kept row are
// taken in input order.
func TestTopNTiesAtBoundary(t *testing.T) {
	lowerChunks(t, 64)
	n := 1000
	v := vector.New(types.Int64Type, n)
	v.Reset(n)
	for i := range n {
		v.I64[i] = int64(i % 3) // 0,1,2,0,1,2…: 334 zeros
	}
	for workers := 1; workers <= 4; workers++ {
		got, err := TopN([]*vector.Vector{v}, []Key{{}}, n, 10, workers)
		if err != nil {
			t.Fatal(err)
		}
		want := []int32{0, 3, 6, 9, 12, 15, 18, 21, 24, 27}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("workers=%d (-want +got):\n%s", workers, diff)
		}
	}
}

func TestFloatOrder(t *testing.T) {
	vals := []float64{math.NaN(), 1, math.Inf(1), math.Copysign(0, -1), math.Inf(-1), 0, -2, math.NaN()}
	v := vector.New(types.Float64Type, len(vals))
	v.Reset(len(vals))
	copy(v.F64, vals)
	tests := []struct {
		spec Key
		want []int32
	}{
		// −0.0 (row 3) and 0.0 (row 5) tie: input order.
		{Key{}, []int32{4, 6, 3, 5, 1, 2, 0, 7}},
		{Key{Desc: true}, []int32{0, 7, 2, 1, 3, 5, 6, 4}},
	}
	for _, tt := range tests {
		got, err := Sort([]*vector.Vector{v}, []Key{tt.spec}, len(vals), 1)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%+v (-want +got):\n%s", tt.spec, diff)
		}
	}
}

// TestSortEntries checks the radix, merge and insertion sorts on their own
// against a stable library sort, around every size threshold.
func TestSortEntries(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	dists := map[string]func() uint64{
		"random":   r.Uint64,
		"few":      func() uint64 { return uint64(r.IntN(4)) << 40 },
		"low byte": func() uint64 { return uint64(r.IntN(256)) },
		"spread":   func() uint64 { return uint64(r.IntN(3))<<56 | uint64(r.IntN(3))<<8 },
	}
	for name, next := range dists {
		for _, n := range []int{2, 3, insertionMax, insertionMax + 1, radixMin - 1, radixMin, radixMin + 1, 5000, 70_000} {
			a := make([]entry, n)
			for i := range a {
				a[i] = entry{k: next(), r: int32(i)}
			}
			want := append([]entry(nil), a...)
			sort.SliceStable(want, func(i, j int) bool { return want[i].k < want[j].k })
			sortEntries(a, make([]entry, n))
			if !slices.Equal(want, a) {
				t.Fatalf("%s n=%d (-want +got):\n%s", name, n, cmp.Diff(want, a, cmp.AllowUnexported(entry{})))
			}
		}
	}
}

func TestSortErrors(t *testing.T) {
	i64 := func(n int) *vector.Vector {
		v := vector.New(types.Int64Type, n)
		v.Reset(n)
		return v
	}
	badCodes := dictOf("a", "b")(rand.New(rand.NewPCG(1, 1)), 4)
	badCodes.Codes[2] = 9
	badOffsets := stringsFrom(func(*rand.Rand) string { return "abc" })(rand.New(rand.NewPCG(1, 1)), 4)
	badOffsets.Offsets[4] = 100
	decreasing := stringsFrom(func(*rand.Rand) string { return "abc" })(rand.New(rand.NewPCG(1, 1)), 4)
	decreasing.Offsets[2] = 1
	short := i64(4)
	short.I64 = short.I64[:2]
	nullDict := dictOf("a", "b")(rand.New(rand.NewPCG(1, 1)), 4)
	nullDict.Dict.SetNull(0)
	tests := []struct {
		name string
		keys []*vector.Vector
		spec []Key
		n    int
		want string
	}{
		{"spec count", []*vector.Vector{i64(4)}, nil, 4, "1 key vectors but 0 key specs"},
		{"negative n", nil, nil, -1, "cannot sort -1 rows"},
		{"nil vector", []*vector.Vector{nil}, []Key{{}}, 4, "sort key 1: no vector"},
		{"row count", []*vector.Vector{i64(3)}, []Key{{}}, 4, "sort key 1: vector has 3 rows, want 4"},
		{"short slice", []*vector.Vector{short}, []Key{{}}, 4, "holds 2 int64 values for 4 rows"},
		{"dict code", []*vector.Vector{badCodes}, []Key{{}}, 4, "row 2 has dictionary code 9"},
		{"offsets past bytes", []*vector.Vector{badOffsets}, []Key{{}}, 4, "offsets reach 100 past its 12 bytes"},
		{"offsets decrease", []*vector.Vector{decreasing}, []Key{{}}, 4, "offsets decrease at row 1"},
		{"null in dictionary", []*vector.Vector{nullDict}, []Key{{}}, 4, "dictionary has null entries"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Sort(tt.keys, tt.spec, tt.n, 2)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Sort error = %v, want one containing %q", err, tt.want)
			}
			_, err = TopN(tt.keys, tt.spec, tt.n, 2, 2)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("TopN error = %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := TopN([]*vector.Vector{i64(4)}, []Key{{}}, 4, -1, 1); err == nil {
		t.Errorf("TopN with a negative limit succeeded")
	}
}
