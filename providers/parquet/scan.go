package parquet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"

	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/providers/internal/hive"
	"github.com/meshctl/meshctl/providers/internal/objects"
)

// Scanner reads Parquet sources, on the local file system or on S3, for
// the executor. It holds no state besides its configuration and is safe
// for concurrent use.
type Scanner struct {
	// Dir is the workspace root, against which a relative source path is
	// resolved; absolute paths are used as they are.
	Dir string
	// S3 reads s3:// sources (providers/s3.Stores), through the source's
	// endpoint; without it they are refused.
	S3 objects.S3
}

var _ dataio.Scanner = Scanner{}

// Open resolves the files that req.Source.Path names (as SchemaReader
// does), reads their footers (several files at once, so that S3's latency
// is paid once per batch of files) and checks that each holds the
// requested columns, under the same names, in types that convert to the
// requested ones. Every row group of every file is one morsel, in file
// then row-group order.
//
// A requested column that a file lacks is read from the file's Hive-style
// partition folders (country=DE/, below the source's root folder; see
// providers/internal/hive) when they name it: every row of the file holds
// the folder's value, converted to the column's type (strings as they are,
// other types with the spellings CSV fields are read with), null for
// hive.NullMarker. A string partition column comes out dictionary-encoded
// (one entry, all codes 0). A value that does not convert is an error
// naming the file and the column. A predicate on a partition column that
// the folder's value does not satisfy skips the whole file: its footer is
// read, none of its row groups.
//
// Read decodes only the requested columns, through parquet-go's page API,
// and reads only their column chunks: on S3, one ranged GET per chunk
// (neighbouring small ones coalesced), streamed as pages are decoded.
// String columns whose pages are dictionary-encoded come out as
// dictionary-encoded vectors (vector.Dict, vector.Codes) sharing the row
// group's dictionary; a dictionary vector is never reused, so operators may
// keep it. A morsel whose column statistics prove that no row satisfies
// one of req.Predicates is skipped. Errors about data name the file, the
// row group and the row (both counted from 0, as parquet-tools and pyarrow
// count them) and the column.
func (s Scanner) Open(ctx context.Context, req dataio.ScanRequest) (dataio.Scan, error) {
	if req.Source == nil {
		return nil, errors.New("parquet scan: the request has no source")
	}
	for _, i := range req.Columns {
		if i < 0 || i >= len(req.Schema) {
			return nil, fmt.Errorf("parquet scan of %s: column index %d is out of the schema's range", req.Source.Name, i)
		}
	}
	store, err := objects.For(ctx, s.Dir, req.Source.Path, req.Source.Endpoint, s.S3)
	if err != nil {
		return nil, err
	}
	files, err := store.Match(ctx, req.Source.Path, ".parquet")
	if err != nil {
		return nil, err
	}
	sc := &scan{
		batchSize: req.BatchSize,
		schema:    make(types.Schema, len(req.Columns)),
	}
	if sc.batchSize <= 0 {
		sc.batchSize = dataio.DefaultBatchSize
	}
	for i, c := range req.Columns {
		sc.schema[i] = req.Schema[c]
	}
	sc.pool.New = func() any { return &readState{batch: vector.NewBatch(sc.schema, sc.batchSize)} }
	opened := make([]*openedFile, len(files))
	err = objects.Each(ctx, len(files), func(i int) error {
		of, err := openFile(ctx, store, files[i], req)
		opened[i] = of
		return err
	})
	if err != nil {
		for _, of := range opened {
			if of != nil {
				of.obj.Close()
			}
		}
		return nil, err
	}
	sc.files = opened
	for fi, of := range opened {
		sc.bytes.Add(of.footerBytes)
		if of.pruned {
			// A partition value rules the file out: its row groups stay
			// morsels, which Read skips without reading, so that the
			// morsels and the skipped ones count alike.
			of.obj.Close()
			of.obj = nil
		}
		for rg, g := range of.pf.Metadata().RowGroups {
			sc.morsels = append(sc.morsels, morsel{file: fi, rowGroup: rg, firstRow: of.rowGroupStart[rg], rows: g.NumRows})
		}
	}
	return sc, nil
}

// openedFile is one file of a scan, open for the scan's lifetime.
type openedFile struct {
	name string
	obj  objects.Object
	pf   *pq.File
	// cols are the requested columns, in the request's order.
	cols []readColumn
	// preds are the predicates whose column the file holds.
	preds []filePredicate
	// pruned is set when a predicate on a partition column excludes the
	// whole file.
	pruned bool
	// rowGroupStart is the index in the file of each row group's first row.
	rowGroupStart []int64
	footerBytes   int64
	size          int64
}

// readColumn is one requested column as one file stores it, or, when
// part is set, as its partition folder gives it.
type readColumn struct {
	fc   fileColumn
	plan plan
	col  types.Column
	part *hive.Constant
}

// openFile opens one file, reads its footer and resolves the requested
// columns in it.
func openFile(ctx context.Context, store objects.Store, file objects.File, req dataio.ScanRequest) (_ *openedFile, err error) {
	obj, fr, err := openObject(ctx, store, file)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			obj.Close()
		}
	}()
	size := obj.Size()
	if err := checkFrame(fr, size, file.Name); err != nil {
		return nil, err
	}
	pf, err := openParquet(fr, size, file.Name)
	if err != nil {
		return nil, err
	}
	meta := pf.Metadata()
	cols, unreadable, err := fileColumns(meta.Schema)
	if err != nil {
		return nil, fmt.Errorf("%s is not a valid Parquet file: %w", file.Name, err)
	}
	of := &openedFile{name: file.Name, obj: obj, pf: pf, footerBytes: fr.footerLen(), size: size}
	fr.release()
	// The partition folders are parsed only when a column is missing: a
	// stray folder name then cannot break a scan that does not need them.
	var (
		kvs    []hive.KV
		kvErr  error
		parsed bool
	)
	partition := func(c types.Column) (*hive.Constant, bool, error) {
		if !parsed {
			kvs, kvErr = hive.Parse(file.Rel)
			parsed = true
		}
		if kvErr != nil {
			return nil, false, fmt.Errorf("%s: %w", file.Name, kvErr)
		}
		kv, ok := hive.Lookup(kvs, c.Name)
		if !ok {
			return nil, false, nil
		}
		k, err := hive.NewConstant(kv, c)
		if err != nil {
			return nil, false, fmt.Errorf("%s: column %q: %w", file.Name, c.Name, err)
		}
		return k, true, nil
	}
	resolve := func(c types.Column) (readColumn, error) {
		fc, ok := cols[c.Name]
		if !ok {
			if why, ok := unreadable[c.Name]; ok {
				return readColumn{}, fmt.Errorf("%s: column %q is %s, which meshctl does not read", file.Name, c.Name, why)
			}
			k, ok, err := partition(c)
			if err != nil {
				return readColumn{}, err
			}
			if ok {
				return readColumn{col: c, part: k}, nil
			}
			return readColumn{}, fmt.Errorf("%s has no column %q", file.Name, c.Name)
		}
		p, ok := planConversion(fc, c.Type)
		if !ok {
			return readColumn{}, fmt.Errorf("%s: column %q is %s, which does not convert to %s", file.Name, c.Name, describe(fc), c.Type)
		}
		return readColumn{fc: fc, plan: p, col: c}, nil
	}
	for _, i := range req.Columns {
		rc, err := resolve(req.Schema[i])
		if err != nil {
			return nil, err
		}
		of.cols = append(of.cols, rc)
	}
	for _, p := range req.Predicates {
		if p.Column < 0 || p.Column >= len(req.Schema) {
			continue
		}
		// A predicate on a column the file lacks cannot skip anything; the
		// filter above reports the problem if the column is read.
		rc, err := resolve(req.Schema[p.Column])
		switch {
		case err != nil:
		case rc.part != nil:
			if rc.part.Excludes(p) {
				of.pruned = true
			}
		default:
			of.preds = append(of.preds, filePredicate{Predicate: p, rc: rc})
		}
	}
	var start int64
	for _, g := range meta.RowGroups {
		if g.NumRows < 0 {
			return nil, fmt.Errorf("%s is not a valid Parquet file: a row group has %d rows", file.Name, g.NumRows)
		}
		of.rowGroupStart = append(of.rowGroupStart, start)
		start += g.NumRows
		matches := func(fc fileColumn) bool {
			return fc.leaf < len(g.Columns) && slices.Equal(g.Columns[fc.leaf].MetaData.PathInSchema, []string{fc.name})
		}
		for _, rc := range of.cols {
			if rc.part == nil && !matches(rc.fc) {
				return nil, fmt.Errorf("%s is not a valid Parquet file: its row groups do not match its schema", file.Name)
			}
		}
		for _, p := range of.preds {
			if !matches(p.rc.fc) {
				return nil, fmt.Errorf("%s is not a valid Parquet file: its row groups do not match its schema", file.Name)
			}
		}
	}
	if len(pf.RowGroups()) != len(meta.RowGroups) {
		return nil, fmt.Errorf("%s is not a valid Parquet file: its row groups do not match its schema", file.Name)
	}
	return of, nil
}

// openParquet reads a file's footer. A corrupt footer is an error naming
// the file, even where parquet-go would panic.
func openParquet(f io.ReaderAt, size int64, name string) (pf *pq.File, err error) {
	defer func() {
		if p := recover(); p != nil {
			pf, err = nil, fmt.Errorf("%s is not a valid Parquet file: %v", name, p)
		}
	}()
	pf, err = pq.OpenFile(f, size, pq.SkipPageIndex(true), pq.SkipBloomFilters(true))
	if err != nil {
		return nil, fmt.Errorf("%s is not a valid Parquet file: %w", name, err)
	}
	return pf, nil
}

// describe names a file column's type for messages.
func describe(fc fileColumn) string {
	return fmt.Sprintf("%s (stored as %s)", fc.typ, fc.physical)
}

// morsel is one row group of one file.
type morsel struct {
	file, rowGroup int
	firstRow, rows int64
}

// scan is an opened scan. Read may run concurrently for different
// morsels: everything it changes lives in a readState or is atomic.
type scan struct {
	files     []*openedFile
	morsels   []morsel
	schema    types.Schema // of the batches
	batchSize int
	pool      sync.Pool // of *readState

	bytes, rows, skipped atomic.Int64
}

// readState is what one Read call owns: the batch it fills and a reader
// per column, whose scratch space is reused from call to call.
type readState struct {
	batch   *vector.Batch
	readers []columnReader
	ranges  []objects.Range
}

// Morsels returns the number of row groups of all the files.
func (sc *scan) Morsels() int { return len(sc.morsels) }

// Stats returns what the scan has read so far: Bytes counts the footers
// and the column chunks read, compressed.
func (sc *scan) Stats() dataio.ScanStats {
	return dataio.ScanStats{
		Files:          len(sc.files),
		Bytes:          sc.bytes.Load(),
		Rows:           sc.rows.Load(),
		SkippedMorsels: int(sc.skipped.Load()),
	}
}

// Close closes the files; Read must not be running.
func (sc *scan) Close() error {
	var first error
	for _, of := range sc.files {
		if of.obj != nil {
			if err := of.obj.Close(); err != nil && first == nil {
				first = err
			}
			of.obj = nil
		}
	}
	return first
}

// Read decodes row group m in batches of at most the request's BatchSize
// rows, unless its statistics prove that no row satisfies a predicate.
// The batch and its vectors are reused between calls of emit.
func (sc *scan) Read(ctx context.Context, m int, emit func(*vector.Batch) error) (err error) {
	if m < 0 || m >= len(sc.morsels) {
		return fmt.Errorf("parquet scan: morsel %d does not exist (there are %d)", m, len(sc.morsels))
	}
	mo := sc.morsels[m]
	of := sc.files[mo.file]
	if of.pruned {
		sc.skipped.Add(1)
		return nil
	}
	if of.obj == nil {
		return errors.New("parquet scan: read after close")
	}
	if mo.rows == 0 {
		return nil
	}
	if sc.skippable(of, mo.rowGroup) {
		sc.skipped.Add(1)
		return nil
	}
	st := sc.pool.Get().(*readState)
	defer sc.pool.Put(st)
	if len(st.readers) != len(of.cols) {
		st.readers = make([]columnReader, len(of.cols))
	}
	chunks := of.pf.RowGroups()[mo.rowGroup].ColumnChunks()
	meta := &of.pf.Metadata().RowGroups[mo.rowGroup]
	// The column chunks to read, fetched as the store sees fit.
	ranges := st.ranges[:0]
	for _, rc := range of.cols {
		if rc.part != nil {
			continue
		}
		r, err := chunkRange(&meta.Columns[rc.fc.leaf].MetaData, of.size)
		if err != nil {
			return fmt.Errorf("%s: row group %d: column %q: %w: %v", of.name, mo.rowGroup, rc.fc.name, errCorrupt, err)
		}
		ranges = append(ranges, r)
	}
	st.ranges = ranges
	sections, err := of.obj.Sections(ctx, ranges)
	if err != nil {
		return err
	}
	for i := range st.readers {
		r := &st.readers[i]
		rc := &of.cols[i]
		r.file, r.rowGroup, r.firstRow = of.name, mo.rowGroup, mo.firstRow
		r.fc, r.plan, r.col = rc.fc, rc.plan, rc.col
		if rc.part != nil {
			r.pages = nil // nothing to read: finish has nothing to release
			continue
		}
		r.start(chunks[rc.fc.leaf], sections[0])
		sections = sections[1:]
		sc.bytes.Add(meta.Columns[rc.fc.leaf].MetaData.TotalCompressedSize)
	}
	emitting := false
	defer func() {
		for i := range st.readers {
			st.readers[i].finish()
		}
		// parquet-go may panic on malformed pages; that is an error about
		// the file. A panic while emitting belongs to the caller.
		if p := recover(); p != nil {
			if emitting {
				panic(p)
			}
			err = fmt.Errorf("%s: row group %d: %w: %v", of.name, mo.rowGroup, errCorrupt, p)
		}
	}()

	b := st.batch
	for done := int64(0); done < mo.rows; {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := int(min(int64(sc.batchSize), mo.rows-done))
		b.Reset(n)
		for i := range st.readers {
			if k := of.cols[i].part; k != nil {
				k.Fill(b.Cols[i], n)
				continue
			}
			if err := st.readers[i].fill(b.Cols[i], n); err != nil {
				return err
			}
		}
		emitting = true
		if err := emit(b); err != nil {
			return err
		}
		emitting = false
		sc.rows.Add(int64(n))
		done += int64(n)
	}
	return nil
}

// chunkRange returns the bytes of a column chunk, as parquet-go reads
// them: from its dictionary page, if any, else from its first data page.
func chunkRange(md *format.ColumnMetaData, size int64) (objects.Range, error) {
	r := objects.Range{Off: md.DataPageOffset, Len: md.TotalCompressedSize}
	if md.DictionaryPageOffset != 0 {
		r.Off = md.DictionaryPageOffset
	}
	if r.Off < 0 || r.Len < 0 || r.Off > size || r.Len > size-r.Off {
		return r, fmt.Errorf("its column chunk (%d bytes at offset %d) lies outside the file (%d bytes)", r.Len, r.Off, size)
	}
	return r, nil
}
