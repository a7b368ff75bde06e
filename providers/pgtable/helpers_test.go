package pgtable

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/meshctl/meshctl/executor/dataio"
	dec "github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/planner/lakeio"
	"github.com/meshctl/meshctl/providers/internal/pgtest"
)

// null stands for a null cell in the text tables of the tests.
const null = "∅"

// testEnv is the variable the tests' locations name for the DSN.
const testEnv = "MESHCTL_PGTABLE_TEST_DSN"

// fixture is a fresh schema with a Lake and a Sinker on it.
type fixture struct {
	t    *testing.T
	s    *pgtest.Schema
	lake *Lake
	snk  *Sinker
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	s := pgtest.New(t)
	o := Options{Getenv: func(name string) (string, bool) {
		if name == testEnv {
			return s.DSN, true
		}
		return "", false
	}}
	return &fixture{t: t, s: s, lake: New(o), snk: NewSinker(o)}
}

// loc is the location of table in the fixture's schema.
func (f *fixture) loc(table string) string {
	return ir.PostgresLocation(testEnv, f.s.Name+"."+table)
}

// query returns the rows of a query as text cells (null for NULL).
func (f *fixture) query(sql string, args ...any) [][]string {
	f.t.Helper()
	rows, err := f.s.Conn.Query(context.Background(), sql, args...)
	if err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([]string, error) {
		vals := make([]*string, len(r.FieldDescriptions()))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := r.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]string, len(vals))
		for i, v := range vals {
			row[i] = null
			if v != nil {
				row[i] = *v
			}
		}
		return row, nil
	})
	if err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	return out
}

// one returns the single text cell of a query.
func (f *fixture) one(sql string, args ...any) string {
	f.t.Helper()
	rows := f.query(sql, args...)
	if len(rows) != 1 || len(rows[0]) != 1 {
		f.t.Fatalf("%s: %d rows, want one cell", sql, len(rows))
	}
	return rows[0][0]
}

// tables lists the tables of the fixture's schema.
func (f *fixture) tables() []string {
	f.t.Helper()
	var out []string
	for _, r := range f.query(`SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename`, f.s.Name) {
		out = append(out, r[0])
	}
	return out
}

// version is one version to publish: its rows, as text cells.
type version struct {
	id      string
	rows    [][]string
	readers []string
}

// ordersSchema is the schema most tests publish.
var ordersSchema = types.Schema{
	{Name: "id", Type: types.Int64Type},
	{Name: "amount", Type: types.DecimalType(18, 2), Nullable: true},
}

// manifestFor is the manifest apply would write for v.
func manifestFor(schema types.Schema, v version) *lakeio.Manifest {
	m := &lakeio.Manifest{
		FormatVersion: lakeio.ManifestFormatVersion, Product: "orders", VersionID: v.id, MeshctlVersion: "0.test",
		CreatedAt: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Format: "postgres", Rows: int64(len(v.rows)), Readers: v.readers,
	}
	for _, c := range schema {
		m.Schema = append(m.Schema, lakeio.Column{Name: c.Name, Type: c.Type.String(), Nullable: c.Nullable})
	}
	return m
}

// stageAndWrite stages v at loc and writes its rows through the Sinker,
// as apply does, in batches of at most 3 rows; it returns the staged
// table's name.
func (f *fixture) stageAndWrite(loc string, schema types.Schema, v version) string {
	f.t.Helper()
	ctx := context.Background()
	dir, err := f.lake.Stage(ctx, loc, v.id)
	if err != nil {
		f.t.Fatalf("stage %s: %v", v.id, err)
	}
	w, err := f.snk.Create(ctx, dataio.SinkRequest{Output: ir.Output{Format: "postgres", Path: loc, Schema: schema}, Schema: schema, Dir: dir})
	if err != nil {
		f.t.Fatalf("create the writer of %s: %v", v.id, err)
	}
	for start := 0; start < len(v.rows); start += 3 {
		if err := w.Write(ctx, batchOf(f.t, schema, v.rows[start:min(start+3, len(v.rows))])); err != nil {
			f.t.Fatalf("write %s: %v", v.id, err)
		}
	}
	files, err := w.Close(ctx)
	if err != nil {
		f.t.Fatalf("close the writer of %s: %v", v.id, err)
	}
	if files == nil || len(files) != 0 {
		f.t.Fatalf("Close returned files %v, want an empty slice", files)
	}
	return dir
}

// publish stages, writes and publishes v at loc.
func (f *fixture) publish(loc string, schema types.Schema, v version) *lakeio.Manifest {
	f.t.Helper()
	f.stageAndWrite(loc, schema, v)
	m := manifestFor(schema, v)
	if err := f.lake.Publish(context.Background(), loc, m); err != nil {
		f.t.Fatalf("publish %s: %v", v.id, err)
	}
	return m
}

// orders returns n rows of ordersSchema: ids 1…n, amount id.50.
func orders(n int) [][]string {
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = []string{strconv.Itoa(i + 1), strconv.Itoa(i+1) + ".50"}
	}
	return rows
}

// newRole creates a role for the test, dropped (with its privileges) at
// its end; roles are the server's, not the schema's, hence the name.
func (f *fixture) newRole(suffix string) string {
	f.t.Helper()
	name := f.s.Name + "_" + suffix
	f.s.Exec(f.t, "CREATE ROLE "+quote(name))
	f.s.Exec(f.t, "GRANT USAGE ON SCHEMA "+quote(f.s.Name)+" TO "+quote(name))
	f.t.Cleanup(func() {
		ctx := context.Background()
		_, _ = f.s.Conn.Exec(ctx, "RESET ROLE")
		_, _ = f.s.Conn.Exec(ctx, "DROP OWNED BY "+quote(name))
		if _, err := f.s.Conn.Exec(ctx, "DROP ROLE "+quote(name)); err != nil {
			f.t.Errorf("drop role %s: %v", name, err)
		}
	})
	return name
}

// batchOf builds a batch of schema's types from rows of text cells, parsed
// as the column's type (null for a null).
func batchOf(t testing.TB, schema types.Schema, rows [][]string) *vector.Batch {
	t.Helper()
	b := vector.NewBatch(schema, len(rows))
	b.Reset(len(rows))
	for j, c := range schema {
		v := b.Cols[j]
		for i, row := range rows {
			cell := row[j]
			if cell == null {
				v.SetNull(i)
				if v.Phys == vector.PhysString {
					v.AppendString(i, nil)
				}
				continue
			}
			var err error
			switch c.Type.Kind {
			case types.Bool:
				v.Bool[i], err = strconv.ParseBool(cell)
			case types.Int32:
				var x int64
				x, err = strconv.ParseInt(cell, 10, 32)
				v.I32[i] = int32(x)
			case types.Int64:
				v.I64[i], err = strconv.ParseInt(cell, 10, 64)
			case types.Float64:
				v.F64[i], err = strconv.ParseFloat(cell, 64)
			case types.String:
				v.AppendString(i, []byte(cell))
			case types.Date:
				var d int64
				d, err = ir.ParseDate(cell)
				v.I32[i] = int32(d)
			case types.Timestamp:
				v.I64[i], err = ir.ParseTimestamp(cell)
			case types.Decimal:
				x, ok := dec.Parse([]byte(cell), int(c.Type.Precision), int(c.Type.Scale))
				if !ok {
					t.Fatalf("%q is not a %s", cell, c.Type)
				}
				if v.Phys == vector.PhysInt64 {
					v.I64[i] = x.Int64()
				} else {
					v.I128[i] = x
				}
			}
			if err != nil {
				t.Fatalf("cell %q of column %s: %v", cell, c.Name, err)
			}
		}
	}
	return b
}

// contains reports whether any line contains s.
func contains(lines []string, s string) bool {
	for _, l := range lines {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

// dataioRequest is a sink request for loc with the orders schema.
func dataioRequest(loc string) dataio.SinkRequest {
	return dataio.SinkRequest{Output: ir.Output{Format: "postgres", Path: loc}, Schema: ordersSchema, Dir: "analytics.orders__meshctl_s_0"}
}
