package parquet

import (
	"bytes"
	"fmt"
	"math/big"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/meshctl/meshctl/executor/dataio"
	dec "github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// skipSchema has columns that grow with the row's id, so that each row
// group of 4 rows covers its own range of every column.
var skipSchema = types.Schema{
	col("id", types.Int64Type, false),
	col("grp", types.Int32Type, false),
	col("score", types.Float64Type, false),
	col("day", types.DateType, false),
	col("at", types.TimestampType, false),
	col("price", types.DecimalType(9, 2), false),
	col("big", types.DecimalType(38, 2), false),
	col("name", types.StringType, false),
	col("opt", types.Int64Type, true),
}

// skipRow is row id (1..12) of the skipping file.
func skipRow(id int) []string {
	opt := fmt.Sprint(id)
	if id >= 5 && id <= 8 {
		opt = null
	}
	return []string{
		fmt.Sprint(id),
		fmt.Sprint((id - 1) / 4),
		fmt.Sprintf("%d.5", id),
		fmt.Sprintf("2024-01-%02d", id),
		fmt.Sprintf("2024-01-01T%02d:00:00Z", id),
		fmt.Sprintf("%d.25", id),
		fmt.Sprintf("%d00000000000000000000.00", id),
		fmt.Sprintf("n%02d", id),
		opt,
	}
}

func TestRowGroupSkipping(t *testing.T) {
	dir := t.TempDir()
	var rows [][]string
	for id := 1; id <= 12; id++ {
		rows = append(rows, skipRow(id))
	}
	writeOutput(t, dir, dataio.SinkRequest{Schema: skipSchema, RowGroupSize: 4}, batchOf(t, skipSchema, rows))

	i64 := func(v int64) ir.Value { return ir.Value{Type: types.Int64Type, Int: v} }
	day := func(s string) ir.Value { d, _ := ir.ParseDate(s); return ir.Value{Type: types.DateType, Int: d} }
	ts := func(s string) ir.Value {
		v, _ := ir.ParseTimestamp(s)
		return ir.Value{Type: types.TimestampType, Int: v}
	}
	f64 := func(v float64) ir.Value { return ir.Value{Type: types.Float64Type, Float: v} }
	decv := func(unscaled string, p, s int) ir.Value {
		x, _ := new(big.Int).SetString(unscaled, 10)
		return ir.Value{Type: types.DecimalType(p, s), Dec: x}
	}
	strv := func(s string) ir.Value { return ir.Value{Type: types.StringType, Str: s} }
	cmpP := func(c int, op ir.BinaryOp, v ir.Value) dataio.Predicate {
		return dataio.Predicate{Column: c, Op: op, Value: v}
	}

	tests := []struct {
		name  string
		preds []dataio.Predicate
		// keep is the predicates as Go, over the row's id.
		keep func(id int) bool
		skip int
	}{
		{"id > 8", []dataio.Predicate{cmpP(0, ir.Gt, i64(8))}, func(id int) bool { return id > 8 }, 2},
		{"id >= 8", []dataio.Predicate{cmpP(0, ir.Ge, i64(8))}, func(id int) bool { return id >= 8 }, 1},
		{"id < 5", []dataio.Predicate{cmpP(0, ir.Lt, i64(5))}, func(id int) bool { return id < 5 }, 2},
		{"id <= 5", []dataio.Predicate{cmpP(0, ir.Le, i64(5))}, func(id int) bool { return id <= 5 }, 1},
		{"id == 6", []dataio.Predicate{cmpP(0, ir.Eq, i64(6))}, func(id int) bool { return id == 6 }, 2},
		{"id == 100", []dataio.Predicate{cmpP(0, ir.Eq, i64(100))}, func(id int) bool { return false }, 3},
		{"id != 6", []dataio.Predicate{cmpP(0, ir.Ne, i64(6))}, func(id int) bool { return id != 6 }, 0},
		{"grp != 1", []dataio.Predicate{cmpP(1, ir.Ne, ir.Value{Type: types.Int32Type, Int: 1})}, func(id int) bool { return (id-1)/4 != 1 }, 1},
		{"score < 2", []dataio.Predicate{cmpP(2, ir.Lt, f64(2))}, func(id int) bool { return float64(id)+0.5 < 2 }, 2},
		{"score == 7.5", []dataio.Predicate{cmpP(2, ir.Eq, f64(7.5))}, func(id int) bool { return id == 7 }, 2},
		{"score > 10 (NaN may be greatest: no skip)", []dataio.Predicate{cmpP(2, ir.Gt, f64(10))}, func(id int) bool { return float64(id)+0.5 > 10 }, 0},
		{"day == 2024-01-10", []dataio.Predicate{cmpP(3, ir.Eq, day("2024-01-10"))}, func(id int) bool { return id == 10 }, 2},
		{"at >= 09:00", []dataio.Predicate{cmpP(4, ir.Ge, ts("2024-01-01T09:00:00Z"))}, func(id int) bool { return id >= 9 }, 2},
		{"price <= 4.25", []dataio.Predicate{cmpP(5, ir.Le, decv("425", 9, 2))}, func(id int) bool { return id <= 4 }, 2},
		{"big > 10e20", []dataio.Predicate{cmpP(6, ir.Gt, decv("100000000000000000000000", 38, 2))}, func(id int) bool { return id > 10 }, 2},
		{"name < n05", []dataio.Predicate{cmpP(7, ir.Lt, strv("n05"))}, func(id int) bool { return id < 5 }, 2},
		{"name > n12", []dataio.Predicate{cmpP(7, ir.Gt, strv("n12"))}, func(id int) bool { return false }, 3},
		{"opt != null", []dataio.Predicate{{Column: 8, NotNull: true}}, func(id int) bool { return id < 5 || id > 8 }, 1},
		{"opt > 0 (all null in one group)", []dataio.Predicate{cmpP(8, ir.Gt, i64(0))}, func(id int) bool { return id < 5 || id > 8 }, 1},
		{"compared with null", []dataio.Predicate{cmpP(0, ir.Eq, ir.NullValue(types.Int64Type))}, func(id int) bool { return false }, 0},
		{"two predicates", []dataio.Predicate{cmpP(0, ir.Gt, i64(2)), cmpP(7, ir.Lt, strv("n06"))}, func(id int) bool { return id > 2 && id < 6 }, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Only id and name are read: predicates may be on other columns.
			got, err := scanAll(t, dir, ".", skipSchema, scanOpts{columns: []int{0, 7}, predicates: tt.preds})
			if err != nil {
				t.Fatal(err)
			}
			if got.stats.SkippedMorsels != tt.skip {
				t.Errorf("skipped %d row groups, want %d", got.stats.SkippedMorsels, tt.skip)
			}
			// Skipping never drops a row the filter keeps.
			var want, kept [][]string
			for id := 1; id <= 12; id++ {
				if tt.keep(id) {
					want = append(want, project([][]string{skipRow(id)}, []int{0, 7})...)
				}
			}
			for _, r := range got.rows {
				var id int
				fmt.Sscan(r[0], &id)
				if tt.keep(id) {
					kept = append(kept, r)
				}
			}
			if diff := cmp.Diff(want, kept); diff != "" {
				t.Errorf("rows the filter keeps (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRowGroupSkippingWithoutStatistics reads files whose writer left the
// statistics out: nothing may be skipped.
func TestRowGroupSkippingWithoutStatistics(t *testing.T) {
	dir := t.TempDir()
	var rows [][]pq.Value
	for i := range 12 {
		rows = append(rows, []pq.Value{pq.Int64Value(int64(i)), pq.Int64Value(int64(i))})
	}
	writeRows(t, filepath.Join(dir, "x.parquet"), []field{{"id", pq.Int(64)}, {"v", pq.Int(64)}}, rows,
		pq.MaxRowsPerRowGroup(4), pq.SkipPageBounds("id"))
	schema := types.Schema{col("id", types.Int64Type, false), col("v", types.Int64Type, false)}
	for _, c := range []int{0, 1} {
		got, err := scanAll(t, dir, "x.parquet", schema, scanOpts{predicates: []dataio.Predicate{
			{Column: c, Op: ir.Gt, Value: ir.Value{Type: types.Int64Type, Int: 7}},
		}})
		if err != nil {
			t.Fatal(err)
		}
		// id has no min/max: nothing is skipped; v has them: two groups are.
		if want := []int{0, 2}[c]; got.stats.SkippedMorsels != want {
			t.Errorf("predicate on %s skipped %d row groups, want %d", schema[c].Name, got.stats.SkippedMorsels, want)
		}
	}
}

// TestStatisticsBounds decodes statistics as other writers store them.
func TestStatisticsBounds(t *testing.T) {
	le32 := func(v int32) []byte { return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)} }
	for _, tt := range []struct {
		name   string
		fc     fileColumn
		to     types.Type
		min    []byte
		max    []byte
		old    bool // in the deprecated fields
		wantOK bool
		want   [2]scalar
	}{
		{"INT32 to int64", fileColumn{physical: format.Int32, typ: types.Int32Type}, types.Int64Type, le32(-5), le32(9), false, true,
			[2]scalar{{kind: types.Int64, i: -5}, {kind: types.Int64, i: 9}}},
		{"deprecated fields of a signed column", fileColumn{physical: format.Int32, typ: types.Int32Type}, types.Int32Type, le32(-5), le32(9), true, true,
			[2]scalar{{kind: types.Int32, i: -5}, {kind: types.Int32, i: 9}}},
		{"deprecated fields of an unsigned column are ignored", fileColumn{physical: format.Int32, typ: types.Int64Type, unsigned: true}, types.Int64Type, le32(1), le32(-1), true, false,
			[2]scalar{}},
		{"UINT32 in order", fileColumn{physical: format.Int32, typ: types.Int64Type, unsigned: true}, types.Int64Type, le32(1), le32(-1), false, true,
			[2]scalar{{kind: types.Int64, i: 1}, {kind: types.Int64, i: 4294967295}}},
		{"decimal rescaled", fileColumn{physical: format.Int32, typ: types.DecimalType(5, 2)}, types.DecimalType(9, 4), le32(-150), le32(250), false, true,
			[2]scalar{{kind: types.Decimal, d: mustDec("-15000")}, {kind: types.Decimal, d: mustDec("25000")}}},
		{"decimal that does not fit proves nothing", fileColumn{physical: format.Int32, typ: types.DecimalType(9, 0)}, types.DecimalType(3, 0), le32(0), le32(5000), false, false,
			[2]scalar{}},
		{"INT96 has no order", fileColumn{physical: format.Int96, typ: types.TimestampType}, types.TimestampType, make([]byte, 12), make([]byte, 12), false, false,
			[2]scalar{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := planConversion(tt.fc, tt.to)
			if !ok {
				t.Fatalf("no conversion from %s to %s", tt.fc.typ, tt.to)
			}
			st := format.Statistics{MinValue: tt.min, MaxValue: tt.max}
			if tt.old {
				st = format.Statistics{Min: tt.min, Max: tt.max}
			}
			lo, hi, ok := bounds(readColumn{fc: tt.fc, plan: p, col: col("c", tt.to, false)}, &st)
			if ok != tt.wantOK {
				t.Fatalf("ok = %t, want %t", ok, tt.wantOK)
			}
			if ok {
				if diff := cmp.Diff(tt.want, [2]scalar{lo, hi}, cmp.AllowUnexported(scalar{}), cmp.Comparer(func(a, b []byte) bool { return bytes.Equal(a, b) })); diff != "" {
					t.Errorf("bounds (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func mustDec(s string) dec.Int128 {
	x, _ := new(big.Int).SetString(s, 10)
	d, ok := dec.FromBig(x)
	if !ok {
		panic(s)
	}
	return d
}
