package parquet

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// everyType is a schema with a column of every type, nullable or not.
var everyType = types.Schema{
	col("id", types.Int64Type, false),
	col("flag", types.BoolType, true),
	col("n32", types.Int32Type, true),
	col("name", types.StringType, true),
	col("score", types.Float64Type, true),
	col("price", types.DecimalType(9, 2), true),
	col("amount", types.DecimalType(18, 4), false),
	col("total", types.DecimalType(38, 10), true),
	col("day", types.DateType, true),
	col("at", types.TimestampType, true),
	col("code", types.StringType, false),
}

var everyTypeRows = [][]string{
	{"1", "true", "-2147483648", "Ann", "1.5", "1234567.89", "-99999999999999.9999", "-1234567890123456789012345678.0123456789", "2024-02-29", "2024-02-29T12:34:56.789012Z", "a"},
	{"2", "false", "2147483647", "", "-0.25", "-0.01", "12345678901234.5678", "9999999999999999999999999999.9999999999", "1969-12-31", "1969-12-31T23:59:59.999999Z", "b"},
	{"3", null, null, null, null, null, "0.0000", null, null, null, "a"},
	{"4", "true", "0", "Zoë – ünïcödé", "1000.125", "0.00", "1.0000", "0.0000000001", "1900-01-01", "1900-01-01T00:00:00Z", "c"},
	{"5", null, "7", "Bob", "3.141592653589793", "-9999999.99", "-0.0001", "-0.0000000001", "2999-12-31", "2262-04-11T23:47:16Z", "a"},
}

func TestRoundTripEveryType(t *testing.T) {
	for _, tt := range []struct {
		name                    string
		rowGroupSize, batchSize int
		split                   int // rows per written batch
	}{
		{"one row group", 0, 0, 5},
		{"row groups of two, batches of one", 2, 1, 2},
		{"row groups of three, batches of two", 3, 2, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var batches []*vector.Batch
			for i := 0; i < len(everyTypeRows); i += tt.split {
				batches = append(batches, batchOf(t, everyType, everyTypeRows[i:min(i+tt.split, len(everyTypeRows))]))
			}
			files := writeOutput(t, dir, dataio.SinkRequest{Schema: everyType, RowGroupSize: tt.rowGroupSize}, batches...)
			if len(files) != 1 || files[0].Path != "part-00000.parquet" || files[0].Rows != 5 {
				t.Fatalf("files %+v, want one part-00000.parquet of 5 rows", files)
			}
			got, err := scanAll(t, dir, ".", everyType, scanOpts{batchSize: tt.batchSize})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(everyTypeRows, got.rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			wantMorsels := 1
			if tt.rowGroupSize > 0 {
				wantMorsels = (5 + tt.rowGroupSize - 1) / tt.rowGroupSize
			}
			if got.stats.Rows != 5 || got.stats.Files != 1 {
				t.Errorf("stats %+v, want 5 rows from 1 file", got.stats)
			}
			if tt.batchSize > 0 && got.maxLen > tt.batchSize {
				t.Errorf("a batch has %d rows, more than %d", got.maxLen, tt.batchSize)
			}
			sc, err := Scanner{Dir: dir}.Open(t.Context(), dataio.ScanRequest{Source: &ir.Source{Path: "."}, Schema: everyType})
			if err != nil {
				t.Fatal(err)
			}
			if sc.Morsels() != wantMorsels {
				t.Errorf("%d morsels, want %d", sc.Morsels(), wantMorsels)
			}
			sc.Close()
		})
	}
}

func TestWriterReportsFiles(t *testing.T) {
	dir := t.TempDir()
	b := batchOf(t, everyType, everyTypeRows)
	files := writeOutput(t, dir, dataio.SinkRequest{Schema: everyType}, b)
	data, err := os.ReadFile(filepath.Join(dir, "part-00000.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	want := []dataio.File{{Path: "part-00000.parquet", Rows: 5, Bytes: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}}
	if diff := cmp.Diff(want, files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}

	// The same batches give the same bytes, however the row groups were
	// scheduled.
	dir2 := t.TempDir()
	files2 := writeOutput(t, dir2, dataio.SinkRequest{Schema: everyType}, b)
	if diff := cmp.Diff(files, files2); diff != "" {
		t.Errorf("a second write differs (-first +second):\n%s", diff)
	}
}
