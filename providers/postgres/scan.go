package postgres

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/types"
)

// Scanner reads PostgreSQL sources for the executor. It holds no state
// besides its configuration and is safe for concurrent use; every scan
// holds a connection of its own from Open to Close.
type Scanner struct {
	// Getenv resolves a source's dsn = env("NAME"); os.LookupEnv when nil.
	Getenv func(string) (string, bool)
}

var _ dataio.Scanner = Scanner{}

// Open connects, starts a read-only REPEATABLE READ transaction — whose
// snapshot, taken here, is what the scan reads however long it takes —
// and checks that the relation has the requested columns in types that
// convert to the requested ones: the type SchemaReader maps a column to,
// or a wider one (smallint and integer to int64, integers to float64 and
// decimals, numeric to float64, date to timestamp), or one checked value
// by value (bigint to int32, numeric to a decimal of other precision or
// scale, extra fraction digits rounded half away from zero).
//
// A scan has one morsel: one SELECT of the requested columns, streamed
// from the server in the binary protocol and decoded into batches of
// req.BatchSize rows as they arrive, so that memory stays bounded by a
// batch whatever the table's size. One morsel keeps the snapshot to one
// session, without exporting it to parallel ones, and keeps the server's
// work (and a query source's result) to one execution; decoding keeps up
// with what one server backend sends.
//
// The predicates whose column PostgreSQL reads exactly as meshctl does are
// pushed into the WHERE clause as bind parameters (strings compared under
// the C collation, meshctl's byte order); the others are left to the
// executor's filter. Without columns the scan counts rows on the server.
//
// A value that does not convert, or a null in a column that is not
// nullable, is an error naming the row (counted from 1 in the order the
// server sends them) and the column.
func (s Scanner) Open(ctx context.Context, req dataio.ScanRequest) (_ dataio.Scan, err error) {
	src := req.Source
	if src == nil {
		return nil, errors.New("postgres scan: the request has no source")
	}
	for _, i := range req.Columns {
		if i < 0 || i >= len(req.Schema) {
			return nil, fmt.Errorf("postgres scan of %s: column index %d is out of the schema's range", src.Name, i)
		}
	}
	conn, err := connect(ctx, src, s.Getenv)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			closeConn(conn)
		}
	}()
	if err := beginSnapshot(ctx, conn); err != nil {
		return nil, fmt.Errorf("start a read-only transaction: %w", sqlError(err, "", ""))
	}
	rel, err := resolve(ctx, conn, src)
	if err != nil {
		return nil, err
	}
	fields, err := describe(ctx, conn, rel)
	if err != nil {
		return nil, err
	}
	byName := make(map[string]field, len(fields))
	for _, f := range fields {
		byName[f.name] = f
	}
	plan := func(c types.Column) (column, error) {
		f, ok := byName[c.Name]
		if !ok {
			return column{}, fmt.Errorf("%s has no column %q", rel.label, c.Name)
		}
		pc, err := planColumn(f, c.Type, rel)
		pc.nullable = c.Nullable
		return pc, err
	}
	sc := &scan{conn: conn, label: rel.label, batchSize: req.BatchSize}
	if sc.batchSize <= 0 {
		sc.batchSize = dataio.DefaultBatchSize
	}
	schema := make(types.Schema, len(req.Columns))
	for i, ci := range req.Columns {
		c, err := plan(req.Schema[ci])
		if err != nil {
			return nil, err
		}
		sc.cols = append(sc.cols, c)
		schema[i] = req.Schema[ci]
	}
	predCols := make([]*column, len(req.Predicates))
	for i, p := range req.Predicates {
		if p.Column < 0 || p.Column >= len(req.Schema) {
			continue
		}
		// A predicate on a column that cannot be read is left to the
		// filter, which reports the problem if the column is needed.
		if c, err := plan(req.Schema[p.Column]); err == nil {
			predCols[i] = &c
		}
	}
	sc.stmt, err = buildSelect(rel, sc.cols, req.Predicates, predCols, conn.TypeMap())
	if err != nil {
		return nil, err
	}
	sc.paramFormats = make([]int16, len(sc.stmt.params))
	sc.resultFormats = make([]int16, max(len(sc.cols), 1)) // the count when there are no columns
	for i := range sc.paramFormats {
		sc.paramFormats[i] = pgtype.BinaryFormatCode
	}
	for i := range sc.resultFormats {
		sc.resultFormats[i] = pgtype.BinaryFormatCode
	}
	sc.batch = vector.NewBatch(schema, sc.batchSize)
	return sc, nil
}

// scan is an opened scan: a connection inside its snapshot transaction.
type scan struct {
	// mu serialises the use of the connection.
	mu    sync.Mutex
	conn  *pgx.Conn
	label string
	cols  []column
	stmt  statement

	paramFormats, resultFormats []int16
	batchSize                   int
	batch                       *vector.Batch
	// scratch is reused for values decoded through their text.
	scratch []byte

	rows, bytes atomic.Int64
}

// Morsels is 1: see Scanner.Open.
func (sc *scan) Morsels() int { return 1 }

// Stats counts the rows emitted and the bytes of the values received.
func (sc *scan) Stats() dataio.ScanStats {
	return dataio.ScanStats{Rows: sc.rows.Load(), Bytes: sc.bytes.Load()}
}

// Close ends the session, and with it the transaction (which only read).
func (sc *scan) Close() error {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.conn != nil {
		closeConn(sc.conn)
		sc.conn = nil
	}
	return nil
}

// closeConn closes a connection, abandoning whatever it was doing: the
// server notices and stops sending.
func closeConn(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = conn.Close(ctx)
}

// Read runs the scan's statement and emits its rows in batches. Reading
// again reads the same snapshot, unless an earlier read stopped early (an
// error, or emit's): that ends the session, since the server would send
// the rest of the result before the next statement.
func (sc *scan) Read(ctx context.Context, m int, emit func(*vector.Batch) error) (err error) {
	if m != 0 {
		return fmt.Errorf("postgres scan: morsel %d does not exist (there is one)", m)
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.conn == nil || sc.conn.IsClosed() {
		return errors.New("postgres scan: the connection is closed (the scan was closed or stopped early)")
	}
	defer func() {
		if err != nil {
			closeConn(sc.conn)
		}
	}()
	rr := sc.conn.PgConn().ExecParams(ctx, sc.stmt.sql, sc.stmt.params, sc.stmt.oids, sc.paramFormats, sc.resultFormats)
	if len(sc.cols) == 0 {
		return sc.emitCount(ctx, rr, emit)
	}
	if fds := rr.FieldDescriptions(); fds != nil {
		if err := sc.checkFields(fds); err != nil {
			return err
		}
	}
	var (
		b     = sc.batch
		size  = sc.batchSize
		cols  = sc.cols
		n     int   // rows in b
		done  int64 // rows emitted
		bytes int64
	)
	b.Reset(size)
	for rr.NextRow() {
		vals := rr.Values()
		if len(vals) != len(cols) {
			return fmt.Errorf("%s: the server sent %d values in a row of %d columns", sc.label, len(vals), len(cols))
		}
		for j := range cols {
			c, v, raw := &cols[j], b.Cols[j], vals[j]
			if raw == nil {
				if !c.nullable {
					return sc.rowError(done+int64(n), c, "the value is null, but the column is declared not null")
				}
				v.SetNull(n)
				if v.Phys == vector.PhysString {
					v.AppendString(n, nil)
				}
				continue
			}
			bytes += int64(len(raw))
			if why := c.put(v, n, raw, &sc.scratch); why != "" {
				return sc.rowError(done+int64(n), c, why)
			}
		}
		if n++; n == size {
			sc.bytes.Add(bytes)
			bytes = 0
			if err := sc.emit(b, n, emit); err != nil {
				return err
			}
			done += int64(n)
			n = 0
			b.Reset(size)
		}
	}
	sc.bytes.Add(bytes)
	if _, err := rr.Close(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%s: %w", sc.label, sqlError(err, "", ""))
	}
	if n > 0 {
		return sc.emit(b, n, emit)
	}
	return nil
}

// emit hands b, holding n rows, downstream.
func (sc *scan) emit(b *vector.Batch, n int, emit func(*vector.Batch) error) error {
	truncate(b, n)
	sc.rows.Add(int64(n))
	return emit(b)
}

// emitCount emits batches without columns adding up to the count the
// statement returned.
func (sc *scan) emitCount(ctx context.Context, rr *pgconn.ResultReader, emit func(*vector.Batch) error) error {
	var count int64
	rows := 0
	for rr.NextRow() {
		if v := rr.Values(); len(v) == 1 && len(v[0]) == 8 {
			count = int64(binary.BigEndian.Uint64(v[0]))
			rows++
		}
	}
	if _, err := rr.Close(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%s: %w", sc.label, sqlError(err, "", ""))
	}
	if rows != 1 {
		return fmt.Errorf("%s: the server's count came back malformed", sc.label)
	}
	b := &vector.Batch{}
	for count > 0 {
		n := int(min(count, int64(sc.batchSize)))
		b.Len = n
		sc.rows.Add(int64(n))
		if err := emit(b); err != nil {
			return err
		}
		count -= int64(n)
	}
	return nil
}

// checkFields makes sure the result has the types Open planned for; the
// transaction's locks keep the table's definition, so a difference is a
// bug rather than a race.
func (sc *scan) checkFields(fds []pgconn.FieldDescription) error {
	if len(fds) != len(sc.cols) {
		return fmt.Errorf("%s: the server returned %d columns, not the %d asked for", sc.label, len(fds), len(sc.cols))
	}
	for i, fd := range fds {
		if c := sc.cols[i]; fd.DataTypeOID != c.field.oid || fd.Format != pgtype.BinaryFormatCode {
			return fmt.Errorf("%s: column %q changed type during the scan", sc.label, c.name)
		}
	}
	return nil
}

func (sc *scan) rowError(row int64, c *column, why string) error {
	return fmt.Errorf("%s, row %d: column %q: %s", sc.label, row+1, c.name, why)
}

// truncate makes every vector of b hold its first n rows.
func truncate(b *vector.Batch, n int) {
	b.Len = n
	for _, v := range b.Cols {
		if v.Len == n {
			continue
		}
		v.Truncate(n)
	}
}
