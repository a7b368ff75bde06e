// Package dataio defines how the executor reads sources and writes outputs:
// the Scanner and Sinker interfaces that providers (Parquet, CSV,
// PostgreSQL, S3) implement, and the requests the executor hands them.
//
// It imports only lang/ir, lang/types and executor/vector: a provider
// imports dataio and vector, never the executor itself.
package dataio

import (
	"context"

	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// DefaultBatchSize is the number of rows per batch unless configured.
const DefaultBatchSize = 64 * 1024

// Scanner opens scans of one kind of source. Implementations are safe for
// concurrent use.
type Scanner interface {
	Open(ctx context.Context, req ScanRequest) (Scan, error)
}

// ScanRequest says what to read.
type ScanRequest struct {
	Source *ir.Source
	// Schema is the source's full schema as the compiler assumed it
	// (ir.Scan.Out): names, types (to convert to) and nullability.
	Schema types.Schema
	// Columns are the indexes into Schema of the columns the plan reads, in
	// increasing order. Batches carry exactly these columns, in this order.
	// It may be empty (count() over a file): batches then have no columns
	// but a Len.
	Columns []int
	// Predicates are conjuncts of the filter above the scan. A scan may use
	// them to skip data it can prove holds no matching row (Parquet row
	// groups by their statistics); it need not apply them to rows, and
	// must never drop a row that could match: the filter runs again.
	Predicates []Predicate
	// BatchSize is the most rows per batch (DefaultBatchSize when 0).
	BatchSize int
	// Rejects receives rows that a scan with on_error = "skip" or
	// "quarantine" sets aside; nil when the source fails on bad data.
	Rejects RejectSink
}

// Predicate is a simple conjunct: Schema[Column] Op Value, or, with
// NotNull, Schema[Column] != null. Value has the column's type.
type Predicate struct {
	Column  int
	Op      ir.BinaryOp
	Value   ir.Value
	NotNull bool
}

// RejectSink receives rows that failed to parse. Calls may come from
// several goroutines at once.
type RejectSink interface {
	// Reject records one bad row: the file, its line (1-based), the raw
	// record as read, and why it was rejected ("column \"age\": \"x\" is
	// not an int32").
	Reject(file string, line int64, record []byte, reason string) error
}

// Scan is an opened scan, divided into morsels: independent units of work
// (row groups, byte ranges of a file) that the executor reads in parallel.
type Scan interface {
	// Morsels returns the number of morsels. Reading them in order 0, 1, …
	// yields the rows in the source's order.
	Morsels() int
	// Read reads morsel m and calls emit with each of its batches, in
	// order. A batch is only valid during the call: the scan may reuse it.
	// Read may be called concurrently for different morsels. A value that
	// does not convert to its column's type is an error naming the file,
	// the line or row, and the column — unless the request has Rejects.
	Read(ctx context.Context, m int, emit func(*vector.Batch) error) error
	// Stats returns what the scan has read so far.
	Stats() ScanStats
	// Close releases the scan's resources.
	Close() error
}

// ScanStats counts a scan's work, for explain --analyze and progress.
type ScanStats struct {
	Files int
	// Bytes read from storage.
	Bytes int64
	Rows  int64
	// SkippedMorsels were proven empty by Predicates and not read.
	SkippedMorsels int
	// Rejected rows were skipped or quarantined.
	Rejected int64
}

// Sinker creates writers for one output format.
type Sinker interface {
	Create(ctx context.Context, req SinkRequest) (Writer, error)
}

// SinkRequest says what to write and where.
type SinkRequest struct {
	Output ir.Output
	// Schema is the published schema (ir.Output.Schema).
	Schema types.Schema
	// Dir is the local folder to write files into (created by the caller,
	// empty). Files may go into subfolders (partitions).
	Dir string
	// RowGroupSize is the most rows per Parquet row group (0: the sink's
	// default).
	RowGroupSize int
}

// Writer writes one output. Write is called from one goroutine, with
// batches in output order; batches are only valid during the call.
type Writer interface {
	Write(ctx context.Context, b *vector.Batch) error
	// Close flushes everything and returns the files written, sorted by
	// path. After an error, Abort instead.
	Close(ctx context.Context) ([]File, error)
	// Abort stops writing and removes partial files.
	Abort()
}

// File is one file a writer produced.
type File struct {
	// Path is relative to SinkRequest.Dir, slash-separated.
	Path   string
	Rows   int64
	Bytes  int64
	SHA256 string
}
