package csv

import (
	"cmp"
	"context"
	"path/filepath"
	"slices"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/providers/internal/hive"
)

// partSchema is an output partitioned by region, at, ok and price, with
// data columns around them.
var partSchema = types.Schema{
	notNull("id", types.Int64Type),
	col("region", types.StringType),
	col("name", types.StringType),
	notNull("at", types.TimestampType),
	col("ok", types.BoolType),
	col("price", types.DecimalType(10, 2)),
}

var partBy = []string{"region", "at", "ok", "price"}

// partRows hold partition values that need escaping (timestamps hold
// colons), a null and an empty string (both written as the null folder),
// and unicode.
var partRows = [][]any{
	{int64(1), "EU", "a", ts("2024-01-31T10:00:00Z"), true, int64(150)},
	{int64(2), "EU", "b,\"q\"", ts("2024-01-31T10:00:00Z"), true, int64(150)},
	{int64(3), nil, "c", ts("2024-01-31T10:00:00.5Z"), false, int64(-1)},
	{int64(4), "", nil, ts("2024-01-31T10:00:00Z"), nil, int64(150)},
	{int64(5), "a/b:c=d%", "", ts("2023-12-31T23:59:59Z"), true, nil},
	{int64(6), "Ελλάδα #1", "f", ts("2024-01-31T10:00:00Z"), true, int64(99999)},
	{int64(7), "EU", "g", ts("2024-01-31T10:00:00Z"), false, int64(150)},
}

// partRowsRead is partRows as a scan reads them back: the empty string
// shares the null's folder, so it reads as a null.
func partRowsRead() [][]any {
	rows := slices.Clone(partRows)
	rows[3] = slices.Clone(rows[3])
	rows[3][1] = nil
	return rows
}

// writePartitioned writes partRows, partitioned, into dir/lake/t.
func writePartitioned(t *testing.T, dir string) []dataio.File {
	t.Helper()
	return writeOutput(t, filepath.Join(dir, "lake", "t"), ir.Output{PartitionBy: partBy}, partSchema,
		batchOf(t, partSchema, partRows[:3]), batchOf(t, partSchema, partRows[3:]))
}

// byID orders rows by their first cell, an int64: files are read in path
// order, not in the order the rows were written.
func byID(rows [][]any) [][]any {
	rows = slices.Clone(rows)
	slices.SortFunc(rows, func(a, b []any) int { return cmp.Compare(a[0].(int64), b[0].(int64)) })
	return rows
}

func TestPartitionedRoundTrip(t *testing.T) {
	dir := t.TempDir()
	files := writePartitioned(t, dir)
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
	}
	wantPaths := []string{
		"region=EU/at=2024-01-31T10%3A00%3A00Z/ok=false/price=1.50/part-00000.csv",
		"region=EU/at=2024-01-31T10%3A00%3A00Z/ok=true/price=1.50/part-00000.csv",
		"region=__HIVE_DEFAULT_PARTITION__/at=2024-01-31T10%3A00%3A00.5Z/ok=false/price=-0.01/part-00000.csv",
		"region=__HIVE_DEFAULT_PARTITION__/at=2024-01-31T10%3A00%3A00Z/ok=__HIVE_DEFAULT_PARTITION__/price=1.50/part-00000.csv",
		"region=a%2Fb%3Ac%3Dd%25/at=2023-12-31T23%3A59%3A59Z/ok=true/price=__HIVE_DEFAULT_PARTITION__/part-00000.csv",
		"region=Ελλάδα %231/at=2024-01-31T10%3A00%3A00Z/ok=true/price=999.99/part-00000.csv",
	}
	if diff := gocmp.Diff(wantPaths, paths); diff != "" {
		t.Fatalf("files (-want +got):\n%s", diff)
	}
	for _, mb := range morselSizes {
		s := Scanner{Dir: dir, MorselBytes: mb}
		got := scanAll(t, s, scanRequest("lake/t", header, partSchema, allColumns(len(partSchema))))
		if got.Err != "" {
			t.Fatal(got.Err)
		}
		if diff := gocmp.Diff(byID(partRowsRead()), byID(got.Rows)); diff != "" {
			t.Errorf("morsel %d: rows (-want +got):\n%s", mb, diff)
		}
		rows, err := scanParallel(t, s, scanRequest("lake/t", header, partSchema, []int{0, 1, 3}), 4)
		if err != nil {
			t.Fatal(err)
		}
		var want [][]any
		for _, r := range byID(partRowsRead()) {
			want = append(want, []any{r[0], r[1], r[3]})
		}
		if diff := gocmp.Diff(want, byID(rows)); diff != "" {
			t.Errorf("morsel %d, in parallel: rows (-want +got):\n%s", mb, diff)
		}
	}
}

// TestPartitionStringsAreDictionaries checks that a string partition
// column is a one-entry dictionary, not a copy per row.
func TestPartitionStringsAreDictionaries(t *testing.T) {
	dir := t.TempDir()
	writePartitioned(t, dir)
	sc, err := Scanner{Dir: dir}.Open(context.Background(), scanRequest("lake/t", header, partSchema, []int{1, 2}))
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	for m := range sc.Morsels() {
		err := sc.Read(context.Background(), m, func(b *vector.Batch) error {
			region, name := b.Cols[0], b.Cols[1]
			if region.Dict == nil || region.Dict.Len != 1 || len(region.Codes) != b.Len || slices.ContainsFunc(region.Codes, func(c int32) bool { return c != 0 }) {
				t.Errorf("region is not a one-entry dictionary: %+v", region)
			}
			if name.Dict != nil {
				t.Errorf("name is dictionary-encoded")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestPartitionedSchema(t *testing.T) {
	dir := t.TempDir()
	writePartitioned(t, dir)
	res, err := SchemaReader{Dir: dir}.ReadSchema(context.Background(), source("lake/t", header))
	if err != nil {
		t.Fatal(err)
	}
	want := types.Schema{
		col("id", types.Int64Type),
		col("name", types.StringType),
		{Name: "region", Type: types.StringType, Nullable: true},
		{Name: "at", Type: types.TimestampType},
		{Name: "ok", Type: types.BoolType, Nullable: true},
		{Name: "price", Type: types.Float64Type, Nullable: true}, // as CSV infers 1.50
	}
	if diff := gocmp.Diff(want, res.Columns); diff != "" {
		t.Errorf("schema (-want +got):\n%s", diff)
	}
	got := scanAll(t, Scanner{Dir: dir}, scanRequest("lake/t", header, res.Columns, allColumns(len(res.Columns))))
	if got.Err != "" {
		t.Fatalf("the schema read does not scan: %s", got.Err)
	}
	if len(got.Rows) != len(partRows) {
		t.Errorf("read %d rows", len(got.Rows))
	}
}

func TestPartitionPredicatesSkipFiles(t *testing.T) {
	dir := t.TempDir()
	files := writePartitioned(t, dir)
	strv := func(s string) ir.Value { return ir.Value{Type: types.StringType, Str: s} }
	tsv := func(s string) ir.Value { return ir.Value{Type: types.TimestampType, Int: ts(s)} }
	pred := func(c int, op ir.BinaryOp, v ir.Value) dataio.Predicate {
		return dataio.Predicate{Column: c, Op: op, Value: v}
	}
	tests := []struct {
		name  string
		preds []dataio.Predicate
		keep  func(r []any) bool
	}{
		{"region = EU", []dataio.Predicate{pred(1, ir.Eq, strv("EU"))}, func(r []any) bool { return r[1] == "EU" }},
		{"region not null", []dataio.Predicate{{Column: 1, NotNull: true}}, func(r []any) bool { return r[1] != nil }},
		{"at < 2024", []dataio.Predicate{pred(3, ir.Lt, tsv("2024-01-01T00:00:00Z"))}, func(r []any) bool { return r[3].(int64) < ts("2024-01-01T00:00:00Z") }},
		{"ok = false", []dataio.Predicate{pred(4, ir.Eq, ir.Value{Type: types.BoolType})}, func(r []any) bool { return r[4] == false }},
		{"price > 1.50", []dataio.Predicate{pred(5, ir.Gt, ir.Value{Type: types.DecimalType(10, 2), Dec: dec("1.50", 10, 2).Big()})}, func(r []any) bool { return r[5] != nil && r[5].(int64) > 150 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := scanRequest("lake/t", header, partSchema, []int{0, 2})
			req.Predicates = tt.preds
			got := scanAll(t, Scanner{Dir: dir, MorselBytes: 8}, req)
			if got.Err != "" {
				t.Fatal(got.Err)
			}
			var want [][]any
			kept := map[string]bool{}
			for _, r := range partRowsRead() {
				if tt.keep(r) {
					want = append(want, []any{r[0], r[2]})
					kept[partitionOf(t, r)] = true
				}
			}
			if diff := gocmp.Diff(byID(want), byID(got.Rows), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			// Every file that holds no kept row is skipped, whole.
			skipped := 0
			for _, f := range files {
				if !kept[filepath.Dir(f.Path)] {
					skipped += int((f.Bytes - int64(len("id,name\n")) + 7) / 8)
				}
			}
			if got.Stats.SkippedMorsels != skipped {
				t.Errorf("skipped %d morsels, want %d", got.Stats.SkippedMorsels, skipped)
			}
		})
	}
}

// partitionOf returns the folder a row of partSchema is written into.
func partitionOf(t *testing.T, r []any) string {
	t.Helper()
	b := batchOf(t, partSchema, [][]any{r})
	var dst []byte
	for k, c := range []int{1, 3, 4, 5} {
		if k > 0 {
			dst = append(dst, '/')
		}
		text, _ := b.Cols[c].AppendText(nil, 0)
		dst = hive.AppendSegment(dst, partSchema[c].Name, text)
	}
	return string(dst)
}

func TestPartitionWithoutHeader(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"t/p=1/q=x/a.csv": "ann,10\nbob,11\n",
		"t/p=2/q=y/a.csv": "cy,12\n",
		"t/p=3/q=z/a.csv": "dan,13,extra\n",
	})
	noHeader := ir.CSVOptions{}
	// The folders' columns may stand anywhere in the schema: the others
	// are the fields, in order.
	schema := types.Schema{col("q", types.StringType), col("name", types.StringType), notNull("p", types.Int32Type), col("n", types.Int64Type)}
	got := scanAll(t, Scanner{Dir: dir}, scanRequest("t/p=[12]", noHeader, schema, allColumns(4)))
	if got.Err != "" {
		t.Fatal(got.Err)
	}
	want := [][]any{{"x", "ann", int32(1), int64(10)}, {"x", "bob", int32(1), int64(11)}, {"y", "cy", int32(2), int64(12)}}
	if diff := gocmp.Diff(want, got.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	got = scanAll(t, Scanner{Dir: dir}, scanRequest("t", noHeader, schema, allColumns(4)))
	if want := "t/p=3/q=z/a.csv:1: the row has 3 fields but the schema has 2 columns besides the 2 that the partition folders give"; got.Err != want {
		t.Errorf("error %q\nwant %q", got.Err, want)
	}
}

// TestPartitionSkippedRows checks that rows set aside by on_error =
// "skip" leave the partition columns of the other rows whole.
func TestPartitionSkippedRows(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"t/p=x/a.csv": "id,name\n1,a\nbad,b\n3,c\n",
		"t/p=y/a.csv": "id,name\n4,d\n",
	})
	schema := types.Schema{col("id", types.Int64Type), col("name", types.StringType), col("p", types.StringType)}
	got := scanAll(t, Scanner{Dir: dir}, scanRequest("t", ir.CSVOptions{Header: true, OnError: "skip"}, schema, allColumns(3)))
	if got.Err != "" {
		t.Fatal(got.Err)
	}
	want := [][]any{{int64(1), "a", "x"}, {int64(3), "c", "x"}, {int64(4), "d", "y"}}
	if diff := gocmp.Diff(want, got.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if len(got.Rejects) != 1 || got.Rejects[0].Line != 3 {
		t.Errorf("rejects %+v", got.Rejects)
	}
}

func TestPartitionErrors(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"bad/year=20x4/a.csv":                            "id\n1\n",
		"nulls/country=__HIVE_DEFAULT_PARTITION__/a.csv": "id\n1\n",
		"empty/country=/a.csv":                           "id\n1\n",
		"mixed/a=1/a.csv":                                "id\n1\n",
		"mixed/b=2/a.csv":                                "id\n1\n",
		"shadow/id=7/a.csv":                              "id\n1\n",
	})
	id := col("id", types.Int64Type)
	tests := []struct {
		name, path string
		schema     types.Schema
		want       string
	}{
		{"value does not convert", "bad", types.Schema{id, col("year", types.Int32Type)},
			`bad/year=20x4/a.csv: column "year": the partition value "20x4" is not an int32`},
		{"null in a column declared not null", "nulls", types.Schema{id, notNull("country", types.StringType)},
			`nulls/country=__HIVE_DEFAULT_PARTITION__/a.csv: column "country": the partition value is null (__HIVE_DEFAULT_PARTITION__), but the column is declared not null`},
		{"no value", "empty", types.Schema{id, col("country", types.StringType)},
			`empty/country=/a.csv: the folder "country=" has no value after its "=" (a null partition value is written __HIVE_DEFAULT_PARTITION__)`},
		{"neither in the header nor in the folders", "bad", types.Schema{id, col("month", types.Int32Type)},
			`bad/year=20x4/a.csv: no column "month" in the header (id)`},
		{"a partition some files lack", "mixed", types.Schema{id, col("a", types.Int64Type)},
			`mixed/b=2/a.csv: no column "a" in the header (id)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := scanAll(t, Scanner{Dir: dir}, scanRequest(tt.path, header, tt.schema, allColumns(len(tt.schema))))
			if got.Err != tt.want {
				t.Errorf("error %q\nwant %q", got.Err, tt.want)
			}
		})
	}
	// A malformed folder does not matter to a scan that needs no
	// partition, nor a bad value in a column the scan does not read.
	if got := scanAll(t, Scanner{Dir: dir}, scanRequest("empty", header, types.Schema{id}, []int{0})); got.Err != "" {
		t.Errorf("scan of the file's own columns: %s", got.Err)
	}
	if got := scanAll(t, Scanner{Dir: dir}, scanRequest("bad", header, types.Schema{id, col("year", types.Int32Type)}, []int{0})); got.Err != "" {
		t.Errorf("scan without the bad partition column: %s", got.Err)
	}
	// A column the file holds is read from the file, not from the folder.
	got := scanAll(t, Scanner{Dir: dir}, scanRequest("shadow", header, types.Schema{id}, []int{0}))
	if diff := gocmp.Diff([][]any{{int64(1)}}, got.Rows); got.Err != "" || diff != "" {
		t.Errorf("shadow: %s (-want +got):\n%s", got.Err, diff)
	}

	schemaErrors := []struct{ path, want string }{
		{"mixed", `the partition folders of mixed/a=1/a.csv name "a", those of mixed/b=2/a.csv name "b": all files of a source must lie in folders for the same partition columns, in the same order`},
		{"empty", `empty/country=/a.csv: the folder "country=" has no value after its "=" (a null partition value is written __HIVE_DEFAULT_PARTITION__)`},
	}
	for _, tt := range schemaErrors {
		if _, err := (SchemaReader{Dir: dir}).ReadSchema(context.Background(), source(tt.path, header)); err == nil || err.Error() != tt.want {
			t.Errorf("schema of %s: error %v\nwant %q", tt.path, err, tt.want)
		}
	}
	res, err := SchemaReader{Dir: dir}.ReadSchema(context.Background(), source("shadow", header))
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(types.Schema{col("id", types.Int64Type)}, res.Columns); diff != "" {
		t.Errorf("schema of shadow (-want +got):\n%s", diff)
	}
}
