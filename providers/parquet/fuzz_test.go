package parquet

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	pq "github.com/parquet-go/parquet-go"

	"github.com/meshctl/meshctl/executor/dataio"
)

// FuzzScanFile reads arbitrary bytes as a Parquet file, requesting columns
// of every type: the scan must return rows or an error naming the file,
// never panic.
func FuzzScanFile(f *testing.F) {
	seedDir := f.TempDir()
	writeOutput(f, seedDir, dataio.SinkRequest{Schema: everyType, RowGroupSize: 2}, batchOf(f, everyType, everyTypeRows))
	seed, err := os.ReadFile(filepath.Join(seedDir, "part-00000.parquet"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	var buf bytes.Buffer
	w := pq.NewGenericWriter[genericRow](&buf, pq.MaxRowsPerRowGroup(2))
	if _, err := w.Write(genericRows); err != nil {
		f.Fatal(err)
	}
	if err := w.Close(); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "x.parquet"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := scanAll(t, dir, "x.parquet", everyType, scanOpts{batchSize: 3})
		if err != nil && !strings.Contains(err.Error(), "x.parquet") {
			t.Errorf("error %q does not name the file", err)
		}
		_, err = scanAll(t, dir, "x.parquet", genericSchema, scanOpts{batchSize: 2})
		if err != nil && !strings.Contains(err.Error(), "x.parquet") {
			t.Errorf("error %q does not name the file", err)
		}
	})
}
