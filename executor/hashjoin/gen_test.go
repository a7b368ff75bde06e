package hashjoin

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// colSpec says how to generate one column.
type colSpec struct {
	typ types.Type
	// dict makes string batches dictionary-encoded (each batch its own
	// dictionary, in its own order, with unused entries).
	dict     bool
	nullRate float64
	// domain is the number of distinct values (small: many duplicates).
	domain int
	// dense makes int64 values consecutive (a dense table) rather than
	// spread out (a hashed one).
	dense bool
}

// setValue fills row i of v with the domain's d-th value.
func setValue(v *vector.Vector, i, d int, dense bool) {
	switch v.Phys {
	case vector.PhysBool:
		v.Bool[i] = d%2 == 1
	case vector.PhysInt32:
		if v.Type.Kind == types.Date {
			v.I32[i] = int32(d*7 - 100)
		} else {
			v.I32[i] = int32(d - 3)
		}
	case vector.PhysInt64:
		switch v.Type.Kind {
		case types.Timestamp:
			v.I64[i] = int64(d) * 86_400_000_000
		default:
			if dense {
				v.I64[i] = int64(d - 3)
				return
			}
			v.I64[i] = int64(d-3) * 1_000_003
		}
	case vector.PhysFloat64:
		v.F64[i] = floatDomain(d)
	case vector.PhysInt128:
		v.I128[i] = decimal.Int128{Hi: int64(d%4) - 1, Lo: uint64(d) * 0x9e3779b97f4a7c15}
	}
}

// floatDomain holds the awkward floats: both zeros, NaNs with different
// payloads, infinities.
func floatDomain(d int) float64 {
	switch d {
	case 0:
		return math.Copysign(0, -1)
	case 1:
		return 0
	case 2:
		return math.NaN()
	case 3:
		return math.Float64frombits(0x7ff8000000000abc)
	case 4:
		return math.Inf(1)
	case 5:
		return math.Inf(-1)
	}
	return float64(d) / 4
}

func stringDomain(d int) string {
	switch d {
	case 0:
		return ""
	case 1:
		return "a long string that does not fit a word " + strings.Repeat("x", 40)
	}
	return fmt.Sprintf("k%03d", d)
}

// genVector returns n rows of spec.
func genVector(rng *rand.Rand, spec colSpec, n int) *vector.Vector {
	v := vector.New(spec.typ, n)
	v.Reset(n)
	domain := max(spec.domain, 1)
	if v.Phys == vector.PhysString {
		if spec.dict {
			dict := vector.New(spec.typ, domain+2)
			perm := rng.Perm(domain + 2) // two entries no row uses
			dict.Reset(domain + 2)
			for i, d := range perm {
				dict.AppendString(i, []byte(stringDomain(d)))
			}
			code := make([]int32, domain+2)
			for i, d := range perm {
				code[d] = int32(i)
			}
			v.Dict = dict
			v.Codes = make([]int32, n)
			for i := range n {
				v.Codes[i] = code[rng.IntN(domain)]
			}
		} else {
			for i := range n {
				v.AppendString(i, []byte(stringDomain(rng.IntN(domain))))
			}
		}
	} else {
		for i := range n {
			setValue(v, i, rng.IntN(domain), spec.dense)
		}
	}
	for i := range n {
		if rng.Float64() < spec.nullRate {
			v.SetNull(i)
			if v.Dict != nil && i%3 == 0 {
				v.Codes[i] = 1 << 30 // a null row's code is never read
			}
		}
	}
	return v
}

// relation is one side of a join as batches: key vectors and data (the
// payload on the right, the left columns on the left).
type relation struct {
	keys [][]*vector.Vector
	data []*vector.Batch
}

func (r relation) rows() int {
	n := 0
	for _, b := range r.data {
		n += b.Len
	}
	return n
}

// genRelation generates n rows in batches of random sizes (some empty).
func genRelation(rng *rand.Rand, keys []colSpec, data []colSpec, n, maxBatch int) relation {
	var r relation
	for n > 0 || len(r.data) == 0 {
		k := min(n, rng.IntN(maxBatch)+1)
		if rng.IntN(10) == 0 {
			k = 0
		}
		var ks []*vector.Vector
		for _, s := range keys {
			ks = append(ks, genVector(rng, s, k))
		}
		b := &vector.Batch{Len: k}
		for _, s := range data {
			b.Cols = append(b.Cols, genVector(rng, s, k))
		}
		r.keys = append(r.keys, ks)
		r.data = append(r.data, b)
		n -= k
	}
	return r
}

func schemaOf(specs []colSpec, prefix string) types.Schema {
	s := make(types.Schema, len(specs))
	for i, c := range specs {
		s[i] = types.Column{Name: fmt.Sprintf("%s%d", prefix, i), Type: c.typ, Nullable: c.nullRate > 0}
	}
	return s
}

func keyTypesOf(specs []colSpec) []types.Type {
	ts := make([]types.Type, len(specs))
	for i, c := range specs {
		ts[i] = c.typ
	}
	return ts
}

// cell renders one value; null is ∅.
func cell(v *vector.Vector, i int) string {
	b, null := v.AppendText(nil, i)
	if null {
		return "∅"
	}
	return string(b)
}

func renderRow(b *vector.Batch, i int) string {
	parts := make([]string, len(b.Cols))
	for c, v := range b.Cols {
		parts[c] = cell(v, i)
	}
	return strings.Join(parts, "|")
}

// keyText renders row i's key columns so that two rows' keys are equal
// exactly when their texts are: the reference's equality. ok is false when
// a key is null (null never matches). Floats compare by value with
// NaN = NaN and -0 = 0; the rest by value (strings by bytes).
func keyText(keys []*vector.Vector, i int) (string, bool) {
	var b strings.Builder
	for _, k := range keys {
		if k.IsNull(i) {
			return "", false
		}
		switch {
		case k.Phys == vector.PhysFloat64 && math.IsNaN(k.F64[i]):
			b.WriteString("NaN")
		case k.Phys == vector.PhysFloat64:
			fmt.Fprint(&b, k.F64[i]+0) // -0 + 0 is +0
		default:
			b.WriteString(cell(k, i))
		}
		b.WriteByte(0)
	}
	return b.String(), true
}

// refRow is one row of a relation as the reference sees it.
type refRow struct {
	key  string
	live bool
	text string
}

func refRows(r relation, b int) []refRow {
	rows := make([]refRow, r.data[b].Len)
	for i := range rows {
		rows[i].key, rows[i].live = keyText(r.keys[b], i)
		rows[i].text = renderRow(r.data[b], i)
	}
	return rows
}

// reference computes a join by nested loops: per left batch, the output
// rows in order; and the unmatched right rows (right and full joins).
func reference(kind ir.JoinKind, left, right relation, nLeftCols int) (perBatch [][]string, unmatched []string) {
	var rrows []refRow
	for b := range right.data {
		rrows = append(rrows, refRows(right, b)...)
	}
	matched := make([]bool, len(rrows))
	nRight := 0
	if len(right.data) > 0 {
		nRight = len(right.data[0].Cols)
	}
	nullLeft := strings.TrimSuffix(strings.Repeat("∅|", nLeftCols), "|")
	nullRight := strings.TrimSuffix(strings.Repeat("∅|", nRight), "|")
	join := func(a, b string) string {
		switch {
		case nLeftCols == 0:
			return b
		case nRight == 0:
			return a
		}
		return a + "|" + b
	}
	for lb := range left.data {
		out := []string{}
		for _, l := range refRows(left, lb) {
			any := false
			for ri, r := range rrows {
				if !l.live || !r.live || l.key != r.key {
					continue
				}
				any = true
				if kind == ir.SemiJoin || kind == ir.AntiJoin {
					break
				}
				matched[ri] = true
				out = append(out, join(l.text, r.text))
			}
			switch {
			case kind == ir.SemiJoin && any, kind == ir.AntiJoin && !any:
				out = append(out, l.text)
			case (kind == ir.LeftJoin || kind == ir.FullJoin) && !any:
				out = append(out, join(l.text, nullRight))
			}
		}
		perBatch = append(perBatch, out)
	}
	if kind == ir.RightJoin || kind == ir.FullJoin {
		unmatched = []string{}
		for ri, r := range rrows {
			if !matched[ri] {
				unmatched = append(unmatched, join(nullLeft, r.text))
			}
		}
	}
	return perBatch, unmatched
}

// checkBatch checks an emitted batch's shape.
func checkBatch(t *testing.T, b *vector.Batch, batchSize int, want types.Schema) {
	t.Helper()
	if b.Len > batchSize || b.Len == 0 {
		t.Fatalf("emitted batch of %d rows (batch size %d)", b.Len, batchSize)
	}
	if len(b.Cols) != len(want) {
		t.Fatalf("emitted %d columns, want %d", len(b.Cols), len(want))
	}
	for i, v := range b.Cols {
		if v.Len != b.Len {
			t.Fatalf("column %d has %d rows in a batch of %d", i, v.Len, b.Len)
		}
		if v.Type != want[i].Type {
			t.Fatalf("column %d has type %s, want %s", i, v.Type, want[i].Type)
		}
	}
}

// build builds a table from a relation.
func build(t *testing.T, keys []colSpec, payload types.Schema, r relation, workers int) *Table {
	t.Helper()
	b := NewBuilder(keyTypesOf(keys), payload)
	for i := range r.data {
		if err := b.Add(r.keys[i], r.data[i]); err != nil {
			t.Fatal(err)
		}
	}
	tab, err := b.Finish(workers)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Rows() != r.rows() {
		t.Fatalf("Rows() = %d, want %d", tab.Rows(), r.rows())
	}
	return tab
}

// probeAll probes every left batch with one prober, in order, and renders
// the output per batch.
func probeAll(t *testing.T, tab *Table, kind ir.JoinKind, left relation, batchSize int, outSchema types.Schema) [][]string {
	t.Helper()
	p := tab.NewProber()
	var got [][]string
	for i, d := range left.data {
		rows := []string{}
		err := p.Probe(kind, left.keys[i], d, batchSize, func(b *vector.Batch) error {
			checkBatch(t, b, batchSize, outSchema)
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
	return got
}

func unmatchedRows(t *testing.T, tab *Table, leftSchema types.Schema, batchSize int, outSchema types.Schema) []string {
	t.Helper()
	rows := []string{}
	err := tab.Unmatched(leftSchema, batchSize, func(b *vector.Batch) error {
		checkBatch(t, b, batchSize, outSchema)
		for r := 0; r < b.Len; r++ {
			rows = append(rows, renderRow(b, r))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func outSchemaOf(kind ir.JoinKind, left, right types.Schema) types.Schema {
	if kind == ir.SemiJoin || kind == ir.AntiJoin {
		return left
	}
	return append(append(types.Schema{}, left...), right...)
}

var allKinds = []ir.JoinKind{ir.InnerJoin, ir.LeftJoin, ir.RightJoin, ir.FullJoin, ir.SemiJoin, ir.AntiJoin}
