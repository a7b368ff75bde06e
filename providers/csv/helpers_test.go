package csv

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// col returns a column; nullable unless notNull.
func col(name string, t types.Type) types.Column {
	return types.Column{Name: name, Type: t, Nullable: true}
}

func notNull(name string, t types.Type) types.Column {
	return types.Column{Name: name, Type: t}
}

// allColumns returns 0..n-1.
func allColumns(n int) []int {
	c := make([]int, n)
	for i := range c {
		c[i] = i
	}
	return c
}

// date and ts read test literals.
func date(s string) int32 {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return int32(t.Unix() / 86400)
}

func ts(s string) int64 {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UnixMicro()
}

func dec(s string, p, sc int) decimal.Int128 {
	x, ok := decimal.Parse([]byte(s), p, sc)
	if !ok {
		panic(s)
	}
	return x
}

// cells returns a batch's rows as Go values: nil for a null, else bool,
// int32 (int32 and date), int64 (int64, timestamp, decimal ≤ 18 digits),
// float64, decimal.Int128 or string.
func cells(b *vector.Batch) [][]any {
	rows := make([][]any, b.Len)
	for i := range rows {
		rows[i] = make([]any, len(b.Cols))
		for j, v := range b.Cols {
			if v.IsNull(i) {
				continue
			}
			switch v.Phys {
			case vector.PhysBool:
				rows[i][j] = v.Bool[i]
			case vector.PhysInt32:
				rows[i][j] = v.I32[i]
			case vector.PhysInt64:
				rows[i][j] = v.I64[i]
			case vector.PhysFloat64:
				rows[i][j] = v.F64[i]
			case vector.PhysInt128:
				rows[i][j] = v.I128[i]
			case vector.PhysString:
				rows[i][j] = string(v.String(i))
			}
		}
	}
	return rows
}

// scanResult is everything a scan produced.
type scanResult struct {
	Rows    [][]any
	Err     string
	Rejects []reject
	Stats   dataio.ScanStats
}

type reject struct {
	File   string
	Line   int64
	Record string
	Reason string
}

// memRejects collects rejects.
type memRejects struct {
	mu   sync.Mutex
	rows []reject
}

func (m *memRejects) Reject(file string, line int64, record []byte, reason string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rows = append(m.rows, reject{file, line, string(record), reason})
	return nil
}

// scanRequest builds a request for a CSV source.
func scanRequest(path string, opts ir.CSVOptions, schema types.Schema, cols []int) dataio.ScanRequest {
	return dataio.ScanRequest{
		Source:  &ir.Source{Kind: ir.SourceCSV, Name: "src", Path: path, CSV: opts},
		Schema:  schema,
		Columns: cols,
	}
}

// scanAll opens a scan and reads its morsels in order, one at a time.
func scanAll(t testing.TB, s Scanner, req dataio.ScanRequest) scanResult {
	t.Helper()
	var res scanResult
	rej := &memRejects{}
	if req.Rejects == nil && (req.Source.CSV.OnError == "skip" || req.Source.CSV.OnError == "quarantine") {
		req.Rejects = rej
	}
	sc, err := s.Open(context.Background(), req)
	if err != nil {
		res.Err = err.Error()
		return res
	}
	defer sc.Close()
	for m := 0; m < sc.Morsels(); m++ {
		err := sc.Read(context.Background(), m, func(b *vector.Batch) error {
			if len(b.Cols) != len(req.Columns) {
				return fmt.Errorf("batch of %d columns, want %d", len(b.Cols), len(req.Columns))
			}
			for _, v := range b.Cols {
				if v.Len != b.Len {
					return fmt.Errorf("vector of %d rows in a batch of %d", v.Len, b.Len)
				}
			}
			res.Rows = append(res.Rows, cells(b)...)
			return nil
		})
		if err != nil {
			res.Err = err.Error()
			break
		}
	}
	res.Rejects = rej.rows
	res.Stats = sc.Stats()
	return res
}

// scanParallel reads every morsel from several goroutines at once and
// returns the rows in morsel order.
func scanParallel(t testing.TB, s Scanner, req dataio.ScanRequest, workers int) ([][]any, error) {
	t.Helper()
	sc, err := s.Open(context.Background(), req)
	if err != nil {
		return nil, err
	}
	defer sc.Close()
	perMorsel := make([][][]any, sc.Morsels())
	errs := make([]error, sc.Morsels())
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				mu.Lock()
				m := next
				next++
				mu.Unlock()
				if m >= sc.Morsels() {
					return
				}
				errs[m] = sc.Read(context.Background(), m, func(b *vector.Batch) error {
					perMorsel[m] = append(perMorsel[m], cells(b)...)
					return nil
				})
			}
		})
	}
	wg.Wait()
	var rows [][]any
	for m := range perMorsel {
		if errs[m] != nil {
			return nil, errs[m]
		}
		rows = append(rows, perMorsel[m]...)
	}
	return rows, nil
}

// sortedRejects orders rejects by file and line.
func sortedRejects(r []reject) []reject {
	r = slices.Clone(r)
	slices.SortFunc(r, func(a, b reject) int {
		if a.File != b.File {
			if a.File < b.File {
				return -1
			}
			return 1
		}
		return int(a.Line - b.Line)
	})
	return r
}
