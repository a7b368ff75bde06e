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
//
// Like a real scan, it reuses one batch per Read call, and after emit
// returns it scribbles over the batch's values (dataio.Scan: a batch is
// only valid during the call), so that an operator keeping a scan's batch
// instead of copying it reads garbage and fails the comparison.
type memScanner struct {
	tables     reference.Tables
	morselRows int
	dict       bool
	// sharedDict, with dict, encodes each string column with one
	// dictionary built over the whole table and shared by every batch (as
	// a Parquet row group's pages share one), most of whose entries a given
	// batch does not use. Without it every batch has its own dictionary of
	// the values it holds, in first-seen order.
	sharedDict bool
}

func (s memScanner) Open(_ context.Context, req dataio.ScanRequest) (dataio.Scan, error) {
	rows, ok := s.tables[req.Source.Name]
	if !ok {
		return nil, fmt.Errorf("no table %q", req.Source.Name)
	}
	per := max(1, s.morselRows)
	sc := &memScan{rows: rows, req: req, per: per, dict: s.dict}
	if s.dict && s.sharedDict {
		sc.shared = map[int]*sharedDict{}
		for _, c := range req.Columns {
			if vector.PhysicalOf(req.Schema[c].Type) == vector.PhysString {
				sc.shared[c] = newSharedDict(req.Schema[c].Type, rows, c)
			}
		}
	}
	return sc, nil
}

// sharedDict is one string column of a whole table, encoded.
type sharedDict struct {
	dict  *vector.Vector
	codes []int32 // per row of the table
}

func newSharedDict(t types.Type, rows []reference.Row, c int) *sharedDict {
	index := map[string]int32{}
	var vals []string
	codes := make([]int32, len(rows))
	// The dictionary lists values in reverse order of first appearance,
	// so that codes are not the row order.
	for _, r := range rows {
		s, ok := r[c].(string)
		if !ok {
			continue
		}
		if _, seen := index[s]; !seen {
			index[s] = int32(len(vals))
			vals = append(vals, s)
		}
	}
	d := vector.New(t, len(vals))
	d.Reset(len(vals))
	for i := range vals {
		d.AppendString(i, []byte(vals[len(vals)-1-i]))
	}
	for i, r := range rows {
		if s, ok := r[c].(string); ok {
			codes[i] = int32(len(vals)) - 1 - index[s]
		}
	}
	return &sharedDict{dict: d, codes: codes}
}

type memScan struct {
	rows   []reference.Row
	req    dataio.ScanRequest
	per    int
	dict   bool
	shared map[int]*sharedDict
	nrows  atomic.Int64
}

func (s *memScan) Morsels() int { return (len(s.rows) + s.per - 1) / s.per }

func (s *memScan) Read(ctx context.Context, m int, emit func(*vector.Batch) error) error {
	bs := s.req.BatchSize
	if bs <= 0 {
		bs = dataio.DefaultBatchSize
	}
	b := &vector.Batch{Cols: make([]*vector.Vector, len(s.req.Columns))}
	for i, c := range s.req.Columns {
		b.Cols[i] = vector.New(s.req.Schema[c].Type, min(bs, s.per))
	}
	from, to := m*s.per, min((m+1)*s.per, len(s.rows))
	for lo := from; lo < to; lo += bs {
		hi := min(lo+bs, to)
		b.Len = hi - lo
		for i, c := range s.req.Columns {
			s.fill(b.Cols[i], lo, hi, c)
		}
		s.nrows.Add(int64(hi - lo))
		if err := emit(b); err != nil {
			return err
		}
		scribble(b)
	}
	return nil
}

func (s *memScan) Stats() dataio.ScanStats { return dataio.ScanStats{Rows: s.nrows.Load()} }
func (s *memScan) Close() error            { return nil }

// fill makes v hold column c of rows [lo, hi), in the representation the
// reference uses (see reference.Row), reusing v's memory.
func (s *memScan) fill(v *vector.Vector, lo, hi, c int) {
	rows := s.rows[lo:hi]
	v.Reset(len(rows))
	for i, r := range rows {
		val := r[c]
		if val == nil {
			v.SetNull(i)
			if v.Phys == vector.PhysString && !s.dict {
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
			if !s.dict {
				v.AppendString(i, []byte(val.(string)))
			}
		}
	}
	if v.Phys != vector.PhysString || !s.dict {
		return
	}
	if sd := s.shared[c]; sd != nil {
		v.Dict = sd.dict
		v.Codes = append(v.Codes[:0], sd.codes[lo:hi]...)
		return
	}
	// A dictionary of this batch's distinct values in first-seen order:
	// new for every batch, since consumers may keep dictionaries.
	index := map[string]int32{}
	var vals []string
	v.Codes = v.Codes[:0]
	for _, r := range rows {
		s, _ := r[c].(string) // a null row's code is that of ""
		code, ok := index[s]
		if !ok {
			code = int32(len(vals))
			index[s] = code
			vals = append(vals, s)
		}
		v.Codes = append(v.Codes, code)
	}
	d := vector.New(v.Type, len(vals))
	d.Reset(len(vals))
	for i, s := range vals {
		d.AppendString(i, []byte(s))
	}
	v.Dict = d
}

// scribble overwrites the values of a batch that has been emitted (but
// not dictionaries, which consumers may keep).
func scribble(b *vector.Batch) {
	for _, v := range b.Cols {
		for i := range v.Bool {
			v.Bool[i] = !v.Bool[i]
		}
		for i := range v.I32 {
			v.I32[i] = 0x5a5a5a5a
		}
		for i := range v.I64 {
			v.I64[i] = 0x5a5a5a5a5a5a5a5a
		}
		for i := range v.F64 {
			v.F64[i] = -1234.5678
		}
		for i := range v.I128 {
			v.I128[i] = decimal.Int128{Hi: 0x5a5a5a5a, Lo: 0x5a5a5a5a}
		}
		for i := range v.Bytes {
			v.Bytes[i] = '#'
		}
		for i := range v.Codes {
			v.Codes[i] = 0
		}
	}
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
