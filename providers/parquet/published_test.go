package parquet

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/planner/lakeio"
)

// writeVersion writes batches of schema through the Sinker into the
// folder of version id of the output out (id ending in ".staging" for a
// staged one) and returns the files.
func writeVersion(t *testing.T, out, id string, req dataio.SinkRequest, rows [][]string) []dataio.File {
	t.Helper()
	dir := filepath.Join(out, lakeio.VersionsDir, id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return writeOutput(t, dir, req, batchOf(t, req.Schema, rows))
}

// writeManifest makes version id of out current.
func writeManifest(t *testing.T, out, id string, files []dataio.File) {
	t.Helper()
	m := lakeio.Manifest{FormatVersion: lakeio.ManifestFormatVersion, VersionID: id, Format: "parquet"}
	for _, f := range files {
		m.Files = append(m.Files, lakeio.File{Path: f.Path, Rows: f.Rows, Bytes: f.Bytes, SHA256: f.SHA256})
	}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, lakeio.ManifestName), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestScanPublished reads a published output, as a source of another
// workspace does (examples/marketing reads ../sales/lake/…): only the
// files of the version the manifest names are read — not the previous
// version, a staged one, or a file left in the folder — with their
// partition folders, and its schema is that version's.
func TestScanPublished(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "sales", "lake", "t")
	oldSchema := types.Schema{col("id", types.Int64Type, false), col("old", types.StringType, true)}
	oldRows := [][]string{{"100", "x"}, {"101", "y"}}
	writeVersion(t, out, "v1", dataio.SinkRequest{Schema: oldSchema}, oldRows)
	files := writeVersion(t, out, "v2", dataio.SinkRequest{Schema: partSchema, Output: ir.Output{PartitionBy: partBy}, RowGroupSize: 2}, partRows)
	writeVersion(t, out, "v3.staging", dataio.SinkRequest{Schema: oldSchema}, oldRows)
	writeOutput(t, out, dataio.SinkRequest{Schema: oldSchema}, batchOf(t, oldSchema, oldRows))
	writeManifest(t, out, "v2", files)

	marketing := filepath.Join(dir, "marketing")
	for _, path := range []string{"../sales/lake/t", "../sales/lake/t/"} {
		res, err := scanAll(t, marketing, path, partSchema, scanOpts{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(byID(partRowsRead()), byID(res.rows)); diff != "" {
			t.Errorf("rows of %s (-want +got):\n%s", path, diff)
		}
		if res.stats.Files != len(files) {
			t.Errorf("read %d files, want the %d of the current version", res.stats.Files, len(files))
		}
	}

	got, err := readSchema(t, marketing, "../sales/lake/t")
	if err != nil {
		t.Fatal(err)
	}
	want := types.Schema{
		col("id", types.Int64Type, false),
		col("amount", types.DecimalType(18, 2), true),
		col("note", types.StringType, true),
		col("country", types.StringType, true),
		col("year", types.Int64Type, false),
		col("day", types.DateType, true),
	}
	if diff := gocmp.Diff(want, got.Columns); diff != "" {
		t.Errorf("schema (-want +got):\n%s", diff)
	}

	// Publishing v1 again switches every reader to it.
	writeManifest(t, out, "v1", []dataio.File{{Path: "part-00000.parquet"}})
	res, err := scanAll(t, marketing, "../sales/lake/t", oldSchema, scanOpts{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(oldRows, res.rows); diff != "" {
		t.Errorf("rows of v1 (-want +got):\n%s", diff)
	}
	got, err = readSchema(t, marketing, "../sales/lake/t")
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(oldSchema, got.Columns); diff != "" {
		t.Errorf("schema of v1 (-want +got):\n%s", diff)
	}
}
