package csv

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/providers/internal/objects"
)

// FuzzScan scans arbitrary bytes as a file. It must never panic; small
// morsels must give the same rows, rejects and errors as one morsel; and a
// file whose schema inference reads must scan with that schema without an
// error.
func FuzzScan(f *testing.F) {
	for _, seed := range []string{
		"1,ann,1.5,2024-01-01\n2,,,\n",
		"\uFEFF1,\"a,b\",2,2024-01-01\r\n3,\"x\ny\",,\r\n",
		"1,\"say \"\"hi\"\"\",3e2,0001-01-01\n",
		"1,a\"b,2,x\n2,c,3,2024-02-29\n",
		"1,\"a\"b,2\n\n\n4,d,5,2024-01-01",
		"x,y,z,w\n1,2,3,4\n5\n",
		"a,b\nTRUE,2024-01-31T10:00:00Z\nfalse,2024-01-31 10:00:00.5\n",
		"\"unterminated\n1,2,3,4\n",
		"\r\n\r\n",
		"",
	} {
		f.Add([]byte(seed), uint8(3))
	}
	schema := types.Schema{col("n", types.Int64Type), col("s", types.StringType), col("f", types.Float64Type), notNull("d", types.DateType)}
	f.Fuzz(func(t *testing.T, data []byte, morsel uint8) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "x.csv"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		small := Scanner{Dir: dir, MorselBytes: 1 + int(morsel%32)}
		whole := Scanner{Dir: dir}
		for _, onError := range []string{"fail", "skip"} {
			req := scanRequest("x.csv", ir.CSVOptions{OnError: onError}, schema, []int{0, 1, 3})
			want := scanAll(t, whole, req)
			got := scanAll(t, small, req)
			if onError == "fail" && want.Err != "" {
				// Rows before the error may or may not have been emitted.
				want.Rows, got.Rows = nil, nil
			}
			want.Stats, got.Stats = dataio.ScanStats{}, dataio.ScanStats{}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("on_error %s, morsels of %d bytes (-one morsel +small):\n%s", onError, small.MorselBytes, diff)
			}
		}

		opts := ir.CSVOptions{Header: true, NullValue: "NA"}
		s, err := newSampler(opts, 1<<30)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.readFile(context.Background(), objects.Local{}, objects.File{Path: filepath.Join(dir, "x.csv"), Name: "x.csv", Size: -1}); err != nil || len(s.header) == 0 {
			return
		}
		inferred := s.result().Columns
		req := scanRequest("x.csv", opts, inferred, allColumns(len(inferred)))
		for _, sc := range []Scanner{whole, small} {
			if got := scanAll(t, sc, req); got.Err != "" {
				t.Fatalf("inference reads the schema %v, but the scan fails: %s", inferred, got.Err)
			}
		}
	})
}
