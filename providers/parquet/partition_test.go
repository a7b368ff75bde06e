package parquet

import (
	"cmp"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/providers/internal/hive"
)

// partSchema is an output partitioned by country, year and day (in that
// order), with data columns before, between and after them.
var partSchema = types.Schema{
	col("id", types.Int64Type, false),
	col("country", types.StringType, true),
	col("amount", types.DecimalType(18, 2), true),
	col("year", types.Int32Type, false),
	col("day", types.DateType, true),
	col("note", types.StringType, true),
}

var partBy = []string{"country", "year", "day"}

// partRows hold partition values that need escaping, a null and an empty
// string (both written as the null folder), and unicode.
var partRows = [][]string{
	{"1", "DE", "1.50", "2024", "2024-01-31", "a"},
	{"2", "FR", "2.00", "2023", "2024-01-31", null},
	{"3", null, "3.25", "2024", "2024-02-01", "c"},
	{"4", "DE", null, "2024", "2024-01-31", "d"},
	{"5", "a/b:c=d%", "5.00", "2024", null, "e"},
	{"6", "", "6.00", "2024", "2024-02-01", "f"},
	{"7", "DE", "7.00", "2023", "2024-01-31", "g"},
	{"8", "Zürich #1", "8.00", "2024", "2024-01-31", "h"},
	{"9", "DE", "9.99", "2024", null, "i"},
	{"10", "\x01tab\t?*", "10.00", "2022", "2022-12-31", "j"},
}

// partRowsRead is partRows as a scan reads them back: the empty string
// shares the null's folder, so it reads as a null.
func partRowsRead() [][]string {
	rows := slices.Clone(partRows)
	rows[5] = slices.Clone(rows[5])
	rows[5][1] = null
	return rows
}

// writePartitioned writes partRows, partitioned, into dir/lake/t.
func writePartitioned(t *testing.T, dir string) []dataio.File {
	t.Helper()
	out := filepath.Join(dir, "lake", "t")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	return writeOutput(t, out, dataio.SinkRequest{Schema: partSchema, Output: ir.Output{PartitionBy: partBy}, RowGroupSize: 2},
		batchOf(t, partSchema, partRows[:4]), batchOf(t, partSchema, partRows[4:]))
}

// byID orders rows by their first cell, an integer: files are read in
// path order, not in the order the rows were written.
func byID(rows [][]string) [][]string {
	rows = slices.Clone(rows)
	slices.SortFunc(rows, func(a, b []string) int {
		x, _ := strconv.Atoi(a[0])
		y, _ := strconv.Atoi(b[0])
		return cmp.Compare(x, y)
	})
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
		"country=%01tab%09%3F%2A/year=2022/day=2022-12-31/part-00000.parquet",
		"country=DE/year=2023/day=2024-01-31/part-00000.parquet",
		"country=DE/year=2024/day=2024-01-31/part-00000.parquet",
		"country=DE/year=2024/day=__HIVE_DEFAULT_PARTITION__/part-00000.parquet",
		"country=FR/year=2023/day=2024-01-31/part-00000.parquet",
		"country=Zürich %231/year=2024/day=2024-01-31/part-00000.parquet",
		"country=__HIVE_DEFAULT_PARTITION__/year=2024/day=2024-02-01/part-00000.parquet",
		"country=a%2Fb%3Ac%3Dd%25/year=2024/day=__HIVE_DEFAULT_PARTITION__/part-00000.parquet",
	}
	if diff := gocmp.Diff(wantPaths, paths); diff != "" {
		t.Fatalf("files (-want +got):\n%s", diff)
	}

	res, err := scanAll(t, dir, "lake/t", partSchema, scanOpts{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(byID(partRowsRead()), byID(res.rows)); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if res.stats.Files != len(files) || res.stats.SkippedMorsels != 0 {
		t.Errorf("stats %+v", res.stats)
	}
	// The string partition column comes dictionary-encoded in every batch.
	if res.dict[1] != res.batches {
		t.Errorf("country was dictionary-encoded in %d of %d batches", res.dict[1], res.batches)
	}

	// Some columns only, a partition column among them, and none.
	res, err = scanAll(t, dir, "lake/t", partSchema, scanOpts{columns: []int{0, 3}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(project(byID(partRowsRead()), []int{0, 3}), byID(res.rows)); diff != "" {
		t.Errorf("id, year (-want +got):\n%s", diff)
	}
	res, err = scanAll(t, dir, "lake/t", partSchema, scanOpts{columns: []int{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.rows) != len(partRows) {
		t.Errorf("count-only scan read %d rows", len(res.rows))
	}

	// A glob's root is the folder before its first wildcard: the folders
	// below it are partitions.
	res, err = scanAll(t, dir, "lake/t/country=D*/*/*/*.parquet", partSchema, scanOpts{})
	if err != nil {
		t.Fatal(err)
	}
	var de [][]string
	for _, r := range partRowsRead() {
		if r[1] == "DE" {
			de = append(de, r)
		}
	}
	if diff := gocmp.Diff(byID(de), byID(res.rows)); diff != "" {
		t.Errorf("rows of the glob (-want +got):\n%s", diff)
	}
}

// TestPartitionedSchema reads the schema of the partitioned folder: the
// files' columns, then the partition columns with inferred types.
func TestPartitionedSchema(t *testing.T) {
	dir := t.TempDir()
	writePartitioned(t, dir)
	got, err := readSchema(t, dir, "lake/t")
	if err != nil {
		t.Fatal(err)
	}
	want := types.Schema{
		col("id", types.Int64Type, false),
		col("amount", types.DecimalType(18, 2), true),
		col("note", types.StringType, true),
		col("country", types.StringType, true),
		col("year", types.Int64Type, false), // inferred from the text, as CSV infers
		col("day", types.DateType, true),
	}
	if diff := gocmp.Diff(want, got.Columns); diff != "" {
		t.Errorf("schema (-want +got):\n%s", diff)
	}
	// The schema read is one the scanner reads the folder with.
	res, err := scanAll(t, dir, "lake/t", got.Columns, scanOpts{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.rows) != len(partRows) {
		t.Errorf("read %d rows", len(res.rows))
	}

	// Folders of one partition only: the others are no longer folders
	// below the source's root.
	got, err = readSchema(t, dir, "lake/t/country=DE")
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(types.Schema{want[0], want[1], want[2], want[4], want[5]}, got.Columns); diff != "" {
		t.Errorf("schema of country=DE (-want +got):\n%s", diff)
	}
}

func TestPartitionPredicatesSkipFiles(t *testing.T) {
	dir := t.TempDir()
	files := writePartitioned(t, dir)
	rowGroups := map[string]int{} // by file
	for _, f := range files {
		rowGroups[f.Path] = int((f.Rows + 1) / 2)
	}
	strv := func(s string) ir.Value { return ir.Value{Type: types.StringType, Str: s} }
	i64 := func(v int64) ir.Value { return ir.Value{Type: types.Int64Type, Int: v} }
	day := func(s string) ir.Value { d, _ := ir.ParseDate(s); return ir.Value{Type: types.DateType, Int: d} }
	pred := func(c int, op ir.BinaryOp, v ir.Value) dataio.Predicate {
		return dataio.Predicate{Column: c, Op: op, Value: v}
	}
	tests := []struct {
		name  string
		preds []dataio.Predicate
		keep  func(r []string) bool
	}{
		{"country = DE", []dataio.Predicate{pred(1, ir.Eq, strv("DE"))}, func(r []string) bool { return r[1] == "DE" }},
		{"country = escaped", []dataio.Predicate{pred(1, ir.Eq, strv("a/b:c=d%"))}, func(r []string) bool { return r[1] == "a/b:c=d%" }},
		{"country != DE", []dataio.Predicate{pred(1, ir.Ne, strv("DE"))}, func(r []string) bool { return r[1] != "DE" && r[1] != null }},
		{"country not null", []dataio.Predicate{{Column: 1, NotNull: true}}, func(r []string) bool { return r[1] != null }},
		{"year >= 2024", []dataio.Predicate{pred(3, ir.Ge, i64(2024))}, func(r []string) bool { return r[3] >= "2024" }},
		{"year < 2023", []dataio.Predicate{pred(3, ir.Lt, i64(2023))}, func(r []string) bool { return r[3] < "2023" }},
		{"day <= 2024-01-31", []dataio.Predicate{pred(4, ir.Le, day("2024-01-31"))}, func(r []string) bool { return r[4] != null && r[4] <= "2024-01-31" }},
		{"day > 2024-01-31 and country = DE", []dataio.Predicate{pred(4, ir.Gt, day("2024-01-31")), pred(1, ir.Eq, strv("DE"))}, func(r []string) bool { return false }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Only id and amount are read: the predicates' columns need
			// not be.
			res, err := scanAll(t, dir, "lake/t", partSchema, scanOpts{columns: []int{0, 2}, predicates: tt.preds})
			if err != nil {
				t.Fatal(err)
			}
			var want [][]string
			for _, r := range partRowsRead() {
				if tt.keep(r) {
					want = append(want, r)
				}
			}
			if diff := gocmp.Diff(project(byID(want), []int{0, 2}), byID(res.rows), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			// Every file that holds no kept row is skipped, whole.
			skipped := 0
			for _, f := range files {
				kvs, err := hive.Parse(f.Path)
				if err != nil {
					t.Fatal(err)
				}
				holds := false
				for _, r := range want {
					if partitionOf(r) == kvString(kvs) {
						holds = true
					}
				}
				if !holds {
					skipped += rowGroups[f.Path]
				}
			}
			if res.stats.SkippedMorsels != skipped {
				t.Errorf("skipped %d row groups, want %d", res.stats.SkippedMorsels, skipped)
			}
		})
	}
}

// partitionOf returns a row's partition values as kvString writes them.
func partitionOf(r []string) string {
	var b strings.Builder
	for _, c := range []int{1, 3, 4} {
		v := r[c]
		if v == null || v == "" {
			v = "∅"
		}
		b.WriteString(v + "|")
	}
	return b.String()
}

func kvString(kvs []hive.KV) string {
	var b strings.Builder
	for _, kv := range kvs {
		v := kv.Value
		if kv.Null {
			v = "∅"
		}
		b.WriteString(v + "|")
	}
	return b.String()
}

func TestPartitionErrors(t *testing.T) {
	dir := t.TempDir()
	inFile := types.Schema{col("id", types.Int64Type, false)}
	write := func(rel string) {
		t.Helper()
		out := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(out, 0o755); err != nil {
			t.Fatal(err)
		}
		writeOutput(t, out, dataio.SinkRequest{Schema: inFile}, batchOf(t, inFile, [][]string{{"1"}}))
	}
	write("bad/year=20x4")
	write("nulls/country=" + hive.NullMarker)
	write("empty/country=")
	write("dup/a=1/a=2")
	write("mixed/a=1")
	write("mixed/b=2")
	write("shadow/id=7")

	tests := []struct {
		name, path string
		schema     types.Schema
		want       string
	}{
		{"value does not convert", "bad", types.Schema{inFile[0], col("year", types.Int32Type, false)},
			`bad/year=20x4/part-00000.parquet: column "year": the partition value "20x4" is not an int32`},
		{"null in a column declared not null", "nulls", types.Schema{inFile[0], col("country", types.StringType, false)},
			`nulls/country=__HIVE_DEFAULT_PARTITION__/part-00000.parquet: column "country": the partition value is null (__HIVE_DEFAULT_PARTITION__), but the column is declared not null`},
		{"no value", "empty", types.Schema{inFile[0], col("country", types.StringType, true)},
			`empty/country=/part-00000.parquet: the folder "country=" has no value after its "=" (a null partition value is written __HIVE_DEFAULT_PARTITION__)`},
		{"two folders for one column", "dup", types.Schema{inFile[0], col("a", types.Int64Type, true)},
			`dup/a=1/a=2/part-00000.parquet: two folders give the partition column "a" a value`},
		{"neither in the file nor in the folders", "bad", types.Schema{inFile[0], col("month", types.Int32Type, false)},
			`bad/year=20x4/part-00000.parquet has no column "month"`},
		{"a partition some files lack", "mixed", types.Schema{inFile[0], col("a", types.Int64Type, true)},
			`mixed/b=2/part-00000.parquet has no column "a"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scanAll(t, dir, tt.path, tt.schema, scanOpts{})
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v\nwant %q", err, tt.want)
			}
		})
	}

	// A malformed folder does not matter to a scan that needs no
	// partition, nor does a value that does not convert in a column the
	// scan does not read.
	if _, err := scanAll(t, dir, "empty", inFile, scanOpts{}); err != nil {
		t.Errorf("scan of the file's own columns: %v", err)
	}
	if _, err := scanAll(t, dir, "bad", types.Schema{inFile[0], col("year", types.Int32Type, false)}, scanOpts{columns: []int{0}}); err != nil {
		t.Errorf("scan without the bad partition column: %v", err)
	}
	// A column the file holds is read from the file, not from the folder.
	res, err := scanAll(t, dir, "shadow", inFile, scanOpts{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff([][]string{{"1"}}, res.rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}

	schemaErrors := []struct{ path, want string }{
		{"mixed", `the partition folders of mixed/a=1/part-00000.parquet name "a", those of mixed/b=2/part-00000.parquet name "b": all files of a source must lie in folders for the same partition columns, in the same order`},
		{"empty", `empty/country=/part-00000.parquet: the folder "country=" has no value after its "=" (a null partition value is written __HIVE_DEFAULT_PARTITION__)`},
	}
	for _, tt := range schemaErrors {
		if _, err := readSchema(t, dir, tt.path); err == nil || err.Error() != tt.want {
			t.Errorf("schema of %s: error %v\nwant %q", tt.path, err, tt.want)
		}
	}
	got, err := readSchema(t, dir, "shadow")
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(inFile, got.Columns); diff != "" {
		t.Errorf("schema of shadow (-want +got):\n%s", diff)
	}
}
