package parquet

import (
	"context"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/meshctl/meshctl/executor/dataio"
	dec "github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// dec128 converts an unscaled decimal.
func dec128(x *big.Int) (dec.Int128, bool) { return dec.FromBig(x) }

// null stands for a null cell in the text tables of the tests.
const null = "∅"

// batchOf builds a batch of schema's types from rows of text cells, parsed
// as the column's type (null for a null).
func batchOf(t testing.TB, schema types.Schema, rows [][]string) *vector.Batch {
	t.Helper()
	b := vector.NewBatch(schema, len(rows))
	b.Reset(len(rows))
	for j, c := range schema {
		v := b.Cols[j]
		for i, row := range rows {
			cell := row[j]
			if cell == null {
				v.SetNull(i)
				if v.Phys == vector.PhysString {
					v.AppendString(i, nil)
				}
				continue
			}
			var err error
			switch c.Type.Kind {
			case types.Bool:
				v.Bool[i], err = strconv.ParseBool(cell)
			case types.Int32:
				var x int64
				x, err = strconv.ParseInt(cell, 10, 32)
				v.I32[i] = int32(x)
			case types.Int64:
				v.I64[i], err = strconv.ParseInt(cell, 10, 64)
			case types.Float64:
				v.F64[i], err = strconv.ParseFloat(cell, 64)
			case types.String:
				v.AppendString(i, []byte(cell))
			case types.Date:
				var d int64
				d, err = ir.ParseDate(cell)
				v.I32[i] = int32(d)
			case types.Timestamp:
				v.I64[i], err = ir.ParseTimestamp(cell)
			case types.Decimal:
				x, ok := dec.Parse([]byte(cell), int(c.Type.Precision), int(c.Type.Scale))
				if !ok {
					t.Fatalf("%q is not a %s", cell, c.Type)
				}
				if v.Phys == vector.PhysInt64 {
					v.I64[i] = x.Int64()
				} else {
					v.I128[i] = x
				}
			}
			if err != nil {
				t.Fatalf("cell %q of column %s: %v", cell, c.Name, err)
			}
		}
	}
	return b
}

// textRows appends the rows of a batch as text cells.
func textRows(rows [][]string, b *vector.Batch) [][]string {
	for i := range b.Len {
		row := make([]string, len(b.Cols))
		for j, v := range b.Cols {
			buf, isNull := v.AppendText(nil, i)
			if isNull {
				row[j] = null
			} else {
				row[j] = string(buf)
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// writeOutput writes batches through the Sinker into dir and returns the
// files it reports.
func writeOutput(t testing.TB, dir string, req dataio.SinkRequest, batches ...*vector.Batch) []dataio.File {
	t.Helper()
	req.Dir = dir
	ctx := context.Background()
	w, err := Sinker{}.Create(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range batches {
		if err := w.Write(ctx, b); err != nil {
			w.Abort()
			t.Fatal(err)
		}
	}
	files, err := w.Close(ctx)
	if err != nil {
		w.Abort()
		t.Fatal(err)
	}
	return files
}

// scanResult is what a test scan saw.
type scanResult struct {
	rows  [][]string
	stats dataio.ScanStats
	// dict counts, per column, the batches that came dictionary-encoded.
	dict []int
	// batches counts the batches, and maxLen is the longest.
	batches, maxLen int
}

// scanOpts adjusts a test scan's request.
type scanOpts struct {
	columns    []int // nil: every column
	predicates []dataio.Predicate
	batchSize  int
	declared   bool
}

// scanAll opens a scan of path (below dir) with schema and reads its
// morsels in order.
func scanAll(t testing.TB, dir, path string, schema types.Schema, o scanOpts) (scanResult, error) {
	t.Helper()
	return scanWith(t, Scanner{Dir: dir}, path, schema, o)
}

// scanWith is scanAll through a given scanner.
func scanWith(t testing.TB, s Scanner, path string, schema types.Schema, o scanOpts) (scanResult, error) {
	t.Helper()
	ctx := context.Background()
	cols := o.columns
	if cols == nil {
		for i := range schema {
			cols = append(cols, i)
		}
	}
	sc, err := s.Open(ctx, dataio.ScanRequest{
		Source:     &ir.Source{Kind: ir.SourceParquet, Name: "src", Path: path, Declared: o.declared},
		Schema:     schema,
		Columns:    cols,
		Predicates: o.predicates,
		BatchSize:  o.batchSize,
	})
	if err != nil {
		return scanResult{}, err
	}
	defer sc.Close()
	res := scanResult{dict: make([]int, len(cols))}
	for m := range sc.Morsels() {
		err := sc.Read(ctx, m, func(b *vector.Batch) error {
			res.batches++
			res.maxLen = max(res.maxLen, b.Len)
			for j, v := range b.Cols {
				if v.Dict != nil {
					res.dict[j]++
				}
				if v.Len != b.Len {
					t.Errorf("column %d has %d rows in a batch of %d", j, v.Len, b.Len)
				}
			}
			if len(b.Cols) == 0 {
				for range b.Len {
					res.rows = append(res.rows, nil)
				}
				return nil
			}
			res.rows = textRows(res.rows, b)
			return nil
		})
		if err != nil {
			return res, err
		}
	}
	res.stats = sc.Stats()
	return res, nil
}

// project keeps the cells of columns cols of every row.
func project(rows [][]string, cols []int) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		for _, c := range cols {
			out[i] = append(out[i], r[c])
		}
	}
	return out
}

// filesIn lists the files below dir, slash-separated and sorted.
func filesIn(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}
