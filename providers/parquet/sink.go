package parquet

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"

	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/providers/internal/hive"
)

// DefaultRowGroupSize is the number of rows per row group unless the
// request sets one: the size DuckDB and the performance anchors use.
const DefaultRowGroupSize = 128 * 1024

const (
	// maxRowGroupsPerFile rolls a partition over to a new file, so that
	// files stay a size that object stores and readers handle well.
	maxRowGroupsPerFile = 64
	// maxOpenFiles bounds the files a partitioned output keeps open; the
	// least recently written one is closed first, and its partition goes on
	// in a new file.
	maxOpenFiles = 64
	// stagedRowGroups bounds, in row groups, the rows a partitioned output
	// holds before encoding: above it, the partition with the most rows is
	// written as a short row group.
	stagedRowGroups = 8
	// dictionaryMaxBytes makes a dictionary-encoded column fall back to
	// plain pages when its dictionary outgrows what DuckDB and Arrow would
	// keep.
	dictionaryMaxBytes = 1 << 20
)

// Sinker writes Parquet outputs into a local folder. It holds no state and
// is safe for concurrent use; each Writer it creates is used by one
// goroutine.
type Sinker struct{}

var _ dataio.Sinker = Sinker{}

// Create returns a Writer that writes req's rows into Parquet files in
// req.Dir: part-00000.parquet, part-00001.parquet, … (a new file every 64
// row groups), inside Hive-style folders col=value/ when the output is
// partitioned (the partition columns are then left out of the files).
//
// Columns keep the schema's order and are REQUIRED or OPTIONAL by their
// nullability, with the logical types DuckDB, Spark and pyarrow read:
// INT(32|64), DOUBLE, BOOLEAN, STRING, DATE, TIMESTAMP(MICROS, UTC) and
// DECIMAL(p,s) on INT32 (p ≤ 9), INT64 (p ≤ 18) or FIXED_LEN_BYTE_ARRAY(16).
// String columns whose first rows repeat are dictionary-encoded. Row
// groups are encoded and compressed on other goroutines, but written in
// order: the same batches always give the same bytes.
func (Sinker) Create(ctx context.Context, req dataio.SinkRequest) (dataio.Writer, error) {
	if req.Dir == "" {
		return nil, errors.New("parquet output: no folder to write into")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	codec, err := codecOf(req.Output.Compression)
	if err != nil {
		return nil, err
	}
	w := &writer{
		dir:          req.Dir,
		schema:       req.Schema,
		rowGroupSize: req.RowGroupSize,
		codec:        codec,
		maxInFlight:  max(2, runtime.GOMAXPROCS(0)),
	}
	if w.rowGroupSize <= 0 {
		w.rowGroupSize = DefaultRowGroupSize
	}
	for i, c := range req.Schema {
		if vector.PhysicalOf(c.Type) == 0 {
			return nil, fmt.Errorf("parquet output: column %q has type %s, which has no Parquet form", c.Name, c.Type)
		}
		if req.Schema.Index(c.Name) != i {
			return nil, fmt.Errorf("parquet output: two columns are named %q", c.Name)
		}
	}
	for _, name := range req.Output.PartitionBy {
		i := req.Schema.Index(name)
		if i < 0 {
			return nil, fmt.Errorf("parquet output: partition column %q is not a column of the output", name)
		}
		if slices.Contains(w.partIdx, i) {
			return nil, fmt.Errorf("parquet output: partition column %q is listed twice", name)
		}
		w.partIdx = append(w.partIdx, i)
	}
	for i, c := range req.Schema {
		if !slices.Contains(w.partIdx, i) {
			w.fileIdx = append(w.fileIdx, i)
			w.fileSchema = append(w.fileSchema, c)
		}
	}
	if len(w.fileSchema) == 0 {
		return nil, errors.New("parquet output: no column is left to write besides the partition columns")
	}
	if len(w.partIdx) == 0 {
		w.single = w.newPartition("")
	} else {
		w.parts = make(map[string]*partition)
	}
	return w, nil
}

// codecOf maps ir.Output.Compression to a codec.
func codecOf(name string) (compress.Codec, error) {
	switch strings.ToLower(name) {
	case "", "snappy":
		return fastSnappy{}, nil
	case "zstd":
		return &pq.Zstd, nil
	case "gzip":
		return &pq.Gzip, nil
	case "none", "uncompressed":
		return &pq.Uncompressed, nil
	}
	return nil, fmt.Errorf("parquet output: unknown compression %q; use snappy, zstd, gzip or none", name)
}

// writer is the dataio.Writer of a Parquet output.
type writer struct {
	dir          string
	schema       types.Schema
	fileSchema   types.Schema // the columns written into files
	fileIdx      []int        // their indexes in schema
	partIdx      []int        // the partition columns' indexes in schema
	rowGroupSize int
	codec        compress.Codec
	maxInFlight  int

	single   *partition            // when not partitioned
	parts    map[string]*partition // by folder, when partitioned
	partList []*partition          // in order of creation
	staged   int                   // rows staged in all partitions
	rowsIn   int64                 // rows received, for messages
	clock    int64                 // orders partitions by last use

	jobs      []*job // row groups being encoded, oldest first
	free      []*stage
	openFiles int
	written   []dataio.File
	created   []string // files and folders created, for Abort
	err       error    // the first error; the writer is then unusable
	closed    bool

	// Scratch space for routing a batch's rows to partitions.
	cols    []*vector.Vector
	key     []byte
	text    []byte
	touched []*partition
}

// partition is one output folder (the output's root when it is not
// partitioned): rows staged for its next row group and its open file.
type partition struct {
	dir     string // slash-separated, relative to the output folder
	next    int    // number of its next file
	stage   *stage
	file    *outFile
	sel     []int32 // rows of the current batch
	lastUse int64
}

// outFile is one Parquet file being written.
type outFile struct {
	rel       string // slash-separated, relative to the output folder
	f         *os.File
	out       *hashingWriter
	pw        *pq.Writer
	rowGroups int
	rows      int64
	pending   int // row groups encoding
	free      []*pq.ConcurrentRowGroupWriter
}

// job is one row group being encoded on its own goroutine.
type job struct {
	file  *outFile
	stage *stage
	rg    *pq.ConcurrentRowGroupWriter
	done  chan error
}

// hashingWriter counts and hashes what it writes to a file.
type hashingWriter struct {
	f *os.File
	h hash.Hash
	n int64
}

func (w *hashingWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.h.Write(p[:n])
	w.n += int64(n)
	return n, err
}

// newPartition adds the partition of a folder.
func (w *writer) newPartition(dir string) *partition {
	p := &partition{dir: dir, stage: w.newStage()}
	if w.parts != nil {
		w.parts[dir] = p
	}
	w.partList = append(w.partList, p)
	return p
}

// newStage returns an empty stage, reusing a free one.
func (w *writer) newStage() *stage {
	if n := len(w.free); n > 0 {
		s := w.free[n-1]
		w.free = w.free[:n-1]
		return s
	}
	return newStage(w.fileSchema)
}

// fail records the writer's first error and returns it.
func (w *writer) fail(err error) error {
	if w.err == nil {
		w.err = err
	}
	return w.err
}

// Write stages the batch's rows; full row groups go to encoding. After an
// error the writer is unusable: Abort it.
func (w *writer) Write(ctx context.Context, b *vector.Batch) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errors.New("parquet output: write after close")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := w.check(b); err != nil {
		return w.fail(err)
	}
	w.cols = w.cols[:0]
	for _, i := range w.fileIdx {
		w.cols = append(w.cols, b.Cols[i])
	}
	var err error
	if w.single != nil {
		err = w.appendAll(b.Len)
	} else {
		err = w.route(b)
	}
	w.rowsIn += int64(b.Len)
	if err != nil {
		return w.fail(err)
	}
	return nil
}

// check verifies that a batch has the output's shape and no null in a
// column declared not null: a REQUIRED Parquet column cannot hold one.
func (w *writer) check(b *vector.Batch) error {
	if len(b.Cols) != len(w.schema) {
		return fmt.Errorf("parquet output: a batch has %d columns, the output %d", len(b.Cols), len(w.schema))
	}
	for i, v := range b.Cols {
		c := &w.schema[i]
		if v == nil || v.Phys != vector.PhysicalOf(c.Type) || v.Len < b.Len {
			return fmt.Errorf("parquet output: column %q of a batch is not a %s vector of %d rows", c.Name, c.Type, b.Len)
		}
		if !c.Nullable && v.Valid != nil {
			for r := range b.Len {
				if !v.Valid.Get(r) {
					return fmt.Errorf("column %q is declared not null, but row %d of the output is null", c.Name, w.rowsIn+int64(r))
				}
			}
		}
	}
	return nil
}

// appendAll stages a batch's rows into the single partition.
func (w *writer) appendAll(n int) error {
	p := w.single
	for from := 0; from < n; {
		k := min(n-from, w.rowGroupSize-p.stage.n)
		p.stage.appendRange(w.cols, from, from+k)
		w.staged += k
		from += k
		if p.stage.n == w.rowGroupSize {
			if err := w.dispatch(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// route stages each row of a batch into its partition.
func (w *writer) route(b *vector.Batch) error {
	for r := range b.Len {
		w.key = w.partitionKey(w.key[:0], b, r)
		p := w.parts[string(w.key)]
		if p == nil {
			p = w.newPartition(string(w.key))
		}
		if len(p.sel) == 0 {
			w.touched = append(w.touched, p)
		}
		p.sel = append(p.sel, int32(r))
	}
	touched := w.touched
	w.touched = w.touched[:0]
	for _, p := range touched {
		w.clock++
		p.lastUse = w.clock
		sel := p.sel
		for len(sel) > 0 {
			k := min(len(sel), w.rowGroupSize-p.stage.n)
			p.stage.appendSelected(w.cols, sel[:k])
			w.staged += k
			sel = sel[k:]
			if p.stage.n == w.rowGroupSize {
				if err := w.dispatch(p); err != nil {
					return err
				}
			}
		}
		p.sel = p.sel[:0]
	}
	for w.staged > stagedRowGroups*w.rowGroupSize {
		fullest := w.partList[0]
		for _, p := range w.partList[1:] {
			if p.stage.n > fullest.stage.n {
				fullest = p
			}
		}
		if err := w.dispatch(fullest); err != nil {
			return err
		}
	}
	return nil
}

// partitionKey appends the folder of row r, Hive-style (see
// providers/internal/hive): col=value/col=value, values written as CSV
// output writes them (dates YYYY-MM-DD, timestamps RFC 3339), null and
// empty strings as hive.NullMarker.
func (w *writer) partitionKey(dst []byte, b *vector.Batch, r int) []byte {
	for k, i := range w.partIdx {
		if k > 0 {
			dst = append(dst, '/')
		}
		v := b.Cols[i]
		var text []byte
		switch {
		case v.IsNull(r):
		case v.Phys == vector.PhysString:
			text = v.String(r)
		default:
			w.text, _ = v.AppendText(w.text[:0], r)
			text = w.text
		}
		dst = hive.AppendSegment(dst, w.schema[i].Name, text)
	}
	return dst
}

// dispatch hands a partition's staged rows to a goroutine that encodes
// them as one row group of the partition's file.
func (w *writer) dispatch(p *partition) error {
	s := p.stage
	if s.n == 0 {
		return nil
	}
	if p.file == nil {
		if err := w.openFile(p); err != nil {
			return err
		}
	}
	f := p.file
	var rg *pq.ConcurrentRowGroupWriter
	if n := len(f.free); n > 0 {
		rg, f.free = f.free[n-1], f.free[:n-1]
	} else {
		rg = f.pw.BeginRowGroup()
	}
	j := &job{file: f, stage: s, rg: rg, done: make(chan error, 1)}
	p.stage = w.newStage()
	w.staged -= s.n
	f.rowGroups++
	f.rows += int64(s.n)
	f.pending++
	go func() {
		e := encoders.Get().(*encoder)
		defer encoders.Put(e)
		j.done <- e.encode(j.stage, j.rg)
	}()
	w.jobs = append(w.jobs, j)
	for len(w.jobs) > w.maxInFlight {
		if err := w.commitOldest(); err != nil {
			return err
		}
	}
	if f.rowGroups == maxRowGroupsPerFile {
		return w.closeFile(p)
	}
	return nil
}

var encoders = sync.Pool{New: func() any { return new(encoder) }}

// commitOldest waits for the oldest row group being encoded and writes it
// into its file: row groups are committed in the order they were staged.
func (w *writer) commitOldest() error {
	j := w.jobs[0]
	w.jobs[0] = nil
	w.jobs = w.jobs[1:]
	err := <-j.done
	if err == nil {
		_, err = j.rg.Commit()
	}
	j.file.pending--
	j.file.free = append(j.file.free, j.rg)
	j.stage.reset()
	w.free = append(w.free, j.stage)
	if err != nil {
		return fmt.Errorf("write %s: %w", j.file.rel, err)
	}
	return nil
}

// openFile creates a partition's next file. The stage's first rows choose
// which string columns are dictionary-encoded.
func (w *writer) openFile(p *partition) error {
	if w.openFiles >= maxOpenFiles {
		var lru *partition
		for _, q := range w.partList {
			if q.file != nil && q != p && (lru == nil || q.lastUse < lru.lastUse) {
				lru = q
			}
		}
		if lru != nil {
			if err := w.closeFile(lru); err != nil {
				return err
			}
		}
	}
	dir := w.dir
	if p.dir != "" {
		dir = filepath.Join(w.dir, filepath.FromSlash(p.dir))
		if err := w.mkdirs(p.dir); err != nil {
			return err
		}
	}
	name := fmt.Sprintf("part-%05d.parquet", p.next)
	p.next++
	full := filepath.Join(dir, name)
	f, err := os.OpenFile(full, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	w.created = append(w.created, full)
	dict := make([]bool, len(w.fileSchema))
	for i := range w.fileSchema {
		c := &p.stage.cols[i]
		dict[i] = c.phys == vector.PhysString && c.lowCardinality(p.stage.n)
	}
	out := &hashingWriter{f: f, h: sha256.New()}
	pw := pq.NewWriter(out, parquetSchema(w.fileSchema, dict),
		pq.Compression(w.codec),
		pq.DictionaryMaxBytes(dictionaryMaxBytes),
		pq.WriteBufferSize(256*1024),
		// Readers use the column index and the chunks' statistics; the
		// statistics in page headers would cost a second pass per page.
		pq.DataPageStatistics(false),
		pq.DefaultEncodingFor(pq.Int32, &pq.DeltaBinaryPacked),
		pq.DefaultEncodingFor(pq.Int64, &pq.DeltaBinaryPacked),
	)
	p.file = &outFile{rel: path.Join(p.dir, name), f: f, out: out, pw: pw}
	w.openFiles++
	return nil
}

// mkdirs creates the folders of a partition below the output folder,
// remembering those it created.
func (w *writer) mkdirs(rel string) error {
	parts := strings.Split(rel, "/")
	dir := w.dir
	for _, part := range parts {
		dir = filepath.Join(dir, part)
		err := os.Mkdir(dir, 0o755)
		switch {
		case err == nil:
			w.created = append(w.created, dir)
		case errors.Is(err, os.ErrExist):
		default:
			return err
		}
	}
	return nil
}

// closeFile writes a partition's file's pending row groups and footer.
func (w *writer) closeFile(p *partition) error {
	f := p.file
	for f.pending > 0 {
		if err := w.commitOldest(); err != nil {
			return err
		}
	}
	p.file = nil
	w.openFiles--
	err := f.pw.Close()
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", f.rel, err)
	}
	w.written = append(w.written, dataio.File{
		Path:   f.rel,
		Rows:   f.rows,
		Bytes:  f.out.n,
		SHA256: hex.EncodeToString(f.out.h.Sum(nil)),
	})
	return nil
}

// Close writes what is staged, waits for the row groups being encoded,
// closes every file and returns them sorted by path.
func (w *writer) Close(ctx context.Context) ([]dataio.File, error) {
	if w.err != nil {
		return nil, w.err
	}
	if w.closed {
		return nil, errors.New("parquet output: closed twice")
	}
	w.closed = true
	if err := w.finish(ctx); err != nil {
		return nil, w.fail(err)
	}
	files := slices.Clone(w.written)
	slices.SortFunc(files, func(a, b dataio.File) int { return cmp.Compare(a.Path, b.Path) })
	return files, nil
}

// finish flushes every partition and closes every file.
func (w *writer) finish(ctx context.Context) error {
	for _, p := range w.partList {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := w.dispatch(p); err != nil {
			return err
		}
	}
	for len(w.jobs) > 0 {
		if err := w.commitOldest(); err != nil {
			return err
		}
	}
	if w.single != nil && w.single.file == nil && len(w.written) == 0 {
		// An output without rows is still one file: readers learn its
		// schema from it.
		if err := w.openFile(w.single); err != nil {
			return err
		}
	}
	for _, p := range w.partList {
		if p.file != nil {
			if err := w.closeFile(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// Abort waits for the row groups being encoded, then removes every file
// and folder the writer created.
func (w *writer) Abort() {
	w.closed = true
	if w.err == nil {
		w.err = errors.New("parquet output: aborted")
	}
	for _, j := range w.jobs {
		<-j.done
	}
	w.jobs = nil
	for _, p := range w.partList {
		if p.file != nil {
			p.file.f.Close()
			p.file = nil
		}
	}
	for i := len(w.created) - 1; i >= 0; i-- {
		os.Remove(w.created[i])
	}
	w.created = nil
}

// parquetSchema builds the Parquet schema of cols, in their order (a
// parquet.Group would sort them by name), dictionary-encoding the string
// columns dict marks.
func parquetSchema(cols types.Schema, dict []bool) *pq.Schema {
	g := columnGroup{fields: make([]pq.Field, len(cols))}
	for i, c := range cols {
		node := leafNode(c.Type)
		if dict[i] {
			node = pq.Encoded(node, &pq.RLEDictionary)
		}
		if c.Nullable {
			node = pq.Optional(node)
		} else {
			node = pq.Required(node)
		}
		g.fields[i] = columnField{Node: node, name: c.Name}
	}
	return pq.NewSchema("meshctl", g)
}

// leafNode returns the Parquet type of a column type.
func leafNode(t types.Type) pq.Node {
	switch t.Kind {
	case types.Bool:
		return pq.Leaf(pq.BooleanType)
	case types.Int32:
		return pq.Int(32)
	case types.Int64:
		return pq.Int(64)
	case types.Float64:
		return pq.Leaf(pq.DoubleType)
	case types.Decimal:
		p, s := int(t.Precision), int(t.Scale)
		switch {
		case p <= 9:
			return pq.Decimal(s, p, pq.Int32Type)
		case p <= 18:
			return pq.Decimal(s, p, pq.Int64Type)
		}
		return pq.Decimal(s, p, pq.FixedLenByteArrayType(16))
	case types.Date:
		return pq.Date()
	case types.Timestamp:
		return pq.Timestamp(pq.Microsecond)
	}
	return pq.String()
}

// columnGroup is a root node whose fields keep the order they are given
// in.
type columnGroup struct {
	pq.Group
	fields []pq.Field
}

func (g columnGroup) Fields() []pq.Field { return g.fields }

// columnField names a node in a columnGroup.
type columnField struct {
	pq.Node
	name string
}

func (f columnField) Name() string { return f.name }

func (f columnField) Value(base reflect.Value) reflect.Value {
	return base.MapIndex(reflect.ValueOf(f.name))
}
