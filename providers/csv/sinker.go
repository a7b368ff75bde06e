package csv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/providers/internal/hive"
)

// Sinker writes outputs as CSV files: a header line, then one line per
// row, values formatted as vector.(*Vector).AppendText formats them
// (decimals with their scale, dates YYYY-MM-DD, timestamps RFC 3339 in
// UTC), nulls as empty fields, fields quoted (RFC 4180) only when needed,
// lines ended by \n. A non-null empty string is written "" so that it
// reads back as itself, not as a null.
//
// An output without partitions is one file, part-00000.csv. With
// ir.Output.PartitionBy, rows go to Hive-style folders, one level per
// partition column (country=DE/part-00000.csv), and the partition columns
// are left out of the files.
type Sinker struct{}

var _ dataio.Sinker = Sinker{}

// Buffering: a file's buffer is written out when it reaches flushBytes,
// every buffer when all hold more than maxBuffered, and at most maxOpen
// files are open at once (partitioned outputs may have many).
const (
	flushBytes  = 256 << 10
	maxBuffered = 32 << 20
	maxOpen     = 64
)

// Create checks the request and returns a writer into req.Dir.
func (Sinker) Create(ctx context.Context, req dataio.SinkRequest) (dataio.Writer, error) {
	w := &writer{dir: req.Dir, schema: req.Schema, files: map[string]*outFile{}}
	isPart := make([]bool, len(req.Schema))
	for _, name := range req.Output.PartitionBy {
		i := req.Schema.Index(name)
		if i < 0 {
			return nil, fmt.Errorf("partition_by: the output has no column %q", name)
		}
		if isPart[i] {
			return nil, fmt.Errorf("partition_by: column %q is named twice", name)
		}
		isPart[i] = true
		w.partCols = append(w.partCols, i)
		w.partNames = append(w.partNames, name)
	}
	for i := range req.Schema {
		if !isPart[i] {
			w.dataCols = append(w.dataCols, i)
		}
	}
	if len(w.dataCols) == 0 {
		return nil, errors.New("partition_by names every column of the output: the CSV files would have no columns")
	}
	for k, i := range w.dataCols {
		if k > 0 {
			w.header = append(w.header, ',')
		}
		w.header = appendField(w.header, []byte(req.Schema[i].Name))
	}
	w.header = append(w.header, '\n')
	w.text = make([]columnText, len(req.Schema))
	return w, nil
}

// writer writes one output; it is used by one goroutine.
type writer struct {
	dir       string
	schema    types.Schema
	header    []byte
	dataCols  []int
	partCols  []int
	partNames []string

	// text holds the batch's columns formatted.
	text []columnText
	key  []byte
	// files by partition folder ("" without partitions).
	files    map[string]*outFile
	open     int
	buffered int
	clock    int64
	closed   bool
}

// outFile is one file being written. Its bytes are hashed as they are
// written; when too many files are open it is closed and later reopened
// for appending.
type outFile struct {
	rel   string // slash-separated, relative to dir
	f     *os.File
	buf   []byte
	sum   hash.Hash
	rows  int64
	bytes int64
	used  int64
	made  bool
}

// Write formats the batch column by column, then assembles its lines.
func (w *writer) Write(ctx context.Context, b *vector.Batch) error {
	if w.closed {
		return errors.New("csv writer: write after close")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(b.Cols) != len(w.schema) {
		return fmt.Errorf("csv writer: a batch of %d columns for a schema of %d", len(b.Cols), len(w.schema))
	}
	for i, v := range b.Cols {
		if v == nil || v.Len < b.Len {
			return fmt.Errorf("csv writer: column %q of the batch is missing or short", w.schema[i].Name)
		}
	}
	n := b.Len
	if n == 0 {
		return nil
	}
	for _, c := range w.dataCols {
		w.text[c].format(b.Cols[c], n, true)
	}
	if len(w.partCols) == 0 {
		f, err := w.file("")
		if err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			f.buf = w.appendRow(f.buf, i)
			if len(f.buf) >= flushBytes {
				if err := w.flush(f); err != nil {
					return err
				}
			}
		}
		f.rows += int64(n)
		return nil
	}

	for _, c := range w.partCols {
		w.text[c].format(b.Cols[c], n, false)
	}
	for i := 0; i < n; i++ {
		w.key = w.partitionKey(w.key[:0], b, i)
		f := w.files[string(w.key)]
		if f == nil {
			var err error
			if f, err = w.file(string(w.key)); err != nil {
				return err
			}
		}
		before := len(f.buf)
		f.buf = w.appendRow(f.buf, i)
		f.rows++
		w.buffered += len(f.buf) - before
		if len(f.buf) >= flushBytes {
			w.buffered -= len(f.buf)
			if err := w.flush(f); err != nil {
				return err
			}
		}
	}
	if w.buffered > maxBuffered {
		return w.flushAll()
	}
	return nil
}

// appendRow appends row i's line.
func (w *writer) appendRow(dst []byte, i int) []byte {
	for k, c := range w.dataCols {
		if k > 0 {
			dst = append(dst, ',')
		}
		t := &w.text[c]
		dst = append(dst, t.text[t.off[i]:t.off[i+1]]...)
	}
	return append(dst, '\n')
}

// partitionKey appends row i's partition folder, Hive-style (see
// providers/internal/hive): col=value/col=value, a null or an empty
// string, which no folder name can hold, as hive.NullMarker.
func (w *writer) partitionKey(dst []byte, b *vector.Batch, i int) []byte {
	for k, c := range w.partCols {
		if k > 0 {
			dst = append(dst, '/')
		}
		t := &w.text[c]
		dst = hive.AppendSegment(dst, w.partNames[k], t.text[t.off[i]:t.off[i+1]])
	}
	return dst
}

// file returns the file of a partition folder, starting it with the
// header.
func (w *writer) file(folder string) (*outFile, error) {
	if f := w.files[folder]; f != nil {
		return f, nil
	}
	rel := path.Join(folder, "part-00000.csv")
	f := &outFile{rel: rel, sum: sha256.New()}
	f.buf = append(f.buf, w.header...)
	w.buffered += len(f.buf)
	w.files[folder] = f
	return f, nil
}

// flush writes a file's buffer, opening the file if needed.
func (w *writer) flush(f *outFile) error {
	if len(f.buf) == 0 {
		return nil
	}
	if f.f == nil {
		if w.open >= maxOpen {
			if err := w.closeLeastUsed(); err != nil {
				return err
			}
		}
		p := filepath.Join(w.dir, filepath.FromSlash(f.rel))
		flag := os.O_WRONLY | os.O_APPEND
		if !f.made {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			flag = os.O_WRONLY | os.O_CREATE | os.O_EXCL
		}
		h, err := os.OpenFile(p, flag, 0o644)
		if err != nil {
			return err
		}
		f.f, f.made = h, true
		w.open++
	}
	w.clock++
	f.used = w.clock
	if _, err := f.f.Write(f.buf); err != nil {
		return fmt.Errorf("write %s: %w", f.rel, err)
	}
	f.sum.Write(f.buf)
	f.bytes += int64(len(f.buf))
	f.buf = f.buf[:0]
	return nil
}

// closeLeastUsed closes the open file written least recently.
func (w *writer) closeLeastUsed() error {
	var lru *outFile
	for _, f := range w.files {
		if f.f != nil && (lru == nil || f.used < lru.used) {
			lru = f
		}
	}
	if lru == nil {
		return nil
	}
	err := lru.f.Close()
	lru.f = nil
	w.open--
	return err
}

// flushAll writes every buffer out and lets go of the buffers of the
// files that are closed.
func (w *writer) flushAll() error {
	for _, f := range w.sorted() {
		if err := w.flush(f); err != nil {
			return err
		}
		if f.f == nil {
			f.buf = nil
		}
	}
	w.buffered = 0
	return nil
}

// sorted returns the files by path.
func (w *writer) sorted() []*outFile {
	files := make([]*outFile, 0, len(w.files))
	for _, f := range w.files {
		files = append(files, f)
	}
	slices.SortFunc(files, func(a, b *outFile) int { return strings.Compare(a.rel, b.rel) })
	return files
}

// Close writes everything out and returns the files, sorted by path. An
// output without rows and without partitions is one file holding the
// header; a partitioned one without rows has no files.
func (w *writer) Close(ctx context.Context) ([]dataio.File, error) {
	if w.closed {
		return nil, errors.New("csv writer: closed twice")
	}
	if len(w.partCols) == 0 {
		if _, err := w.file(""); err != nil {
			return nil, err
		}
	}
	files := w.sorted()
	out := make([]dataio.File, 0, len(files))
	var errs []error
	for _, f := range files {
		if err := w.flush(f); err != nil {
			errs = append(errs, err)
			continue
		}
		if f.f != nil {
			if err := f.f.Close(); err != nil {
				errs = append(errs, fmt.Errorf("close %s: %w", f.rel, err))
			}
			f.f = nil
			w.open--
		}
		out = append(out, dataio.File{Path: f.rel, Rows: f.rows, Bytes: f.bytes, SHA256: hex.EncodeToString(f.sum.Sum(nil))})
	}
	w.closed = true
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// Abort closes and removes every file written, and the partition folders
// left empty.
func (w *writer) Abort() {
	w.closed = true
	dirs := map[string]bool{}
	for _, f := range w.files {
		if f.f != nil {
			f.f.Close()
			f.f = nil
		}
		if f.made {
			os.Remove(filepath.Join(w.dir, filepath.FromSlash(f.rel)))
		}
		for d := path.Dir(f.rel); d != "."; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	// Deepest first, so that parents are empty when their turn comes.
	order := make([]string, 0, len(dirs))
	for d := range dirs {
		order = append(order, d)
	}
	slices.SortFunc(order, func(a, b string) int { return strings.Count(b, "/") - strings.Count(a, "/") })
	for _, d := range order {
		os.Remove(filepath.Join(w.dir, filepath.FromSlash(d)))
	}
	w.open = 0
}
