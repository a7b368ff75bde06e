package csv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// batchOf builds a batch of schema from rows of Go values (as cells
// returns them; nil is a null).
func batchOf(t testing.TB, schema types.Schema, rows [][]any) *vector.Batch {
	t.Helper()
	b := vector.NewBatch(schema, len(rows))
	b.Reset(len(rows))
	for j, v := range b.Cols {
		for i, row := range rows {
			x := row[j]
			if x == nil {
				v.SetNull(i)
				if v.Phys == vector.PhysString {
					v.AppendString(i, nil)
				}
				continue
			}
			switch v.Phys {
			case vector.PhysBool:
				v.Bool[i] = x.(bool)
			case vector.PhysInt32:
				v.I32[i] = x.(int32)
			case vector.PhysInt64:
				v.I64[i] = x.(int64)
			case vector.PhysFloat64:
				v.F64[i] = x.(float64)
			case vector.PhysInt128:
				v.I128[i] = x.(decimal.Int128)
			case vector.PhysString:
				v.AppendString(i, []byte(x.(string)))
			}
		}
	}
	return b
}

// writeOutput writes batches through the Sinker and returns the files.
func writeOutput(t testing.TB, dir string, out ir.Output, schema types.Schema, batches ...*vector.Batch) []dataio.File {
	t.Helper()
	w, err := Sinker{}.Create(context.Background(), dataio.SinkRequest{Output: out, Schema: schema, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range batches {
		if err := w.Write(context.Background(), b); err != nil {
			w.Abort()
			t.Fatal(err)
		}
	}
	files, err := w.Close(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// roundTripSchema has every type, with awkward values and nulls in
// roundTripRows.
var roundTripSchema = types.Schema{
	col("b", types.BoolType),
	col("i32", types.Int32Type),
	col("i64", types.Int64Type),
	col("f", types.Float64Type),
	col("d", types.DecimalType(18, 2)),
	col("w", types.DecimalType(38, 4)),
	col("s", types.StringType),
	col("day", types.DateType),
	col("at", types.TimestampType),
}

var roundTripRows = [][]any{
	{true, int32(math.MaxInt32), int64(math.MaxInt64), 1.5, int64(123456), dec("12345678901234567890123456789012.3456", 38, 4), "plain", date("2024-02-29"), ts("2024-01-31T10:00:00.123456Z")},
	{false, int32(math.MinInt32), int64(math.MinInt64), -0.1, int64(-5), dec("-0.0001", 38, 4), "", date("1970-01-01"), ts("1969-12-31T23:59:59.999999Z")},
	{nil, nil, nil, nil, nil, nil, nil, nil, nil},
	{true, int32(0), int64(0), 1e300, int64(0), dec("0", 38, 4), "a,b \"q\"\nline\r\n", date("0001-01-01"), ts("0001-01-01T00:00:00Z")},
	{false, int32(-1), int64(-1), 5e-324, int64(999999999999999999), dec("-99999999999999999999999999999999.9999", 38, 4), " lead and trail ", date("9999-12-31"), ts("9999-12-31T23:59:59.999999Z")},
	{true, int32(42), int64(42), 123456.789, int64(-999999999999999999), dec("1", 38, 4), "NA", date("2000-01-01"), ts("2024-06-01T12:00:00.5Z")},
	{nil, int32(1), nil, 0.3, nil, dec("3.14", 38, 4), "é,ü;\t", nil, ts("2024-06-01T12:00:00Z")},
}

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	files := writeOutput(t, filepath.Join(dir), ir.Output{}, roundTripSchema,
		batchOf(t, roundTripSchema, roundTripRows[:3]), batchOf(t, roundTripSchema, roundTripRows[3:]))
	if len(files) != 1 || files[0].Path != "part-00000.csv" || files[0].Rows != int64(len(roundTripRows)) {
		t.Fatalf("files %+v", files)
	}
	for _, mb := range morselSizes {
		got := scanAll(t, Scanner{Dir: dir, MorselBytes: mb}, scanRequest("part-00000.csv", header, roundTripSchema, allColumns(len(roundTripSchema))))
		if got.Err != "" {
			t.Fatal(got.Err)
		}
		if diff := cmp.Diff(roundTripRows, got.Rows); diff != "" {
			t.Errorf("morsel %d: rows (-want +got):\n%s", mb, diff)
		}
	}
	// Inference reads the file's types back, where it can tell them.
	res, err := SchemaReader{Dir: dir}.ReadSchema(context.Background(), source("part-00000.csv", header))
	if err != nil {
		t.Fatal(err)
	}
	wantKinds := []types.Kind{types.Bool, types.Int64, types.Int64, types.Float64, types.Float64, types.Float64, types.String, types.Date, types.Timestamp}
	for i, c := range res.Columns {
		if c.Type.Kind != wantKinds[i] {
			t.Errorf("column %s inferred as %s", c.Name, c.Type)
		}
	}
}

func TestSinkText(t *testing.T) {
	schema := types.Schema{col("id", types.Int64Type), col("name, full", types.StringType), col("amount", types.DecimalType(10, 2)), col("day", types.DateType), col("at", types.TimestampType)}
	rows := [][]any{
		{int64(1), "Ann", int64(1050), date("2024-01-31"), ts("2024-01-31T10:00:00Z")},
		{int64(2), "O'Brien, \"Bob\"", int64(-7), nil, ts("2024-01-31T10:00:00.25Z")},
		{nil, "", nil, date("1999-12-31"), nil},
		{int64(4), nil, int64(0), nil, nil},
	}
	dir := t.TempDir()
	files := writeOutput(t, dir, ir.Output{}, schema, batchOf(t, schema, rows))
	data, err := os.ReadFile(filepath.Join(dir, "part-00000.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want := "id,\"name, full\",amount,day,at\n" +
		"1,Ann,10.50,2024-01-31,2024-01-31T10:00:00Z\n" +
		"2,\"O'Brien, \"\"Bob\"\"\",-0.07,,2024-01-31T10:00:00.25Z\n" +
		",\"\",,1999-12-31,\n" +
		"4,,0.00,,\n"
	if diff := cmp.Diff(want, string(data)); diff != "" {
		t.Errorf("file (-want +got):\n%s", diff)
	}
	sum := sha256.Sum256(data)
	wantFiles := []dataio.File{{Path: "part-00000.csv", Rows: 4, Bytes: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}}
	if diff := cmp.Diff(wantFiles, files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
}

func TestSinkDictionaryStrings(t *testing.T) {
	schema := types.Schema{col("c", types.StringType)}
	dict := batchOf(t, schema, [][]any{{"DE"}, {"a,b"}})
	b := &vector.Batch{Cols: []*vector.Vector{vector.New(types.StringType, 0)}, Len: 4}
	v := b.Cols[0]
	v.Reset(4)
	v.Dict, v.Codes = dict.Cols[0], []int32{1, 0, 0, 1}
	v.SetNull(2)
	dir := t.TempDir()
	writeOutput(t, dir, ir.Output{}, schema, b)
	data, _ := os.ReadFile(filepath.Join(dir, "part-00000.csv"))
	if want := "c\n\"a,b\"\nDE\n\n\"a,b\"\n"; string(data) != want {
		t.Errorf("file %q, want %q", data, want)
	}
}

func TestSinkEmpty(t *testing.T) {
	schema := types.Schema{col("a", types.Int64Type), col("b", types.StringType)}
	dir := t.TempDir()
	files := writeOutput(t, dir, ir.Output{}, schema)
	data, _ := os.ReadFile(filepath.Join(dir, "part-00000.csv"))
	if string(data) != "a,b\n" || len(files) != 1 || files[0].Rows != 0 {
		t.Errorf("file %q, files %+v", data, files)
	}
	dir = t.TempDir()
	if files := writeOutput(t, dir, ir.Output{PartitionBy: []string{"b"}}, schema); len(files) != 0 {
		t.Errorf("partitioned files %+v", files)
	}
}

func TestSinkPartitioned(t *testing.T) {
	schema := types.Schema{col("id", types.Int64Type), col("country", types.StringType), col("day", types.DateType), col("v", types.StringType)}
	rows := [][]any{
		{int64(1), "DE", date("2024-01-01"), "a"},
		{int64(2), "FR", date("2024-01-01"), "b"},
		{int64(3), "DE", date("2024-01-02"), "c"},
		{int64(4), nil, date("2024-01-01"), "d"},
		{int64(5), "a/b=c%", nil, "e"},
		{int64(6), "DE", date("2024-01-01"), "f"},
		{int64(7), "", date("2024-01-01"), "g"},
	}
	dir := t.TempDir()
	files := writeOutput(t, dir, ir.Output{PartitionBy: []string{"country", "day"}}, schema,
		batchOf(t, schema, rows[:4]), batchOf(t, schema, rows[4:]))
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
	}
	wantPaths := []string{
		"country=DE/day=2024-01-01/part-00000.csv",
		"country=DE/day=2024-01-02/part-00000.csv",
		"country=FR/day=2024-01-01/part-00000.csv",
		"country=__HIVE_DEFAULT_PARTITION__/day=2024-01-01/part-00000.csv",
		"country=a%2Fb%3Dc%25/day=__HIVE_DEFAULT_PARTITION__/part-00000.csv",
	}
	if diff := cmp.Diff(wantPaths, paths); diff != "" {
		t.Fatalf("paths (-want +got):\n%s", diff)
	}
	wantText := map[string]string{
		wantPaths[0]: "id,v\n1,a\n6,f\n",
		wantPaths[1]: "id,v\n3,c\n",
		wantPaths[2]: "id,v\n2,b\n",
		wantPaths[3]: "id,v\n4,d\n7,g\n",
		wantPaths[4]: "id,v\n5,e\n",
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil {
			t.Fatal(err)
		}
		if string(data) != wantText[f.Path] {
			t.Errorf("%s: %q, want %q", f.Path, data, wantText[f.Path])
		}
		sum := sha256.Sum256(data)
		if f.Bytes != int64(len(data)) || f.SHA256 != hex.EncodeToString(sum[:]) || f.Rows != int64(len(slices.DeleteFunc([]byte(wantText[f.Path]), func(c byte) bool { return c != '\n' }))-1) {
			t.Errorf("file %+v", f)
		}
	}
}

// TestSinkManyPartitions writes more partitions than files may be open at
// once, over several batches, so that files are closed and reopened.
func TestSinkManyPartitions(t *testing.T) {
	schema := types.Schema{col("p", types.Int32Type), col("n", types.Int64Type)}
	const parts, perBatch, batches = 3 * maxOpen, 500, 6
	var all []*vector.Batch
	want := map[string]string{}
	for k := range batches {
		var rows [][]any
		for i := range perBatch {
			n := int64(k*perBatch + i)
			p := int32(n*7919) % parts
			rows = append(rows, []any{p, n})
			path := fmt.Sprintf("p=%d/part-00000.csv", p)
			if want[path] == "" {
				want[path] = "n\n"
			}
			want[path] += fmt.Sprintf("%d\n", n)
		}
		all = append(all, batchOf(t, schema, rows))
	}
	dir := t.TempDir()
	files := writeOutput(t, dir, ir.Output{PartitionBy: []string{"p"}}, schema, all...)
	if len(files) != parts {
		t.Fatalf("%d files", len(files))
	}
	for _, f := range files {
		data, _ := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if string(data) != want[f.Path] {
			t.Fatalf("%s: %q, want %q", f.Path, data, want[f.Path])
		}
		sum := sha256.Sum256(data)
		if f.SHA256 != hex.EncodeToString(sum[:]) || f.Bytes != int64(len(data)) {
			t.Errorf("file %+v", f)
		}
	}
}

func TestSinkAbort(t *testing.T) {
	schema := types.Schema{col("p", types.StringType), col("n", types.Int64Type)}
	dir := t.TempDir()
	w, err := Sinker{}.Create(context.Background(), dataio.SinkRequest{Output: ir.Output{PartitionBy: []string{"p"}}, Schema: schema, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]any
	for i := range 50000 {
		rows = append(rows, []any{fmt.Sprint(i % 3), int64(i)})
	}
	if err := w.Write(context.Background(), batchOf(t, schema, rows)); err != nil {
		t.Fatal(err)
	}
	w.Abort()
	var left []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if p != dir {
			left = append(left, p)
		}
		return nil
	})
	if len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

func TestSinkErrors(t *testing.T) {
	schema := types.Schema{col("a", types.Int64Type), col("b", types.StringType)}
	tests := []struct {
		name string
		out  ir.Output
		want string
	}{
		{"unknown partition column", ir.Output{PartitionBy: []string{"c"}}, `partition_by: the output has no column "c"`},
		{"partition column twice", ir.Output{PartitionBy: []string{"a", "a"}}, `partition_by: column "a" is named twice`},
		{"every column", ir.Output{PartitionBy: []string{"a", "b"}}, "partition_by names every column of the output: the CSV files would have no columns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Sinker{}.Create(context.Background(), dataio.SinkRequest{Output: tt.out, Schema: schema, Dir: t.TempDir()})
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v, want %s", err, tt.want)
			}
		})
	}
	w, err := Sinker{}.Create(context.Background(), dataio.SinkRequest{Schema: schema, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	if err := w.Write(context.Background(), &vector.Batch{Cols: []*vector.Vector{vector.New(types.Int64Type, 0)}, Len: 0}); err == nil {
		t.Error("a batch with the wrong number of columns was accepted")
	}
}
