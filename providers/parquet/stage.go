package parquet

import (
	"fmt"

	pq "github.com/parquet-go/parquet-go"

	dec "github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/types"
)

// stage holds the rows of one row group until it is encoded: the batches
// the writer receives are only valid during Write, and encoding runs on
// other goroutines. Its memory is reused from row group to row group.
type stage struct {
	n    int
	cols []stagedColumn
}

// stagedColumn is one column of a stage, in plain Go slices: values for
// every row (whatever is there for null rows), and a definition level per
// row for nullable columns (1: a value, 0: null).
type stagedColumn struct {
	typ      types.Type
	phys     vector.Physical
	nullable bool
	def      []byte

	b    []bool
	i32  []int32
	i64  []int64
	f64  []float64
	i128 []dec.Int128
	// offsets has n+1 entries: row i is bytes[offsets[i]:offsets[i+1]].
	offsets []int64
	bytes   []byte
}

func newStage(cols types.Schema) *stage {
	s := &stage{cols: make([]stagedColumn, len(cols))}
	for i, c := range cols {
		s.cols[i] = stagedColumn{typ: c.Type, phys: vector.PhysicalOf(c.Type), nullable: c.Nullable}
	}
	s.reset()
	return s
}

// reset empties the stage, keeping its memory.
func (s *stage) reset() {
	s.n = 0
	for i := range s.cols {
		c := &s.cols[i]
		c.def = c.def[:0]
		c.b, c.i32, c.i64, c.f64, c.i128 = c.b[:0], c.i32[:0], c.i64[:0], c.f64[:0], c.i128[:0]
		c.offsets = append(c.offsets[:0], 0)
		c.bytes = c.bytes[:0]
	}
}

// appendRange appends rows [from, to) of the batch vectors src (one per
// staged column, in order).
func (s *stage) appendRange(src []*vector.Vector, from, to int) {
	for i := range s.cols {
		s.cols[i].appendRange(src[i], from, to)
	}
	s.n += to - from
}

// appendSelected appends the rows sel of the batch vectors src.
func (s *stage) appendSelected(src []*vector.Vector, sel []int32) {
	for i := range s.cols {
		s.cols[i].appendSelected(src[i], sel)
	}
	s.n += len(sel)
}

func (c *stagedColumn) appendRange(v *vector.Vector, from, to int) {
	if c.nullable {
		if v.Valid == nil {
			for range to - from {
				c.def = append(c.def, 1)
			}
		} else {
			for i := from; i < to; i++ {
				var l byte
				if v.Valid.Get(i) {
					l = 1
				}
				c.def = append(c.def, l)
			}
		}
	}
	switch c.phys {
	case vector.PhysBool:
		c.b = append(c.b, v.Bool[from:to]...)
	case vector.PhysInt32:
		c.i32 = append(c.i32, v.I32[from:to]...)
	case vector.PhysInt64:
		c.i64 = append(c.i64, v.I64[from:to]...)
	case vector.PhysFloat64:
		c.f64 = append(c.f64, v.F64[from:to]...)
	case vector.PhysInt128:
		c.i128 = append(c.i128, v.I128[from:to]...)
	case vector.PhysString:
		if v.Dict != nil {
			for i := from; i < to; i++ {
				c.appendString(v.Dict.String(int(v.Codes[i])))
			}
			return
		}
		lo, hi := v.Offsets[from], v.Offsets[to]
		base := int64(len(c.bytes)) - int64(lo)
		c.bytes = append(c.bytes, v.Bytes[lo:hi]...)
		for _, o := range v.Offsets[from+1 : to+1] {
			c.offsets = append(c.offsets, base+int64(o))
		}
	}
}

func (c *stagedColumn) appendSelected(v *vector.Vector, sel []int32) {
	if c.nullable {
		for _, i := range sel {
			var l byte
			if v.Valid == nil || v.Valid.Get(int(i)) {
				l = 1
			}
			c.def = append(c.def, l)
		}
	}
	switch c.phys {
	case vector.PhysBool:
		for _, i := range sel {
			c.b = append(c.b, v.Bool[i])
		}
	case vector.PhysInt32:
		for _, i := range sel {
			c.i32 = append(c.i32, v.I32[i])
		}
	case vector.PhysInt64:
		for _, i := range sel {
			c.i64 = append(c.i64, v.I64[i])
		}
	case vector.PhysFloat64:
		for _, i := range sel {
			c.f64 = append(c.f64, v.F64[i])
		}
	case vector.PhysInt128:
		for _, i := range sel {
			c.i128 = append(c.i128, v.I128[i])
		}
	case vector.PhysString:
		for _, i := range sel {
			c.appendString(v.String(int(i)))
		}
	}
}

func (c *stagedColumn) appendString(s []byte) {
	c.bytes = append(c.bytes, s...)
	c.offsets = append(c.offsets, int64(len(c.bytes)))
}

// str returns row i of a string column.
func (c *stagedColumn) str(i int) []byte { return c.bytes[c.offsets[i]:c.offsets[i+1]] }

// valueChunk is how many values are handed to a column writer at a time:
// parquet-go cuts pages only between calls, so this bounds how far a page
// may exceed the page buffer size.
const valueChunk = 1024

// encoder turns staged columns into parquet-go values, a chunk at a time;
// its buffers are reused across chunks and row groups.
type encoder struct {
	values []pq.Value
	fixed  []byte // 16-byte big-endian decimals of the current chunk
}

// encode writes the stage into the column writers of a row group and
// flushes their pages, so that encoding and compression happen on the
// calling goroutine, not at commit.
func (e *encoder) encode(s *stage, rg *pq.ConcurrentRowGroupWriter) error {
	writers := rg.ColumnWriters()
	if len(writers) != len(s.cols) {
		return fmt.Errorf("the Parquet schema has %d columns for %d staged ones", len(writers), len(s.cols))
	}
	e.values = grow(e.values, valueChunk)
	for j := range s.cols {
		c := &s.cols[j]
		for from := 0; from < s.n; from += valueChunk {
			to := min(s.n, from+valueChunk)
			vals := e.values[:to-from]
			e.fill(c, vals, from)
			if c.nullable {
				for i, l := range c.def[from:to] {
					if l == 0 {
						vals[i] = pq.Value{}
					} else {
						vals[i].SetDefinitionLevel(1)
					}
				}
			}
			if _, err := writers[j].WriteRowValues(vals); err != nil {
				return err
			}
		}
	}
	return rg.Flush()
}

// fill sets vals to the values of rows [from, from+len(vals)) of c.
func (e *encoder) fill(c *stagedColumn, vals []pq.Value, from int) {
	n := len(vals)
	switch c.phys {
	case vector.PhysBool:
		for i, b := range c.b[from : from+n] {
			vals[i] = pq.BooleanValue(b)
		}
	case vector.PhysInt32:
		for i, x := range c.i32[from : from+n] {
			vals[i] = pq.Int32Value(x)
		}
	case vector.PhysInt64:
		src := c.i64[from : from+n]
		if c.typ.Kind == types.Decimal && c.typ.Precision <= 9 {
			// Decimals of up to 9 digits are stored as INT32.
			for i, x := range src {
				vals[i] = pq.Int32Value(int32(x))
			}
			return
		}
		for i, x := range src {
			vals[i] = pq.Int64Value(x)
		}
	case vector.PhysFloat64:
		for i, x := range c.f64[from : from+n] {
			vals[i] = pq.DoubleValue(x)
		}
	case vector.PhysInt128:
		e.fixed = grow(e.fixed, 16*n)
		for i, x := range c.i128[from : from+n] {
			b := e.fixed[16*i : 16*i+16]
			putBigEndianInt128(b, x)
			vals[i] = pq.FixedLenByteArrayValue(b)
		}
	case vector.PhysString:
		for i := range vals {
			vals[i] = pq.ByteArrayValue(c.str(from + i))
		}
	}
}

// lowCardinality reports whether a string column's first rows repeat
// enough for a dictionary to pay off: at most one distinct value in four.
func (c *stagedColumn) lowCardinality(rows int) bool {
	const sample = 16 * 1024
	n := min(rows, sample)
	if n == 0 {
		return false
	}
	limit := max(n/4, 1)
	seen := make(map[string]struct{}, min(limit, 1024))
	for i := range n {
		if c.nullable && c.def[i] == 0 {
			continue
		}
		seen[string(c.str(i))] = struct{}{}
		if len(seen) > limit {
			return false
		}
	}
	return true
}
