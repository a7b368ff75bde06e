package postgres

import (
	"context"
	"math"
	"strconv"
	"testing"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/providers/internal/pgtest"
)

// testEnv is the variable the tests' sources take their DSN from.
const testEnv = "MESHCTL_TEST_SOURCE_DSN"

// envOf returns a Getenv that knows only testEnv, set to dsn.
func envOf(dsn string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		if name == testEnv {
			return dsn, true
		}
		return "", false
	}
}

// tableSource is a postgres source reading table from s's schema.
func tableSource(table string) *ir.Source {
	return &ir.Source{Kind: ir.SourcePostgres, Name: "crm", DSNEnv: testEnv, Table: table}
}

// querySource is a postgres source reading the result of query.
func querySource(query string) *ir.Source {
	return &ir.Source{Kind: ir.SourcePostgres, Name: "crm", DSNEnv: testEnv, Query: query}
}

// readSchema reads src's schema on s's server, failing the test on error.
func readSchema(t testing.TB, s *pgtest.Schema, src *ir.Source) types.Schema {
	t.Helper()
	res, err := SchemaReader{Getenv: envOf(s.DSN)}.ReadSchema(context.Background(), src)
	if err != nil {
		t.Fatalf("ReadSchema: %v", err)
	}
	return res.Columns
}

// cell returns row i of v as a comparable Go value: nil for null, bool,
// int64 (integers, dates, timestamps), float64 bits as uint64 (so that NaN
// equals NaN), string, and decimals as their text.
func cell(v *vector.Vector, i int) any {
	if v.IsNull(i) {
		return nil
	}
	switch v.Type.Kind {
	case types.Bool:
		return v.Bool[i]
	case types.Int32, types.Date:
		return int64(v.I32[i])
	case types.Int64, types.Timestamp:
		return int64(v.I64[i])
	case types.Float64:
		return f64(v.F64[i])
	case types.Decimal:
		if v.Phys == vector.PhysInt128 {
			return v.I128[i].Format(int(v.Type.Scale))
		}
		return decimal.FormatInt64(v.I64[i], int(v.Type.Scale))
	case types.String:
		return string(v.String(i))
	}
	return "?"
}

// f64 is the comparable form cell gives floats: their bits (telling -0
// from 0), and "NaN" for every NaN.
func f64(x float64) any {
	if math.IsNaN(x) {
		return "NaN"
	}
	return math.Float64bits(x)
}

// sameRow reports whether two rows of cells are equal, faster than
// cmp.Diff over many rows.
func sameRow(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// scanAll opens a scan of req and returns every row as cells, checking
// each batch's shape on the way.
func scanAll(t testing.TB, sc Scanner, req dataio.ScanRequest) ([][]any, dataio.ScanStats) {
	t.Helper()
	ctx := context.Background()
	s, err := sc.Open(ctx, req)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	var rows [][]any
	for m := range s.Morsels() {
		err := s.Read(ctx, m, func(b *vector.Batch) error {
			checkBatch(t, b, len(req.Columns))
			for i := range b.Len {
				row := make([]any, len(b.Cols))
				for j, v := range b.Cols {
					row[j] = cell(v, i)
				}
				rows = append(rows, row)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
	}
	return rows, s.Stats()
}

// checkBatch checks that every vector of b is as long as b.
func checkBatch(t testing.TB, b *vector.Batch, cols int) {
	t.Helper()
	if len(b.Cols) != cols {
		t.Fatalf("batch has %d columns, want %d", len(b.Cols), cols)
	}
	for j, v := range b.Cols {
		if v.Len != b.Len {
			t.Fatalf("column %d has %d rows in a batch of %d", j, v.Len, b.Len)
		}
		if v.Phys == vector.PhysString && len(v.Offsets) != v.Len+1 {
			t.Fatalf("column %d has %d offsets for %d rows", j, len(v.Offsets), v.Len)
		}
	}
}

// all returns the indexes of every column of schema.
func all(schema types.Schema) []int {
	idx := make([]int, len(schema))
	for i := range idx {
		idx[i] = i
	}
	return idx
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }
