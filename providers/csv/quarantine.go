package csv

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/meshctl/meshctl/executor/dataio"
)

// QuarantineSink is a dataio.RejectSink that writes the rows a scan sets
// aside to a CSV file with the columns file, line, reason and record (the
// raw text of the row as read). It is safe for concurrent use: rows are
// written whole, one at a time, in the order the calls arrive.
type QuarantineSink struct {
	mu     sync.Mutex
	name   string
	f      *os.File
	w      *bufio.Writer
	sum    hash.Hash
	n      int64
	rows   int64
	line   []byte
	err    error
	closed bool
}

var _ dataio.RejectSink = (*QuarantineSink)(nil)

// countingWriter counts and hashes what goes to the file.
type countingWriter struct {
	q *QuarantineSink
	w io.Writer
}

func (c countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.q.n += int64(n)
	c.q.sum.Write(p[:n])
	return n, err
}

// NewQuarantineSink creates the file name in dir (which must exist; the
// file must not) and writes its header line. Close it after the scan.
func NewQuarantineSink(dir, name string) (*QuarantineSink, error) {
	f, err := os.OpenFile(filepath.Join(dir, filepath.FromSlash(name)), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create quarantine file: %w", err)
	}
	q := &QuarantineSink{name: name, f: f, sum: sha256.New()}
	q.w = bufio.NewWriterSize(countingWriter{q: q, w: f}, 64<<10)
	if _, err := q.w.WriteString("file,line,reason,record\n"); err != nil {
		f.Close()
		return nil, err
	}
	return q, nil
}

// Reject writes one row. The record is copied; the caller may reuse it.
func (q *QuarantineSink) Reject(file string, line int64, record []byte, reason string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return errors.New("quarantine: reject after close")
	}
	if q.err != nil {
		return q.err
	}
	b := appendField(q.line[:0], []byte(file))
	b = append(b, ',')
	b = strconv.AppendInt(b, line, 10)
	b = append(b, ',')
	b = appendField(b, []byte(reason))
	b = append(b, ',')
	b = appendField(b, record)
	b = append(b, '\n')
	q.line = b
	if _, err := q.w.Write(b); err != nil {
		q.err = fmt.Errorf("write quarantine file %s: %w", q.name, err)
		return q.err
	}
	q.rows++
	return nil
}

// Rows returns the number of rows written so far.
func (q *QuarantineSink) Rows() int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.rows
}

// Close flushes and closes the file and describes it: Path is the name
// given to NewQuarantineSink, Rows the rejected rows (the header left
// out).
func (q *QuarantineSink) Close() (dataio.File, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return dataio.File{}, errors.New("quarantine: closed twice")
	}
	q.closed = true
	err := q.err
	if err == nil {
		err = q.w.Flush()
	}
	if cerr := q.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return dataio.File{}, err
	}
	return dataio.File{Path: q.name, Rows: q.rows, Bytes: q.n, SHA256: hex.EncodeToString(q.sum.Sum(nil))}, nil
}
