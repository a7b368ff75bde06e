package hashjoin

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

func init() {
	// Partition and build in parallel even on the tests' small inputs.
	minParallelRows = 0
}

var (
	dec18  = types.DecimalType(18, 2)
	dec30  = types.DecimalType(30, 4)
	strDom = colSpec{typ: types.StringType, domain: 12, nullRate: 0.1}
)

// keySets are the key column combinations every join kind runs over.
var keySets = map[string][]colSpec{
	"int64":       {{typ: types.Int64Type, domain: 12, nullRate: 0.1}},
	"int64-dense": {{typ: types.Int64Type, domain: 12, nullRate: 0.1, dense: true}},
	"int32":       {{typ: types.Int32Type, domain: 12, nullRate: 0.1}},
	"date":        {{typ: types.DateType, domain: 12, nullRate: 0.1}},
	"timestamp":   {{typ: types.TimestampType, domain: 12, nullRate: 0.1}},
	"bool":        {{typ: types.BoolType, domain: 2, nullRate: 0.2}},
	"float64":     {{typ: types.Float64Type, domain: 10, nullRate: 0.1}},
	"decimal18":   {{typ: dec18, domain: 12, nullRate: 0.1}},
	"decimal30":   {{typ: dec30, domain: 12, nullRate: 0.1}},
	"string":      {strDom},
	"string-dict": {{typ: types.StringType, domain: 12, nullRate: 0.1, dict: true}},
	"int64+string": {
		{typ: types.Int64Type, domain: 4, nullRate: 0.05},
		{typ: types.StringType, domain: 4, nullRate: 0.05, dict: true},
	},
	"string+decimal30+bool": {
		{typ: types.StringType, domain: 3},
		{typ: dec30, domain: 3, nullRate: 0.05},
		{typ: types.BoolType, domain: 2},
	},
	"float64+date+int32": {
		{typ: types.Float64Type, domain: 7, nullRate: 0.05},
		{typ: types.DateType, domain: 2},
		{typ: types.Int32Type, domain: 2},
	},
	"no-keys": {},
}

var (
	payloadSpecs = []colSpec{
		{typ: types.Int64Type, domain: 1000, nullRate: 0.2},
		{typ: types.StringType, domain: 30, dict: true, nullRate: 0.1},
		{typ: types.StringType, domain: 500},
		{typ: types.Float64Type, domain: 100},
		{typ: dec30, domain: 100, nullRate: 0.1},
		{typ: types.BoolType, domain: 2},
		{typ: types.DateType, domain: 100},
	}
	leftSpecs = []colSpec{
		{typ: types.Int32Type, domain: 1000},
		{typ: types.StringType, domain: 20, dict: true, nullRate: 0.1},
		{typ: types.StringType, domain: 300, nullRate: 0.1},
	}
)

// withProbeKeys gives the probe side a different encoding of the same key
// types: dictionary strings where the build side has plain ones and back,
// so that hashes and comparisons must agree across encodings.
func withProbeKeys(keys []colSpec) []colSpec {
	out := append([]colSpec(nil), keys...)
	for i := range out {
		if out[i].typ.Kind == types.String {
			out[i].dict = !out[i].dict
		}
	}
	return out
}

// TestJoinMatchesReference runs every join kind over every key set against
// the nested-loop reference, with nulls on both sides, many-to-many
// duplicates and small output batches.
func TestJoinMatchesReference(t *testing.T) {
	for name, keys := range keySets {
		for _, kind := range allKinds {
			t.Run(name+"/"+kind.String(), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(len(name)), uint64(kind)))
				nr, nl := 300, 200
				if len(keys) == 0 {
					nr, nl = 12, 10
				}
				right := genRelation(rng, keys, payloadSpecs, nr, 70)
				left := genRelation(rng, withProbeKeys(keys), leftSpecs, nl, 50)
				want := refOf(kind, left, right)
				for _, workers := range []int{1, 3} {
					for _, batchSize := range []int{1, 7, 4096} {
						runCase(t, kind, keys, left, right, want, workers, batchSize)
					}
				}
			})
		}
	}
}

// refResult is the reference output of one join.
type refResult struct {
	batches   [][]string
	unmatched []string
}

func refOf(kind ir.JoinKind, left, right relation) refResult {
	b, u := reference(kind, left, right, len(leftSpecs))
	return refResult{b, u}
}

// diff is cmp.Diff with a fast path for the (usual) equal case: go-cmp's
// diffing of thousands of rows dominates the test's time otherwise.
func diff[T any](want, got T) string {
	if reflect.DeepEqual(want, got) {
		return ""
	}
	return cmp.Diff(want, got)
}

// runCase builds, probes with one prober, and compares with the reference.
func runCase(t *testing.T, kind ir.JoinKind, keys []colSpec, left, right relation, want refResult, workers, batchSize int) {
	t.Helper()
	payload, leftSchema := schemaOf(payloadSpecs, "r"), schemaOf(leftSpecs, "l")
	if len(right.data) > 0 && len(right.data[0].Cols) != len(payloadSpecs) {
		payload = nil
	}
	tab := build(t, keys, payload, right, workers)
	out := outSchemaOf(kind, leftSchema, payload)
	got := probeAll(t, tab, kind, left, batchSize, out)
	if d := diff(want.batches, got); d != "" {
		t.Fatalf("workers %d, batch size %d: probe output (-want +got):\n%s", workers, batchSize, d)
	}
	if kind == ir.RightJoin || kind == ir.FullJoin {
		gotU := unmatchedRows(t, tab, leftSchema, batchSize, out)
		if d := diff(want.unmatched, gotU); d != "" {
			t.Fatalf("workers %d, batch size %d: unmatched (-want +got):\n%s", workers, batchSize, d)
		}
	}
}

// TestHashCollisions narrows the hash to two bits so that every general
// key path (optimistic build, exact rebuild, probe verification and
// resumed probing) runs on real collisions.
func TestHashCollisions(t *testing.T) {
	defer func(m uint64) { hashMask = m }(hashMask)
	hashMask = 3
	for _, name := range []string{"string", "decimal30", "int64+string", "float64+date+int32"} {
		keys := keySets[name]
		for _, kind := range allKinds {
			t.Run(name+"/"+kind.String(), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(7, uint64(kind)))
				right := genRelation(rng, keys, payloadSpecs, 200, 60)
				left := genRelation(rng, withProbeKeys(keys), leftSpecs, 150, 40)
				want := refOf(kind, left, right)
				for _, workers := range []int{1, 2} {
					runCase(t, kind, keys, left, right, want, workers, 5)
				}
			})
		}
	}
}

// TestEdgeShapes covers empty sides, a single row, and all-null keys.
func TestEdgeShapes(t *testing.T) {
	int64Key := []colSpec{{typ: types.Int64Type, domain: 3}}
	strKey := []colSpec{{typ: types.StringType, domain: 3}}
	nullKey := []colSpec{{typ: types.Int64Type, domain: 3, nullRate: 1}}
	cases := []struct {
		name   string
		keys   []colSpec
		nr, nl int
	}{
		{"empty build", int64Key, 0, 20},
		{"empty build string", strKey, 0, 20},
		{"empty probe", int64Key, 20, 0},
		{"both empty", strKey, 0, 0},
		{"one row each", int64Key, 1, 1},
		{"one row each string", strKey, 1, 1},
		{"null keys only", nullKey, 30, 30},
	}
	for _, c := range cases {
		for _, kind := range allKinds {
			t.Run(c.name+"/"+kind.String(), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(3, uint64(kind)))
				right := genRelation(rng, c.keys, payloadSpecs, c.nr, 10)
				left := genRelation(rng, c.keys, leftSpecs, c.nl, 10)
				want := refOf(kind, left, right)
				for _, workers := range []int{1, 2} {
					runCase(t, kind, c.keys, left, right, want, workers, 4)
				}
			})
		}
	}
}

// TestSkew joins one key with 100k build rows: the matches of one probe row
// span many output batches, in build order.
func TestSkew(t *testing.T) {
	const hot = 100_000
	for _, keyType := range []types.Type{types.Int64Type, types.StringType} {
		t.Run(keyType.String(), func(t *testing.T) {
			payload := types.Schema{{Name: "seq", Type: types.Int64Type}}
			b := NewBuilder([]types.Type{keyType}, payload)
			const batch = 8192
			for lo := 0; lo < hot+10; lo += batch {
				n := min(batch, hot+10-lo)
				k, seq := vector.New(keyType, n), vector.New(types.Int64Type, n)
				k.Reset(n)
				seq.Reset(n)
				for i := range n {
					row := lo + i
					key := int64(7)
					if row >= hot {
						key = int64(row) // ten cold keys after the hot one
					}
					setKey(k, i, key)
					seq.I64[i] = int64(row)
				}
				if err := b.Add([]*vector.Vector{k}, &vector.Batch{Cols: []*vector.Vector{seq}, Len: n}); err != nil {
					t.Fatal(err)
				}
			}
			tab, err := b.Finish(2)
			if err != nil {
				t.Fatal(err)
			}
			// Probe rows: cold, hot, missing, hot.
			probeKeys := []int64{hot + 3, 7, -1, 7}
			k := vector.New(keyType, 4)
			k.Reset(4)
			for i, x := range probeKeys {
				setKey(k, i, x)
			}
			id := vector.New(types.Int32Type, 4)
			id.Reset(4)
			for i := range id.I32 {
				id.I32[i] = int32(i)
			}
			left := &vector.Batch{Cols: []*vector.Vector{id}, Len: 4}
			const outBatch = 4096
			for _, kind := range []ir.JoinKind{ir.InnerJoin, ir.FullJoin} {
				var gotLeft []int32
				var gotSeq []int64
				batches := 0
				err := tab.NewProber().Probe(kind, []*vector.Vector{k}, left, outBatch, func(b *vector.Batch) error {
					if b.Len > outBatch {
						t.Fatalf("batch of %d rows", b.Len)
					}
					batches++
					for r := 0; r < b.Len; r++ {
						gotLeft = append(gotLeft, b.Cols[0].I32[r])
						if b.Cols[1].IsNull(r) {
							gotSeq = append(gotSeq, -1)
						} else {
							gotSeq = append(gotSeq, b.Cols[1].I64[r])
						}
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				var wantLeft []int32
				var wantSeq []int64
				wantLeft, wantSeq = append(wantLeft, 0), append(wantSeq, hot+3)
				for _, l := range []int32{1, 3} {
					if l == 3 && kind == ir.FullJoin {
						wantLeft, wantSeq = append(wantLeft, 2), append(wantSeq, -1)
					}
					for s := range int64(hot) {
						wantLeft, wantSeq = append(wantLeft, l), append(wantSeq, s)
					}
				}
				if d := cmp.Diff(wantLeft, gotLeft); d != "" {
					t.Fatalf("%s: left rows (-want +got):\n%.2000s", kind, d)
				}
				if d := cmp.Diff(wantSeq, gotSeq); d != "" {
					t.Fatalf("%s: build rows (-want +got):\n%.2000s", kind, d)
				}
				if least := (2*hot + 1) / outBatch; batches < least {
					t.Fatalf("%s: %d batches, want at least %d", kind, batches, least)
				}
			}
			var unmatched []int64
			err = tab.Unmatched(types.Schema{{Name: "id", Type: types.Int32Type}}, 3, func(b *vector.Batch) error {
				for r := 0; r < b.Len; r++ {
					if !b.Cols[0].IsNull(r) {
						t.Fatalf("left column not null in unmatched row")
					}
					unmatched = append(unmatched, b.Cols[1].I64[r])
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			want := []int64{hot, hot + 1, hot + 2, hot + 4, hot + 5, hot + 6, hot + 7, hot + 8, hot + 9}
			if d := cmp.Diff(want, unmatched); d != "" {
				t.Fatalf("unmatched (-want +got):\n%s", d)
			}
			if st := tab.Stats(); st.DistinctKeys != 11 || st.Rows != hot+10 {
				t.Fatalf("stats %+v", st)
			}
		})
	}
}

func setKey(v *vector.Vector, i int, x int64) {
	if v.Phys == vector.PhysString {
		v.AppendString(i, []byte("key-"+itoa(x)))
		return
	}
	v.I64[i] = x
}

func itoa(x int64) string {
	if x < 0 {
		return "-" + itoa(-x)
	}
	if x < 10 {
		return string(rune('0' + x))
	}
	return itoa(x/10) + string(rune('0'+x%10))
}

// TestConcurrentProbers probes one table from several goroutines at once:
// each batch's output must equal the reference, and the unmatched set of
// right and full joins must be exact.
func TestConcurrentProbers(t *testing.T) {
	for _, name := range []string{"int64", "int64-dense", "int64+string"} {
		keys := keySets[name]
		for _, kind := range []ir.JoinKind{ir.RightJoin, ir.FullJoin, ir.InnerJoin} {
			t.Run(name+"/"+kind.String(), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(11, uint64(kind)))
				wide := append([]colSpec(nil), keys...)
				for i := range wide {
					wide[i].domain *= 50 // most build rows go unmatched
				}
				right := genRelation(rng, wide, payloadSpecs, 3000, 300)
				left := genRelation(rng, withProbeKeys(wide), leftSpecs, 2000, 100)
				payload, leftSchema := schemaOf(payloadSpecs, "r"), schemaOf(leftSpecs, "l")
				tab := build(t, wide, payload, right, 2)
				out := outSchemaOf(kind, leftSchema, payload)
				got := make([][]string, len(left.data))
				for i := range got {
					got[i] = []string{}
				}
				var wg sync.WaitGroup
				var next sync.Mutex
				cursor := 0
				errs := make(chan error, 4)
				for range 4 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						p := tab.NewProber()
						for {
							next.Lock()
							i := cursor
							cursor++
							next.Unlock()
							if i >= len(left.data) {
								return
							}
							rows := []string{}
							err := p.Probe(kind, left.keys[i], left.data[i], 64, func(b *vector.Batch) error {
								for r := 0; r < b.Len; r++ {
									rows = append(rows, renderRow(b, r))
								}
								return nil
							})
							if err != nil {
								errs <- err
								return
							}
							got[i] = rows
						}
					}()
				}
				wg.Wait()
				close(errs)
				for err := range errs {
					t.Fatal(err)
				}
				wantBatches, wantUnmatched := reference(kind, left, right, len(leftSchema))
				if d := cmp.Diff(wantBatches, got); d != "" {
					t.Fatalf("probe output (-want +got):\n%s", d)
				}
				if kind != ir.InnerJoin {
					if d := cmp.Diff(wantUnmatched, unmatchedRows(t, tab, leftSchema, 100, out)); d != "" {
						t.Fatalf("unmatched (-want +got):\n%s", d)
					}
				}
			})
		}
	}
}

// TestPayloadDictionaries appends build batches whose string column is
// dictionary-encoded with different dictionaries, then plain (decoding the
// merged dictionary), then high-cardinality; and a column of nulls only.
func TestPayloadDictionaries(t *testing.T) {
	dictCol := func(dict []string, codes []int32, nulls ...int) *vector.Vector {
		d := vector.New(types.StringType, len(dict))
		d.Reset(len(dict))
		for i, s := range dict {
			d.AppendString(i, []byte(s))
		}
		v := vector.New(types.StringType, len(codes))
		v.Reset(len(codes))
		v.Dict, v.Codes = d, codes
		for _, i := range nulls {
			v.SetNull(i)
		}
		return v
	}
	plainCol := func(vals ...string) *vector.Vector {
		v := vector.New(types.StringType, len(vals))
		v.Reset(len(vals))
		for i, s := range vals {
			v.AppendString(i, []byte(s))
		}
		return v
	}
	keyCol := func(lo, n int) *vector.Vector {
		v := vector.New(types.Int64Type, n)
		v.Reset(n)
		for i := range v.I64 {
			v.I64[i] = int64(lo + i)
		}
		return v
	}
	big := make([]string, 100)
	bigCodes := make([]int32, 100)
	for i := range big {
		big[i] = "u" + itoa(int64(i))
		bigCodes[i] = int32(99 - i)
	}
	cases := []struct {
		name  string
		steps []*vector.Vector
		want  []string
		dict  bool // the stored column stays dictionary-encoded
	}{
		{
			name: "merged dictionaries",
			steps: []*vector.Vector{
				dictCol([]string{"DE", "US", "FR"}, []int32{1, 0, 2, 1}, 2),
				dictCol([]string{"US", "JP"}, []int32{1, 5, 0}, 1),
			},
			want: []string{"US", "DE", "∅", "US", "JP", "∅", "US"},
			dict: true,
		},
		{
			name: "then plain",
			steps: []*vector.Vector{
				dictCol([]string{"DE", "US"}, []int32{1, 0}),
				plainCol("x", "", "y"),
				dictCol([]string{"FR"}, []int32{0}),
			},
			want: []string{"US", "DE", "x", "", "y", "FR"},
		},
		{
			name: "nulls only",
			steps: []*vector.Vector{
				dictCol(nil, []int32{0, 9}, 0, 1),
				dictCol([]string{}, []int32{3}, 0),
			},
			want: []string{"∅", "∅", "∅"},
			dict: true,
		},
		{
			name: "nulls then plain",
			steps: []*vector.Vector{
				dictCol(nil, []int32{0}, 0),
				plainCol("z"),
			},
			want: []string{"∅", "z"},
		},
		{
			name:  "high cardinality",
			steps: []*vector.Vector{dictCol(big, bigCodes)},
			want: func() []string {
				var w []string
				for i := range big {
					w = append(w, big[99-i])
				}
				return w
			}(),
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			payload := types.Schema{{Name: "s", Type: types.StringType, Nullable: true}}
			b := NewBuilder([]types.Type{types.Int64Type}, payload)
			n := 0
			for _, col := range c.steps {
				if err := b.Add([]*vector.Vector{keyCol(n, col.Len)}, &vector.Batch{Cols: []*vector.Vector{col}, Len: col.Len}); err != nil {
					t.Fatal(err)
				}
				n += col.Len
			}
			tab, err := b.Finish(1)
			if err != nil {
				t.Fatal(err)
			}
			if got := tab.cols[0].Dict != nil; got != c.dict {
				t.Errorf("dictionary-encoded: %v, want %v", got, c.dict)
			}
			// Probe every key, plus a missing one (left join: a null payload).
			k := keyCol(0, n+1)
			k.I64[n] = -5
			var got []string
			err = tab.NewProber().Probe(ir.LeftJoin, []*vector.Vector{k}, &vector.Batch{Len: n + 1}, 3, func(b *vector.Batch) error {
				for r := 0; r < b.Len; r++ {
					got = append(got, cell(b.Cols[0], r))
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(append(c.want, "∅"), got); d != "" {
				t.Fatalf("(-want +got):\n%s", d)
			}
		})
	}
}

// TestFloatKeys pins the documented float semantics.
func TestFloatKeys(t *testing.T) {
	floats := func(xs ...float64) *vector.Vector {
		v := vector.New(types.Float64Type, len(xs))
		v.Reset(len(xs))
		copy(v.F64, xs)
		return v
	}
	negZero := floatDomain(0)
	nan1, nan2 := floatDomain(2), floatDomain(3)
	inf := floatDomain(4)
	build := floats(0, nan1, inf, 1.5)
	for _, multi := range []bool{false, true} {
		keyTypes := []types.Type{types.Float64Type}
		bk := []*vector.Vector{build}
		if multi { // the general path, through a second key column
			keyTypes = append(keyTypes, types.BoolType)
			bk = append(bk, boolVec(4))
		}
		b := NewBuilder(keyTypes, types.Schema{{Name: "x", Type: types.Float64Type}})
		if err := b.Add(bk, &vector.Batch{Cols: []*vector.Vector{build}, Len: 4}); err != nil {
			t.Fatal(err)
		}
		tab, err := b.Finish(1)
		if err != nil {
			t.Fatal(err)
		}
		probe := floats(negZero, nan2, inf, -inf, 1.5000001)
		pk := []*vector.Vector{probe}
		if multi {
			pk = append(pk, boolVec(5))
		}
		var got []string
		err = tab.NewProber().Probe(ir.InnerJoin, pk, &vector.Batch{Cols: []*vector.Vector{probe}, Len: 5}, 10, func(b *vector.Batch) error {
			for r := 0; r < b.Len; r++ {
				got = append(got, renderRow(b, r))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"-0|0", "NaN|NaN", "+Inf|+Inf"}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("multi=%v (-want +got):\n%s", multi, d)
		}
	}
}

func boolVec(n int) *vector.Vector {
	v := vector.New(types.BoolType, n)
	v.Reset(n)
	clear(v.Bool)
	return v
}

// TestErrors checks that bad input is an error, never a panic.
func TestErrors(t *testing.T) {
	i64 := func(n int) *vector.Vector { v := vector.New(types.Int64Type, n); v.Reset(n); return v }
	str := func(n int) *vector.Vector { v := vector.New(types.StringType, n); v.Reset(n); return v }
	payload := types.Schema{{Name: "x", Type: types.Int64Type}}
	batch := func(n int) *vector.Batch { return &vector.Batch{Cols: []*vector.Vector{i64(n)}, Len: n} }
	badDict := func() *vector.Vector {
		v := str(2)
		d := str(1)
		d.AppendString(0, []byte("a"))
		v.Dict, v.Codes = d, []int32{0, 4}
		return v
	}
	addCases := []struct {
		name    string
		keys    []types.Type
		payload types.Schema
		add     func(b *Builder) error
		want    string
	}{
		{"key count", []types.Type{types.Int64Type}, payload, func(b *Builder) error { return b.Add(nil, batch(1)) }, "0 key vectors for 1 keys"},
		{"key type", []types.Type{types.Int64Type}, payload, func(b *Builder) error { return b.Add([]*vector.Vector{str(1)}, batch(1)) }, "vector of type string where int64"},
		{"key length", []types.Type{types.Int64Type}, payload, func(b *Builder) error { return b.Add([]*vector.Vector{i64(2)}, batch(1)) }, "vector of 2 rows in a batch of 1"},
		{"payload columns", []types.Type{types.Int64Type}, payload, func(b *Builder) error {
			return b.Add([]*vector.Vector{i64(1)}, &vector.Batch{Len: 1})
		}, "payload batch has 0 columns"},
		{"nil payload", []types.Type{types.Int64Type}, payload, func(b *Builder) error { return b.Add([]*vector.Vector{i64(1)}, nil) }, "without a payload"},
		{"invalid key type", []types.Type{{}}, payload, func(b *Builder) error { return b.Add(nil, batch(0)) }, "no storage for type invalid"},
		{"bad dictionary code", []types.Type{types.StringType}, payload, func(b *Builder) error {
			return b.Add([]*vector.Vector{badDict()}, batch(2))
		}, "dictionary code 4 out of range"},
		{"sticky", []types.Type{types.StringType}, payload, func(b *Builder) error {
			_ = b.Add([]*vector.Vector{badDict()}, batch(2))
			_, err := b.Finish(1)
			return err
		}, "dictionary code 4 out of range"},
		{"add after finish", []types.Type{types.Int64Type}, payload, func(b *Builder) error {
			if _, err := b.Finish(1); err != nil {
				return err
			}
			return b.Add([]*vector.Vector{i64(1)}, batch(1))
		}, "Add after Finish"},
	}
	for _, c := range addCases {
		t.Run(c.name, func(t *testing.T) {
			err := c.add(NewBuilder(c.keys, c.payload))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}

	b := NewBuilder([]types.Type{types.StringType}, payload)
	k := str(1)
	k.AppendString(0, []byte("a"))
	if err := b.Add([]*vector.Vector{k}, batch(1)); err != nil {
		t.Fatal(err)
	}
	tab, err := b.Finish(1)
	if err != nil {
		t.Fatal(err)
	}
	p := tab.NewProber()
	nop := func(*vector.Batch) error { return nil }
	probeCases := []struct {
		name string
		run  func() error
		want string
	}{
		{"kind", func() error { return p.Probe(0, []*vector.Vector{k}, &vector.Batch{Len: 1}, 10, nop) }, "unknown join kind"},
		{"batch size", func() error { return p.Probe(ir.InnerJoin, []*vector.Vector{k}, &vector.Batch{Len: 1}, 0, nop) }, "batch size 0"},
		{"key type", func() error { return p.Probe(ir.InnerJoin, []*vector.Vector{i64(1)}, &vector.Batch{Len: 1}, 10, nop) }, "where string"},
		{"left length", func() error {
			return p.Probe(ir.InnerJoin, []*vector.Vector{k}, &vector.Batch{Cols: []*vector.Vector{i64(3)}, Len: 1}, 10, nop)
		}, "left column 0"},
		{"dictionary code", func() error {
			return p.Probe(ir.InnerJoin, []*vector.Vector{badDict()}, &vector.Batch{Len: 2}, 10, nop)
		}, "dictionary code 4 out of range"},
		{"unmatched batch size", func() error { return tab.Unmatched(nil, 0, nop) }, "batch size 0"},
		{"unmatched schema", func() error { return tab.Unmatched(types.Schema{{Name: "x"}}, 1, nop) }, "no storage"},
	}
	for _, c := range probeCases {
		t.Run(c.name, func(t *testing.T) {
			err := c.run()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestEmitError stops probing at the first emit error.
func TestEmitError(t *testing.T) {
	b := NewBuilder([]types.Type{types.Int64Type}, nil)
	k := vector.New(types.Int64Type, 10)
	k.Reset(10)
	clear(k.I64)
	if err := b.Add([]*vector.Vector{k}, &vector.Batch{Len: 10}); err != nil {
		t.Fatal(err)
	}
	tab, err := b.Finish(1)
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	stop := errStop{}
	err = tab.NewProber().Probe(ir.InnerJoin, []*vector.Vector{k}, &vector.Batch{Len: 10}, 3, func(*vector.Batch) error {
		calls++
		return stop
	})
	if err != stop || calls != 1 {
		t.Fatalf("err %v after %d calls", err, calls)
	}
}

type errStop struct{}

func (errStop) Error() string { return "stop" }

// TestProbeNoAllocs checks the q3 loop allocates nothing once warm.
func TestProbeNoAllocs(t *testing.T) {
	tab, keys, left := q3Table(t, 10_000, 4096)
	p := tab.NewProber()
	nop := func(*vector.Batch) error { return nil }
	for _, kind := range allKinds {
		allocs := testing.AllocsPerRun(20, func() {
			if err := p.Probe(kind, keys[0], left[0], 4096, nop); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %.1f allocations per probe", kind, allocs)
		}
	}
}

// TestLayouts checks which layout a table picks, including key ranges that
// would overflow a dense array's index arithmetic.
func TestLayouts(t *testing.T) {
	i64 := func(xs ...int64) *vector.Vector {
		v := vector.New(types.Int64Type, len(xs))
		v.Reset(len(xs))
		copy(v.I64, xs)
		return v
	}
	cases := []struct {
		name         string
		build, probe []int64
		dense        bool
		want         []string
	}{
		{"ids", []int64{3, 1, 2, 3}, []int64{3, 4, 0, 1}, true, []string{"3|0", "3|3", "1|1"}},
		{"top of range", []int64{math.MaxInt64 - 1, math.MaxInt64}, []int64{math.MinInt64, math.MaxInt64, -1}, true,
			[]string{"9223372036854775807|1"}},
		{"bottom of range", []int64{math.MinInt64, math.MinInt64 + 1}, []int64{math.MaxInt64, math.MinInt64}, true,
			[]string{"-9223372036854775808|0"}},
		{"full range", []int64{math.MinInt64, 0, math.MaxInt64}, []int64{math.MaxInt64, math.MinInt64, 1}, false,
			[]string{"9223372036854775807|2", "-9223372036854775808|0"}},
		{"sparse", []int64{1, 1000}, []int64{1000, 500}, false, []string{"1000|1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := NewBuilder([]types.Type{types.Int64Type}, types.Schema{{Name: "row", Type: types.Int64Type}})
			rows := i64(make([]int64, len(c.build))...)
			for i := range rows.I64 {
				rows.I64[i] = int64(i)
			}
			if err := b.Add([]*vector.Vector{i64(c.build...)}, &vector.Batch{Cols: []*vector.Vector{rows}, Len: len(c.build)}); err != nil {
				t.Fatal(err)
			}
			tab, err := b.Finish(1)
			if err != nil {
				t.Fatal(err)
			}
			if st := tab.Stats(); st.Dense != c.dense {
				t.Errorf("dense = %v, want %v (%v)", st.Dense, c.dense, st)
			}
			pk := i64(c.probe...)
			var got []string
			err = tab.NewProber().Probe(ir.InnerJoin, []*vector.Vector{pk}, &vector.Batch{Cols: []*vector.Vector{pk}, Len: pk.Len}, 10, func(b *vector.Batch) error {
				for r := 0; r < b.Len; r++ {
					got = append(got, renderRow(b, r))
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(c.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// TestProberReuse drives one prober through every kind and batch size in
// turn: scratch left over from a call (large buffers, other kinds) must not
// leak into the next.
func TestProberReuse(t *testing.T) {
	for _, name := range []string{"int64-dense", "int64+string"} {
		t.Run(name, func(t *testing.T) {
			keys := keySets[name]
			rng := rand.New(rand.NewPCG(5, 5))
			right := genRelation(rng, keys, payloadSpecs, 300, 70)
			left := genRelation(rng, withProbeKeys(keys), leftSpecs, 400, 200)
			payload, leftSchema := schemaOf(payloadSpecs, "r"), schemaOf(leftSpecs, "l")
			tab := build(t, keys, payload, right, 2)
			p := tab.NewProber()
			for _, batchSize := range []int{5000, 3, 100, 1} {
				for _, kind := range []ir.JoinKind{ir.InnerJoin, ir.SemiJoin, ir.LeftJoin, ir.AntiJoin} {
					out := outSchemaOf(kind, leftSchema, payload)
					got := [][]string{}
					for i, d := range left.data {
						rows := []string{}
						err := p.Probe(kind, left.keys[i], d, batchSize, func(b *vector.Batch) error {
							checkBatch(t, b, batchSize, out)
							for r := 0; r < b.Len; r++ {
								rows = append(rows, renderRow(b, r))
							}
							return nil
						})
						if err != nil {
							t.Fatal(err)
						}
						got = append(got, rows)
					}
					if d := diff(refOf(kind, left, right).batches, got); d != "" {
						t.Fatalf("%s, batch size %d (-want +got):\n%s", kind, batchSize, d)
					}
				}
			}
		})
	}
}

// TestNilLeftColumn passes a left column nothing downstream reads as nil:
// it stays nil in the output, and the others are gathered.
func TestNilLeftColumn(t *testing.T) {
	k := vector.New(types.Int64Type, 3)
	k.Reset(3)
	copy(k.I64, []int64{1, 1, 2})
	b := NewBuilder([]types.Type{types.Int64Type}, nil)
	if err := b.Add([]*vector.Vector{k}, &vector.Batch{Len: 3}); err != nil {
		t.Fatal(err)
	}
	tab, err := b.Finish(1)
	if err != nil {
		t.Fatal(err)
	}
	left := &vector.Batch{Cols: []*vector.Vector{nil, k}, Len: 3}
	var got []string
	err = tab.NewProber().Probe(ir.InnerJoin, []*vector.Vector{k}, left, 10, func(b *vector.Batch) error {
		if b.Cols[0] != nil {
			t.Errorf("column 0 is not nil")
		}
		for r := 0; r < b.Len; r++ {
			got = append(got, cell(b.Cols[1], r))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"1", "1", "1", "1", "2"}, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
