package executor

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/internal/reference"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/types"
)

// memScanner serves sources from rows in memory, cut into morsels of
// morselRows rows and batches of at most the requested size, with string
// columns dictionary-encoded when dict is set: the executor must give the
// same answer whatever the cut and the encoding.
type memScanner struct {
	tables     reference.Tables
	morselRows int
	dict       bool
}

func (s memScanner) Open(_ context.Context, req dataio.ScanRequest) (dataio.Scan, error) {
	rows, ok := s.tables[req.Source.Name]
	if !ok {
		return nil, fmt.Errorf("no table %q", req.Source.Name)
	}
	per := max(1, s.morselRows)
	return &memScan{rows: rows, req: req, per: per, dict: s.dict}, nil
}

type memScan struct {
	rows  []reference.Row
	req   dataio.ScanRequest
	per   int
	dict  bool
	nrows atomic.Int64
}

func (s *memScan) Morsels() int { return (len(s.rows) + s.per - 1) / s.per }

func (s *memScan) Read(ctx context.Context, m int, emit func(*vector.Batch) error) error {
	bs := s.req.BatchSize
	if bs <= 0 {
		bs = dataio.DefaultBatchSize
	}
	from, to := m*s.per, min((m+1)*s.per, len(s.rows))
	for lo := from; lo < to; lo += bs {
		hi := min(lo+bs, to)
		b := &vector.Batch{Len: hi - lo}
		for _, c := range s.req.Columns {
			b.Cols = append(b.Cols, toVector(s.req.Schema[c].Type, s.rows[lo:hi], c, s.dict))
		}
		s.nrows.Add(int64(hi - lo))
		if err := emit(b); err != nil {
			return err
		}
	}
	return nil
}

func (s *memScan) Stats() dataio.ScanStats { return dataio.ScanStats{Rows: s.nrows.Load()} }
func (s *memScan) Close() error            { return nil }

// toVector builds the vector of column c of rows, in the representation the
// reference uses (see reference.Row).
func toVector(t types.Type, rows []reference.Row, c int, dict bool) *vector.Vector {
	v := vector.New(t, len(rows))
	v.Reset(len(rows))
	for i, r := range rows {
		val := r[c]
		if val == nil {
			v.SetNull(i)
			if v.Phys == vector.PhysString && !dict {
				v.AppendString(i, nil)
			}
			continue
		}
		switch v.Phys {
		case vector.PhysBool:
			v.Bool[i] = val.(bool)
		case vector.PhysInt32:
			v.I32[i] = val.(int32)
		case vector.PhysInt64:
			v.I64[i] = val.(int64)
		case vector.PhysFloat64:
			v.F64[i] = val.(float64)
		case vector.PhysInt128:
			v.I128[i] = val.(decimal.Int128)
		case vector.PhysString:
			if !dict {
				v.AppendString(i, []byte(val.(string)))
			}
		}
	}
	if v.Phys == vector.PhysString && dict {
		// Encode: a dictionary of the distinct values in first-seen order.
		d := vector.New(t, 0)
		d.Reset(0)
		index := map[string]int32{}
		v.Codes = make([]int32, len(rows))
		var vals []string
		for i, r := range rows {
			s, _ := r[c].(string)
			code, ok := index[s]
			if !ok {
				code = int32(len(vals))
				index[s] = code
				vals = append(vals, s)
			}
			v.Codes[i] = code
		}
		d.Reset(len(vals))
		for i, s := range vals {
			d.AppendString(i, []byte(s))
		}
		v.Dict = d
	}
	return v
}

// fromBatch turns a batch back into reference rows.
func fromBatch(b *vector.Batch) []reference.Row {
	out := make([]reference.Row, b.Len)
	for i := range out {
		row := make(reference.Row, len(b.Cols))
		for c, v := range b.Cols {
			if v.IsNull(i) {
				continue
			}
			switch v.Phys {
			case vector.PhysBool:
				row[c] = v.Bool[i]
			case vector.PhysInt32:
				row[c] = v.I32[i]
			case vector.PhysInt64:
				row[c] = v.I64[i]
			case vector.PhysFloat64:
				row[c] = v.F64[i]
			case vector.PhysInt128:
				row[c] = v.I128[i]
			case vector.PhysString:
				row[c] = string(v.String(i))
			}
		}
		out[i] = row
	}
	return out
}
