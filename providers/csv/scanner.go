package csv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/providers/internal/hive"
	"github.com/meshctl/meshctl/providers/internal/objects"
)

// DefaultMorselBytes is the size of the byte ranges into which a Scanner
// divides its files when Scanner.MorselBytes is not set.
const DefaultMorselBytes = 4 << 20

// blockRows is how many records are split into fields before the fields
// are converted column by column: small enough that the block's text stays
// in the CPU cache while every column kernel goes over it.
const blockRows = 1024

// Scanner reads CSV sources, on the local file system or on S3, into typed
// vectors. It implements dataio.Scanner; it holds only configuration and
// is safe for concurrent use.
//
// Fields are parsed in place (RFC 4180 quoting, \n or \r\n line ends, a
// UTF-8 byte-order mark, blank lines skipped) and converted column by
// column with the spellings inference accepts (see
// providers/internal/textvalue); only string values are copied. The empty
// field and the source's null_value are null, quoted or not — except in
// string columns, where a quoted field is always text: "" is the empty
// string, as in PostgreSQL and DuckDB, so that what the Sinker writes
// reads back the same. Quoted values keep their bytes (a \r\n inside
// quotes stays \r\n).
//
// A bad row — a value that does not convert, a null in a column that is
// not nullable, the wrong number of fields, malformed quoting — is an
// error naming the file, the line and the column:
//
//	data/customers.csv:1234: column "age" (field 4): "x" is not an int32
//
// unless the source's on_error is "skip" or "quarantine": then the row is
// left out, counted in Stats().Rejected, and handed to the request's
// Rejects. Only the columns the request reads are converted, so a bad
// value in another column goes unnoticed.
//
// A scan divides every file into morsels of MorselBytes: the records that
// start in each byte range. Morsels of one file parse in parallel even
// when quoted fields hold line feeds: a morsel finds its first record from
// the parity of the quotes before it (see tokenize.go), counted in a cheap
// first pass over the earlier ranges (bytes.Count, once per range and
// shared by the scan), which also gives the exact line number at which
// each morsel starts. The price of the rule is that a stray quote inside
// an unquoted field opens a quoted run up to the next quote: everything up
// to the end of the line where that run closes is one bad row.
//
// On S3 each morsel is one ranged GET of its bytes (and of the slack its
// last record may need), as a local morsel is one read.
type Scanner struct {
	// Dir is the workspace root, against which a relative source path is
	// resolved.
	Dir string
	// S3 reads s3:// sources (providers/s3.Stores), through the source's
	// endpoint; without it they are refused.
	S3 objects.S3
	// MorselBytes is the size of a morsel (DefaultMorselBytes when zero or
	// negative). Results do not depend on it.
	MorselBytes int
}

var _ dataio.Scanner = Scanner{}

// kernel names the conversion of one column's fields.
type kernel uint8

const (
	kBool kernel = iota + 1
	kInt32
	kInt64
	kFloat64
	kDecimal64
	kDecimal128
	kString
	kDate
	kTimestamp
)

// column is a column the scan reads.
type column struct {
	name     string
	typ      types.Type
	nullable bool
	kernel   kernel
	// noun names the type in messages: "an int32".
	noun string
}

// Open checks the request and the files' headers and returns a scan with
// one morsel per MorselBytes of data of every file, in path order.
//
// With a header line, columns are found by name (every column of the
// schema must be in every file's header; the files may order them
// differently and have more); without one, the schema's columns are the
// fields in order.
//
// Hive-style partition folders below the source's root folder
// (country=DE/part-00000.csv; see providers/internal/hive) supply the
// columns a file does not hold: with a header, a schema column missing
// from it is read from the folder of that name; without one, the schema's
// columns that the folders name are read from them, and the others are
// the fields in order. Every row of the file holds the folder's value,
// converted to the column's type with the spellings fields are read with,
// null for hive.NullMarker; a string column comes out dictionary-encoded
// (one entry, all codes 0). A value that does not convert, or a null in a
// column that is not nullable, is an error naming the file and the
// column. A predicate on a partition column that the folder's value does
// not satisfy skips the whole file: only its header is read.
func (s Scanner) Open(ctx context.Context, req dataio.ScanRequest) (dataio.Scan, error) {
	src := req.Source
	if src == nil {
		return nil, errors.New("csv scan: no source")
	}
	opts := src.CSV
	delim := opts.Delimiter
	if delim == 0 {
		delim = ','
	}
	if !validDelimiter(delim) {
		return nil, fmt.Errorf("%q cannot be a CSV delimiter: a delimiter must be one valid character other than a quote, a line break or a NUL", delim)
	}
	sc := &scan{
		header:      opts.Header,
		delim:       delim,
		null:        opts.NullValue,
		schema:      req.Schema,
		slots:       req.Columns,
		preds:       req.Predicates,
		batchSize:   req.BatchSize,
		morselBytes: int64(s.MorselBytes),
	}
	switch opts.OnError {
	case "", "fail":
	case "skip", "quarantine":
		sc.skip = true
		sc.rejects = req.Rejects
	default:
		return nil, fmt.Errorf("on_error = %q: want \"fail\", \"skip\" or \"quarantine\"", opts.OnError)
	}
	if sc.batchSize <= 0 {
		sc.batchSize = dataio.DefaultBatchSize
	}
	if sc.morselBytes <= 0 {
		sc.morselBytes = DefaultMorselBytes
	}
	for i, c := range req.Columns {
		if c < 0 || c >= len(req.Schema) || i > 0 && c <= req.Columns[i-1] {
			return nil, fmt.Errorf("csv scan: columns %v are not increasing indexes into a schema of %d columns", req.Columns, len(req.Schema))
		}
		col := req.Schema[c]
		k := kernelOf(col.Type)
		if k == 0 {
			return nil, fmt.Errorf("column %q: cannot read a CSV field as %s", col.Name, col.Type)
		}
		sc.cols = append(sc.cols, column{name: col.Name, typ: col.Type, nullable: col.Nullable, kernel: k, noun: typeNoun(col.Type)})
	}

	store, err := objects.For(ctx, s.Dir, src.Path, src.Endpoint, s.S3)
	if err != nil {
		return nil, err
	}
	files, err := store.Match(ctx, src.Path, ".csv")
	if err != nil {
		return nil, err
	}
	// The headers are read several files at once: on S3 each costs a
	// request's latency.
	opened := make([]*dataFile, len(files))
	err = objects.Each(ctx, len(files), func(i int) error {
		df, err := sc.openFile(ctx, store, files[i])
		opened[i] = df
		return err
	})
	if err != nil {
		for _, df := range opened {
			if df != nil {
				df.obj.Close()
			}
		}
		return nil, err
	}
	for _, df := range opened {
		fi := len(sc.files)
		sc.files = append(sc.files, df)
		if df.pruned {
			// A partition value rules the file out: its chunks stay
			// morsels, which Read skips without reading, so that the
			// morsels and the skipped ones count alike.
			df.obj.Close()
			df.obj = nil
		}
		for c := range df.chunks {
			sc.morsels = append(sc.morsels, morselRef{file: fi, chunk: c})
		}
	}
	return sc, nil
}

// kernelOf returns the conversion for a column type, 0 for none.
func kernelOf(t types.Type) kernel {
	switch t.Kind {
	case types.Bool:
		return kBool
	case types.Int32:
		return kInt32
	case types.Int64:
		return kInt64
	case types.Float64:
		return kFloat64
	case types.Decimal:
		if vector.PhysicalOf(t) == vector.PhysInt64 {
			return kDecimal64
		}
		return kDecimal128
	case types.String:
		return kString
	case types.Date:
		return kDate
	case types.Timestamp:
		return kTimestamp
	}
	return 0
}

// typeNoun names a type with its article, for "… is not an int32".
func typeNoun(t types.Type) string {
	if t.Kind == types.Int32 || t.Kind == types.Int64 {
		return "an " + t.String()
	}
	return "a " + t.String()
}

// scan is an opened scan: the files, their morsels and the counters.
type scan struct {
	header      bool
	delim       rune
	null        string
	skip        bool
	rejects     dataio.RejectSink
	schema      types.Schema
	slots       []int
	preds       []dataio.Predicate
	cols        []column
	batchSize   int
	morselBytes int64

	files   []*dataFile
	morsels []morselRef
	readers sync.Pool

	bytesRead atomic.Int64
	rows      atomic.Int64
	rejected  atomic.Int64
	// skipped counts the morsels of files that partition values ruled
	// out.
	skipped atomic.Int64
}

// morselRef names a morsel: a chunk of a file.
type morselRef struct{ file, chunk int }

// dataFile is one opened file of a scan.
type dataFile struct {
	file objects.File
	obj  objects.Object
	size int64
	// dataStart is the offset of the first record after the header, and
	// startLine its line number.
	dataStart int64
	startLine int64
	// nfields is the number of fields every record must have.
	nfields int
	// fieldOf maps each column the scan reads to its field in a record;
	// -1 for a column that the file's partition folders supply.
	fieldOf []int
	// consts holds, for each column the scan reads, its partition value
	// when the folders supply it (fieldOf -1), nil otherwise.
	consts []*hive.Constant
	// fromFolders counts the schema's columns that the partition folders
	// supply to a file without a header, for messages.
	fromFolders int
	// pruned is set when a predicate on a partition column excludes the
	// whole file.
	pruned bool
	// chunks are the morsels' byte ranges: chunk c starts at
	// dataStart + c*morselBytes.
	chunks []chunkCount

	// mu guards the prefix counts: quotes[c] and lines[c] count the quotes
	// and line feeds before chunk c, known for c < len(quotes).
	mu     sync.Mutex
	quotes []int64
	lines  []int64
}

// chunkCount holds the number of quotes and line feeds of one chunk,
// computed once by whichever morsel needs it first.
type chunkCount struct {
	once             sync.Once
	quotes, newlines int64
	err              error
}

// openFile opens one file and reads its header.
func (sc *scan) openFile(ctx context.Context, store objects.Store, lf objects.File) (*dataFile, error) {
	obj, err := store.Open(ctx, lf)
	if err != nil {
		return nil, err
	}
	df, err := sc.readHeader(ctx, obj, lf)
	if err != nil {
		obj.Close()
		return nil, err
	}
	n := (df.size - df.dataStart + sc.morselBytes - 1) / sc.morselBytes
	df.chunks = make([]chunkCount, n)
	df.quotes, df.lines = []int64{0}, []int64{0}
	return df, nil
}

// readHeader reads the byte-order mark and the header line of a file and
// maps the scan's columns to fields.
func (sc *scan) readHeader(ctx context.Context, obj objects.Object, lf objects.File) (*dataFile, error) {
	df := &dataFile{file: lf, obj: obj, size: obj.Size(), startLine: 1}
	buf := make([]byte, min(df.size, 64<<10))
	if err := sc.readAt(ctx, obj, buf, 0); err != nil {
		return nil, fmt.Errorf("%s: %w", lf.Name, err)
	}
	pos := 0
	if len(buf) >= 3 && string(buf[:3]) == "\uFEFF" {
		pos = 3
	}
	if !sc.header {
		df.dataStart = int64(pos)
		if err := sc.fieldsWithoutHeader(df); err != nil {
			return nil, err
		}
		return df, nil
	}
	tok := newTokenizer(sc.delim)
	for {
		if pos == len(buf) && int64(len(buf)) == df.size {
			return nil, fmt.Errorf("%s is empty: a CSV source needs a header line naming its columns", lf.Name)
		}
		eof := int64(len(buf)) == df.size
		_, next, nl, st, reason := tok.record(buf, pos, eof)
		switch st {
		case recMore:
			more := make([]byte, min(df.size, 2*int64(len(buf)))-int64(len(buf)))
			if err := sc.readAt(ctx, obj, more, int64(len(buf))); err != nil {
				return nil, fmt.Errorf("%s: %w", lf.Name, err)
			}
			buf = append(buf, more...)
			continue
		case recBlank:
			df.startLine++
			pos = next
			continue
		case recBad:
			return nil, fmt.Errorf("%s:%d: the header line is not valid CSV: %s", lf.Name, df.startLine, reason)
		}
		names := make([]string, len(tok.fields))
		for i, sp := range tok.fields {
			// Names as the schema reader (encoding/csv) reads them: it
			// turns \r\n inside quotes into \n. Values keep their bytes.
			names[i] = strings.ReplaceAll(string(unquote(buf[sp.start:sp.end], nil)), "\r\n", "\n")
		}
		if err := checkHeader(names, lf); err != nil {
			return nil, err
		}
		df.nfields = len(names)
		df.dataStart = int64(next)
		df.startLine += int64(nl) + 1
		byName := make(map[string]int, len(names))
		for i, name := range names {
			byName[name] = i
		}
		// The partition folders are parsed only when the header lacks a
		// column: a stray folder name cannot break a scan that does not
		// need them.
		var kvs []hive.KV
		parsed := false
		for _, c := range sc.schema {
			if _, ok := byName[c.Name]; ok {
				continue
			}
			if !parsed {
				var err error
				if kvs, err = hive.Parse(lf.Rel); err != nil {
					return nil, fmt.Errorf("%s: %w", lf.Name, err)
				}
				parsed = true
			}
			if _, ok := hive.Lookup(kvs, c.Name); !ok {
				return nil, fmt.Errorf("%s: no column %q in the header (%s)", lf.Name, c.Name, strings.Join(names, string(sc.delim)))
			}
		}
		df.fieldOf = make([]int, len(sc.slots))
		for i, c := range sc.slots {
			f, ok := byName[sc.schema[c].Name]
			if !ok {
				f = -1
			}
			df.fieldOf[i] = f
		}
		if err := sc.partitionValues(df, kvs, func(c int) bool {
			_, ok := byName[sc.schema[c].Name]
			return !ok
		}); err != nil {
			return nil, err
		}
		return df, nil
	}
}

// fieldsWithoutHeader maps the scan's columns to the fields of a file
// without a header: the schema's columns that the file's partition folders
// do not name are its fields, in order.
func (sc *scan) fieldsWithoutHeader(df *dataFile) error {
	kvs, err := hive.Parse(df.file.Rel)
	if err != nil {
		return fmt.Errorf("%s: %w", df.file.Name, err)
	}
	field := make([]int, len(sc.schema))
	n := 0
	for i, c := range sc.schema {
		if _, ok := hive.Lookup(kvs, c.Name); ok {
			field[i] = -1
			continue
		}
		field[i] = n
		n++
	}
	df.nfields = n
	df.fromFolders = len(sc.schema) - n
	df.fieldOf = make([]int, len(sc.slots))
	for i, c := range sc.slots {
		df.fieldOf[i] = field[c]
	}
	return sc.partitionValues(df, kvs, func(c int) bool { return field[c] < 0 })
}

// partitionValues converts the partition values of the columns that the
// folders supply (fromFolders says which, by schema index) and marks the
// file pruned when one rules out a predicate.
func (sc *scan) partitionValues(df *dataFile, kvs []hive.KV, fromFolders func(c int) bool) error {
	for slot, c := range sc.slots {
		if df.fieldOf[slot] >= 0 {
			continue
		}
		col := sc.schema[c]
		kv, _ := hive.Lookup(kvs, col.Name)
		k, err := hive.NewConstant(kv, col)
		if err != nil {
			return fmt.Errorf("%s: column %q: %w", df.file.Name, col.Name, err)
		}
		if df.consts == nil {
			df.consts = make([]*hive.Constant, len(sc.slots))
		}
		df.consts[slot] = k
	}
	for _, p := range sc.preds {
		if p.Column < 0 || p.Column >= len(sc.schema) || !fromFolders(p.Column) {
			continue
		}
		kv, _ := hive.Lookup(kvs, sc.schema[p.Column].Name)
		// A value that does not convert proves nothing here; the scan
		// reports it if the column is read.
		if k, err := hive.NewConstant(kv, sc.schema[p.Column]); err == nil && k.Excludes(p) {
			df.pruned = true
		}
	}
	return nil
}

// readAt fills buf from offset off of obj, in one read (one request on
// S3) under ctx, and counts the bytes read.
func (sc *scan) readAt(ctx context.Context, obj objects.Object, buf []byte, off int64) error {
	if len(buf) == 0 {
		return nil
	}
	rc, err := obj.NewReader(ctx, off, int64(len(buf)))
	if err != nil {
		return err
	}
	defer rc.Close()
	n, err := io.ReadFull(rc, buf)
	sc.bytesRead.Add(int64(n))
	if errors.Is(err, io.ErrUnexpectedEOF) {
		// The file is shorter than when it was opened.
		err = io.EOF
	}
	return err
}

// Morsels returns the number of morsels: MorselBytes of data each, over
// every file.
func (sc *scan) Morsels() int { return len(sc.morsels) }

// Stats returns what the scan has read so far.
func (sc *scan) Stats() dataio.ScanStats {
	return dataio.ScanStats{
		Files:          len(sc.files),
		Bytes:          sc.bytesRead.Load(),
		Rows:           sc.rows.Load(),
		SkippedMorsels: int(sc.skipped.Load()),
		Rejected:       sc.rejected.Load(),
	}
}

// Close closes the files.
func (sc *scan) Close() error {
	var errs []error
	for _, df := range sc.files {
		if df.obj != nil {
			errs = append(errs, df.obj.Close())
			df.obj = nil
		}
	}
	return errors.Join(errs...)
}

// Read parses morsel m and emits its rows in batches of at most the
// request's BatchSize rows. It may run concurrently for different morsels.
func (sc *scan) Read(ctx context.Context, m int, emit func(*vector.Batch) error) error {
	if m < 0 || m >= len(sc.morsels) {
		return fmt.Errorf("csv scan: no morsel %d of %d", m, len(sc.morsels))
	}
	if sc.files[sc.morsels[m].file].pruned {
		sc.skipped.Add(1)
		return nil
	}
	r, _ := sc.readers.Get().(*reader)
	if r == nil {
		r = sc.newReader()
	}
	defer sc.readers.Put(r)
	return r.read(ctx, sc.morsels[m], emit)
}

// chunkRange returns chunk c's byte range in df.
func (sc *scan) chunkRange(df *dataFile, c int) (start, end int64) {
	start = df.dataStart + int64(c)*sc.morselBytes
	return start, min(start+sc.morselBytes, df.size)
}

// count returns chunk c's numbers of quotes and line feeds, counting them
// in data (the chunk's bytes) or, when data is nil, reading the chunk.
func (sc *scan) count(ctx context.Context, df *dataFile, c int, data []byte) (quotes, newlines int64, err error) {
	cc := &df.chunks[c]
	cc.once.Do(func() {
		if data == nil {
			start, end := sc.chunkRange(df, c)
			data = make([]byte, end-start)
			if cc.err = sc.readAt(ctx, df.obj, data, start); cc.err != nil {
				cc.err = fmt.Errorf("%s: %w", df.file.Name, cc.err)
				return
			}
		}
		cc.quotes = int64(countByte(data, '"'))
		cc.newlines = int64(countByte(data, '\n'))
	})
	return cc.quotes, cc.newlines, cc.err
}

// prefix returns the numbers of quotes and line feeds before chunk c.
func (sc *scan) prefix(ctx context.Context, df *dataFile, c int) (quotes, lines int64, err error) {
	df.mu.Lock()
	defer df.mu.Unlock()
	for k := len(df.quotes) - 1; k < c; k++ {
		q, nl, err := sc.count(ctx, df, k, nil)
		if err != nil {
			return 0, 0, err
		}
		df.quotes = append(df.quotes, df.quotes[k]+q)
		df.lines = append(df.lines, df.lines[k]+nl)
	}
	return df.quotes[c], df.lines[c], nil
}

// maxBuffer bounds a morsel's buffer: fields are int32 offsets into it.
const maxBuffer = math.MaxInt32
