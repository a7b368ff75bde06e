package parquet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// openWritten opens a file the Sinker wrote with parquet-go.
func openWritten(t *testing.T, path string) *pq.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	info, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	pf, err := pq.OpenFile(f, info.Size())
	if err != nil {
		t.Fatal(err)
	}
	return pf
}

// TestSinkWritesStandardTypes checks the schema a written file declares:
// the user's column order, repetition by nullability, and the logical
// types DuckDB, Spark and pyarrow read.
func TestSinkWritesStandardTypes(t *testing.T) {
	dir := t.TempDir()
	rows := make([][]string, 0, 64)
	for range 16 {
		rows = append(rows, everyTypeRows...)
	}
	writeOutput(t, dir, dataio.SinkRequest{Schema: everyType}, batchOf(t, everyType, rows))
	pf := openWritten(t, filepath.Join(dir, "part-00000.parquet"))

	type leaf struct {
		Name       string
		Repetition format.FieldRepetitionType
		Physical   format.Type
		Length     int32
		Logical    string
	}
	var got []leaf
	for _, e := range pf.Metadata().Schema[1:] {
		l := leaf{Name: e.Name, Repetition: e.RepetitionType.V, Physical: e.Type.V}
		if l.Physical == format.FixedLenByteArray {
			// parquet-go also sets the bit width of other types here.
			l.Length = e.TypeLength.V
		}
		switch lt := e.LogicalType.Value.(type) {
		case *format.TimestampType:
			l.Logical = fmt.Sprintf("TIMESTAMP(utc=%t, %s)", lt.IsAdjustedToUTC, lt.Unit.Value)
		case nil:
		default:
			l.Logical = lt.String()
		}
		got = append(got, l)
	}
	const (
		req = format.Required
		opt = format.Optional
	)
	want := []leaf{
		{"id", req, format.Int64, 0, "INT(64,true)"},
		{"flag", opt, format.Boolean, 0, ""},
		{"n32", opt, format.Int32, 0, "INT(32,true)"},
		{"name", opt, format.ByteArray, 0, "STRING"},
		{"score", opt, format.Double, 0, ""},
		{"price", opt, format.Int32, 0, "DECIMAL(9,2)"},
		{"amount", req, format.Int64, 0, "DECIMAL(18,4)"},
		{"total", opt, format.FixedLenByteArray, 16, "DECIMAL(38,10)"},
		{"day", opt, format.Int32, 0, "DATE"},
		{"at", opt, format.Int64, 0, "TIMESTAMP(utc=true, MICROS)"},
		{"code", req, format.ByteArray, 0, "STRING"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("schema (-want +got):\n%s", diff)
	}

	// Low-cardinality strings are dictionary-encoded; snappy by default.
	g := pf.Metadata().RowGroups[0]
	for _, c := range g.Columns {
		if c.MetaData.Codec != format.Snappy {
			t.Errorf("column %s is compressed with %s, want SNAPPY", c.MetaData.PathInSchema, c.MetaData.Codec)
		}
		dict := slices.Contains(c.MetaData.Encoding, format.RLEDictionary)
		if wantDict := c.MetaData.PathInSchema[0] == "code" || c.MetaData.PathInSchema[0] == "name"; dict != wantDict {
			t.Errorf("column %s has encodings %v: dictionary %t, want %t", c.MetaData.PathInSchema, c.MetaData.Encoding, dict, wantDict)
		}
		if c.MetaData.Statistics.MinValue == nil && c.MetaData.PathInSchema[0] != "flag" {
			t.Errorf("column %s has no statistics", c.MetaData.PathInSchema)
		}
	}
	got2, err := scanAll(t, dir, ".", everyType, scanOpts{columns: []int{3, 10}})
	if err != nil {
		t.Fatal(err)
	}
	if got2.dict[0] != got2.batches || got2.dict[1] != got2.batches {
		t.Errorf("dictionary batches %v of %d, want all", got2.dict, got2.batches)
	}
	if diff := cmp.Diff(project(rows, []int{3, 10}), got2.rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

func TestSinkCompression(t *testing.T) {
	schema := types.Schema{col("s", types.StringType, false)}
	for _, tt := range []struct {
		name string
		want format.CompressionCodec
	}{
		{"", format.Snappy}, {"snappy", format.Snappy}, {"zstd", format.Zstd}, {"gzip", format.Gzip}, {"none", format.Uncompressed},
	} {
		dir := t.TempDir()
		writeOutput(t, dir, dataio.SinkRequest{Schema: schema, Output: ir.Output{Compression: tt.name}},
			batchOf(t, schema, [][]string{{"a"}, {"b"}}))
		pf := openWritten(t, filepath.Join(dir, "part-00000.parquet"))
		if got := pf.Metadata().RowGroups[0].Columns[0].MetaData.Codec; got != tt.want {
			t.Errorf("compression %q wrote %s, want %s", tt.name, got, tt.want)
		}
		got, err := scanAll(t, dir, ".", schema, scanOpts{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([][]string{{"a"}, {"b"}}, got.rows); diff != "" {
			t.Errorf("compression %q: rows (-want +got):\n%s", tt.name, diff)
		}
	}
	_, err := Sinker{}.Create(context.Background(), dataio.SinkRequest{Schema: schema, Dir: t.TempDir(), Output: ir.Output{Compression: "lzo"}})
	if err == nil || !strings.Contains(err.Error(), `unknown compression "lzo"`) {
		t.Errorf("got error %v", err)
	}
}

func TestSinkEmptyOutput(t *testing.T) {
	dir := t.TempDir()
	files := writeOutput(t, dir, dataio.SinkRequest{Schema: everyType})
	if len(files) != 1 || files[0].Path != "part-00000.parquet" || files[0].Rows != 0 {
		t.Fatalf("files %+v, want one empty part-00000.parquet", files)
	}
	schema, err := readSchema(t, dir, ".")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(everyType, schema.Columns); diff != "" {
		t.Errorf("schema (-want +got):\n%s", diff)
	}
	got, err := scanAll(t, dir, ".", everyType, scanOpts{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.rows) != 0 || got.stats.Files != 1 {
		t.Errorf("read %d rows from %d files, want none from 1", len(got.rows), got.stats.Files)
	}

	// A partitioned output without rows has no partition, hence no file.
	dir = t.TempDir()
	files = writeOutput(t, dir, dataio.SinkRequest{Schema: everyType, Output: ir.Output{PartitionBy: []string{"code"}}})
	if len(files) != 0 || len(filesIn(t, dir)) != 0 {
		t.Errorf("files %+v, want none", files)
	}
}

func TestSinkRollsFiles(t *testing.T) {
	dir := t.TempDir()
	schema := types.Schema{col("id", types.Int64Type, false)}
	var rows [][]string
	for i := range 300 {
		rows = append(rows, []string{fmt.Sprint(i)})
	}
	files := writeOutput(t, dir, dataio.SinkRequest{Schema: schema, RowGroupSize: 2}, batchOf(t, schema, rows[:77]), batchOf(t, schema, rows[77:]))
	var got []string
	for _, f := range files {
		got = append(got, fmt.Sprintf("%s %d", f.Path, f.Rows))
	}
	want := []string{"part-00000.parquet 128", "part-00001.parquet 128", "part-00002.parquet 44"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	res, err := scanAll(t, dir, ".", schema, scanOpts{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rows, res.rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if res.stats.Files != 3 {
		t.Errorf("read %d files", res.stats.Files)
	}
}

func TestSinkPartitioned(t *testing.T) {
	schema := types.Schema{
		col("id", types.Int64Type, false),
		col("country", types.StringType, true),
		col("v", types.StringType, true),
		col("year", types.Int32Type, false),
		col("day", types.DateType, true),
	}
	rows := [][]string{
		{"1", "DE", "a", "2024", "2024-01-01"},
		{"2", "FR", "b", "2023", "2024-01-01"},
		{"3", null, "c", "2024", "2024-01-01"},
		{"4", "DE", null, "2024", "2024-01-01"},
		{"5", "a/b:c=d%", "e", "2024", "2024-01-01"},
		{"6", "", "f", "2024", "2024-01-01"},
		{"7", "DE", "g", "2023", "2024-01-01"},
		{"8", "DE", "h", "2024", null},
	}
	dir := t.TempDir()
	files := writeOutput(t, dir, dataio.SinkRequest{Schema: schema, Output: ir.Output{PartitionBy: []string{"country", "year"}}},
		batchOf(t, schema, rows[:3]), batchOf(t, schema, rows[3:]))
	var got []string
	for _, f := range files {
		got = append(got, fmt.Sprintf("%s %d", f.Path, f.Rows))
	}
	want := []string{
		"country=DE/year=2023/part-00000.parquet 1",
		"country=DE/year=2024/part-00000.parquet 3",
		"country=FR/year=2023/part-00000.parquet 1",
		"country=__HIVE_DEFAULT_PARTITION__/year=2024/part-00000.parquet 2",
		"country=a%2Fb%3Ac%3Dd%25/year=2024/part-00000.parquet 1",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, func() []string {
		var out []string
		for _, f := range filesIn(t, dir) {
			for _, w := range want {
				if strings.HasPrefix(w, f+" ") {
					out = append(out, w)
				}
			}
		}
		return out
	}()); diff != "" {
		t.Errorf("files on disk (-reported +found):\n%s", diff)
	}

	// The partition columns are not in the files.
	inFile := types.Schema{schema[0], schema[2], schema[4]}
	got2, err := readSchema(t, dir, "country=DE/year=2024")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(inFile, got2.Columns); diff != "" {
		t.Errorf("schema of a partition (-want +got):\n%s", diff)
	}
	res, err := scanAll(t, dir, "country=DE/year=2024", inFile, scanOpts{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]string{{"1", "a", "2024-01-01"}, {"4", null, "2024-01-01"}, {"8", "h", null}}, res.rows); diff != "" {
		t.Errorf("rows of country=DE/year=2024 (-want +got):\n%s", diff)
	}
	res, err = scanAll(t, dir, "country=__HIVE_DEFAULT_PARTITION__", inFile, scanOpts{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]string{{"3", "c", "2024-01-01"}, {"6", "f", "2024-01-01"}}, res.rows); diff != "" {
		t.Errorf("rows of the null partition (-want +got):\n%s", diff)
	}
}

// TestSinkManyPartitions writes more partitions than the writer keeps
// files open, interleaved, in small row groups: every row must land once,
// in its partition, in order.
func TestSinkManyPartitions(t *testing.T) {
	schema := types.Schema{col("id", types.Int64Type, false), col("p", types.Int32Type, false)}
	const parts, n = 150, 3000
	var rows [][]string
	for i := range n {
		rows = append(rows, []string{fmt.Sprint(i), fmt.Sprint(i % parts)})
	}
	dir := t.TempDir()
	var batches []*vector.Batch
	for i := 0; i < n; i += 500 {
		batches = append(batches, batchOf(t, schema, rows[i:i+500]))
	}
	files := writeOutput(t, dir, dataio.SinkRequest{Schema: schema, RowGroupSize: 4, Output: ir.Output{PartitionBy: []string{"p"}}}, batches...)
	var total int64
	for _, f := range files {
		total += f.Rows
	}
	if total != n {
		t.Errorf("files hold %d rows, want %d", total, n)
	}
	inFile := types.Schema{schema[0]}
	for _, p := range []int{0, 77, 149} {
		res, err := scanAll(t, dir, fmt.Sprintf("p=%d", p), inFile, scanOpts{})
		if err != nil {
			t.Fatal(err)
		}
		var want [][]string
		for i := p; i < n; i += parts {
			want = append(want, []string{fmt.Sprint(i)})
		}
		if diff := cmp.Diff(want, res.rows); diff != "" {
			t.Errorf("partition %d (-want +got):\n%s", p, diff)
		}
	}
}

func TestSinkAbortRemovesFiles(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	schema := types.Schema{col("id", types.Int64Type, false), col("p", types.StringType, false)}
	w, err := Sinker{}.Create(ctx, dataio.SinkRequest{Schema: schema, Dir: dir, RowGroupSize: 1, Output: ir.Output{PartitionBy: []string{"p"}}})
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	for i := range 200 {
		rows = append(rows, []string{fmt.Sprint(i), fmt.Sprintf("x%d/y", i%3)})
	}
	if err := w.Write(ctx, batchOf(t, schema, rows)); err != nil {
		t.Fatal(err)
	}
	if len(filesIn(t, dir)) == 0 {
		t.Fatal("no file was written before Abort; the test proves nothing")
	}
	w.Abort()
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("Abort left %v", filesIn(t, dir))
	}
}

func TestSinkErrors(t *testing.T) {
	ctx := context.Background()
	schema := types.Schema{col("id", types.Int64Type, false), col("s", types.StringType, true)}
	create := func(t *testing.T, req dataio.SinkRequest) (dataio.Writer, error) {
		req.Dir = t.TempDir()
		if req.Schema == nil {
			req.Schema = schema
		}
		return Sinker{}.Create(ctx, req)
	}
	for _, tt := range []struct {
		name string
		req  dataio.SinkRequest
		want string
	}{
		{"unknown partition column", dataio.SinkRequest{Output: ir.Output{PartitionBy: []string{"nope"}}}, `partition column "nope" is not a column of the output`},
		{"partition column twice", dataio.SinkRequest{Output: ir.Output{PartitionBy: []string{"s", "s"}}}, `partition column "s" is listed twice`},
		{"every column a partition", dataio.SinkRequest{Output: ir.Output{PartitionBy: []string{"s", "id"}}}, "no column is left to write"},
		{"duplicate column", dataio.SinkRequest{Schema: types.Schema{schema[0], schema[0]}}, `two columns are named "id"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := create(t, tt.req)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want %q", err, tt.want)
			}
		})
	}

	t.Run("null in a column declared not null", func(t *testing.T) {
		w, err := create(t, dataio.SinkRequest{})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Abort()
		if err := w.Write(ctx, batchOf(t, schema, [][]string{{"1", "a"}, {"2", "b"}})); err != nil {
			t.Fatal(err)
		}
		b := batchOf(t, schema, [][]string{{"3", "a"}, {"4", "b"}})
		b.Cols[0].SetNull(1)
		err = w.Write(ctx, b)
		want := `column "id" is declared not null, but row 3 of the output is null`
		if err == nil || err.Error() != want {
			t.Errorf("got error %v, want %q", err, want)
		}
		if _, err := w.Close(ctx); err == nil {
			t.Error("Close after a failed Write succeeded")
		}
	})

	t.Run("batch of another shape", func(t *testing.T) {
		w, err := create(t, dataio.SinkRequest{})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Abort()
		err = w.Write(ctx, batchOf(t, schema[:1], [][]string{{"1"}}))
		if err == nil || !strings.Contains(err.Error(), "a batch has 1 columns, the output 2") {
			t.Errorf("got error %v", err)
		}
	})
}

// TestSinkDeterministic writes the same rows twice: the files must be
// byte for byte the same, although row groups are encoded concurrently.
// Without partitions, the batch sizes do not matter either.
func TestSinkDeterministic(t *testing.T) {
	ctx := context.Background()
	write := func(batchSize int, partitionBy ...string) []dataio.File {
		dir := t.TempDir()
		w, err := Sinker{}.Create(ctx, dataio.SinkRequest{Schema: customers, Dir: dir, RowGroupSize: 1000, Output: ir.Output{PartitionBy: partitionBy}})
		if err != nil {
			t.Fatal(err)
		}
		genCustomers(3, 1, 10_000, batchSize, func(b *vector.Batch) {
			if err := w.Write(ctx, b); err != nil {
				t.Fatal(err)
			}
		})
		files, err := w.Close(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return files
	}
	first := write(10_000)
	if diff := cmp.Diff(first, write(333)); diff != "" {
		t.Errorf("files differ (-one batch +batches of 333):\n%s", diff)
	}
	first = write(777, "country")
	if len(first) < 30 {
		t.Errorf("%d files, want one per country", len(first))
	}
	if diff := cmp.Diff(first, write(777, "country")); diff != "" {
		t.Errorf("partitioned files differ (-first +second):\n%s", diff)
	}
}
