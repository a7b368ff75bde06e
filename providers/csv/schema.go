package csv

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/sourceschema"
	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/providers/internal/hive"
	"github.com/meshctl/meshctl/providers/internal/objects"
	"github.com/meshctl/meshctl/providers/internal/textvalue"
)

// DefaultSampleRows is the number of data rows whose values decide the
// column types when SchemaReader.SampleRows is not set.
const DefaultSampleRows = 10000

// SchemaReader infers the schema of CSV sources, on the local file system
// or on S3, from their header line and a sample of their rows. It holds no
// state besides its configuration and is safe for concurrent use.
type SchemaReader struct {
	// Dir is the workspace root, against which a relative source path is
	// resolved; absolute paths are used as they are.
	Dir string
	// S3 reads s3:// sources (providers/s3.Stores), through the source's
	// endpoint; without it they are refused.
	S3 objects.S3
	// SampleRows is how many data rows, over all the files of a source in
	// path order, decide the column types; DefaultSampleRows when zero or
	// negative.
	SampleRows int
}

var _ sourceschema.Reader = SchemaReader{}

// ReadSchema returns the columns of the CSV files that src.Path names: a
// file, a directory (every *.csv file below it), or a glob pattern. Each
// file is read as a stream (one GET on S3) until the sample is full, so
// that only its start is fetched. Every file must have the same header; the columns come in its order, and all
// are nullable, since a sample cannot prove that a column holds no nulls.
//
// A column's type is the narrowest of bool, int64, float64, date and
// timestamp that all of its sampled non-null values can be read as, and
// string otherwise; a column with no non-null value in the sample is a
// string, with a note. The empty field and src.CSV.NullValue are null.
//
// A sampled row with the wrong number of fields is an error, unless
// src.CSV.OnError is "skip" or "quarantine": then the row is left out of
// the sample, as the run will leave it out of the data.
//
// When the files lie in Hive-style partition folders below the folder the
// source names (country=DE/part-00000.csv), the partition columns that
// the header does not name come after the header's columns, in folder
// order, typed as hive.Columns infers them from the folders' values (with
// the rules above) and nullable only when a folder holds a null.
func (r SchemaReader) ReadSchema(ctx context.Context, src *ir.Source) (*sourceschema.Result, error) {
	s, err := newSampler(src.CSV, r.SampleRows)
	if err != nil {
		return nil, err
	}
	store, err := objects.For(ctx, r.Dir, src.Path, src.Endpoint, r.S3)
	if err != nil {
		return nil, err
	}
	files, err := store.Match(ctx, src.Path, ".csv")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := s.readFile(ctx, store, f); err != nil {
			return nil, err
		}
	}
	parts, err := hive.Columns(objects.AsLocalFiles(files))
	if err != nil {
		return nil, err
	}
	res := s.result()
	for _, c := range parts {
		// A column the files hold is read from them, not from the folders.
		if res.Columns.Index(c.Name) < 0 {
			res.Columns = append(res.Columns, c)
		}
	}
	return res, nil
}

// validDelimiter mirrors encoding/csv's rule, so that a bad delimiter is
// reported before any file is opened.
func validDelimiter(r rune) bool {
	return r != 0 && r != '"' && r != '\r' && r != '\n' && utf8.ValidRune(r) && r != utf8.RuneError
}

// sampler accumulates the header and the type guesses over the files of
// one source.
type sampler struct {
	comma       rune
	null        string
	limit       int
	skipBadRows bool

	// rows counts the data rows sampled so far, over all files.
	rows int
	// header is the first file's header, which headerFile names.
	header     []string
	headerFile objects.File
	guesses    []textvalue.Guess
}

// newSampler checks a source's CSV options and returns a sampler of at
// most limit rows (DefaultSampleRows when limit is not positive).
func newSampler(opts ir.CSVOptions, limit int) (*sampler, error) {
	if !opts.Header {
		return nil, errors.New("a CSV source without a header line (header = false) has no column names to read: " +
			"declare its columns in a schema block with infer = false")
	}
	s := &sampler{comma: opts.Delimiter, null: opts.NullValue, limit: limit}
	if s.comma == 0 {
		s.comma = ','
	}
	if !validDelimiter(s.comma) {
		return nil, fmt.Errorf("%q cannot be a CSV delimiter: a delimiter must be one valid character other than a quote, a line break or a NUL", s.comma)
	}
	if s.limit <= 0 {
		s.limit = DefaultSampleRows
	}
	s.skipBadRows = opts.OnError == "skip" || opts.OnError == "quarantine"
	return s, nil
}

// readFile checks one file's header and samples its rows until the sample
// is full.
func (s *sampler) readFile(ctx context.Context, store objects.Store, file objects.File) error {
	obj, err := store.Open(ctx, file)
	if err != nil {
		return err
	}
	defer obj.Close()
	rc, err := obj.NewReader(ctx, 0, obj.Size())
	if err != nil {
		return err
	}
	defer rc.Close()
	return s.read(ctx, rc, file)
}

// read checks the header of the CSV text in r, which file names, and
// samples its rows until the sample is full.
func (s *sampler) read(ctx context.Context, r io.Reader, file objects.File) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, _ := br.Peek(3); string(bom) == "\uFEFF" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.Comma = s.comma
	cr.FieldsPerRecord = -1 // checked here, to report both counts
	cr.ReuseRecord = true

	rec, err := cr.Read()
	if err == io.EOF {
		return fmt.Errorf("%s is empty: a CSV source needs a header line naming its columns", file.Name)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", file.Name, err)
	}
	if err := checkHeader(rec, file); err != nil {
		return err
	}
	if s.header == nil {
		s.header, s.headerFile = slices.Clone(rec), file
		s.guesses = make([]textvalue.Guess, len(rec))
	} else if !slices.Equal(s.header, rec) {
		sep := string(s.comma)
		return fmt.Errorf("%s and %s have different headers, %q and %q: all files of a source must have the same columns in the same order",
			s.headerFile.Name, file.Name, strings.Join(s.header, sep), strings.Join(rec, sep))
	}

	for s.rows < s.limit {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", file.Name, err)
		}
		if len(rec) != len(s.header) {
			if s.skipBadRows {
				continue
			}
			line, _ := cr.FieldPos(0)
			return fmt.Errorf("%s, line %d: the row has %d fields but the header has %d", file.Name, line, len(rec), len(s.header))
		}
		for i, v := range rec {
			if v != "" && (s.null == "" || v != s.null) {
				s.guesses[i].Observe(v)
			}
		}
		s.rows++
		if s.rows%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkHeader checks that every column of a header has a name of its own.
// Positions in messages count from 1.
func checkHeader(header []string, file objects.File) error {
	seen := make(map[string]int, len(header))
	for i, name := range header {
		if strings.TrimSpace(name) == "" {
			return fmt.Errorf("%s: column %d of the header has no name", file.Name, i+1)
		}
		if j, dup := seen[name]; dup {
			return fmt.Errorf("%s: columns %d and %d of the header are both named %q", file.Name, j+1, i+1, name)
		}
		seen[name] = i
	}
	return nil
}

// result turns the guesses into columns.
func (s *sampler) result() *sourceschema.Result {
	res := &sourceschema.Result{Columns: make(types.Schema, len(s.header))}
	for i, name := range s.header {
		res.Columns[i] = types.Column{Name: name, Type: s.guesses[i].Type(), Nullable: true}
	}
	if s.rows == 0 {
		res.Notes = append(res.Notes, "the source has no data rows to infer column types from, so every column is read as string")
		return res
	}
	for i, name := range s.header {
		if s.guesses[i].Values() == 0 {
			res.Notes = append(res.Notes, fmt.Sprintf("column %q is null in all %d sampled rows, so it is read as string", name, s.rows))
		}
	}
	return res
}
