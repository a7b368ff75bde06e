package csv

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/meshctl/meshctl/executor/vector"
)

// reader parses morsels: one goroutine's buffers, reused from morsel to
// morsel through the scan's pool.
type reader struct {
	sc    *scan
	tok   *tokenizer
	null  []byte
	buf   []byte
	batch *vector.Batch
	// base is the number of rows already in the batch.
	base int

	// The block: records split into fields, not yet converted. Spans are
	// column-major, spans[slot*blockRows+r] being column slot of record r.
	df       *dataFile
	n        int
	spans    []span
	recStart []int32
	recEnd   []int32
	recLine  []int64
	// bad lists the block's bad rows, in the order found; in fail mode
	// only the first of each column (and a structural error) is kept.
	bad     []badRow
	scratch []byte
}

// badRow is a record that cannot be read, and why.
type badRow struct {
	row    int
	reason string
}

func (sc *scan) newReader() *reader {
	r := &reader{
		sc:       sc,
		tok:      newTokenizer(sc.delim),
		null:     []byte(sc.null),
		spans:    make([]span, len(sc.cols)*blockRows),
		recStart: make([]int32, blockRows),
		recEnd:   make([]int32, blockRows),
		recLine:  make([]int64, blockRows),
		batch:    &vector.Batch{Cols: make([]*vector.Vector, len(sc.cols))},
	}
	for i, c := range sc.cols {
		r.batch.Cols[i] = vector.New(c.typ, 0)
	}
	return r
}

// read parses one morsel: the records that start in its chunk.
func (r *reader) read(ctx context.Context, m morselRef, emit func(*vector.Batch) error) error {
	sc := r.sc
	df := sc.files[m.file]
	// A reader comes back to the pool as a failed read left it.
	r.df, r.n, r.bad = df, 0, r.bad[:0]
	start, end := sc.chunkRange(df, m.chunk)
	// The buffer starts one byte early, so that a record starting exactly
	// at the chunk's start is seen to follow a line feed.
	bufOff := start
	if m.chunk > 0 {
		bufOff--
	}
	slack := min(sc.morselBytes, 64<<10)
	readEnd := min(end+slack, df.size)
	r.buf = slices.Grow(r.buf[:0], int(readEnd-bufOff))[:readEnd-bufOff]
	if err := sc.readAt(ctx, df.obj, r.buf, bufOff); err != nil {
		return fmt.Errorf("%s: %w", df.file.Name, err)
	}
	eof := readEnd == df.size

	pos := 0
	line := df.startLine
	if m.chunk+1 < len(df.chunks) {
		// Count this chunk for the morsels after it while it is at hand.
		if _, _, err := sc.count(ctx, df, m.chunk, r.buf[start-bufOff:end-bufOff]); err != nil {
			return err
		}
	}
	if m.chunk > 0 {
		quotes, lines, err := sc.prefix(ctx, df, m.chunk)
		if err != nil {
			return err
		}
		// The state before buf[0], the chunk's start less one byte.
		inQuote := quotes%2 == 1
		line += lines
		switch r.buf[0] {
		case '"':
			inQuote = !inQuote
		case '\n':
			line--
		}
		p, nl, found := nextRecordStart(r.buf, inQuote, int(end-bufOff)-1)
		if !found {
			return nil // no record starts in this chunk
		}
		pos = p
		line += nl
	}

	r.resetBatch()
	limit := int(end - bufOff)
	nfields := df.nfields
	for pos < limit {
		if r.n == blockRows || r.base+r.n == sc.batchSize {
			if err := r.flushBlock(ctx, emit); err != nil {
				return err
			}
		}
		e, next, nl, st, reason := r.tok.record(r.buf, pos, eof)
		switch st {
		case recMore:
			var err error
			if eof, err = r.extend(ctx, bufOff); err != nil {
				return err
			}
			continue
		case recBlank:
			line += int64(nl) + 1
			pos = next
			continue
		case recOK:
			if got := len(r.tok.fields); got != nfields {
				st = recBad
				reason = r.fieldCountReason(got)
			}
		}
		row := r.n
		r.recStart[row], r.recEnd[row], r.recLine[row] = int32(pos), int32(e), line
		line += int64(nl) + 1
		pos = next
		if st == recBad {
			r.bad = append(r.bad, badRow{row: row, reason: reason})
			if !sc.skip {
				// Convert the rows before it, which may hold an earlier
				// error, then report the first.
				return r.flushBlock(ctx, emit)
			}
			for slot := range sc.cols {
				r.spans[slot*blockRows+row] = span{}
			}
			r.n++
			continue
		}
		fields := r.tok.fields
		for slot, f := range df.fieldOf {
			if f >= 0 {
				r.spans[slot*blockRows+row] = fields[f]
			}
		}
		r.n++
	}
	if err := r.flushBlock(ctx, emit); err != nil {
		return err
	}
	return r.emit(emit)
}

// fieldCountReason says that a record has the wrong number of fields.
func (r *reader) fieldCountReason(got int) string {
	if r.sc.header {
		return fmt.Sprintf("the row has %d fields but the header has %d", got, r.df.nfields)
	}
	if r.df.fromFolders > 0 {
		return fmt.Sprintf("the row has %d fields but the schema has %d columns besides the %d that the partition folders give", got, r.df.nfields, r.df.fromFolders)
	}
	return fmt.Sprintf("the row has %d fields but the schema has %d columns", got, r.df.nfields)
}

// extend reads more of the file after the buffer, doubling it, and
// reports whether the buffer now reaches the end of the file.
func (r *reader) extend(ctx context.Context, bufOff int64) (eof bool, err error) {
	df := r.df
	have := bufOff + int64(len(r.buf))
	want := min(have+max(int64(len(r.buf)), 4096), df.size)
	if want-bufOff > maxBuffer {
		return false, fmt.Errorf("%s:%d: a record is longer than 2 GiB", df.file.Name, r.firstLine())
	}
	n := len(r.buf)
	r.buf = slices.Grow(r.buf, int(want-have))[:want-bufOff]
	if err := r.sc.readAt(ctx, df.obj, r.buf[n:], have); err != nil {
		return false, fmt.Errorf("%s: %w", df.file.Name, err)
	}
	return want == df.size, nil
}

// firstLine is the line of the block's first record, for messages.
func (r *reader) firstLine() int64 {
	if r.n > 0 {
		return r.recLine[0]
	}
	return r.df.startLine
}

// resetBatch empties the batch, with room for a full batch.
func (r *reader) resetBatch() {
	r.base = 0
	for _, v := range r.batch.Cols {
		v.Reset(r.sc.batchSize)
	}
}

// emit hands the batch's rows to the caller and empties it.
func (r *reader) emit(emit func(*vector.Batch) error) error {
	n := r.base
	if n == 0 {
		return nil
	}
	b := r.batch
	b.Len = n
	for _, v := range b.Cols {
		v.Truncate(n)
	}
	for slot, k := range r.df.consts {
		if k != nil {
			k.Fill(b.Cols[slot], n)
		}
	}
	r.sc.rows.Add(int64(n))
	err := emit(b)
	r.resetBatch()
	return err
}

// flushBlock converts the block's fields into the batch, column by column,
// deals with its bad rows, and emits the batch when it is full.
func (r *reader) flushBlock(ctx context.Context, emit func(*vector.Batch) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if r.n == 0 && len(r.bad) == 0 {
		return nil
	}
	r.convert()
	if len(r.bad) > 0 {
		if err := r.handleBad(); err != nil {
			return err
		}
	}
	r.base += r.n
	r.n = 0
	if r.base == r.sc.batchSize {
		return r.emit(emit)
	}
	return nil
}

// handleBad reports the first bad row in fail mode; otherwise it rejects
// the bad rows in file order, drops them from the block and converts what
// is left again.
func (r *reader) handleBad() error {
	sc, df := r.sc, r.df
	slices.SortStableFunc(r.bad, func(a, b badRow) int { return a.row - b.row })
	if !sc.skip {
		b := r.bad[0]
		return fmt.Errorf("%s:%d: %s", df.file.Name, r.recLine[b.row], b.reason)
	}
	keep := 0
	prev := -1
	for _, b := range r.bad {
		if b.row == prev {
			continue
		}
		prev = b.row
		if sc.rejects != nil {
			rec := r.buf[r.recStart[b.row]:r.recEnd[b.row]]
			if err := sc.rejects.Reject(df.file.Name, r.recLine[b.row], rec, b.reason); err != nil {
				return fmt.Errorf("quarantine %s:%d: %w", df.file.Name, r.recLine[b.row], err)
			}
		}
		sc.rejected.Add(1)
	}
	// Compact the block, keeping the rows that are not bad.
	bi := 0
	for row := 0; row < r.n; row++ {
		if bi < len(r.bad) && r.bad[bi].row == row {
			for bi < len(r.bad) && r.bad[bi].row == row {
				bi++
			}
			continue
		}
		if keep != row {
			for slot := range sc.cols {
				r.spans[slot*blockRows+keep] = r.spans[slot*blockRows+row]
			}
			r.recStart[keep], r.recEnd[keep], r.recLine[keep] = r.recStart[row], r.recEnd[row], r.recLine[row]
		}
		keep++
	}
	r.n = keep
	r.bad = r.bad[:0]
	// Undo the first conversion: strings are appended, validity cleared.
	// Partition columns were not converted.
	for slot, v := range r.batch.Cols {
		if df.fieldOf[slot] < 0 {
			continue
		}
		if v.Phys == vector.PhysString {
			v.Bytes = v.Bytes[:v.Offsets[r.base]]
		}
		if v.Valid != nil {
			for i := r.base; i < r.base+blockRows && i < v.Len; i++ {
				v.Valid.Set(i)
			}
		}
	}
	r.convert()
	if len(r.bad) > 0 {
		return fmt.Errorf("%s:%d: internal error: a row failed to convert only the second time: %s", df.file.Name, r.recLine[r.bad[0].row], r.bad[0].reason)
	}
	return nil
}

// convert runs each column's kernel over the block. The columns that
// partition folders supply are filled when the batch is emitted.
func (r *reader) convert() {
	for slot := range r.sc.cols {
		if r.df.fieldOf[slot] < 0 {
			continue
		}
		c := &r.sc.cols[slot]
		v := r.batch.Cols[slot]
		sp := r.spans[slot*blockRows : slot*blockRows+r.n]
		switch c.kernel {
		case kBool:
			r.bools(slot, sp, v)
		case kInt32:
			r.int32s(slot, sp, v)
		case kInt64:
			r.int64s(slot, sp, v)
		case kFloat64:
			r.float64s(slot, sp, v)
		case kDecimal64:
			r.decimal64s(slot, sp, v)
		case kDecimal128:
			r.decimal128s(slot, sp, v)
		case kString:
			r.strings(slot, sp, v)
		case kDate:
			r.dates(slot, sp, v)
		case kTimestamp:
			r.timestamps(slot, sp, v)
		}
	}
}

// setNull makes row i of the block null in v, or records a bad row when
// the column is not nullable. It reports whether to go on converting.
func (r *reader) setNull(slot, i int, v *vector.Vector) bool {
	if !r.sc.cols[slot].nullable {
		return r.fail(slot, i, nil)
	}
	v.EnsureValid()
	v.Valid.Clear(r.base + i)
	return true
}

// fail records that row i's field of column slot (f, quotes included;
// nil for a null) cannot be read, and reports whether to go on: in fail
// mode the first error of a column is enough.
func (r *reader) fail(slot, i int, f []byte) bool {
	c := &r.sc.cols[slot]
	field := r.df.fieldOf[slot] + 1
	var reason string
	if f == nil {
		reason = fmt.Sprintf("column %q (field %d): null, but the column is not nullable", c.name, field)
	} else {
		reason = fmt.Sprintf("column %q (field %d): %q is not %s", c.name, field, unquote(f, nil), c.noun)
	}
	r.bad = append(r.bad, badRow{row: i, reason: reason})
	return r.sc.skip
}

// isNull reports whether a field's content (quotes removed) is a null for
// a column that is not a string: the empty field or the null text, quoted
// or not, as inference reads it.
func (r *reader) isNull(f []byte) bool {
	return len(f) == 0 || len(r.null) > 0 && string(f) == string(r.null)
}

// quotedNull reports whether a quoted field whose content holds doubled
// quotes spells the null text once undoubled (rare: checked only when the
// field failed to parse).
func (r *reader) quotedNull(f []byte) bool {
	if len(r.null) == 0 || len(f) < 2 || f[0] != '"' {
		return false
	}
	r.scratch = appendUnescaped(r.scratch[:0], f[1:len(f)-1])
	return bytes.Equal(r.scratch, r.null)
}

// content strips a field's quotes.
func content(f []byte) []byte {
	if len(f) > 0 && f[0] == '"' {
		return f[1 : len(f)-1]
	}
	return f
}
