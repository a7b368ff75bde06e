package csv

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/planner/lakeio"
)

// TestScanPublished reads a published output, as a source of another
// workspace does (examples/marketing reads ../sales/lake/…): only the
// files of the version the manifest names are read — not the previous
// version, a staged one, or a file left in the folder — with their
// partition folders, and the schema is that version's.
func TestScanPublished(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "sales", "lake", "t")
	oldSchema := types.Schema{notNull("id", types.Int64Type), col("region", types.StringType)}
	oldRows := [][]any{{int64(100), "old"}, {int64(101), "old"}}
	version := func(id string) string { return filepath.Join(out, lakeio.VersionsDir, id) }
	writeOutput(t, version("v1"), ir.Output{}, oldSchema, batchOf(t, oldSchema, oldRows))
	files := writeOutput(t, version("v2"), ir.Output{PartitionBy: partBy}, partSchema,
		batchOf(t, partSchema, partRows[:3]), batchOf(t, partSchema, partRows[3:]))
	writeOutput(t, version("v3.staging"), ir.Output{}, oldSchema, batchOf(t, oldSchema, oldRows))
	writeOutput(t, out, ir.Output{}, oldSchema, batchOf(t, oldSchema, oldRows))

	m := lakeio.Manifest{FormatVersion: lakeio.ManifestFormatVersion, VersionID: "v2", Format: "csv"}
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

	s := Scanner{Dir: filepath.Join(dir, "marketing")}
	got := scanAll(t, s, scanRequest("../sales/lake/t", header, partSchema, allColumns(len(partSchema))))
	if got.Err != "" {
		t.Fatal(got.Err)
	}
	if diff := gocmp.Diff(byID(partRowsRead()), byID(got.Rows)); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if got.Stats.Files != len(files) {
		t.Errorf("read %d files, want the %d of the current version", got.Stats.Files, len(files))
	}

	// The schema is the current version's, read from its headers.
	r := SchemaReader{Dir: s.Dir}
	res, err := r.ReadSchema(context.Background(), source("../sales/lake/t", header))
	if err != nil {
		t.Fatal(err)
	}
	want, err := r.ReadSchema(context.Background(), source("../sales/lake/t/_versions/v2", header))
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(want, res); diff != "" {
		t.Errorf("schema (-want +got):\n%s", diff)
	}
	if len(res.Columns) != len(partSchema) {
		t.Errorf("schema %v, want the %d columns of v2", res.Columns, len(partSchema))
	}
}
