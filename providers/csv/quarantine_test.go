package csv

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/meshctl/meshctl/lang/types"
)

// TestQuarantineConcurrent rejects rows from many goroutines at once (run
// with -race): every row must come out whole.
func TestQuarantineConcurrent(t *testing.T) {
	dir := t.TempDir()
	q, err := NewQuarantineSink(dir, "q.csv")
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 8, 500
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			record := []byte{}
			for i := range each {
				record = fmt.Appendf(record[:0], "%d,\"multi\nline\",%d", w, i)
				if err := q.Reject(fmt.Sprintf("f%d.csv", w), int64(i+2), record, "bad"); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if q.Rows() != workers*each {
		t.Errorf("%d rows", q.Rows())
	}
	f, err := q.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Reject("x", 1, nil, "late"); err == nil {
		t.Error("a reject after Close was accepted")
	}
	got := scanAll(t, Scanner{Dir: dir}, scanRequest("q.csv", header,
		types.Schema{col("file", types.StringType), col("line", types.Int64Type), col("reason", types.StringType), col("record", types.StringType)}, allColumns(4)))
	if got.Err != "" || len(got.Rows) != workers*each || f.Rows != workers*each {
		t.Fatalf("%d rows read back, file %+v, error %s", len(got.Rows), f, got.Err)
	}
	seen := map[string]bool{}
	for _, row := range got.Rows {
		var w, i int
		if _, err := fmt.Sscanf(row[3].(string), "%d,\"multi\nline\",%d", &w, &i); err != nil || row[0] != fmt.Sprintf("f%d.csv", w) || row[1] != int64(i+2) {
			t.Fatalf("row %v", row)
		}
		seen[row[3].(string)] = true
	}
	if len(seen) != workers*each {
		t.Errorf("%d distinct rows", len(seen))
	}
}

func TestQuarantineExists(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "q.csv"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := NewQuarantineSink(dir, "q.csv"); err == nil {
		t.Error("an existing file was overwritten")
	}
}
