package pgtable

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/types"
)

// Sinker writes "postgres" outputs into the staging table that
// Lake.Stage created: SinkRequest.Output.Path is the output's location
// (for the DSN's variable), SinkRequest.Dir the staging table,
// "<schema>.<table>". The writer adds the output's columns (SQLType;
// NOT NULL for columns that are not nullable) and streams every batch
// through one binary COPY. It writes no files: Close returns none, and
// the rows are counted.
type Sinker struct {
	getenv func(string) (string, bool)
}

var _ dataio.Sinker = (*Sinker)(nil)

// NewSinker returns the Sinker of the "postgres" output format.
func NewSinker(o Options) *Sinker { return &Sinker{getenv: o.getenv()} }

// flushBytes is how much encoded data a writer gathers before handing it
// to the COPY.
const flushBytes = 1 << 20

// Create connects, adds the output's columns to the staging table and
// starts the COPY. The writer owns the connection until Close or Abort.
func (s *Sinker) Create(ctx context.Context, req dataio.SinkRequest) (dataio.Writer, error) {
	t, err := parseTarget(req.Output.Path)
	if err != nil {
		return nil, err
	}
	if len(req.Output.PartitionBy) > 0 {
		return nil, fmt.Errorf("%s: partition_by does not apply to postgres outputs", t.loc)
	}
	schema, table, ok := strings.Cut(req.Dir, ".")
	if !ok || schema == "" || table == "" || strings.Contains(table, ".") {
		return nil, fmt.Errorf("%s: %q does not name a staging table (schema.table)", t.loc, req.Dir)
	}
	if len(req.Schema) == 0 {
		return nil, fmt.Errorf("%s: the output has no columns", t.loc)
	}
	w := &writer{schema: req.Schema, table: schema + "." + table, done: make(chan struct{})}
	defs := make([]string, len(req.Schema))
	names := make([]string, len(req.Schema))
	for i, c := range req.Schema {
		typ, err := SQLType(c.Type)
		if err != nil {
			return nil, fmt.Errorf("%s: column %q: %w", t.loc, c.Name, err)
		}
		enc, err := encoderFor(c.Type)
		if err != nil {
			return nil, fmt.Errorf("%s: column %q: %w", t.loc, c.Name, err)
		}
		w.enc = append(w.enc, enc)
		names[i] = quote(c.Name)
		defs[i] = "ADD COLUMN " + names[i] + " " + typ
		if !c.Nullable {
			defs[i] += " NOT NULL"
		}
	}
	conn, err := connect(ctx, s.getenv, t)
	if err != nil {
		return nil, err
	}
	ident := quote(schema, table)
	cols, err := tableColumns(ctx, conn, schema, table)
	if err == nil && len(cols) > 0 {
		err = fmt.Errorf("the staging table %s already has columns: it is not one Stage created", w.table)
	}
	if err == nil {
		if ok, xerr := exists(ctx, conn, schema, table); xerr != nil {
			err = xerr
		} else if !ok {
			err = fmt.Errorf("there is no staging table %s (Lake.Stage creates it)", w.table)
		}
	}
	if err == nil {
		_, err = conn.Exec(ctx, "ALTER TABLE "+ident+" "+strings.Join(defs, ", "))
	}
	if err != nil {
		closeConn(ctx, conn)
		return nil, fmt.Errorf("%s: %w", t.loc, explain(err, t))
	}
	w.conn = conn
	pr, pw := io.Pipe()
	w.pw = pw
	copySQL := "COPY " + ident + " (" + strings.Join(names, ", ") + ") FROM STDIN (FORMAT binary)"
	go func() {
		defer close(w.done)
		w.tag, w.copyErr = conn.PgConn().CopyFrom(ctx, pr, copySQL)
		// Unblocks a Write waiting on a COPY that ended.
		if w.copyErr != nil {
			pr.CloseWithError(w.copyErr)
		} else {
			pr.CloseWithError(errors.New("the COPY ended"))
		}
	}()
	w.buf = append(w.buf, copyHeader...)
	return w, nil
}

// writer streams one output into its staging table.
type writer struct {
	schema types.Schema
	table  string // schema.table, for messages
	enc    []encoder
	conn   *pgx.Conn
	pw     *io.PipeWriter
	buf    []byte
	rows   int64

	done    chan struct{}
	tag     pgconn.CommandTag
	copyErr error
	endOnce sync.Once
}

// Write encodes b's rows and sends them when enough are gathered.
func (w *writer) Write(ctx context.Context, b *vector.Batch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(b.Cols) != len(w.enc) {
		return fmt.Errorf("write %s: a batch of %d columns, the output has %d", w.table, len(b.Cols), len(w.enc))
	}
	ncols := uint16(len(w.enc))
	for i := 0; i < b.Len; i++ {
		w.buf = binary.BigEndian.AppendUint16(w.buf, ncols)
		for c, v := range b.Cols {
			if v.Valid != nil && !v.Valid.Get(i) {
				w.buf = append(w.buf, 0xff, 0xff, 0xff, 0xff)
				continue
			}
			w.buf = w.enc[c](w.buf, v, i)
		}
	}
	w.rows += int64(b.Len)
	if len(w.buf) >= flushBytes {
		return w.flush()
	}
	return nil
}

func (w *writer) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.pw.Write(w.buf)
	w.buf = w.buf[:0]
	if err != nil {
		return fmt.Errorf("copy into %s: %w", w.table, err)
	}
	return nil
}

// end finishes the COPY (aborting it with abort) and closes the
// connection, once.
func (w *writer) end(abort error) error {
	var err error
	w.endOnce.Do(func() {
		if abort != nil {
			w.pw.CloseWithError(abort)
		} else {
			w.buf = append(w.buf, copyTrailer...)
			err = w.flush()
			w.pw.Close()
		}
		<-w.done
		if err == nil && w.copyErr != nil {
			err = fmt.Errorf("copy into %s: %w", w.table, w.copyErr)
		}
		closeConn(context.Background(), w.conn)
	})
	return err
}

// Close ends the COPY and checks that the server stored every row. It
// returns no files (the rows are in the table), as an empty, non-nil
// slice.
func (w *writer) Close(ctx context.Context) ([]dataio.File, error) {
	if err := w.end(nil); err != nil {
		return nil, err
	}
	if got := w.tag.RowsAffected(); got != w.rows {
		return nil, fmt.Errorf("copy into %s: the server stored %d rows of %d", w.table, got, w.rows)
	}
	return []dataio.File{}, nil
}

// Abort cancels the COPY; the staging table stays, empty, for
// Lake.Discard.
func (w *writer) Abort() { _ = w.end(errors.New("meshctl aborted the write")) }
